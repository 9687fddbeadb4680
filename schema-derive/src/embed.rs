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
        let sql_path = sql_path.to_string_lossy().into_owned();
        tags.push(tag.clone());
        items.push(quote! {
            ::schema_core::Migration {
                idx: #idx,
                tag: ::std::borrow::Cow::Borrowed(#tag),
                when: #when,
                sql: ::std::borrow::Cow::Borrowed(::std::include_str!(#sql_path)),
            }
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
