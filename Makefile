# The two commands a new machine needs: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
# Where cargo puts its builds: a CARGO_TARGET_DIR set in the environment moves them.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
RAMPART := $(TARGET_DIR)/release/rampart
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo build web test test-rust test-web test-browser test-api-fuzz packages lint ci bench bench-pytm bench-server bench-editor fuzz clean

## demo: build Rampart, analyze every example model (reports in target/demo/), then serve the sample organisation
demo: build
	@mkdir -p target/demo
	@for model in $(EXAMPLES); do \
	  name=$$(basename $$model .yaml); \
	  echo "=== $$model"; \
	  $(RAMPART) analyze $$model | tail -n 12; \
	  $(RAMPART) analyze $$model --format markdown --output target/demo/$$name.md; \
	  $(RAMPART) analyze $$model --format sarif --output target/demo/$$name.sarif; \
	  $(RAMPART) analyze $$model --format json --output target/demo/$$name.json; \
	  $(RAMPART) diagram $$model --output target/demo/$$name.svg; \
	  $(RAMPART) report $$model --format xlsx --output target/demo/$$name.xlsx; \
	  $(RAMPART) report $$model --format html --output target/demo/$$name.html; \
	  $(RAMPART) report $$model --format pdf --output target/demo/$$name.pdf; \
	done
	@echo; echo "=== models from infrastructure as code (examples/iac/)"
	$(RAMPART) import kubernetes examples/iac/kubernetes --output target/demo/kubernetes.yaml
	$(RAMPART) import compose examples/iac/compose/docker-compose.yml --output target/demo/compose.yaml
	$(RAMPART) import terraform examples/iac/terraform/aws-shop --output target/demo/terraform.yaml
	$(RAMPART) analyze target/demo/kubernetes.yaml | tail -n 3
	@echo; echo "=== a live AWS account (examples/iac/aws-inventory/, aws-config/): model and drift"
	$(RAMPART) import aws-inventory examples/iac/aws-inventory --output target/demo/aws-inventory.yaml
	$(RAMPART) drift examples/iac/aws-config/snapshot.json examples/iac/aws-inventory
	@echo; echo "=== to and from other threat-modeling tools"
	$(RAMPART) report examples/ecommerce.yaml --format otm --output target/demo/ecommerce.otm.json
	$(RAMPART) report examples/ecommerce.yaml --format cyclonedx --output target/demo/ecommerce.cdx.json
	$(RAMPART) import otm target/demo/ecommerce.otm.json --output target/demo/ecommerce-from-otm.yaml
	@echo; echo "Reports, diagrams and exports: target/demo/*.html, *.pdf, *.md, *.sarif, *.json, *.svg, *.xlsx, *.otm.json, *.cdx.json"
	@echo; echo "=== the platform server with the sample organisation Northwind Group (docs/server.md)"
	rm -rf target/demo/server-data
	mkdir -p target/demo/server-data
	$(RAMPART) admin load-sample --data-dir target/demo/server-data
	@echo; echo "Rampart: open http://127.0.0.1:8080 for the browser editor (API reference: http://127.0.0.1:8080/api/docs)"
	@echo "Sign in as admin, architect, developer, viewer or payments-lead; password: rampart-demo-password"
	@echo "Press Ctrl-C to stop the server."
	$(RAMPART) serve --data-dir target/demo/server-data --listen 127.0.0.1:8080

build: web
	$(CARGO) build --release -p rampart-cli

## web: the browser editor (web/: React + Vite), built into web/dist, which the rampart binary embeds
web: web/dist/index.html

