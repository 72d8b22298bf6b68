#!/usr/bin/env python3
"""What lines up with the latency spikes of one saturation step (issue #11, sat3). Standard library only.

  stalls.py sample PORT PID DATABASE OUT.json SIMULATOR_PID
      While the simulator runs: every 0.5 s the server's /metrics (GC pause time and collections by generation, the
      thread pool's queue and threads, the writer's commit histogram, queue depths) and its threads' run-queue wait (/proc/PID/task/*/schedstat); every 10 ms the database file's mtime and the
      WAL's size (the main file is written only by a checkpoint in WAL mode, so a change of its mtime is a checkpoint).
  stalls.py report OUT.json REPORT.html DATABASE
      Joins the samples with the simulator's per-second delivery latency (its --html report) on one clock and prints a
      table per second and which server events fall in the seconds whose p99 is over the limit.

The simulator's seconds count from its first step's start, a Stopwatch timestamp; on Linux that is CLOCK_MONOTONIC in
ns, the clock of time.monotonic_ns() here. Each clientMessageId ends with the send's intended time in that clock
("runId.bot.n.due"), so the earliest one in the database is the start of the first step.
"""
import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.request

METRIC = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def scrape(port):
    values = {}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
        for line in response.read().decode().splitlines():
            m = METRIC.match(line)
            if not m:
                continue
            name, labels, value = m.group(1), m.group(2) or "", m.group(3)
            if not (name.startswith("dotnet_gc_") or name.startswith("dotnet_thread_pool_") or name.startswith("chatapp_writer_")
                    or name.startswith("chatapp_sqlite_") or name.startswith("chatapp_fanout_")):
                continue
            labels = ",".join(p for p in re.findall(r'[a-z_]+="[^"]*"', labels) if not p.startswith("otel_scope"))
            try:
                values[f"{name}{{{labels}}}" if labels else name] = float(value)
            except ValueError:
                pass
    return values


def run_queue_wait_ns(pid):
    """Per thread: ns spent runnable but waiting for a core, so far (threads come and go: compared by thread)."""
    waits = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    waits[tid] = int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
    except OSError:
        pass
    return waits


