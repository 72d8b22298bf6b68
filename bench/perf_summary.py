#!/usr/bin/env python3
"""Where a server's CPU went, from a `perf record -g` of it (run with DOTNET_PerfMapEnabled=1 and
DOTNET_EnableWriteXorExecute=0, so perf can name the JIT's code from /tmp/perf-<pid>.map).

Unlike dotnet-trace's thread-time samples, perf samples only threads on a CPU, kernel included: a thread blocked in
fsync or waiting for a lock is not counted, a thread spinning is. Each sample goes to the innermost frame's kind: a
syscall (by name), SQLite, the runtime (libcoreclr), libc (SQLite's or the runtime's when they called it), or managed
code by namespace; then the kinds are summed into a few areas. With the CPU µs per message of the same window (utime +
stime from /proc over the messages acked), it prints each area in µs per message too.

Usage: perf_summary.py perf.data [cpu-µs-per-message]. Standard library only (and the perf command)."""
import collections
import re
import subprocess
import sys

NAMESPACES = ["ChatApp", "Microsoft.AspNetCore.SignalR", "Microsoft.AspNetCore.Http.Connections",
              "Microsoft.AspNetCore.Server.Kestrel", "System.Net.WebSockets", "System.Net.Sockets", "System.IO.Pipelines",
              "System.Text.Json", "Microsoft.Data.Sqlite", "SQLitePCL", "Microsoft.EntityFrameworkCore", "Serilog",
              "Microsoft.Extensions.Logging", "OpenTelemetry", "System.Diagnostics", "System.Threading",
              "System.Runtime.CompilerServices", "System.Collections", "System.Linq"]
WRITER_SYSCALLS = {"pwrite64", "fsync", "fdatasync", "pread64", "close", "openat", "unlink", "ftruncate"}
NETWORK_SYSCALLS = {"sendto", "recvfrom", "sendmsg", "recvmsg", "epoll_wait", "writev", "read", "write"}
SCHEDULING_SYSCALLS = {"sched_yield", "futex"}


def kind(frames):
    """The kind of one sample, from its frames (innermost first) as (symbol, object) pairs."""
    symbol, where = frames[0]
    if "kernel" in where:
        for s, _ in frames:
            if m := re.search(r"__x64_sys_(\w+)", s):
                return "sys:" + m.group(1)
        if any("irq" in s for s, _ in frames):
            return "kernel:irq"
        if any("schedule" in s for s, _ in frames):
            return "kernel:schedule"
        if any("page_fault" in s for s, _ in frames):
            return "kernel:page_fault"
        return "kernel:other"
    if "sqlite" in where:
        return "sqlite"
    if "libcoreclr" in where:
        return "coreclr"
    if "libc" in where:
        callers = [w for _, w in frames[1:6]]
        return "sqlite" if any("sqlite" in w for w in callers) else "coreclr" if any("coreclr" in w for w in callers) else "libc"
    if "perf-" in where or "JIT" in where or where.endswith(".dll"):
        if m := re.search(r"\[[\w.]+\]\s+([\w.]+)", symbol):
            return "managed:" + next((n for n in NAMESPACES if m.group(1).startswith(n)), "other")
        return "managed:other"
    return "other"


def area(k):
    if k == "sqlite" or k.startswith("sys:") and k[4:] in WRITER_SYSCALLS:
        return "SQLite and its file I/O (the writer)"
    if k == "kernel:irq" or k.startswith("sys:") and k[4:] in NETWORK_SYSCALLS or k in (
            "managed:Microsoft.AspNetCore.Server.Kestrel", "managed:System.Net.WebSockets", "managed:System.Net.Sockets",
            "managed:System.IO.Pipelines"):
        return "network: sockets, Kestrel, WebSockets, pipes"
    if k == "kernel:schedule" or k.startswith("sys:") and k[4:] in SCHEDULING_SYSCALLS or k == "managed:System.Threading":
        return "scheduling: thread pool, spinning, wake-ups"
    if k == "coreclr":
        return "runtime (GC, allocation, type checks)"
    if k in ("managed:Microsoft.AspNetCore.SignalR", "managed:Microsoft.AspNetCore.Http.Connections", "managed:System.Text.Json"):
        return "SignalR and JSON"
    if k in ("managed:ChatApp", "managed:Microsoft.Data.Sqlite", "managed:SQLitePCL", "managed:Microsoft.EntityFrameworkCore",
             "managed:Serilog", "managed:Microsoft.Extensions.Logging", "managed:OpenTelemetry"):
        return "ChatApp's code, EF Core, Microsoft.Data.Sqlite, logging, metrics"
    return "other (libc, kernel, the rest of the BCL)"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    per_message = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    script = subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "ip,sym,dso"], capture_output=True, text=True, check=True).stdout
    kinds = collections.Counter()
    for sample in script.split("\n\n"):
        frames = [(m.group(1), m.group(2)) for line in sample.splitlines()
                  if (m := re.match(r"\s*[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$", line))]
        if frames:
            kinds[kind(frames)] += 1
    total = sum(kinds.values())
    if total == 0:
        sys.exit("no samples")
    areas = collections.Counter()
    for k, count in kinds.items():
        areas[area(k)] += count
    print(f"{total} samples" + (f", {per_message:.0f} CPU µs per message" if per_message else ""))
    for name, count in areas.most_common():
        print(f"  {count / total * 100:5.1f}%" + (f"  {count / total * per_message:6.1f} µs/msg" if per_message else "") + f"  {name}")
    print("\nby kind:")
    for k, count in kinds.most_common(25):
        print(f"  {count / total * 100:5.1f}%  {k}")


if __name__ == "__main__":
    main()
