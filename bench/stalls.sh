#!/usr/bin/env bash
# What makes a saturation step unclean (issue #11, sat3): ChatApp alone at one fixed rate near its knee, with the
# simulator's per-second delivery latency lined up against the server's writer batches, checkpoints, GC and thread
# pool on one clock (bench/stalls.py). One fresh server and database per run.
#   bench/stalls.sh                                  200 users in rooms of 20, warm-up at 8, then two 10 s steps at 24 msgs/user/s
#   STALLS_RATE=28 STALLS_STEPS=3 bench/stalls.sh    another rate, more steps
#   CHATAPP_SERVER_DLL=/other/ChatApp.Server.dll STALLS_LABEL=before bench/stalls.sh   another build (before/after pairs)
#   CHATAPP_SERVER_ENV="DOTNET_gcServer=0" bench/stalls.sh                             settings or runtime knobs for the server only
#   STALLS_STRACE=1 bench/stalls.sh                  also every fsync of the server (strace with a seccomp filter: only fsyncs stop
#                                                    it), summed up by file and thread: the WAL's are commits, the database file's checkpoints
# STALLS_PORT (5311) is the server's port. Results: bench/results/stalls-<time>-<label>/ (table.txt, the simulator's
# JSON and HTML, the samples).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${STALLS_PORT:-5311}
rate=${STALLS_RATE:-24}
steps=${STALLS_STEPS:-2}
label=${STALLS_LABEL:-run}
results="$root/bench/results/stalls-$(date -u +%Y%m%dT%H%M%SZ)-$label"
work=$(mktemp -d /tmp/sat3-stalls.XXXXXX)
mkdir -p "$results"
server=""
cleanup() {
  [[ -n ${pid:-} && ${pid:-} != "$server" ]] && kill "$pid" 2>/dev/null || true
  [[ -n $server ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

if [[ -z ${CHATAPP_SERVER_DLL:-} ]]; then
  echo "== building (Release)"
  for project in server client-console/ChatApp.Cli; do
    dotnet build -c Release --nologo -v quiet -p:SkipClientWeb=true "$project" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
  done
fi
ulimit -n 65536 2>/dev/null || true

trace=()
[[ ${STALLS_STRACE:-} == 1 ]] && trace=(strace -f --seccomp-bpf -e trace=fsync,fdatasync -T -ttt -y -o "$results/fsync.trace")
(cd "$work" && exec env \
  Storage__DatabasePath="$work/chat.db" Storage__KeysPath="$work/keys" Limits__Enabled=false Auth__PasswordHashIterations=1000 \
  ASPNETCORE_URLS="http://127.0.0.1:$port" Serilog__MinimumLevel__Default=Warning ${CHATAPP_SERVER_ENV:-} \
  "${trace[@]}" dotnet "${CHATAPP_SERVER_DLL:-$root/server/bin/Release/net10.0/ChatApp.Server.dll}" >"$work/chatapp.log" 2>&1) &
server=$!
pid=$server # the dotnet process, for /proc: under strace, strace's child
if [[ ${#trace[@]} -gt 0 ]]; then
  for _ in $(seq 1 50); do pid=$(pgrep -P "$server" -n || true); [[ -n $pid ]] && break; sleep 0.1; done
fi
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "ChatApp did not start:"; cat "$work/chatapp.log"; exit 1; }

rates=8; for _ in $(seq 1 "$steps"); do rates="$rates,$rate"; done
echo "== ChatApp ($label) on :$port: 200 users in rooms of 20, steps $rates msgs/user/s (the first a warm-up), 10 s each"
dotnet "$root/client-console/ChatApp.Cli/bin/Release/net10.0/chatapp.dll" simulate --server "http://127.0.0.1:$port" \
  --users 200 --rooms 10 --rates "$rates" --warmup-steps 1 --p99-limit 250 --duration 10s --warmup 2s --drain-timeout 15s \
  --protocol json --login-concurrency 8 --bot-prefix stalls --room-prefix stalls --json "$results/simulate.json" --html "$results/simulate.html" \
  >"$results/simulate.txt" 2>"$work/progress.log" &
sim=$!
python3 "$root/bench/stalls.py" sample "$port" "$pid" "$work/chat.db" "$results/samples.json" "$sim" &
sampler=$!
wait "$sim" || true # an unclean step is a result here, not a failure
wait "$sampler"
grep -E '/user/s: p99' "$results/simulate.txt" | sed 's/^/   /' || tail -5 "$results/simulate.txt"
python3 "$root/bench/stalls.py" report "$results/samples.json" "$results/simulate.html" "$work/chat.db" | tee "$results/table.txt"
# The simulator's clock origin, so `stalls.py report ... $results/chat.db` can be run again after the database is gone.
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import stalls; print(stalls.origin_of(sys.argv[2]))' "$root/bench" "$work/chat.db" >"$results/chat.db.origin"
[[ -f $results/fsync.trace ]] && python3 "$root/bench/stalls.py" fsyncs "$results/fsync.trace" "$work/chat.db" "$results/samples.json" | tee -a "$results/table.txt"
echo "== results in $results"
