use schema_core::Table;

#[derive(Table)]
struct Reading {
    #[column(primary_key)]
    id: i64,
    #[column(default = 1e999)]
    value: f64,
    #[column(default = 1e39)]
    small: f32,
}

fn main() {}
