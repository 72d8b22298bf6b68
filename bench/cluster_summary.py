#!/usr/bin/env python3
"""bench/cluster.sh's summary (Python standard library only): cluster_summary.py --results DIR [--p99-limit MS]

Reads, for each configuration listed in DIR/configs.txt, its stepped report (NAME.json), its stamped progress
lines (NAME.progress: when each step was sending), the probe's samples (NAME.samples.jsonl) and the nodes' gap
fills (NAME.gapfills.jsonl), and writes DIR/cluster.json and DIR/cluster.md: the highest clean rate per
configuration and its ratio to the SQLite node, p50/p99 and the delivery check at each step, and per step what
each node, PostgreSQL, Redis and the simulator did with the time (CPU, commits, lock waits, publishes, gap fills).
The first --warmup-steps steps (1, as bench/cluster.sh runs them) only warmed up: kept in cluster.json as
"warmup", left out of the tables.
"""
import argparse
import datetime
import json
import os
import re


def load_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def send_windows(progress_path):
    """Step index -> (first, last) time a progress line showed that step sending (lines come every 2 s)."""
    windows = {}
    for line in load_lines(progress_path):
        stamp, _, text = line.partition(" ")
        m = re.search(r"\]?\s*\[\s*[\d.]+s send (?:(\d+)/\d+)?", text)
        if not m:
            continue
        index = int(m.group(1) or 1) - 1
        t = float(stamp)
        first, _ = windows.get(index, (t, t))
        windows[index] = (first, t)
    return windows


def delta(samples, start, end):
    """The first sample at or after start and the last at or before end, and the seconds between them."""
    inside = [s for s in samples if start <= s["t"] <= end]
    if len(inside) < 2:
        return None
    return inside[0], inside[-1], inside[-1]["t"] - inside[0]["t"]


def rate_of(a, b, seconds, *path):
    x, y = a, b
    for key in path:
        x = (x or {}).get(key)
        y = (y or {}).get(key)
    if x is None or y is None or seconds <= 0:
        return None
    return (y - x) / seconds


def step_figures(samples, window, fills):
    d = delta(samples, *window) if window else None
    if not d:
        return None
    a, b, seconds = d
    out = {"seconds": round(seconds, 1), "nodes": {}}
    for name in b.get("nodes", {}):
        n = lambda *p: rate_of(a, b, seconds, "nodes", name, *p)
        batches = n("batches")
        node = {"cpuCores": n("cpu"), "committedPerSecond": n("committed"), "batchesPerSecond": batches,
                "deliveriesPerSecond": n("deliveries"), "gapFills": sum(1 for f in fills if f[0] == name and window[0] <= f[1] <= window[1])}
        if batches:
            node["meanBatch"] = n("batchSum") / batches
            node["meanCommitMs"] = n("commitSeconds") / batches * 1000
        out["nodes"][name] = node
    if "pg" in b:
        samples_in = [s for s in samples if window[0] <= s["t"] <= window[1] and "pg" in s]
        looks = sum(s["pg"].get("waitSamples", 0) for s in samples_in) or 1
        waits = {}
        for s in samples_in:
            for event, count in s["pg"].get("waits", {}).items():
                waits[event] = waits.get(event, 0) + count
        # Average active backends by what they wait on (an active-session sample): Lock:transactionid and
        # Lock:tuple are appends queued behind another transaction's row lock on the same room.
        out["postgres"] = {"commitsPerSecond": rate_of(a, b, seconds, "pg", "commits"), "cpuCores": rate_of(a, b, seconds, "pg", "cpu"),
                           "activeBackendsByWait": {k: round(v / looks, 2) for k, v in sorted(waits.items(), key=lambda kv: -kv[1])}}
    if "redis" in b:
        calls = rate_of(a, b, seconds, "redis", "publishCalls")
        usec = rate_of(a, b, seconds, "redis", "publishUsec")
        out["redis"] = {"publishesPerSecond": calls, "usecPerPublish": (usec / calls) if calls else None,
                        "cpuCores": rate_of(a, b, seconds, "redis", "cpu")}
    out["simulatorCpuCores"] = rate_of(a, b, seconds, "simulator", "cpu")
    out["machineBusyCores"] = rate_of(a, b, seconds, "machine", "busy")
    ours = sum(v.get("cpuCores") or 0 for v in out["nodes"].values()) + (out.get("postgres", {}).get("cpuCores") or 0) \
        + (out.get("redis", {}).get("cpuCores") or 0) + (out["simulatorCpuCores"] or 0)
    if out["machineBusyCores"] is not None:
        out["othersCpuCores"] = max(0.0, out["machineBusyCores"] - ours)
    return out


