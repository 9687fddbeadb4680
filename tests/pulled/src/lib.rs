//! Output of `schema pull`, committed so that building the workspace compiles it. Each file
//! is re-pulled by `schema-cli/tests/real_databases.rs`, which fails if it no longer matches
//! (re-bless with `SCHEMA_BLESS=1`).
//!
//! - `django`: a freshly migrated Django 5.2.19 project (auth, admin, contenttypes, sessions)
//! - `fossil`: a fresh Fossil 2.x repository
//! - `blog`: the blog example's database
//! - `odd`: a database whose names are not Rust identifiers

#![allow(clippy::all, non_snake_case)]

// Kept byte for byte as `schema pull` wrote them, so rustfmt leaves them alone.
#[rustfmt::skip]
pub mod blog;
#[rustfmt::skip]
pub mod django;
#[rustfmt::skip]
pub mod fossil;
#[rustfmt::skip]
pub mod odd;
