use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_kee)]
    id: i64,
}

fn main() {}
