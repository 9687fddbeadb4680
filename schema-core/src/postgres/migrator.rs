//! The PostgreSQL migrator, written once for both clients.
//!
//! Its body is `async` over a [`Session`]: the two things it asks of a connection (run a batch
//! of SQL, run a query with parameters). The `postgres` crate's blocking [`Client`] is a
//! session whose futures are ready the moment they are polled, so the blocking entry points
//! poll the same body once ([`blocking`]); with the `tokio-postgres` feature, an application's
//! `tokio_postgres::Client` is a session that awaits the server. Transactions are the SQL
//! `BEGIN` / `COMMIT` / `ROLLBACK`, so both go through the same statements in the same order.
//!
//! What it does: drizzle-orm's tracking table `"drizzle"."__drizzle_migrations"` (schema and
//! table configurable) with our `tag` and `applied_at` columns beside its own; a session
//! advisory lock around the whole run, waited for on the server up to the busy timeout, so
//! concurrent migrators apply each migration once; one transaction per migration with its
//! tracking row; `lock_timeout` on every statement, so a migration waiting behind a long query
//! fails clearly instead of queueing every query behind it. A migration whose statements must
//! run outside a transaction (`CREATE INDEX CONCURRENTLY`) holds only such statements and runs
//! them one by one, re-runnable: an index left INVALID by a failed build is dropped and built
//! again.

use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Row};

use super::render::ident;
use super::{POSTGRES, split};
use crate::dialect::{Dialect, StatementKind};
use crate::migrate::{
    Applied, DbError, Ledger, MigrateError, Migration, MigrationState, Migrations, Progress, TrackingRow,
};

/// How long one statement of a migration may wait for a lock before the migration fails.
pub const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What the migrator asks of a connection.
pub(super) trait Session {
    /// Runs `sql` (one or more statements, no parameters).
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error>;
    /// Runs one query with parameters and returns its rows.
    async fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, postgres::Error>;
}

/// The blocking client: each call is done when its future is first polled.
impl Session for Client {
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.batch_execute(sql)
    }

    async fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, postgres::Error> {
        Client::query(self, sql, params)
    }
}

/// An application's asynchronous client.
#[cfg(feature = "tokio-postgres")]
struct Async<'c>(&'c mut tokio_postgres::Client);

#[cfg(feature = "tokio-postgres")]
impl Session for Async<'_> {
    async fn batch(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.0.batch_execute(sql).await
    }

    async fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, postgres::Error> {
        self.0.query(sql, params).await
    }
}

/// The result of the migrator's body on the blocking client, which never waits between polls:
/// the body is done after its first poll. (Were it not, that would be this module's bug, said
/// as an error rather than a hang.)
pub(super) fn blocking<T>(body: impl Future<Output = Result<T, MigrateError>>) -> Result<T, MigrateError> {
    let mut body = std::pin::pin!(body);
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(MigrateError::Database(DbError::new(
            "the PostgreSQL migrator waited on a blocking connection (a bug in schema-core: please report it)",
        ))),
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

pub(super) fn tracking_name(m: &Migrations) -> String {
    format!("{}.{}", ident(m.schema()), ident(m.table()))
}

fn shape_error(m: &Migrations, problem: impl Into<String>) -> MigrateError {
    MigrateError::TrackingTable {
        table: format!("{}.{}", m.schema(), m.table()),
        problem: problem.into(),
    }
}

/// Whether the tracking table exists (an error when its shape is not one we can use).
pub(super) async fn tracking_exists(c: &mut impl Session, m: &Migrations) -> Result<bool, MigrateError> {
    let rows = c
        .query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), cl.relkind::text FROM pg_class cl \
             JOIN pg_namespace n ON n.oid = cl.relnamespace \
             LEFT JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped \
             WHERE n.nspname = $1 AND cl.relname = $2",
            &[&m.schema(), &m.table()],
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok(false);
    };
    let kind: String = first.try_get(2)?;
    if kind != "r" {
        return Err(shape_error(m, "it is not a table"));
    }
    let mut cols = Vec::new();
    for r in &rows {
        if let Some(name) = r.try_get::<_, Option<String>>(0)? {
            cols.push(name);
        }
    }
    for needed in ["id", "hash", "created_at"] {
        if !cols.iter().any(|n| n == needed) {
            return Err(shape_error(
                m,
                format!("it has no `{needed}` column (its columns: {})", cols.join(", ")),
            ));
        }
    }
    Ok(true)
}

