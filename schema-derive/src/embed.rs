//! `embed_migrations!`: reads a migration folder at compile time and writes it as a static.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};

/// `"migrations"`, then optionally `table = ".."` or `config = ".."`.
pub struct EmbedArgs {
    pub path: syn::LitStr,
    pub table: Option<syn::LitStr>,
    pub config: Option<syn::LitStr>,
}

impl Parse for EmbedArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: syn::LitStr = input.parse()?;
        let mut args = EmbedArgs {
            path,
            table: None,
            config: None,
        };
        while !input.is_empty() {
            input.parse::<syn::Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: syn::Ident = input.parse()?;
            input.parse::<syn::Token![=]>()?;
            let value: syn::LitStr = input.parse()?;
            let slot = match key.to_string().as_str() {
                // embed_migrations!("migrations", table = "my_migrations")
                "table" => &mut args.table,
                // embed_migrations!("migrations", config = "../schema.toml")
                "config" => &mut args.config,
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "embed_migrations!: unknown argument `{key}`; expected `table = \"..\"` or `config = \"..\"`"
                        ),
                    ));
                }
            };
            if slot.is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    format!("embed_migrations!: `{key}` is given twice"),
                ));
            }
            *slot = Some(value);
        }
        if let (Some(_), Some(config)) = (&args.table, &args.config) {
            return Err(syn::Error::new(
                config.span(),
                "embed_migrations!: give `table` or `config`, not both (`table` names the tracking table itself)",
            ));
        }
        Ok(args)
    }
}

/// The tracking table named by a `schema.toml`, if it names one. A file that is there but
/// cannot be read, or names it wrongly, is an error: the binary must track migrations where
/// `schema migrate` does.
fn table_from_config(path: &Path, span: proc_macro2::Span) -> syn::Result<Option<String>> {
    let err = |msg: String| syn::Error::new(span, msg);
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    let doc: toml::Table =
        toml::from_str(&text).map_err(|e| err(format!("{}: not valid TOML: {e}", path.display())))?;
    let Some(migrations) = doc.get("migrations") else {
        return Ok(None);
    };
    let Some(table) = migrations.as_table().and_then(|m| m.get("table")) else {
        return if migrations.is_table() {
            Ok(None)
        } else {
            Err(err(format!(
                "{}: `migrations` must be a table ([migrations])",
                path.display()
            )))
        };
    };
    match table.as_str() {
        Some(t) if !t.trim().is_empty() => Ok(Some(t.to_string())),
        _ => Err(err(format!(
            "{}: [migrations] table must be a non-empty string, like table = \"__drizzle_migrations\"",
            path.display()
        ))),
    }
}

