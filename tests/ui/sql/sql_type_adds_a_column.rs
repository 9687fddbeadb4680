use schema_core::Table;

#[derive(Table)]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(sql_type = "text, injected blob")]
    name: String,
    #[column(collate = "NOCASE, other integer")]
    nick: String,
}

fn main() {}
