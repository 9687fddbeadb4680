//! The point of choice: the one place that maps a dialect's name (`dialect` in `schema.toml`,
//! `--dialect`) to its [`Dialect`], and a database URL to the [`Driver`] that opens it. A new
//! dialect is a module beside `crate::sqlite` plus one arm in each function here.

mod url;

use std::path::{Path, PathBuf};

pub use url::{DatabaseUrl, FileMode, UrlError, parse as parse_url, redact};

use crate::dialect::Dialect;
use crate::driver::Driver;

/// The names `dialect` takes, in the order they are offered.
pub const DIALECTS: &[&str] = &["sqlite", "postgresql"];

/// The dialect named `name` (`sqlite`), if this build has it.
pub fn dialect(name: &str) -> Option<&'static dyn Dialect> {
    match name {
        #[cfg(feature = "sqlite")]
        "sqlite" => Some(&crate::sqlite::SQLITE),
        "postgresql" | "postgres" => Some(&crate::postgres::POSTGRES),
        _ => None,
    }
}

/// The dialect a table's row helpers and `create_table_sql` use when none is named: SQLite.
#[cfg(feature = "sqlite")]
pub fn default_dialect() -> &'static dyn Dialect {
    &crate::sqlite::SQLITE
}

/// How a command opens its database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read and write, creating the database if it does not exist (`migrate`, `push`).
    Create,
    /// Read and write an existing database.
    ReadWrite,
    /// Read only, never creating anything (`status`, `check`, every `--dry-run`).
    ReadOnly,
}

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The URL names nothing usable.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The dialect has no driver in this build, or the URL is another database's.
    #[error("{0}")]
    Unsupported(String),
    /// The database is not there (and the command does not create it).
    #[error("no database at {0}")]
    Missing(String),
    /// The URL says the database is read-only, and the command writes.
    #[error("{0} is opened read-only by its URL (mode=ro), and this command writes to it")]
    ReadOnlyUrl(String),
    /// The client library could not open it.
    #[error("cannot open the database {target}: {message}")]
    Open {
        /// The database, as said in messages.
        target: String,
        /// Why.
        message: String,
    },
}

/// The SQLite file a command opens, and how: what the command needs, within what the URL
/// allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTarget {
    /// The file.
    pub path: PathBuf,
    /// How to open it.
    pub mode: OpenMode,
    /// How to name it in messages: as the user wrote it, relative paths included.
    pub shown: String,
}

/// Opens the database `url` names for `dialect`; relative paths in the URL resolve against
/// `base`.
pub fn open(dialect: &dyn Dialect, url: &str, base: &Path, mode: OpenMode) -> Result<Box<dyn Driver>, OpenError> {
    let parsed = url::parse(url, base)?;
    match (dialect.name(), parsed) {
        #[cfg(feature = "sqlite")]
        ("sqlite", DatabaseUrl::SqliteFile { path, mode: url_mode }) => {
            let target = file_target(path, url_mode, mode)?;
            Ok(Box::new(crate::sqlite::SqliteDriver::open(&target)?))
        }
        #[cfg(feature = "postgres")]
        ("postgresql", DatabaseUrl::Postgres(u)) => Ok(Box::new(crate::postgres::PgDriver::open(&u, mode)?)),
        ("postgresql", DatabaseUrl::SqliteFile { path, .. }) => Err(OpenError::Unsupported(format!(
            "{} is a file, but the dialect is postgresql: give a postgres://user@host/db URL",
            path.display()
        ))),
        ("sqlite", DatabaseUrl::Postgres(u)) => Err(OpenError::Unsupported(format!(
            "{} is a PostgreSQL URL, but the dialect is sqlite (set `dialect = \"postgresql\"`)",
            redact(&u)
        ))),
        (other, _) => {
            let _ = mode;
            Err(OpenError::Unsupported(format!(
                "the {other} dialect cannot open databases in this build"
            )))
        }
    }
}

/// Why a database was not deleted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoveError {
    /// The URL names nothing usable.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// This build cannot delete that kind of database.
    #[error("{0}")]
    Unsupported(String),
    /// The path holds something that is not a database of the dialect: it is never deleted.
    #[error("{0} is not a SQLite database (its first bytes say otherwise), so it is not deleted; check the URL")]
    NotADatabase(String),
    /// The path is a folder.
    #[error("{0} is a folder, not a database file")]
    Folder(String),
    /// A file could not be removed.
    #[error("cannot remove {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Deletes the database `url` names, for `schema reset`: a SQLite file with its `-wal`, `-shm`
/// and `-journal` files, once its header says it is a database. Returns what was removed
/// (nothing, when there was no database). The caller decides whether a database that is not
/// on this machine ([`DatabaseUrl::is_local`]) may be deleted.
pub fn remove_database(dialect: &dyn Dialect, url: &str, base: &Path) -> Result<Vec<PathBuf>, RemoveError> {
    let parsed = url::parse(url, base)?;
    match (dialect.name(), parsed) {
        #[cfg(feature = "sqlite")]
        ("sqlite", DatabaseUrl::SqliteFile { path, .. }) => crate::sqlite::remove_database(&path),
        #[cfg(feature = "postgres")]
        ("postgresql", DatabaseUrl::Postgres(u)) => Ok(if crate::postgres::drop_database(&u)? {
            vec![PathBuf::from(redact(&u))]
        } else {
            Vec::new()
        }),
        (name, DatabaseUrl::Postgres(u)) => Err(RemoveError::Unsupported(format!(
            "{} is a PostgreSQL database: the {name} dialect cannot reset it in this build",
            redact(&u)
        ))),
        (other, _) => Err(RemoveError::Unsupported(format!(
            "the {other} dialect cannot delete databases in this build"
        ))),
    }
}

/// What the command needs, within what the URL allows: a URL's `mode=ro` refuses a writing
/// command, and `mode=rw` opens without creating.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
fn file_target(path: PathBuf, url_mode: Option<FileMode>, mode: OpenMode) -> Result<FileTarget, OpenError> {
    let shown = path.display().to_string();
    let mode = match (mode, url_mode) {
        (OpenMode::ReadOnly, _) => OpenMode::ReadOnly,
        (_, Some(FileMode::ReadOnly)) => return Err(OpenError::ReadOnlyUrl(shown)),
        (OpenMode::Create, Some(FileMode::ReadWrite)) => OpenMode::ReadWrite,
        (m, _) => m,
    };
    Ok(FileTarget { path, mode, shown })
}
