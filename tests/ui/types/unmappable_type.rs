use schema_core::Table;

struct DateTime;

#[derive(Table)]
struct User {
    id: i64,
    created: DateTime,
}

fn main() {}
