#!/usr/bin/env bash
# Runs a throwaway PostgreSQL for ChatApp as a plain child daemon (no systemd, no Docker): its data
# directory, log and Unix socket all in DIR, listening on 127.0.0.1:PORT only, trust auth, superuser chatapp.
#
#   scripts/postgres.sh start  --data DIR --port PORT [--no-fsync]   install if missing, initdb once, start, wait
#   scripts/postgres.sh stop   --data DIR                            stop the server running on DIR (if any)
#   scripts/postgres.sh status --data DIR                            exit 0 when the server on DIR runs
#
# start prints the connection string for ChatApp (ConnectionStrings:Postgres) on its last line. Both
# start and stop are idempotent. --no-fsync is for tests only: it trades crash safety for speed.
set -euo pipefail

PG_VERSION_WANTED=15
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

command=${1:-}; shift || true
data=""; port=""; fsync=on
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=${2:?--data needs a folder}; shift 2 ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --no-fsync) fsync=off; shift ;;
    *) usage ;;
  esac
done
[ -n "$command" ] && [ -n "$data" ] || usage

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/"$PG_VERSION_WANTED"/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

# PostgreSQL refuses to run as root: as root, every server-side command runs as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

bin=$(find_bin || true)
if [ -z "$bin" ]; then
  [ "$command" = start ] || { echo "PostgreSQL is not installed, so nothing runs on $data." >&2; [ "$command" = stop ] && exit 0 || exit 1; }
  echo "Installing PostgreSQL from Debian..." >&2
  as_root apt-get update -qq >&2
  # The Debian package creates and starts a default cluster through its init scripts; nothing here uses it.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  bin=$(find_bin) || { echo "apt-get installed postgresql, but no pg_ctl was found under /usr/lib/postgresql." >&2; exit 1; }
fi

mkdir -p "$data"
data=$(cd "$data" && pwd)

running() { [ -f "$data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

case "$command" in
  start)
    [ -n "$port" ] || usage
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$data"
      chmod 700 "$data"
      # Every folder above DIR must let postgres through, or initdb fails with a bare "permission denied".
      if ! runuser -u postgres -- test -x "$data"; then
        echo "The postgres user cannot reach $data: a folder above it is closed to other users (mktemp -d makes 700 folders)." >&2
        exit 1
      fi
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$data" -A trust -U chatapp -E UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 \
        || { cat "$data.initdb.log" >&2; exit 1; }
      rm -f "$data.initdb.log"
    fi
    if running; then
      echo "PostgreSQL already runs on $data." >&2
    else
      # -w waits (bounded by -t) until the server accepts connections; the settings are per start, so a
      # second start on another port or with fsync back on simply takes the new values.
      if ! as_pg "$bin/pg_ctl" -D "$data" -l "$data/log" -w -t 30 \
          -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=$fsync -c synchronous_commit=on -c max_connections=200" start >/dev/null; then
        echo "PostgreSQL did not start on 127.0.0.1:$port; the end of $data/log:" >&2
        tail -n 20 "$data/log" >&2 || true
        exit 1
      fi
    fi
    port=$(sed -n 4p "$data/postmaster.pid")
    if ! as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 10; then
      echo "PostgreSQL on $data started but does not accept connections on 127.0.0.1:$port." >&2
      exit 1
    fi
    echo "Host=127.0.0.1;Port=$port;Username=chatapp;Database=chatapp"
    ;;
  stop)
    if running; then
      as_pg "$bin/pg_ctl" -D "$data" -w -t 30 -m fast stop >/dev/null
      echo "PostgreSQL on $data stopped." >&2
    else
      echo "No PostgreSQL runs on $data." >&2
    fi
    ;;
  status)
    running
    ;;
  *) usage ;;
esac
