//! [`PgDriver`]: the [`Driver`] of a PostgreSQL database, on the `postgres` crate. The
//! migrator it runs is [`super::migrator`]'s, the one an application runs.

use std::time::Instant;

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use super::migrator::{
    LOCK_TIMEOUT, Runner, blocking, ensure_tracking, insert_row, outside_transaction, read_rows, statement_error,
    tracking_exists, tracking_name,
};
use super::render::ident;
use super::{POSTGRES, introspect as introspection, split};
use crate::backend::{OpenError, OpenMode, redact};
use crate::dialect::{Dialect, Plan};
use crate::driver::{Driver, RowFilter};
use crate::migrate::{Applied, DbError, Ledger, MigrateError, Migration, MigrationState, Migrations, Progress, Status};
use crate::model::Schema;

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        match e.as_db_error() {
            Some(db) => {
                let mut message = db.message().to_string();
                if let Some(d) = db.detail() {
                    message.push_str(&format!(" ({d})"));
                }
                if let Some(h) = db.hint() {
                    message.push_str(&format!("; hint: {h}"));
                }
                DbError {
                    message,
                    code: Some(db.code().code().to_string()),
                }
            }
            None => {
                // "error connecting to server", then why: the chain of sources.
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    let said = s.to_string();
                    if !message.contains(&said) {
                        message.push_str(&format!(": {said}"));
                    }
                    source = s.source();
                }
                DbError::new(message)
            }
        }
    }
}

impl From<postgres::Error> for MigrateError {
    fn from(e: postgres::Error) -> MigrateError {
        MigrateError::Database(e.into())
    }
}

/// A PostgreSQL database.
pub struct PgDriver {
    client: Client,
    target: String,
}

impl std::fmt::Debug for PgDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDriver").field("target", &self.target).finish()
    }
}

impl PgDriver {
    /// Connects to `url`. `Create` makes the database when the server does not have it yet
    /// (as SQLite creates its file); `ReadOnly` sessions refuse every write.
    pub fn open(url: &str, mode: OpenMode) -> Result<PgDriver, OpenError> {
        let target = redact(url);
        let config: postgres::Config = url.parse().map_err(|e: postgres::Error| OpenError::Open {
            target: target.clone(),
            message: format!("not a PostgreSQL URL libpq would take: {e}"),
        })?;
        let client = match config.connect(NoTls) {
            Ok(c) => c,
            Err(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {
                if mode != OpenMode::Create {
                    return Err(OpenError::Missing(target));
                }
                create_database(&config, &target)?;
                config.connect(NoTls).map_err(|e| open_error(&target, e))?
            }
            Err(e) => return Err(open_error(&target, e)),
        };
        let mut driver = PgDriver { client, target };
        if mode == OpenMode::ReadOnly {
            driver
                .client
                .batch_execute("SET default_transaction_read_only = on")
                .map_err(|e| open_error(&driver.target, e))?;
        }
        Ok(driver)
    }

    /// A driver on a connection the caller made.
    pub fn new(client: Client) -> PgDriver {
        PgDriver {
            client,
            target: "the PostgreSQL connection".into(),
        }
    }

    /// The connection.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn open_error(target: &str, e: postgres::Error) -> OpenError {
    OpenError::Open {
        target: target.to_string(),
        message: DbError::from(e).message,
    }
}

/// `CREATE DATABASE`, through the server's `postgres` database.
fn create_database(config: &postgres::Config, target: &str) -> Result<(), OpenError> {
    let name = config.get_dbname().unwrap_or("postgres").to_string();
    let mut admin = config.clone();
    admin.dbname("postgres");
    let mut c = admin.connect(NoTls).map_err(|e| open_error(target, e))?;
    match c.batch_execute(&format!("CREATE DATABASE {}", ident(&name))) {
        Ok(()) => Ok(()),
        // Another migrator made it first (or is making it: the catalog's unique index says so).
        Err(e) if e.code() == Some(&SqlState::DUPLICATE_DATABASE) || e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            Ok(())
        }
        Err(e) => Err(open_error(target, e)),
    }
}

