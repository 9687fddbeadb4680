//! The migrator: applies a migration folder to a SQLite database, one transaction per
//! migration with its tracking row, in a table drizzle-orm's migrator can read too.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::dialect::REBUILD_MARKER;
use crate::journal::{FolderError, split_statements};

pub use crate::journal::Folder;

/// drizzle-orm's tracking table name.
pub const DEFAULT_TABLE: &str = "__drizzle_migrations";

/// One migration file, with what the journal says of it.
#[derive(Debug, Clone)]
pub struct Migration {
    pub idx: u32,
    pub tag: Cow<'static, str>,
    /// The journal's `when`, stored as `created_at` exactly as drizzle-orm stores it.
    pub when: i64,
    pub sql: Cow<'static, str>,
}

impl Migration {
    /// The hex SHA-256 of the file, as drizzle-orm computes it.
    pub fn hash(&self) -> String {
        sha256_hex(self.sql.as_bytes())
    }

    /// The tables this migration rebuilds, from the marker `schema generate` writes.
    pub fn rebuilt_tables(&self) -> Vec<String> {
        self.sql
            .lines()
            .filter_map(|l| l.trim().strip_prefix(REBUILD_MARKER.trim_end()))
            .map(|t| t.trim().to_string())
            .collect()
    }

    /// Whether foreign keys must be off while it runs: it rebuilds a table, or says so itself
    /// (drizzle-kit writes `PRAGMA foreign_keys=OFF;` into such migrations).
    pub fn needs_foreign_keys_off(&self) -> bool {
        !self.rebuilt_tables().is_empty()
            || self
                .statements()
                .iter()
                .any(|s| crate::dialect::turns_foreign_keys_off(s))
    }

    pub fn statements(&self) -> Vec<String> {
        split_statements(&self.sql)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A migration folder, read at run time ([`Migrations::from_dir`]).
#[derive(Debug, Clone)]
pub struct Migrations {
    migrations: Cow<'static, [Migration]>,
    table: Cow<'static, str>,
    busy_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("the journal names {tag}, but {path} does not exist")]
    MissingFile { tag: String, path: PathBuf },
    #[error("the journal lists the tag {0} twice")]
    DuplicateTag(String),
    #[error("while applying migration {tag}: statement {number} failed: {source}\n{sql}")]
    Statement {
        tag: String,
        number: usize,
        sql: String,
        source: Box<rusqlite::Error>,
    },
    #[error(
        "migration {tag} was applied, but its file has changed since (hash {applied} then, {current} now); \
         restore the file, or put the change in a new migration"
    )]
    Edited {
        tag: String,
        applied: String,
        current: String,
    },
    #[error(
        "the database has applied a migration that is not in the folder ({0}); is this the right folder for this database? \
         restore the migration from version control, or delete its tracking row if it was abandoned on purpose"
    )]
    Missing(String),
    #[error(
        "while applying migration {tag}: it leaves rows whose foreign keys point at nothing, so it was rolled back:\n{}",
        .violations.iter().map(|v| format!("  {v}")).collect::<Vec<_>>().join("\n")
    )]
    ForeignKeyViolation { tag: String, violations: Vec<String> },
    #[error("cannot turn foreign keys off before migration {0}: the connection is inside a transaction")]
    ForeignKeysStayOn(String),
    #[error(
        "while applying migration {tag}: cannot recreate the {kind} `{name}` after rebuilding its table: {source}\n{sql}"
    )]
    Recreate {
        tag: String,
        kind: String,
        name: String,
        sql: String,
        source: Box<rusqlite::Error>,
    },
    #[error("the database stayed locked by another connection for {0:?}; is another migration running?")]
    Busy(Duration),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What `run_with` reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A migration is about to run.
    Applying { tag: String, statements: usize },
    /// One of its statements finished.
    Statement {
        tag: String,
        number: usize,
        of: usize,
        elapsed: Duration,
    },
    /// It is applied and committed.
    Applied(Applied),
}

/// What `status` finds.
#[derive(Debug, Clone)]
pub struct Status {
    /// Every migration of the folder, in journal order, with where it stands.
    pub migrations: Vec<(Migration, MigrationState)>,
    /// Tracking rows that match no migration of the folder: applied, then removed or renamed.
    pub missing: Vec<String>,
}

