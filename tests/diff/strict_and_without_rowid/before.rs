#[derive(Table)]
#[table(name = "kv")]
pub struct Kv {
    #[column(primary_key)]
    pub k: String,
    pub v: Option<String>,
}
