#!/usr/bin/env bash
# The portal's performance benchmark, one command: bench/run.sh
#
# Builds the release portal, serves it on a fresh SQLite database with the demo data and
# measures what a phone downloads (HTML, CSS, WASM + JS, raw and brotli -q 11), throughput
# and latency of / , /notices and /healthz under wrk, the server's memory, Lighthouse
# (mobile) for the home page and the booking page; then the same server on a throwaway
# PostgreSQL cluster; then bookings per second with 1…128 concurrent clients on both
# databases (domain/examples/bench_bookings.rs); then the pages people use at the demo's size
# and at 100 times it on both databases (bench/pages.sh). Prints the tables and writes them
# to bench/latest.md.
#
#   BENCH_PORT (3300)  BENCH_PG_PORT (55541)  BENCH_DURATION (10s)  BENCH_BOOKINGS (300 a round)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export LEPTOS_OUTPUT_NAME=portal
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
PG_PORT=${BENCH_PG_PORT:-55541}
DURATION=${BENCH_DURATION:-10s}
BOOKINGS=${BENCH_BOOKINGS:-300}
WRK_ARGS=(--latency -t2 -c16 -d"$DURATION")
RESIDENT=13900000001
PASSWORD=demo-2026-zbs
# The server's own per-address limit (600 requests a minute by default) would answer wrk
# with 429 after the first second; the benchmark measures the pages, so it is lifted.
export PORTAL_REQUESTS_PER_MINUTE=1000000000 PORTAL_WRITES_PER_MINUTE=1000000


say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------
# Shared by both parts. State lives in $BENCH_WORK: the copied binary and site, and
# results.tsv (key<TAB>value), which the PostgreSQL part (a child process) appends to.
# ---------------------------------------------------------------------------------------
put() { printf '%s\t%s\n' "$1" "$2" >>"$BENCH_WORK/results.tsv"; }
get() { awk -F'\t' -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "–" : v) }' "$BENCH_WORK/results.tsv"; }

. bench/server.sh

# start_server NAME DATABASE_URL: demo data, then `serve` in the background on a free port.
start_server() {
  local name=$1 url=$2
  BASE_PORT=${BENCH_PORT:-3300}
  while ! port_free "$BASE_PORT"; do BASE_PORT=$((BASE_PORT + 1)); done
  BASE="http://127.0.0.1:$BASE_PORT"
  export DATABASE_URL=$url LEPTOS_SITE_ADDR="127.0.0.1:$BASE_PORT" LEPTOS_SITE_ROOT="$BENCH_WORK/site"
  say "$name: loading the demo data"
  local t0=$SECONDS
  "$BENCH_WORK/portal" demo-data >>"$BENCH_WORK/$name-server.log" 2>&1
  put "$name.demo_data_s" $((SECONDS - t0))
  LEPTOS_ENV=PROD "$BENCH_WORK/portal" serve >>"$BENCH_WORK/$name-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$BENCH_WORK/$name-server.log" >&2; die "$name: the portal did not start"; }
    sleep 0.2
  done
  curl -fsS -o /dev/null "$BASE/healthz" || die "$name: the portal does not answer on $BASE"
  say "$name: portal (pid $SERVER_PID) on $BASE"
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# A signed-in curl session of the demo resident: the cookie jar $BENCH_WORK/$1.jar.
sign_in() {
  local jar=$BENCH_WORK/$1.jar csrf
  rm -f "$jar"
  curl -fsS -o /dev/null -c "$jar" -b "$jar" "$BASE/login"
  csrf=$(awk '$6 == "csrf" { print $7 }' "$jar" | tail -n 1)
  [ -n "$csrf" ] || die "no csrf cookie from /login"
  curl -sS -o /dev/null -c "$jar" -b "$jar" -H 'Accept: text/html' \
    --data-urlencode "csrf=$csrf" --data-urlencode "phone=$RESIDENT" \
    --data-urlencode "password=$PASSWORD" "$BASE/api/login"
  has_session "$jar" || die "signing in as $RESIDENT failed"
}

# Cookie header of a jar: "name=value; name=value".
cookie_header() { cookies_of "$BENCH_WORK/$1.jar"; }

br_size() { brotli -c -q 11 "$1" | wc -c; }