/// Creates the tracking table as drizzle-orm does, and adds our columns to it.
pub(super) async fn ensure_tracking(c: &mut impl Session, m: &Migrations) -> Result<(), MigrateError> {
    if !tracking_exists(c, m).await? {
        c.batch(&format!(
            "CREATE SCHEMA IF NOT EXISTS {}; CREATE TABLE IF NOT EXISTS {} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)",
            ident(m.schema()),
            tracking_name(m)
        ))
        .await?;
    }
    c.batch(&format!(
        "ALTER TABLE {0} ADD COLUMN IF NOT EXISTS tag text; ALTER TABLE {0} ADD COLUMN IF NOT EXISTS applied_at text",
        tracking_name(m)
    ))
    .await?;
    Ok(())
}

/// The tracking rows with an id above `after`, in the order they were written.
pub(super) async fn read_rows(
    c: &mut impl Session,
    m: &Migrations,
    after: Option<i64>,
) -> Result<Vec<TrackingRow>, MigrateError> {
    let has_tag = !c
        .query(
            "SELECT 1 FROM pg_attribute a JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
             WHERE n.nspname = $1 AND cl.relname = $2 AND a.attname = 'tag' AND NOT a.attisdropped",
            &[&m.schema(), &m.table()],
        )
        .await?
        .is_empty();
    rows_after(c, m, has_tag, after).await
}

/// The rows with an id above `after` of a table [`ensure_tracking`] has made or completed (so
/// that it has our `tag` and `applied_at`): the migrator's reads, one query each.
async fn read_since(
    c: &mut impl Session,
    m: &Migrations,
    after: Option<i64>,
) -> Result<Vec<TrackingRow>, MigrateError> {
    rows_after(c, m, true, after).await
}

async fn rows_after(
    c: &mut impl Session,
    m: &Migrations,
    has_tag: bool,
    after: Option<i64>,
) -> Result<Vec<TrackingRow>, MigrateError> {
    let extra = if has_tag {
        "tag, applied_at"
    } else {
        "NULL::text, NULL::text"
    };
    let sql = format!(
        "SELECT id::bigint, hash, created_at::bigint, {extra} FROM {} WHERE id::bigint > $1 ORDER BY created_at, id",
        tracking_name(m)
    );
    let mut out = Vec::new();
    for r in c.query(&sql, &[&after.unwrap_or(i64::MIN)]).await? {
        let id: Option<i64> = r.try_get(0)?;
        let Some(hash) = r.try_get::<_, Option<String>>(1)? else {
            return Err(shape_error(
                m,
                format!("its row {} has no hash", id.unwrap_or_default()),
            ));
        };
        out.push(TrackingRow {
            id,
            hash,
            created_at: r.try_get(2)?,
            tag: r.try_get(3)?,
            applied_at: r.try_get(4)?,
        });
    }
    Ok(out)
}

pub(super) async fn insert_row(c: &mut impl Session, m: &Migrations, mig: &Migration) -> Result<(), MigrateError> {
    c.query(
        &format!(
            "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES ($1, $2, $3, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
            tracking_name(m)
        ),
        &[&mig.hash(), &mig.when(), &mig.tag()],
    )
    .await?;
    Ok(())
}

/// Ends the transaction `result` was made in: committed when it is `Ok`, else rolled back (a
/// failed rollback changes nothing: the server discards the transaction with the session).
async fn commit_if_ok<T>(c: &mut impl Session, result: Result<T, MigrateError>) -> Result<T, MigrateError> {
    match result {
        Ok(v) => {
            c.batch("COMMIT").await?;
            Ok(v)
        }
        Err(e) => {
            let _ = c.batch("ROLLBACK").await;
            Err(e)
        }
    }
}

