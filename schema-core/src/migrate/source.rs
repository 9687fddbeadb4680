//! Where migrations come from at run time: a folder, read through its journal.

use std::path::Path;

use super::{MigrateError, Migration, Migrations};
use crate::folder::{FolderError, read_journal_at};

impl Migrations {
    /// Reads a folder: the journal, then every file it names. Reading needs no dialect: the
    /// journal names its own, and the files are statement lists.
    /// A folder without a journal is an error, as it is to drizzle-orm: a mistyped path must
    /// never look like a folder with nothing to apply.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Migrations, MigrateError> {
        let dir = dir.as_ref();
        let Some(journal) = read_journal_at(dir)? else {
            return Err(FolderError::NoJournal {
                path: dir.join("meta").join("_journal.json"),
            }
            .into());
        };
        let mut migrations: Vec<Migration> = Vec::with_capacity(journal.entries.len());
        let mut tags = std::collections::HashSet::new();
        for e in &journal.entries {
            if !tags.insert(e.tag.as_str()) {
                return Err(MigrateError::DuplicateTag(e.tag.clone()));
            }
            // The journal's tags were checked to be plain file names when it was read.
            let path = dir.join(format!("{}.sql", e.tag));
            let sql = match std::fs::read_to_string(&path) {
                Ok(s) => s,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    return Err(MigrateError::MissingFile {
                        tag: e.tag.clone(),
                        path,
                    });
                }
                Err(source) => return Err(FolderError::Read { path, source }.into()),
            };
            migrations.push(Migration::new(e.idx, e.tag.clone(), e.when, sql));
        }
        Ok(Migrations::from_vec(migrations))
    }
}
