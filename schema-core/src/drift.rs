//! Drift: how a database differs from what its applied migrations say.

use crate::diff::{describe, diff};
use crate::driver::Driver;
use crate::folder::{Folder, FolderError};
use crate::migrate::{DbError, MigrateError, MigrationState, Migrations};

/// Why drift could not be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    /// The migrations could not be read or matched.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    /// A snapshot could not be read.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// The database could not be read.
    #[error("cannot read the database: {0}")]
    Read(#[from] DbError),
}

/// The snapshot of the newest applied migration compared with the database, each difference
/// in words. `None` when no migration of the folder is applied there. The tables `skip` names
/// (beside the tracking table) are the database's own business, not drift.
pub fn drift(
    driver: &mut dyn Driver,
    folder: &Folder,
    migrations: &Migrations,
    skip: &[&str],
) -> Result<Option<Vec<String>>, DriftError> {
    let status = driver.status(migrations)?;
    let Some((last, _)) = status
        .migrations
        .iter()
        .rev()
        .find(|(_, s)| matches!(s, MigrationState::Applied { .. } | MigrationState::Edited))
    else {
        return Ok(None);
    };
    let snapshot = folder.read_snapshot(last.idx())?;
    let mut skip = skip.to_vec();
    skip.push(migrations.table());
    let live = driver.introspect(&skip)?;
    let expected = driver.as_stored(&snapshot.schema)?;
    let changes = diff(&expected, &live, &Default::default());
    let dialect = driver.dialect();
    Ok(Some(changes.iter().map(|c| describe(c, dialect)).collect()))
}

/// What adopting a database recorded.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The migration the database was checked against.
    pub tag: String,
    /// The migrations recorded as applied now, in journal order.
    pub recorded: Vec<String>,
    /// Those up to the tag that were already recorded.
    pub already: Vec<String>,
}

/// Why a database could not be adopted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The migrations, the folder or the database could not be read.
    #[error(transparent)]
    Drift(#[from] DriftError),
    /// The folder has no such migration.
    #[error("the folder has no migration {0} (give its tag, like 0003_users_add_bio, or its number, 0003)")]
    UnknownTag(String),
    /// An applied migration's file changed since: the check would compare against a snapshot
    /// that may not be what ran.
    #[error(
        "migration {0} was applied, but its file has changed since; restore it, or accept the edit after review \
         (`schema migrate --accept-edit {0}`), then baseline"
    )]
    Edited(String),
    /// The database already applied a later migration: it is past the baseline.
    #[error(
        "{target} has already applied {later}, which comes after {tag}: it is past that baseline; \
         run `schema migrate` (or `schema status` to see where it stands)"
    )]
    LaterApplied {
        /// The database.
        target: String,
        /// The baseline's tag.
        tag: String,
        /// The later migration applied.
        later: String,
    },
    /// The database is not what the migrations up to the tag make: nothing was recorded.
    #[error(
        "{target} does not match the migrations up to {tag}, so nothing was recorded ({} difference(s), \
         the database against {tag}'s snapshot):\n{}",
        .differences.len(),
        .differences.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
    )]
    Differs {
        /// The database.
        target: String,
        /// The baseline's tag.
        tag: String,
        /// Each difference, in words.
        differences: Vec<String>,
    },
}

impl From<MigrateError> for BaselineError {
    fn from(e: MigrateError) -> BaselineError {
        BaselineError::Drift(DriftError::Migrate(e))
    }
}

/// Adopts a database made without these migrations (by `push`, by hand, by another tool):
/// checks that it is exactly what the migrations up to `tag` make (its tables against
/// `tag`'s snapshot, the way drift is found), then records them as applied in one
/// transaction, without running them. Refuses, recording nothing, when it differs, when a
/// later migration is already applied, or when the tracking rows are edited or unknown.
pub fn baseline(
    driver: &mut dyn Driver,
    folder: &Folder,
    migrations: &Migrations,
    tag: &str,
    skip: &[&str],
) -> Result<Baseline, BaselineError> {
    let target = migrations
        .find(tag)
        .ok_or_else(|| BaselineError::UnknownTag(tag.to_string()))?
        .clone();
    let status = driver.status(migrations)?;
    if let Some(unknown) = status.missing.first()
        && !migrations.allows_unknown_applied()
    {
        return Err(MigrateError::Missing(unknown.clone()).into());
    }
    let mut upto = Vec::new();
    let mut already = Vec::new();
    let mut past = false;
    for (m, state) in &status.migrations {
        if past {
            if !matches!(state, MigrationState::Pending) {
                return Err(BaselineError::LaterApplied {
                    target: driver.target(),
                    tag: target.tag().to_string(),
                    later: m.tag().to_string(),
                });
            }
            continue;
        }
        match state {
            MigrationState::Pending => upto.push(m.tag().to_string()),
            MigrationState::Applied { .. } => already.push(m.tag().to_string()),
            MigrationState::Edited => return Err(BaselineError::Edited(m.tag().to_string())),
        }
        past = m.tag() == target.tag();
    }
    let snapshot = folder.read_snapshot(target.idx()).map_err(DriftError::from)?;
    let mut skip = skip.to_vec();
    skip.push(migrations.table());
    let live = driver.introspect(&skip).map_err(DriftError::from)?;
    let expected = driver.as_stored(&snapshot.schema).map_err(DriftError::from)?;
    let changes = diff(&expected, &live, &Default::default());
    if !changes.is_empty() {
        let dialect = driver.dialect();
        return Err(BaselineError::Differs {
            target: driver.target(),
            tag: target.tag().to_string(),
            differences: changes.iter().map(|c| describe(c, dialect)).collect(),
        });
    }
    let tags: Vec<&str> = upto.iter().map(String::as_str).collect();
    let recorded = if tags.is_empty() {
        Vec::new()
    } else {
        driver.mark_applied_all(migrations, &tags)?
    };
    Ok(Baseline {
        tag: target.tag().to_string(),
        recorded,
        already,
    })
}