/// Whether every statement of `m` must run outside a transaction; an error when it mixes both
/// kinds (they cannot be made atomic together).
pub(super) fn outside_transaction(m: &Migration) -> Result<bool, MigrateError> {
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

pub(super) fn statement_error(tag: &str, number: usize, sql: &str, e: postgres::Error) -> MigrateError {
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
        blocking(run(client, self, |_: &Progress| {}))
    }

    /// [`Migrations::run_postgres`], reporting as it goes.
    pub fn run_postgres_with(
        &self,
        client: &mut Client,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        blocking(run(client, self, progress))
    }
}

#[cfg(feature = "tokio-postgres")]
impl Migrations {
    /// [`Migrations::run_postgres`] on a `tokio_postgres::Client`: the same statements in the
    /// same order, awaited. The client is borrowed whole, so nothing else runs on it inside a
    /// migration's transaction. Dropping the future before it is done leaves the connection
    /// inside a transaction holding the advisory lock: close that connection (the server then
    /// rolls the migration back and frees the lock).
    pub async fn run_tokio_postgres(&self, client: &mut tokio_postgres::Client) -> Result<Vec<Applied>, MigrateError> {
        run(&mut Async(client), self, |_: &Progress| {}).await
    }

    /// [`Migrations::run_tokio_postgres`], reporting as it goes.
    pub async fn run_tokio_postgres_with(
        &self,
        client: &mut tokio_postgres::Client,
        progress: impl FnMut(&Progress) + Send,
    ) -> Result<Vec<Applied>, MigrateError> {
        run(&mut Async(client), self, progress).await
    }
}

/// The migrator: the lock, the run, the lock given back however the run ended.
async fn run<S: Session>(
    session: &mut S,
    migrations: &Migrations,
    mut progress: impl FnMut(&Progress),
) -> Result<Vec<Applied>, MigrateError> {
    let mut r = Runner { s: session };
    r.lock(migrations).await?;
    let result = r.run_locked(migrations, &mut progress).await;
    // A failed migration's transaction was rolled back before its error came here.
    let unlocked = r.unlock(migrations).await;
    let applied = result?;
    unlocked?;
    Ok(applied)
}

pub(super) struct Runner<'c, S> {
    pub(super) s: &'c mut S,
}

