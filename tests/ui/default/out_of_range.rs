use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(default = 300)]
    level: u8,
}

fn main() {}
