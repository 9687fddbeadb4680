use schema_core::Table;

#[derive(Table)]
struct Nothing {}

fn main() {}
