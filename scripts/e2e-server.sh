#!/usr/bin/env bash
# The portal as the end-to-end tests see it, served from the last build (PORTAL_PROFILE=
# debug|release; `make test-e2e` makes the debug one) on a fresh SQLite database: by default the demo directory
# and one admin; with E2E_START=empty, a station set up the way a real one is, by
# `portal init` on an empty database, with nothing else in it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CARGO_TARGET_DIR:-target}/${PORTAL_PROFILE:-debug}/portal"
# The server is ended by the test runner, so its database is cleared away by a later run
# once no server holds it (the pid file names the server: `exec` below keeps this pid).
for old in /tmp/portal-e2e.*; do
  [ -d "$old" ] || continue
  if ! kill -0 "$(cat "$old/pid" 2>/dev/null || echo none)" 2>/dev/null; then
    rm -rf "$old"
  fi
done
dir=$(mktemp -d /tmp/portal-e2e.XXXXXX)
echo $$ > "$dir/pid"
export DATABASE_URL="sqlite://$dir/portal.db?mode=rwc"
export PORTAL_FILES_DIR="$dir/files"
export LEPTOS_SITE_ADDR="127.0.0.1:${E2E_PORT:-3100}"
export LEPTOS_SITE_ROOT=target/site
export RUST_LOG=${RUST_LOG:-warn}
# The browser suite posts a corpus of hostile text as one person; the posting limits have
# tests of their own (domain and HTTP).
export PORTAL_TEAHOUSE_POSTS_PER_10_MIN=${PORTAL_TEAHOUSE_POSTS_PER_10_MIN:-1000}
# Every browser of the suite comes from 127.0.0.1: one address doing the work of many people.
export PORTAL_WRITES_PER_MINUTE=${PORTAL_WRITES_PER_MINUTE:-100000}
export PORTAL_REQUESTS_PER_MINUTE=${PORTAL_REQUESTS_PER_MINUTE:-100000}
# Video rooms open a month before their slot, so a test can book a slot and enter at once.
export PORTAL_VIDEO_EARLY_MINUTES=${PORTAL_VIDEO_EARLY_MINUTES:-43200}
# E2E_START=sms: the demo with an SMS provider, scripts/fake_aliyun_sms.py on E2E_SMS_FAKE_PORT.
if [ "${E2E_START:-demo}" = sms ]; then
  export PORTAL_SMS=aliyun PORTAL_ALIYUN_SMS_URL="http://127.0.0.1:${E2E_SMS_FAKE_PORT}/" \
    PORTAL_ALIYUN_ACCESS_KEY_ID=e2e-key PORTAL_ALIYUN_ACCESS_KEY_SECRET=e2e-secret \
    PORTAL_SMS_SIGN_NAME=招宝山派出所 PORTAL_OUTBOX_SECONDS=1 \
    PORTAL_SMS_TEMPLATES=urgent=SMS_urgent,case=SMS_case,reminder=SMS_reminder,volunteer=SMS_volunteer,teahouse=SMS_teahouse,code=SMS_code
  # WeChat through scripts/fake_wechat.py, e-mail through scripts/fake_smtp.py (STARTTLS,
  # with the CA it writes once it listens).
  export PORTAL_WECHAT_APP_ID=wx-e2e PORTAL_WECHAT_APP_SECRET=wx-e2e-secret \
    PORTAL_WECHAT_API_URL="http://127.0.0.1:${E2E_WECHAT_FAKE_PORT}" \
    PORTAL_WECHAT_AUTHORIZE_URL="http://127.0.0.1:${E2E_WECHAT_FAKE_PORT}/connect/oauth2/authorize" \
    PORTAL_WECHAT_TEMPLATES=urgent=TPL_urgent,case=TPL_case,reminder=TPL_reminder,volunteer=TPL_volunteer,teahouse=TPL_teahouse \
    PORTAL_SMTP_HOST=127.0.0.1 PORTAL_SMTP_PORT="${E2E_SMTP_PORT}" PORTAL_SMTP_USER=e2e-mail \
    PORTAL_SMTP_PASSWORD=e2e-mail-secret PORTAL_SMTP_FROM="招宝山派出所 <noreply@jjw.example.cn>" \
    PORTAL_SMTP_CA_FILE="/tmp/portal-e2e-smtp-${E2E_SMTP_PORT}.pem"
  for _ in $(seq 100); do [ -s "$PORTAL_SMTP_CA_FILE" ] && break; sleep 0.2; done
fi
# What a test needs to run `portal` beside this server (`portal outbox --at`).
env | grep -E '^(DATABASE_URL|LEPTOS_|PORTAL_)' > "$dir/env"
echo "PORTAL_BIN=$(realpath "$bin")" >> "$dir/env"
ln -sfn "$dir" "/tmp/portal-e2e-port-${E2E_PORT:-3100}"
if [ "${E2E_START:-demo}" = empty ]; then
  PORTAL_PASSWORD=e2e-admin-haigang-2026 "$bin" init --name 海港派出所 --district 海港街道 \
    --address 海港路1号 --phone 0574-86000110 --public-url "http://$LEPTOS_SITE_ADDR" \
    --sender jjw@haigang.example.cn --admin-phone 13700000099
else
  "$bin" demo-data
  # The demo has no admin: the counter journey signs in as this one.
  PORTAL_PASSWORD=e2e-admin-haigang-2026 "$bin" user add --phone 13700000099 --role admin >/dev/null
fi
exec "$bin" serve
