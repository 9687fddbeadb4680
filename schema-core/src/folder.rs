//! A migration folder in drizzle-kit's layout: `NNNN_tag.sql` files beside
//! `meta/_journal.json` (version "7") and `meta/NNNN_snapshot.json` (the dialect's format).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dialect::Dialect;
use crate::snapshot::{Snapshot, SnapshotError};

/// What drizzle-kit puts between two statements of a migration file.
pub const BREAKPOINT: &str = "--> statement-breakpoint";

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
}

/// A migration folder: `NNNN_tag.sql` files beside `meta/_journal.json` and
/// `meta/NNNN_snapshot.json`, for one dialect (whose snapshot format it reads and writes).
#[derive(Debug, Clone)]
pub struct Folder {
    dir: PathBuf,
    dialect: &'static dyn Dialect,
}

impl Folder {
    /// The folder at `dir`, for `dialect`.
    pub fn new(dir: impl Into<PathBuf>, dialect: &'static dyn Dialect) -> Folder {
        Folder {
            dir: dir.into(),
            dialect,
        }
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

    /// `<tag>.sql`.
    pub fn sql_path(&self, tag: &str) -> PathBuf {
        self.dir.join(format!("{tag}.sql"))
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
        let path = self.snapshot_path(idx);
        let text = fs::read_to_string(&path).map_err(|source| FolderError::Read {
            path: path.clone(),
            source,
        })?;
        self.dialect
            .read_snapshot(&text)
            .map_err(|source| FolderError::Snapshot { path, source })
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
        write(&self.snapshot_path(entry.idx), &self.dialect.write_snapshot(snapshot))?;
        let mut journal = journal.clone();
        journal.entries.push(entry.clone());
        write(&self.journal_path(), &journal_string(&journal))
    }
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

/// Everything inconsistent in a migration folder: journal entries without files, files
/// without entries, snapshots that do not parse, a `prevId` chain that is not one line (two
/// branches that each added a migration), repeated indexes or tags. Empty when all is well.
pub fn check_folder(folder: &Folder) -> Result<Vec<String>, FolderError> {
    use std::collections::{BTreeMap, BTreeSet};
    let journal = folder.read_journal()?;
    let mut problems = Vec::new();
    let mut tags = BTreeSet::new();
    let mut last_idx: Option<u32> = None;
    let mut snapshots: Vec<(String, Snapshot)> = Vec::new();
    for e in &journal.entries {
        if !tags.insert(e.tag.as_str()) {
            problems.push(format!("the journal lists {} twice", e.tag));
        }
        if last_idx.is_some_and(|l| e.idx <= l) {
            problems.push(format!(
                "{}: its idx {} does not follow the entry before it",
                e.tag, e.idx
            ));
        }
        last_idx = Some(e.idx);
        if !e.tag.starts_with(&format!("{:04}_", e.idx)) {
            problems.push(format!("{}: the tag does not start with its idx {:04}", e.tag, e.idx));
        }
        if !folder.sql_path(&e.tag).is_file() {
            problems.push(format!(
                "{}: the journal names it, but {} is missing",
                e.tag,
                folder.sql_path(&e.tag).display()
            ));
        }
        match folder.read_snapshot(e.idx) {
            Ok(s) => snapshots.push((e.tag.clone(), s)),
            Err(err) => problems.push(format!("{}: {err}", e.tag)),
        }
    }
    // The chain: each snapshot's parent is the one before it.
    let mut by_parent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    for (tag, s) in &snapshots {
        by_parent.entry(s.prev_id.as_str()).or_default().push(tag);
        if let Some(other) = ids.insert(s.id.as_str(), tag) {
            problems.push(format!("{other} and {tag} have the same snapshot id {}", s.id));
        }
    }
    for (parent, children) in &by_parent {
        if children.len() > 1 {
            let parent_tag = ids.get(parent).copied().unwrap_or("the start of the folder");
            problems.push(format!(
                "{} all follow {parent_tag}: two branches each added a migration. Keep the first, drop the others \
                 (`schema drop {}`), then run `schema generate` to write their changes again on top",
                children.join(" and "),
                children[1..].join(" "),
            ));
        }
    }
    for (i, (tag, s)) in snapshots.iter().enumerate() {
        let expected = if i == 0 {
            crate::snapshot::ROOT_ID
        } else {
            snapshots[i - 1].1.id.as_str()
        };
        let branch = by_parent.get(s.prev_id.as_str()).is_some_and(|c| c.len() > 1);
        if s.prev_id != expected && !branch {
            let what = ids
                .get(s.prev_id.as_str())
                .map_or_else(|| format!("an unknown snapshot {}", s.prev_id), |t| t.to_string());
            problems.push(format!(
                "{tag}: its snapshot follows {what}, not the migration before it"
            ));
        }
    }
    // Files the journal does not know.
    if let Ok(rd) = fs::read_dir(folder.dir()) {
        let mut extra: Vec<String> = rd
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".sql") && !tags.contains(n.trim_end_matches(".sql")))
            .collect();
        extra.sort();
        for n in extra {
            problems.push(format!(
                "{n} is not in the journal (a migration from another branch, or a leftover?)"
            ));
        }
    }
    Ok(problems)
}

/// Why `drop` refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DropError {
    /// The folder could not be read or written.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// No migration has that tag.
    #[error("no migration tagged {0}")]
    NoSuchTag(String),
    /// Another migration follows it.
    #[error("{tag} has children ({children}): drop those first")]
    HasChildren {
        /// The migration.
        tag: String,
        /// The migrations that follow it.
        children: String,
    },
}

/// Removes a migration's SQL, its snapshot and its journal entry; refuses one that another
/// migration's snapshot follows.
pub fn drop_migration(folder: &Folder, tag: &str) -> Result<String, DropError> {
    let journal = folder.read_journal()?;
    let entry = journal
        .entries
        .iter()
        .find(|e| e.tag == tag)
        .ok_or_else(|| DropError::NoSuchTag(tag.to_string()))?;
    let snap = folder.read_snapshot(entry.idx)?;
    let children: Vec<String> = journal
        .entries
        .iter()
        .filter(|e| e.tag != tag)
        .filter(|e| folder.read_snapshot(e.idx).is_ok_and(|s| s.prev_id == snap.id))
        .map(|e| e.tag.clone())
        .collect();
    if !children.is_empty() {
        return Err(DropError::HasChildren {
            tag: tag.to_string(),
            children: children.join(", "),
        });
    }
    let mut journal = journal.clone();
    journal.entries.retain(|e| e.tag != tag);
    write(&folder.journal_path(), &journal_string(&journal))?;
    for path in [folder.sql_path(tag), folder.snapshot_path(entry.idx)] {
        if let Err(source) = fs::remove_file(&path)
            && source.kind() != std::io::ErrorKind::NotFound
        {
            return Err(FolderError::Write { path, source }.into());
        }
    }
    Ok(tag.to_string())
}
