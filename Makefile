# The two commands a new machine needs: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
RAMPART := target/release/rampart
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo build test lint ci bench bench-pytm fuzz clean

## demo: build Rampart and analyze every example model (reports in target/demo/)
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
	done
	@echo; echo "Reports, diagrams and exports: target/demo/*.md, *.sarif, *.json, *.svg, *.xlsx"

build:
	$(CARGO) build --release -p rampart-cli

## test: every test of the workspace (unit, CLI, library fixtures, snapshots)
test:
	$(CARGO) test --workspace --lib --bins --tests --examples
	$(CARGO) test --workspace --doc

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## ci: what .ci/run runs
ci: lint test

## bench: criterion benchmarks and whole-CLI timings for N = 1,000 / 5,000 / 20,000
bench:
	$(CARGO) bench -p rampart-modelgen
	bench/cli.sh

## bench-pytm: the same generated architecture in OWASP pytm and in Rampart
bench-pytm:
	bench/vs-pytm.sh

## fuzz: fuzz the model reader (needs `cargo install cargo-fuzz`; stable toolchain, so no sanitizer)
fuzz:
	cd fuzz && $(CARGO) fuzz run -s none parse_model -- -max_total_time=300

clean:
	$(CARGO) clean
