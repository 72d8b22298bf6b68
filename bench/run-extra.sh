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

# A CPU sample trace of each server at ChatApp's knee, the same rate for both, with each server's CPU time per
# message over the step (utime + stime from /proc: steadier than latency when neighbours share the cores), and,
# for ChatApp, the gauges that say whether it waits on the thread pool or the writer, and its allocations.
profile_at_knee() { # rate
  local rate=$1 target
  for target in chatapp baseline; do profile_target "$target" "$rate"; done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # pid: user + system time, in clock ticks

profile_target() { # target, rate
  local target=$1 rate=$2 port=$chatapp_port pid=$chatapp_pid seconds=${sat_step%s} prefix="$results/$1-profile"
  [[ $target == baseline ]] && { port=$baseline_port; pid=$baseline_pid; }
  local trace="$prefix.nettrace"
  echo "== profiling $target at $rate msgs/user/s with dotnet-trace (dotnet-sampled-thread-time)"
  : >"$work/progress.log"
  saturation_step "$target" "$port" "$rate" "$prefix-$rate.json" >"$work/profile-step.out" &
  local step=$!
  # The bots log in (password hashing) and connect first; the trace covers only the sending.
  while kill -0 "$step" 2>/dev/null && ! grep -q 's send ' "$work/progress.log"; do sleep 0.5; done
  local cpu_before; cpu_before=$(cpu_ticks "$pid")
  curl -s "http://127.0.0.1:$port/metrics" >"$prefix-metrics-before.txt" || true
  (cd "$root" && exec dotnet tool run dotnet-trace collect -p "$pid" --profile dotnet-sampled-thread-time \
    --duration "00:00:00:$(printf '%02d' "$seconds")" -o "$trace") >"$work/trace.log" 2>&1 &
  local tracer=$!
  (for _ in $(seq 1 "$seconds"); do
     curl -s "http://127.0.0.1:$port/metrics" | grep -E '^(dotnet_thread_pool_(queue_length|thread_count)|chatapp_(writer|fanout)_queue_depth)' || true
     sleep 1
   done) >"$prefix-gauges.txt" &
  local gauges=$!
  wait "$step" || true
  local cpu_after; cpu_after=$(cpu_ticks "$pid")
  cat "$work/profile-step.out"
  wait "$tracer" || { echo "   dotnet-trace failed:"; tail -5 "$work/trace.log"; }
  wait "$gauges" || true
  curl -s "http://127.0.0.1:$port/metrics" >"$prefix-metrics-after.txt" || true
  local b=$prefix-metrics-before.txt a=$prefix-metrics-after.txt
  # The tracer's own cost lands in the server's CPU time too, alike for both servers.
  jq -rn --argjson ticks "$((cpu_after - cpu_before))" --argjson hz "$(getconf CLK_TCK)" --slurpfile r "$prefix-$rate.json" \
    --arg ba "$(metric "$b" dotnet_gc_heap_total_allocated_bytes_total)" --arg aa "$(metric "$a" dotnet_gc_heap_total_allocated_bytes_total)" '
    def n($x): ($x | if . == "" then null else tonumber end);
    ($r[0].messages.acknowledged) as $m | ($r[0].deliveries.received) as $d | ($ticks / $hz * 1e6) as $us
    | "   server CPU \($us / 1e6 | . * 100 | round / 100) s for \($m) messages, \($d) deliveries: \(if $m > 0 then $us / $m | round else "-" end) CPU µs per message, \(if $d > 0 then $us / $d * 10 | round / 10 else "-" end) per delivery"
      + (if n($aa) != null and n($ba) != null and $m > 0 then "; \((n($aa) - n($ba)) / $m | round) bytes allocated per message" else "" end)' \
    | tee "$prefix-summary.txt"
  [[ -f $trace ]] || return 0
  (cd "$root" && dotnet tool run dotnet-trace report "$trace" topN -n 40 --inclusive) >"$prefix-top-inclusive.txt" 2>&1 || true
  (cd "$root" && dotnet tool run dotnet-trace report "$trace" topN -n 40) >"$prefix-top-exclusive.txt" 2>&1 || true
  (cd "$root" && dotnet tool run dotnet-trace convert "$trace" --format Speedscope -o "$prefix") >"$work/convert.log" 2>&1 || true
  if command -v python3 >/dev/null && [[ -f "$prefix.speedscope.json" ]]; then
    # Into the file first: a `head` in the pipe would end it early, and pipefail would end the script.
    python3 "$root/bench/profile_summary.py" "$prefix.speedscope.json" >>"$prefix-summary.txt"
    sed -n '2,17p' "$prefix-summary.txt" | sed 's/^/   /'
  fi
  [[ $target == chatapp ]] || return 0
  jq -rn --arg bc "$(metric "$b" chatapp_writer_batch_size_count)" --arg ac "$(metric "$a" chatapp_writer_batch_size_count)" \
         --arg bs "$(metric "$b" chatapp_writer_batch_size_sum)" --arg sa "$(metric "$a" chatapp_writer_batch_size_sum)" \
         --arg bd "$(metric "$b" chatapp_writer_commit_duration_seconds_sum)" --arg ad "$(metric "$a" chatapp_writer_commit_duration_seconds_sum)" '
    def n($x): ($x | if . == "" then 0 else tonumber end);
    (n($ac) - n($bc)) as $batches | if $batches > 0 then
      "   during the profiled step: \($batches) batches, mean batch \((n($sa) - n($bs)) / $batches | . * 10 | round / 10) commands, mean commit \((n($ad) - n($bd)) / $batches * 1000 | . * 100 | round / 100) ms"
    else "   (no writer batches seen in /metrics)" end' | tee -a "$prefix-summary.txt"
  awk '/^dotnet_thread_pool_queue_length/ {if ($NF > max) max = $NF} END {print "   thread pool queue length, max of the 1 s samples: " max + 0}' \
    "$prefix-gauges.txt" | tee -a "$prefix-summary.txt"
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

# A quick fixed-rate CPU probe (issue #11): both servers at one rate below both knees (PROBE_RATE, 16 msgs/user/s by
# default; 200 users in rooms of 20), a warm-up step at the same rate, then a measured step of PROBE_SECONDS. It reports
# each server's CPU time (utime + stime from /proc) and bytes allocated (ChatApp's GC counter from /metrics, the
# baseline's /gc) per acknowledged message, and ChatApp's mean writer batch (per-batch costs move both figures),
# between two of the simulator's progress lines of the measured step (they carry the acked count, so the window is
# exact to the line's time): no tracer, so it costs nothing of its own.
# PROBE_TARGETS=chatapp leaves the baseline out (a before/after pair of ChatApp builds in the same minutes);
# PROBE_TARGETS="chatapp durable" probes ChatApp and the durable bare hub, and reports each writer's batches per second,
# mean batch, mean batch time (BEGIN to commit and hand-off) and, for the durable hub, mean COMMIT time and writer busy share.
# PROBE_USERS=1 PROBE_ROOMS=1 PROBE_RATE=50: one bot alone, so every writer batch is one command and nothing contends:
# the bytes allocated per message then hardly move with the neighbours' load (a check of a small change).
probe_rate=${PROBE_RATE:-16}; probe_seconds=${PROBE_SECONDS:-15}
probe_users=${PROBE_USERS:-$sat_users}; probe_rooms=${PROBE_ROOMS:-$sat_rooms}
[[ "${QUICK:-}" == 1 ]] && { probe_rate=${PROBE_RATE:-4}; probe_seconds=${PROBE_SECONDS:-6}; }

# target, port: the server's bytes allocated since it started, then the writer's batches, commands, seconds in batches and
# seconds in COMMIT so far (-1: not measured apart), and the time (s) the counters were read
probe_counters() {
  case $1 in
    baseline) echo "$(curl -s "http://127.0.0.1:$2/gc") 0 0 0 -1" ;;
    durable) echo "$(curl -s "http://127.0.0.1:$2/gc") $(curl -s "http://127.0.0.1:$2/stats" | jq -r '"\(.batches) \(.messages) \(.batchSeconds) \(.commitSeconds)"')" ;;
    *) curl -s "http://127.0.0.1:$2/metrics" | awk '
    $1 ~ /^dotnet_gc_heap_total_allocated_bytes_total/ {a = $NF}
    $1 ~ /^chatapp_writer_batch_size_count/ {c = $NF}
    $1 ~ /^chatapp_writer_batch_size_sum/ {s = $NF}
    $1 ~ /^chatapp_writer_commit_duration_seconds_sum/ {d += $NF}
    END {print a + 0, c + 0, s + 0, d + 0, -1}' ;;
  esac
  date +%s.%N
}

