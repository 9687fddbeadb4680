//! `schema generate`: compares the schema with the folder's latest snapshot and writes the
//! next migration (SQL, snapshot, journal entry).

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::dialect::Sqlite;
use crate::journal::{BREAKPOINT, FolderError, JournalEntry};
use crate::model::Schema;
use crate::snapshot::{ROOT_ID, Snapshot};

pub use crate::journal::Folder;

#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// The migration folder (`out`).
    pub out: PathBuf,
    /// `--name`: the tag's name part; by default one that says what the migration does.
    pub name: Option<String>,
    /// `--custom`: an empty migration for hand-written SQL, the snapshot carried over.
    pub custom: bool,
}

/// What `generate` did.
#[derive(Debug, Clone, PartialEq)]
pub enum GenerateOutcome {
    /// The schema equals the latest snapshot: nothing written.
    NoChanges,
    Written(WrittenMigration),
}

#[derive(Debug, Clone, PartialEq)]
pub struct WrittenMigration {
    pub tag: String,
    pub sql_path: PathBuf,
    pub snapshot_path: PathBuf,
    pub statements: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error(
        "{folder} already has migrations (latest: {latest}); generating a migration from the difference \
         with the latest snapshot is not available in this version, only the first migration of a folder"
    )]
    DiffUnavailable { folder: PathBuf, latest: String },
    #[error("invalid --name \"{0}\": use letters, digits and underscores")]
    Name(String),
}

/// The comment drizzle-kit puts in a custom migration.
pub const CUSTOM_SQL: &str = "-- Custom SQL migration file, put your code below! --";

/// Generates the next migration for `schema` (as the structs describe it) into `opts.out`.
pub fn generate(schema: &Schema, opts: &GenerateOptions) -> Result<GenerateOutcome, GenerateError> {
    let folder = Folder::new(&opts.out);
    let journal = folder.read_journal()?;
    let target = Sqlite::normalize(schema);
    let prev = match journal.entries.last() {
        None => None,
        Some(last) => Some(folder.read_snapshot(last.idx)?),
    };
    let name = match &opts.name {
        Some(n) => Some(sanitize_name(n)?),
        None => None,
    };

    let (statements, schema_after, default_name) = match (&prev, opts.custom) {
        (_, true) => {
            let carried = prev.as_ref().map(|p| p.schema.clone()).unwrap_or_default();
            (Vec::new(), carried, "custom".to_string())
        }
        (None, false) => {
            if target.tables.is_empty() {
                return Ok(GenerateOutcome::NoChanges);
            }
            let name = match target.tables.as_slice() {
                [only] => format!("create_{}", only.name),
                _ => "init".to_string(),
            };
            (Sqlite::create_schema(&target), target.clone(), name)
        }
        (Some(prev), false) => {
            if same_schema(&prev.schema, &target) {
                return Ok(GenerateOutcome::NoChanges);
            }
            let latest = journal
                .entries
                .last()
                .map(|e| e.tag.clone())
                .unwrap_or_default();
            return Err(GenerateError::DiffUnavailable {
                folder: opts.out.clone(),
                latest,
            });
        }
    };

    let idx = journal.entries.len() as u32;
    let tag = format!("{idx:04}_{}", name.unwrap_or(default_name));
    let sql = if opts.custom {
        CUSTOM_SQL.to_string()
    } else {
        statements.join(&format!("{BREAKPOINT}\n"))
    };
    let when = now_millis();
    let snapshot = Snapshot {
        id: new_id(&sql, when),
        prev_id: prev
            .as_ref()
            .map_or_else(|| ROOT_ID.to_string(), |p| p.id.clone()),
        schema: schema_after,
    };
    let entry = JournalEntry {
        idx,
        version: "6".into(),
        when,
        tag: tag.clone(),
        breakpoints: true,
    };
    folder.write_migration(&journal, &entry, &sql, &snapshot)?;
    Ok(GenerateOutcome::Written(WrittenMigration {
        sql_path: folder.sql_path(&tag),
        snapshot_path: folder.snapshot_path(idx),
        tag,
        statements,
    }))
}

/// Whether two normalized schemas are the same, table order aside.
pub fn same_schema(a: &Schema, b: &Schema) -> bool {
    let sorted = |s: &Schema| {
        let mut t: Vec<_> = s.tables.iter().map(strip_hints).collect();
        t.sort_by(|x, y| x.name.cmp(&y.name));
        t
    };
    sorted(a) == sorted(b)
}

/// The table without rename hints, which say how to get somewhere, not where.
fn strip_hints(t: &crate::model::Table) -> crate::model::Table {
    let mut t = t.clone();
    t.renamed_from = None;
    for c in &mut t.columns {
        c.renamed_from = None;
    }
    t
}

fn sanitize_name(name: &str) -> Result<String, GenerateError> {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(GenerateError::Name(name.to_string()));
    }
    Ok(clean.to_lowercase())
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A version-4-shaped UUID for a snapshot id, from the migration's content, the time and the
/// process: ids only need to differ between snapshots, not to be secret.
fn new_id(sql: &str, when: i64) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(sql.as_bytes());
    h.update(when.to_le_bytes());
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_uuids_and_differ() {
        let a = new_id("x", 1);
        let b = new_id("x", 1);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, b);
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(sanitize_name("Add bio").unwrap(), "add_bio");
        assert!(sanitize_name("../evil").is_err());
        assert!(sanitize_name("").is_err());
    }
}