# wrk_run NAME ROUTE: one wrk run with the server's RSS sampled every 0.5 s.
wrk_run() {
  local name=$1 route=$2 out samples sampler
  out=$BENCH_WORK/wrk-$name-${route//\//_}.txt
  samples=$BENCH_WORK/rss-$name-${route//\//_}.txt
  : >"$samples"
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do rss_kb >>"$samples"; sleep 0.5; done ) &
  sampler=$!
  wrk "${WRK_ARGS[@]}" "$BASE$route" >"$out" 2>&1 || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  # Latency in ms whatever unit wrk chose.
  awk -v k="$name.$route" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^Requests\/sec:/ { printf "%s.rps\t%.0f\n", k, $2 }
    $1 == "50%" { printf "%s.p50\t%.2f\n", k, ms($2) }
    $1 == "99%" { printf "%s.p99\t%.2f\n", k, ms($2) }
    /requests in/ { printf "%s.requests\t%s\n", k, $1 }
    /Non-2xx or 3xx responses:/ { printf "%s.non2xx\t%s\n", k, $NF }
    /Socket errors:/ { sub(/^ *Socket errors: */, ""); printf "%s.sockerr\t%s\n", k, $0 }
  ' "$out" >>"$BENCH_WORK/results.tsv"
  put "$name.$route.rss_peak_kb" "$(sort -n "$samples" | tail -n 1)"
  say "$name: $route $(grep -h '^Requests/sec' "$out" || echo 'no result')"
}

# throughput NAME: warm up, idle memory, wrk on the three routes, memory after the load.
throughput() {
  local name=$1 route
  for route in / /notices /healthz; do
    wrk -t1 -c4 -d2s "$BASE$route" >/dev/null 2>&1 || true
  done
  sleep 2
  put "$name.rss_idle_kb" "$(rss_kb)"
  for route in / /notices /healthz; do
    wrk_run "$name" "$route"
  done
  put "$name.rss_after_kb" "$(rss_kb)"
  put "$name.rss_hwm_kb" "$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")"
}

# bookings NAME DATABASE_URL: the write benchmark on a fresh database.
bookings() {
  local name=$1 url=$2 out=$BENCH_WORK/bookings-$1.txt
  say "$name: bookings with 1…128 concurrent clients"
  RUST_LOG=warn "$BENCH_WORK/bench_bookings" "$url" "$BOOKINGS" >"$out" 2>"$BENCH_WORK/bookings-$name.log" ||
    { tail -n 5 "$BENCH_WORK/bookings-$name.log" >&2; echo "ERROR c=? error=bench_bookings failed: $(tail -n 1 "$BENCH_WORK/bookings-$name.log")" >>"$out"; }
  awk -v n="$name" '
    /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                printf "%s.book.%s\t%s|%s|%s|%s|%s\n", n, v["c"], v["bookings"], v["seconds"], v["per_second"], v["p50_ms"], v["p99_ms"] }
    /^ERROR/  { sub(/^ERROR /, ""); printf "%s.book.error\t%s\n", n, $0 }
  ' "$out" >>"$BENCH_WORK/results.tsv"
  cat "$out" >&2
}

