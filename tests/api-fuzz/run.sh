#!/usr/bin/env bash
# Property-based fuzzing of the running server from its own OpenAPI
# document (schemathesis): thousands of generated requests, valid and
# malformed, to every operation; the run fails on any 5xx answer or a
# response that does not match the document.
# Usage: RAMPART_BIN=target/debug/rampart tests/api-fuzz/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${RAMPART_BIN:?set RAMPART_BIN to the rampart binary}
examples=${API_FUZZ_EXAMPLES:-30}

venv="$here/.venv"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
fi

work=$(mktemp -d /tmp/rampart-api-fuzz.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
password="api-fuzz-password-1234"
RAMPART_PASSWORD=$password "$bin" admin create-user --data-dir "$work/data" --username fuzz --admin >/dev/null 2>&1
RAMPART_SECRET_KEY=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())') \
  "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

# Sign in, make an admin token, and give the fuzzer one of everything to find.
login=$(curl -sf -i -X POST "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"fuzz\",\"password\":\"$password\"}")
cookie=$(grep -o 'rampart_session=[^;]*' <<<"$login")
csrf=$(grep -o '"csrf_token":"[^"]*' <<<"$login" | cut -d'"' -f4)
session=(-H "cookie: $cookie" -H "x-csrf-token: $csrf" -H 'content-type: application/json')
token=$(curl -sf -X POST "$base/api/v1/tokens" "${session[@]}" -d '{"name":"fuzz","role":"admin"}' \
  | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')

# From the scratch directory: schemathesis keeps a cache where it runs.
cd "$work"
"$venv/bin/st" run "$base/api/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$examples" --exclude-method DELETE --exclude-path /api/v1/auth/logout \
  --no-color || { echo "server log:"; tail -n 40 "$work/server.log"; exit 1; }
