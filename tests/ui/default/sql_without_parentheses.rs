use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(default_sql = "unixepoch()")]
    created: i64,
}

fn main() {}
