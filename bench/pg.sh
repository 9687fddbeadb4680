#!/usr/bin/env bash
# PostgreSQL figures for issue 11, against a throwaway server this script starts itself
# (tests/pg/start.sh: initdb in a temporary folder, a Unix socket only):
#   generate: `schema --dialect postgresql generate` on N tables x 17 columns against
#             drizzle-kit 0.31 on the pgTable twin of the same schema;
#   migrate:  the N-table initial migration applied by `schema migrate` against the floor,
#             the same file through `psql -1 -f` (one transaction), each on a fresh database.
# Runs alternate (ours, theirs, ours, ...); each figure is a median, printed as a ratio to its
# baseline measured in the same run, absolute times beside.
# Usage: bash bench/pg.sh            Environment: WORK (default /tmp/schema-bench), N (500), RUNS (5)
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
work="${WORK:-/tmp/schema-bench}"
n="${N:-500}"
runs="${RUNS:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
mkdir -p "$work"

if [ -z "${PG_URL:-}" ]; then
  # Re-run inside a server of our own.
  exec bash "$root/tests/pg/start.sh" bash "$0" "$@"
fi

(cd "$root" && cargo build --release -q -p schema-cli)
(cd "$here" && cargo build --release -q --bins)
GEN="$CARGO_TARGET_DIR/release/gen"
g="$work/pg-$n"
rm -rf "$g" && mkdir -p "$g"
# Timed from a fresh copy, as run.sh times every binary (see there: the page cache maps a file
# the linker wrote with more faults than one copied whole).
cp "$CARGO_TARGET_DIR/release/schema" "$g/schema"
SCHEMA="$g/schema"
"$GEN" schema --tables "$n" "$g/base" >/dev/null
# The pgTable twin: the same tables, columns, keys, indexes and checks in pg-core's words.
sed -e "s/sqliteTable/pgTable/g" \
    -e "s#from 'drizzle-orm/sqlite-core'#from 'drizzle-orm/pg-core'#" \
    -e "s/import { pgTable, text, integer, real, blob,/import { pgTable, text, integer, real, boolean, customType,/" \
    -e "s/integer('\([a-z_0-9]*\)', { mode: 'boolean' })/boolean('\1')/g" \
    -e "s/blob('\([a-z_0-9]*\)')/bytea('\1')/g" \
    "$g/base/schema.ts" >"$g/schema.pg.ts"
sed -i "3a const bytea = customType<{ data: Buffer }>({ dataType() { return 'bytea'; } });" "$g/schema.pg.ts"
printf 'dialect = "postgresql"\nschema = "schema.rs"\nout = "migrations"\n' >"$g/base/schema.pg.toml"

ms() { local s e; s=$(date +%s%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
say() { echo "$*" | tee -a "$work/pg-results.txt"; }

kit=""
if command -v npm >/dev/null; then
  d="$work/drizzle-kit-pg"
  if [ ! -f "$d/node_modules/drizzle-kit/bin.cjs" ]; then
    mkdir -p "$d" && (cd "$d" && npm init -y >/dev/null && \
      npm install --silent --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45 >install.log 2>&1) || d=""
  fi
  [ -n "$d" ] && kit="$d/node_modules/drizzle-kit/bin.cjs"
fi
[ -z "$kit" ] && say "npm or drizzle-kit not available: drizzle-kit is not measured"

say "== PostgreSQL, $n tables x 17 columns, $runs runs each, $(date -u +%F)"
ours=() theirs=()
for i in $(seq "$runs"); do
  rm -rf "$g/ours" && cp -r "$g/base" "$g/ours"
  ours+=("$(ms bash -c "cd '$g/ours' && '$SCHEMA' --config schema.pg.toml generate --name init")")
  if [ -n "$kit" ]; then
    rm -rf "$g/kit" && mkdir -p "$g/kit" && cp "$g/schema.pg.ts" "$g/kit/schema.ts"
    echo "export default { dialect: 'postgresql', schema: './schema.ts', out: './drizzle' };" >"$g/kit/drizzle.config.ts"
    ln -s "$(dirname "$(dirname "$(dirname "$kit")")")/node_modules" "$g/kit/node_modules"
    theirs+=("$(ms bash -c "cd '$g/kit' && node '$kit' generate --name init")")
    ls "$g/kit/drizzle/"*.sql >/dev/null
  fi
done
o=$(printf '%s\n' "${ours[@]}" | median)
say "generate (ours, first run): ${o} ms"
if [ ${#theirs[@]} -gt 0 ]; then
  t=$(printf '%s\n' "${theirs[@]}" | median)
  say "generate (drizzle-kit 0.31 on the pgTable twin): ${t} ms = $(awk "BEGIN {printf \"%.1f\", $t / $o}")x ours"
fi

# migrate: the initial migration on a fresh database each time, ours against psql -1.
sql="$g/ours/migrations/0000_init.sql"
base_url="${PG_URL%%\?*}"; query="${PG_URL#*\?}"; base_url="${base_url%/*}"
ours=() floor=()
for i in $(seq "$runs"); do
  psql -X -q -h "$PGHOST" -U postgres -d postgres -c "DROP DATABASE IF EXISTS b_ours" -c "CREATE DATABASE b_ours" \
    -c "DROP DATABASE IF EXISTS b_floor" -c "CREATE DATABASE b_floor" >/dev/null
  ours+=("$(ms "$SCHEMA" --config "$g/ours/schema.pg.toml" migrate --url "$base_url/b_ours?$query")")
  floor+=("$(ms psql -X -q -v ON_ERROR_STOP=1 -1 -h "$PGHOST" -U postgres -d b_floor -f "$sql")")
done
o=$(printf '%s\n' "${ours[@]}" | median)
f=$(printf '%s\n' "${floor[@]}" | median)
say "migrate $n tables: ours ${o} ms, psql -1 ${f} ms = $(awk "BEGIN {printf \"%.2f\", $o / $f}")x the floor"