pub fn embed_migrations(args: &EmbedArgs) -> syn::Result<TokenStream> {
    let lit = &args.path;
    let err = |msg: String| syn::Error::new(lit.span(), msg);
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| err("CARGO_MANIFEST_DIR is not set: build with cargo".into()))?;
    let manifest = PathBuf::from(manifest);
    let dir = manifest.join(lit.value());
    // The tracking table: the argument, else the config's, else drizzle-orm's.
    let (table, config_input) = match (&args.table, &args.config) {
        (Some(t), _) => {
            if t.value().trim().is_empty() {
                return Err(syn::Error::new(t.span(), "embed_migrations!: `table` cannot be empty"));
            }
            (Some(t.value()), None)
        }
        (None, Some(c)) => {
            let path = manifest.join(c.value());
            if !path.is_file() {
                return Err(syn::Error::new(
                    c.span(),
                    format!("embed_migrations!: no config file at {}", path.display()),
                ));
            }
            (table_from_config(&path, c.span())?, Some(path))
        }
        (None, None) => {
            let path = manifest.join("schema.toml");
            if path.is_file() {
                (table_from_config(&path, lit.span())?, Some(path))
            } else {
                (None, None)
            }
        }
    };
    let journal_path = dir.join("meta").join("_journal.json");
    let text = std::fs::read_to_string(&journal_path).map_err(|e| {
        err(format!(
            "cannot read the migration journal {}: {e}",
            journal_path.display()
        ))
    })?;
    let journal: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "{} is not a valid drizzle-kit journal: {e}",
            journal_path.display()
        ))
    })?;
    // A folder of either dialect: the migrator that runs it (`run` on SQLite, `run_postgres`)
    // is the application's choice.
    if journal["version"] != "7" || (journal["dialect"] != "sqlite" && journal["dialect"] != "postgresql") {
        return Err(err(format!(
            "{}: unsupported journal (version {}, dialect {}); expected version \"7\" and dialect \"sqlite\" or \"postgresql\"",
            journal_path.display(),
            journal["version"],
            journal["dialect"]
        )));
    }
    let entries = journal["entries"].as_array().ok_or_else(|| {
        err(format!(
            "{}: `entries` is missing or not a list",
            journal_path.display()
        ))
    })?;
    let mut tags: Vec<String> = Vec::new();
    let mut items = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let bad = |field: &str| err(format!("{}: entry {i} has no valid `{field}`", journal_path.display()));
        let tag = e["tag"].as_str().ok_or_else(|| bad("tag"))?.to_string();
        // Before any path is built from it: a tag is a plain file name.
        schema_model::tag::check(&tag).map_err(|reason| {
            err(format!(
                "{}: entry {i} has the tag {tag:?}, which is not a safe file name: {reason}",
                journal_path.display()
            ))
        })?;
        let idx = e["idx"]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| bad("idx"))?;
        let when = e["when"].as_i64().ok_or_else(|| bad("when"))?;
        if tags.contains(&tag) {
            return Err(err(format!(
                "{}: the journal lists the tag {tag} twice",
                journal_path.display()
            )));
        }
        let sql_path = dir.join(format!("{tag}.sql"));
        if !sql_path.is_file() {
            return Err(err(format!(
                "the journal names {tag}, but {} does not exist",
                sql_path.display()
            )));
        }
        // Hashed here, once: the binary carries the hash beside the text it embeds.
        let bytes = std::fs::read(&sql_path).map_err(|e| err(format!("cannot read {}: {e}", sql_path.display())))?;
        let hash = hex_sha256(&bytes);
        let sql_path = sql_path.to_string_lossy().into_owned();
        tags.push(tag.clone());
        items.push(quote! {
            ::schema_core::Migration::embedded(#idx, #tag, #when, ::std::include_str!(#sql_path), #hash)
        });
    }
    let journal_path = journal_path.to_string_lossy().into_owned();
    // The config read for the table is a build input too: renaming the table rebuilds.
    let config_input = config_input.map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &[u8] = ::std::include_bytes!(#p);
        )
    });
    let make = match table {
        Some(t) => quote!(::schema_core::Migrations::from_static_in(MIGRATIONS, #t)),
        None => quote!(::schema_core::Migrations::from_static(MIGRATIONS)),
    };
    Ok(quote! {
        {
            // Makes the journal a build input: a new migration changes it, so the crate
            // is rebuilt and the new file embedded without touching anything else.
            const _: &[u8] = ::std::include_bytes!(#journal_path);
            #config_input
            static MIGRATIONS: &[::schema_core::Migration] = &[#(#items),*];
            #make
        }
    })
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(journal: &str, files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("meta")).unwrap();
        std::fs::write(dir.path().join("meta/_journal.json"), journal).unwrap();
        for f in files {
            std::fs::write(dir.path().join(f), "SELECT 1;").unwrap();
        }
        dir
    }

    fn args(dir: &Path, table: Option<&str>) -> EmbedArgs {
        let lit = |s: &str| syn::LitStr::new(s, proc_macro2::Span::call_site());
        EmbedArgs {
            path: lit(dir.to_str().unwrap()),
            table: table.map(lit),
            config: None,
        }
    }

    fn error(dir: &Path) -> String {
        // An absolute path: joined to the manifest folder, it stays itself.
        embed_migrations(&args(dir, None)).map(|_| ()).unwrap_err().to_string()
    }

    const ENTRY: &str = r#"{"idx":0,"version":"6","when":1,"tag":"0000_a","breakpoints":true}"#;

    #[test]
    fn a_journal_naming_a_missing_file_is_a_compile_error() {
        let dir = folder(
            &format!(r#"{{"version":"7","dialect":"sqlite","entries":[{ENTRY}]}}"#),
            &[],
        );
        let e = error(dir.path());
        assert!(
            e.starts_with("the journal names 0000_a, but") && e.ends_with("0000_a.sql does not exist"),
            "{e}"
        );
    }

    #[test]
    fn a_malformed_journal_is_a_compile_error() {
        let dir = folder("{\"version\": \"7\",", &[]);
        assert!(error(dir.path()).contains("is not a valid drizzle-kit journal"));
        let dir = folder(r#"{"version":"5","dialect":"sqlite","entries":[]}"#, &[]);
        assert!(error(dir.path()).contains("unsupported journal"));
        let dir = folder(r#"{"version":"7","dialect":"mysql","entries":[]}"#, &[]);
        assert!(error(dir.path()).contains("unsupported journal"));
        // PostgreSQL's folder embeds as SQLite's does (the application runs it with run_postgres).
        let dir = folder(r#"{"version":"7","dialect":"postgresql","entries":[]}"#, &[]);
        assert!(embed_migrations(&args(dir.path(), None)).is_ok());
        let missing = tempfile::tempdir().unwrap();
        assert!(error(missing.path()).contains("cannot read the migration journal"));
    }

    #[test]
    fn a_repeated_tag_is_a_compile_error() {
        let dir = folder(
            &format!(r#"{{"version":"7","dialect":"sqlite","entries":[{ENTRY},{ENTRY}]}}"#),
            &["0000_a.sql"],
        );
        assert!(error(dir.path()).contains("lists the tag 0000_a twice"));
    }

    #[test]
    fn a_tag_that_is_a_path_is_a_compile_error() {
        for tag in ["../outside/evil", "/etc/passwd", "0001_a/b", "0001_.."] {
            let entry = format!(r#"{{"idx":0,"version":"6","when":1,"tag":{tag:?},"breakpoints":true}}"#);
            let dir = folder(
                &format!(r#"{{"version":"7","dialect":"sqlite","entries":[{entry}]}}"#),
                &[],
            );
            let e = error(dir.path());
            assert!(e.contains("is not a safe file name"), "{tag}: {e}");
        }
    }

    #[test]
    fn every_file_is_included_so_a_change_rebuilds_the_crate() {
        let dir = folder(
            &format!(r#"{{"version":"7","dialect":"sqlite","entries":[{ENTRY}]}}"#),
            &["0000_a.sql"],
        );
        let code = embed_migrations(&args(dir.path(), None)).unwrap().to_string();
        assert!(
            code.contains("include_bytes") && code.contains("_journal.json"),
            "{code}"
        );
        assert!(code.contains("include_str") && code.contains("0000_a.sql"), "{code}");
    }

    #[test]
    fn the_arguments_are_checked() {
        let parse =
            |s: &str| syn::parse_str::<EmbedArgs>(s).map(|a| (a.table.map(|t| t.value()), a.config.map(|c| c.value())));
        assert_eq!(parse(r#""m""#).unwrap(), (None, None));
        assert_eq!(parse(r#""m", table = "t""#).unwrap(), (Some("t".into()), None));
        assert_eq!(
            parse(r#""m", config = "../schema.toml","#).unwrap(),
            (None, Some("../schema.toml".into()))
        );
        let e = |s: &str| parse(s).unwrap_err().to_string();
        assert!(e(r#""m", tabel = "t""#).contains("unknown argument `tabel`"));
        assert!(e(r#""m", table = "t", table = "u""#).contains("`table` is given twice"));
        assert!(e(r#""m", table = "t", config = "c""#).contains("not both"));
    }

    #[test]
    fn the_table_comes_from_the_argument_or_the_config() {
        let dir = folder(
            &format!(r#"{{"version":"7","dialect":"sqlite","entries":[{ENTRY}]}}"#),
            &["0000_a.sql"],
        );
        let code = embed_migrations(&args(dir.path(), Some("app_migrations")))
            .unwrap()
            .to_string();
        assert!(
            code.contains("from_static_in") && code.contains("\"app_migrations\""),
            "{code}"
        );
        let span = proc_macro2::Span::call_site();
        let config = dir.path().join("schema.toml");
        std::fs::write(&config, "out = \"m\"\n[migrations]\ntable = \"from_config\"\n").unwrap();
        assert_eq!(
            table_from_config(&config, span).unwrap().as_deref(),
            Some("from_config")
        );
        std::fs::write(&config, "out = \"m\"\n").unwrap();
        assert_eq!(table_from_config(&config, span).unwrap(), None);
        std::fs::write(&config, "[migrations]\ntable = 3\n").unwrap();
        assert!(
            table_from_config(&config, span)
                .unwrap_err()
                .to_string()
                .contains("must be a non-empty string")
        );
        std::fs::write(&config, "[migrations\n").unwrap();
        assert!(
            table_from_config(&config, span)
                .unwrap_err()
                .to_string()
                .contains("not valid TOML")
        );
    }
}
