// drizzle-orm's own migrator on a SQLite file: node orm_migrate.cjs <db file> <migrations folder>
const { drizzle } = require('drizzle-orm/libsql');
const { migrate } = require('drizzle-orm/libsql/migrator');
const { createClient } = require('@libsql/client');
const client = createClient({ url: 'file:' + process.argv[2] });
migrate(drizzle(client), { migrationsFolder: process.argv[3] })
  .then(() => client.close())
  .catch((e) => { console.error(e.message || e); process.exit(1); });
