#[derive(Table)]
#[table(name = "teams", primary_key(org, number))]
pub struct Team {
    pub org: String,
    pub number: i64,
}
