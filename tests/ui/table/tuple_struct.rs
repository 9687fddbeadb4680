use schema_core::Table;

#[derive(Table)]
struct Pair(i64, i64);

fn main() {}
