#!/usr/bin/env bash
# Applies every drizzle-kit PostgreSQL fixture (tests/fixtures/drizzle-compat-pg) with
# drizzle-orm's own migrator on a throwaway PostgreSQL server, and prints one line per run:
#   <case> <how> ok|FAIL <error>
# where <how> is `fresh` (the whole folder on an empty database) or, for evolve_* cases,
# `rows` (the v1 migration, then the case's rows.sql, then the rest). Then compares the lines
# with apply_pg_fixtures.expected (drizzle-kit's known failures are expected there).
# Installs drizzle-orm and pg into a temporary folder unless KIT_DIR names a folder whose
# node_modules has them; exits 77 without the npm registry or without PostgreSQL binaries.
# Usage: bash tests/drizzle-kit/apply_pg_fixtures.sh [--update]   (--update rewrites .expected)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures/drizzle-compat-pg"

if [ -z "${PGHOST:-}" ] || [ -z "${APPLY_PG_INSIDE:-}" ]; then
  # Re-run inside a server of our own.
  APPLY_PG_INSIDE=1 exec bash "$here/../pg/start.sh" bash "$here/$(basename "$0")" "$@"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "${KIT_DIR:-}" ]; then
  export NODE_PATH="$KIT_DIR/node_modules"
else
  (cd "$work" && npm init -y >/dev/null 2>&1 &&
    npm install --silent --no-audit --no-fund drizzle-orm@0.45 pg@8 >install.log 2>&1) || {
    echo "cannot install drizzle-orm and pg from the npm registry: $(tail -3 "$work/install.log")"; exit 77; }
  export NODE_PATH="$work/node_modules"
fi
cp "$here/orm_migrate_pg.cjs" "$work/"
chmod -R a+rX "$work"

db_n=0
newdb() { # sets $db to a new, empty database
  db_n=$((db_n + 1)); db="f$db_n"
  psql -XqAt -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
}
url() { echo "postgres://postgres@/$1?host=$PGHOST"; }
orm() { # orm <db> <folder>: "ok" or "FAIL <first error line>"
  local out
  if out="$(node "$work/orm_migrate_pg.cjs" "$(url "$1")" "$2" 2>&1)"; then echo ok
  else echo "FAIL $(grep -m1 '^error:' <<<"$out" | sed 's/^error: //')"; fi
}
first_only() { # first_only <folder> <dest>: a copy holding only the journal's first migration
  rm -rf "$2"; cp -r "$1" "$2"
  node -e "
const fs = require('fs'); const d = process.argv[1]; const j = JSON.parse(fs.readFileSync(d + '/meta/_journal.json'));
for (const e of j.entries.splice(1)) { fs.unlinkSync(d + '/' + e.tag + '.sql'); fs.unlinkSync(d + '/meta/' + String(e.idx).padStart(4, '0') + '_snapshot.json'); }
fs.writeFileSync(d + '/meta/_journal.json', JSON.stringify(j, null, 2));" "$2"
}
tracked() { psql -XqAt -d "$1" -c 'SELECT count(*) FROM drizzle.__drizzle_migrations' 2>/dev/null || echo 0; }

results="$work/results.txt"
: >"$results"
for dir in "$fixtures"/*/; do
  name="$(basename "$dir")"
  folder="$dir/migrations"; [ -d "$folder" ] || folder="$dir/drizzle"
  newdb
  echo "$name fresh $(orm "$db" "$folder")" >>"$results"
  if [ -f "$dir/rows.sql" ]; then
    newdb
    first_only "$folder" "$work/v1"
    r="$(orm "$db" "$work/v1")"
    [ "$r" = ok ] || { echo "$name rows v1 $r" >>"$results"; continue; }
    psql -XqAt -v ON_ERROR_STOP=1 -d "$db" -f "$dir/rows.sql" >/dev/null
    before="$(tracked "$db")"
    r="$(orm "$db" "$folder")"
    after="$(tracked "$db")"
    # A failure must leave the tracking table as it was (the migrator's one transaction).
    if [ "$r" != ok ] && [ "$before" != "$after" ]; then r="$r (tracking rows $before -> $after!)"; fi
    echo "$name rows $r" >>"$results"
  fi
done
cat "$results"
if [ "${1:-}" = --update ]; then
  cp "$results" "$here/apply_pg_fixtures.expected"; echo "wrote apply_pg_fixtures.expected"
elif diff -u "$here/apply_pg_fixtures.expected" "$results"; then
  echo "ok   every fixture applies (or fails) as recorded"
else
  echo "FAIL results differ from apply_pg_fixtures.expected"; exit 1
fi
