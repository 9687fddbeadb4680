use schema_core::Table;

type UserId = i64;

#[derive(Table)]
struct User {
    id: UserId,
}

fn main() {}
