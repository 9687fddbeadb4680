use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(name = "a--> statement-breakpoint b")]
    odd: String,
}

fn main() {}
