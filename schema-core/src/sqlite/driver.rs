//! [`SqliteDriver`]: the [`Driver`] of a SQLite database, on a rusqlite connection.

use std::borrow::BorrowMut;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use schema_model::sql::sqlite::ident;

use super::plan::turns_foreign_keys_off;
use super::{SQLITE, introspect as introspection, runner};
use crate::backend::{FileTarget, OpenError, OpenMode, RemoveError};
use crate::dialect::{Dialect, Plan, PlanOptions};
use crate::diff::Change;
use crate::driver::{Driver, RowFilter};
use crate::migrate::{Applied, DbError, MigrateError, Migrations, Progress, Status, Ticker};
use crate::model::Schema;
use crate::rehearse::Scratch;

/// A SQLite database on a rusqlite connection, owned (`SqliteDriver::new(conn)`) or borrowed
/// (`SqliteDriver::new(&mut conn)`).
#[derive(Debug)]
pub struct SqliteDriver<C: BorrowMut<Connection> = Connection> {
    conn: C,
    /// The path as the user gave it, for messages (SQLite makes its own absolute).
    target: Option<String>,
}

impl SqliteDriver {
    /// Opens the file `target` names, as it says. A database that must exist and does not is
    /// [`OpenError::Missing`], never a new empty file.
    pub fn open(target: &FileTarget) -> Result<SqliteDriver, OpenError> {
        let (path, mode, shown) = (&target.path, target.mode, &target.shown);
        if mode != OpenMode::Create && !path.is_file() {
            return Err(OpenError::Missing(shown.clone()));
        }
        let flags = match mode {
            OpenMode::Create => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            OpenMode::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
            OpenMode::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| OpenError::Open {
            target: shown.clone(),
            message: e.to_string(),
        })?;
        Ok(SqliteDriver {
            conn,
            target: Some(shown.clone()),
        })
    }
}

impl<C: BorrowMut<Connection>> SqliteDriver<C> {
    /// The driver of the database `conn` is open on.
    pub fn new(conn: C) -> Self {
        SqliteDriver { conn, target: None }
    }

    /// The connection.
    pub fn connection(&mut self) -> &mut Connection {
        self.conn.borrow_mut()
    }
}

