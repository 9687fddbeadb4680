//! A migration folder in drizzle-kit's layout: `NNNN_tag.sql` files beside
//! `meta/_journal.json` (version "7") and `meta/NNNN_snapshot.json` (the dialect's format).
//! Every tag is checked to be a plain file name before any path is built from it.

mod check;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::dialect::Dialect;
use crate::snapshot::{Help, Snapshot, SnapshotError};

pub use check::{DropError, check_droppable, check_folder, drop_migration};
pub use write::{BegunMigration, FolderLock, StagedSnapshot};

/// What drizzle-kit puts between two statements of a migration file.
pub const BREAKPOINT: &str = schema_model::sql::BREAKPOINT;

/// `meta/_journal.json`: every migration of the folder, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// Always "7".
    pub version: String,
    /// The dialect the folder is for (`sqlite`, `postgresql`).
    pub dialect: String,
    /// The migrations, in order.
    pub entries: Vec<JournalEntry>,
}

/// One migration of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Its number: the tag's prefix.
    pub idx: u32,
    /// The snapshot format's version ("6" for SQLite, "7" for PostgreSQL).
    pub version: String,
    /// Milliseconds since the epoch when the migration was generated; drizzle-orm's migrator
    /// stores it as the tracking row's `created_at`.
    pub when: i64,
    /// The migration's name: its file is `<tag>.sql`.
    pub tag: String,
    /// Whether statements are split at `--> statement-breakpoint` (always, here).
    pub breakpoints: bool,
}

impl Journal {
    /// An empty journal for `dialect`.
    pub fn new(dialect: &str) -> Journal {
        Journal {
            version: "7".into(),
            dialect: dialect.into(),
            entries: Vec::new(),
        }
    }
}

