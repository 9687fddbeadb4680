use schema_core::Table;

#[derive(Table)]
#[table(name = "users", new_struct = "Create User")]
struct User {
    #[column(primary_key)]
    id: i64,
}

fn main() {}
