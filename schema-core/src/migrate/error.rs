//! What a migration run can end with, whatever the database.

use std::path::PathBuf;
use std::time::Duration;

use crate::folder::FolderError;

/// An error the database itself reported, with its message as the client library gave it and
/// the database's own code for it when there is one (SQLite's extended result code name,
/// PostgreSQL's SQLSTATE).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    /// The client library's message.
    pub message: String,
    /// The database's code for the error, if it gave one.
    pub code: Option<String>,
}

impl DbError {
    /// An error with a message and no code.
    pub fn new(message: impl Into<String>) -> DbError {
        DbError {
            message: message.into(),
            code: None,
        }
    }
}

/// Why applying (or reading the state of) a migration folder failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The folder could not be read.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// The journal names a file that is not there.
    #[error("the journal names {tag}, but {path} does not exist")]
    MissingFile {
        /// The journal entry's tag.
        tag: String,
        /// The file expected.
        path: PathBuf,
    },
    /// The journal lists one tag twice.
    #[error("the journal lists the tag {0} twice")]
    DuplicateTag(String),
    /// A statement of a migration failed; the migration was rolled back.
    #[error("while applying migration {tag}: statement {number} failed: {source}\n{sql}")]
    Statement {
        /// The migration.
        tag: String,
        /// The statement's number in the file, from 1.
        number: usize,
        /// The statement.
        sql: String,
        /// What the database said.
        source: Box<DbError>,
    },
    /// A guard of the migration found rows a change would leave without a value (a column
    /// made NOT NULL over NULLs, a NOT NULL column added to a table with rows); the migration
    /// was rolled back.
    #[error(
        "while applying migration {tag}: statement {number} stopped it, so nothing of it was applied: {rows} row(s) counted: {reason}"
    )]
    Guarded {
        /// The migration.
        tag: String,
        /// The guard's statement number, from 1.
        number: usize,
        /// How many rows it found.
        rows: i64,
        /// What is wrong with them, and the way out.
        reason: String,
    },
    /// A migration holds a statement it may not (transaction control, ...); nothing was run.
    #[error("migration {tag}, statement {number}: {reason}; nothing was applied\n{sql}")]
    Forbidden {
        /// The migration.
        tag: String,
        /// The statement's number in the file, from 1.
        number: usize,
        /// The statement.
        sql: String,
        /// Why it may not be there.
        reason: String,
    },
    /// An applied migration's file changed since.
    #[error(
        "migration {tag} was applied, but its file has changed since (hash {applied} then, {current} now); \
         restore the file, or put the change in a new migration"
    )]
    Edited {
        /// The migration.
        tag: String,
        /// The hash recorded when it was applied.
        applied: String,
        /// The file's hash now.
        current: String,
    },
    /// The database has applied a migration the folder does not have.
    #[error(
        "the database has applied a migration that is not in the folder ({0}); is this the right folder for this database? \
         restore the migration from version control, or delete its tracking row if it was abandoned on purpose"
    )]
    Missing(String),
    /// The migration left rows pointing at nothing; it was rolled back.
    #[error(
        "while applying migration {tag}: it leaves rows whose foreign keys point at nothing, so it was rolled back:\n{}",
        .violations.iter().map(|v| format!("  {v}")).collect::<Vec<_>>().join("\n")
    )]
    ForeignKeyViolation {
        /// The migration.
        tag: String,
        /// One line a violating row (the first 20).
        violations: Vec<String>,
    },
    /// Foreign keys could not be turned off for a migration that needs them off.
    #[error("cannot turn foreign keys off before migration {0}: the connection is inside a transaction")]
    ForeignKeysStayOn(String),
    /// A view or trigger could not be put back after its table was rebuilt.
    #[error(
        "while applying migration {tag}: cannot recreate the {kind} `{name}` after rebuilding its table: {source}\n{sql}"
    )]
    Recreate {
        /// The migration.
        tag: String,
        /// `view` or `trigger`.
        kind: String,
        /// Its name.
        name: String,
        /// Its SQL.
        sql: String,
        /// What the database said.
        source: Box<DbError>,
    },
    /// The tracking table is not one the migrator can read (a view of that name, columns
    /// missing, a row without a hash).
    #[error(
        "the tracking table `{table}` is not one this migrator can use: {problem}. It keeps one row a migration, as \
         drizzle-orm's does: (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric, tag text, applied_at text); \
         repair it, or name another table with --table / [migrations] table"
    )]
    TrackingTable {
        /// The table's name.
        table: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Another connection held the database locked for longer than the busy timeout.
    #[error("the database stayed locked by another connection for {0:?}; is another migration running?")]
    Busy(Duration),
    /// The folder's journal is for another dialect than the database's.
    #[error("the migration folder is for {folder}, but the database is {database}")]
    WrongDialect {
        /// The journal's dialect.
        folder: String,
        /// The database's dialect.
        database: String,
    },
    /// The migration named (to accept an edit, to baseline) is not in the folder.
    #[error("the folder has no migration {0} (give its tag, like 0003_users_add_bio, or its number, 0003)")]
    UnknownTag(String),
    /// An edit cannot be accepted: the migration is not applied, or not edited.
    #[error("cannot accept an edit of migration {tag}: {reason}")]
    NotEdited {
        /// The migration.
        tag: String,
        /// Why.
        reason: String,
    },
    /// The driver cannot do this.
    #[error("{0} is not supported for this database")]
    Unsupported(String),
    /// Any other error from the database.
    #[error("database error: {0}")]
    Database(#[from] DbError),
}
