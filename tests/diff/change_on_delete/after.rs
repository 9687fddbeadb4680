#[derive(Table)]
#[table(name = "users")]
pub struct User {
    #[column(primary_key, autoincrement)]
    pub id: i64,
    pub name: String,
    pub age: Option<i64>,
}

#[derive(Table)]
#[table(name = "posts")]
pub struct Post {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User::id, on_delete = "set null")]
    pub author_id: Option<i64>,
    pub title: String,
}
