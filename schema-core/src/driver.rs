//! The I/O half of the dialect boundary: a [`Driver`] is one client library's connection to
//! one database. See [`crate::dialect`] for the design and for who owns what.

use std::path::Path;

use crate::dialect::{Dialect, Plan, PlanOptions};
use crate::diff::Change;
use crate::migrate::{Applied, DbError, MigrateError, Migrations, Progress, Status, Ticker, Watch};
use crate::model::Schema;
use crate::rehearse::{Rehearsal, RehearseError, Scratch};

/// Which rows of a table to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFilter<'a> {
    /// Every row.
    All,
    /// Rows where this column is NULL.
    IsNull(&'a str),
    /// Rows where this column is not NULL.
    NotNull(&'a str),
}

/// Whether introspection leaves out the table `name`: `skip` holds table names and globs
/// (`*`, `?`, `[..]`), compared without case, as SQLite and PostgreSQL (unquoted) compare names.
pub fn skipped(name: &str, skip: &[&str]) -> bool {
    let opts = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    skip.iter()
        .any(|s| s.eq_ignore_ascii_case(name) || glob::Pattern::new(s).is_ok_and(|p| p.matches_with(name, opts)))
}

/// Everything introspection reads of a database: the schema, what the model cannot say (a
/// sentence each), and the objects kept as written.
#[derive(Debug, Clone, Default)]
pub struct Introspected {
    /// The schema, as [`Driver::introspect`] reads it.
    pub schema: Schema,
    /// [`Driver::unmodeled`].
    pub notes: Vec<String>,
    /// [`Driver::verbatim_objects`].
    pub verbatim: Vec<String>,
}

/// One database, reached through one client library: what the workflows need of it.
pub trait Driver {
    /// The dialect of this database's SQL.
    fn dialect(&self) -> &'static dyn Dialect;

    /// The database named for messages: a file's path, or a URL without its password.
    fn target(&self) -> String;

    /// The database's schema, normalized for its dialect, leaving out the tables named in
    /// `skip` (the tracking table) and the database's own.
    fn introspect(&mut self, skip: &[&str]) -> Result<Schema, DbError>;

    /// `schema` as this database would store it, to compare with what [`Driver::introspect`]
    /// reads: by default the dialect's normal form; a server that rewrites what it is given
    /// (PostgreSQL deparses defaults, checks and expressions) says exactly how.
    fn as_stored(&mut self, schema: &Schema) -> Result<Schema, DbError> {
        Ok(self.dialect().normalize(schema))
    }

    /// What the tables' definitions say that the model cannot (an `ON CONFLICT` clause, a
    /// descending key), one sentence each: what `pull` prints and lists in its baseline.
    fn unmodeled(&mut self, _skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(Vec::new())
    }

    /// The objects the model does not describe, as the statements that create them (SQLite's
    /// virtual tables, views and triggers): what `pull` keeps in its baseline as written.
    fn verbatim_objects(&mut self, _skip: &[&str]) -> Result<Vec<String>, DbError> {
        Ok(Vec::new())
    }

    /// [`Driver::introspect`], [`Driver::unmodeled`] and [`Driver::verbatim_objects`] at once,
    /// what `pull` needs: a driver that reads them together reads the catalog once.
    fn introspect_all(&mut self, skip: &[&str]) -> Result<Introspected, DbError> {
        Ok(Introspected {
            schema: self.introspect(skip)?,
            notes: self.unmodeled(skip)?,
            verbatim: self.verbatim_objects(skip)?,
        })
    }

    /// How many rows of `table` pass `filter`.
    fn count_rows(&mut self, table: &str, filter: RowFilter<'_>) -> Result<i64, DbError>;

    /// What the planner must know about the live database to plan `changes` against it.
    fn plan_options(&mut self, _changes: &[Change]) -> Result<PlanOptions, DbError> {
        Ok(PlanOptions::default())
    }

    /// Applies a plan in one transaction, with the same safety as a migration; on any error
    /// the database is as it was. `label` names it in errors. Returns what the user should
    /// know (an index that could not be kept).
    fn apply_plan(&mut self, label: &str, plan: &Plan) -> Result<Vec<String>, MigrateError>;

    /// Where each migration stands. Reads only: takes no lock and creates nothing.
    fn status(&mut self, migrations: &Migrations) -> Result<Status, MigrateError>;

    /// Applies every migration not yet applied, each in its own transaction with its
    /// tracking row, reporting as it goes.
    fn migrate(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<Applied>, MigrateError>;

    /// [`Driver::migrate`], telling `ticker` where a long migration is. By default from a
    /// thread beside the run; a driver that can ask its database mid-statement (SQLite's
    /// progress handler) does without one.
    fn migrate_ticking(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
        ticker: &Ticker,
    ) -> Result<Vec<Applied>, MigrateError> {
        let watch = Watch::default();
        ticker.on_a_thread(&watch, || {
            self.migrate(migrations, &mut |p| {
                watch.see(p);
                progress(p)
            })
        })
    }

    /// Records `tag` as applied without running it (a baseline that describes what the
    /// database already has).
    fn mark_applied(&mut self, migrations: &Migrations, tag: &str) -> Result<(), MigrateError>;

    /// Records the migrations `tags` as applied without running them, in one transaction
    /// (adopting a database: `schema migrate --baseline`); those already recorded are left.
    /// Returns the tags recorded.
    fn mark_applied_all(&mut self, _migrations: &Migrations, _tags: &[&str]) -> Result<Vec<String>, MigrateError> {
        Err(MigrateError::Unsupported("recording migrations as applied".to_string()))
    }

    /// Accepts a reviewed edit of the applied migration `tag`: its tracking row takes the
    /// file's hash now (`schema migrate --accept-edit`). Returns the hash it had.
    fn accept_edit(&mut self, _migrations: &Migrations, _tag: &str) -> Result<String, MigrateError> {
        Err(MigrateError::Unsupported("accepting an edited migration".to_string()))
    }

    /// Copies the database to `dest` while it stays usable; `Ok(false)` where the database has
    /// no such copy (it is not a file).
    fn backup_to(&mut self, _dest: &Path) -> Result<bool, DbError> {
        Ok(false)
    }

    /// A copy of the database to rehearse migrations on, removed when dropped (SQLite: the
    /// online backup into a temporary file; a server: a scratch database); `Ok(None)` where
    /// the driver cannot make one.
    fn scratch_copy(&mut self) -> Result<Option<Scratch>, DbError> {
        Ok(None)
    }

    /// Rows inserted, updated or deleted through this connection since it opened (SQLite's
    /// `total_changes`), when the driver can say.
    fn rows_changed(&mut self) -> Option<u64> {
        None
    }

    /// Whether the database holds nothing at all yet (no table, not even a tracking table):
    /// the one state a seed file is applied to.
    fn is_empty(&mut self) -> Result<bool, DbError> {
        Ok(self.introspect(&[])?.tables.is_empty() && self.verbatim_objects(&[])?.is_empty())
    }

    /// Applies the pending migrations to a copy and reports what each did there; the database
    /// itself is not written. By default on [`Driver::scratch_copy`]; a driver whose copies are
    /// too dear can rehearse another way (one transaction rolled back).
    fn rehearse(
        &mut self,
        migrations: &Migrations,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Rehearsal, RehearseError> {
        crate::rehearse::by_copy(self, migrations, progress)
    }
}
