#[derive(Table)]
#[table(name = "users")]
#[check(expr = "length(name) > 0")]
#[check(expr = "email LIKE '%@%'")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
    pub email: String,
}
