#!/usr/bin/env bash
# The pages people use, at the demo's size and at 100 times it, on SQLite and PostgreSQL:
#   bench/pages.sh                 (bench/run.sh runs it too, with the binary it built)
#
# For each engine and scale: a fresh database, `portal demo-data --scale N`, the portal served
# as `make run` serves it, then every page below under wrk as the person who uses it (resident,
# mediator, officer, leader, or nobody). Prints one markdown table with p50 latency at 1× and
# at N×, their ratio, requests per second and the server's peak memory; appends it to
# $BENCH_PAGES_OUT if set.
#
#   BENCH_SCALE (100)  BENCH_PAGE_DURATION (4s)  BENCH_PORT (3300)  BENCH_PG_PORT (55541)
#   BENCH_BINARY, BENCH_SITE: a release `portal` and site to use instead of building them.
#   BENCH_KEEP=1 keeps the work directory (results.tsv, logs, wrk output).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export LEPTOS_OUTPUT_NAME=portal
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
SCALE=${BENCH_SCALE:-100}
DURATION=${BENCH_PAGE_DURATION:-4s}
PASSWORD=demo-2026-zbs
export PORTAL_REQUESTS_PER_MINUTE=1000000000 PORTAL_WRITES_PER_MINUTE=1000000

say() { printf '\033[1m[pages]\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Who signs in for a page, by the demo's numbers.
declare -A PHONE=([resident]=13900000001 [mediator]=13900000101 [officer]=13900000201 [leader]=13900000302)
# page name → "who route"; {board} and {thread} are found on the running portal.
PAGES=(home notices board thread queue casework figures stats hours inbox healthz)
declare -A PAGE=(
  [home]="- /" [notices]="- /notices" [board]="- /teahouse/b/{board}"
  [thread]="- /teahouse/t/{thread}" [queue]="mediator /mediation/queue"
  [casework]="officer /board" [figures]="officer /board/figures" [stats]="- /stats"
  [hours]="leader /volunteers/hours" [inbox]="resident /me/inbox" [healthz]="- /healthz")

. bench/server.sh

sign_in() { # WHO: a cookie jar $WORK/WHO.jar
  local jar=$WORK/$1.jar csrf
  rm -f "$jar"
  curl -fsS -o /dev/null -c "$jar" -b "$jar" "$BASE/login"
  csrf=$(awk '$6 == "csrf" { print $7 }' "$jar" | tail -n 1)
  curl -sS -o /dev/null -c "$jar" -b "$jar" -H 'Accept: text/html' --data-urlencode "csrf=$csrf" \
    --data-urlencode "phone=${PHONE[$1]}" --data-urlencode "password=$PASSWORD" "$BASE/api/login"
  has_session "$jar" || die "signing in as ${PHONE[$1]} failed"
}
cookie() { cookies_of "$WORK/$1.jar"; }

# measure ENGINE SCALE DATABASE_URL: one row per page in $WORK/results.tsv.
measure() {
  local engine=$1 scale=$2 url=$3 port t0 page who route out
  port=${BENCH_PORT:-3300}
  while ! port_free "$port"; do port=$((port + 1)); done
  BASE="http://127.0.0.1:$port"
  export DATABASE_URL=$url LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=$SITE
  say "$engine ${scale}×: loading the demo data"
  t0=$SECONDS
  "$BINARY" demo-data --scale "$scale" >>"$WORK/$engine-$scale.log" 2>&1 ||
    { tail -n 5 "$WORK/$engine-$scale.log" >&2; die "$engine: demo-data --scale $scale failed"; }
  printf '%s\t%s\tload_s\t%s\n' "$engine" "$scale" $((SECONDS - t0)) >>"$WORK/results.tsv"
  LEPTOS_ENV=PROD "$BINARY" serve >>"$WORK/$engine-$scale.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.2; done
  for who in "${!PHONE[@]}"; do sign_in "$who"; done
  # The server's memory while the pages run: VmRSS every half second, its peak kept.
  local rss=$WORK/rss-$engine-$scale.txt
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do
      awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || true; sleep 0.5
    done ) >"$rss" &
  local sampler=$!
  # The busiest board and the thread with the most replies, as a visitor finds them.
  local board thread
  board=$(curl -fsS "$BASE/teahouse" | grep -o 'href="/teahouse/b/[0-9]*"' | head -n 1 | grep -o '[0-9]*')
  thread=$(curl -fsS "$BASE/teahouse/b/$board" | grep -o 'href="/teahouse/t/[0-9]*"' | head -n 1 | grep -o '[0-9]*')
  for page in "${PAGES[@]}"; do
    read -r who route <<<"${PAGE[$page]}"
    route=${route/\{board\}/$board}
    route=${route/\{thread\}/$thread}
    local headers=()
    [ "$who" != - ] && headers=(-H "Cookie: $(cookie "$who")")
    # Signed-in pages must be the page, not the way to /login.
    curl -fsS -o "$WORK/page.html" -w '%{http_code}' "${headers[@]}" "$BASE$route" >"$WORK/status" || true
    wrk -t1 -c2 -d1s "${headers[@]}" "$BASE$route" >/dev/null 2>&1 || true
    out=$WORK/wrk-$engine-$scale-$page.txt
    wrk --latency -t2 -c4 -d"$DURATION" "${headers[@]}" "$BASE$route" >"$out" 2>&1 || true
    awk -v e="$engine" -v s="$scale" -v p="$page" -v status="$(cat "$WORK/status")" -v bytes="$(wc -c <"$WORK/page.html")" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      /^Requests\/sec:/ { rps = $2 }
      $1 == "50%" { p50 = ms($2) }
      /Non-2xx or 3xx responses:/ { bad = $NF }
      END { printf "%s\t%s\t%s\t%.2f|%.0f|%s|%s|%s\n", e, s, p, p50, rps, status, bytes, bad + 0 }
    ' "$out" >>"$WORK/results.tsv"
    say "$engine ${scale}× $route: $(grep -h '^Requests/sec' "$out" || echo 'no result')"
  done
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  printf '%s\t%s\trss_kb\t%s\n' "$engine" "$scale" "$(sort -n "$rss" | tail -n 1)" >>"$WORK/results.tsv"
  stop_server
}

