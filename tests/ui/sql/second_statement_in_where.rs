use schema_core::Table;

#[derive(Table)]
#[index(columns(id), where = "1; DELETE FROM users")]
struct User {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
