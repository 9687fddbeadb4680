#!/usr/bin/env bash
# A throwaway PostgreSQL server for manual use, the same way tests/pg/pg_server.rs starts one:
# initdb into a temporary folder (as the `postgres` OS user when run as root), listening only on
# a Unix socket in that folder, trust authentication for the `postgres` superuser.
# Prints the URL and a psql command, then waits; Ctrl-C (or the end of COMMAND) stops the server
# and removes the folder.
# Usage: bash tests/pg/start.sh            # wait until Ctrl-C
#        bash tests/pg/start.sh COMMAND…   # run COMMAND with PG_URL/PGHOST/PGUSER set, then stop
# Environment: PG_BIN (folder of initdb/pg_ctl), PG_TEST_USER (default postgres), PG_TEST_TMPDIR.
set -euo pipefail

find_bin() {
  local name="$1" d
  for d in ${PG_BIN:+"$PG_BIN"} $(tr ':' ' ' <<<"$PATH") $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -rn); do
    if [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
  done
  echo "SKIPPED: PostgreSQL binaries not found: $name (set PG_BIN, or apt-get install postgresql)" >&2
  exit 77
}
initdb="$(find_bin initdb)"
pg_ctl="$(find_bin pg_ctl)"
psql="$(find_bin psql)"
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS PGSERVICE PGPASSWORD PGDATA

as_pg=()
if [ "$(id -u)" = 0 ]; then
  user="${PG_TEST_USER:-postgres}"
  id -u "$user" >/dev/null 2>&1 || { echo "running as root and there is no OS user '$user' to run PostgreSQL as (set PG_TEST_USER)" >&2; exit 1; }
  as_pg=(runuser -u "$user" --)
fi

dir="$(mktemp -d "${PG_TEST_TMPDIR:-${TMPDIR:-/tmp}}/pgtest-XXXXXX")"
sleeper=
cleanup() {
  [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
  (cd / && "${as_pg[@]}" "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ ${#as_pg[@]} -eq 0 ] || chown "$user" "$dir"

# The server binaries run from a directory their user can read (not /root); COMMAND runs here.
t0=$(date +%s%N)
(cd "$dir" && "${as_pg[@]}" "$initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1) \
  || { cat "$dir/initdb.log" >&2; exit 1; }
(cd "$dir" && "${as_pg[@]}" "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c port=5432 -c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null) || { cat "$dir/server.log" >&2; exit 1; }
t1=$(date +%s%N)

export PG_URL="postgres://postgres@/postgres?host=$dir" PGHOST="$dir" PGPORT=5432 PGUSER=postgres
echo "PostgreSQL $("$psql" -XAt -c 'SHOW server_version' postgres) started in $(( (t1 - t0) / 1000000 )) ms"
echo "url:  $PG_URL"
echo "psql: psql -h $dir -U postgres postgres"
if [ $# -gt 0 ]; then
  "$@"
else
  echo "Ctrl-C stops it and removes $dir"
  while true; do sleep 3600 & sleeper=$!; wait $sleeper; done
fi