WEB_SOURCES := $(shell find web/src web/public web/scripts -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package.json

# `npm install`, not `npm ci`: the lock file lists no other platform's
# optional packages (Rollup's, esbuild's) when the registry in use does not
# serve them, and `npm ci` refuses such a lock. With the lock present,
# `npm install` installs exactly its versions and leaves it unchanged.
web/node_modules/.installed: web/package-lock.json web/package.json
	scripts/ensure-packages.sh node=nodejs npm=npm
	cd web && npm install --no-audit --no-fund --loglevel=error
	touch $@

# Rebuilt only when a source changed: a new dist makes Cargo rebuild the server.
web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

## test: every test: the workspace's (unit, CLI, library fixtures, snapshots, PDF, server on SQLite and
## PostgreSQL), the browser tests, and the API fuzzing from the OpenAPI document
test: test-rust test-web test-browser test-api-fuzz

## packages: the Debian packages the tests use (Chromium, poppler-utils), installed when missing
packages:
	scripts/ensure-packages.sh chromium=chromium pdftotext=poppler-utils pdfinfo=poppler-utils

# One set of test targets for both test runs below: the same features, so
# the browser tests reuse the binaries the Rust tests built.
TEST_TARGETS := --workspace --lib --bins --tests --examples

# The server's tests run on SQLite and on a throwaway PostgreSQL that
# scripts/with-postgres.sh starts (installing it from Debian when missing).
test-rust: packages web
	scripts/with-postgres.sh $(CARGO) test $(TEST_TARGETS)
	$(CARGO) test --workspace --doc

## test-web: the browser app's unit tests (vitest), and its API types checked against the server's OpenAPI document
test-web: web
	$(CARGO) test $(TEST_TARGETS) --no-run
	$(TARGET_DIR)/debug/rampart admin openapi > target/openapi.json
	cd web && RAMPART_OPENAPI=../target/openapi.json npm run api:check
	cd web && npm test

## test-browser: the HTML report and the browser editor (against a running server) in real headless Chromium (playwright-core from npm)
test-browser: packages web
	# The integration tests' build leaves target/debug/rampart and
	# rampart-modelgen; `cargo build` would resolve other features and
	# compile typst a second time.
	$(CARGO) test $(TEST_TARGETS) --no-run
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	cd tests/browser && RAMPART_BIN=$(abspath $(TARGET_DIR))/debug/rampart \
	  RAMPART_MODELGEN_BIN=$(abspath $(TARGET_DIR))/debug/rampart-modelgen npm test

## test-api-fuzz: schemathesis (from PyPI) sends generated requests to every operation of a running
## `rampart serve`; any 5xx or answer that breaks the OpenAPI document fails
test-api-fuzz:
	$(CARGO) test $(TEST_TARGETS) --no-run
	RAMPART_BIN=$(abspath $(TARGET_DIR))/debug/rampart tests/api-fuzz/run.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## ci: what .ci/run runs
ci: lint test

## bench: criterion benchmarks and whole-CLI timings for N = 1,000 / 5,000 / 20,000
bench:
	$(CARGO) bench -p rampart-modelgen
	bench/cli.sh

## bench-server: req/s and p50/p90/p99 of `rampart serve` (reads; 200-component saves of one model, and of a model per client), 50 clients, SQLite and PostgreSQL
bench-server:
	bench/server.sh

## bench-editor: the browser editor in headless Chromium — opening a 1,000-component / 3,000-flow model,
## pan and zoom frame rates, and edit-to-threats time on a 500-component model (bench/out/editor.json)
bench-editor: build packages
	$(CARGO) build --release -p rampart-modelgen
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	RAMPART_BIN=$(abspath $(TARGET_DIR))/release/rampart RAMPART_MODELGEN_BIN=$(abspath $(TARGET_DIR))/release/rampart-modelgen bench/editor.sh

## bench-pytm: the same generated architecture in OWASP pytm and in Rampart
bench-pytm:
	bench/vs-pytm.sh

## fuzz: fuzz every parser, FUZZ_SECONDS each (needs `cargo install cargo-fuzz`; stable toolchain, so no sanitizer)
FUZZ_SECONDS ?= 300
fuzz:
	cd fuzz && for target in parse_model import_tools import_iac; do \
		$(CARGO) fuzz run -s none $$target -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

clean:
	$(CARGO) clean
