# shellcheck shell=bash
# The scenarios of bench/run.sh that are more than one simulate run: saturation (with the chart and the
# optional profile), connections and writer. Sourced by run.sh, which sets root, results, work, chatapp,
# the ports and pids, protocols and status.

p99_limit=${P99_LIMIT_MS:-250}
if [[ "${QUICK:-}" == 1 ]]; then
  sat_users=40; sat_rooms=2; sat_rates=(${SAT_RATES:-1 4}); sat_step=4s; sat_warmup=${SAT_WARMUP:-1}
  lat_users=${LAT_USERS:-40}; lat_step=5s
  conn_users=${CONNECTIONS:-300}; conn_hold=8s
  writer_args=(--messages 2000 --callers 32 --seconds 15)
else
  # Rooms of 20; each step is bounded by its duration plus the drain timeout.
  # A warm-up step first (JIT, thread pool growth, connection warm-up; reported, not counted), then steps of
  # at most ~17%, so the highest clean rate is known within that: the first unclean step ends the run.
  sat_users=200; sat_rooms=10; sat_step=10s; sat_warmup=${SAT_WARMUP:-4}
  sat_rates=(${SAT_RATES:-4 5 6 7 8 9 10 12 14 16 18 21 24 28 32 37 42 48 55 64})
  # "1,000 msgs/s into rooms of 20": LAT_USERS users at 1000/LAT_USERS msgs/user/s, after a warm-up step at that rate.
  lat_users=${LAT_USERS:-200}; lat_step=20s
  conn_users=${CONNECTIONS:-5000}; conn_hold=10s
  writer_args=(--messages 20000 --callers 64 --seconds 30)
fi

# Each idle connection is a socket in the server and one in the simulator, plus the server's own files.
raise_file_limit() {
  want connections || return 0
  local need=$((conn_users + 1024)) hard
  hard=$(ulimit -Hn)
  if [[ $(ulimit -Sn) != unlimited && $(ulimit -Sn) -lt $need ]]; then
    if [[ $hard == unlimited || $hard -ge $need ]]; then ulimit -Sn "$need"
    else echo "ulimit -n is at most $hard; connections needs $need: lower CONNECTIONS" >&2; exit 2; fi
  fi
  echo "== file descriptors: ulimit -n $(ulimit -Sn) (this script's processes only)"
}

metric() { # file, Prometheus metric name (first series): prints its value or nothing
  [[ -f $1 ]] && awk -v m="$2" '$1 ~ ("^" m "([{]|$)") {print $NF; exit}' "$1"
}

saturation_step() { # target, port, rate, json file, [extra simulate arguments]: one rate alone (the profile)
  local target=$1 port=$2 rate=$3 json=$4; shift 4
  "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" --users "$sat_users" --rooms "$sat_rooms" --rate "$rate" \
    --duration "$sat_step" --warmup 2s --drain-timeout 15s --protocol "${protocols[0]}" --login-concurrency 8 \
    --bot-prefix bench --room-prefix bench-saturation --json "$json" $(keep_rooms "$target") "$@" 2>"$work/progress.log" \
    | grep -E '^  (messages|deliveries|latency|result)' | sed 's/^/   /' || true
}

# BaselineHub has no DeleteRoom (its rooms live in memory only, or as bare rows in durable mode): its rooms are kept rather than refused.
keep_rooms() { [[ $1 == baseline || $1 == durable ]] && echo --keep-rooms; return 0; }

# The saturation targets: ChatApp, the bare hub (stores nothing) and the durable bare hub (BaselineHub --durable: every
# send committed before its ack, nothing else; the bound of a durable chat on this machine).
# SAT_TARGETS="durable" runs the ladder on fewer of them (a before/after pair of one target, e.g. with DURABLE_ENV).
sat_targets=(${SAT_TARGETS:-chatapp baseline durable})
target_port() { case $1 in chatapp) echo "$chatapp_port" ;; baseline) echo "$baseline_port" ;; durable) echo "$durable_port" ;; esac; }