run_probe() {
  local target port pid json line seen first last now
  for target in ${PROBE_TARGETS:-chatapp baseline}; do
    port=$(target_port "$target"); pid=$chatapp_pid
    [[ $target == baseline ]] && pid=$baseline_pid
    [[ $target == durable ]] && pid=$durable_pid
    json="$results/$target-probe.json"
    echo "== $target over ${protocols[0]}: CPU probe, $probe_users users in rooms of $((probe_users / probe_rooms)) at $probe_rate msgs/user/s, ${probe_seconds}s after a warm-up step"
    : >"$work/progress.log"
    "${chatapp[@]}" simulate --server "http://127.0.0.1:$port" --users "$probe_users" --rooms "$probe_rooms" --rates "$probe_rate,$probe_rate" \
      --warmup-steps 1 --p99-limit "$p99_limit" --duration "${probe_seconds}s" --warmup 2s --drain-timeout 15s --protocol "${protocols[0]}" \
      --login-concurrency 8 --bot-prefix bench --room-prefix bench-probe --json "$json" $(keep_rooms "$target") >/dev/null 2>"$work/progress.log" &
    local sim=$! first="" last=""
    seen=0
    # Every progress line of the measured step ("send 2/2"): the CPU ticks, bytes allocated and acked count at that line.
    while kill -0 "$sim" 2>/dev/null; do
      now=$(wc -l <"$work/progress.log")
      if ((now > seen)); then
        seen=$now
        line=$(tail -1 "$work/progress.log")
        if [[ $line == *"send 2/2"* ]]; then
          last="$(cpu_ticks "$pid") $(probe_counters "$target" "$port" | tr '\n' ' ')$(sed -E 's/.* acked ([0-9]+).*/\1/' <<<"$line")"
          [[ -z $first ]] && first=$last
        fi
      fi
      sleep 0.1
    done
    wait "$sim" || { status=1; echo "   (failed)"; tail -3 "$work/progress.log"; }
    [[ -n $first && $first != "$last" ]] || { echo "   (no measured window: too few progress lines)"; continue; }
    jq -rn --arg first "$first" --arg last "$last" --argjson hz "$(getconf CLK_TCK)" --slurpfile r "$json" '
      # cpu ticks, bytes allocated, batches, commands, batch seconds, commit seconds (-1: none), time, acked
      def r($x; $d): $x * $d | round / $d;
      ($first | split(" ") | map(select(. != "") | tonumber)) as $a | ($last | split(" ") | map(select(. != "") | tonumber)) as $b | ($b[7] - $a[7]) as $m
      | ($r[0].steps[1]) as $s | ($b[2] - $a[2]) as $batches | ($b[6] - $a[6]) as $t
      | "   \($m) messages acked in the window: \(($b[0] - $a[0]) / $hz * 1e6 / $m | round) CPU µs per message, \(($b[1] - $a[1]) / $m | round) bytes allocated per message"
        + (if $batches > 0 then " (writer over \(r($t; 10)) s: \(r($batches / $t; 1)) batches/s, mean batch \(r(($b[3] - $a[3]) / $batches; 10)) commands, mean batch time \(r(($b[4] - $a[4]) / $batches * 1000; 100)) ms"
          + (if $a[5] >= 0 then ", mean COMMIT \(r(($b[5] - $a[5]) / $batches * 1000; 100)) ms" else "" end)
          + ", busy \(r(($b[4] - $a[4]) / $t * 100; 1))% of the time)" else "" end)
        + "; step p50 \($s.latency.p50) ms, p99 \($s.latency.p99) ms, missing \($s.deliveries.missing), duplicated \($s.deliveries.duplicated), out of order \($s.deliveries.outOfOrder)"' \
      | tee "$results/$target-probe.txt"
  done
}