def gap_fills(path):
    """(node name, epoch seconds) of every gap fill the nodes logged."""
    fills = []
    for line in load_lines(path):
        file, _, body = line.partition(":")
        node = re.search(r"(node\d+)-", os.path.basename(file))
        try:
            when = datetime.datetime.fromisoformat(json.loads(body)["Timestamp"]).timestamp()
        except (ValueError, KeyError):
            continue
        fills.append((node.group(1) if node else "?", when))
    return fills


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def clean(step, limit):
    return bool(step.get("passed")) and (step.get("messages") or {}).get("failed", 1) == 0 \
        and (step.get("deliveries") or {}).get("missing", 1) == 0 and (num((step.get("latency") or {}).get("p99")) or 1e9) <= limit


def summarize(results, limit, warmup_steps):
    configs = []
    for line in load_lines(os.path.join(results, "configs.txt")):
        name, _, servers = line.partition(" ")
        report_path = os.path.join(results, name + ".json")
        if not os.path.exists(report_path):
            configs.append({"name": name, "servers": servers, "steps": [], "highestCleanRate": None})
            continue
        with open(report_path) as f:
            report = json.load(f)
        samples = [json.loads(s) for s in load_lines(os.path.join(results, name + ".samples.jsonl"))]
        windows = send_windows(os.path.join(results, name + ".progress"))
        fills = gap_fills(os.path.join(results, name + ".gapfills.jsonl"))
        steps = []
        for i, step in enumerate(report.get("steps", [])):
            if i < warmup_steps:  # windows stay indexed by the simulator's step number
                continue
            s = step["settings"]
            d = step.get("deliveries") or {}
            lat = step.get("latency") or {}
            steps.append({
                "rate": s["rate"], "offeredMessagesPerSecond": s["rate"] * s["users"],
                "acknowledgedPerSecond": (step.get("throughput") or {}).get("messagesPerSecond"),
                "deliveriesPerSecond": (step.get("throughput") or {}).get("deliveriesPerSecond"),
                "p50": lat.get("p50"), "p99": lat.get("p99"), "max": lat.get("max"),
                "missing": d.get("missing"), "duplicated": d.get("duplicated"), "outOfOrder": d.get("outOfOrder"),
                "failed": (step.get("messages") or {}).get("failed"), "clean": clean(step, limit),
                "perServer": step.get("perServer"), "errors": step.get("errors"),
                "where": step_figures(samples, windows.get(i), fills)})
        best = max((s["rate"] for s in steps if s["clean"]), default=None)
        unclean = min((s["rate"] for s in steps if not s["clean"]), default=None)
        first = report["steps"][0] if report.get("steps") else {}
        warm = report["steps"][:warmup_steps]
        configs.append({"name": name, "servers": servers, "users": (first.get("settings") or {}).get("users"),
                        "login": first.get("login"), "steps": steps, "highestCleanRate": best, "firstUncleanRate": unclean,
                        "passed": all(bool(st.get("passed")) for st in report.get("steps", [])),
                        "warmup": [{"rate": w["settings"]["rate"], "p50": (w.get("latency") or {}).get("p50"), "p99": (w.get("latency") or {}).get("p99"),
                                    "missing": (w.get("deliveries") or {}).get("missing"), "duplicated": (w.get("deliveries") or {}).get("duplicated"),
                                    "outOfOrder": (w.get("deliveries") or {}).get("outOfOrder")} for w in warm]})
    base = next((c["highestCleanRate"] for c in configs if c["name"].startswith("sqlite")), None)
    for c in configs:
        c["ratioToSqlite"] = (c["highestCleanRate"] / base) if base and c["highestCleanRate"] is not None else None
    summary = {"p99LimitMs": limit, "configurations": configs}
    with open(os.path.join(results, "cluster.json"), "w") as f:
        json.dump(summary, f, indent=2)
    text = markdown(configs, limit)
    with open(os.path.join(results, "cluster.md"), "w") as f:
        f.write(text)
    print(text)


def rate_text(rate):
    return f"{rate:g}"


