//! Applies migrations and plans to a SQLite database: one transaction per migration with its
//! tracking row, the write lock taken before reading what is applied, and around a rebuild
//! the foreign-key pragma set outside the transaction, dependent views and triggers saved and
//! recreated, and `foreign_key_check` before COMMIT. `migrate` and `push` share one apply step.

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use schema_model::sql::sqlite::ident;

use super::plan::{marked_rebuilds, mentions, turns_foreign_keys_off};
use super::tracking;
use crate::fault;
use crate::migrate::{Applied, DbError, MigrateError, Migration, MigrationState, Migrations, Progress, Status};
use crate::migrate::{Ledger, Ticker, TrackingRow, Watch};

/// How many of SQLite's virtual-machine steps pass between two looks of the ticker: a look is
/// a lock and a clock read, a step a few nanoseconds.
const TICK_STEPS: std::ffi::c_int = 1000;

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        let code = e.sqlite_error().map(|c| format!("{:?}", c.code));
        DbError {
            message: e.to_string(),
            code,
        }
    }
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> MigrateError {
        MigrateError::Database(e.into())
    }
}

/// The tables a migration rebuilds: from the marker `schema generate` writes, and from the
/// `ALTER TABLE __new_x RENAME TO x` that ends a rebuild drizzle-kit wrote.
fn rebuilt_tables(m: &Migration) -> Vec<String> {
    let mut out: Vec<String> = marked_rebuilds(m.sql());
    // Every such statement holds the prefix: a migration without it is not split at all.
    if !m.sql().contains(super::NEW_PREFIX) {
        return out;
    }
    for stmt in schema_model::sql::lex::split(m.sql()) {
        if let Some(table) = renamed_from_new(stmt.text)
            && !out.iter().any(|t| t.eq_ignore_ascii_case(&table))
        {
            out.push(table);
        }
    }
    out
}

/// `x` for `ALTER TABLE __new_x RENAME TO x`.
fn renamed_from_new(stmt: &str) -> Option<String> {
    use schema_model::sql::lex::{Kind, tokenize};
    // The old name starts with the prefix, so the text holds it (quoted or not): most
    // statements are passed over without tokenizing them.
    if !stmt.contains(super::NEW_PREFIX) {
        return None;
    }
    let toks: Vec<_> = tokenize(stmt).into_iter().filter(|t| !t.is_comment()).collect();
    let name = |i: usize| {
        toks.get(i).map(|t| match &t.kind {
            Kind::Quoted(n) | Kind::Str(n) => n.clone(),
            _ => t.text(stmt).to_string(),
        })
    };
    let words = ["ALTER", "TABLE"];
    if toks.len() != 6 || !words.iter().enumerate().all(|(i, w)| toks[i].is_word(stmt, w)) {
        return None;
    }
    if !toks[3].is_word(stmt, "RENAME") || !toks[4].is_word(stmt, "TO") {
        return None;
    }
    let (from, to) = (name(2)?, name(5)?);
    (from.strip_prefix(super::NEW_PREFIX) == Some(to.as_str())).then_some(to)
}

/// Whether foreign keys must be off while it runs: it rebuilds a table, or says so itself
/// (drizzle-kit writes `PRAGMA foreign_keys=OFF;` into such migrations).
fn needs_foreign_keys_off(statements: &[String], rebuilt: &[String]) -> bool {
    !rebuilt.is_empty() || statements.iter().any(|s| turns_foreign_keys_off(s))
}

impl Migrations {
    /// Applies every migration not yet applied, in journal order, each in its own
    /// transaction with its tracking row. Another process migrating the same database waits
    /// for the write lock, then finds the work done. Warnings (an applied migration this set
    /// does not have, when [`Migrations::allow_unknown_applied`] lets the run go on; an index
    /// a rebuild could not keep) go to standard error; [`Migrations::run_with`] hands them to
    /// the caller instead.
    pub fn run(&self, conn: &mut Connection) -> Result<Vec<Applied>, MigrateError> {
        self.run_with(conn, &mut |p| {
            if let Progress::Warning { tag, message } = p {
                eprintln!("warning: {tag}: {message}");
            }
        })
    }

