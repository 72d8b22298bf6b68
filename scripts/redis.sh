#!/usr/bin/env bash
# Runs Redis as a plain child process for ChatApp's cluster mode (no system service, no Docker):
#   scripts/redis.sh start --port P --data DIR    installs redis-server from Debian when missing, starts it, waits for PONG
#   scripts/redis.sh stop --data DIR              stops the Redis started in DIR (and nothing else)
# Nothing is persisted (--save '' --appendonly no): ChatApp keeps only ephemeral state in Redis.
set -euo pipefail

usage() { echo "usage: $0 start --port P --data DIR | stop --data DIR" >&2; exit 2; }

command="${1:-}"; shift || true
port=6379
data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$data" ] || usage
mkdir -p "$data"
data="$(cd "$data" && pwd)"
pidfile="$data/redis.pid"

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then return; fi
  echo "Installing redis-server from Debian..." >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
}

case "$command" in
  start)
    install_redis
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "Redis already running in $data (pid $(cat "$pidfile"))" >&2
      exit 0
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$pidfile" --logfile "$data/redis.log" --dir "$data"
    for _ in $(seq 1 100); do
      if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
        echo "Redis on 127.0.0.1:$port (pid $(cat "$pidfile"))"
        exit 0
      fi
      sleep 0.1
    done
    echo "Redis did not answer on port $port; see $data/redis.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      fi
      rm -f "$pidfile"
    fi
    ;;
  *) usage ;;
esac
