#!/usr/bin/env bash
# ChatApp against a bare broadcast hub, same scenarios, same run, same machine.
# Builds in Release, starts both servers on loopback (ChatApp on a fresh temp database), runs each
# scenario through `chatapp simulate`, prints ChatApp vs baseline with ratios, and saves the JSON
# reports under bench/results/<timestamp>/. Each scenario runs once per hub protocol (JSON and
# MessagePack), so the table shows both side by side. The simulate scenarios take about 10-16 minutes on a
# 2-core machine; saturation, connections and writer add roughly 10 more (not yet timed on a quiet machine),
# most of it ChatApp hashing the passwords of 5,000 bots: ONLY= or CONNECTIONS= for less.
#   bench/run.sh                          all scenarios, both protocols
#   bench/run.sh --protocol messagepack   one protocol only (json or messagepack)
#   QUICK=1 bench/run.sh                  shorter and smaller, for trying the script out
#   ONLY=small-rooms bench/run.sh         one scenario (small-rooms, large-room, ramp, saturation, latency, writer, connections)
#   PROFILE=1 bench/run.sh                also trace ChatApp with dotnet-trace at its saturation knee (needs the saturation scenario)
#   CONNECTIONS=2000 bench/run.sh         idle connections for the connections scenario (5000 by default)
#   SAT_RATES="8 12 16" SAT_WARMUP=4      the saturation ladder and its warm-up step; PROFILE_RATE=16 profiles both servers at that rate
#   LAT_USERS=1000                        users of the latency scenario (1,000 msgs/s in rooms of 20; 200 by default)
#   ONLY=probe PROBE_RATE=16              only on request: server CPU µs and bytes allocated per message at one fixed rate, both servers
#   CHATAPP_SERVER_DLL=/other/build/ChatApp.Server.dll   run another build of the server (a before/after comparison)
#   CHATAPP_SERVER_ENV="DOTNET_gcServer=0"   extra environment for ChatApp's server only (runtime knobs, measured before set)
#   DURABLE_ENV="Baseline__MaxParallelInvocations=4"   extra environment for the durable bare hub only (saturation and probe)
# Besides the simulate scenarios: saturation (a warm-up step, then an open-loop rate stepped up until p99 > 250 ms or anything is
# lost, one `simulate --rates` run per server so the bots log in once, ChatApp vs baseline vs the durable bare hub
# (BaselineHub --durable: every send committed before its ack, the bound of a durable chat), charted by bench/chart.py),
# latency (p50/p90/p99 at 1,000 msgs/s into rooms of 20), writer (bench/WriterBench: the database writer
# alone, group commit vs one commit per message) and connections (idle connections: memory per connection
# and connect rate).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

chatapp_port=${CHATAPP_PORT:-5301}
baseline_port=${BASELINE_PORT:-5302}
durable_port=${DURABLE_PORT:-5303}
duration=${DURATION:-20s}
protocols=(json messagepack)
while [[ $# -gt 0 ]]; do
  case $1 in
    --protocol) [[ ${2:-} =~ ^(json|messagepack)$ ]] || { echo "--protocol takes json or messagepack" >&2; exit 2; }
                protocols=("$2"); shift 2 ;;
    *) echo "unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$root/bench/results/$stamp"
work=$(mktemp -d /tmp/chatapp-bench.XXXXXX)
mkdir -p "$results"

# name | simulate arguments (bots share names across scenarios, so ChatApp hashes each password once per login)
if [[ "${QUICK:-}" == 1 ]]; then
  duration=5s
  scenarios=(
    "small-rooms|--users 40 --rooms 10 --rate 1"
    "large-room|--users 30 --rooms 1 --rate 0.5"
    "ramp|--users 100 --rooms 10 --rate 0.2 --connect-concurrency 100"
  )
else
  scenarios=(
    "small-rooms|--users 200 --rooms 50 --rate 1"
    "large-room|--users 100 --rooms 1 --rate 0.5"
    "ramp|--users 1000 --rooms 50 --rate 0.2 --connect-concurrency 100"
  )
fi

