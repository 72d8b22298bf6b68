# shellcheck shell=bash
# Where a server's CPU goes at one rate: the profile at ChatApp's saturation knee (PROFILE=1) and the fixed-rate
# probe (ONLY=probe). Sourced by run-extra.sh, with what run.sh and run-extra.sh set (ports, pids, sat_users, ...).

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
