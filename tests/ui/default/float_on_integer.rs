use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(default = 1.5)]
    level: i32,
}

fn main() {}
