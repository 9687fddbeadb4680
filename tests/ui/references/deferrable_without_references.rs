use schema_core::Table;

#[derive(Table)]
struct Post {
    #[column(primary_key)]
    id: i64,
    #[column(deferrable = "deferred")]
    author_id: i64,
}

fn main() {}
