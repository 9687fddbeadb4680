use schema_core::Table;

#[derive(Table)]
#[table(primary_key(org, number))]
struct Team {
    org: String,
    number: i64,
}

#[derive(Table)]
#[foreign_key(columns(org, team), references = Team, to(org))]
struct Member {
    #[column(primary_key)]
    id: i64,
    org: String,
    team: i64,
}

fn main() {}
