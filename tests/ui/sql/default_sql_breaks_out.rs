use schema_core::Table;

#[derive(Table)]
struct Victim {
    #[column(primary_key)]
    id: i64,
    #[column(default_sql = "(0)); DROP TABLE victim; --")]
    n: i64,
}

fn main() {}
