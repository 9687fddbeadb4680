use schema_core::Table;

#[derive(Table)]
#[table(name = "users", name = "people")]
struct User {
    #[column(primary_key, primary_key)]
    id: i64,
}

fn main() {}
