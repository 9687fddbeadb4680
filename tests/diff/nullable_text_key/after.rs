#[derive(Table)]
#[table(name = "codes")]
pub struct Code {
    #[column(primary_key)]
    pub code: Option<String>,
    pub label: String,
}
