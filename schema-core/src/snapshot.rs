//! A snapshot: the schema after a migration, and its place in the folder's chain. Each
//! dialect reads and writes its own drizzle-kit snapshot format
//! ([`Dialect::write_snapshot`](crate::dialect::Dialect::write_snapshot)).

use std::borrow::Cow;
use std::io;

use crate::diff::Renames;
pub use crate::json::Help;
use crate::json::{Pretty, Val};
use crate::model::Schema;

/// How a dialect writes its snapshot file, as drizzle-kit does (pretty-printed with two
/// spaces, no final newline): member by member, straight into the text or a file; a snapshot
/// that would write one key twice in an object (which the JSON map keeps once) goes through
/// the `serde_json::Value` tree, which decides which.
pub(crate) struct SnapshotText {
    /// Whether some object of the snapshot would get one key twice (a conservative test).
    pub repeats_a_key: fn(&Snapshot) -> bool,
    /// The snapshot as a tree.
    pub tree: fn(&Snapshot) -> serde_json::Value,
    /// The snapshot's members, in the tree's order, into a writer.
    pub members: fn(&Snapshot, &mut Pretty<'_>),
}

impl SnapshotText {
    /// The file's text.
    pub(crate) fn text(&self, snapshot: &Snapshot) -> String {
        if (self.repeats_a_key)(snapshot) {
            // Writing a `Value` built from strings and numbers cannot fail.
            return serde_json::to_string_pretty(&(self.tree)(snapshot)).unwrap_or_default();
        }
        self.streamed(snapshot)
    }

    /// The text member by member: for a snapshot whose every object has distinct keys, the
    /// same bytes as the tree's, without building it.
    pub(crate) fn streamed(&self, snapshot: &Snapshot) -> String {
        // About 200 bytes a column: the room a typical snapshot needs, so the text grows rarely.
        let columns: usize = snapshot.schema.tables.iter().map(|t| t.columns.len()).sum();
        Pretty::text(1024 + columns * 256, |w| (self.members)(snapshot, w))
    }

    /// [`SnapshotText::text`] straight into `out`, a piece at a time: the text is not held
    /// whole. The tables are written with `help` when it is offered.
    pub(crate) fn write_to(&self, snapshot: &Snapshot, out: &mut dyn io::Write, help: Option<&Help>) -> io::Result<()> {
        if (self.repeats_a_key)(snapshot) {
            return out.write_all(self.text(snapshot).as_bytes());
        }
        Pretty::into_writer(out, help, |w| (self.members)(snapshot, w))
    }
}

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

// The fields of a snapshot file, as both dialects' readers take them from its JSON: each one
// named, when it is missing or has the wrong type, by its path in the file.

/// An object's members, in file order.
pub(crate) type Members<'v, 'a> = &'v [(Cow<'a, str>, Val<'a>)];

/// Where a field is, for its error: a path, or what makes one (only a field that is wrong
/// pays for formatting its path).
pub(crate) trait FieldPath {
    /// The path, as `tables.users.columns.id.type`.
    fn path(&self) -> String;
}

impl FieldPath for str {
    fn path(&self) -> String {
        self.to_string()
    }
}

impl<F: Fn() -> String> FieldPath for F {
    fn path(&self) -> String {
        self()
    }
}

fn wrong(path: &(impl FieldPath + ?Sized)) -> SnapshotError {
    SnapshotError::Field { path: path.path() }
}

/// The string `key` of `v`.
pub(crate) fn str_field<'v>(
    v: &'v Val<'_>,
    key: &str,
    path: &(impl FieldPath + ?Sized),
) -> Result<&'v str, SnapshotError> {
    v.get(key).and_then(Val::as_str).ok_or_else(|| wrong(path))
}

/// The boolean `key` of `v`.
pub(crate) fn bool_field(v: &Val<'_>, key: &str, path: &(impl FieldPath + ?Sized)) -> Result<bool, SnapshotError> {
    v.get(key).and_then(Val::as_bool).ok_or_else(|| wrong(path))
}

/// The object `key` of `v`, which must be there.
// Only SQLite's format has an object that must be there.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn obj<'v, 'a>(
    v: &'v Val<'a>,
    key: &str,
    path: &(impl FieldPath + ?Sized),
) -> Result<Members<'v, 'a>, SnapshotError> {
    v.get(key).and_then(Val::as_object).ok_or_else(|| wrong(path))
}

/// The object `key` of `v` where the format's schema defaults it to `{}` (drizzle-kit's zod
/// defaults): absent, it has no members; there, it must be an object.
pub(crate) fn obj_or_empty<'v, 'a>(
    v: &'v Val<'a>,
    key: &str,
    path: &(impl FieldPath + ?Sized),
) -> Result<Members<'v, 'a>, SnapshotError> {
    match v.get(key) {
        None => Ok(&[]),
        Some(o) => o.as_object().ok_or_else(|| wrong(path)),
    }
}

/// The array of strings `key` of `v`.
pub(crate) fn strings(v: &Val<'_>, key: &str, path: &(impl FieldPath + ?Sized)) -> Result<Vec<String>, SnapshotError> {
    v.get(key)
        .and_then(Val::as_array)
        .ok_or_else(|| wrong(path))?
        .iter()
        .map(|s| s.as_str().map(str::to_string).ok_or_else(|| wrong(path)))
        .collect()
}
