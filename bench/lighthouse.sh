#!/usr/bin/env bash
# Lighthouse (mobile, Debian's Chromium) on the pages issue #20 names: `/`, `/notices`, a
# tea-house board and a mediation case page signed in as the demo resident: performance,
# accessibility and best practices, LCP, and every audit that fell short.
#   bench/lighthouse.sh            (builds the release portal first)
#   BENCH_BINARY, BENCH_SITE: a release `portal` and site to use instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export LEPTOS_OUTPUT_NAME=portal
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export PORTAL_REQUESTS_PER_MINUTE=1000000000

say() { printf '\033[1m[lighthouse]\033[0m %s\n' "$*" >&2; }
. bench/server.sh

if [ ! -x bench/node_modules/.bin/lighthouse ] || [ bench/package.json -nt bench/node_modules ]; then
  say "npm packages in bench (lighthouse)"
  (cd bench && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
fi
WORK=$(mktemp -d /tmp/portal-lighthouse.XXXXXX)
trap 'stop_server; rm -rf "$WORK"' EXIT
if [ -n "${BENCH_BINARY:-}" ]; then
  BINARY=$BENCH_BINARY SITE=${BENCH_SITE:?BENCH_SITE goes with BENCH_BINARY}
else
  say "building the release portal"
  cargo xtask build --release
  BINARY=${CARGO_TARGET_DIR:-target}/release/portal SITE=target/site
fi

port=${BENCH_PORT:-3391}
while ! port_free "$port"; do port=$((port + 1)); done
BASE="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$WORK/portal.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=$SITE
"$BINARY" demo-data >"$WORK/server.log" 2>&1
LEPTOS_ENV=PROD "$BINARY" serve >>"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.2; done

jar=$WORK/resident.jar
curl -fsS -o /dev/null -c "$jar" -b "$jar" "$BASE/login"
csrf=$(awk '$6 == "csrf" { print $7 }' "$jar" | tail -n 1)
curl -sS -o /dev/null -c "$jar" -b "$jar" -H 'Accept: text/html' --data-urlencode "csrf=$csrf" \
  --data-urlencode "phone=13900000001" --data-urlencode "password=demo-2026-zbs" "$BASE/api/login"
has_session "$jar" || { say "signing in as the demo resident failed"; exit 1; }
case_page=$(curl -fsS -b "$jar" "$BASE/mediation" | grep -o '/mediation/cases/ZBS-[0-9A-Z-]*' | head -n 1)
board=$(curl -fsS "$BASE/teahouse" | grep -o '/teahouse/b/[0-9]*' | head -n 1)

echo "Lighthouse 12.2.3, mobile ($(date -u '+%Y-%m-%d'), commit $(git rev-parse --short HEAD), $(nproc) cores):"
for route in / /notices "$board" "$case_page"; do
  headers=()
  [ "$route" = "$case_page" ] && headers=(--extra-headers "{\"Cookie\":\"$(cookies_of "$jar")\"}")
  out=$WORK/lh.json
  (cd bench && CHROME_PATH=/usr/bin/chromium timeout 300 npx --offline --yes lighthouse@12.2.3 "$BASE$route" \
    --quiet --output=json --output-path="$out" --only-categories=performance,accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    "${headers[@]}") >"$WORK/lh.log" 2>&1 || { tail -n 3 "$WORK/lh.log" >&2; continue; }
  node -e '
    const r = require(process.argv[1]), c = r.categories, a = r.audits;
    const pct = (x) => Math.round(x.score * 100);
    console.log(`- ${process.argv[2]}: performance ${pct(c.performance)}, accessibility ${pct(c.accessibility)}, ` +
      `best practices ${pct(c["best-practices"])}; LCP ${(a["largest-contentful-paint"].numericValue / 1000).toFixed(2)} s`);
    for (const [name, category] of Object.entries(c)) {
      for (const ref of category.auditRefs) {
        const audit = a[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          console.log(`  - ${name}: ${ref.id} ${audit.displayValue || audit.score}`);
        }
      }
    }
  ' "$out" "$route"
done