def fsync_probe(folder, results, running):
    """Every 100 ms a 4 KiB write and fsync of a file beside the database: how long the disk takes, with no SQLite."""
    path = os.path.join(folder, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"x" * 4096
        while running():
            started = time.monotonic_ns()
            os.pwrite(fd, block, 0)
            os.fsync(fd)
            results.append({"t": started, "ms": (time.monotonic_ns() - started) / 1e6})
            time.sleep(0.1)
    finally:
        os.close(fd)
        os.unlink(path)


def sample(port, pid, database, out, simulator):
    wal = database + "-wal"
    fsyncs = []
    running = lambda: os.path.exists(f"/proc/{simulator}")  # noqa: E731
    probe = threading.Thread(target=fsync_probe, args=(os.path.dirname(database), fsyncs, running), daemon=True)
    probe.start()
    samples, checkpoints = [], []
    last_mtime = None
    next_scrape = 0.0
    while running():
        now = time.monotonic_ns()
        try:
            mtime = os.stat(database).st_mtime_ns
            wal_size = os.stat(wal).st_size if os.path.exists(wal) else 0
        except OSError:
            mtime, wal_size = None, 0
        if last_mtime is not None and mtime is not None and mtime != last_mtime:
            checkpoints.append({"t": now, "wal": wal_size})
        last_mtime = mtime
        if now / 1e9 >= next_scrape:
            next_scrape = now / 1e9 + 0.5
            try:
                metrics = scrape(port)
            except OSError:
                metrics = {}
            samples.append({"t": now, "wal": wal_size, "runQueueWaitNs": run_queue_wait_ns(pid), "metrics": metrics})
        time.sleep(0.01)
    probe.join()
    with open(out, "w") as f:
        json.dump({"samples": samples, "dbWrites": checkpoints, "fsyncs": fsyncs}, f)


def series_of(report_html):
    with open(report_html) as f:
        text = f.read()
    m = re.search(r'<script type="application/json" id="chatapp-series">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def origin_of(database):
    if not os.path.exists(database) and os.path.exists(database + ".origin"):
        with open(database + ".origin") as f:
            return int(f.read())
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        dues = [int(r[0].rsplit(".", 1)[1]) for r in db.execute("SELECT ClientMessageId FROM LogEntries WHERE ClientMessageId LIKE '%.%.%.%'")
                if r[0].rsplit(".", 1)[1].isdigit()]
    finally:
        db.close()
    return min(dues)


def delta(a, b, key):
    return b["metrics"].get(key, 0.0) - a["metrics"].get(key, 0.0)


def buckets(metrics, name):
    """The cumulative buckets of a Prometheus histogram, as {upper bound: count}."""
    out = {}
    for key, value in metrics.items():
        if key.startswith(name + "_bucket{"):
            le = re.search(r'le="([^"]+)"', key)
            if le and 'outcome="failed"' not in key:
                bound = float(le.group(1))
                out[bound] = out.get(bound, 0.0) + value
    if out and max(b for b in out if b != float("inf")) > 100:
        return {}  # the SDK's default buckets, made for milliseconds: a histogram in seconds shows no tail in them
    return out


def report(samples_json, report_html, database, limit_ms=250.0):
    with open(samples_json) as f:
        data = json.load(f)
    series = series_of(report_html)
    origin = origin_of(database)
    samples = data["samples"]
    second_of = lambda t: int((t - origin) // 1_000_000_000)  # noqa: E731
    rows = {}
    for p in series["points"]:
        rows[p["second"]] = {"step": p["step"], "rate": p["rate"], "acks": p["acks"], "p50": p.get("latencyP50"), "p99": p.get("latencyP99"),
                             "gcMs": 0.0, "gc0": 0, "gc1": 0, "gc2": 0, "tpQueue": 0, "tpThreads": 0, "slow": 0, "slowest": 0.0,
                             "batches": 0, "ckpt": 0, "wal": 0, "waitMs": 0.0, "fsyncMs": 0.0, "busyMs": 0.0}
    for a, b in zip(samples, samples[1:]):
        row = rows.get(second_of(b["t"]))
        if row is None:
            continue
        row["gcMs"] += delta(a, b, "dotnet_gc_pause_time_seconds_total") * 1000
        for gen in (0, 1, 2):
            row[f"gc{gen}"] += int(delta(a, b, f'dotnet_gc_collections_total{{gc_heap_generation="gen{gen}"}}'))
        row["tpQueue"] = max(row["tpQueue"], int(b["metrics"].get("dotnet_thread_pool_queue_length_total", b["metrics"].get("dotnet_thread_pool_queue_length", 0))))
        row["tpThreads"] = max(row["tpThreads"], int(b["metrics"].get("dotnet_thread_pool_thread_count_total", b["metrics"].get("dotnet_thread_pool_thread_count", 0))))
        ba, bb = buckets(a["metrics"], "chatapp_writer_commit_duration_seconds"), buckets(b["metrics"], "chatapp_writer_commit_duration_seconds")
        if bb:
            new = {le: bb[le] - ba.get(le, 0.0) for le in sorted(bb)}
            total = new.get(float("inf"), 0.0)
            row["batches"] += int(total)
            row["slow"] += int(total - next((v for le, v in new.items() if le >= 0.1), total))
            # The slowest batch of the interval lies in the first bucket that holds them all: its upper bound.
            top = next((le for le, v in new.items() if v >= total), 0.0) if total > 0 else 0.0
            row["slowest"] = max(row["slowest"], top)
        # The writer's batches' time: near 1,000 ms a second, the one serial stage has no room left, whatever else happens.
        row["busyMs"] += delta(a, b, 'chatapp_writer_commit_duration_seconds_sum{outcome="committed"}') * 1000
        row["wal"] = max(row["wal"], b["wal"])
        row["waitMs"] += sum(max(0, w - a["runQueueWaitNs"].get(tid, w)) for tid, w in b["runQueueWaitNs"].items()) / 1e6
    for probe in data.get("fsyncs", []):
        row = rows.get(second_of(probe["t"]))
        if row is not None:
            row["fsyncMs"] = max(row["fsyncMs"], probe["ms"])
    # One checkpoint writes the file over several polls: changes less than 50 ms apart are the same checkpoint.
    last = None
    for c in data["dbWrites"]:
        row = rows.get(second_of(c["t"]))
        if row is not None and (last is None or c["t"] - last > 50_000_000):
            row["ckpt"] += 1
        last = c["t"]
    print(f"{'s':>3} {'step':>4} {'rate':>4} {'acks':>5} {'p50':>7} {'p99':>7} | {'batch':>5} {'busyMs':>6} {'>=100ms':>7} {'slowest<=':>9} | {'fsyncMax':>8} | "
          f"{'dbWrites':>8} {'walKB':>6} | {'gc0/1/2':>8} {'gcMs':>6} | {'tpQ':>4} {'tpThr':>5} | {'runQwaitMs':>10}")
    for second in sorted(rows):
        r = rows[second]
        f = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
        flag = " <" if r["p99"] is not None and r["p99"] > limit_ms else ""
        print(f"{second:>3} {r['step']:>4} {r['rate']:>4g} {r['acks']:>5} {f(r['p50']):>7} {f(r['p99']):>7} | {r['batches']:>5} {r['busyMs']:>6.0f} {r['slow']:>7} "
              f"{('inf' if r['slowest'] == float('inf') else format(r['slowest'] * 1000, '.0f') + 'ms'):>9} | {r['fsyncMs']:>6.1f}ms | {r['ckpt']:>8} {r['wal'] / 1024:>6.0f} | "
              f"{r['gc0']}/{r['gc1']}/{r['gc2']:<4} {r['gcMs']:>6.0f} | {r['tpQueue']:>4} {r['tpThreads']:>5} | {r['waitMs']:>10.0f}{flag}")
    measured = [r for r in rows.values() if r["step"] > 0 and r["p99"] is not None]
    spikes = [r for r in measured if r["p99"] > limit_ms]
    calm = [r for r in measured if r["p99"] <= limit_ms]

    def share(rs, test):
        return f"{sum(1 for r in rs if test(r))}/{len(rs)}"
    print(f"\nmeasured seconds {len(measured)}, over {limit_ms:.0f} ms: {len(spikes)}")
    for label, test in [("the writer busy >= 900 ms", lambda r: r["busyMs"] >= 900), ("a batch >= 100 ms", lambda r: r["slow"] > 0), ("a probe fsync >= 50 ms (the disk)", lambda r: r["fsyncMs"] >= 50), ("a checkpoint (db file written)", lambda r: r["ckpt"] > 0),
                        ("a gen2 GC", lambda r: r["gc2"] > 0), ("GC pauses >= 50 ms", lambda r: r["gcMs"] >= 50),
                        ("thread-pool queue >= 50", lambda r: r["tpQueue"] >= 50)]:
        print(f"  seconds with {label}: spikes {share(spikes, test)}, calm {share(calm, test)}")
    # Over the measured steps (after the warm-up step): the writer's batches by duration, checkpoints, GC.
    first = next((a for a in samples if rows.get(second_of(a["t"]), {}).get("step", 0) > 0), None)
    if first is not None:
        last = samples[-1]
        ba, bb = buckets(first["metrics"], "chatapp_writer_commit_duration_seconds"), buckets(last["metrics"], "chatapp_writer_commit_duration_seconds")
        if bb:
            new = {le: bb[le] - ba.get(le, 0.0) for le in sorted(bb)}
            total = new[float("inf")]
            over = lambda limit: int(total - next((v for le, v in new.items() if le >= limit), total))  # noqa: E731
            top = next((le for le, v in new.items() if v >= total), 0.0)
            mean = (last["metrics"].get('chatapp_writer_commit_duration_seconds_sum{outcome="committed"}', 0)
                    - first["metrics"].get('chatapp_writer_commit_duration_seconds_sum{outcome="committed"}', 0)) / max(1, total) * 1000
            print(f"  writer over the measured steps: {int(total)} batches, mean {mean:.1f} ms; >= 25 ms: {over(0.025)}, >= 50 ms: {over(0.05)}, "
                  f">= 100 ms: {over(0.1)}, >= 250 ms: {over(0.25)}; slowest <= {top * 1000:.0f} ms")
        writes = sum(1 for i, c in enumerate(data["dbWrites"]) if c["t"] >= first["t"] and (i == 0 or c["t"] - data["dbWrites"][i - 1]["t"] > 50_000_000))
        print(f"  database file written (checkpoints, any connection): {writes} times; largest WAL {max(x['wal'] for x in samples) / 1024:.0f} KiB")
        gcs = [int(delta(first, last, f'dotnet_gc_collections_total{{gc_heap_generation="gen{g}"}}')) for g in (0, 1, 2)]
        print(f"  GC: gen0/1/2 {gcs[0]}/{gcs[1]}/{gcs[2]}, paused {delta(first, last, 'dotnet_gc_pause_time_seconds_total') * 1000:.0f} ms in all")
    if measured:
        print(f"  server threads' run-queue wait per second: spikes {sum(r['waitMs'] for r in spikes) / max(1, len(spikes)):.0f} ms, "
              f"calm {sum(r['waitMs'] for r in calm) / max(1, len(calm)):.0f} ms")


def fsyncs(trace, database, samples_json):
    """The server's fsyncs during the measured steps, by file (the WAL: commits; the database file: checkpoints) and thread."""
    with open(samples_json) as f:
        samples = json.load(f)["samples"]
    # strace's -ttt is wall-clock time; the samples are monotonic: the steps' window from the samples' span, in wall time.
    offset = time.time_ns() - time.monotonic_ns()
    start, end = (samples[0]["t"] + offset) / 1e9, (samples[-1]["t"] + offset) / 1e9
    line = re.compile(r'^(\d+)\s+([\d.]+)\s+f(?:data)?sync\(\d+<([^>]*)>\).*<([\d.]+)>$')
    by = {}
    with open(trace) as f:
        for text in f:
            m = line.match(text.strip())
            if not m or not (start <= float(m.group(2)) <= end):
                continue
            path, seconds = m.group(3), float(m.group(4))
            kind = "WAL (commits)" if path.endswith("-wal") else "database file (checkpoints)" if path == database else os.path.basename(path)
            by.setdefault(kind, []).append(seconds * 1000)
    # By file, not thread: the writer's loop and the checkpointer are async and move between thread-pool threads.
    print(f"\nfsyncs over the {end - start:.0f} s sampled, by file (ms):")
    for kind, ms in by.items():
        ms.sort()
        print(f"  {kind:<28}: {len(ms):>6} fsyncs, mean {sum(ms) / len(ms):6.2f}, p99 {ms[int(len(ms) * 0.99)]:7.2f}, max {ms[-1]:7.2f}, "
              f"sum {sum(ms) / 1000:6.2f} s")


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "sample":
        sample(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]))
    elif len(sys.argv) == 5 and sys.argv[1] == "fsyncs":
        fsyncs(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
