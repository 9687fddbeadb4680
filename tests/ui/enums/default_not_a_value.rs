use schema_core::{SqlEnum, Table};

#[derive(SqlEnum, Debug)]
enum Status {
    Draft,
    Published,
}

#[derive(Table)]
struct Post {
    id: i64,
    #[column(default = "archived")]
    status: Status,
}

fn main() {}
