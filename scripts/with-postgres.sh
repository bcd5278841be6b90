#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster on loopback:
#   scripts/with-postgres.sh cargo test …
# The command sees TEST_DATABASE_URL; the cluster is removed when it ends.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${PG_TEST_PORT:-$("$(dirname "$0")/free-port.sh" 55432)}
dir=$(mktemp -d /tmp/portal-pg.XXXXXX)
chown postgres:postgres "$dir" 2>/dev/null || true
as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
stop() {
  as_postgres "$bin/pg_ctl -D $dir/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_postgres "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_postgres "$bin/pg_ctl -D $dir/data -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" -l $dir/log -w start" >/dev/null
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "[postgres] throwaway cluster at $TEST_DATABASE_URL"
"$@"
