use schema_core::Table;

#[derive(Table)]
struct Post {
    #[column(references = Usr::id)]
    author_id: i64,
}

fn main() {}