/// Drops the database `url` names, for `schema reset`; `Ok(false)` when there was none. The
/// server's own databases (`postgres`, `template0`, `template1`) are never dropped.
pub fn drop_database(url: &str) -> Result<bool, crate::backend::RemoveError> {
    use crate::backend::RemoveError;
    let target = redact(url);
    let unsupported = |m: String| RemoveError::Unsupported(m);
    let config: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| unsupported(format!("{target}: not a PostgreSQL URL libpq would take: {e}")))?;
    let name = config
        .get_dbname()
        .map(String::from)
        .or_else(|| config.get_user().map(String::from))
        .unwrap_or_default();
    if matches!(name.as_str(), "postgres" | "template0" | "template1" | "") {
        return Err(unsupported(format!(
            "{target} is the server's own database `{name}`, which reset never drops; name your application's database in the URL"
        )));
    }
    let mut admin = config.clone();
    admin.dbname("postgres");
    let mut c = admin.connect(NoTls).map_err(|e| {
        unsupported(format!(
            "cannot connect to {target} to drop it: {}",
            DbError::from(e).message
        ))
    })?;
    let exists = c
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .map_err(|e| unsupported(DbError::from(e).message))?
        .is_some();
    if exists {
        c.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", ident(&name)))
            .map_err(|e| unsupported(format!("cannot drop {target}: {}", DbError::from(e).message)))?;
    }
    Ok(exists)
}

impl PgDriver {
    /// The pending migrations applied in one transaction on the database itself, then rolled
    /// back: PostgreSQL's DDL is transactional, and a copy of a production database is rarely
    /// cheap. The locks are real while it runs; the rows each migration touched are read from
    /// the transaction's own statistics.
    fn rehearse_rolled_back(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<crate::rehearse::Rehearsal, crate::rehearse::RehearseError> {
        use crate::rehearse::{Rehearsal, RehearseError, Rehearsed};
        let status = self.status(migrations).map_err(RehearseError::Status)?;
        let pending: Vec<Migration> = status
            .migrations
            .into_iter()
            .filter(|(_, s)| *s == MigrationState::Pending)
            .map(|(m, _)| m)
            .collect();
        let started = Instant::now();
        let mut out = Rehearsal {
            copy: "one transaction on the database itself, rolled back (PostgreSQL's DDL is transactional);                    its locks were real while it ran"
                .into(),
            copy_time: started.elapsed(),
            pending: pending.iter().map(|m| m.tag().to_string()).collect(),
            applied: Vec::new(),
            failure: None,
        };
        let copy_error = |e: postgres::Error, target: &str| RehearseError::Copy {
            target: target.to_string(),
            source: e.into(),
        };
        let target = self.target.clone();
        let mut tx = self
            .client
            .build_transaction()
            .read_only(false)
            .start()
            .map_err(|e| copy_error(e, &target))?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = '{}ms'", LOCK_TIMEOUT.as_millis()))
            .map_err(|e| copy_error(e, &target))?;
        let touched = |tx: &mut postgres::Transaction<'_>| -> Option<u64> {
            tx.query_one(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_xact_user_tables",
                &[],
            )
            .ok()
            .map(|r| r.get::<_, i64>(0).max(0) as u64)
        };
        'each: for m in &pending {
            let began = Instant::now();
            let statements = m.statements();
            progress(&Progress::Applying {
                tag: m.tag().to_string(),
                statements: statements.len(),
            });
            if let Err(e) = outside_transaction(m).and_then(|outside| {
                if outside {
                    Err(MigrateError::Forbidden {
                        tag: m.tag().to_string(),
                        number: 1,
                        sql: statements.first().cloned().unwrap_or_default(),
                        reason: "CONCURRENTLY cannot run inside the rehearsal's transaction; it is not rehearsed"
                            .into(),
                    })
                } else {
                    Ok(())
                }
            }) {
                out.failure = Some(e);
                break;
            }
            let before = touched(&mut tx);
            for (n, s) in statements.iter().enumerate() {
                if split::statements(s).is_empty() {
                    continue;
                }
                if let Err(e) = tx.batch_execute(s) {
                    out.failure = Some(statement_error(m.tag(), n + 1, s, e));
                    break 'each;
                }
            }
            let rows = match (before, touched(&mut tx)) {
                (Some(b), Some(a)) => Some(a.saturating_sub(b)),
                _ => None,
            };
            out.applied.push(Rehearsed {
                tag: m.tag().to_string(),
                elapsed: began.elapsed(),
                rows,
            });
        }
        // Whatever happened, nothing stays.
        let _ = tx.rollback();
        Ok(out)
    }
}

