#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
    #[column(generated = "age * 2", stored)]
    pub double_age: Option<i64>,
}
