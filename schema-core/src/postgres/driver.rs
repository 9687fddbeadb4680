//! [`PgDriver`]: the [`Driver`] of a PostgreSQL database, on the `postgres` crate.
//!
//! The migrator: drizzle-orm's tracking table `"drizzle"."__drizzle_migrations"` (schema and
//! table configurable) with our `tag` and `applied_at` columns beside its own; a session
//! advisory lock around the whole run, so concurrent migrators apply each migration once; one
//! transaction per migration with its tracking row; `lock_timeout` on every statement, so a
//! migration waiting behind a long query fails clearly instead of queueing every query behind
//! it. A migration whose statements must run outside a transaction (`CREATE INDEX
//! CONCURRENTLY`) holds only such statements and runs them one by one, re-runnable: an index
//! left INVALID by a failed build is dropped and built again.

use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, GenericClient, NoTls};

use super::render::ident;
use super::{POSTGRES, introspect as introspection, split};
use crate::backend::{OpenError, OpenMode, redact};
use crate::dialect::{Dialect, Plan, StatementKind};
use crate::driver::{Driver, RowFilter};
use crate::migrate::{
    Applied, DbError, Ledger, MigrateError, Migration, MigrationState, Migrations, Progress, Status, TrackingRow,
};
use crate::model::Schema;

/// How long one statement of a migration may wait for a lock before the migration fails.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

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

