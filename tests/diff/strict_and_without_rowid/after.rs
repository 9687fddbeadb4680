#[derive(Table)]
#[table(name = "kv", strict, without_rowid)]
pub struct Kv {
    #[column(primary_key)]
    pub k: String,
    pub v: Option<String>,
}
