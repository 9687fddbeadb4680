#[derive(Table)]
#[table(name = "members", primary_key(org, person))]
pub struct Member {
    pub org: i64,
    pub person: i64,
    pub role: String,
}
