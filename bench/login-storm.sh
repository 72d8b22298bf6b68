#!/usr/bin/env bash
# A login storm against ChatApp, to see whether password hashing starves the thread pool.
#   bench/login-storm.sh                                  defaults: 200 users, 64 logins in flight
#   USERS=400 INFLIGHT=128 bench/login-storm.sh
#   bench/login-storm.sh Auth__PasswordHashConcurrency=64 (extra server settings: e.g. a gate as wide as no gate)
# Starts the Release build on a loopback port with a fresh database, registers the users (not timed), then sends
# every login at once (INFLIGHT at a time) while sampling the thread pool's queue (dotnet_thread_pool_queue_length
# from /metrics) and timing /healthz, a request that needs a thread but no hashing: if logins starve the pool,
# /healthz waits. Prints the status codes of the logins (503 = refused by the hashing gate), the queue and /healthz.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
users=${USERS:-200}; inflight=${INFLIGHT:-64}; port=${PORT:-5303}; password='Storm-passw0rd'
dll="$root/server/bin/Release/net10.0/ChatApp.Server.dll"
[[ -f $dll ]] || dotnet build "$root/server" -c Release -p:SkipClientWeb=true >/dev/null
work=$(mktemp -d); pid=""
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
(cd "$work" && exec env Storage__DatabasePath="$work/chat.db" Storage__KeysPath="$work/keys" Limits__Enabled=false \
  ASPNETCORE_URLS="http://127.0.0.1:$port" Serilog__MinimumLevel__Default=Warning "$@" dotnet "$dll" >"$work/server.log" 2>&1) &
pid=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
post() { curl -s -o /dev/null -w "%{http_code}\n" -H 'Content-Type: application/json' -d "{\"userName\":\"$2\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/auth/$1"; }
export -f post; export port password
echo "== registering $users users"
seq -f "storm%04g" 0 $((users - 1)) | xargs -P 4 -I{} bash -c 'post register {}' | sort | uniq -c | sed 's/^/   /'
echo "== $users logins, $inflight in flight"
start=$(date +%s.%N)
seq -f "storm%04g" 0 $((users - 1)) | xargs -P "$inflight" -I{} bash -c 'post login {}' >"$work/codes" &
storm=$!
while kill -0 $storm 2>/dev/null; do
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^dotnet_thread_pool_queue_length/ {print $NF}' >>"$work/queue"
  curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:$port/healthz" >>"$work/health"
  sleep 0.2
done
echo "   took $(echo "$(date +%s.%N) - $start" | bc | cut -c1-6) s; threads in the server: $(ls /proc/$pid/task | wc -l)"
sort "$work/codes" | uniq -c | sed 's/^/   logins answered /'
sort -n "$work/queue" | awk '{a[NR]=$1} END {print "   thread pool queue: p50 " a[int(NR/2)+1] ", max " a[NR] " (" NR " samples)"}'
sort -n "$work/health" | awk '{a[NR]=$1*1000} END {printf "   /healthz meanwhile: p50 %.0f ms, p90 %.0f ms, max %.0f ms\n", a[int(NR/2)+1], a[int(NR*0.9)+1], a[NR]}'
