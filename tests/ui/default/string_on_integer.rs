use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(default = "ten")]
    age: i64,
}

fn main() {}
