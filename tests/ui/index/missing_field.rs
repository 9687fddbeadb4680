use schema_core::Table;

#[derive(Table)]
#[index(columns(name, agee))]
struct User {
    name: String,
    age: i64,
}

fn main() {}