impl<C: BorrowMut<Connection>> Driver for SqliteDriver<C> {
    fn dialect(&self) -> &'static dyn Dialect {
        &SQLITE
    }

    fn target(&self) -> String {
        if let Some(t) = &self.target {
            return t.clone();
        }
        match self.conn.borrow().path() {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => ":memory:".to_string(),
        }
    }

    fn introspect(&mut self, skip: &[&str]) -> Result<Schema, DbError> {
        Ok(introspection::introspect(self.conn.borrow(), skip)?)
    }

    fn unmodeled(&mut self, skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(introspection::read(self.conn.borrow(), skip)?.1)
    }

    fn verbatim_objects(&mut self, skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(introspection::verbatim_objects(self.conn.borrow(), skip)?)
    }

    fn introspect_all(&mut self, skip: &[&str]) -> Result<crate::driver::Introspected, DbError> {
        let (schema, notes, verbatim) = introspection::read_with_verbatim(self.conn.borrow(), skip)?;
        Ok(crate::driver::Introspected {
            schema,
            notes,
            verbatim,
        })
    }

    fn count_rows(&mut self, table: &str, filter: RowFilter<'_>) -> Result<i64, DbError> {
        let condition = match filter {
            RowFilter::All => String::new(),
            RowFilter::IsNull(c) => format!(" WHERE {} IS NULL", ident(c)),
            RowFilter::NotNull(c) => format!(" WHERE {} IS NOT NULL", ident(c)),
        };
        let sql = format!("SELECT count(*) FROM {}{condition}", ident(table));
        Ok(self.conn.borrow().query_row(&sql, [], |r| r.get(0))?)
    }

    /// A unique index behind a UNIQUE constraint has no name to drop it by: its table is
    /// recreated instead.
    fn plan_options(&mut self, changes: &[Change]) -> Result<PlanOptions, DbError> {
        let mut opts = PlanOptions::default();
        for c in changes {
            if let Change::DropIndex { table, index } = c {
                let real: bool = self.conn.borrow().query_row(
                    "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [&index.name],
                    |r| r.get(0),
                )?;
                if !real {
                    opts.recreate.insert(table.clone());
                    opts.constraint_indexes.insert(index.name.clone());
                }
            }
        }
        Ok(opts)
    }

    fn apply_plan(&mut self, label: &str, plan: &Plan) -> Result<Vec<String>, MigrateError> {
        // The file-level PRAGMAs and guard are for other runners; here foreign keys are
        // handled around the transaction.
        let statements: Vec<String> = plan
            .statements
            .iter()
            .filter(|s| !s.trim_start().to_ascii_uppercase().starts_with("PRAGMA FOREIGN_KEYS"))
            .cloned()
            .collect();
        // The plan turns foreign keys off for rebuilds and for dropping a referenced table.
        let fk_off = plan.statements.iter().any(|s| turns_foreign_keys_off(s));
        runner::apply_statements(self.conn.borrow_mut(), label, &statements, &plan.rebuilt, fk_off)
    }

    fn status(&mut self, migrations: &Migrations) -> Result<Status, MigrateError> {
        migrations.status(self.conn.borrow())
    }

    fn migrate(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError> {
        migrations.run_with(self.conn.borrow_mut(), progress)
    }

    fn migrate_ticking(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
        ticker: &Ticker,
    ) -> Result<Vec<Applied>, MigrateError> {
        migrations.run_ticking(self.conn.borrow_mut(), progress, ticker)
    }

    fn mark_applied(&mut self, migrations: &Migrations, tag: &str) -> Result<(), MigrateError> {
        migrations.mark_applied(self.conn.borrow(), tag)
    }

    fn mark_applied_all(&mut self, migrations: &Migrations, tags: &[&str]) -> Result<Vec<String>, MigrateError> {
        migrations.mark_applied_all(self.conn.borrow(), tags)
    }

    fn accept_edit(&mut self, migrations: &Migrations, tag: &str) -> Result<String, MigrateError> {
        migrations.accept_edit(self.conn.borrow(), tag)
    }

    fn backup_to(&mut self, dest: &Path) -> Result<bool, DbError> {
        self.conn
            .borrow()
            .backup(rusqlite::MAIN_DB, dest, None::<fn(rusqlite::backup::Progress)>)?;
        Ok(true)
    }

    /// The online backup into a new file of the temporary folder: a consistent copy even while
    /// other connections write, made without writing to the database.
    fn scratch_copy(&mut self) -> Result<Option<Scratch>, DbError> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dest = std::env::temp_dir().join(format!("schema-rehearse-{}-{stamp}.db", std::process::id()));
        let files = database_files(&dest);
        let copied = self.backup_to(&dest).and_then(|_| {
            let conn = Connection::open(&dest)?;
            Ok(SqliteDriver {
                conn,
                target: Some(dest.display().to_string()),
            })
        });
        match copied {
            Ok(copy) => Ok(Some(Scratch::new(
                Box::new(copy),
                files,
                format!("SQLite's online backup into {}", dest.display()),
            ))),
            Err(e) => {
                for f in &files {
                    let _ = std::fs::remove_file(f);
                }
                Err(e)
            }
        }
    }

    fn rows_changed(&mut self) -> Option<u64> {
        Some(self.conn.borrow().total_changes())
    }

    fn is_empty(&mut self) -> Result<bool, DbError> {
        let n: i64 = self
            .conn
            .borrow()
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        Ok(n == 0)
    }
}

/// A database file and the files SQLite keeps beside it: `-wal`, `-shm`, `-journal`.
pub fn database_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        out.push(p.into());
    }
    out
}

/// Deletes the database at `path` and its `-wal`, `-shm` and `-journal` files, after checking
/// that it is one (SQLite's header, or an empty file); returns the files removed. A database
/// that is not there removes nothing.
pub fn remove_database(path: &Path) -> Result<Vec<std::path::PathBuf>, RemoveError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(RemoveError::Folder(shown));
    }
    if path.exists() {
        let mut head = [0u8; 16];
        let n = std::fs::File::open(path)
            .and_then(|mut f| {
                use std::io::Read;
                f.read(&mut head)
            })
            .map_err(|source| RemoveError::Io {
                path: shown.clone(),
                source,
            })?;
        if n > 0 && head[..n] != b"SQLite format 3\0"[..n] {
            return Err(RemoveError::NotADatabase(shown));
        }
    }
    let mut removed = Vec::new();
    for f in database_files(path) {
        match std::fs::remove_file(&f) {
            Ok(()) => removed.push(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(RemoveError::Io {
                    path: f.display().to_string(),
                    source,
                });
            }
        }
    }
    Ok(removed)
}
