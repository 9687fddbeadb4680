//! The point of choice: the one place that maps a dialect's name (`dialect` in `schema.toml`,
//! `--dialect`) to its [`Dialect`], and a database URL to the [`Driver`] that opens it. A new
//! dialect is a module beside `crate::sqlite` plus one arm in each function here.

use crate::dialect::Dialect;
use crate::driver::Driver;

/// The names `dialect` takes, in the order they are offered.
pub const DIALECTS: &[&str] = &["sqlite"];

/// The dialect named `name` (`sqlite`), if this build has it.
pub fn dialect(name: &str) -> Option<&'static dyn Dialect> {
    match name {
        #[cfg(feature = "sqlite")]
        "sqlite" => Some(&crate::sqlite::SQLITE),
        _ => None,
    }
}

/// The dialect a table's row helpers and `create_table_sql` use when none is named: SQLite.
#[cfg(feature = "sqlite")]
pub fn default_dialect() -> &'static dyn Dialect {
    &crate::sqlite::SQLITE
}

/// How a database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Read and write, creating the database if it does not exist.
    Create,
    /// Read and write an existing database.
    ReadWrite,
    /// Read only, never creating anything.
    ReadOnly,
}

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The dialect has no driver in this build.
    #[error("the {0} dialect cannot open databases in this build")]
    Unsupported(String),
    /// The database is not there.
    #[error("no database at {0}")]
    Missing(String),
    /// The client library could not open it.
    #[error("cannot open the database {target}: {message}")]
    Open {
        /// The database, as said in messages.
        target: String,
        /// Why.
        message: String,
    },
}

/// Opens the database at `url` for `dialect`.
pub fn open(dialect: &dyn Dialect, url: &str, mode: OpenMode) -> Result<Box<dyn Driver>, OpenError> {
    match dialect.name() {
        #[cfg(feature = "sqlite")]
        "sqlite" => Ok(Box::new(crate::sqlite::SqliteDriver::open(url, mode)?)),
        other => {
            let _ = (url, mode);
            Err(OpenError::Unsupported(other.to_string()))
        }
    }
}