# The scenarios that are not a single simulate run each; bench/run-extra.sh holds them.
extra=(saturation latency writer connections probe)
want() { [[ -z "${ONLY:-}" || $ONLY == "$1" ]]; }
if [[ -n "${ONLY:-}" ]]; then
  picked=()
  for scenario in "${scenarios[@]}"; do [[ ${scenario%%|*} == "$ONLY" ]] && picked=("$scenario"); done
  [[ ${#picked[@]} -gt 0 || " ${extra[*]} " == *" $ONLY "* ]] || { echo "ONLY=$ONLY names no scenario" >&2; exit 2; }
  scenarios=("${picked[@]}")
fi
source "$root/bench/run-extra.sh"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building (Release)"
projects=(server client-console/ChatApp.Cli bench/BaselineHub)
want writer && projects+=(bench/WriterBench)
for project in "${projects[@]}"; do
  # The bots need no browser client, so npm stays out of it.
  dotnet build -c Release --nologo -v quiet -p:SkipClientWeb=true "$project" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done
chatapp=(dotnet "$root/client-console/ChatApp.Cli/bin/Release/net10.0/chatapp.dll")
if [[ "${PROFILE:-}" == 1 ]]; then dotnet tool restore >"$work/tools.log" 2>&1 || { cat "$work/tools.log"; exit 1; }; fi
raise_file_limit # before the servers start, so they inherit it

wait_healthy() { # url, name
  for _ in $(seq 1 100); do
    if curl -sf "$1/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$2 did not start; its log:"; cat "$work/$2.log"; exit 1
}

echo "== starting ChatApp on :$chatapp_port (database in $work) and the baseline on :$baseline_port"
# The server's relative paths (file logs) land in the temp folder; console logging only for warnings.
# Limits__Enabled=false: a thousand bots register and log in from one address, faster than a public server allows.
# Auth__PasswordHashIterations=1000 (the floor): the bots' passwords protect nothing, and at the default count 5,000
# bots' logins took minutes of both cores (10,000 hashes) before the connections scenario could start.
(cd "$work" && exec env \
  Storage__DatabasePath="$work/chat.db" Storage__KeysPath="$work/keys" Limits__Enabled=false Auth__PasswordHashIterations=1000 \
  ASPNETCORE_URLS="http://127.0.0.1:$chatapp_port" Serilog__MinimumLevel__Default=Warning ${CHATAPP_SERVER_ENV:-} \
  dotnet "${CHATAPP_SERVER_DLL:-$root/server/bin/Release/net10.0/ChatApp.Server.dll}" >"$work/chatapp.log" 2>&1) &
pids+=($!); chatapp_pid=$! # exec all the way down: the dotnet process itself, for /proc and dotnet-trace
(cd "$work" && exec env ASPNETCORE_URLS="http://127.0.0.1:$baseline_port" Logging__LogLevel__Default=Warning \
  dotnet "$root/bench/BaselineHub/bin/Release/net10.0/BaselineHub.dll" >"$work/baseline.log" 2>&1) &
pids+=($!); baseline_pid=$!
# The durable bare hub (a third target, saturation and probe only), on a fresh database of ChatApp's schema.
durable_pid=""
if want saturation || [[ ${ONLY:-} == probe ]]; then
  echo "== starting the durable bare hub on :$durable_port (BaselineHub --durable, database in $work)"
  (cd "$work" && exec env ASPNETCORE_URLS="http://127.0.0.1:$durable_port" Logging__LogLevel__Default=Warning \
    Baseline__Durable=true Baseline__DatabasePath="$work/durable.db" ${DURABLE_ENV:-} \
    dotnet "$root/bench/BaselineHub/bin/Release/net10.0/BaselineHub.dll" >"$work/durable.log" 2>&1) &
  pids+=($!); durable_pid=$!
fi
wait_healthy "http://127.0.0.1:$chatapp_port" chatapp
wait_healthy "http://127.0.0.1:$baseline_port" baseline
if [[ -n $durable_pid ]]; then
  wait_healthy "http://127.0.0.1:$durable_port" durable
  # Healthy is not enough: a hub that came up in its default mode would store nothing and measure the wrong bound.
  curl -sf "http://127.0.0.1:$durable_port/stats" >/dev/null || { echo "the durable bare hub is not in durable mode (no /stats); its log:"; cat "$work/durable.log"; exit 1; }
fi

status=0
for protocol in "${protocols[@]}"; do
  for target in chatapp baseline; do
    port=$chatapp_port; [[ $target == baseline ]] && port=$baseline_port
    for scenario in "${scenarios[@]}"; do
      name=${scenario%%|*}; args=${scenario#*|}
      echo "== $target over $protocol: $name ($args --duration $duration)"
      # shellcheck disable=SC2086 # the scenario's arguments are meant to split
      "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" $args --duration "$duration" --warmup 2s --protocol "$protocol" \
        --bot-prefix bench --room-prefix "bench-$name" --json "$results/$target-$name-$protocol.json" $(keep_rooms "$target") 2>"$work/progress.log" \
        | sed 's/^/   /' || { status=1; echo "   (failed: exit $?)"; tail -3 "$work/progress.log"; }
    done
  done
done

want saturation && run_saturation
want latency && run_latency
want connections && run_connections
want writer && run_writer
# Only when asked for: a quick before/after figure, not one of the scenarios of a full run.
[[ ${ONLY:-} == probe ]] && run_probe

echo
echo "== ChatApp's own metrics after the run (scraped from its /metrics)"
curl -s "http://127.0.0.1:$chatapp_port/metrics" >"$results/chatapp-metrics.txt" || true
grep -E '^chatapp_(messages_committed_total|writer_commit_duration_seconds_(sum|count)|writer_batch_size_(sum|count)|deliveries_(started|failed)_total|calls_refused_total|connections|writer_queue_depth|fanout_queue_depth)[{ ]' \
  "$results/chatapp-metrics.txt" | sed 's/{otel_scope_name="ChatApp",\?/{/; s/{}//; s/^/   /' || echo "   (no metrics)"

echo
echo "== ChatApp vs baseline per protocol (ratio = ChatApp / baseline; results in bench/results/$stamp/)"
if ! command -v jq >/dev/null; then echo "jq is not installed; the JSON reports are in $results"; exit $status; fi
num() { printf '%.2f' "$1" 2>/dev/null || printf '%s' "$1"; }
{
  printf '%-12s %-16s' scenario metric
  for protocol in "${protocols[@]}"; do printf ' | %15s %16s %6s' "chatapp/${protocol/messagepack/msgpack}" "baseline/${protocol/messagepack/msgpack}" ratio; done
  printf '\n'
} | tee "$results/table.txt"
for scenario in "${scenarios[@]}"; do
  name=${scenario%%|*}
  for metric in "connect p50 ms|.connect.milliseconds.p50" "connect p99 ms|.connect.milliseconds.p99" \
                "latency p50 ms|.latency.p50" "latency p90 ms|.latency.p90" "latency p99 ms|.latency.p99" "latency max ms|.latency.max" \
                "msgs/s|.throughput.messagesPerSecond" "deliveries/s|.throughput.deliveriesPerSecond" \
                "missing|.deliveries.missing" "duplicated|.deliveries.duplicated" "out-of-order|.deliveries.outOfOrder"; do
    label=${metric%%|*}; path=${metric#*|}
    printf '%-12s %-16s' "$name" "$label"
    for protocol in "${protocols[@]}"; do
      a="$results/chatapp-$name-$protocol.json"; b="$results/baseline-$name-$protocol.json"
      x=-; y=-
      [[ -f $a ]] && x=$(jq -r "$path // \"-\"" "$a")
      [[ -f $b ]] && y=$(jq -r "$path // \"-\"" "$b")
      ratio=$(jq -nr --arg x "$x" --arg y "$y" 'if ($x|test("^[0-9.e+-]+$")) and ($y|test("^[0-9.e+-]+$")) and (($y|tonumber) != 0) then (($x|tonumber)/($y|tonumber)*100|round/100|tostring) else "-" end')
      printf ' | %15s %16s %6s' "$(num "$x")" "$(num "$y")" "$ratio"
    done
    printf '\n'
  done | tee -a "$results/table.txt"
done
exit $status
