#!/usr/bin/env bash
# Prints the first port from $1 (default 3100) on which nothing listens on 127.0.0.1, so a
# server left behind by an interrupted run does not fail the next one.
set -euo pipefail
port=${1:-3100}
for _ in $(seq 100); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "$port"
    exit 0
  fi
  port=$((port + 1))
done
echo "no free port from $1" >&2
exit 1
