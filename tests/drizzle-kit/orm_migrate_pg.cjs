// drizzle-orm's own PostgreSQL migrator (node-postgres driver) on a database:
//   node orm_migrate_pg.cjs <url> <migrations folder> [migrations schema] [migrations table]
// <url> may name a Unix socket directory the libpq way: postgres://postgres@/app?host=/tmp/pg
// Needs drizzle-orm and pg installed where node resolves them (NODE_PATH or a node_modules
// above the working directory). On failure prints the PostgreSQL error (code, message, detail,
// hint) of the statement that failed and exits 1.
const { Client } = require('pg');
const { drizzle } = require('drizzle-orm/node-postgres');
const { migrate } = require('drizzle-orm/node-postgres/migrator');

const [url, folder, schema, table] = process.argv.slice(2);
if (!url || !folder) {
  console.error('usage: node orm_migrate_pg.cjs <url> <migrations folder> [schema] [table]');
  process.exit(2);
}
const client = new Client({ connectionString: url });
const config = { migrationsFolder: folder };
if (schema) config.migrationsSchema = schema;
if (table) config.migrationsTable = table;

client
  .connect()
  .then(() => migrate(drizzle(client), config))
  .then(() => client.end())
  .catch((e) => {
    const pg = e.cause && e.cause.code ? e.cause : e;
    const lines = [];
    if (e.query) lines.push(`statement: ${e.query.trim()}`);
    lines.push(`error: ${pg.code ? pg.code + ' ' : ''}${pg.message}`);
    if (pg.detail) lines.push(`detail: ${pg.detail}`);
    if (pg.hint) lines.push(`hint: ${pg.hint}`);
    console.error(lines.join('\n'));
    client.end().finally(() => process.exit(1));
  });