# ---------------------------------------------------------------------------------------
# The PostgreSQL part: run by scripts/with-postgres.sh, which exports TEST_DATABASE_URL.
# ---------------------------------------------------------------------------------------
if [ "${1:-}" = --postgres-part ]; then
  trap stop_server EXIT
  : "${BENCH_WORK:?}" "${TEST_DATABASE_URL:?}"
  psql=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql
  for db in bench bench_writes; do
    "$psql" -q -X "$TEST_DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
  done
  pg_base=${TEST_DATABASE_URL%/*}
  put pg.version "$("$psql" -X -At "$TEST_DATABASE_URL" -c 'SHOW server_version')"
  start_server pg "$pg_base/bench"
  throughput pg
  stop_server
  bookings pg "$pg_base/bench_writes"
  exit 0
fi

# ---------------------------------------------------------------------------------------
# The main part.
# ---------------------------------------------------------------------------------------
started=$SECONDS
command="bench/run.sh"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

missing=()
command -v brotli >/dev/null || missing+=(brotli)
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "needs root for apt-get install ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
scripts/setup.sh build
if [ ! -x bench/node_modules/.bin/lighthouse ] || [ bench/package.json -nt bench/node_modules ]; then
  say "npm packages in bench (lighthouse)"
  (cd bench && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
fi

BENCH_WORK=$(mktemp -d /tmp/portal-bench.XXXXXX)
export BENCH_WORK
: >"$BENCH_WORK/results.tsv"
cleanup() {
  stop_server
  if [ -n "${BENCH_KEEP:-}" ]; then say "kept $BENCH_WORK"; else rm -rf "$BENCH_WORK"; fi
}
trap cleanup EXIT

say "building the release portal and the booking benchmark"
t0=$SECONDS
cargo xtask build --release
# Copied at once: another build in the same target directory must not change what is measured.
cp "$TARGET_DIR/release/portal" "$BENCH_WORK/portal"
cp -r target/site "$BENCH_WORK/site"
rm -f "$BENCH_WORK"/site/pkg/*.br "$BENCH_WORK"/site/pkg/*.gz
cargo build --release -p domain --example bench_bookings
cp "$TARGET_DIR/release/examples/bench_bookings" "$BENCH_WORK/bench_bookings"
put build_s $((SECONDS - t0))
wasm_raw=$(wc -c <"$BENCH_WORK/site/pkg/portal.wasm")
[ "$wasm_raw" -lt 1000000 ] || die "portal.wasm is $wasm_raw bytes: target/site holds a debug build (another build ran meanwhile?)"

# --- SQLite: sizes, throughput, memory, Lighthouse ---------------------------------------
start_server sqlite "sqlite://$BENCH_WORK/portal.db?mode=rwc"

say "sizes"
get_page() { # NAME ROUTE [JAR]: the page's HTML (no compression asked for), as a browser gets it
  local file=$BENCH_WORK/page-$1.html
  curl -fsS ${3:+-b "$BENCH_WORK/$3.jar"} -o "$file" "$BASE$2" || die "GET $2 failed"
  echo "$file"
}
home=$(get_page home /)
teahouse=$(get_page teahouse /teahouse)
board=$(grep -o 'href="/teahouse/b/[0-9]*"' "$teahouse" | head -n 1 | grep -o '[0-9]*' || true)
[ -n "$board" ] || die "no board link on /teahouse"
board_page=$(get_page board "/teahouse/b/$board")
thread=$(grep -o 'href="/teahouse/t/[0-9]*"' "$board_page" | head -n 1 | grep -o '[0-9]*' || true)
[ -n "$thread" ] || die "no thread link on /teahouse/b/$board"
sign_in resident
mediation=$(get_page mediation /mediation resident)
case_code=$(grep -o 'href="/mediation/cases/ZBS-[^"]*"' "$mediation" | head -n 1 | sed 's/.*cases\///; s/"$//' || true)
[ -n "$case_code" ] || die "no case link on /mediation for $RESIDENT"

for f in portal.css portal.wasm portal.js; do
  curl -fsS -o "$BENCH_WORK/$f" "$BASE/pkg/$f"
  put "$f.raw" "$(wc -c <"$BENCH_WORK/$f")"
  put "$f.br" "$(br_size "$BENCH_WORK/$f")"
  # What the server really sends to a browser that accepts brotli (its precompressed file).
  put "$f.served_br" "$(curl -fsS -H 'Accept-Encoding: br' "$BASE/pkg/$f" | wc -c)"
done
if curl -fsS -o "$BENCH_WORK/video-room.js" "$BASE/video-room.js"; then
  put video.raw "$(wc -c <"$BENCH_WORK/video-room.js")"
  put video.br "$(br_size "$BENCH_WORK/video-room.js")"
fi

pages=(home notices board thread case)
declare -A route=(
  [home]=/ [notices]=/notices [board]="/teahouse/b/$board" [thread]="/teahouse/t/$thread"
  [case]="/mediation/cases/$case_code")
# Whether page $2 names the bundle's file of kind $1, by its plain name or by the one with
# the contents' hash (`portal.<16 hex>.css`) where the site lists those.
named() { grep -Eq "/pkg/portal(\.[0-9a-f]{16})?\.$1\"" "$2"; }
for p in "${pages[@]}"; do
  jar=; [ "$p" = case ] && jar=resident
  file=$(get_page "$p" "${route[$p]}" $jar)
  put "size.$p.raw" "$(wc -c <"$file")"
  put "size.$p.br" "$(br_size "$file")"
  loads=
  named css "$file" && loads+=c
  named js "$file" && loads+=j
  named wasm "$file" && loads+=w
  grep -q '/video-room\.js' "$file" && loads+=v
  put "size.$p.loads" "$loads"
  # Served on the fly to a browser that accepts brotli (the server's own compression).
  put "size.$p.served_br" "$(curl -fsS ${jar:+-b "$BENCH_WORK/$jar.jar"} -H 'Accept-Encoding: br' "$BASE${route[$p]}" | wc -c)"
done

say "sqlite: wrk ${WRK_ARGS[*]} on /, /notices, /healthz"
throughput sqlite

say "Lighthouse (mobile) on / and /mediation/new"
lighthouse() { # NAME ROUTE [JAR]
  local out=$BENCH_WORK/lh-$1.json headers=()
  [ -n "${3:-}" ] && headers=(--extra-headers "{\"Cookie\":\"$(cookie_header "$3")\"}")
  (cd bench && CHROME_PATH=/usr/bin/chromium timeout 300 npx --offline --yes lighthouse@12.2.3 "$BASE$2" \
    --quiet --output=json --output-path="$out" --only-categories=performance \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    "${headers[@]}") >"$BENCH_WORK/lh-$1.log" 2>&1 || {
    tail -n 5 "$BENCH_WORK/lh-$1.log" >&2
    put "lh.$1.note" "Lighthouse failed: $(grep -v '^\s*$' "$BENCH_WORK/lh-$1.log" | tail -n 1 | tr '|' '/' | cut -c1-160)"
    return 0
  }
  node -e '
    const r = require(process.argv[1]), a = r.audits, k = process.argv[2];
    const line = (n, v) => console.log(k + "." + n + "\t" + v);
    line("score", Math.round(r.categories.performance.score * 100));
    line("lcp", (a["largest-contentful-paint"].numericValue / 1000).toFixed(2));
    line("tbt", Math.round(a["total-blocking-time"].numericValue));
    line("cls", a["cumulative-layout-shift"].numericValue.toFixed(3));
    line("url", r.finalDisplayedUrl || r.finalUrl);
  ' "$out" "lh.$1" >>"$BENCH_WORK/results.tsv"
}
lighthouse home /
sign_in booking
curl -fsS -b "$BENCH_WORK/booking.jar" "$BASE/mediation/new" | grep -q 'action="/api/mediation/request"' ||
  put lh.booking.note "the signed-in page has no request form"
lighthouse booking /mediation/new booking
case "$(get lh.booking.url)" in –|*"/mediation/new"*) ;; *) put lh.booking.note "redirected to $(get lh.booking.url)" ;; esac
stop_server

bookings sqlite "sqlite://$BENCH_WORK/writes.db?mode=rwc"

# --- PostgreSQL --------------------------------------------------------------------------
say "PostgreSQL: a throwaway cluster on 127.0.0.1:$PG_PORT"
PG_TEST_PORT=$PG_PORT scripts/with-postgres.sh bench/run.sh --postgres-part ||
  say "the PostgreSQL part failed; its rows are left empty"

# --- The table ---------------------------------------------------------------------------
elapsed=$((SECONDS - started))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
kb() { awk -v b="$1" 'BEGIN { if (b == "–" || b == "") print "–"; else printf "%.1f", b / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "–" }'; }
num() { case "$1" in ''|–) echo 0 ;; *) echo "$1" ;; esac; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
css_raw=$(get portal.css.raw); css_br=$(get portal.css.br)
wj_raw=$(( $(num "$(get portal.wasm.raw)") + $(num "$(get portal.js.raw)") ))
wj_br=$(( $(num "$(get portal.wasm.br)") + $(num "$(get portal.js.br)") ))
pg_label="PostgreSQL $(get pg.version)"
{
  echo "Benchmark of $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; load average $load_before at the start, $load_after at the end; commit $commit; command \`$command\` ($((elapsed / 60)) min $((elapsed % 60)) s, of which build $(get build_s) s)."
  echo
  echo "| measure | route | SQLite | $pg_label |"
  echo "|---|---|---|---|"
  for p in "${pages[@]}"; do
    loads=$(get "size.$p.loads") note=
    # A page without an island loads no bundle (server/src/islands.rs).
    first=$(( $(num "$(get "size.$p.br")") + $(num "$css_br") ))
    if [[ $loads == *j* && $loads == *w* ]]; then first=$((first + wj_br)); else note=" · no island, no WASM"; fi
    [[ $loads == *c* ]] || note+=" · **no portal.css**"
    [[ $loads == *v* ]] && note+=" · also loads /video-room.js"
    echo "| HTML KB raw / brotli (served br) · first load KB br (HTML+CSS, +WASM+JS where an island is) | \`${route[$p]}\` | $(kb "$(get "size.$p.raw")") / **$(kb "$(get "size.$p.br")")** ($(kb "$(get "size.$p.served_br")")) · **$(kb "$first")**$note | – |"
  done
  echo "| CSS KB raw / brotli (served br) | \`/pkg/portal.css\`, every page | $(kb "$css_raw") / $(kb "$css_br") ($(kb "$(get portal.css.served_br)")) | – |"
  echo "| WASM + JS KB raw / brotli (served br) | \`/pkg/portal.wasm\` + \`/pkg/portal.js\`, pages with an island | $(kb "$wj_raw") / **$(kb "$wj_br")** ($(kb $(( $(num "$(get portal.wasm.served_br)") + $(num "$(get portal.js.served_br)") )))) | – |"
  echo "| JS KB raw / brotli | \`/video-room.js\`, video room pages only | $(kb "$(get video.raw)") / $(kb "$(get video.br)") | – |"
  for r in / /notices /healthz; do
    cells=()
    for db in sqlite pg; do
      cell="**$(get "$db.$r.rps")** · $(get "$db.$r.p50") · $(get "$db.$r.p99")"
      [ "$r" != /healthz ] && cell+=" · $(ratio "$(get "$db.$r.rps")" "$(get "$db./healthz.rps")")×"
      [ "$(get "$db.$r.non2xx")" != – ] && cell+=" · **non-2xx: $(get "$db.$r.non2xx")**"
      [ "$(get "$db.$r.sockerr")" != – ] && cell+=" · socket errors: $(get "$db.$r.sockerr")"
      cells+=("$cell")
    done
    echo "| req/s · p50 ms · p99 ms · req/s as share of /healthz's (\`wrk ${WRK_ARGS[*]}\`) | \`$r\` | ${cells[0]} | ${cells[1]} |"
  done
  cells=()
  for db in sqlite pg; do
    peak=$(for r in / /notices /healthz; do get "$db.$r.rss_peak_kb"; done | grep -v – | sort -n | tail -n 1)
    cells+=("$(mb "$(num "$(get "$db.rss_idle_kb")")") / **$(mb "$(num "$peak")")** / $(mb "$(num "$(get "$db.rss_after_kb")")")")
  done
  echo "| server RSS MB: idle after warm-up / peak during wrk (0.5 s samples) / after | | ${cells[0]} | ${cells[1]} |"
  for c in 1 2 4 8 16 32 64 128; do
    cells=()
    for db in sqlite pg; do
      v=$(get "$db.book.$c")
      if [ "$v" = – ]; then cells+=("–"); continue; fi
      IFS='|' read -r n s rate p50 p99 <<<"$v"
      cells+=("**$rate** · $p50 · $p99")
    done
    echo "| bookings/s · p50 ms · p99 ms ($BOOKINGS bookings: file a request, list free slots, book) | $c concurrent | ${cells[0]} | ${cells[1]} |"
  done
  cells=()
  for db in sqlite pg; do
    e=$(get "$db.book.error")
    [ "$e" = – ] && e="none up to 128 concurrent"
    cells+=("${e//|//}")
  done
  echo "| bookings: first error | | ${cells[0]} | ${cells[1]} |"
  for p in home booking; do
    r=/; [ $p = booking ] && r="/mediation/new (signed in)"
    note=$(get "lh.$p.note"); [ "$note" = – ] && note= || note=" · $note"
    echo "| Lighthouse 12.2.3, mobile: performance · LCP s · TBT ms · CLS | \`$r\` | **$(get "lh.$p.score")** · $(get "lh.$p.lcp") · $(get "lh.$p.tbt") · $(get "lh.$p.cls")$note | – |"
  done
  echo
  echo "wrk and the portal share the $(nproc) cores on loopback; wrk sends no Accept-Encoding, so pages go out uncompressed; the per-address limit is lifted (\`PORTAL_REQUESTS_PER_MINUTE\`). Bookings call the domain API directly (\`domain/examples/bench_bookings.rs\`), each by a new resident on a slot of its own, on a fresh database with the demo data. SQLite: WAL, synchronous=NORMAL, pool of 8; PostgreSQL: \`scripts/with-postgres.sh\`'s cluster (fsync=off), pool of 16. Lighthouse simulates a mid-range phone on slow 4G."
} >bench/latest.md

# --- The pages at a district's size --------------------------------------------------------
say "the pages at 1× and ${BENCH_SCALE:-100}× the demo (bench/pages.sh)"
echo >>bench/latest.md
BENCH_BINARY=$BENCH_WORK/portal BENCH_SITE=$BENCH_WORK/site BENCH_PAGES_OUT=bench/latest.md bench/pages.sh ||
  say "bench/pages.sh failed; its table is missing"
cat bench/latest.md