/// One migration `run` applied.
#[derive(Debug, Clone)]
pub struct Applied {
    pub tag: String,
    pub elapsed: Duration,
    /// Older than a migration already applied (merged from another branch): applied anyway.
    pub out_of_order: bool,
}

/// Where each migration of the folder stands in a database.
#[derive(Debug, Clone, PartialEq)]
pub enum MigrationState {
    Applied {
        applied_at: Option<String>,
    },
    Pending,
    /// Applied, but the file has changed since.
    Edited,
}

/// One row of the tracking table.
#[derive(Debug, Clone)]
struct TrackingRow {
    id: Option<i64>,
    hash: String,
    created_at: Option<i64>,
    tag: Option<String>,
    applied_at: Option<String>,
}

impl Migrations {
    /// Reads a folder: the journal, then every file it names.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations, MigrateError> {
        let folder = Folder::new(dir.as_ref());
        let journal = folder.read_journal()?;
        let mut migrations = Vec::new();
        for e in &journal.entries {
            if migrations.iter().any(|m: &Migration| m.tag == e.tag) {
                return Err(MigrateError::DuplicateTag(e.tag.clone()));
            }
            let path = folder.sql_path(&e.tag);
            let sql = match std::fs::read_to_string(&path) {
                Ok(s) => s,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    return Err(MigrateError::MissingFile {
                        tag: e.tag.clone(),
                        path,
                    });
                }
                Err(source) => return Err(FolderError::Read { path, source }.into()),
            };
            migrations.push(Migration {
                idx: e.idx,
                tag: e.tag.clone().into(),
                when: e.when,
                sql: sql.into(),
            });
        }
        Ok(Migrations {
            migrations: migrations.into(),
            table: DEFAULT_TABLE.into(),
            busy_timeout: Duration::from_secs(60),
        })
    }

    /// Migrations built into the binary (what `embed_migrations!` expands to).
    pub const fn from_static(migrations: &'static [Migration]) -> Migrations {
        Migrations {
            migrations: Cow::Borrowed(migrations),
            table: Cow::Borrowed(DEFAULT_TABLE),
            busy_timeout: Duration::from_secs(60),
        }
    }

    /// Another tracking table than `__drizzle_migrations`.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = Cow::Owned(table.into());
        self
    }

    /// How long to wait for another process's migration to finish.
    pub fn with_busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Applies every migration not yet applied, in journal order, each in its own
    /// transaction with its tracking row. Another process migrating the same database waits
    /// for the write lock, then finds the work done.
    pub fn run(&self, conn: &mut Connection) -> Result<Vec<Applied>, MigrateError> {
        self.run_with(conn, &mut |_| {})
    }

    /// [`Migrations::run`], reporting each migration and statement as it goes.
    pub fn run_with(
        &self,
        conn: &mut Connection,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        conn.busy_timeout(self.busy_timeout)?;
        let original_fk = foreign_keys(conn)?;
        let result = self.run_inner(conn, original_fk, progress);
        // Put the connection's setting back however the run ended.
        let restored = conn.pragma_update(None, "foreign_keys", original_fk);
        let applied = result?;
        restored?;
        Ok(applied)
    }

    fn run_inner(
        &self,
        conn: &mut Connection,
        original_fk: bool,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        let mut applied = Vec::new();
        loop {
            let started = Instant::now();
            // The write lock is taken before reading what is applied, so two processes
            // never both decide to apply the same migration.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.busy(e))?;
            ensure_tracking_table(&tx, &self.table)?;
            let rows = read_rows(&tx, &self.table)?;
            let states = self.match_rows(&rows)?;
            let Some(next) = self
                .migrations
                .iter()
                .zip(&states)
                .find(|(_, s)| matches!(s, MigrationState::Pending))
                .map(|(m, _)| m)
            else {
                tx.commit()?;
                return Ok(applied);
            };
            // NOTE: PRAGMA foreign_keys is a no-op inside a transaction, so a migration that
            // rebuilds a table gets the lock released, the pragma set and read back, and the
            // lock taken again.
            let want_fk = original_fk && !next.needs_foreign_keys_off();
            if foreign_keys(&tx)? != want_fk {
                drop(tx);
                conn.pragma_update(None, "foreign_keys", want_fk)?;
                if foreign_keys(conn)? != want_fk {
                    return Err(MigrateError::ForeignKeysStayOn(next.tag.to_string()));
                }
                continue;
            }
            let out_of_order = self
                .migrations
                .iter()
                .zip(&states)
                .any(|(m, s)| m.idx > next.idx && matches!(s, MigrationState::Applied { .. }));
            let rebuilt = next.rebuilt_tables();
            let dependents = if rebuilt.is_empty() {
                Vec::new()
            } else {
                save_dependents(&tx, &rebuilt)?
            };
            let statements = next.statements();
            progress(&Progress::Applying {
                tag: next.tag.to_string(),
                statements: statements.len(),
            });
            for (i, sql) in statements.iter().enumerate() {
                tx.execute_batch(sql).map_err(|source| MigrateError::Statement {
                    tag: next.tag.to_string(),
                    number: i + 1,
                    sql: sql.clone(),
                    source: Box::new(source),
                })?;
                progress(&Progress::Statement {
                    tag: next.tag.to_string(),
                    number: i + 1,
                    of: statements.len(),
                    elapsed: started.elapsed(),
                });
            }
            restore_dependents(&tx, &dependents, &next.tag)?;
            if original_fk && !want_fk {
                let violations = foreign_key_violations(&tx)?;
                if !violations.is_empty() {
                    return Err(MigrateError::ForeignKeyViolation {
                        tag: next.tag.to_string(),
                        violations,
                    });
                }
            }
            tx.execute(
                &format!(
                    "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    quote(&self.table)
                ),
                rusqlite::params![next.hash(), next.when, next.tag.as_ref()],
            )?;
            tx.commit()?;
            let done = Applied {
                tag: next.tag.to_string(),
                elapsed: started.elapsed(),
                out_of_order,
            };
            progress(&Progress::Applied(done.clone()));
            applied.push(done);
        }
    }

    /// Where each migration stands, in journal order, and the applied migrations the folder
    /// no longer has. Reads only: it takes no lock and creates nothing.
    pub fn status(&self, conn: &Connection) -> Result<Status, MigrateError> {
        let exists: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [self.table.as_ref()],
            |r| r.get(0),
        )?;
        let rows = if exists {
            read_rows(conn, &self.table)?
        } else {
            Vec::new()
        };
        let missing = rows
            .iter()
            .filter(|r| !self.migrations.iter().any(|m| row_is(r, m)))
            .map(describe_row)
            .collect();
        let states = self.states(&rows);
        Ok(Status {
            migrations: self.migrations.iter().cloned().zip(states).collect(),
            missing,
        })
    }

    fn busy(&self, e: rusqlite::Error) -> MigrateError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                MigrateError::Busy(self.busy_timeout)
            }
            _ => MigrateError::Sqlite(e),
        }
    }

    /// Matches tracking rows to migrations; an edited or missing migration is an error.
    fn match_rows(&self, rows: &[TrackingRow]) -> Result<Vec<MigrationState>, MigrateError> {
        let states = self.match_rows_lenient(rows)?;
        for (m, s) in self.migrations.iter().zip(&states) {
            if *s == MigrationState::Edited {
                let row = rows
                    .iter()
                    .find(|r| row_is(r, m))
                    .map(|r| r.hash.clone())
                    .unwrap_or_default();
                return Err(MigrateError::Edited {
                    tag: m.tag.to_string(),
                    applied: row,
                    current: m.hash(),
                });
            }
        }
        Ok(states)
    }

    fn match_rows_lenient(&self, rows: &[TrackingRow]) -> Result<Vec<MigrationState>, MigrateError> {
        if let Some(r) = rows.iter().find(|r| !self.migrations.iter().any(|m| row_is(r, m))) {
            return Err(MigrateError::Missing(describe_row(r)));
        }
        Ok(self.states(rows))
    }

    fn states(&self, rows: &[TrackingRow]) -> Vec<MigrationState> {
        self.migrations
            .iter()
            .map(|m| match rows.iter().find(|r| row_is(r, m)) {
                None => MigrationState::Pending,
                Some(r) if r.hash != m.hash() => MigrationState::Edited,
                Some(r) => MigrationState::Applied {
                    applied_at: r.applied_at.clone(),
                },
            })
            .collect()
    }
}

