#[derive(Table)]
pub struct Other {
    #[column(primary_key)]
    pub id: i64,
}