    /// [`Migrations::run`], reporting each migration and statement as it goes.
    pub fn run_with(
        &self,
        conn: &mut Connection,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        conn.busy_timeout(self.busy_timeout())?;
        // Before anything runs: no pending migration holds a statement that would break out of
        // its transaction.
        let mut checked = HashMap::new();
        for (m, state) in self.status(conn)?.migrations {
            if state == MigrationState::Pending {
                let statements = m.statements();
                refuse_forbidden(&m, &statements)?;
                checked.insert(m.tag().to_string(), statements);
            }
        }
        let original_fk = foreign_keys(conn)?;
        let result = self.run_inner(conn, original_fk, checked, progress);
        // Put the connection's setting back however the run ended.
        let restored = conn.pragma_update(None, "foreign_keys", original_fk);
        let applied = result?;
        restored?;
        Ok(applied)
    }

    /// [`Migrations::run_with`], telling `ticker` where a long migration is. SQLite's progress
    /// handler asks it every thousand steps of a statement, on this thread: a run gets no
    /// thread for it, and a short one pays almost nothing. It replaces a progress handler the
    /// connection had, and the connection has none afterwards, however the run ends. The
    /// ticker's `tell` runs inside SQLite, with the migration's write lock held: it should not
    /// block.
    pub fn run_ticking(
        &self,
        conn: &mut Connection,
        progress: &mut dyn FnMut(&Progress),
        ticker: &Ticker,
    ) -> Result<Vec<Applied>, MigrateError> {
        /// Clears the handler when the run ends, by an error or a panic too.
        struct Cleared<'c>(&'c mut Connection);
        impl Drop for Cleared<'_> {
            fn drop(&mut self) {
                // Only fails for a closed connection, which has no handler left to clear.
                let _ = self.0.progress_handler(0, None::<fn() -> bool>);
            }
        }
        let watch = Watch::default();
        let (w, t) = (watch.clone(), ticker.clone());
        conn.progress_handler(
            TICK_STEPS,
            Some(move || {
                t.tick_if_due(&w);
                false
            }),
        )?;
        let guard = Cleared(conn);
        self.run_with(guard.0, &mut |p| {
            watch.see(p);
            progress(p)
        })
    }

    /// The run's loop; `checked` holds the statements of the migrations [`refuse_forbidden`]
    /// has passed already, by tag.
    fn run_inner(
        &self,
        conn: &mut Connection,
        original_fk: bool,
        mut checked: HashMap<String, Vec<String>>,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        let mut applied = Vec::new();
        let mut ledger: Option<Ledger<'_>> = None;
        let mut warned_unknown = false;
        // The connection's foreign_keys setting: only this loop changes it (a migration's own
        // PRAGMA is a no-op inside its transaction), and `set_foreign_keys` reads it back.
        let mut fk_now = original_fk;
        loop {
            let started = Instant::now();
            // The write lock is taken before reading what is applied, so two processes
            // never both decide to apply the same migration.
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.busy(e))?;
            // Only the rows written since the last look (by us or another process) are read.
            let mut l = match ledger.take() {
                None => {
                    tracking::ensure(&tx, self.table())?;
                    Ledger::new(self, &tracking::read(&tx, self.table(), None)?)
                }
                Some(mut l) => {
                    let rows: Vec<TrackingRow> = tracking::read_since(&tx, self.table(), l.last_id())?;
                    l.add(&rows);
                    l
                }
            };
            l.check()?;
            if !warned_unknown {
                warned_unknown = true;
                for unknown in l.unknown() {
                    progress(&Progress::Warning {
                        tag: unknown,
                        message: "applied to this database, but not among these migrations (a newer release applied \
                                  it?); going on, as allowed"
                            .to_string(),
                    });
                }
            }
            let next = l.next_pending();
            ledger = Some(l);
            let Some((next, out_of_order)) = next else {
                tx.commit()?;
                return Ok(applied);
            };
            let statements = match checked.remove(next.tag()) {
                Some(statements) => statements,
                None => {
                    let statements = next.statements();
                    refuse_forbidden(next, &statements)?;
                    statements
                }
            };
            let rebuilt = rebuilt_tables(next);
            // NOTE: PRAGMA foreign_keys is a no-op inside a transaction, so a migration that
            // rebuilds a table gets the lock released, the pragma set and read back, and the
            // lock taken again.
            let want_fk = original_fk && !needs_foreign_keys_off(&statements, &rebuilt);
            if fk_now != want_fk {
                // The rollback undoes what this step read and made (a tracking table rebuilt
                // from drizzle-orm's): it is all read again under the next lock.
                drop(tx);
                ledger = None;
                set_foreign_keys(conn, want_fk, next.tag())?;
                fk_now = want_fk;
                checked.insert(next.tag().to_string(), statements);
                continue;
            }
            progress(&Progress::Applying {
                tag: next.tag().to_string(),
                statements: statements.len(),
            });
            let unit = Unit {
                label: next.tag(),
                statements: &statements,
                rebuilt: &rebuilt,
                check_foreign_keys: original_fk && !want_fk,
            };
            unit.apply(&tx, &mut |event| match event {
                Event::Statement(number) => progress(&Progress::Statement {
                    tag: next.tag().to_string(),
                    number,
                    of: statements.len(),
                    elapsed: started.elapsed(),
                }),
                Event::Warning(message) => progress(&Progress::Warning {
                    tag: next.tag().to_string(),
                    message,
                }),
            })?;
            tracking::insert(&tx, self.table(), next)?;
            fault::point();
            tx.commit()?;
            fault::point();
            // Our own row is read back at the next step, like anyone else's.
            let done = Applied {
                tag: next.tag().to_string(),
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
        let rows = if tracking::exists(conn, self.table())? {
            tracking::read(conn, self.table(), None)?
        } else {
            Vec::new()
        };
        Ok(Ledger::new(self, &rows).status())
    }

    /// Records `tag` as applied without running it: for a baseline that describes what the
    /// database already has (`schema pull`).
    pub fn mark_applied(&self, conn: &Connection, tag: &str) -> Result<(), MigrateError> {
        let m = self
            .get(tag)
            .ok_or_else(|| MigrateError::Missing(format!("{tag}, which the folder does not have")))?;
        tracking::ensure(conn, self.table())?;
        tracking::insert(conn, self.table(), m)?;
        Ok(())
    }

    /// Records several migrations as applied without running them, in one transaction: all
    /// of them, or none. One already recorded (by another process since) is left as it is.
    pub fn mark_applied_all(&self, conn: &Connection, tags: &[&str]) -> Result<Vec<String>, MigrateError> {
        let ms: Vec<(usize, &Migration)> = tags
            .iter()
            .map(|t| self.position(t).ok_or_else(|| MigrateError::UnknownTag(t.to_string())))
            .collect::<Result<_, _>>()?;
        conn.busy_timeout(self.busy_timeout())?;
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(|e| self.busy(e))?;
        tracking::ensure(&tx, self.table())?;
        let ledger = Ledger::new(self, &tracking::read(&tx, self.table(), None)?);
        ledger.check()?;
        let mut recorded = Vec::new();
        for (i, m) in ms {
            if matches!(ledger.state(i), MigrationState::Pending) {
                tracking::insert(&tx, self.table(), m)?;
                recorded.push(m.tag().to_string());
            }
        }
        tx.commit()?;
        Ok(recorded)
    }

    /// Accepts a reviewed edit of an applied migration: its tracking row takes the file's
    /// hash now, so runs stop refusing it. Nothing of the migration is run again. Returns the
    /// hash it was applied with. An error when the migration is not applied or not edited.
    pub fn accept_edit(&self, conn: &Connection, tag: &str) -> Result<String, MigrateError> {
        let (i, m) = self
            .find(tag)
            .and_then(|m| self.position(m.tag()))
            .ok_or_else(|| MigrateError::UnknownTag(tag.to_string()))?;
        conn.busy_timeout(self.busy_timeout())?;
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(|e| self.busy(e))?;
        let rows = if tracking::exists(&tx, self.table())? {
            tracking::read(&tx, self.table(), None)?
        } else {
            Vec::new()
        };
        let ledger = Ledger::new(self, &rows);
        let old = ledger.edited_hash(i)?;
        let refuse = |reason: &str| MigrateError::NotEdited {
            tag: m.tag().to_string(),
            reason: reason.to_string(),
        };
        // drizzle-orm's table has no `tag` column yet: brought to ours first, as a run does.
        tracking::ensure(&tx, self.table())?;
        if tracking::update_hash(&tx, self.table(), m, &old)? == 0 {
            return Err(refuse(
                "its tracking row changed while this ran; look at `schema status` again",
            ));
        }
        tx.commit()?;
        Ok(old)
    }

    fn busy(&self, e: rusqlite::Error) -> MigrateError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                MigrateError::Busy(self.busy_timeout())
            }
            _ => e.into(),
        }
    }
}

