#!/usr/bin/env bash
# What a cluster-wide rate limit costs Redis: the token-bucket script of server/Cluster/RedisLimits.cs (read from
# that file, so it is the one the nodes run), called with EVALSHA by redis-benchmark, as every limited call does.
#   bench/limits-redis.sh [REQUESTS] [CLIENTS]     defaults 200000 and 50; loopback only, a throwaway Redis
# Prints requests/s and latency for one hot key (one user flooding) and for 100,000 keys (many users), after a
# plain INCR as the floor (one round trip that does nothing else), measured in the same minute.
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-200000}"
clients="${2:-50}"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
trap 'scripts/redis.sh stop --data "$data" >/dev/null; rm -rf "$data"' EXIT
scripts/redis.sh start --port "$port" --data "$data" >/dev/null

# The script between BucketScript = """ and """; with its C# indentation removed.
script="$(sed -n '/BucketScript = """/,/""";/p' server/Cluster/RedisLimits.cs | sed '1d;$d' | sed 's/^        //')"
sha="$(redis-cli -p "$port" SCRIPT LOAD "$script")"
# The Messages defaults: a burst of 30, 120 a minute (0.002 tokens a ms), a key that lives 16 s.
echo "== INCR (the floor)"
redis-benchmark -p "$port" -n "$requests" -c "$clients" -q INCR chatapp:floor | tr '\r' '\n' | tail -n 1
for keys in "hot chatapp:limit:Messages:u:1" "many chatapp:limit:Messages:u:__rand_int__"; do
  set -- $keys
  echo "== $1 key(s)"
  redis-benchmark -p "$port" -n "$requests" -c "$clients" -r 100000 -q EVALSHA "$sha" 1 "$2" 30 0.002 16000 | tr '\r' '\n' | tail -n 1
done
