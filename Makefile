# Xuetang: `make run` and `make test` work on a fresh Debian machine with
# only the Rust toolchain; everything else they need is installed here,
# pinned, and never fetched behind our back by a build tool.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM_BINDGEN_VERSION := 0.2.130
SITE := target/site
WASM_TARGET_DIR := target/wasm
WASM := $(WASM_TARGET_DIR)/wasm32-unknown-unknown/wasm-release/frontend.wasm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends

.PHONY: run build server site test test-build test-postgres tools browser-tools fonts bench bench-build bench-tools lighthouse reliability clean

## make run: install what is missing, build (release), migrate, seed, serve on :3000
run: build fonts
	./target/release/xuetang seed
	./target/release/xuetang serve

## make build: the release build alone (server binary + WebAssembly + CSS)
# The server and the WebAssembly build in separate target directories, so
# the two cargo processes run side by side on both cores.
build: tools
	$(MAKE) -j2 server site

server:
	cargo build --release --locked -p xuetang

site:
	cargo build --locked -p frontend --lib --target wasm32-unknown-unknown \
	  --profile wasm-release --target-dir $(WASM_TARGET_DIR)
	mkdir -p $(SITE)/pkg
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
	  --out-dir $(SITE)/pkg --out-name xuetang $(WASM)
	cp style/xuetang.css $(SITE)/pkg/xuetang.css
	cp public/* $(SITE)/

## make test: every test; the integration suite on SQLite, and again on
## PostgreSQL when TEST_POSTGRES_URL is set. Ends with nextest's summary.
test: tools browser-tools fonts
	$(MAKE) -j2 site test-build
	@if [ -n "$${TEST_POSTGRES_URL:-}" ]; then $(MAKE) test-postgres; \
	  else echo "TEST_POSTGRES_URL is not set: PostgreSQL suite not run (.ci/run sets it)"; fi
	cargo nextest run --locked --workspace --exclude frontend --no-fail-fast

test-build:
	cargo nextest run --locked --workspace --exclude frontend --no-run

# Same package selection as test-build, so the binaries built there are
# reused (selecting `-p xuetang` alone unifies features differently and
# rebuilds every dependency); the filter picks the suites with a database.
test-postgres:
	XUETANG_TEST_BACKEND=postgres cargo nextest run --locked --workspace --exclude frontend --no-fail-fast \
	  -E 'binary_id(xuetang::api) | binary_id(xuetang::cli) | binary_id(xuetang::backup)'

## tools: the wasm target and the wasm-bindgen CLI matching Cargo.lock
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 5 minutes)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); fi

## browser-tools: Debian's chromium and chromedriver, poppler-utils (the
## poster test reads printed PDFs back), cargo-nextest
browser-tools:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  $(SUDO) apt-get update -q && $(APT_INSTALL) chromium chromium-driver poppler-utils; fi
	@command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked

## fonts: Debian's Noto CJK (WenQuanYi as fallback) for certificates and posters
fonts:
	@if ! fc-list :lang=zh family 2>/dev/null | grep 'Noto Sans CJK' >/dev/null; then \
	  $(SUDO) apt-get update -q && $(APT_INSTALL) fontconfig fonts-noto-cjk fonts-wqy-microhei; fi

## make bench: every budget of DESIGN.md measured beside its anchor in one
## run (methods and the latest table: docs/BENCHMARKS.md); writes
## bench/results.json. PostgreSQL is started as in CI.
bench: tools fonts bench-tools
	$(MAKE) -j3 bench-build site lighthouse
	TEST_POSTGRES_URL="$${TEST_POSTGRES_URL:-$$(.ci/postgres)}" bench/run.sh

# Lighthouse (npm) is fetched while the two cargo runs compile.
lighthouse:
	bench/frontend.sh --install

# The server and the bench tool in one cargo run: built one after the other,
# the bench tool's reqwest turns on other features of hyper and tower, and
# cargo compiled the server's dependencies a second time (4.5 minutes).
bench-build:
	cargo build --release --locked -p xuetang -p xuetang-bench

## make reliability: crash, database outage, two instances behind nginx,
## 10-minute soak, then fuzzing; results in docs/RELIABILITY.md. The
## PostgreSQL scenarios use a cluster of their own on port 5439
## (reliability/cluster.sh), never the shared one.
reliability: tools fonts bench-tools
	$(MAKE) -j2 bench-build site
	TEST_POSTGRES_URL="$${TEST_POSTGRES_URL:-$$(.ci/postgres)}" reliability/run.sh

## bench-tools: Debian's wrk, nginx, sqlite3, jq, brotli, chromium and Node
## (Lighthouse 12.2.3 itself is installed by bench/frontend.sh, pinned)
bench-tools:
	@for tool in wrk nginx sqlite3 jq brotli chromium node npm psql python3 bc; do \
	  command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$${missing:-}" ]; then $(SUDO) apt-get update -q && \
	  $(APT_INSTALL) wrk nginx sqlite3 jq brotli chromium nodejs npm postgresql-client python3 bc; fi

clean:
	cargo clean