impl<S: Session> Runner<'_, S> {
    /// Takes the run's advisory lock, waiting on the server up to the busy timeout (the
    /// waiting statement's `lock_timeout`, set for its own transaction only; the session lock
    /// outlives that transaction).
    pub(super) async fn lock(&mut self, m: &Migrations) -> Result<(), MigrateError> {
        let wait_ms = m.busy_timeout().as_millis().clamp(1, i32::MAX as u128);
        let took = self
            .s
            .batch(&format!(
                "BEGIN; SET LOCAL lock_timeout = '{wait_ms}ms'; SELECT pg_advisory_lock({}); COMMIT",
                lock_key(m)
            ))
            .await;
        match took {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = self.s.batch("ROLLBACK").await;
                if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
                    Err(MigrateError::Busy(m.busy_timeout()))
                } else {
                    Err(e.into())
                }
            }
        }
    }

    pub(super) async fn unlock(&mut self, m: &Migrations) -> Result<(), MigrateError> {
        self.s
            .batch(&format!("SELECT pg_advisory_unlock({})", lock_key(m)))
            .await?;
        Ok(())
    }

    async fn run_locked(
        &mut self,
        migrations: &Migrations,
        progress: &mut impl FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        ensure_tracking(self.s, migrations).await?;
        let rows = read_since(self.s, migrations, None).await?;
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
                self.run_outside(m, &statements, started, progress).await?;
                insert_row(self.s, migrations, m).await?;
            } else {
                self.s
                    .batch(&format!(
                        "BEGIN; SET LOCAL lock_timeout = '{}ms'",
                        LOCK_TIMEOUT.as_millis()
                    ))
                    .await?;
                let result = async {
                    for (n, s) in statements.iter().enumerate() {
                        if s.trim().is_empty() || split::statements(s).is_empty() {
                            continue;
                        }
                        self.statement(m, (n, s), statements.len(), started, progress).await?;
                    }
                    insert_row(self.s, migrations, m).await
                }
                .await;
                commit_if_ok(self.s, result).await?;
            }
            let done = Applied {
                tag: m.tag().to_string(),
                elapsed: started.elapsed(),
                out_of_order,
            };
            progress(&Progress::Applied(done.clone()));
            applied.push(done);
            let new_rows = read_since(self.s, migrations, ledger.last_id()).await?;
            ledger.add(&new_rows);
        }
        Ok(applied)
    }

    /// A migration of `CONCURRENTLY` statements, each on its own, re-runnable.
    async fn run_outside(
        &mut self,
        m: &Migration,
        statements: &[String],
        started: Instant,
        progress: &mut impl FnMut(&Progress),
    ) -> Result<(), MigrateError> {
        self.s
            .batch(&format!("SET lock_timeout = '{}ms'", LOCK_TIMEOUT.as_millis()))
            .await?;
        for (n, s) in statements.iter().enumerate() {
            if let Some(name) = concurrent_index_name(s) {
                let state = self
                    .s
                    .query(
                        "SELECT ix.indisvalid FROM pg_class c JOIN pg_index ix ON ix.indexrelid = c.oid \
                         WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
                        &[&name],
                    )
                    .await?;
                match state.first().map(|r| r.try_get::<_, bool>(0)).transpose()? {
                    // Built by a run that stopped before its tracking row.
                    Some(true) => continue,
                    // Left INVALID by a build that failed: built again.
                    Some(false) => self
                        .s
                        .batch(&format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ident(&name)))
                        .await
                        .map_err(|e| statement_error(m.tag(), n + 1, s, e))?,
                    None => {}
                }
            }
            self.statement(m, (n, s), statements.len(), started, progress).await?;
        }
        self.s.batch("RESET lock_timeout").await?;
        Ok(())
    }

    /// Statement `s`, number `n` (from 0) of `m`'s `of`, run and reported.
    async fn statement(
        &mut self,
        m: &Migration,
        (n, s): (usize, &str),
        of: usize,
        started: Instant,
        progress: &mut impl FnMut(&Progress),
    ) -> Result<(), MigrateError> {
        self.s
            .batch(s)
            .await
            .map_err(|e| statement_error(m.tag(), n + 1, s, e))?;
        progress(&Progress::Statement {
            tag: m.tag().to_string(),
            number: n + 1,
            of,
            elapsed: started.elapsed(),
        });
        Ok(())
    }

    /// Records `tags` as applied without running them (a baseline), under the run's lock.
    pub(super) async fn mark_applied_all(
        &mut self,
        migrations: &Migrations,
        chosen: &[(usize, &Migration)],
    ) -> Result<Vec<String>, MigrateError> {
        self.lock(migrations).await?;
        let result = async {
            ensure_tracking(self.s, migrations).await?;
            let rows = read_since(self.s, migrations, None).await?;
            let ledger = Ledger::new(migrations, &rows);
            ledger.check()?;
            self.s.batch("BEGIN").await?;
            let recorded = async {
                let mut recorded = Vec::new();
                for (i, m) in chosen {
                    if matches!(ledger.state(*i), MigrationState::Pending) {
                        insert_row(self.s, migrations, m).await?;
                        recorded.push(m.tag().to_string());
                    }
                }
                Ok(recorded)
            }
            .await;
            commit_if_ok(self.s, recorded).await
        }
        .await;
        let unlocked = self.unlock(migrations).await;
        let recorded = result?;
        unlocked?;
        Ok(recorded)
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
