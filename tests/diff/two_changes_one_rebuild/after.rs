#[derive(Table)]
#[table(name = "users")]
#[check(name = "age_ok", expr = "age >= 0")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: Option<String>,
    #[column(default = 0)]
    pub age: i64,
}