# Every rate in one simulate run per server (`--rates`): the bots log in and connect once, and the run stops
# after the first step that is not clean. The stepped report is split into one file per step for the summary.
saturation_steps() { # target, port
  local target=$1 port=$2 stepped="$results/$1-saturation.json" rates i rate
  rates=$(IFS=,; echo "${sat_rates[*]}")
  echo "== $target over ${protocols[0]}: saturation, $sat_users users in rooms of $((sat_users / sat_rooms)), warm-up at $sat_warmup then $rates msgs/user/s, $sat_step a step, until a step is not clean"
  "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" --users "$sat_users" --rooms "$sat_rooms" --rates "$sat_warmup,$rates" --warmup-steps 1 \
    --p99-limit "$p99_limit" --stop-when-unclean --duration "$sat_step" --warmup 2s --drain-timeout 15s --protocol "${protocols[0]}" \
    --login-concurrency 8 --bot-prefix bench --room-prefix bench-saturation --json "$stepped" $(keep_rooms "$target") 2>"$work/progress.log" \
    | grep -E '^(  (login|messages|deliveries|latency|result)|steps|highest)' | sed 's/^/   /' || true
  [[ -f $stepped ]] || { echo "   (no report; the last progress lines:)"; tail -3 "$work/progress.log"; return 0; }
  jq '.steps[0]' "$stepped" >"$results/$target-warmup-saturation.json" # not a step of the ladder
  for i in $(seq 1 $(($(jq '.steps | length' "$stepped") - 1))); do
    rate=$(jq -r ".steps[$i].settings.rate" "$stepped")
    jq ".steps[$i]" "$stepped" >"$results/$target-saturation-$rate.json"
  done
}

