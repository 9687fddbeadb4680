//! The tracking table's rows matched to a folder's migrations: which are applied, pending,
//! edited or missing. Pure logic, shared by every dialect's runner; each driver reads and
//! writes the rows its own way.
#![cfg_attr(not(feature = "sqlite"), allow(dead_code))]

use std::collections::HashMap;
use std::time::Duration;

use super::{MigrateError, Migration, Migrations};

/// One row of the tracking table: drizzle-orm's columns (`id`, `hash`, `created_at`) and
/// ours (`tag`, `applied_at`), which rows written by drizzle-orm leave NULL.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingRow {
    /// The row's id.
    pub id: Option<i64>,
    /// The migration file's hash when it was applied.
    pub hash: String,
    /// The migration's journal `when`.
    pub created_at: Option<i64>,
    /// The migration's tag (NULL in rows drizzle-orm wrote).
    pub tag: Option<String>,
    /// When it was applied (NULL in rows drizzle-orm wrote).
    pub applied_at: Option<String>,
}

impl TrackingRow {
    /// How the row is named in messages: its tag, else drizzle-orm's `created_at`.
    pub fn describe(&self) -> String {
        match &self.tag {
            Some(t) => t.clone(),
            None => format!(
                "tracking row {} with created_at {}",
                self.id.map_or_else(|| "NULL".to_string(), |i| i.to_string()),
                self.created_at.map_or_else(|| "NULL".to_string(), |c| c.to_string())
            ),
        }
    }
}

/// Where a migration of the folder stands in a database.
#[derive(Debug, Clone, PartialEq)]
pub enum MigrationState {
    /// Applied, with the file unchanged since.
    Applied {
        /// When, if the row says (drizzle-orm's rows do not).
        applied_at: Option<String>,
    },
    /// Not applied yet.
    Pending,
    /// Applied, but the file has changed since.
    Edited,
}

/// What `status` finds.
#[derive(Debug, Clone)]
pub struct Status {
    /// Every migration of the folder, in journal order, with where it stands.
    pub migrations: Vec<(Migration, MigrationState)>,
    /// Tracking rows that match no migration of the folder: applied, then removed or renamed.
    pub missing: Vec<String>,
}

/// One migration a run applied.
#[derive(Debug, Clone)]
pub struct Applied {
    /// Its tag.
    pub tag: String,
    /// How long it took, commit included.
    pub elapsed: Duration,
    /// Older than a migration already applied (merged from another branch): applied anyway.
    pub out_of_order: bool,
}

/// What a run reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A migration is about to run.
    Applying {
        /// Its tag.
        tag: String,
        /// How many statements it has.
        statements: usize,
    },
    /// One of its statements finished.
    Statement {
        /// The migration's tag.
        tag: String,
        /// The statement's number, from 1.
        number: usize,
        /// Of how many.
        of: usize,
        /// Time since the migration started.
        elapsed: Duration,
    },
    /// It is applied and committed.
    Applied(Applied),
    /// Something the user should know about a migration that still applies (an index that
    /// a rebuild could not put back).
    Warning {
        /// The migration's tag.
        tag: String,
        /// What happened.
        message: String,
    },
}

/// The folder's migrations matched to a database's tracking rows. Rows can be added as a run
/// reads the ones other processes wrote, so a run over many migrations stays linear.
#[derive(Debug)]
pub struct Ledger<'m> {
    migrations: &'m Migrations,
    by_tag: HashMap<&'m str, usize>,
    /// The migrations of each `when`, in journal order: more than one where two were made in
    /// the same millisecond.
    by_when: HashMap<i64, Vec<usize>>,
    /// A state per migration, in journal order.
    states: Vec<MigrationState>,
    /// The hash each edited migration was applied with.
    edited: Vec<(usize, String)>,
    /// Rows that match no migration.
    missing: Vec<TrackingRow>,
    /// The highest row id seen.
    last_id: Option<i64>,
    /// No migration before this position is pending: states only ever leave `Pending`, so
    /// the search for the next one resumes here and a run stays linear in the migrations.
    first_pending: usize,
    /// The highest journal `idx` among the applied migrations.
    max_applied_idx: Option<u32>,
}

