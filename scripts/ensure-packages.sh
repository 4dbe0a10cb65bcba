#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing:
#   chromium       the browser tests drive it (tests/browser)
#   poppler-utils  pdftotext / pdfinfo read the PDF reports back
#   librsvg2-bin   rsvg-convert, to look at rendered diagrams
# Usage: scripts/ensure-packages.sh PROGRAM=PACKAGE...
set -euo pipefail

missing=()
for pair in "$@"; do
  program=${pair%%=*}
  package=${pair#*=}
  command -v "$program" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${missing[*]}" >&2
sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
