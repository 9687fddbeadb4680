#[derive(Table)]
#[table(name = "users")]
#[index(name = "users_age_idx", columns(age))]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
}