impl PgDriver {
    /// The schema as this server stores it: `schema` created in a scratch namespace inside a
    /// transaction that is rolled back, then read back. Defaults, checks, generated and index
    /// expressions come back deparsed exactly as a live table's do.
    fn stored_form(&mut self, schema: &Schema) -> Result<Schema, DbError> {
        let normalized = POSTGRES.normalize(schema);
        // One scratch namespace for each schema the tables use (public included).
        let mut spaces: Vec<Option<String>> = vec![None];
        spaces.extend(super::render::namespaces(&normalized).into_iter().map(Some));
        let scratch = |i: usize| format!("schema_canon_{}_{i}", std::process::id());
        let moved_to = |s: &Option<String>| Some(scratch(spaces.iter().position(|x| x == s).unwrap_or(0)));
        let mut moved = normalized.clone();
        for t in &mut moved.tables {
            t.options.postgres.schema = moved_to(&t.options.postgres.schema);
            // Built inside this transaction, which CONCURRENTLY cannot be: the same index.
            for ix in &mut t.indexes {
                ix.options.concurrently = false;
            }
            for c in &mut t.columns {
                if let Some(e) = c.ty.enum_type_mut() {
                    e.schema = moved_to(&e.schema);
                }
            }
        }
        for e in &mut moved.enums {
            e.schema = moved_to(&e.schema);
        }
        for s in &mut moved.sequences {
            s.schema = moved_to(&s.schema);
        }
        // Read-write even in a read-only session: everything here is rolled back.
        let mut tx = self.client.build_transaction().read_only(false).start()?;
        for i in 0..spaces.len() {
            tx.batch_execute(&format!("CREATE SCHEMA {}", ident(&scratch(i))))?;
        }
        // A default calls a sequence by its real name (`nextval('billing.numbers')`), which may
        // be one this very schema creates: made where the name points too, for this rolled-back
        // transaction only, so the default resolves as it will once the schema is applied.
        for s in &normalized.sequences {
            let space = ident(s.schema.as_deref().unwrap_or("public"));
            tx.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {space}; CREATE SEQUENCE IF NOT EXISTS {space}.{}",
                ident(&s.name)
            ))?;
        }
        for stmt in super::render::create_schema(&moved) {
            tx.batch_execute(&stmt).map_err(|e| {
                let mut d = DbError::from(e);
                d.message = format!("the schema does not create on this server: {}\n{stmt}", d.message);
                d
            })?;
        }
        let namespaces: Vec<(String, Option<String>)> = spaces
            .iter()
            .enumerate()
            .map(|(i, s)| (scratch(i), s.clone()))
            .collect();
        let mut stored = introspection::read(&mut tx, &namespaces, &[])?.schema;
        tx.rollback()?;
        // Hints carry over.
        for t in &mut stored.tables {
            if let Some(orig) = normalized.tables.iter().find(|o| o.name == t.name) {
                t.renamed_from = orig.renamed_from.clone();
                for c in &mut t.columns {
                    if let Some(oc) = orig.columns.iter().find(|oc| oc.name == c.name) {
                        c.renamed_from = oc.renamed_from.clone();
                    }
                }
            }
        }
        Ok(stored)
    }

    /// The tracking table's rows (none when it does not exist yet).
    fn tracking_rows(&mut self, migrations: &Migrations) -> Result<Vec<crate::migrate::TrackingRow>, MigrateError> {
        let c = &mut self.client;
        blocking(async {
            if tracking_exists(c, migrations).await? {
                read_rows(c, migrations, None).await
            } else {
                Ok(Vec::new())
            }
        })
    }

    /// Everything introspection reads of the live database.
    fn read_live(&mut self, skip: &[&str]) -> Result<introspection::Read, DbError> {
        let namespaces = introspection::user_namespaces(&mut self.client)?;
        Ok(introspection::read(&mut self.client, &namespaces, skip)?)
    }
}

