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
