use schema_core::Table;

#[derive(Table)]
#[table(primary_key(org, number))]
struct Team {
    org: String,
    number: i64,
}

// The key of Team is (String, i64): `team` is paired with `number`.
#[derive(Table)]
#[foreign_key(columns(org, team), references = Team)]
struct Member {
    #[column(primary_key)]
    id: i64,
    org: String,
    team: String,
}

fn main() {}