/// How a tracking row is named in messages: its tag, else drizzle-orm's `created_at`.
fn describe_row(r: &TrackingRow) -> String {
    match &r.tag {
        Some(t) => t.clone(),
        None => format!(
            "tracking row {} with created_at {}",
            r.id.map_or_else(|| "NULL".to_string(), |i| i.to_string()),
            r.created_at.map_or_else(|| "NULL".to_string(), |c| c.to_string())
        ),
    }
}

/// A tracking row is a migration's when its tag says so, or, for a row drizzle-orm wrote
/// (no tag), when its `created_at` is the migration's `when`.
fn row_is(r: &TrackingRow, m: &Migration) -> bool {
    match &r.tag {
        Some(t) => *t == m.tag,
        None => r.created_at == Some(m.when),
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the tracking table, or adds our columns to one drizzle-orm created. drizzle-orm
/// declares `id SERIAL PRIMARY KEY`, which SQLite keeps NULL; ours is a real integer key, and
/// `tag` / `applied_at` are nullable so drizzle-orm's own inserts still work.
fn ensure_tracking_table(conn: &Connection, table: &str) -> Result<(), MigrateError> {
    let create = |name: &str| {
        format!(
            "CREATE TABLE IF NOT EXISTS {} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, tag text, applied_at text)",
            quote(name)
        )
    };
    conn.execute_batch(&create(table))?;
    // (name, declared type, key position) of each column.
    let mut stmt = conn.prepare(&format!(
        "SELECT name, type, pk FROM pragma_table_info({})",
        crate::model::quote_string(table)
    ))?;
    let cols: Vec<(String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let has = |name: &str| cols.iter().any(|c| c.0 == name);
    let id_is_rowid = cols
        .iter()
        .any(|c| c.0 == "id" && c.2 == 1 && c.1.eq_ignore_ascii_case("integer"));
    if !id_is_rowid {
        // drizzle-orm's `id SERIAL PRIMARY KEY` is no integer key on SQLite, so every row's id
        // is NULL. Rebuilt with a real one (ids given in the order the rows were written);
        // drizzle-orm's own inserts name only hash and created_at, so they still work.
        let tmp = format!("{table}__rebuild");
        let extra = |name: &str| {
            if has(name) {
                name.to_string()
            } else {
                "NULL".to_string()
            }
        };
        conn.execute_batch(&format!(
            "{};
INSERT INTO {} (hash, created_at, tag, applied_at) SELECT hash, created_at, {}, {} FROM {} ORDER BY rowid;
             DROP TABLE {};
ALTER TABLE {} RENAME TO {};",
            create(&tmp),
            quote(&tmp),
            extra("tag"),
            extra("applied_at"),
            quote(table),
            quote(table),
            quote(&tmp),
            quote(table)
        ))?;
        return Ok(());
    }
    for extra in ["tag", "applied_at"] {
        if !has(extra) {
            conn.execute_batch(&format!("ALTER TABLE {} ADD COLUMN {extra} text", quote(table)))?;
        }
    }
    Ok(())
}

fn read_rows(conn: &Connection, table: &str) -> Result<Vec<TrackingRow>, MigrateError> {
    let has_tag = conn
        .query_row(
            &format!(
                "SELECT 1 FROM pragma_table_info({}) WHERE name = 'tag'",
                crate::model::quote_string(table)
            ),
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let sql = if has_tag {
        format!(
            "SELECT id, hash, created_at, tag, applied_at FROM {} ORDER BY created_at, id",
            quote(table)
        )
    } else {
        format!(
            "SELECT id, hash, created_at, NULL, NULL FROM {} ORDER BY created_at, id",
            quote(table)
        )
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(TrackingRow {
            id: r.get(0)?,
            hash: r.get(1)?,
            created_at: r.get::<_, Option<f64>>(2)?.map(|v| v as i64),
            tag: r.get(3)?,
            applied_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn foreign_keys(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))
}

/// `PRAGMA foreign_key_check`, one line a violation.
fn foreign_key_violations(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        let table: String = r.get(0)?;
        let rowid: Option<i64> = r.get(1)?;
        let parent: String = r.get(2)?;
        Ok(format!(
            "a row of `{table}`{} points at a missing row of `{parent}`",
            rowid.map(|id| format!(" (rowid {id})")).unwrap_or_default()
        ))
    })?;
    rows.take(20).collect()
}

/// A view or trigger to put back after a rebuild.
#[derive(Debug)]
struct Dependent {
    kind: String,
    name: String,
    sql: String,
}

/// Drops the views and triggers a rebuild would break or lose (every view, since the final
/// RENAME checks them all; the triggers on or mentioning a rebuilt table) and returns them.
fn save_dependents(conn: &Connection, rebuilt: &[String]) -> Result<Vec<Dependent>, MigrateError> {
    let mut stmt =
        conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid")?;
    let all: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut saved = Vec::new();
    for (kind, name, tbl, sql) in all {
        let keep = kind == "view"
            || rebuilt
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&tbl) || crate::dialect::mentions(&sql, t));
        if keep {
            conn.execute_batch(&format!("DROP {} IF EXISTS {};", kind.to_uppercase(), quote(&name)))?;
            saved.push(Dependent { kind, name, sql });
        }
    }
    Ok(saved)
}

/// Recreates what [`save_dependents`] dropped, unless the migration made it again itself.
fn restore_dependents(conn: &Connection, saved: &[Dependent], tag: &str) -> Result<(), MigrateError> {
    for d in saved {
        let exists: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = ?1 AND name = ?2",
            [&d.kind, &d.name],
            |r| r.get(0),
        )?;
        if !exists {
            conn.execute_batch(&d.sql).map_err(|source| MigrateError::Recreate {
                tag: tag.to_string(),
                kind: d.kind.clone(),
                name: d.name.clone(),
                sql: d.sql.clone(),
                source: Box::new(source),
            })?;
        }
    }
    Ok(())
}

/// Applies planned statements outside any migration folder (what `schema push` does), with
/// the same safety as a migration: foreign keys off around a rebuild (set before the
/// transaction and read back), one transaction, views and triggers of rebuilt tables
/// recreated, `foreign_key_check` before COMMIT.
pub fn apply_statements(
    conn: &mut Connection,
    label: &str,
    statements: &[String],
    rebuilt: &[String],
    fk_off: bool,
) -> Result<(), MigrateError> {
    let original_fk = foreign_keys(conn)?;
    let needs_off = fk_off || !rebuilt.is_empty();
    let want_fk = original_fk && !needs_off;
    if want_fk != original_fk {
        conn.pragma_update(None, "foreign_keys", want_fk)?;
        if foreign_keys(conn)? != want_fk {
            return Err(MigrateError::ForeignKeysStayOn(label.to_string()));
        }
    }
    let result = (|| -> Result<(), MigrateError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let dependents = if rebuilt.is_empty() {
            Vec::new()
        } else {
            save_dependents(&tx, rebuilt)?
        };
        for (i, sql) in statements.iter().enumerate() {
            tx.execute_batch(sql).map_err(|source| MigrateError::Statement {
                tag: label.to_string(),
                number: i + 1,
                sql: sql.clone(),
                source: Box::new(source),
            })?;
        }
        restore_dependents(&tx, &dependents, label)?;
        if original_fk && !want_fk {
            let violations = foreign_key_violations(&tx)?;
            if !violations.is_empty() {
                return Err(MigrateError::ForeignKeyViolation {
                    tag: label.to_string(),
                    violations,
                });
            }
        }
        tx.commit()?;
        Ok(())
    })();
    let restored = conn.pragma_update(None, "foreign_keys", original_fk);
    result?;
    restored?;
    Ok(())
}

impl Migrations {
    /// Records `tag` as applied without running it: for a baseline that describes what the
    /// database already has (`schema pull`).
    pub fn mark_applied(&self, conn: &Connection, tag: &str) -> Result<(), MigrateError> {
        let m = self
            .migrations
            .iter()
            .find(|m| m.tag == tag)
            .ok_or_else(|| MigrateError::Missing(format!("{tag}, which the folder does not have")))?;
        ensure_tracking_table(conn, &self.table)?;
        conn.execute(
            &format!(
                "INSERT INTO {} (hash, created_at, tag, applied_at) VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                quote(&self.table)
            ),
            rusqlite::params![m.hash(), m.when, m.tag.as_ref()],
        )?;
        Ok(())
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}