/// The advisory lock's key for one tracking table: every migrator of that table takes it.
fn lock_key(m: &Migrations) -> i64 {
    // FNV-1a: stable across builds and machines, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("schema-migrations:{}.{}", m.schema(), m.table()).bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

fn tracking_name(m: &Migrations) -> String {
    format!("{}.{}", ident(m.schema()), ident(m.table()))
}

fn shape_error(m: &Migrations, problem: impl Into<String>) -> MigrateError {
    MigrateError::TrackingTable {
        table: format!("{}.{}", m.schema(), m.table()),
        problem: problem.into(),
    }
}

/// Whether the tracking table exists (an error when its shape is not one we can use).
fn tracking_exists(c: &mut impl GenericClient, m: &Migrations) -> Result<bool, MigrateError> {
    let rows = c.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), cl.relkind::text FROM pg_class cl \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE n.nspname = $1 AND cl.relname = $2",
        &[&m.schema(), &m.table()],
    )?;
    let Some(first) = rows.first() else {
        return Ok(false);
    };
    let kind: String = first.get(2);
    if kind != "r" {
        return Err(shape_error(m, "it is not a table"));
    }
    let cols: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| Some((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)))
        .collect();
    for needed in ["id", "hash", "created_at"] {
        if !cols.iter().any(|(n, _)| n == needed) {
            return Err(shape_error(
                m,
                format!(
                    "it has no `{needed}` column (its columns: {})",
                    cols.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(true)
}

/// Creates the tracking table as drizzle-orm does, and adds our columns to it.
fn ensure_tracking(c: &mut Client, m: &Migrations) -> Result<(), MigrateError> {
    if !tracking_exists(c, m)? {
        c.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {}; CREATE TABLE IF NOT EXISTS {} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)",
            ident(m.schema()),
            tracking_name(m)
        ))?;
    }
    c.batch_execute(&format!(
        "ALTER TABLE {0} ADD COLUMN IF NOT EXISTS tag text; ALTER TABLE {0} ADD COLUMN IF NOT EXISTS applied_at text",
        tracking_name(m)
    ))?;
    Ok(())
}

/// The tracking rows with an id above `after`, in the order they were written.
fn read_rows(c: &mut impl GenericClient, m: &Migrations, after: Option<i64>) -> Result<Vec<TrackingRow>, MigrateError> {
    let has_tag = c
        .query_opt(
            "SELECT 1 FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
             WHERE n.nspname = $1 AND cl.relname = $2 AND a.attname = 'tag' AND NOT a.attisdropped",
            &[&m.schema(), &m.table()],
        )?
        .is_some();
    let extra = if has_tag {
        "tag, applied_at"
    } else {
        "NULL::text, NULL::text"
    };
    let sql = format!(
        "SELECT id::bigint, hash, created_at::bigint, {extra} FROM {} WHERE id::bigint > $1 ORDER BY created_at, id",
        tracking_name(m)
    );
    let rows = c.query(&sql, &[&after.unwrap_or(i64::MIN)])?;
    Ok(rows
        .into_iter()
        .map(|r| TrackingRow {
            id: r.get(0),
            hash: r.get(1),
            created_at: r.get(2),
            tag: r.get(3),
            applied_at: r.get(4),
        })
        .collect())
}

fn insert_row(c: &mut impl GenericClient, m: &Migrations, mig: &Migration) -> Result<(), MigrateError> {
    c.execute(
        &format!(
            "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES ($1, $2, $3, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
            tracking_name(m)
        ),
        &[&mig.hash(), &mig.when(), &mig.tag()],
    )?;
    Ok(())
}

/// Whether every statement of `m` must run outside a transaction; an error when it mixes both
/// kinds (they cannot be made atomic together).
fn outside_transaction(m: &Migration) -> Result<bool, MigrateError> {
    let stmts = m.statements();
    let kinds: Vec<StatementKind> = stmts.iter().map(|s| POSTGRES.classify(s)).collect();
    let after = kinds.iter().filter(|k| **k == StatementKind::AfterCommit).count();
    if after == 0 {
        return Ok(false);
    }
    if after == kinds.len() {
        return Ok(true);
    }
    let i = kinds.iter().position(|k| *k == StatementKind::AfterCommit).unwrap_or(0);
    Err(MigrateError::Forbidden {
        tag: m.tag().to_string(),
        number: i + 1,
        sql: stmts[i].trim().to_string(),
        reason: "CONCURRENTLY cannot run inside a transaction, and this migration has statements that must; \
                 put the CONCURRENTLY statements in a migration of their own (`schema generate --custom`)"
            .into(),
    })
}

/// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name` statement builds.
fn concurrent_index_name(sql: &str) -> Option<String> {
    let mut words = sql
        .split_whitespace()
        .skip_while(|w| !w.eq_ignore_ascii_case("CONCURRENTLY"))
        .skip(1);
    let mut w = words.next()?;
    if w.eq_ignore_ascii_case("IF") {
        words.next();
        words.next();
        w = words.next()?;
    }
    if w.eq_ignore_ascii_case("ON") {
        return None;
    }
    let name = w.rsplit('.').next().unwrap_or(w);
    Some(name.trim_matches('"').replace("\"\"", "\""))
}

fn statement_error(tag: &str, number: usize, sql: &str, e: postgres::Error) -> MigrateError {
    // One of the plan's guards (a `DO $guard$` block) raised: rows the change would leave
    // without a value, counted in its message. Said as on SQLite.
    if e.code() == Some(&SqlState::RAISE_EXCEPTION)
        && sql.trim_start().starts_with("DO $guard")
        && let Some(d) = e.as_db_error()
    {
        let reason = d.message().to_string();
        let rows = reason
            .split_once(" row(s)")
            .and_then(|(head, _)| head.rsplit(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
            .unwrap_or(0);
        return MigrateError::Guarded {
            tag: tag.to_string(),
            number,
            rows,
            reason,
        };
    }
    let timed_out = e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE);
    let mut db = DbError::from(e);
    if timed_out {
        db.message = format!(
            "{}: it waited more than {}s for a lock another session holds (a long query or transaction on that table); \
             nothing of this migration was applied; run it again when the table is quiet",
            db.message,
            LOCK_TIMEOUT.as_secs()
        );
    }
    MigrateError::Statement {
        tag: tag.to_string(),
        number,
        sql: sql.trim().to_string(),
        source: Box::new(db),
    }
}

impl Migrations {
    /// Applies every migration not yet applied on a PostgreSQL connection: the same engine as
    /// `schema migrate --dialect postgresql` (advisory lock, one transaction per migration,
    /// `lock_timeout`). Returns the migrations applied, in order.
    pub fn run_postgres(&self, client: &mut Client) -> Result<Vec<Applied>, MigrateError> {
        run(client, self, &mut |_| {})
    }

    /// [`Migrations::run_postgres`], reporting as it goes.
    pub fn run_postgres_with(
        &self,
        client: &mut Client,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        run(client, self, progress)
    }
}

/// The migrator: the lock, the run, the lock given back however the run ended.
fn run(
    client: &mut Client,
    migrations: &Migrations,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Vec<Applied>, MigrateError> {
    let mut r = Runner { client };
    r.lock(migrations)?;
    let result = r.run_locked(migrations, progress);
    // A failed statement leaves no transaction open (it was rolled back when dropped).
    let unlocked = r.unlock(migrations);
    let applied = result?;
    unlocked?;
    Ok(applied)
}

struct Runner<'c> {
    client: &'c mut Client,
}

impl Runner<'_> {
    /// Takes the run's advisory lock, waiting up to the busy timeout.
    fn lock(&mut self, m: &Migrations) -> Result<(), MigrateError> {
        let key = lock_key(m);
        let started = Instant::now();
        loop {
            let got: bool = self
                .client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                .get(0);
            if got {
                return Ok(());
            }
            if started.elapsed() >= m.busy_timeout() {
                return Err(MigrateError::Busy(m.busy_timeout()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn unlock(&mut self, m: &Migrations) -> Result<(), MigrateError> {
        self.client.execute("SELECT pg_advisory_unlock($1)", &[&lock_key(m)])?;
        Ok(())
    }

    fn run_locked(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        ensure_tracking(self.client, migrations)?;
        let rows = read_rows(self.client, migrations, None)?;
        let mut ledger = Ledger::new(migrations, &rows);
        ledger.check()?;
        // Before anything runs: no pending migration holds what it may not.
        for (m, state) in Ledger::new(migrations, &rows).status().migrations {
            if state == MigrationState::Pending {
                if let Some(f) = POSTGRES.forbidden(&m.statements()).into_iter().next() {
                    return Err(MigrateError::Forbidden {
                        tag: m.tag().to_string(),
                        number: f.number,
                        sql: f.sql,
                        reason: f.reason,
                    });
                }
                outside_transaction(&m)?;
            }
        }
        let mut applied = Vec::new();
        while let Some((m, out_of_order)) = ledger.next_pending() {
            let started = Instant::now();
            let statements = m.statements();
            progress(&Progress::Applying {
                tag: m.tag().to_string(),
                statements: statements.len(),
            });
            if outside_transaction(m)? {
                self.run_outside(m, &statements, started, progress)?;
                insert_row(self.client, migrations, m)?;
            } else {
                let mut tx = self.client.transaction()?;
                tx.batch_execute(&format!("SET LOCAL lock_timeout = '{}ms'", LOCK_TIMEOUT.as_millis()))?;
                for (n, s) in statements.iter().enumerate() {
                    if s.trim().is_empty() || split::statements(s).is_empty() {
                        continue;
                    }
                    tx.batch_execute(s).map_err(|e| statement_error(m.tag(), n + 1, s, e))?;
                    progress(&Progress::Statement {
                        tag: m.tag().to_string(),
                        number: n + 1,
                        of: statements.len(),
                        elapsed: started.elapsed(),
                    });
                }
                insert_row(&mut tx, migrations, m)?;
                tx.commit()?;
            }
            let done = Applied {
                tag: m.tag().to_string(),
                elapsed: started.elapsed(),
                out_of_order,
            };
            progress(&Progress::Applied(done.clone()));
            applied.push(done);
            let new_rows = read_rows(self.client, migrations, ledger.last_id())?;
            ledger.add(&new_rows);
        }
        Ok(applied)
    }

    /// A migration of `CONCURRENTLY` statements, each on its own, re-runnable.
    fn run_outside(
        &mut self,
        m: &Migration,
        statements: &[String],
        started: Instant,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<(), MigrateError> {
        self.client
            .batch_execute(&format!("SET lock_timeout = '{}ms'", LOCK_TIMEOUT.as_millis()))?;
        for (n, s) in statements.iter().enumerate() {
            if let Some(name) = concurrent_index_name(s) {
                let state: Option<bool> = self
                    .client
                    .query_opt(
                        "SELECT ix.indisvalid FROM pg_class c JOIN pg_index ix ON ix.indexrelid = c.oid \
                         WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
                        &[&name],
                    )?
                    .map(|r| r.get(0));
                match state {
                    // Built by a run that stopped before its tracking row.
                    Some(true) => continue,
                    // Left INVALID by a build that failed: built again.
                    Some(false) => self
                        .client
                        .batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ident(&name)))
                        .map_err(|e| statement_error(m.tag(), n + 1, s, e))?,
                    None => {}
                }
            }
            self.client
                .batch_execute(s)
                .map_err(|e| statement_error(m.tag(), n + 1, s, e))?;
            progress(&Progress::Statement {
                tag: m.tag().to_string(),
                number: n + 1,
                of: statements.len(),
                elapsed: started.elapsed(),
            });
        }
        self.client.batch_execute("RESET lock_timeout")?;
        Ok(())
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
                if let crate::model::LogicalType::Enum(e) = &mut c.ty {
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
        let rows = if tracking_exists(&mut self.client, migrations)? {
            read_rows(&mut self.client, migrations, None)?
        } else {
            Vec::new()
        };
        Ok(Ledger::new(migrations, &rows).status())
    }

    fn migrate(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        run(&mut self.client, migrations, progress)
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
        let mut r = Runner {
            client: &mut self.client,
        };
        r.lock(migrations)?;
        let result = (|| -> Result<Vec<String>, MigrateError> {
            ensure_tracking(r.client, migrations)?;
            let rows = read_rows(r.client, migrations, None)?;
            let ledger = Ledger::new(migrations, &rows);
            ledger.check()?;
            let mut tx = r.client.transaction()?;
            let mut recorded = Vec::new();
            for (i, m) in ms {
                if matches!(ledger.state(i), MigrationState::Pending) {
                    insert_row(&mut tx, migrations, m)?;
                    recorded.push(m.tag().to_string());
                }
            }
            tx.commit()?;
            Ok(recorded)
        })();
        let unlocked = r.unlock(migrations);
        let recorded = result?;
        unlocked?;
        Ok(recorded)
    }

    fn accept_edit(&mut self, migrations: &Migrations, tag: &str) -> Result<String, MigrateError> {
        let (i, m) = migrations
            .find(tag)
            .and_then(|m| migrations.position(m.tag()))
            .ok_or_else(|| MigrateError::UnknownTag(tag.to_string()))?;
        let rows = if tracking_exists(&mut self.client, migrations)? {
            read_rows(&mut self.client, migrations, None)?
        } else {
            Vec::new()
        };
        let ledger = Ledger::new(migrations, &rows);
        let old = ledger.edited_hash(i)?;
        let refuse = |reason: &str| MigrateError::NotEdited {
            tag: m.tag().to_string(),
            reason: reason.to_string(),
        };
        ensure_tracking(&mut self.client, migrations)?;
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
        ensure_tracking(&mut self.client, migrations)?;
        insert_row(&mut self.client, migrations, m)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_a_concurrent_build_makes_is_found() {
        assert_eq!(
            concurrent_index_name("CREATE INDEX CONCURRENTLY \"users_email_idx\" ON \"users\" (\"email\");").as_deref(),
            Some("users_email_idx")
        );
        assert_eq!(
            concurrent_index_name("create unique index concurrently if not exists ix on t (a)").as_deref(),
            Some("ix")
        );
        assert_eq!(concurrent_index_name("CREATE INDEX CONCURRENTLY ON t (a)"), None);
    }
}
