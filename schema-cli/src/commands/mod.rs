//! One module a command: each turns its arguments into options, calls schema-core, and
//! prints what it returns.

pub mod check;
pub mod drop;
pub mod generate;
pub mod lint;
pub mod migrate;
pub mod pull;
pub mod push;
pub mod reset;
pub mod status;
pub mod studio;
