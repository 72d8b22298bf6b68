#!/usr/bin/env python3
"""The measuring side of bench/cluster.sh (Python standard library only, nothing fetched).

  cluster_probe.py sample --out FILE --node NAME=URL=PID ... (URL "-": CPU only) [--pg PORT --pg-pid PID] [--redis PORT] --sim-pid-file FILE
      Once a second until SIGTERM: each node's CPU time and writer/delivery counters from /metrics, PostgreSQL's
      commits and (five times a second) what its active backends wait on, Redis's PUBLISH count and CPU, the
      simulator's CPU and the whole machine's. One JSON line per second.
bench/cluster_summary.py turns the samples into figures per step.
"""
import argparse
import glob
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

TICKS = os.sysconf("SC_CLK_TCK")
METRICS = {
    "committed": "chatapp_messages_committed_total",
    "batches": "chatapp_writer_batch_size_count",
    "batchSum": "chatapp_writer_batch_size_sum",
    "commitSeconds": "chatapp_writer_commit_duration_seconds_sum",
    "commits": "chatapp_writer_commit_duration_seconds_count",
    "deliveries": "chatapp_deliveries_started_total",
    "deliveriesFailed": "chatapp_deliveries_failed_total",
}


def cpu_seconds(pid):
    """utime + stime of one process, seconds; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, ValueError, IndexError):
        return None


def children_cpu(parent):
    """CPU of a process and its direct children (PostgreSQL's postmaster and its backends, WAL writer, ...)."""
    total = cpu_seconds(parent) or 0.0
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                total += (int(fields[11]) + int(fields[12])) / TICKS
        except (OSError, ValueError, IndexError):
            pass
    return total


def machine_busy():
    """Busy and total CPU seconds of the whole machine (every neighbour included)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def scrape(url):
    out = {}
    try:
        with urllib.request.urlopen(url + "/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return out
    for key, name in METRICS.items():
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and line[len(name):len(name) + 1] in ("{", " "):
                total += float(line.rsplit(" ", 1)[1])
        out[key] = total
    return out


def redis_info(port):
    """PUBLISH calls and microseconds, and Redis's own CPU seconds, from INFO."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"INFO all\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head, _, rest = data.partition(b"\r\n")
                if head.startswith(b"$") and len(rest) >= int(head[1:]):
                    break
    except OSError:
        return {}
    text = data.decode(errors="replace")
    out = {}
    m = re.search(r"cmdstat_publish:calls=(\d+),usec=(\d+)", text)
    if m:
        out["publishCalls"], out["publishUsec"] = int(m.group(1)), int(m.group(2))
    cpu = [float(v) for v in re.findall(r"used_cpu_(?:sys|user):([\d.]+)", text)]
    out["cpu"] = sum(cpu)
    return out


class Psql:
    """One psql session kept open: a query a fifth of a second would cost a process start each otherwise."""

    def __init__(self, port):
        self.proc = subprocess.Popen(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "chatapp", "-d", "chatapp",
                                      "-X", "-A", "-t", "-q", "-F", "|"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def query(self, sql):
        self.proc.stdin.write(sql + "\n\\echo __end__\n")
        self.proc.stdin.flush()
        rows = []
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if line == "__end__":
                return rows
            if line:
                rows.append(line.split("|"))
        return rows

    def close(self):
        self.proc.terminate()


WAITS = ("SELECT coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-'), count(*) FROM pg_stat_activity "
         "WHERE datname = 'chatapp' AND state <> 'idle' AND pid <> pg_backend_pid() GROUP BY 1;")
COMMITS = "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = 'chatapp';"


def sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    nodes = [n.split("=", 2) for n in args.node]
    psql = Psql(args.pg) if args.pg else None
    with open(args.out, "a") as out:
        while not stop:
            started = time.time()
            waits = {}
            row = {"t": started, "nodes": {}}
            for name, url, pid in nodes:
                # URL "-": a process weighed by its CPU only (the front door, whose /metrics would be a node's).
                row["nodes"][name] = dict(scrape(url) if url != "-" else {}, cpu=cpu_seconds(int(pid)))
            if psql:
                # Five looks at what the active backends wait on, spread over the second.
                for i in range(5):
                    try:
                        for event, count in psql.query(WAITS):
                            waits[event] = waits.get(event, 0) + int(count)
                    except (OSError, ValueError):
                        pass
                    if i < 4:
                        time.sleep(0.15)
                commits = psql.query(COMMITS)
                row["pg"] = {"commits": int(commits[0][0]) if commits else None, "waits": waits, "waitSamples": 5,
                             "cpu": children_cpu(args.pg_pid) if args.pg_pid else None}
            if args.redis:
                row["redis"] = redis_info(args.redis)
            try:
                with open(args.sim_pid_file) as f:
                    sim = int(f.read().strip() or 0)
                row["simulator"] = {"pid": sim, "cpu": cpu_seconds(sim) if sim else None}
            except (OSError, ValueError):
                pass
            row["machine"] = dict(zip(("busy", "total"), machine_busy()))
            out.write(json.dumps(row) + "\n")
            out.flush()
            time.sleep(max(0.0, 1.0 - (time.time() - started)))
    if psql:
        psql.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--out", required=True)
    s.add_argument("--node", action="append", default=[], help="NAME=URL=PID")
    s.add_argument("--pg", type=int)
    s.add_argument("--pg-pid", type=int)
    s.add_argument("--redis", type=int)
    s.add_argument("--sim-pid-file", required=True)
    sample(parser.parse_args())
