//! SQL dialects: each renders the dialect-free model as its own SQL.

mod plan;
mod sqlite;

pub use plan::{
    NEW_PREFIX, Plan, PlanError, PlanErrors, REBUILD_MARKER, mentions, rowid_alias, turns_foreign_keys_off,
};

pub use sqlite::{Sqlite, dependency_order, ident};
