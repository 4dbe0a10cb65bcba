#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, installing PostgreSQL
# from Debian when it is missing. The command sees
#   RAMPART_TEST_POSTGRES=postgres://rampart@127.0.0.1:PORT/postgres
# (a superuser URL: tests create a database each). The cluster lives in a
# temporary directory and is stopped and removed when the command ends.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! bin=$(find_bin); then
  echo "installing PostgreSQL from Debian (postgresql)" >&2
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null
  bin=$(find_bin)
fi

root=$(mktemp -d /tmp/rampart-pg.XXXXXX)
# PostgreSQL refuses to run as root: the cluster belongs to an unprivileged user.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$root"
  run_as=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${run_as[@]}" "$bin/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT

"${run_as[@]}" "$bin/initdb" -D "$root/data" -U rampart --auth=trust -E UTF8 --no-locale >"$root/initdb.log" 2>&1 \
  || { cat "$root/initdb.log" >&2; exit 1; }
# Durability stays on (fsync): the crash test relies on it. Connections are
# raised for the load benchmark's 50 clients per replica.
"${run_as[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
  || { cat "$root/server.log" >&2; exit 1; }

export RAMPART_TEST_POSTGRES="postgres://rampart@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port" >&2
"$@"
