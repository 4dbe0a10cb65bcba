#!/usr/bin/env bash
# Benchmark of the browser editor (issue 7), measured in real headless
# Chromium: opening a 1,000-component / 3,000-flow model, pan and zoom frame
# rate on it, and a property edit → updated threats on a 500-component model.
# Starts its own `rampart serve` on a fresh database (and a user) and stops it.
# Prints a table; the JSON goes to bench/out/editor.json.
#
# Targets: open < 3 s, ≥ 30 frames per second, edit → threats < 300 ms.
#
# Builds nothing. RAMPART_BIN must name a `rampart` binary that embeds the web
# app (built after `cd web && npm run build`); rampart-modelgen is looked up
# next to it unless RAMPART_MODELGEN_BIN is set. Needs Debian's chromium and
# playwright-core (`cd tests/browser && npm ci`).
#
# Usage: RAMPART_BIN=target/debug/rampart bench/editor.sh
# Environment: RUNS (opens per case, 3), EDITS (edit round trips, 5), CHROMIUM.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

export RAMPART_BIN="${RAMPART_BIN:-$root/target/debug/rampart}"
if [ ! -x "$RAMPART_BIN" ]; then
    echo "RAMPART_BIN=$RAMPART_BIN is not an executable: build rampart first" >&2
    exit 2
fi
if [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
    echo "playwright-core is missing: run (cd tests/browser && npm ci)" >&2
    exit 2
fi

mkdir -p "$here/out"
exec node "$here/editor.mjs"
