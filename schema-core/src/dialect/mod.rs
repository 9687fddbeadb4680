//! SQL dialects: each renders the dialect-free model as its own SQL.

mod sqlite;

pub use sqlite::{Sqlite, dependency_order, ident};