/// Why a migration folder could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The journal is not JSON of the journal's shape.
    #[error("{path} is not a valid drizzle-kit journal: {source}")]
    Journal {
        /// The journal.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The journal is of another version, or for another dialect than the one in use.
    #[error(
        "{path}: unsupported journal (version \"{version}\", dialect \"{dialect}\"); expected version \"7\" and dialect \"{expected}\""
    )]
    JournalVersion {
        /// The journal.
        path: PathBuf,
        /// Its version.
        version: String,
        /// Its dialect.
        dialect: String,
        /// The dialect in use.
        expected: String,
    },
    /// A snapshot does not parse.
    #[error("{path} is not a valid drizzle-kit snapshot: {source}")]
    Snapshot {
        /// The snapshot.
        path: PathBuf,
        /// Why.
        source: SnapshotError,
    },
    /// A journal entry's tag is not a plain file name: nothing is read, run or removed by it.
    #[error("{path}: entry {index} has the tag {tag:?}, which is not a safe file name: {reason}")]
    UnsafeTag {
        /// The journal.
        path: PathBuf,
        /// The entry's position, from 0.
        index: usize,
        /// The tag.
        tag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The folder has no journal: it is not a migration folder (or not yet).
    #[error("{path} does not exist: this is not a migration folder (run `schema generate` to start one)")]
    NoJournal {
        /// Where the journal was looked for.
        path: PathBuf,
    },
    /// A file the write would create is already there, and was not written by us.
    #[error(
        "{path} already exists and is not in the journal; it was not written by `schema generate`, so it is not replaced \
         (move it away, or add it to the journal if it is a migration)"
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The journal cannot take another entry safely.
    #[error("{path}: cannot add a migration: {reason}")]
    CannotExtend {
        /// The journal.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// A migration folder: `NNNN_tag.sql` files beside `meta/_journal.json` and
/// `meta/NNNN_snapshot.json`, for one dialect (whose snapshot format it reads and writes).
#[derive(Debug, Clone)]
pub struct Folder {
    dir: PathBuf,
    dialect: &'static dyn Dialect,
    /// The latest snapshot, read on another thread (see [`Folder::read_ahead`]); shared by
    /// the folder's clones.
    ahead: Arc<Mutex<Ahead>>,
}

/// A snapshot being read, or read, ahead of its use.
#[derive(Debug, Default)]
struct Ahead {
    reading: Option<JoinHandle<Option<ReadAhead>>>,
    read: Option<ReadAhead>,
}

/// A snapshot read ahead, and its file's length and modification time when it was read.
#[derive(Debug)]
struct ReadAhead {
    idx: u32,
    stamp: (u64, SystemTime),
    snapshot: Snapshot,
}

/// A file's length and modification time: the file is taken as unchanged while both are.
fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let m = fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

impl Folder {
    /// The folder at `dir`, for `dialect`.
    pub fn new(dir: impl Into<PathBuf>, dialect: &'static dyn Dialect) -> Folder {
        Folder {
            dir: dir.into(),
            dialect,
            ahead: Arc::default(),
        }
    }

    /// Starts reading the latest snapshot on another thread, for the next [`Folder::read_snapshot`]
    /// of it to take instead of reading the file: reading the schema's source and the
    /// folder's latest snapshot are independent, and both are most of `generate`'s work.
    ///
    /// What it reads is used only while its file is unchanged (its length and modification
    /// time as they were before and after it was read), and only once; anything it could not
    /// read is read again, and reported, by `read_snapshot`.
    pub fn read_ahead(&self) {
        // A folder without a migration (a first `generate`) has nothing to read: no thread.
        let Some(idx) = self.read_journal().ok().and_then(|j| j.entries.last().map(|e| e.idx)) else {
            return;
        };
        let folder = self.clone();
        let reading = std::thread::Builder::new().name("snapshot".into()).spawn(move || {
            crate::room::make_room();
            let path = folder.snapshot_path(idx);
            let before = stamp(&path)?;
            let snapshot = folder.read_snapshot_file(idx).ok()?;
            (stamp(&path)? == before).then_some(ReadAhead {
                idx,
                stamp: before,
                snapshot,
            })
        });
        // Without a thread, every snapshot is read when it is needed, as always.
        if let Ok(reading) = reading {
            self.ahead.lock().unwrap_or_else(|e| e.into_inner()).reading = Some(reading);
        }
    }

    /// The snapshot `idx` if it was read ahead and its file is as it was then.
    fn take_ahead(&self, idx: u32) -> Option<Snapshot> {
        let mut ahead = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(reading) = ahead.reading.take() {
            ahead.read = reading.join().ok().flatten();
        }
        let read = ahead.read.take()?;
        (read.idx == idx && stamp(&self.snapshot_path(idx)) == Some(read.stamp)).then_some(read.snapshot)
    }

    /// The folder's path.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The dialect whose files it holds.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// `meta/_journal.json`.
    pub fn journal_path(&self) -> PathBuf {
        journal_path(&self.dir)
    }

    /// `<tag>.sql`, once `tag` is known to be a plain file name.
    pub fn sql_path(&self, tag: &str) -> Result<PathBuf, FolderError> {
        sql_path(&self.dir, tag)
    }

    /// `meta/0003_snapshot.json` for the entry `0003_users_add_bio`.
    pub fn snapshot_path(&self, idx: u32) -> PathBuf {
        self.dir.join("meta").join(format!("{idx:04}_snapshot.json"))
    }

    /// The journal, or an empty one when the folder has none yet. A journal for another
    /// dialect is an error.
    pub fn read_journal(&self) -> Result<Journal, FolderError> {
        let path = self.journal_path();
        let journal = match read_journal_at(&self.dir)? {
            Some(j) => j,
            None => return Ok(Journal::new(self.dialect.name())),
        };
        if journal.dialect != self.dialect.name() {
            return Err(FolderError::JournalVersion {
                path,
                version: journal.version,
                dialect: journal.dialect,
                expected: self.dialect.name().to_string(),
            });
        }
        Ok(journal)
    }

    /// The snapshot of the migration numbered `idx`.
    pub fn read_snapshot(&self, idx: u32) -> Result<Snapshot, FolderError> {
        match self.take_ahead(idx) {
            Some(snapshot) => Ok(snapshot),
            None => self.read_snapshot_file(idx),
        }
    }

    fn read_snapshot_file(&self, idx: u32) -> Result<Snapshot, FolderError> {
        let path = self.snapshot_path(idx);
        let text = fs::read_to_string(&path).map_err(|source| FolderError::Read {
            path: path.clone(),
            source,
        })?;
        self.dialect
            .read_snapshot(&text)
            .map_err(|source| FolderError::Snapshot { path, source })
    }

    /// Locks the folder for writing (waiting for another writer), and finishes or undoes
    /// what an interrupted writer left. Hold the lock across reading the journal and writing.
    pub fn lock(&self) -> Result<FolderLock, FolderError> {
        write::lock(self)
    }

    /// Writes and syncs migration `idx`'s snapshot under a temporary name (the caller holds
    /// [`Folder::lock`]), for [`Folder::write_staged`] to put in place: a large snapshot can be
    /// written while the migration's SQL is still being planned.
    pub fn stage_snapshot(
        &self,
        lock: &FolderLock,
        idx: u32,
        snapshot: &Snapshot,
    ) -> Result<StagedSnapshot, FolderError> {
        self.stage_snapshot_until(lock, idx, snapshot, &AtomicBool::new(false), None)
    }

    /// [`Folder::stage_snapshot`] begun before it is known to be wanted: once `stop` is set,
    /// writing stops at its next piece, the temporary file is removed and the error says it
    /// was stopped. A thread with nothing else to do may `help` write it
    /// ([`Help::offer`](crate::snapshot::Help::offer)).
    pub fn stage_snapshot_until(
        &self,
        _lock: &FolderLock,
        idx: u32,
        snapshot: &Snapshot,
        stop: &AtomicBool,
        help: Option<&Help>,
    ) -> Result<StagedSnapshot, FolderError> {
        write::stage_snapshot(self, idx, snapshot, stop, help)
    }

    /// [`FolderError::Exists`] for a file already at the entry's SQL or snapshot path, which a
    /// migration never replaces.
    pub fn refuse_taken(&self, entry: &JournalEntry) -> Result<(), FolderError> {
        write::refuse_taken(self, entry)
    }

    /// Writes a migration whole or not at all: its SQL, the snapshot [`Folder::stage_snapshot`]
    /// wrote for the entry's idx, and the journal with its entry appended, last. The caller
    /// holds [`Folder::lock`] and read `journal` under it. A file already at the migration's
    /// paths is refused, never replaced.
    pub fn write_staged(
        &self,
        lock: &FolderLock,
        journal: &Journal,
        entry: &JournalEntry,
        sql: &str,
        staged: StagedSnapshot,
    ) -> Result<(), FolderError> {
        let begun = self.begin_write(lock, journal, entry, sql)?;
        self.finish_write(lock, begun, staged)
    }

    /// [`Folder::write_staged`]'s first part, which does not need the snapshot, so it can be
    /// done while the snapshot is still staged: a file already at the migration's paths is
    /// refused; the SQL and the journal listing the entry are written and synced under
    /// temporary names, and an intent record names the migration's files. Nothing is in place
    /// yet; dropped unfinished (under the lock: it cannot outlive it), all of it is taken
    /// back, and a file put at the migration's paths meanwhile is left alone.
    pub fn begin_write<'lock>(
        &self,
        lock: &'lock FolderLock,
        journal: &Journal,
        entry: &JournalEntry,
        sql: &str,
    ) -> Result<BegunMigration<'lock>, FolderError> {
        write::begin_write(self, lock, journal, entry, sql)
    }

    /// [`Folder::write_staged`]'s second part: the begun migration's files and its staged
    /// snapshot put in place, the journal last. Whole or not at all.
    pub fn finish_write(
        &self,
        _lock: &FolderLock,
        begun: BegunMigration<'_>,
        staged: StagedSnapshot,
    ) -> Result<(), FolderError> {
        write::finish_write(begun, staged)
    }

    /// The next entry's idx, when the journal can take one safely: its last entry has the
    /// highest idx, the idx does not overflow, and a folder without a journal holds no
    /// migrations (a lost journal is restored, not overwritten).
    pub fn next_idx(&self, journal: &Journal) -> Result<u32, FolderError> {
        let cannot = |reason: String| FolderError::CannotExtend {
            path: self.journal_path(),
            reason,
        };
        let Some(last) = journal.entries.last() else {
            let found = self.migration_files();
            if let Some(f) = found.first() {
                return Err(cannot(format!(
                    "there is no journal, but the folder holds migrations ({f}); restore meta/_journal.json \
                     from version control before generating"
                )));
            }
            return Ok(0);
        };
        if let Some(higher) = journal.entries.iter().find(|e| e.idx > last.idx) {
            return Err(cannot(format!(
                "its last entry ({}) is not its highest ({}); repair the journal's order first",
                last.tag, higher.tag
            )));
        }
        last.idx
            .checked_add(1)
            .ok_or_else(|| cannot(format!("the last entry ({}) has the highest possible idx", last.tag)))
    }

    /// The names of files in the folder that look like migrations or snapshots.
    fn migration_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (dir, suffix) in [(self.dir.clone(), ".sql"), (self.dir.join("meta"), "_snapshot.json")] {
            let Ok(rd) = fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(suffix) && !name.starts_with('.') {
                    out.push(name);
                }
            }
        }
        out.sort();
        out
    }
}

