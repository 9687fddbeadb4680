#!/usr/bin/env bash
# drizzle-kit continuing folders `schema generate` wrote, and the reverse, for each exchange
# scenario in tests/fixtures/drizzle-compat/exchange_*: every continuation must report no
# changes. Installs drizzle-kit into a temporary folder (npm registry); exits 77 if it cannot.
# Usage: SCHEMA_BIN=target/debug/schema bash tests/drizzle-kit/exchange.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures/drizzle-compat"
schema="${SCHEMA_BIN:?set SCHEMA_BIN to the schema binary}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null 2>&1
if ! npm install --silent --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45 >install.log 2>&1; then
  echo "cannot install drizzle-kit from the npm registry: $(tail -3 install.log)"
  exit 77
fi

kit() { # kit <schema.ts> <out folder>
  printf "import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ dialect: 'sqlite', schema: './%s', out: './%s' });\n" "$1" "$2" > drizzle.config.ts
  ./node_modules/.bin/drizzle-kit generate --config drizzle.config.ts 2>&1
}
expect_none() { # expect_none <label> <output>
  if ! grep -q "No schema changes" <<<"$2"; then
    echo "FAIL $1: expected no changes, got:"; echo "$2"; exit 1
  fi
  echo "ok   $1"
}

# A folder using what drizzle-kit's format cannot say (STRICT, WITHOUT ROWID, COLLATE) must
# still be one drizzle-kit reads: its own `check` validates every snapshot.
cp -r "$here/../../examples/blog/migrations" blog
out="$(./node_modules/.bin/drizzle-kit check --dialect sqlite --out ./blog 2>&1)" || {
  echo "FAIL drizzle-kit check on the blog example's folder:"; echo "$out"; exit 1; }
if grep -qi "malformed\|error" <<<"$out"; then echo "FAIL drizzle-kit check on the blog example's folder:"; echo "$out"; exit 1; fi
echo "ok   drizzle-kit check accepts the blog example's folder"

for dir in "$fixtures"/exchange_*; do
  name="$(basename "$dir")"
  rm -rf ours ./*.ts ./*.rs
  cp "$dir"/v1.ts "$dir"/v2.ts "$dir"/v1.rs "$dir"/v2.rs .
  "$schema" generate --schema v1.rs --out ours --name init >/dev/null
  expect_none "$name: drizzle-kit on our v1 folder" "$(kit v1.ts ours)"
  "$schema" generate --schema v2.rs --out ours --name v2 >/dev/null
  expect_none "$name: drizzle-kit on our v2 folder" "$(kit v2.ts ours)"
  # And drizzle-kit writing v2 on our v1 folder, continued by us.
  rm -rf mixed
  "$schema" generate --schema v1.rs --out mixed --name init >/dev/null
  kit v2.ts mixed >/dev/null
  expect_none "$name: us on drizzle-kit's v2 over our v1" "$("$schema" generate --schema v2.rs --out mixed)"
done
