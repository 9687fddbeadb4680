#[derive(Table)]
#[table(name = "teams", primary_key(org, number))]
pub struct Team {
    pub org: String,
    pub number: i64,
}

#[derive(Table)]
#[table(name = "members")]
#[foreign_key(columns(org, team), references = Team, on_delete = "cascade")]
#[foreign_key(name = "members_team_fk", columns(org, team), references = Team, to(org, number), deferrable)]
pub struct Member {
    #[column(primary_key)]
    pub id: i64,
    pub org: String,
    pub team: i64,
}
