#!/usr/bin/env bash
# Proxy suite: Debian's nginx with the shipped deploy/nginx/portal.conf (a throwaway
# self-signed certificate) in front of two `portal serve` processes on one throwaway
# PostgreSQL, checked over TLS from several loopback addresses by scripts/proxy_test.py.
#
#   scripts/proxy-test.sh        # after a debug build (make test-proxy does both)
#
# Builds nothing: it runs the last debug build ($CARGO_TARGET_DIR/debug/portal, or
# PORTAL_PROFILE=release) with the site `cargo xtask` wrote (LEPTOS_SITE_ROOT,
# target/site by default), as scripts/e2e-server.sh does. Needs nginx, openssl, psql and
# python3 (scripts/setup.sh test installs them). nginx binds 127.0.0.1 only. Everything it
# starts is stopped on exit; the logs are printed when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --with-postgres ]; then
  exec scripts/with-postgres.sh "$0" --with-postgres
fi

say() { printf '[proxy] %s\n' "$*"; }
bin="${CARGO_TARGET_DIR:-target}/${PORTAL_PROFILE:-debug}/portal"
if [ ! -x "$bin" ]; then
  say "no portal binary at $bin: run make test-proxy, or cargo xtask build" >&2
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
for tool in nginx openssl psql python3 s3s-fs; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    say "$tool is missing: scripts/setup.sh test installs it" >&2
    exit 2
  fi
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d /tmp/portal-proxy.XXXXXX)
# nginx's workers (an unprivileged user when it runs as root) reach their temp files here.
chmod 755 "$tmp"
mkdir -p "$tmp/tls" "$tmp/nginx"
portals=()
status=1
finish() {
  if [ -f "$tmp/nginx/nginx.pid" ]; then
    kill -TERM "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null || true
    # nginx removes its pid file once its workers are gone.
    for _ in $(seq 50); do [ -f "$tmp/nginx/nginx.pid" ] || break; sleep 0.1; done
  fi
  for pid in "${portals[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${portals[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${bucket:-}" ] && kill -TERM "$bucket" 2>/dev/null || true
  if [ "$status" != 0 ]; then
    for f in "$tmp"/portal-*.log "$tmp/nginx/error.log" "$tmp/nginx/portal.error.log"; do
      [ -s "$f" ] && { say "--- $f (last 40 lines)"; tail -n 40 "$f"; }
    done
  fi
  rm -rf "$tmp"
}
trap finish EXIT

https_port=$(scripts/free-port.sh 3443)
http_port=$(scripts/free-port.sh 3480)
first=$(scripts/free-port.sh 3200)
second=$(scripts/free-port.sh $((first + 1)))

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$tmp/tls/privkey.pem" -out "$tmp/tls/fullchain.pem" 2>/dev/null

# The database both processes share.
psql "$TEST_DATABASE_URL" -qAtX -c "CREATE DATABASE portal" >/dev/null
export DATABASE_URL="${TEST_DATABASE_URL%/*}/portal"
export LEPTOS_OUTPUT_NAME=portal
export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-$PWD/target/site}
export RUST_LOG=${RUST_LOG:-warn}
# An unoptimised build renders a case page deeper than tokio's default worker stack (see
# scripts/crash-test.sh).
export RUST_MIN_STACK=${RUST_MIN_STACK:-16777216}
export PORTAL_HTTPS=true PORTAL_TRUST_PROXY=true
export PORTAL_PUBLIC_URL="https://127.0.0.1:$https_port"
# Small enough that the suite's flood meets it in both processes.
export PORTAL_WRITES_PER_MINUTE=5
# A video room opens as soon as its slot is booked.
export PORTAL_VIDEO_EARLY_MINUTES=43200
# The suite signs in as demo people (a resident, a mediator), which https otherwise forbids.
export PORTAL_DEMO_SIGN_IN=true
# Photos in one S3-compatible bucket both processes share, as on several machines.
s3_port=$(scripts/free-port.sh 3900)
mkdir -p "$tmp/s3/photos"
s3s-fs --host 127.0.0.1 --port "$s3_port" --access-key proxy-test --secret-key proxy-test-secret \
  "$tmp/s3" >"$tmp/portal-s3s-fs.log" 2>&1 &
bucket=$!
export PORTAL_S3_BUCKET=photos PORTAL_S3_ENDPOINT="http://127.0.0.1:$s3_port" \
  PORTAL_S3_ACCESS_KEY=proxy-test PORTAL_S3_SECRET_KEY=proxy-test-secret
"$bin" demo-data >"$tmp/portal-demo-data.log" 2>&1
for port in "$first" "$second"; do
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$bin" serve >"$tmp/portal-$port.log" 2>&1 &
  portals+=($!)
done

# The shipped configuration, with the example's names, paths and ports replaced by this
# run's: nothing else changes.
sed -e "s#portal\.example\.cn#127.0.0.1#g" \
  -e "s#/etc/ssl/portal/#$tmp/tls/#g" \
  -e "s#/var/log/nginx/#$tmp/nginx/#g" \
  -e "s#listen 443 #listen 127.0.0.1:$https_port #" \
  -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
  -e "/listen \[::\]/d" \
  -e "s#127\.0\.0\.1:3000;#127.0.0.1:$first;#" \
  -e "s#127\.0\.0\.1:3001;#127.0.0.1:$second;#" \
  deploy/nginx/portal.conf >"$tmp/nginx/portal.conf"
if grep -nE 'example\.cn|/etc/ssl/|/var/log/|listen (80|443)|:300[01];' "$tmp/nginx/portal.conf"; then
  say "deploy/nginx/portal.conf changed shape: the lines above were not rendered for the test" >&2
  exit 1
fi
# The portal reads the right-most hop, so an appending proxy would pass the checks below too;
# overwriting is still what we ship (nothing a client sends reaches the portal).
if grep -n 'proxy_add_x_forwarded_for' deploy/nginx/portal.conf; then
  say "deploy/nginx/portal.conf must overwrite X-Forwarded-For with \$remote_addr, not append" >&2
  exit 1
fi
# What Debian's /etc/nginx/nginx.conf provides around a site, kept to this run's directory.
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 512; }
http {
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $tmp/nginx/portal.conf;
}
EOF

for port in "$first" "$second"; do
  for _ in $(seq 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue 2; fi
    for pid in "${portals[@]}"; do
      kill -0 "$pid" 2>/dev/null || { say "a portal process stopped at start-up" >&2; exit 1; }
    done
    sleep 0.5
  done
  say "the portal on port $port did not start listening within a minute" >&2
  exit 1
done
"$nginx" -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
say "nginx on https://127.0.0.1:$https_port (http $http_port) → portal on $first and $second"

set +e
python3 scripts/proxy_test.py \
  --port "$https_port" \
  --http-port "$http_port" \
  --upstreams "$first,$second" \
  --access-log "$tmp/nginx/portal.access.log" \
  --database-url "$DATABASE_URL"
status=$?
set -e
exit "$status"
