//! Benchmarks for issue 14 (performance): the schema generator that every measurement reads,
//! shared by the `gen` binary and the criterion benchmarks.

pub mod generator;
