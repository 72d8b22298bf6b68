#!/usr/bin/env bash
# Runs a ChatApp cluster on this machine: PostgreSQL and Redis as child processes (installed from Debian
# when missing), N ChatApp nodes and a YARP front door, all under one folder.
#
#   scripts/cluster.sh up [--nodes N] [--port P] [--data DIR] [--no-build] [--no-redis]
#       PostgreSQL on P+91, Redis on P+90, nodes on P+1 ... P+N, the front door on P (defaults: 3 nodes, port 5000,
#       DIR ./cluster-data); waits until every node is ready and prints the URLs. --no-redis: no Redis, so cluster
#       mode stays off (for one node on PostgreSQL alone, as bench/cluster.sh compares; not for several nodes).
#   scripts/cluster.sh down [--data DIR]
#       stops what `up` started in DIR (the front door, the nodes, Redis, PostgreSQL), and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

command=${1:-}; shift || true
nodes=3; port=5000; data="cluster-data"; build=yes; use_redis=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=${2:?}; shift 2 ;;
    --port) port=${2:?}; shift 2 ;;
    --data) data=${2:?}; shift 2 ;;
    --no-build) build=no; shift ;;
    --no-redis) use_redis=no; shift ;;
    *) usage ;;
  esac
done
[ -n "$command" ] || usage
mkdir -p "$data"
data=$(cd "$data" && pwd)

stop_pid_file() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

wait_ready() {
  local url=$1 name=$2 log=$3
  for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "$url/healthz/ready"; then return 0; fi
    sleep 0.2
  done
  echo "$name did not become ready at $url within two minutes; the end of $log:" >&2
  tail -n 30 "$log" >&2 || true
  return 1
}

case "$command" in
  up)
    [ "$nodes" -ge 1 ] || usage
    if [ "$build" = yes ]; then
      echo "Building the server and the front door (Release)..." >&2
      dotnet build server -c Release -nologo -v q >&2
      dotnet build frontdoor -c Release -nologo -v q >&2
    fi
    server_dir="$root/server/bin/Release/net10.0"
    frontdoor_dir="$root/frontdoor/bin/Release/net10.0"

    # Nodes of one cluster need one sealed folder for PostgreSQL (it refuses a folder others can read).
    postgres=$(scripts/postgres.sh start --data "$data/postgres" --port $((port + 91)) | tail -n 1)
    redis=""
    if [ "$use_redis" = yes ]; then
      scripts/redis.sh start --data "$data/redis" --port $((port + 90)) >&2
      redis="127.0.0.1:$((port + 90))"
    fi

    node_urls=()
    for i in $(seq 1 "$nodes"); do
      url="http://127.0.0.1:$((port + i))"
      node_urls+=("$url")
      if [ -f "$data/node$i.pid" ] && kill -0 "$(cat "$data/node$i.pid")" 2>/dev/null; then
        echo "node$i already runs (pid $(cat "$data/node$i.pid"))" >&2
        continue
      fi
      if curl -s -o /dev/null "$url/healthz/live"; then
        echo "Something else already answers on $url: choose another --port." >&2
        exit 1
      fi
      mkdir -p "$data/logs"
      # One signing key file and one database for all: a token issued by one node is accepted by every node.
      # exec, so the recorded pid is the node's own (down stops exactly that process).
      (cd "$server_dir" && exec env \
        ASPNETCORE_URLS="$url" \
        ASPNETCORE_ENVIRONMENT=Production \
        Storage__Provider=Postgres \
        ConnectionStrings__Postgres="$postgres" \
        ConnectionStrings__Redis="$redis" \
        Cluster__NodeName="node$i" \
        Auth__SigningKeyPath="$data/jwt-signing.key" \
        Storage__KeysPath="$data/keys" \
        Serilog__WriteTo__File__Args__path="$data/logs/node$i-.json" \
        nohup dotnet ChatApp.Server.dll >"$data/logs/node$i.out" 2>&1) &
      echo $! >"$data/node$i.pid"
      # The first node applies the migrations; the others start once it has, instead of racing it.
      if [ "$i" -eq 1 ]; then wait_ready "$url" node1 "$data/logs/node1.out"; fi
    done
    for i in $(seq 1 "$nodes"); do
      wait_ready "${node_urls[$((i - 1))]}" "node$i" "$data/logs/node$i.out"
    done

    if ! { [ -f "$data/frontdoor.pid" ] && kill -0 "$(cat "$data/frontdoor.pid")" 2>/dev/null; }; then
      nodes_csv=$(IFS=,; echo "${node_urls[*]}")
      (cd "$frontdoor_dir" && exec nohup dotnet ChatApp.FrontDoor.dll --urls "http://127.0.0.1:$port" \
        --FrontDoor:Nodes="$nodes_csv" >"$data/logs/frontdoor.out" 2>&1) &
      echo $! >"$data/frontdoor.pid"
    fi
    wait_ready "http://127.0.0.1:$port" "the front door" "$data/logs/frontdoor.out"

    echo "ChatApp cluster is up:"
    echo "  front door  http://127.0.0.1:$port"
    for i in $(seq 1 "$nodes"); do echo "  node$i       ${node_urls[$((i - 1))]}"; done
    echo "  redis       ${redis:-none (--no-redis: cluster mode off)}"
    echo "  postgres    $postgres"
    echo "Stop it with: scripts/cluster.sh down --data $data"
    ;;
  down)
    stop_pid_file "$data/frontdoor.pid"
    for file in "$data"/node*.pid; do
      [ -e "$file" ] && stop_pid_file "$file"
    done
    scripts/redis.sh stop --data "$data/redis"
    scripts/postgres.sh stop --data "$data/postgres" || true
    echo "Stopped the cluster in $data." >&2
    ;;
  *) usage ;;
esac
