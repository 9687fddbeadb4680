#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    #[column(default = "")]
    pub body: String,
}
