use schema_core::Table;

#[derive(Table)]
#[table(primary_key(org, person))]
struct Member {
    #[column(primary_key)]
    org: i64,
    person: i64,
}

fn main() {}
