#!/usr/bin/env bash
# drizzle-kit continuing folders `schema generate` wrote, and the reverse, for each exchange
# scenario in tests/fixtures/drizzle-compat/exchange_*: every continuation must report no
# changes. Then drizzle-orm's own migrator and `schema migrate` taking turns on one database.
# Installs drizzle-kit, drizzle-orm and @libsql/client into a temporary folder (npm registry);
# exits 77 if it cannot.
# Usage: SCHEMA_BIN=target/debug/schema bash tests/drizzle-kit/exchange.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../fixtures/drizzle-compat"
schema="${SCHEMA_BIN:?set SCHEMA_BIN to the schema binary}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null 2>&1
if ! npm install --silent --no-audit --no-fund drizzle-kit@0.31.11 drizzle-orm@0.45 @libsql/client@0.15 >install.log 2>&1; then
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

# drizzle-orm's migrator and ours on one database, both ways.
cp "$here/orm_migrate.cjs" .
orm() { node orm_migrate.cjs "$1" "$2"; }
q() { node -e "
const { createClient } = require('@libsql/client');
const c = createClient({ url: 'file:$1' });
c.execute(process.argv[1]).then(r => { console.log(r.rows.map(x => Object.values(x).join('|')).join(',')); c.close(); });
" "$2"; }
rm -rf full v1 && cp -r "$fixtures/exchange_child_foreign_key/drizzle" full && cp -r full v1
node -e "
const fs = require('fs'); const j = JSON.parse(fs.readFileSync('v1/meta/_journal.json'));
for (const e of j.entries.splice(1)) { fs.unlinkSync('v1/' + e.tag + '.sql'); fs.unlinkSync('v1/meta/' + String(e.idx).padStart(4, '0') + '_snapshot.json'); }
fs.writeFileSync('v1/meta/_journal.json', JSON.stringify(j, null, 2));"

"$schema" migrate --out v1 --url ours-first.db >/dev/null
orm ours-first.db full
rows="$(q ours-first.db "SELECT count(*), count(id), count(tag) FROM __drizzle_migrations")"
[ "$rows" = "2|2|1" ] || { echo "FAIL drizzle-orm after us: tracking rows (all, with id, with tag) = $rows"; exit 1; }
echo "ok   drizzle-orm's migrator continues a database we migrated (applies only what is new)"

orm orm-first.db v1
"$schema" migrate --out full --url orm-first.db >/dev/null
rows="$(q orm-first.db "SELECT count(*), count(id), count(tag) FROM __drizzle_migrations")"
[ "$rows" = "2|2|1" ] || { echo "FAIL us after drizzle-orm: tracking rows (all, with id, with tag) = $rows"; exit 1; }
orm orm-first.db full
rows="$(q orm-first.db "SELECT count(*) FROM __drizzle_migrations")"
[ "$rows" = "2" ] || { echo "FAIL drizzle-orm re-applied a migration we applied: $rows rows"; exit 1; }
"$schema" status --out full --url orm-first.db | grep -q "0 pending, 0 edited, 0 missing" || { echo "FAIL status after drizzle-orm"; exit 1; }
echo "ok   we continue a database drizzle-orm migrated, its NULL ids made real, and it continues ours"
