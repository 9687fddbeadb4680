//! A snapshot: the schema after a migration, and its place in the folder's chain. Each
//! dialect reads and writes its own drizzle-kit snapshot format
//! ([`Dialect::write_snapshot`](crate::dialect::Dialect::write_snapshot)).

use crate::diff::Renames;
use crate::model::Schema;

/// The id drizzle-kit gives the parent of the first snapshot.
pub const ROOT_ID: &str = "00000000-0000-0000-0000-000000000000";

/// One snapshot: the schema after a migration, and its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// This snapshot's id (a UUID).
    pub id: String,
    /// The id of the snapshot before it ([`ROOT_ID`] for the first).
    pub prev_id: String,
    /// Normalized for the snapshot's dialect.
    pub schema: Schema,
    /// The renames of the migration that made this snapshot (drizzle-kit's `_meta`).
    pub renames: Renames,
}

/// Why a snapshot file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Another dialect's or version's snapshot.
    #[error("unsupported snapshot: {0}")]
    Unsupported(String),
    /// A field that must be there is missing or has the wrong type.
    #[error("`{path}` is missing or has the wrong type")]
    Field {
        /// Where, as `tables.users.columns.id.type`.
        path: String,
    },
}
