use schema_core::Table;

#[derive(Table)]
#[check(name = "c", expr = "age >")]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(check = "age >= 0) OR (1")]
    age: i64,
    #[column(generated = "age * 2 SELECT 1")]
    double: i64,
}

fn main() {}
