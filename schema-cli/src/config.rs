//! `schema.toml`, flags and `DATABASE_URL`, merged: flag, then environment (for the URL), then
//! file, then default. Paths in the file are relative to the file's folder. The file is found
//! as cargo finds `Cargo.toml`: in the working directory or the nearest folder above it.

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
    /// What a relative path in `url` is relative to: the config file's folder for its own
    /// `database.url`, the working directory for `--url` and `DATABASE_URL`.
    pub url_base: PathBuf,
    pub table: String,
    /// The tracking table's schema on PostgreSQL (`drizzle`, drizzle-orm's).
    pub migrations_schema: String,
    /// Globs of tables the schema does not own: never drift, never dropped by push, not pulled.
    pub exclude: Vec<String>,
    /// The seed file (`[seed] file`, relative to the config's folder; `--seed-file`), if any.
    pub seed: Option<PathBuf>,
    /// The cargo features the application is built with: what `#[cfg(feature = "..")]` in
    /// the schema files is evaluated against.
    pub features: Vec<String>,
    /// The config file read, if any.
    pub file: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    dialect: Option<String>,
    schema: Option<OneOrMany>,
    out: Option<String>,
    database: Option<Database>,
    migrations: Option<MigrationsSection>,
    introspect: Option<IntrospectSection>,
    seed: Option<SeedSection>,
    features: Option<Vec<String>>,
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
    schema: Option<String>,
}

/// `[seed] file = "seed.sql"`: SQL that `reset` and `migrate --seed` apply to a new database.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SeedSection {
    file: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct IntrospectSection {
    exclude: Option<Vec<String>>,
}

/// `schema.toml` in the working directory or the nearest folder above it, with the path of
/// that folder as the config's paths are relative to it (`""` for the working directory,
/// `..` for its parent, ...).
fn find_config() -> anyhow::Result<Option<(PathBuf, PathBuf)>> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut base = PathBuf::new();
    for dir in cwd.ancestors() {
        let candidate = dir.join(DEFAULT_CONFIG);
        if candidate.is_file() {
            return Ok(Some((base.join(DEFAULT_CONFIG), base)));
        }
        base.push("..");
    }
    Ok(None)
}

impl Config {
    pub fn load(args: &GlobalArgs) -> anyhow::Result<Config> {
        let (file, base, found) = match &args.config {
            // A file named on the command line must exist.
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                (
                    parse(&text, path)?,
                    path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    Some(path.clone()),
                )
            }
            // The default one is optional, found here or above.
            None => match find_config()? {
                Some((path, base)) => {
                    let text =
                        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
                    (parse(&text, &path)?, base, Some(path))
                }
                None => (File::default(), PathBuf::new(), None),
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
        let from_cli = args
            .url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()));
        let (url, url_base) = match from_cli {
            Some(u) => (u, PathBuf::new()),
            None => (
                file.database.and_then(|d| d.url).unwrap_or_else(|| "app.db".into()),
                base.clone(),
            ),
        };
        let (file_table, file_schema) = file.migrations.map_or((None, None), |m| (m.table, m.schema));
        let table = args
            .table
            .clone()
            .or(file_table)
            .unwrap_or_else(|| schema_core::Migrations::DEFAULT_TABLE.into());
        let migrations_schema = args
            .migrations_schema
            .clone()
            .or(file_schema)
            .unwrap_or_else(|| schema_core::Migrations::DEFAULT_SCHEMA.into());
        let exclude = file.introspect.and_then(|i| i.exclude).unwrap_or_default();
        for pattern in &exclude {
            glob::Pattern::new(pattern)
                .map_err(|e| anyhow::anyhow!("[introspect] exclude: {pattern:?} is not a valid glob: {e}"))?;
        }
        let seed = args
            .seed_file
            .clone()
            .or_else(|| file.seed.and_then(|s| s.file).map(|f| rel(&f)));
        let features = if args.features.is_empty() {
            file.features.unwrap_or_default()
        } else {
            args.features
                .iter()
                .flat_map(|f| f.split([',', ' ']))
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect()
        };
        Ok(Config {
            dialect,
            features,
            schema,
            out,
            url,
            url_base,
            table,
            migrations_schema,
            exclude,
            seed,
            file: found,
        })
    }

    /// The migration folder, for the dialect.
    pub fn folder(&self) -> Folder {
        Folder::new(&self.out, self.dialect)
    }

    /// The tables introspection leaves out: the tracking table and the excluded ones.
    pub fn skip(&self) -> Vec<&str> {
        std::iter::once(self.table.as_str())
            .chain(self.exclude.iter().map(String::as_str))
            .collect()
    }

    /// Where the settings came from, for an error about a missing folder or database.
    pub fn origin(&self) -> String {
        match &self.file {
            Some(f) => format!("set in {}", f.display()),
            None => "no schema.toml was found here or in a folder above; pass --config, or --out and --url".into(),
        }
    }
}

fn parse(text: &str, path: &Path) -> anyhow::Result<File> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))
}
