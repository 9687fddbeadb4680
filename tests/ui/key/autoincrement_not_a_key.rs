use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(autoincrement)]
    counter: i64,
}

fn main() {}