if [ "${1:-}" = --postgres-part ]; then
  trap stop_server EXIT
  : "${WORK:?}" "${TEST_DATABASE_URL:?}" "${BINARY:?}" "${SITE:?}"
  psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql
  for scale in 1 "$SCALE"; do
    "$psql" -q -X "$TEST_DATABASE_URL" -c "CREATE DATABASE pages_$scale" >/dev/null
    measure pg "$scale" "${TEST_DATABASE_URL%/*}/pages_$scale"
  done
  exit 0
fi

command -v wrk >/dev/null || die "wrk is missing: bench/run.sh installs it (apt-get install wrk)"
WORK=$(mktemp -d /tmp/portal-pages.XXXXXX)
export WORK
trap 'stop_server; if [ -n "${BENCH_KEEP:-}" ]; then say "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
: >"$WORK/results.tsv"
if [ -n "${BENCH_BINARY:-}" ]; then
  BINARY=$BENCH_BINARY SITE=${BENCH_SITE:?BENCH_SITE goes with BENCH_BINARY}
else
  say "building the release portal"
  cargo xtask build --release
  cp "${CARGO_TARGET_DIR:-target}/release/portal" "$WORK/portal"
  cp -r target/site "$WORK/site"
  BINARY=$WORK/portal SITE=$WORK/site
fi
export BINARY SITE
started=$SECONDS
for scale in 1 "$SCALE"; do
  measure sqlite "$scale" "sqlite://$WORK/pages-$scale.db?mode=rwc"
done
PG_TEST_PORT=${BENCH_PG_PORT:-55541} scripts/with-postgres.sh bench/pages.sh --postgres-part ||
  say "the PostgreSQL part failed; its cells are left empty"

get() { awk -F'\t' -v e="$1" -v s="$2" -v p="$3" '$1 == e && $2 == s && $3 == p { v = $4 } END { print v }' "$WORK/results.tsv"; }
cell() { # ENGINE PAGE: "p50 1× → p50 N× ms (ratio×) · req/s 1× → N×"
  local a b p1 p2 r1 r2 s1 s2 n1 n2 note=
  a=$(get "$1" 1 "$2") b=$(get "$1" "$SCALE" "$2")
  [ -n "$a" ] && [ -n "$b" ] || { echo "–"; return; }
  IFS='|' read -r p1 r1 s1 n1 _ <<<"$a"
  IFS='|' read -r p2 r2 s2 n2 _ <<<"$b"
  [ "$s1" = 200 ] && [ "$s2" = 200 ] || note=" · **HTTP $s1 / $s2**"
  awk -v p1="$p1" -v p2="$p2" -v r1="$r1" -v r2="$r2" -v n1="$n1" -v n2="$n2" -v note="$note" 'BEGIN {
    ratio = 0; if (p1 > 0) ratio = p2 / p1
    bold = ""; if (ratio > 1.5) bold = "**"
    printf "%.1f → %.1f ms (%s%.2f×%s) · %d → %d req/s · %.0f → %.0f KB%s\n", p1, p2, bold, ratio, bold, r1, r2, n1 / 1000, n2 / 1000, note }'
}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
table=$WORK/table.md
{
  echo "Pages at 1× and ${SCALE}× the demo ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) cores; \`bench/pages.sh\`, $((SECONDS - started)) s; loading ${SCALE}×: SQLite $(get sqlite "$SCALE" load_s) s, PostgreSQL $(get pg "$SCALE" load_s) s)."
  echo
  echo "| page | as | SQLite: p50 1× → ${SCALE}× (ratio) · req/s · HTML | PostgreSQL: the same |"
  echo "|---|---|---|---|"
  for page in "${PAGES[@]}"; do
    read -r who route <<<"${PAGE[$page]}"
    echo "| \`$route\` | ${who/-/anyone} | $(cell sqlite "$page") | $(cell pg "$page") |"
  done
  echo
  echo "\`wrk --latency -t2 -c4 -d$DURATION\` on loopback after a second's warm-up, the release portal as \`make run\` serves it; a ratio above 1.5 is in bold (issue #23's goal is at most 1.5 on every page)."
  mb() { awk -v k="${1:-0}" 'BEGIN { if (k > 0) printf "%.0f MB", k / 1024; else printf "–" }'; }
  echo
  echo "Server memory, the peak of VmRSS sampled every 0.5 s while the pages ran: SQLite $(mb "$(get sqlite 1 rss_kb)") at 1×, $(mb "$(get sqlite "$SCALE" rss_kb)") at ${SCALE}×; PostgreSQL $(mb "$(get pg 1 rss_kb)") at 1×, $(mb "$(get pg "$SCALE" rss_kb)") at ${SCALE}× (issue #23 asks for under 100 MB at 100×)."
} >"$table"
cat "$table"
if [ -n "${BENCH_PAGES_OUT:-}" ]; then cat "$table" >>"$BENCH_PAGES_OUT"; fi
