#!/usr/bin/env python3
"""Summarizes a speedscope file from `dotnet-trace convert --format Speedscope` of a
dotnet-sampled-thread-time trace: where ChatApp's threads spent their time, separating threads that
were waiting (thread pool idle, socket waits, semaphores) from threads that were running code.
Prints the busy time by area (SQLite, EF Core, SignalR, JSON, logging, ...) and the top methods by
inclusive and exclusive busy time. Standard library only. Usage: profile_summary.py trace.speedscope.json [N]"""
import json
import re
import sys
from collections import defaultdict

# Frames the converter adds around the real ones: the process, the thread list, and the leaf state.
SYNTHETIC = re.compile(r"^(\(Non-Activities\)|Threads|Process\d+ .*|Thread \(\d+\).*)$")
STATES = {"CPU_TIME", "UNMANAGED_CODE_TIME"}
# A stack whose innermost frames match this is a thread waiting for work, not spending CPU.
WAITING = re.compile(r"Wait|Sleep|epoll|SocketEvents|SocketAsyncEngine\.EventLoop|FileSystemWatcher|LowLevelLifoSemaphore|LowLevelMonitor|Blocking|PortableThreadPool\.GateThread|Thread\.Join")
AREAS = [
    ("SQLite (native and Microsoft.Data.Sqlite)", re.compile(r"SQLitePCL|Microsoft\.Data\.Sqlite|sqlite3")),
    ("EF Core (queries, SaveChanges, change tracking)", re.compile(r"Microsoft\.EntityFrameworkCore")),
    ("SignalR and the hub protocols", re.compile(r"Microsoft\.AspNetCore\.SignalR|Microsoft\.AspNetCore\.Http\.Connections")),
    ("JSON", re.compile(r"System\.Text\.Json")),
    ("MessagePack", re.compile(r"MessagePack")),
    ("Logging (Serilog, ILogger)", re.compile(r"Serilog|Microsoft\.Extensions\.Logging")),
    ("Kestrel, sockets, pipelines", re.compile(r"Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines|System\.Net\.WebSockets")),
    ("ChatApp's own code", re.compile(r"^ChatApp\.(Server|Contracts)!")),
    ("Metrics (OpenTelemetry, System.Diagnostics.Metrics)", re.compile(r"OpenTelemetry|System\.Diagnostics\.Metrics")),
]


def intervals(profile, frames):
    """Yields (stack of frame names, duration) for an evented or sampled speedscope profile."""
    if profile["type"] == "evented":
        stack, last = [], profile["startValue"]
        for event in profile["events"]:
            if stack and event["at"] > last:
                yield stack, event["at"] - last
            last = event["at"]
            if event["type"] == "O":
                stack = stack + [frames[event["frame"]]]
            elif stack:
                stack = stack[:-1]
    else:
        for sample, weight in zip(profile["samples"], profile["weights"]):
            yield [frames[i] for i in sample], weight


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    with open(sys.argv[1]) as f:
        data = json.load(f)
    frames = [fr["name"] for fr in data["shared"]["frames"]]
    total = busy = 0.0
    inclusive, exclusive, areas, states = defaultdict(float), defaultdict(float), defaultdict(float), defaultdict(float)
    for profile in data["profiles"]:
        for raw, duration in intervals(profile, frames):
            total += duration
            state = raw[-1] if raw and raw[-1] in STATES else "?"
            stack = [name for name in raw if name not in STATES and not SYNTHETIC.match(name)]
            if not stack or any(WAITING.search(name) for name in stack[-3:]):
                continue
            busy += duration
            states[state] += duration
            exclusive[stack[-1]] += duration
            for name in set(stack):
                inclusive[name] += duration
            # Each running moment goes to the innermost frame that belongs to a known area.
            area = next((a for name in reversed(stack) for a, pattern in AREAS if pattern.search(name)), "other (runtime, BCL, ASP.NET Core plumbing)")
            areas[area] += duration
    unit = data["profiles"][0].get("unit", "") if data["profiles"] else ""
    print(f"thread time sampled: {total:,.0f} {unit}; running (not waiting): {busy:,.0f} {unit} ({busy / total * 100 if total else 0:.1f}%)")
    print("  of which managed code (CPU_TIME) %.1f%%, native code (UNMANAGED_CODE_TIME: SQLite, syscalls) %.1f%%" % (
        states["CPU_TIME"] / busy * 100 if busy else 0, states["UNMANAGED_CODE_TIME"] / busy * 100 if busy else 0))
    print("\nrunning time by area (each sample to the innermost frame of a known area):")
    for area, value in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {value / busy * 100 if busy else 0:5.1f}%  {area}")
    for title, table in (("inclusive", inclusive), ("exclusive", exclusive)):
        print(f"\ntop {top} methods by {title} running time:")
        for name, value in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {value / busy * 100 if busy else 0:5.1f}%  {name[:150]}")


if __name__ == "__main__":
    main()
