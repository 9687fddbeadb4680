#!/usr/bin/env bash
# drizzle-kit continuing PostgreSQL folders `schema generate` wrote: for each evolve fixture in
# tests/fixtures/drizzle-compat-pg whose Rust twins use only what the dialect has today, our
# generate writes v1 then v2, and drizzle-kit 0.31, given v2.ts, must report no changes. (The
# reverse direction runs in every `cargo test`: tests/tests/postgres.rs.)
# Installs drizzle-kit and drizzle-orm into a temporary folder (npm registry); exits 77 if it cannot.
# Usage: SCHEMA_BIN=target/debug/schema bash tests/drizzle-kit/exchange_pg.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures/drizzle-compat-pg"
schema="$(cd "$(dirname "${SCHEMA_BIN:?set SCHEMA_BIN to the schema binary}")" && pwd)/$(basename "$SCHEMA_BIN")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null 2>&1
if ! npm install --silent --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45 >install.log 2>&1; then
  echo "cannot install drizzle-kit from the npm registry: $(tail -3 install.log)"
  exit 77
fi
for case in evolve_add_column evolve_change_type evolve_default evolve_drop_column evolve_foreign_key \
            evolve_not_null evolve_rename_column evolve_rename_table evolve_enum_add_value evolve_enum_drop_value \
            evolve_index_concurrently; do
  d="$work/$case"; mkdir -p "$d"; cd "$d"
  cp "$fixtures/$case/v1.rs" schema.rs
  "$schema" --dialect postgresql --schema schema.rs --out drizzle generate --name init >/dev/null
  cp "$fixtures/$case/v2.rs" schema.rs
  "$schema" --dialect postgresql --schema schema.rs --out drizzle generate --name v2 >/dev/null 2>&1
  cp "$fixtures/$case/v2.ts" schema.ts
  ln -s "$work/node_modules" node_modules
  printf "export default { dialect: 'postgresql', schema: './schema.ts', out: './drizzle' };\n" > drizzle.config.ts
  out="$(./node_modules/.bin/drizzle-kit generate 2>&1 || true)"
  if ! grep -q "No schema changes" <<<"$out"; then
    echo "FAIL $case: drizzle-kit did not continue our folder with no changes:"; echo "$out"; exit 1
  fi
  echo "ok   $case"
done
