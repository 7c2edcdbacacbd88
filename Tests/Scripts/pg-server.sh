#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, run as the postgres user from Debian's packages.
#
#   pg-server.sh start DIR [durable]   initdb DIR/data, listen on DIR's Unix socket and on
#                                      127.0.0.1:PORT ($PG_LISTEN instead, if set); print PORT. `durable` keeps fsync,
#                                      synchronous_commit and full_page_writes on (the
#                                      defaults); without it they are off, for speed.
#   pg-server.sh resume DIR            start the server of DIR again (after a crash: recovery)
#   pg-server.sh stop DIR              stop it (fast shutdown), if it runs
#   pg-server.sh run CMD...            start a server in a new folder, export
#                                      OPTIMIST_TEST_PG (a URL of its postgres database),
#                                      OPTIMIST_TEST_PG_DIR and OPTIMIST_TEST_PG_PORT, run CMD,
#                                      then stop the server and remove the folder, even on failure
#
# The binaries are found under /usr/lib/postgresql/*/bin (not on PATH on Debian).
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$dir/initdb" ] || { echo "pg-server.sh: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 durable=${2:-} bin port
  bin=$(bindir)
  mkdir -p "$dir"
  chown postgres: "$dir" 2>/dev/null || true
  chmod 0755 "$dir"
  as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # Password logins over TCP from any address the server listens on (its own namespaces).
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$dir/data/pg_hba.conf"
  port=$(free_port)
  local settings="-c listen_addresses=${PG_LISTEN:-127.0.0.1} -c port=$port -c unix_socket_directories=$dir -c max_connections=300"
  if [ "$durable" != durable ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  else
    settings="$settings -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  fi
  echo "$settings" >"$dir/settings"
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$settings" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "$port"
}

resume() {
  local dir=$1 bin
  bin=$(bindir)
  # (pg_ctl warns about the pid file a killed server left behind: expected here.)
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 -o "$(cat "$dir/settings")" start >/dev/null 2>&1 \
    || { tail -n 20 "$dir/server.log" >&2; exit 1; }
}

stop() {
  local dir=$1 bin
  bin=$(bindir)
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start "$2" "${3:-}" ;;
  resume) resume "$2" ;;
  stop) stop "$2" ;;
  run)
    shift
    dir=$(mktemp -d /tmp/optimist-pg.XXXXXX)
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    port=$(start "$dir")
    export OPTIMIST_TEST_PG_DIR=$dir OPTIMIST_TEST_PG_PORT=$port
    export OPTIMIST_TEST_PG="postgresql://postgres@/postgres?host=$dir&port=$port"
    "$@"
    ;;
  *) sed -n '2,15p' "$0" >&2; exit 64 ;;
esac
