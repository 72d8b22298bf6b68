#!/usr/bin/env bash
# Where one server's CPU goes at one fixed rate, by `perf record -g` (CPU samples only, kernel included; see
# bench/perf_summary.py). Usage: bench/perf-profile.sh chatapp|baseline RATE [OUTDIR]
# 200 users in rooms of 20: a warm-up step at 4 msgs/user/s, then RATE for DURATION (15s); perf samples the server for
# 8 s of the measured step, and the server's CPU time over the same 8 s is divided by the messages acked in it (ChatApp's
# committed counter; for the baseline, the offered rate). Needs `perf` (Debian's linux-perf) and a Release build:
#   dotnet build -c Release -p:SkipClientWeb=true server; same for client-console/ChatApp.Cli and bench/BaselineHub
set -euo pipefail
target=${1:?chatapp or baseline}; rate=${2:?msgs/user/s}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${3:-$root/bench/results/perf-$target-$rate-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"; work=$(mktemp -d); port=${PERF_PORT:-5401}
command -v perf >/dev/null || { echo "perf is not installed (apt-get install linux-perf)"; exit 1; }
cleanup() { [[ -n ${server:-} ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# The JIT's code named for perf (/tmp/perf-<pid>.map), and mapped once rather than double-mapped (W^X), so perf can read it.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
if [[ $target == chatapp ]]; then
  (cd "$work" && exec env Storage__DatabasePath="$work/chat.db" Storage__KeysPath="$work/keys" Limits__Enabled=false \
    Auth__PasswordHashIterations=1000 ASPNETCORE_URLS="http://127.0.0.1:$port" Serilog__MinimumLevel__Default=Warning \
    dotnet "$root/server/bin/Release/net10.0/ChatApp.Server.dll" >"$out/server.log" 2>&1) &
else
  (cd "$work" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" Logging__LogLevel__Default=Warning \
    dotnet "$root/bench/BaselineHub/bin/Release/net10.0/BaselineHub.dll" >"$out/server.log" 2>&1) &
fi
server=$!
unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute # not for the simulator
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
keep=(); [[ $target == baseline ]] && keep=(--keep-rooms)
dotnet "$root/client-console/ChatApp.Cli/bin/Release/net10.0/chatapp.dll" simulate --server "http://127.0.0.1:$port" \
  --users 200 --rooms 10 --rates "4,$rate" --warmup-steps 1 --duration "${DURATION:-15s}" --login-concurrency 8 \
  --bot-prefix perf --room-prefix perf "${keep[@]}" --json "$out/simulate.json" >"$out/simulate.txt" 2>"$out/progress.log" &
sim=$!
for _ in $(seq 1200); do grep -q "send 2/2" "$out/progress.log" 2>/dev/null && break; sleep 0.5; done
sleep 3
committed() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^chatapp_messages_committed_total/ {s += $NF} END {print s + 0}'; }
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
m0=$(committed); c0=$(ticks)
perf record -F 499 -g -p "$server" -o "$out/perf.data" -- sleep 8 >"$out/perf.log" 2>&1
c1=$(ticks); m1=$(committed)
wait "$sim" || true
messages=$((m1 - m0)); ((messages > 0)) || messages=$((rate * 200 * 8))
per=$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v m=$messages 'BEGIN {printf "%.0f", t / hz * 1e6 / m}')
echo "$target at $rate msgs/user/s: $messages messages in the 8 s window, $per server CPU µs per message" | tee "$out/summary.txt"
python3 "$root/bench/perf_summary.py" "$out/perf.data" "$per" | tee -a "$out/summary.txt"
tail -4 "$out/simulate.txt"