impl Driver for PgDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &POSTGRES
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    fn introspect(&mut self, skip: &[&str]) -> Result<Schema, DbError> {
        Ok(self.read_live(skip)?.schema)
    }

    fn verbatim_objects(&mut self, skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(self.read_live(skip)?.verbatim)
    }

    fn as_stored(&mut self, schema: &Schema) -> Result<Schema, DbError> {
        self.stored_form(schema)
    }

    fn unmodeled(&mut self, skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(self.read_live(skip)?.notes)
    }

    fn introspect_all(&mut self, skip: &[&str]) -> Result<crate::driver::Introspected, DbError> {
        let read = self.read_live(skip)?;
        Ok(crate::driver::Introspected {
            schema: read.schema,
            notes: read.notes,
            verbatim: read.verbatim,
        })
    }

    fn count_rows(&mut self, table: &str, filter: RowFilter<'_>) -> Result<i64, DbError> {
        let condition = match filter {
            RowFilter::All => String::new(),
            RowFilter::IsNull(c) => format!(" WHERE {} IS NULL", ident(c)),
            RowFilter::NotNull(c) => format!(" WHERE {} IS NOT NULL", ident(c)),
        };
        // The table's own schema: the first of the search path's, else any other.
        let schema: Option<String> = self
            .client
            .query_opt(
                "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relname = $1 AND c.relkind IN ('r', 'p') ORDER BY n.nspname <> 'public', n.nspname LIMIT 1",
                &[&table],
            )?
            .map(|r| r.get(0));
        let q = super::render::qualified(schema.as_deref(), table);
        let sql = format!("SELECT count(*) FROM {q}{condition}");
        Ok(self.client.query_one(&sql, &[])?.get(0))
    }

    fn apply_plan(&mut self, label: &str, plan: &Plan) -> Result<Vec<String>, MigrateError> {
        let mut tx = self.client.transaction()?;
        tx.batch_execute(&format!("SET LOCAL lock_timeout = '{}ms'", LOCK_TIMEOUT.as_millis()))?;
        for (n, s) in plan.statements.iter().enumerate() {
            tx.batch_execute(s).map_err(|e| statement_error(label, n + 1, s, e))?;
        }
        tx.commit()?;
        Ok(Vec::new())
    }

    fn status(&mut self, migrations: &Migrations) -> Result<Status, MigrateError> {
        let rows = self.tracking_rows(migrations)?;
        Ok(Ledger::new(migrations, &rows).status())
    }

    fn migrate(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        migrations.run_postgres_with(&mut self.client, progress)
    }

    fn rehearse(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<crate::rehearse::Rehearsal, crate::rehearse::RehearseError> {
        self.rehearse_rolled_back(migrations, progress)
    }

    fn mark_applied_all(&mut self, migrations: &Migrations, tags: &[&str]) -> Result<Vec<String>, MigrateError> {
        let ms: Vec<(usize, &Migration)> = tags
            .iter()
            .map(|t| {
                migrations
                    .position(t)
                    .ok_or_else(|| MigrateError::UnknownTag(t.to_string()))
            })
            .collect::<Result<_, _>>()?;
        blocking(Runner { s: &mut self.client }.mark_applied_all(migrations, &ms))
    }

    fn accept_edit(&mut self, migrations: &Migrations, tag: &str) -> Result<String, MigrateError> {
        let (i, m) = migrations
            .find(tag)
            .and_then(|m| migrations.position(m.tag()))
            .ok_or_else(|| MigrateError::UnknownTag(tag.to_string()))?;
        let rows = self.tracking_rows(migrations)?;
        let ledger = Ledger::new(migrations, &rows);
        let old = ledger.edited_hash(i)?;
        let refuse = |reason: &str| MigrateError::NotEdited {
            tag: m.tag().to_string(),
            reason: reason.to_string(),
        };
        blocking(ensure_tracking(&mut self.client, migrations))?;
        let n = self.client.execute(
            &format!(
                "UPDATE {} SET hash = $1 WHERE hash = $2 AND (tag = $3 OR (tag IS NULL AND created_at = $4))",
                tracking_name(migrations)
            ),
            &[&m.hash(), &old, &m.tag(), &m.when()],
        )?;
        if n == 0 {
            return Err(refuse(
                "its tracking row changed while this ran; look at `schema status` again",
            ));
        }
        Ok(old)
    }

    fn mark_applied(&mut self, migrations: &Migrations, tag: &str) -> Result<(), MigrateError> {
        let m = migrations
            .get(tag)
            .ok_or_else(|| MigrateError::Missing(format!("{tag}, which the folder does not have")))?;
        let c = &mut self.client;
        blocking(async {
            ensure_tracking(c, migrations).await?;
            insert_row(c, migrations, m).await
        })
    }

    fn is_empty(&mut self) -> Result<bool, DbError> {
        let n: i64 = self
            .client
            .query_one(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' \
                   AND c.relkind IN ('r', 'p', 'v', 'm', 'S')",
                &[],
            )?
            .get(0);
        Ok(n == 0)
    }
}
