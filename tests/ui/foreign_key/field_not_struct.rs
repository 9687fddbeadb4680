use schema_core::Table;

#[derive(Table)]
struct Org {
    #[column(primary_key)]
    code: String,
}

#[derive(Table)]
#[foreign_key(columns(org), references = Org::code)]
struct Member {
    #[column(primary_key)]
    id: i64,
    org: String,
}

fn main() {}