impl<'m> Ledger<'m> {
    /// Matches `rows` to `migrations`: a row is a migration's when its tag says so, or, for a
    /// row drizzle-orm wrote (no tag), when its `created_at` is the migration's `when` (and,
    /// of migrations with the same `when`, its hash is the migration's).
    pub fn new(migrations: &'m Migrations, rows: &[TrackingRow]) -> Ledger<'m> {
        let n = migrations.migrations.len();
        let mut by_tag: HashMap<&str, usize> = HashMap::with_capacity(n);
        let mut by_when: HashMap<i64, Vec<usize>> = HashMap::with_capacity(n);
        for (i, m) in migrations.migrations.iter().enumerate() {
            by_tag.entry(m.tag()).or_insert(i);
            by_when.entry(m.when()).or_default().push(i);
        }
        let mut ledger = Ledger {
            migrations,
            by_tag,
            by_when,
            states: vec![MigrationState::Pending; n],
            edited: Vec::new(),
            missing: Vec::new(),
            last_id: None,
            first_pending: 0,
            max_applied_idx: None,
        };
        ledger.add(rows);
        ledger
    }

    /// Takes more rows into account (written since the ones already seen).
    pub fn add(&mut self, rows: &[TrackingRow]) {
        // A row drizzle-orm wrote (no tag) is the migration of its `when`. Where two
        // migrations were made in one millisecond, a row whose hash is a pending one's is that
        // one's, and the others are matched once those are, so that an edited migration's
        // row cannot take the other's. Otherwise the first row of a migration decides.
        let mut by_when_only = Vec::new();
        for r in rows {
            self.last_id = self.last_id.max(r.id);
            let found = match &r.tag {
                Some(t) => self.by_tag.get(t.as_str()).copied(),
                None => match self.of_when(r) {
                    [] => None,
                    &[one] => Some(one),
                    same => match same.iter().copied().find(|&i| {
                        self.states[i] == MigrationState::Pending && self.migrations.migrations[i].hash() == r.hash
                    }) {
                        Some(i) => Some(i),
                        None => {
                            by_when_only.push(r);
                            continue;
                        }
                    },
                },
            };
            self.settle(r, found);
        }
        for r in by_when_only {
            // The first pending migration of its `when` (edited since), else its first.
            let same = self.of_when(r);
            let found = same
                .iter()
                .copied()
                .find(|&i| self.states[i] == MigrationState::Pending)
                .or(same.first().copied());
            self.settle(r, found);
        }
    }

    /// The migrations whose `when` is the row's `created_at`, in journal order.
    fn of_when(&self, r: &TrackingRow) -> &[usize] {
        r.created_at
            .and_then(|c| self.by_when.get(&c))
            .map_or(&[], Vec::as_slice)
    }

    /// `r` is migration `found`'s row (or no migration's).
    fn settle(&mut self, r: &TrackingRow, found: Option<usize>) {
        match found {
            // The first row of a migration decides, as a scan in row order would.
            Some(i) if self.states[i] == MigrationState::Pending => {
                let m = &self.migrations.migrations[i];
                self.states[i] = if r.hash == m.hash() {
                    self.max_applied_idx = self.max_applied_idx.max(Some(m.idx()));
                    MigrationState::Applied {
                        applied_at: r.applied_at.clone(),
                    }
                } else {
                    self.edited.push((i, r.hash.clone()));
                    MigrationState::Edited
                };
            }
            Some(_) => {}
            None => self.missing.push(r.clone()),
        }
    }

    /// The applied migrations the folder does not have, each described.
    pub fn unknown(&self) -> Vec<String> {
        self.missing.iter().map(TrackingRow::describe).collect()
    }

    /// The hash an edited migration was applied with, if `i` is one.
    pub fn applied_hash(&self, i: usize) -> Option<&str> {
        self.edited.iter().find(|(e, _)| *e == i).map(|(_, h)| h.as_str())
    }

    /// Where the `i`th migration stands.
    /// The hash migration `i` was applied with, when its file has been edited since: what an
    /// accepted edit replaces. An error that says why there is nothing to accept otherwise.
    pub fn edited_hash(&self, i: usize) -> Result<String, MigrateError> {
        let refuse = |reason: &str| MigrateError::NotEdited {
            tag: self.migrations.migrations[i].tag().to_string(),
            reason: reason.to_string(),
        };
        match &self.states[i] {
            MigrationState::Edited => Ok(self.applied_hash(i).unwrap_or_default().to_string()),
            MigrationState::Pending => Err(refuse("it is not applied to this database")),
            MigrationState::Applied { .. } => Err(refuse(
                "its file is unchanged since it was applied; there is nothing to accept",
            )),
        }
    }

    pub fn state(&self, i: usize) -> &MigrationState {
        &self.states[i]
    }

    /// The highest row id seen: rows above it are new.
    pub fn last_id(&self) -> Option<i64> {
        self.last_id
    }

    /// What `status` reports.
    pub fn status(self) -> Status {
        Status {
            migrations: self.migrations.migrations.iter().cloned().zip(self.states).collect(),
            missing: self.missing.iter().map(TrackingRow::describe).collect(),
        }
    }

    /// An error when the database has a migration the folder lacks (unless the migrations
    /// allow it), or an applied migration was edited: a run must not go on over either.
    pub fn check(&self) -> Result<(), MigrateError> {
        if let Some(r) = self.missing.first()
            && !self.migrations.allows_unknown_applied()
        {
            return Err(MigrateError::Missing(r.describe()));
        }
        if let Some((i, applied)) = self.edited.iter().min_by_key(|(i, _)| *i) {
            let m = &self.migrations.migrations[*i];
            return Err(MigrateError::Edited {
                tag: m.tag().to_string(),
                applied: applied.clone(),
                current: m.hash().to_string(),
            });
        }
        Ok(())
    }

    /// The first pending migration, and whether a later one is already applied (it was merged
    /// from another branch).
    pub fn next_pending(&mut self) -> Option<(&'m Migration, bool)> {
        let skip = self.states[self.first_pending..]
            .iter()
            .position(|s| *s == MigrationState::Pending)?;
        self.first_pending += skip;
        let m = &self.migrations.migrations[self.first_pending];
        // Some applied migration comes after it in the journal.
        let out_of_order = self.max_applied_idx.is_some_and(|max| max > m.idx());
        Some((m, out_of_order))
    }
}
