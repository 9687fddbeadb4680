use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
struct Post {
    #[column(references = User::id, on_delete = "explode")]
    author_id: i64,
}

fn main() {}