run_saturation() {
  local target knee=""
  for target in "${sat_targets[@]}"; do
    saturation_steps "$target" "$(target_port "$target")"
  done
  # The knee to profile: the first rate that was not clean, or the highest rate if all were.
  [[ -f "$results/chatapp-saturation.json" ]] && knee=$(jq -r '.summary.firstUncleanRate // .summary.highestCleanRate // empty' "$results/chatapp-saturation.json")

  # One summary for the table and the chart: every step taken, and the highest clean rate of each server.
  jq -n --argjson limit "$p99_limit" --argjson users "$sat_users" \
    --arg title "Saturation: $sat_users users in rooms of $((sat_users / sat_rooms)), ${protocols[0]}, open loop" \
    '{title: $title, p99LimitMs: $limit, users: $users, targets: {}}' >"$results/saturation.json"
  local target_json
  for target in "${sat_targets[@]}"; do
    target_json=$(for f in "$results/$target"-saturation-*.json; do [[ -f $f ]] && cat "$f"; done | jq -s --argjson limit "$p99_limit" '
      map({rate: .settings.rate, offeredMessagesPerSecond: (.settings.rate * .settings.users), p50: .latency.p50, p99: .latency.p99,
           missing: (.deliveries.missing // null), failed: (.messages.failed // null),
           clean: (.passed and ((.latency.p99 // 1e9) <= $limit) and ((.messages.failed // 1) == 0) and ((.deliveries.missing // 1) == 0))})
      | sort_by(.rate) | {steps: ., highestCleanRate: ([.[] | select(.clean) | .rate] | max), firstUncleanRate: ([.[] | select(.clean | not) | .rate] | min)}')
    jq --arg t "$target" --argjson v "$target_json" '.targets[$t] = $v' "$results/saturation.json" >"$work/sat.json" && mv "$work/sat.json" "$results/saturation.json"
  done
  # ratio: ChatApp / the bare hub (issue #11's target, 0.8); ratioToDurable: ChatApp / the durable bare hub (how close
  # ChatApp is to the bound of a durable chat); durableToBaseline: what durability alone costs the bare hub.
  jq 'def r($a; $b): if $a and $b then $a / $b else null end;
      .ratio = r(.targets.chatapp.highestCleanRate; .targets.baseline.highestCleanRate)
      | .ratioToDurable = r(.targets.chatapp.highestCleanRate; .targets.durable.highestCleanRate)
      | .durableToBaseline = r(.targets.durable.highestCleanRate; .targets.baseline.highestCleanRate)' \
    "$results/saturation.json" >"$work/sat.json" && mv "$work/sat.json" "$results/saturation.json"
  # A server clean at every step has no knee within the steps: its figure is only a lower bound.
  jq -r '"== saturation: highest clean rate (msgs/user/s) " + ([.targets | to_entries[] | "\(.key) \(.value.highestCleanRate // "none")"
    + (if .value.firstUncleanRate == null then " (clean at every step: at least that)" else "" end)] | join(", "))
    + "; ratio ChatApp/baseline \(.ratio // "-"), ChatApp/durable \(.ratioToDurable // "-"), durable/baseline \(.durableToBaseline // "-")"' \
    "$results/saturation.json"
  if command -v python3 >/dev/null; then
    python3 "$root/bench/chart.py" "$results/saturation.json" "$results/saturation.svg" "$results/saturation.html" \
      && echo "   chart: $results/saturation.svg and saturation.html"
  else
    echo "   (python3 not found: no chart)"
  fi

  # The durable bare hub's writer over its whole ladder (all steps together; ONLY=probe gives it at one rate).
  if [[ " ${sat_targets[*]} " == *" durable "* ]] && curl -sf "http://127.0.0.1:$durable_port/stats" >"$results/durable-stats.json"; then
    jq -r 'if .batches > 0 then "   durable bare hub writer over its ladder: \(.messages) messages in \(.batches) batches (mean \(.messages / .batches * 10 | round / 10)), mean batch time \(.batchSeconds / .batches * 1000 | . * 100 | round / 100) ms, mean COMMIT \(.commitSeconds / .batches * 1000 | . * 100 | round / 100) ms, \(.failedBatches) failed" else "   durable bare hub writer: no batches" end' \
      "$results/durable-stats.json"
  fi

  [[ "${PROFILE:-}" == 1 && -n ${PROFILE_RATE:-$knee} ]] && profile_at_knee "${PROFILE_RATE:-$knee}"
  return 0
}

# "1,000 msgs/s into rooms of 20" (issue #11's latency target): one warm-up step, then one measured step at the
# same rate, on each server; p50/p90/p99 of the measured step.
run_latency() {
  local target port json rate
  rate=$(jq -nr --argjson u "$lat_users" '1000 / $u')
  for target in chatapp baseline; do
    port=$chatapp_port; [[ $target == baseline ]] && port=$baseline_port
    json="$results/$target-latency.json"
    echo "== $target over ${protocols[0]}: latency, $lat_users users in rooms of 20 at $rate msgs/user/s (1,000 msgs/s), $lat_step after a warm-up step"
    "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" --users "$lat_users" --rooms $(((lat_users + 19) / 20)) --rates "$rate,$rate" \
      --warmup-steps 1 --p99-limit "$p99_limit" --duration "$lat_step" --warmup 2s --drain-timeout 15s --protocol "${protocols[0]}" \
      --login-concurrency 8 --bot-prefix bench --room-prefix bench-latency --json "$json" $(keep_rooms "$target") 2>"$work/progress.log" >/dev/null \
      || { status=1; echo "   (failed)"; tail -3 "$work/progress.log"; }
    [[ -f $json ]] && jq -r '.steps[1] | "   \(.throughput.messagesPerSecond | round) msgs/s, \(.throughput.deliveriesPerSecond | round) deliveries/s: p50 \(.latency.p50) ms, p90 \(.latency.p90) ms, p99 \(.latency.p99) ms, max \(.latency.max) ms; missing \(.deliveries.missing), duplicated \(.deliveries.duplicated), out of order \(.deliveries.outOfOrder)"' "$json"
  done
}

# target, port: the bytes the server has allocated since it started (ChatApp's GC counter in /metrics, the baseline's /gc)
allocated_bytes() {
  if [[ $1 == baseline ]]; then curl -s "http://127.0.0.1:$2/gc"
  else curl -s "http://127.0.0.1:$2/metrics" | awk '$1 ~ /^dotnet_gc_heap_total_allocated_bytes_total/ {a = $NF} END {printf "%.0f", a}'; fi
}

run_connections() {
  local target port pid json before logged_in during sim heap a_before a_logged_in a_during a_idle
  for target in chatapp baseline; do
    port=$chatapp_port; pid=$chatapp_pid
    [[ $target == baseline ]] && { port=$baseline_port; pid=$baseline_pid; }
    json="$results/$target-connections.json"
    echo "== $target over ${protocols[0]}: connections, $conn_users idle users in rooms of 20, held for $conn_hold"
    before=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    a_before=$(allocated_bytes "$target" "$port")
    : >"$work/progress.log" # so the wait below has a file to read from the start
    "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" --idle --users "$conn_users" --rooms $(((conn_users + 19) / 20)) \
      --duration "$conn_hold" --warmup 0s --protocol "${protocols[0]}" --connect-concurrency 100 --login-concurrency 8 \
      --bot-prefix bench --room-prefix bench-idle --json "$json" $(keep_rooms "$target") >"$work/idle.out" 2>"$work/progress.log" &
    sim=$!
    # Weighed again once the bots have logged in and start connecting: what the logins left behind (ChatApp's GC heap
    # grows with 5,000 logins' work) is not memory per connection, so both differences are reported.
    while kill -0 "$sim" 2>/dev/null && ! grep -q 's connect ' "$work/progress.log"; do sleep 0.2; done
    logged_in=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    a_logged_in=$(allocated_bytes "$target" "$port")
    # Weighed once every bot is connected and idle (the simulator's progress line says so), bounded by the run itself.
    while kill -0 "$sim" 2>/dev/null && ! grep -q 's idle ' "$work/progress.log"; do sleep 0.5; done
    sleep 2
    during=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
    a_during=$(allocated_bytes "$target" "$port")
    # What the server allocates while every connection is idle, over 5 s of the hold: garbage that is RSS between GCs.
    sleep 5
    a_idle=$(allocated_bytes "$target" "$port")
    heap=""
    [[ $target == chatapp ]] && heap=$(curl -s "http://127.0.0.1:$port/metrics" | grep -E '^dotnet_gc_last_collection_heap_size_bytes' | awk '{s += $NF} END {print s}')
    wait "$sim" || { status=1; echo "   (failed)"; tail -3 "$work/progress.log"; }
    sed 's/^/   /' "$work/idle.out" | grep -E 'login|connect|result' || true
    jq --argjson before "$before" --argjson loggedin "$logged_in" --argjson during "$during" --arg heap "$heap" \
      --argjson ab "$a_before" --argjson al "$a_logged_in" --argjson ad "$a_during" --argjson ai "$a_idle" '
      .memory = {rssBeforeKiB: $before, rssLoggedInKiB: $loggedin, rssConnectedKiB: $during, gcHeapBytes: ($heap | if . == "" then null else tonumber end),
                 bytesPerConnection: (if .connect.succeeded > 0 then (($during - $before) * 1024 / .connect.succeeded | round) else null end),
                 bytesPerConnectionAfterLogins: (if .connect.succeeded > 0 then (($during - $loggedin) * 1024 / .connect.succeeded | round) else null end)}
      | .allocated = {perLogin: (if .connect.succeeded > 0 then (($al - $ab) / .connect.succeeded | round) else null end),
                      perConnect: (if .connect.succeeded > 0 then (($ad - $al) / .connect.succeeded | round) else null end),
                      idleBytesPerSecond: (($ai - $ad) / 5 | round)}
      | .connectRatePerSecond = (if .connect.elapsedSeconds > 0 then (.connect.succeeded / .connect.elapsedSeconds | . * 10 | round / 10) else null end)' \
      "$json" >"$work/conn.json" 2>/dev/null && mv "$work/conn.json" "$json"
    jq -r '"   RSS \(.memory.rssBeforeKiB) KiB -> \(.memory.rssLoggedInKiB) KiB logged in -> \(.memory.rssConnectedKiB) KiB connected: \(.memory.bytesPerConnection) bytes per connection (\(.memory.bytesPerConnectionAfterLogins) after the logins); connect rate \(.connectRatePerSecond)/s (connect p50 \(.connect.milliseconds.p50) ms, p99 \(.connect.milliseconds.p99) ms)", "   allocated: \(.allocated.perLogin) bytes per login, \(.allocated.perConnect) per connect; \(.allocated.idleBytesPerSecond) bytes/s while idle"' "$json" 2>/dev/null || true
  done
}

run_writer() {
  echo "== writer alone (bench/WriterBench; synchronous=FULL on a real file; a timed run after a warm-up)"
  dotnet "$root/bench/WriterBench/bin/Release/net10.0/WriterBench.dll" "${writer_args[@]}" --json "$results/writer.json" 2>"$work/writer.log" \
    | sed 's/^/   /' || { status=1; echo "   (failed)"; tail -5 "$work/writer.log"; }
}

# The CPU profile at the knee (PROFILE=1) and the fixed-rate probe (ONLY=probe).
source "$root/bench/run-probe.sh"
