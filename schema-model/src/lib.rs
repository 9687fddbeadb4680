//! The schema model shared by every part of the toolkit, and (feature `parse`) the one parser
//! of `#[derive(Table)]` structs that both the derive macro and the CLI call.
//!
//! This is its own crate because `schema-core` re-exports the derive: the derive cannot depend
//! on `schema-core` as well without a dependency cycle, so the part both need lives here.

pub mod model;
#[cfg(feature = "parse")]
pub mod parse;
pub mod sql;
pub mod tag;

pub use model::*;
