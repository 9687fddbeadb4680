#[derive(Table)]
#[table(name = "notes")]
pub struct Note {
    pub body: Option<String>,
}
