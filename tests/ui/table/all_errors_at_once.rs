use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_kee)]
    id: i64,
    #[column(default = "x")]
    age: i64,
    when: std::time::Instant,
}

fn main() {}
