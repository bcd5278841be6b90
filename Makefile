# 家警务 portal. `make run` builds and serves it with demo data; `make test` runs every test.
# Both install what is missing first (scripts/setup.sh) and skip what is there.
SHELL := /bin/bash
.DEFAULT_GOAL := run

export LEPTOS_OUTPUT_NAME := portal
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
DATABASE_URL ?= sqlite://data/portal.db?mode=rwc
export DATABASE_URL

.PHONY: run dev build test audit fmt lint test-rust test-postgres test-e2e test-proxy test-release setup setup-test sizes bench clean

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

## Build the release portal and serve it at http://127.0.0.1:3000 on SQLite with demo data.
run: setup
	cargo xtask build --release
	$(TARGET_DIR)/release/portal demo-data
	LEPTOS_ENV=PROD $(TARGET_DIR)/release/portal serve

## Rebuild and reload on every change.
dev:
	@scripts/setup.sh dev
	@# cargo-leptos writes the plain names only: the list of an earlier `cargo xtask` build
	@# would name that build's bundle.
	rm -f target/site/pkg/hash.txt
	cargo leptos watch

## Every test: formatting and lints, domain and HTTP suites on SQLite and PostgreSQL,
## the browser suite in Debian's Chromium (with and without JavaScript), the portal behind
## Debian's nginx, then the release bundle `make run` serves, held to the WASM + JS budget.
test: setup-test lint test-rust test-postgres test-e2e test-proxy test-release

## Formats as `make lint` checks: leptosfmt for the view! macros, then rustfmt for the rest.
fmt:
	leptosfmt app/src
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	leptosfmt --check app/src
	@if cargo deny --version >/dev/null 2>&1; then cargo deny --offline check licenses bans sources; \
	else echo "cargo-deny is not installed: licences, bans and sources are checked by 'make audit'"; fi
	cargo clippy -p domain -p app -p server -p xtask --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The suites' SQLite files and backups go to a directory of this run, removed when it ends.
SCRATCH = tmp=$$(mktemp -d /tmp/portal-tests.XXXXXX); trap 'rm -rf "$$tmp"' EXIT; export TMPDIR=$$tmp;

# The packages and features every debug build of the tests uses: the domain and HTTP suites,
# and the `portal` binary the browser and proxy suites run, which `cargo test` builds beside
# them (the same features, so one debug build of the server, not a second one with fewer).
TESTED = -p domain -p app -p server --features app/ssr
DEBUG_SITE = cargo xtask site && cargo test --no-run $(TESTED)

test-rust:
	$(SCRATCH) cargo test $(TESTED)

test-postgres:
	$(SCRATCH) scripts/with-postgres.sh cargo test $(TESTED)

## A port of its own: a server left behind by an interrupted run does not stop this one.
test-e2e:
	$(DEBUG_SITE)
	cd end2end && port=$$(../scripts/free-port.sh 3100) && empty=$$(../scripts/free-port.sh $$((port + 1))) && \
	  sms=$$(../scripts/free-port.sh $$((empty + 1))) && fake=$$(../scripts/free-port.sh $$((sms + 1))) && \
	  wechat=$$(../scripts/free-port.sh $$((fake + 1))) && smtp=$$(../scripts/free-port.sh $$((wechat + 1))) && \
	  mail=$$(../scripts/free-port.sh $$((smtp + 1))) && \
	  E2E_PORT=$$port E2E_EMPTY_PORT=$$empty E2E_SMS_PORT=$$sms E2E_SMS_FAKE_PORT=$$fake \
	  E2E_WECHAT_FAKE_PORT=$$wechat E2E_SMTP_PORT=$$smtp E2E_SMTP_HTTP_PORT=$$mail npx playwright test

## nginx with deploy/nginx/portal.conf (self-signed TLS) in front of two portal processes on
## one throwaway PostgreSQL, reached from several loopback addresses.
test-proxy:
	$(DEBUG_SITE)
	scripts/proxy-test.sh

## The release bundle compiles (its optimiser once refused a view type the debug build took)
## and stays within the budget. The release server is left to `make run`: it is the code the
## debug suites ran, optimised, and would add 11 minutes of a cold run's 2 cores.
test-release:
	cargo xtask site --release
	scripts/sizes.sh --check

## Licences, banned crates and sources of every dependency (installs cargo-deny once,
## 4-10 minutes; `make lint` runs the same check wherever it is installed).
audit:
	@scripts/setup.sh audit
	cargo deny --offline check licenses bans sources

## Release bundle sizes, raw and brotli: what a phone downloads.
sizes: setup
	cargo xtask site --release
	scripts/sizes.sh

## Throughput, latency, sizes, Lighthouse and memory of a release build: prints a table.
bench: setup-test
	bench/run.sh

clean:
	cargo clean
	rm -rf node_modules end2end/node_modules
