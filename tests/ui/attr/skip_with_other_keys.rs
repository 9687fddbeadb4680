use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(skip, collate = "NOCASE")]
    cache: String,
    #[column(skip, renamed_from = "old")]
    other: String,
}

fn main() {}
