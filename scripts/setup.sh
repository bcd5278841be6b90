#!/usr/bin/env bash
# Installs what building and testing the portal need, skipping whatever is already there.
#   scripts/setup.sh build   the wasm32 target and the npm build tools (wasm-opt, lightningcss,
#                            terser); `cargo xtask build` does the rest from crates.io
#   scripts/setup.sh dev     the above, plus cargo-leptos, wasm-bindgen-cli and leptosfmt
#   scripts/setup.sh test    the build tools, plus leptosfmt, s3s-fs, Chromium, PostgreSQL,
#                            nginx, xmllint, brotli and Playwright
#   scripts/setup.sh audit   the test tools, plus cargo-deny
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.9
# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
what=${1:-build}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Only the development loop needs cargo-leptos (25 minutes to build on 2 cores): builds,
# tests and benchmarks go through `cargo xtask build`.
if [ "$what" = dev ]; then
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION for 'make dev' (about 25 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Not --locked: its lock file names a crate version the registry no longer has.
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
  fi
fi

# leptosfmt formats the view! macros, which rustfmt leaves alone; `make lint` checks them
# (3 minutes of CPU to build, once).
LEPTOSFMT_VERSION=0.1.33
if [ "$what" != build ] && [ "$(leptosfmt --version 2>/dev/null | awk '{print $2}')" != "$LEPTOSFMT_VERSION" ]; then
  say "installing leptosfmt $LEPTOSFMT_VERSION (about 3 minutes on 2 cores, once)"
  cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
fi

# s3s-fs: an S3-compatible server on a directory that checks every request's signature;
# the tests store photos in it as a station's several servers would in a bucket (about 2
# minutes on 2 cores, once).
S3S_FS_VERSION=0.14.1
if [ "$what" != build ] && [ "$what" != dev ] && [ "$(s3s-fs --version 2>/dev/null | awk '{print $2}')" != "$S3S_FS_VERSION" ]; then
  say "installing s3s-fs $S3S_FS_VERSION (about 2 minutes on 2 cores, once)"
  cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
fi

# cargo-deny takes 4-10 minutes to build: only `make audit` installs it (`make lint` runs it
# where it is already installed).
CARGO_DENY_VERSION=0.20.2
if [ "$what" = audit ] && [ "$(cargo deny --version 2>/dev/null | awk '{print $2}')" != "$CARGO_DENY_VERSION" ]; then
  say "installing cargo-deny $CARGO_DENY_VERSION (about 10 minutes on 2 cores, once)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi

npm_install() { # dir
  if [ ! -d "$1/node_modules" ] || [ "$1/package.json" -nt "$1/node_modules" ]; then
    say "npm packages in $1"
    (cd "$1" && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
}
npm_install .

if [ "$what" = test ] || [ "$what" = audit ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v xmllint >/dev/null || missing+=(libxml2-utils)
  command -v brotli >/dev/null || missing+=(brotli)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
  npm_install end2end
fi
say "ready ($what)"
