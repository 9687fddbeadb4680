#[derive(Table)]
#[table(name = "users")]
#[unique(columns(name, email), constraint)]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    #[column(unique(constraint))]
    pub name: String,
    pub email: String,
}
