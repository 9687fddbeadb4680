//! `embed_migrations!`: reads a migration folder at compile time and writes it as a static.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

pub fn embed_migrations(lit: &syn::LitStr) -> syn::Result<TokenStream> {
    let err = |msg: String| syn::Error::new(lit.span(), msg);
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| err("CARGO_MANIFEST_DIR is not set: build with cargo".into()))?;
    let dir = PathBuf::from(manifest).join(lit.value());
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
    if journal["version"] != "7" || journal["dialect"] != "sqlite" {
        return Err(err(format!(
            "{}: unsupported journal (version {}, dialect {}); expected version \"7\" and dialect \"sqlite\"",
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
    Ok(quote! {
        {
            // Makes the journal a build input: a new migration changes it, so the crate
            // is rebuilt and the new file embedded without touching anything else.
            const _: &[u8] = ::std::include_bytes!(#journal_path);
            static MIGRATIONS: &[::schema_core::Migration] = &[#(#items),*];
            ::schema_core::Migrations::from_static(MIGRATIONS)
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

    fn error(dir: &std::path::Path) -> String {
        // An absolute path: joined to the manifest folder, it stays itself.
        let lit = syn::LitStr::new(dir.to_str().unwrap(), proc_macro2::Span::call_site());
        embed_migrations(&lit).map(|_| ()).unwrap_err().to_string()
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
        let lit = syn::LitStr::new(dir.path().to_str().unwrap(), proc_macro2::Span::call_site());
        let code = embed_migrations(&lit).unwrap().to_string();
        assert!(
            code.contains("include_bytes") && code.contains("_journal.json"),
            "{code}"
        );
        assert!(code.contains("include_str") && code.contains("0000_a.sql"), "{code}");
    }
}
