use schema_core::Table;

#[derive(Table)]
struct Post {
    #[column(on_delete = "cascade")]
    author_id: i64,
}

fn main() {}