/// An error for the first statement `m` may not hold, if any.
fn refuse_forbidden(m: &Migration, statements: &[String]) -> Result<(), MigrateError> {
    match super::statements::forbidden(statements).into_iter().next() {
        Some(f) => Err(MigrateError::Forbidden {
            tag: m.tag().to_string(),
            number: f.number,
            sql: f.sql,
            reason: f.reason,
        }),
        None => Ok(()),
    }
}

/// Sets `PRAGMA foreign_keys` and reads it back: inside a transaction it is a silent no-op.
fn set_foreign_keys(conn: &Connection, on: bool, label: &str) -> Result<(), MigrateError> {
    conn.pragma_update(None, "foreign_keys", on)?;
    if foreign_keys(conn)? != on {
        return Err(MigrateError::ForeignKeysStayOn(label.to_string()));
    }
    Ok(())
}

/// What one transaction applies: a migration's statements, or a push's plan.
struct Unit<'a> {
    /// The migration's tag, or `push`: named in errors.
    label: &'a str,
    statements: &'a [String],
    /// The tables the statements rebuild: their views and triggers are saved and restored.
    rebuilt: &'a [String],
    /// Foreign keys were turned off for this unit: check them before COMMIT.
    check_foreign_keys: bool,
}

/// What a unit reports as it goes.
enum Event {
    /// Statement `n` (from 1) finished.
    Statement(usize),
    /// Something the user should know.
    Warning(String),
}

