#[derive(Table)]
#[table(name = "codes")]
pub struct Code {
    #[column(primary_key)]
    pub code: String,
    pub label: String,
}
