//! Reading a folder for what is wrong with it (`schema check`), and removing a migration
//! (`schema drop`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use super::write::{self, read_intent};
use super::{Folder, FolderError, Journal, JournalEntry};
use crate::snapshot::Snapshot;

/// Everything inconsistent in a migration folder: journal entries without files, files
/// without entries, snapshots that do not parse, a `prevId` chain that is not one line (two
/// branches that each added a migration), repeated indexes or tags. Empty when all is well.
pub fn check_folder(folder: &Folder) -> Result<Vec<String>, FolderError> {
    let journal = folder.read_journal()?;
    // Files an interrupted write put in place: the next writer removes them; not a problem.
    let interrupted: BTreeSet<String> = match read_intent(folder)? {
        Some(i) if !journal.entries.iter().any(|e| e.tag == i.tag) => i.files.into_iter().collect(),
        _ => BTreeSet::new(),
    };
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
        let sql_path = folder.sql_path(&e.tag)?;
        // Only a regular file is read: a FIFO in its place would block the check forever.
        let text = if sql_path.is_file() {
            fs::read_to_string(&sql_path).ok()
        } else {
            None
        };
        match text {
            Some(sql) => {
                // What the migrator would refuse to run.
                for f in folder.dialect().forbidden(&crate::folder::split_statements(&sql)) {
                    problems.push(format!("{}, statement {}: {}: {}", e.tag, f.number, f.sql, f.reason));
                }
            }
            None => problems.push(format!(
                "{}: the journal names it, but {} is missing",
                e.tag,
                sql_path.display()
            )),
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
            .filter(|n| n.ends_with(".sql") && !n.starts_with('.') && !tags.contains(n.trim_end_matches(".sql")))
            .filter(|n| !interrupted.contains(n))
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

/// Whether `tag` may be dropped: it is in the journal and no other migration's snapshot
/// follows it. What [`drop_migration`] checks again under the lock; `schema drop` asks it
/// first, so it never asks a question whose answer would be refused.
pub fn check_droppable(folder: &Folder, tag: &str) -> Result<(), DropError> {
    let journal = folder.read_journal()?;
    droppable(folder, &journal, tag).map(|_| ())
}

fn droppable<'j>(folder: &Folder, journal: &'j Journal, tag: &str) -> Result<&'j JournalEntry, DropError> {
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
    Ok(entry)
}

/// Removes a migration's SQL, its snapshot and its journal entry, under the folder's lock;
/// refuses one that another migration's snapshot follows.
pub fn drop_migration(folder: &Folder, tag: &str) -> Result<String, DropError> {
    let _lock = folder.lock()?;
    let journal = folder.read_journal()?;
    let entry = droppable(folder, &journal, tag)?;
    write::remove_migration(folder, &journal, tag, entry.idx)?;
    Ok(tag.to_string())
}
