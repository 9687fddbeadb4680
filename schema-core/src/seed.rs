//! The seed file (`[seed] file = "seed.sql"`): SQL that fills a new database (a default user,
//! lookup rows), applied by `schema reset` and `schema migrate --seed` in one transaction, all
//! or nothing. A failure names the file, the line and the statement.

use std::path::{Path, PathBuf};

use schema_model::sql::lex;

use crate::dialect::Plan;
use crate::driver::Driver;
use crate::migrate::{DbError, MigrateError};

/// Why a seed was not applied. Nothing of it is left in the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read the seed file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A statement may not be in a seed (it would end or escape the seed's transaction).
    #[error(
        "{path}:{line}: `{sql}` may not be in a seed file: it would end or escape the one transaction the seed runs in \
         (all or nothing); remove it. Nothing of the seed was applied"
    )]
    Forbidden {
        /// The file.
        path: PathBuf,
        /// The statement's first line.
        line: usize,
        /// The statement.
        sql: String,
        /// Why, as the dialect says it of a migration.
        reason: String,
    },
    /// A statement failed; the seed was rolled back.
    #[error("seed {path}:{line} (statement {number}) failed: {source}; nothing of the seed was applied\n{sql}")]
    Statement {
        /// The file.
        path: PathBuf,
        /// The statement's first line.
        line: usize,
        /// The statement's number in the file, from 1.
        number: usize,
        /// The statement.
        sql: String,
        /// What the database said.
        source: DbError,
    },
    /// The database failed otherwise.
    #[error("while applying the seed {path}: {source}")]
    Database {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: Box<MigrateError>,
    },
}

/// Applies the seed file at `path` (`shown` as the user named it) in one transaction; returns
/// how many statements it ran.
pub fn apply(db: &mut dyn Driver, path: &Path, shown: &Path) -> Result<usize, SeedError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
        path: shown.to_path_buf(),
        source,
    })?;
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let statements: Vec<(String, usize)> = lex::split(&text)
        .into_iter()
        .map(|s| (s.text.to_string(), line_of(s.start)))
        .collect();
    let sql: Vec<String> = statements.iter().map(|(s, _)| format!("{s};")).collect();
    if let Some(f) = db.dialect().forbidden(&sql).into_iter().next() {
        let (s, line) = &statements[f.number - 1];
        return Err(SeedError::Forbidden {
            path: shown.to_path_buf(),
            line: *line,
            sql: s.clone(),
            reason: f.reason,
        });
    }
    let plan = Plan {
        statements: sql.clone(),
        ..Plan::default()
    };
    let label = shown.display().to_string();
    match db.apply_plan(&label, &plan) {
        Ok(_) => Ok(statements.len()),
        Err(MigrateError::Statement {
            sql: failed, source, ..
        }) => {
            // Found by its text: the driver may leave statements out (SQLite's foreign-key
            // PRAGMAs, which it sets around the transaction itself).
            let number = sql.iter().position(|s| *s == failed).unwrap_or(0);
            let (s, line) = statements.get(number).cloned().unwrap_or((failed, 0));
            Err(SeedError::Statement {
                path: shown.to_path_buf(),
                line,
                number: number + 1,
                sql: s,
                source: *source,
            })
        }
        Err(source) => Err(SeedError::Database {
            path: shown.to_path_buf(),
            source: Box::new(source),
        }),
    }
}
