//! `schema.toml`, flags and `DATABASE_URL`, merged: flag, then environment (for the URL), then
//! file, then default. Paths in the file are relative to the file's folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use schema_core::dialect::Dialect;
use schema_core::folder::Folder;

use crate::cli::GlobalArgs;

pub const DEFAULT_CONFIG: &str = "schema.toml";

#[derive(Debug, Clone)]
pub struct Config {
    /// The dialect, chosen once here for every command.
    pub dialect: &'static dyn Dialect,
    /// Files, folders and globs, each resolved against the config's folder.
    pub schema: Vec<String>,
    pub out: PathBuf,
    pub url: String,
    pub table: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    dialect: Option<String>,
    schema: Option<OneOrMany>,
    out: Option<String>,
    database: Option<Database>,
    migrations: Option<MigrationsSection>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Database {
    url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MigrationsSection {
    table: Option<String>,
}

impl Config {
    pub fn load(args: &GlobalArgs) -> anyhow::Result<Config> {
        let (file, base) = match &args.config {
            // A file named on the command line must exist.
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                (
                    parse(&text, path)?,
                    path.parent().map(Path::to_path_buf).unwrap_or_default(),
                )
            }
            // The default one is optional.
            None => match std::fs::read_to_string(DEFAULT_CONFIG) {
                Ok(text) => (parse(&text, Path::new(DEFAULT_CONFIG))?, PathBuf::new()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (File::default(), PathBuf::new()),
                Err(e) => return Err(e).context(format!("cannot read {DEFAULT_CONFIG}")),
            },
        };
        let rel = |p: &str| {
            if base.as_os_str().is_empty() {
                PathBuf::from(p)
            } else {
                base.join(p)
            }
        };

        let name = args.dialect.clone().or(file.dialect).unwrap_or_else(|| "sqlite".into());
        let Some(dialect) = schema_core::backend::dialect(&name) else {
            bail!(
                "unsupported dialect \"{name}\": this version supports {}",
                schema_core::backend::DIALECTS
                    .iter()
                    .map(|d| format!("\"{d}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        // Flags are relative to the working directory; the file's paths to its folder.
        let schema = if !args.schema.is_empty() {
            args.schema.clone()
        } else {
            match file.schema {
                Some(OneOrMany::One(s)) => vec![rel(&s).to_string_lossy().into_owned()],
                Some(OneOrMany::Many(v)) => v.iter().map(|s| rel(s).to_string_lossy().into_owned()).collect(),
                None => vec![rel("src/schema.rs").to_string_lossy().into_owned()],
            }
        };
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| rel(file.out.as_deref().unwrap_or("migrations")));
        let file_url = file.database.and_then(|d| d.url).map(|u| rel_url(&u, &base));
        let url = args
            .url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .or(file_url)
            .unwrap_or_else(|| rel("app.db").to_string_lossy().into_owned());
        let table = args
            .table
            .clone()
            .or(file.migrations.and_then(|m| m.table))
            .unwrap_or_else(|| schema_core::Migrations::DEFAULT_TABLE.into());
        Ok(Config {
            dialect,
            schema,
            out,
            url,
            table,
        })
    }

    /// The migration folder, for the dialect.
    pub fn folder(&self) -> Folder {
        Folder::new(&self.out, self.dialect)
    }
}

/// A database path in the file is relative to the file's folder, like every other path there.
fn rel_url(url: &str, base: &Path) -> String {
    if base.as_os_str().is_empty() || url.contains(':') || Path::new(url).is_absolute() {
        url.to_string()
    } else {
        base.join(url).to_string_lossy().into_owned()
    }
}

fn parse(text: &str, path: &Path) -> anyhow::Result<File> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))
}
