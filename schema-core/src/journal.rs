//! drizzle-kit's journal (`meta/_journal.json`, version "7") and the migration folder layout.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::snapshot::{Snapshot, SnapshotError};

/// What drizzle-kit puts between two statements of a migration file.
pub const BREAKPOINT: &str = "--> statement-breakpoint";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub version: String,
    pub dialect: String,
    pub entries: Vec<JournalEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub idx: u32,
    pub version: String,
    /// Milliseconds since the epoch when the migration was generated; drizzle-orm's migrator
    /// stores it as the tracking row's `created_at`.
    pub when: i64,
    pub tag: String,
    pub breakpoints: bool,
}

impl Default for Journal {
    fn default() -> Self {
        Journal {
            version: "7".into(),
            dialect: "sqlite".into(),
            entries: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid drizzle-kit journal: {source}")]
    Journal {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "{path}: unsupported journal (version \"{version}\", dialect \"{dialect}\"); expected version \"7\" and dialect \"sqlite\""
    )]
    JournalVersion {
        path: PathBuf,
        version: String,
        dialect: String,
    },
    #[error("{path} is not a valid drizzle-kit snapshot: {source}")]
    Snapshot {
        path: PathBuf,
        source: SnapshotError,
    },
}

/// A migration folder: `NNNN_tag.sql` files beside `meta/_journal.json` and `meta/NNNN_snapshot.json`.
#[derive(Debug, Clone)]
pub struct Folder {
    pub dir: PathBuf,
}

impl Folder {
    pub fn new(dir: impl Into<PathBuf>) -> Folder {
        Folder { dir: dir.into() }
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.join("meta").join("_journal.json")
    }

    pub fn sql_path(&self, tag: &str) -> PathBuf {
        self.dir.join(format!("{tag}.sql"))
    }

    /// `meta/0003_snapshot.json` for the entry `0003_users_add_bio`.
    pub fn snapshot_path(&self, idx: u32) -> PathBuf {
        self.dir
            .join("meta")
            .join(format!("{idx:04}_snapshot.json"))
    }

    /// The journal, or an empty one when the folder has none yet.
    pub fn read_journal(&self) -> Result<Journal, FolderError> {
        let path = self.journal_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Journal::default()),
            Err(source) => return Err(FolderError::Read { path, source }),
        };
        parse_journal(&text, &path)
    }

    pub fn read_snapshot(&self, idx: u32) -> Result<Snapshot, FolderError> {
        let path = self.snapshot_path(idx);
        let text = fs::read_to_string(&path).map_err(|source| FolderError::Read {
            path: path.clone(),
            source,
        })?;
        Snapshot::from_json_str(&text).map_err(|source| FolderError::Snapshot { path, source })
    }

    /// Writes a migration: its SQL, its snapshot, and the journal with its entry appended.
    /// The journal goes last, so an interrupted write leaves no entry pointing at nothing.
    pub fn write_migration(
        &self,
        journal: &Journal,
        entry: &JournalEntry,
        sql: &str,
        snapshot: &Snapshot,
    ) -> Result<(), FolderError> {
        let meta = self.dir.join("meta");
        fs::create_dir_all(&meta).map_err(|source| FolderError::Write {
            path: meta.clone(),
            source,
        })?;
        write(&self.sql_path(&entry.tag), sql)?;
        write(&self.snapshot_path(entry.idx), &snapshot.to_json_string())?;
        let mut journal = journal.clone();
        journal.entries.push(entry.clone());
        write(&self.journal_path(), &journal_string(&journal))
    }
}

pub fn parse_journal(text: &str, path: &Path) -> Result<Journal, FolderError> {
    let journal: Journal = serde_json::from_str(text).map_err(|source| FolderError::Journal {
        path: path.to_path_buf(),
        source,
    })?;
    if journal.version != "7" || journal.dialect != "sqlite" {
        return Err(FolderError::JournalVersion {
            path: path.to_path_buf(),
            version: journal.version,
            dialect: journal.dialect,
        });
    }
    Ok(journal)
}

/// The journal as drizzle-kit writes it: two-space indentation, no final newline.
pub fn journal_string(journal: &Journal) -> String {
    serde_json::to_string_pretty(journal).unwrap_or_default()
}

fn write(path: &Path, text: &str) -> Result<(), FolderError> {
    fs::write(path, text).map_err(|source| FolderError::Write {
        path: path.to_path_buf(),
        source,
    })
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