def f(x, digits=0):
    if isinstance(x, str):  # the simulator writes NaN (no deliveries) as the string "NaN"
        x = num(x)
    if x is None or x != x:
        return "-"
    return f"{x:,.{digits}f}"


def markdown(configs, limit):
    out = [f"Highest clean rate: p99 within {f(limit)} ms, nothing missing, duplicated, out of order or failed.", "",
           "| configuration | highest clean rate (msgs/user/s) | msgs/s at it | ratio to SQLite | p50 / p99 ms at each step | missing / dup / out-of-order (every step, warm-up too) |",
           "|---|---|---|---|---|---|"]
    for c in configs:
        steps = c["steps"]
        ladder = "; ".join(f"{rate_text(s['rate'])}: {f(s['p50'])} / {f(s['p99'])}{'' if s['clean'] else ' ✗'}" for s in steps) or "no measured step"
        best = next((s for s in steps if s["rate"] == c["highestCleanRate"]), None)
        bound = "" if c.get("firstUncleanRate") is not None or not steps else " (clean at every step: at least)"
        lost = "/".join(str(sum(s[k] or 0 for s in steps + c.get("warmup", []))) for k in ("missing", "duplicated", "outOfOrder"))
        out.append(f"| {c['name']} | {rate_text(c['highestCleanRate']) if c['highestCleanRate'] is not None else 'none'}{bound} | "
                   f"{f(best['acknowledgedPerSecond']) if best else '-'} | {f(c['ratioToSqlite'], 2)} | {ladder} | {lost} |")
    out += ["", "Where the time went at each step (CPU in cores of the 2; PostgreSQL waits: average active backends, sampled 5 times a second):", "",
            "| configuration | rate | acked msgs/s | per node: CPU, commits/s x mean batch, mean commit ms, gap fills | PostgreSQL: CPU, commits/s, waits | Redis: CPU, publishes/s | simulator CPU | others' CPU |",
            "|---|---|---|---|---|---|---|---|"]
    for c in configs:
        for s in c["steps"]:
            w = s.get("where")
            if not w:
                out.append(f"| {c['name']} | {rate_text(s['rate'])} | {f(s['acknowledgedPerSecond'])} | (no samples) | | | | |")
                continue
            nodes = "; ".join(f"{n}: {f(v.get('cpuCores'), 2)}, {f(v.get('batchesPerSecond'))} x {f(v.get('meanBatch'), 1)}, {f(v.get('meanCommitMs'), 1)} ms, {v.get('gapFills', 0)}"
                              for n, v in w["nodes"].items())
            pg = w.get("postgres")
            pgtext = "-" if not pg else f"{f(pg.get('cpuCores'), 2)}, {f(pg.get('commitsPerSecond'))}/s, " + (
                ", ".join(f"{k} {v}" for k, v in list(pg["activeBackendsByWait"].items())[:4]) or "none active")
            r = w.get("redis")
            rtext = "-" if not r else f"{f(r.get('cpuCores'), 2)}, {f(r.get('publishesPerSecond'))}/s"
            out.append(f"| {c['name']} | {rate_text(s['rate'])} | {f(s['acknowledgedPerSecond'])} | {nodes} | {pgtext} | {rtext} | "
                       f"{f(w.get('simulatorCpuCores'), 2)} | {f(w.get('othersCpuCores'), 2)} |")
    multi = [c for c in configs if any(s.get("perServer") for s in c["steps"])]
    if multi:
        out += ["", "Per node as the simulator saw it (bots by the node they were connected to), at the highest clean step (or the first if none):", "",
                "| configuration | node | bots | acked | received | missing | p50 ms | p99 ms |", "|---|---|---|---|---|---|---|---|"]
        for c in multi:
            s = next((s for s in c["steps"] if s["rate"] == c["highestCleanRate"]), c["steps"][0])
            for p in s.get("perServer") or []:
                lat = p.get("latency") or {}
                out.append(f"| {c['name']} @ {rate_text(s['rate'])} | {p['server']} | {p['bots']} | {p['acknowledged']} | {p['received']} | {p['missing']} | {f(lat.get('p50'))} | {f(lat.get('p99'))} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True)
    parser.add_argument("--p99-limit", type=float, default=250)
    parser.add_argument("--warmup-steps", type=int, default=1, help="leading steps that only warmed up (left out)")
    args = parser.parse_args()
    summarize(args.results, args.p99_limit, args.warmup_steps)