impl Unit<'_> {
    /// Runs the unit inside `tx`, reporting each statement and warning. Leaves the commit to
    /// the caller, which may add its tracking row first.
    fn apply(&self, tx: &Transaction<'_>, report: &mut dyn FnMut(Event)) -> Result<(), MigrateError> {
        let (dependents, indexes) = if self.rebuilt.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (save_dependents(tx, self.rebuilt)?, save_indexes(tx, self.rebuilt)?)
        };
        for (i, sql) in self.statements.iter().enumerate() {
            tx.execute_batch(sql)
                .map_err(|source| match guard_rows(tx, sql, &source) {
                    Some((rows, reason)) => MigrateError::Guarded {
                        tag: self.label.to_string(),
                        number: i + 1,
                        rows,
                        reason,
                    },
                    None => MigrateError::Statement {
                        tag: self.label.to_string(),
                        number: i + 1,
                        sql: sql.clone(),
                        source: Box::new(source.into()),
                    },
                })?;
            fault::point();
            report(Event::Statement(i + 1));
        }
        restore_dependents(tx, &dependents, self.label)?;
        // Only a rebuild saved indexes: the statements are read for dropped ones only then.
        let dropped = if indexes.is_empty() {
            Vec::new()
        } else {
            dropped_indexes(self.statements)
        };
        let kept: Vec<SavedIndex> = indexes
            .into_iter()
            .filter(|i| !dropped.iter().any(|d| d.eq_ignore_ascii_case(&i.name)))
            .collect();
        for warning in restore_indexes(tx, &kept)? {
            report(Event::Warning(warning));
        }
        if self.check_foreign_keys {
            let violations = foreign_key_violations(tx)?;
            if !violations.is_empty() {
                return Err(MigrateError::ForeignKeyViolation {
                    tag: self.label.to_string(),
                    violations,
                });
            }
        }
        Ok(())
    }
}

/// When `sql` is the NOT NULL guard's count and it failed: the rows it counted (counted again,
/// inside the transaction the failure left open) and the guard's reason.
fn guard_rows(conn: &Connection, sql: &str, error: &rusqlite::Error) -> Option<(i64, String)> {
    let prefix = format!("INSERT INTO temp.`{}` ", super::plan::NULL_GUARD);
    let count = sql.trim().strip_prefix(&prefix)?.trim_end_matches(';');
    let reason = error.to_string();
    let reason = reason.strip_prefix("CHECK constraint failed: ")?.to_string();
    let rows = conn.query_row(count, [], |r| r.get(0)).ok()?;
    Some((rows, reason))
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
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
    )?;
    let all: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut saved = Vec::new();
    for (kind, name, tbl, sql) in all {
        let keep = kind == "view"
            || rebuilt
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&tbl) || mentions(&sql, t));
        if keep {
            conn.execute_batch(&format!("DROP {} IF EXISTS {};", kind.to_uppercase(), ident(&name)))?;
            saved.push(Dependent { kind, name, sql });
        }
    }
    Ok(saved)
}

/// An index of a rebuilt table, as it was before the migration.
#[derive(Debug)]
struct SavedIndex {
    name: String,
    table: String,
    sql: String,
}

