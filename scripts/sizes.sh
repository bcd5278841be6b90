#!/usr/bin/env bash
# Prints the release bundle's sizes, raw and brotli (quality 11), as the README records them.
# With --check it fails when WASM + JS, which every page loads first, is over the budget of
# 100 KB brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
br() { brotli -c -q 11 "$1" | wc -c; }
command -v brotli >/dev/null || { echo "needs brotli (apt-get install brotli)"; exit 1; }
printf '%-14s %10s %10s\n' file raw brotli
total_raw=0; total_br=0
for f in portal.wasm portal.js portal.css; do
  raw=$(wc -c < "$pkg/$f"); b=$(br "$pkg/$f")
  printf '%-14s %10d %10d\n' "$f" "$raw" "$b"
  if [ "$f" != portal.css ]; then total_raw=$((total_raw + raw)); total_br=$((total_br + b)); fi
done
printf '%-14s %10d %10d\n' "wasm+js" "$total_raw" "$total_br"
budget=100000
if [ "${1:-}" = --check ] && [ "$total_br" -gt "$budget" ]; then
  echo "WASM + JS is $total_br B brotli, over the budget of $budget B" >&2
  exit 1
fi