fn sql_path(dir: &Path, tag: &str) -> Result<PathBuf, FolderError> {
    schema_model::tag::check(tag).map_err(|reason| FolderError::UnsafeTag {
        path: journal_path(dir),
        index: 0,
        tag: tag.to_string(),
        reason,
    })?;
    Ok(dir.join(format!("{tag}.sql")))
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join("meta").join("_journal.json")
}

/// The journal of the folder at `dir`, whatever its dialect; `None` when there is none.
pub fn read_journal_at(dir: &Path) -> Result<Option<Journal>, FolderError> {
    let path = journal_path(dir);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(FolderError::Read { path, source }),
    };
    parse_journal(&text, &path).map(Some)
}

/// A journal's text, checked to be drizzle-kit's version "7".
pub fn parse_journal(text: &str, path: &Path) -> Result<Journal, FolderError> {
    let journal: Journal = serde_json::from_str(text).map_err(|source| FolderError::Journal {
        path: path.to_path_buf(),
        source,
    })?;
    if journal.version != "7" {
        return Err(FolderError::JournalVersion {
            path: path.to_path_buf(),
            version: journal.version,
            dialect: journal.dialect.clone(),
            expected: journal.dialect,
        });
    }
    // Before anything is read, run or removed by a tag: every tag is a plain file name.
    for (index, e) in journal.entries.iter().enumerate() {
        schema_model::tag::check(&e.tag).map_err(|reason| FolderError::UnsafeTag {
            path: path.to_path_buf(),
            index,
            tag: e.tag.clone(),
            reason,
        })?;
    }
    Ok(journal)
}

/// The journal as drizzle-kit writes it: two-space indentation, no final newline.
pub fn journal_string(journal: &Journal) -> String {
    serde_json::to_string_pretty(journal).unwrap_or_default()
}

/// Splits a migration file into its statements at drizzle-kit's breakpoints, as drizzle-orm's
/// migrator does; blank pieces are dropped.
pub fn split_statements(sql: &str) -> Vec<String> {
    sql.split(BREAKPOINT)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