/// The indexes of the rebuilt tables (not those behind a key or UNIQUE constraint, which the
/// table's own definition makes). The rebuild's DROP TABLE takes them all; the plan makes
/// those the schema declares again, and [`restore_indexes`] the rest.
fn save_indexes(conn: &Connection, rebuilt: &[String]) -> Result<Vec<SavedIndex>, MigrateError> {
    let mut stmt = conn.prepare(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid",
    )?;
    let all: Vec<SavedIndex> = stmt
        .query_map([], |r| {
            Ok(SavedIndex {
                name: r.get(0)?,
                table: r.get(1)?,
                sql: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(all
        .into_iter()
        .filter(|i| rebuilt.iter().any(|t| t.eq_ignore_ascii_case(&i.table)))
        .collect())
}

/// The indexes a migration drops by name (`DROP INDEX [IF EXISTS] name`).
fn dropped_indexes(statements: &[String]) -> Vec<String> {
    use schema_model::sql::lex::{Kind, split, tokens};
    let mut out = Vec::new();
    for piece in statements {
        for stmt in split(piece) {
            // `DROP INDEX IF EXISTS schema . name`: seven words at most.
            let toks: Vec<_> = tokens(stmt.text).filter(|t| !t.is_comment()).take(7).collect();
            let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.is_word(stmt.text, w));
            if !(word(0, "DROP") && word(1, "INDEX")) {
                continue;
            }
            let mut at = if word(2, "IF") { 4 } else { 2 };
            // `schema.name`
            if toks.get(at + 1).is_some_and(|t| t.is_op(stmt.text, ".")) {
                at += 2;
            }
            if let Some(t) = toks.get(at) {
                out.push(match &t.kind {
                    Kind::Quoted(n) | Kind::Str(n) => n.clone(),
                    _ => t.text(stmt.text).to_string(),
                });
            }
        }
    }
    out
}

/// Recreates the indexes of rebuilt tables that the migration did not make again (made by a
/// custom migration, not declared in the schema). One that no longer fits the table (a
/// column it names is gone) cannot come back: it is said, and the migration goes on.
fn restore_indexes(conn: &Connection, saved: &[SavedIndex]) -> Result<Vec<String>, MigrateError> {
    let mut warnings = Vec::new();
    for ix in saved {
        let exists: bool = conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ?1",
            [&ix.name],
            |r| r.get(0),
        )?;
        if exists {
            continue;
        }
        // A savepoint, so a failed CREATE leaves nothing behind in the transaction.
        conn.execute_batch("SAVEPOINT schema_restore_index")?;
        match conn.execute_batch(&ix.sql) {
            Ok(()) => conn.execute_batch("RELEASE schema_restore_index")?,
            Err(e) => {
                conn.execute_batch("ROLLBACK TO schema_restore_index; RELEASE schema_restore_index")?;
                warnings.push(format!(
                    "the index `{}` on `{}` is not in the schema (a custom migration made it) and could not be made \
                     again after the table was rebuilt ({e}); it is gone: {}",
                    ix.name, ix.table, ix.sql
                ));
            }
        }
    }
    Ok(warnings)
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
                source: Box::new(source.into()),
            })?;
        }
    }
    Ok(())
}

/// Applies planned statements outside any migration folder (what `schema push` does), with
/// the same safety as a migration: foreign keys off around a rebuild (set before the
/// transaction and read back), one transaction, views, triggers and undeclared indexes of
/// rebuilt tables recreated, `foreign_key_check` before COMMIT. Returns its warnings.
pub fn apply_statements(
    conn: &mut Connection,
    label: &str,
    statements: &[String],
    rebuilt: &[String],
    fk_off: bool,
) -> Result<Vec<String>, MigrateError> {
    let original_fk = foreign_keys(conn)?;
    let want_fk = original_fk && !fk_off && rebuilt.is_empty();
    if want_fk != original_fk {
        set_foreign_keys(conn, want_fk, label)?;
    }
    let mut warnings = Vec::new();
    let result = (|| -> Result<(), MigrateError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        Unit {
            label,
            statements,
            rebuilt,
            check_foreign_keys: original_fk && !want_fk,
        }
        .apply(&tx, &mut |event| {
            if let Event::Warning(w) = event {
                warnings.push(w);
            }
        })?;
        fault::point();
        tx.commit()?;
        fault::point();
        Ok(())
    })();
    let restored = conn.pragma_update(None, "foreign_keys", original_fk);
    result?;
    restored?;
    Ok(warnings)
}
