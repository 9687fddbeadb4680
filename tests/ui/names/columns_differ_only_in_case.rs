use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(name = "Name")]
    upper: String,
    name: String,
}

fn main() {}
