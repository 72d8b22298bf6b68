#!/usr/bin/env bash
# The saturation scenario on one SQLite node against 1, 2 and 3 nodes over PostgreSQL (and Redis), same ladder,
# same machine, one command (issue #12). For each configuration: start it (one server, or scripts/cluster.sh up
# --nodes N), then one stepped `chatapp simulate --rates ... --warmup-steps 1 --stop-when-unclean` with the
# bots dealt over the nodes' own addresses (not the front door) twice, every room on every node (spread) and each
# room on one node (by-room), then stop everything it started.
# Once more through the front door on the largest cluster. While each runs, bench/cluster_probe.py samples every
# node's /metrics and CPU, PostgreSQL's commits and lock waits, Redis's PUBLISH count and the simulator's CPU.
# JSON and a markdown table go to bench/results/cluster-<timestamp>/ (cluster.json, cluster.md).
#
#   bench/cluster.sh                         SQLite; PostgreSQL on 1 node without Redis; PostgreSQL + Redis on 1, 2,
#                                            3 nodes; 3 nodes through the front door
#   CLUSTER_NODES="1 3" bench/cluster.sh     pick the node counts ("" for none)
#   SQLITE=0 / PG_ALONE=0 / FRONT_DOOR=0     leave out the SQLite node / PostgreSQL without Redis / the front-door run
#   DEAL="spread by-room"                    how bots are dealt over 2+ nodes (simulate --deal; one or both)
#   SAT_RATES="2 4 8 16 32"                  the ladder, msgs/user/s (default); STEP=8s a step; P99_LIMIT_MS=250
#   USERS=200                                bots, in rooms of 20; QUICK=1: 40 bots, rates 1 4, 4 s a step
#   CLUSTER_PORT=5400                        the front door's port; nodes on +1.., Redis +90, PostgreSQL +91
# Eight ladders with the defaults: roughly 12-15 minutes on a quiet 2-core machine (less when ladders stop early). Limits:Enabled=false:
# the bots register and send from one address far faster than a public server allows.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

port=${CLUSTER_PORT:-5400}
p99_limit=${P99_LIMIT_MS:-250}
if [[ "${QUICK:-}" == 1 ]]; then
  users=${USERS:-40}; rates=${SAT_RATES:-1 4}; step=${STEP:-4s}
else
  users=${USERS:-200}; rates=${SAT_RATES:-2 4 8 16 32}; step=${STEP:-8s}
fi
node_counts=${CLUSTER_NODES-1 2 3}
deals=${DEAL:-spread by-room}
rooms=$(((users + 19) / 20))
rates_csv=$(echo $rates | tr ' ' ',')

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results="$root/bench/results/cluster-$stamp"
# PostgreSQL runs as the postgres user when this runs as root: it must be able to reach its folder.
work=$(mktemp -d /tmp/chatapp-cbench.XXXXXX)
chmod 755 "$work"
mkdir -p "$results"

export Limits__Enabled=false
export Serilog__MinimumLevel__Default=Warning
# The cluster fan-out's gap fills (an entry read from the database because its publish came late or never) are
# logged at Information: they are one of the figures. Not a valid shell name, so it goes through env.
levels=('Serilog__MinimumLevel__Override__ChatApp.Server.Cluster=Information')

