//! Shared helpers of the integration tests, and the fixture schemas compiled through the
//! derive so tests can compare them with what the CLI reads from the same files.

/// The drizzle-compat `basic` fixture's Rust twin, compiled with `#[derive(Table)]`.
pub mod basic {
    include!("../fixtures/drizzle-compat/basic/schema.rs");
}
