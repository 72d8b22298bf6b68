#!/usr/bin/env bash
# The rate limits under abuse: one user floods sends while another's acks are timed, against ChatApp with
# its default Limits, on loopback. Builds in Release, starts the server on a fresh temp database, runs
# bench/AbuseBench (bounded: 25 + 25 timed sends, a flood of at most 200,000 calls, 2 minutes at most),
# stops the server. About 30 seconds after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${CHATAPP_PORT:-5303}
work=$(mktemp -d /tmp/chatapp-abuse.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building (Release)"
for project in server bench/AbuseBench; do
  dotnet build -c Release --nologo -v quiet "$project" -p:SkipClientWeb=true >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
done

echo "== starting ChatApp on :$port with its default Limits (database in $work)"
(cd "$work" && exec env Storage__DatabasePath="$work/chat.db" Storage__KeysPath="$work/keys" \
  Urls="http://127.0.0.1:$port" Serilog__MinimumLevel__Default=Warning \
  dotnet "$root/server/bin/Release/net10.0/ChatApp.Server.dll" >"$work/chatapp.log" 2>&1) &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

dotnet "$root/bench/AbuseBench/bin/Release/net10.0/AbuseBench.dll" "http://127.0.0.1:$port"