pids=()         # what this script started directly: the SQLite node, the simulator, the sampler
cluster_up=""   # the data folder of a cluster that is up (scripts/cluster.sh down stops it by its pid files)
stop_pid() { # pid: TERM, then KILL after 10 s
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  pids=()
  if [[ -n $cluster_up ]]; then scripts/cluster.sh down --data "$cluster_up" >/dev/null 2>&1 || true; cluster_up=""; fi
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "== building (Release): the server, the front door and the simulator"
for project in server frontdoor client-console/ChatApp.Cli; do
  dotnet build -c Release --nologo -v quiet -p:SkipClientWeb=true "$project" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done
chatapp=(dotnet "$root/client-console/ChatApp.Cli/bin/Release/net10.0/chatapp.dll")

runs=0
stamped() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# One simulate run, its stdout and stderr stamped line by line (the step ends are read from them), its pid recorded
# for the sampler (the simulator's own CPU is one of the figures).
simulate() { # name, servers, then simulate arguments
  local name=$1 servers=$2; shift 2
  runs=$((runs + 1)) # room names are at most 32 characters: a short prefix per run
  "${chatapp[@]}" simulate --server "$servers" --users "$users" --rooms "$rooms" --warmup 2s --drain-timeout 15s \
    --login-concurrency 8 --bot-prefix cbench --room-prefix "cbench$runs" ${deal:+--deal "$deal"} "$@" \
    > >(stamped >"$results/$name.out") 2> >(stamped >"$results/$name.progress") &
  local sim=$!
  echo "$sim" >"$work/sim.pid"
  pids+=("$sim")
  wait "$sim" || true
  sleep 0.2 # the stampers finish their last lines
}

# Everything one configuration needs: warm-up, ladder, samples. Nodes as NAME=URL=PID.
run_ladder() { # config name, servers (comma-separated), pg port or "", pg pid or "", redis port or "", nodes...
  local name=$1 servers=$2 pg=$3 pgpid=$4 redis=$5; shift 5
  local probe=(python3 "$root/bench/cluster_probe.py" sample --out "$results/$name.samples.jsonl" --sim-pid-file "$work/sim.pid")
  local node
  for node in "$@"; do probe+=(--node "$node"); done
  [[ -n $pg ]] && probe+=(--pg "$pg" --pg-pid "$pgpid")
  [[ -n $redis ]] && probe+=(--redis "$redis")
  : >"$work/sim.pid"

  "${probe[@]}" &
  local sampler=$!
  pids+=("$sampler")
  echo "== $name: $users bots in rooms of 20, a warm-up step at ${rates%% *}, then $rates_csv msgs/user/s, $step a step, until a step is not clean (p99 > $p99_limit ms or anything lost)"
  # The warm-up is a first step at the ladder's lowest rate with the same bots (JIT, pools and every connection's
  # first sends), checked like the rest but neither stopping the run nor counting (--warmup-steps 1).
  simulate "$name" "$servers" --rates "${rates%% *},$rates_csv" --warmup-steps 1 --p99-limit "$p99_limit" --stop-when-unclean \
    --duration "$step" --json "$results/$name.json"
  stop_pid "$sampler"
  cut -d' ' -f2- "$results/$name.out" | grep -E '^(  (login|deliveries|latency|server)|steps|highest|result)' \
    | awk '!/^  login/ || !seen++' | sed 's/^/   /' || true # every step repeats the login line
  [[ -f "$results/$name.json" ]] || { echo "   (no report; the last progress lines:)"; tail -3 "$results/$name.progress"; }
  echo "$name $servers" >>"$results/configs.txt"
}

# The nodes' gap fills during the run, for the summary (their timestamps say which step they fell in).
keep_gap_fills() { # config name, logs folder
  local file
  for file in "$2"/node*-*.json; do
    [[ -f $file ]] || continue
    grep -H 'Filled {Room}' "$file" >>"$results/$1.gapfills.jsonl" || true
  done
}

wait_healthy() { # url, log, pid
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$1/healthz/ready" && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.2
  done
  echo "no answer from $1; the end of its log:" >&2; tail -20 "$2" >&2; exit 1
}

if [[ "${SQLITE:-1}" == 1 ]]; then
  url="http://127.0.0.1:$((port + 1))"
  ! curl -s -o /dev/null "$url/healthz/live" || { echo "something already answers on $url: set CLUSTER_PORT" >&2; exit 1; }
  mkdir -p "$work/sqlite"
  echo "== sqlite-1: one node on SQLite at $url (database in $work/sqlite)"
  # From the server's folder, as scripts/cluster.sh does: its appsettings.json is read from there.
  (cd "$root/server/bin/Release/net10.0" && exec env "${levels[@]}" Storage__DatabasePath="$work/sqlite/chat.db" Storage__KeysPath="$work/sqlite/keys" \
    Auth__SigningKeyPath="$work/sqlite/jwt-signing.key" ASPNETCORE_URLS="$url" Serilog__WriteTo__File__Args__path="$work/sqlite/logs/node1-.json" \
    dotnet "$root/server/bin/Release/net10.0/ChatApp.Server.dll" >"$work/sqlite/node1.out" 2>&1) &
  sqlite_pid=$!
  pids+=("$sqlite_pid")
  wait_healthy "$url" "$work/sqlite/node1.out" "$sqlite_pid"
  run_ladder sqlite-1 "$url" "" "" "" "node1=$url=$sqlite_pid"
  cleanup
fi

# PostgreSQL alone (no Redis, so not in cluster mode) on one node first: against postgres-1 it shows what the
# cluster's fan-out through Redis costs, against sqlite-1 what the database does.
sizes=$node_counts
[[ "${PG_ALONE:-1}" == 1 ]] && sizes="alone $sizes"
last=$(echo $node_counts | awk '{print $NF}')
for size in $sizes; do
  data="$work/cluster" # one PostgreSQL folder for every size: the bots register once, later sizes only log in
  n=$size; name="postgres-$n"; extra=()
  [[ $size == alone ]] && { n=1; name="postgres-1-noredis"; extra=(--no-redis); }
  echo "== $name: scripts/cluster.sh up --nodes $n --port $port ${extra[*]}"
  cluster_up=$data
  env "${levels[@]}" scripts/cluster.sh up --nodes "$n" --port "$port" --data "$data" --no-build "${extra[@]}" >"$work/up.log" 2>&1 \
    || { cat "$work/up.log"; exit 1; }
  pg_port=$((port + 91)); pg_pid=$(head -1 "$data/postgres/postmaster.pid")
  redis_port=$((port + 90)); [[ $size == alone ]] && redis_port=""
  nodes=(); urls=()
  for i in $(seq 1 "$n"); do
    urls+=("http://127.0.0.1:$((port + i))"); nodes+=("node$i=http://127.0.0.1:$((port + i))=$(cat "$data/node$i.pid")")
  done
  if [[ $n == 1 ]]; then
    run_ladder "$name" "${urls[0]}" "$pg_port" "$pg_pid" "$redis_port" "${nodes[@]}"
  else
    # spread: every room has members on every node, so every node appends to every room and the rooms' row locks
    # are taken from all nodes in turn; by-room: each room's members on one node, so no room is written from two.
    for d in $deals; do
      deal=$d run_ladder "$name-$d" "$(IFS=,; echo "${urls[*]}")" "$pg_port" "$pg_pid" "$redis_port" "${nodes[@]}"
      keep_gap_fills "$name-$d" "$data/logs" # the whole log: the summary keeps the lines within each step's time
    done
  fi
  if [[ "${FRONT_DOOR:-1}" == 1 && $size == "$last" ]]; then
    # Through YARP: one address, its affinity cookie and round-robin pick the node; the proxy's CPU is on the same cores.
    run_ladder "$name-frontdoor" "http://127.0.0.1:$port" "$pg_port" "$pg_pid" "$redis_port" "${nodes[@]}" \
      "frontdoor=-=$(cat "$data/frontdoor.pid")"
    keep_gap_fills "$name-frontdoor" "$data/logs"
  fi
  [[ $n == 1 ]] && keep_gap_fills "$name" "$data/logs"
  cleanup
done

echo
python3 "$root/bench/cluster_summary.py" --results "$results" --p99-limit "$p99_limit"
echo "== results in $results (cluster.json, cluster.md; per configuration: the stepped report, step times, samples)"
