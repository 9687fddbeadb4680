use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(primary_key)]
    email: String,
}

fn main() {}
