use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
}

// `references = User` pairs the column with User's primary key, an `i64`.
#[derive(Table)]
struct Post {
    #[column(references = User)]
    author_id: String,
}

fn main() {}
