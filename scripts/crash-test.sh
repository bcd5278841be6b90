#!/usr/bin/env bash
# Crash test: the portal on a fresh SQLite file with the demo data, under load from several
# threads (registrations, tea-house threads, mediation requests and bookings), killed with
# SIGKILL at a random moment and restarted, at least 20 times. After every kill, every write
# a client saw acknowledged must be in the database, `PRAGMA integrity_check` must say ok
# and no slot may be booked twice. Prints a summary; exits non-zero on any failure.
#
#   scripts/crash-test.sh                 # 20 rounds, 8 client threads
#   CRASH_ROUNDS=50 CRASH_WORKERS=12 CRASH_SEED=7 scripts/crash-test.sh
#
# Builds nothing: it runs the last debug build ($CARGO_TARGET_DIR/debug/portal, or
# PORTAL_PROFILE=release), as scripts/e2e-server.sh does. Needs python3 and sqlite3 (Debian's
# sqlite3 is installed when missing and this runs as root). The work directory (database,
# server log) is kept when the test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/${PORTAL_PROFILE:-debug}/portal"
if [ ! -x "$bin" ]; then
  echo "[crash] no portal binary at $bin: build it first (cargo build -p server --features app/ssr --bin portal)" >&2
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if ! command -v sqlite3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[crash] installing Debian's sqlite3"
    apt-get install -y -qq sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
  else
    echo "[crash] sqlite3 is missing: apt-get install sqlite3" >&2
    exit 2
  fi
fi
port=${CRASH_PORT:-3190}
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "[crash] port $port is in use; set CRASH_PORT" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/portal-crash.XXXXXX)
status=1
finish() {
  if [ "$status" = 0 ]; then rm -rf "$dir"; else echo "[crash] kept $dir (database, server.log)" >&2; fi
}
trap finish EXIT

export DATABASE_URL="sqlite://$dir/portal.db?mode=rwc"
export LEPTOS_OUTPUT_NAME=portal
export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site}
export RUST_LOG=${RUST_LOG:-warn}
# An unoptimised build renders a case page (/mediation/cases/{code}) deeper than tokio's
# default 2 MiB worker stack: the process aborts with a stack overflow. The HTTP suites run
# on 16 MiB stacks (server/tests/common/mod.rs); the server here gets the same, so that the
# only deaths are the kills. A death of its own fails the test.
export RUST_MIN_STACK=${RUST_MIN_STACK:-16777216}
# Every client thread comes from 127.0.0.1: one address doing the work of many people, as in
# scripts/e2e-server.sh. The per-account limits (3 new threads, 3 requests a day) stay.
export PORTAL_WRITES_PER_MINUTE=${PORTAL_WRITES_PER_MINUTE:-100000}
export PORTAL_REQUESTS_PER_MINUTE=${PORTAL_REQUESTS_PER_MINUTE:-100000}
"$bin" demo-data >"$dir/demo-data.log" 2>&1 || { cat "$dir/demo-data.log" >&2; exit 1; }

seed_args=()
if [ -n "${CRASH_SEED:-}" ]; then seed_args=(--seed "$CRASH_SEED"); fi
set +e
python3 scripts/crash_driver.py \
  --binary "$bin" \
  --db "$dir/portal.db" \
  --port "$port" \
  --rounds "${CRASH_ROUNDS:-20}" \
  --workers "${CRASH_WORKERS:-8}" \
  --work-dir "$dir" \
  "${seed_args[@]}"
status=$?
set -e
exit "$status"
