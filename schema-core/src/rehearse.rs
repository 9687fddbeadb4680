//! `schema migrate --rehearse`: the pending migrations applied to a copy of the database, each
//! timed, its rows counted, the longest lock named; the database itself is never written.
//!
//! A driver makes the copy ([`Driver::scratch_copy`]: SQLite's online backup into a temporary
//! file); the rehearsal applies one pending migration at a time through the copy's own runner,
//! so each gets the same transaction, checks and tracking row as the real run, and the rows
//! it touched are read between two of them ([`Driver::rows_changed`]). A dialect whose copy is
//! too big to make (PostgreSQL: one transaction rolled back instead) overrides
//! [`Driver::rehearse`].

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::driver::Driver;
use crate::migrate::{DbError, MigrateError, MigrationState, Migrations, Progress};

/// A copy of a database to rehearse on, which disappears when dropped: its driver is closed
/// first, then its files removed.
pub struct Scratch {
    driver: Option<Box<dyn Driver>>,
    files: Vec<PathBuf>,
    /// How the copy was made, for the report (`SQLite's online backup into /tmp/…`).
    pub how: String,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch")
            .field("how", &self.how)
            .field("files", &self.files)
            .finish()
    }
}

impl Scratch {
    /// A copy reached through `driver`, whose `files` are removed when it is dropped.
    pub fn new(driver: Box<dyn Driver>, files: Vec<PathBuf>, how: impl Into<String>) -> Scratch {
        Scratch {
            driver: Some(driver),
            files,
            how: how.into(),
        }
    }

    /// The copy.
    pub fn driver(&mut self) -> &mut dyn Driver {
        self.driver
            .as_deref_mut()
            .expect("a scratch copy has its driver until it is dropped")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The connection first: a file still open is not gone everywhere.
        self.driver.take();
        for f in &self.files {
            let _ = std::fs::remove_file(f);
        }
    }
}

/// One migration as the rehearsal applied it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rehearsed {
    /// Its tag.
    pub tag: String,
    /// How long its transaction took, commit included: how long it holds the write lock.
    pub elapsed: Duration,
    /// Rows its statements inserted, updated or deleted (a rebuild's copy included), when the
    /// driver can count them.
    pub rows: Option<u64>,
}

/// What a rehearsal found.
#[derive(Debug)]
pub struct Rehearsal {
    /// How the copy was made.
    pub copy: String,
    /// How long making the copy took.
    pub copy_time: Duration,
    /// The migrations pending when it started, in order.
    pub pending: Vec<String>,
    /// Those it applied, in order.
    pub applied: Vec<Rehearsed>,
    /// Why it stopped early: the error the real run would end with.
    pub failure: Option<MigrateError>,
}

impl Rehearsal {
    /// The migration that held the lock longest.
    pub fn longest(&self) -> Option<&Rehearsed> {
        self.applied.iter().max_by_key(|r| r.elapsed)
    }
}

/// Why a rehearsal could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RehearseError {
    /// The migrations' state in the database could not be read.
    #[error(transparent)]
    Status(MigrateError),
    /// The copy could not be made.
    #[error("cannot copy {target} to rehearse on: {source}")]
    Copy {
        /// The database.
        target: String,
        /// Why.
        source: DbError,
    },
    /// The driver has no way to copy its database.
    #[error("{0} cannot be copied to rehearse on with this driver")]
    Unsupported(String),
}

/// The rehearsal every driver with a [`Driver::scratch_copy`] gets: copy, then apply each
/// pending migration to the copy, one at a time.
pub fn by_copy<D: Driver + ?Sized>(
    db: &mut D,
    migrations: &Migrations,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Rehearsal, RehearseError> {
    let status = db.status(migrations).map_err(RehearseError::Status)?;
    let pending: Vec<String> = status
        .migrations
        .iter()
        .filter(|(_, s)| *s == MigrationState::Pending)
        .map(|(m, _)| m.tag().to_string())
        .collect();
    let started = Instant::now();
    let mut scratch = db
        .scratch_copy()
        .map_err(|source| RehearseError::Copy {
            target: db.target(),
            source,
        })?
        .ok_or_else(|| RehearseError::Unsupported(db.target()))?;
    let mut out = Rehearsal {
        copy: scratch.how.clone(),
        copy_time: started.elapsed(),
        pending: pending.clone(),
        applied: Vec::new(),
        failure: None,
    };
    let copy = scratch.driver();
    for tag in &pending {
        // What the copy has applied, and this one: its runner then applies exactly this one,
        // with every check the real run makes.
        let state = match copy.status(migrations) {
            Ok(s) => s,
            Err(e) => {
                out.failure = Some(e);
                break;
            }
        };
        let subset: Vec<_> = state
            .migrations
            .into_iter()
            .filter(|(m, s)| *s != MigrationState::Pending || m.tag() == tag)
            .map(|(m, _)| m)
            .collect();
        let one = Migrations::from_vec(subset)
            .with_table(migrations.table())
            .with_busy_timeout(migrations.busy_timeout());
        let before = copy.rows_changed();
        match copy.migrate(&one, progress) {
            Ok(applied) => {
                let rows = match (before, copy.rows_changed()) {
                    // Less the tracking row each migration writes.
                    (Some(b), Some(a)) => Some(a.saturating_sub(b).saturating_sub(applied.len() as u64)),
                    _ => None,
                };
                for a in applied {
                    out.applied.push(Rehearsed {
                        tag: a.tag,
                        elapsed: a.elapsed,
                        rows,
                    });
                }
            }
            Err(e) => {
                out.failure = Some(e);
                break;
            }
        }
    }
    Ok(out)
}
