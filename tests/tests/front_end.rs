//! The lean front end reads what syn's full parse read: on every schema and compile-error case
//! in the repository and on shapes written for it, `from_source` (the file tokenized once,
//! table items read off the tokens) gives the tables, the errors and their places that
//! `syn::parse_file` + `from_file` give, and each table read off its tokens is the table read
//! from syn's `DeriveInput`.

use std::path::{Path, PathBuf};

use schema_model::parse::{self, Parsed, ParsedTable, SourceError, TableInput};

/// `line:column: message` of each error.
fn located(e: &syn::Error) -> Vec<String> {
    e.clone()
        .into_iter()
        .map(|e| {
            let s = e.span().start();
            format!("{}:{}: {e}", s.line, s.column + 1)
        })
        .collect()
}

/// What a reading found, as comparable text: the tables (model, fields, resolved schema) or
/// the errors with their places.
fn describe(read: Result<Parsed, SourceError>) -> String {
    match read {
        Err(SourceError::Syntax(e)) => format!("syntax: {:?}", located(&e)),
        Err(SourceError::Tables(e)) => format!("tables: {:?}", located(&e)),
        Ok(parsed) => {
            let fields: Vec<String> = parsed
                .tables
                .iter()
                .flat_map(|t| {
                    t.fields.iter().map(move |f| {
                        format!(
                            "{}.{}: {} -> {:?}",
                            t.ident,
                            f.ident,
                            parse::type_string(&f.ty),
                            f.column.as_ref().map(|c| &c.name)
                        )
                    })
                })
                .collect();
            let enums: Vec<String> = parsed
                .enums
                .iter()
                .map(|e| format!("{}: {:?}", e.ident, e.ty))
                .collect();
            let resolved = match parse::resolve(&parsed) {
                Ok(schema) => format!("{schema:?}"),
                Err(errs) => format!(
                    "{:?}",
                    errs.iter()
                        .map(|e| format!("{}:{}: {e}", e.loc.line, e.loc.column + 1))
                        .collect::<Vec<_>>()
                ),
            };
            format!("tables: {fields:?}\nenums: {enums:?}\n{resolved}")
        }
    }
}

/// The old way: the whole file through `syn::parse_file`, then its items.
fn through_syn_file(text: &str) -> String {
    describe(match syn::parse_file(text) {
        Err(e) => Err(SourceError::Syntax(e)),
        Ok(file) => parse::from_file(&file).map_err(SourceError::Tables),
    })
}

/// Every table struct of a valid file, read off its tokens and read from syn's `DeriveInput`.
fn lean_against_derive_input(text: &str) {
    let Ok(file) = syn::parse_file(text) else { return };
    let mut items: Vec<&syn::Item> = file.items.iter().collect();
    while let Some(item) = items.pop() {
        match item {
            syn::Item::Struct(s) => {
                let tokens = quote_item(s);
                // The same input, types included, whichever way it was read.
                let (ours, syns) = (
                    TableInput::parse(tokens.clone()).unwrap(),
                    TableInput::from(syn::parse2::<syn::DeriveInput>(tokens.clone()).unwrap()),
                );
                assert_eq!(ours.ident, syns.ident);
                assert_eq!(ours.attrs, syns.attrs, "struct {}", s.ident);
                let fields = |t: &TableInput| {
                    t.fields
                        .iter()
                        .flatten()
                        .map(|f| (f.ident.to_string(), f.attrs.clone(), f.ty.clone()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(fields(&ours), fields(&syns), "struct {}", s.ident);
                let lean = parse::from_tokens(tokens.clone());
                let full = parse::from_input(TableInput::from(syn::parse2::<syn::DeriveInput>(tokens).unwrap()));
                let d = |r: Result<ParsedTable, syn::Error>| {
                    describe(
                        r.map(|t| Parsed {
                            tables: vec![t],
                            ..Default::default()
                        })
                        .map_err(SourceError::Tables),
                    )
                };
                assert_eq!(d(lean), d(full), "struct {}", s.ident);
            }
            syn::Item::Mod(m) => items.extend(m.content.iter().flat_map(|(_, i)| i)),
            _ => {}
        }
    }
}

fn quote_item(s: &syn::ItemStruct) -> proc_macro2::TokenStream {
    quote::ToTokens::to_token_stream(s)
}

fn check(text: &str, what: &str) {
    assert_eq!(describe(parse::from_source(text)), through_syn_file(text), "{what}");
    lean_against_derive_input(text);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_schema_and_ui_case_reads_as_syn_read_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["ui", "fixtures", "pulled/src", "../examples/blog/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 40, "{files:?}");
    for f in files {
        check(&std::fs::read_to_string(&f).unwrap(), &f.display().to_string());
    }
}

#[test]
fn shapes_outside_the_common_one_read_as_syn_read_them() {
    let cases = [
        // Doc comments, other attributes, restricted visibility, raw identifiers.
        "/// Users.\n#[derive(Debug, Table)]\n#[allow(dead_code)]\npub(crate) struct User {\n    /// The key.\n    #[column(primary_key)]\n    pub(super) id: i64,\n    #[doc = \"x\"]\n    pub r#type: Option<String>,\n    pub m: std::collections::HashMap<String, Vec<u8>>,\n    f: fn(i64, i64) -> i64,\n}\n",
        // Generics, a where clause, a tuple struct, a unit struct, an enum, a union.
        "#[derive(Table)]\npub struct G<T> { pub id: T }\n",
        "#[derive(Table)]\npub struct W where i64: Copy { pub id: i64 }\n",
        "#[derive(Table)]\npub struct T(i64);\n",
        "#[derive(Table)]\npub struct U;\n",
        "#[derive(Table)]\npub enum E { A, B }\n",
        "#[derive(Table)]\npub union N { a: i64 }\n#[derive(Table)]\nstruct Ok1 { id: i64 }\n",
        // Modules, inner attributes, items around the tables.
        "#![allow(dead_code)]\nuse schema_core::Table;\nconst X: [u8; 2] = [0, 1];\nstatic S: Foo = Foo { a: 1 };\nimpl Foo { fn f(&self) -> i64 { 1 } }\nmod inner {\n    #![allow(unused)]\n    #[derive(Table)]\n    pub struct A { pub id: i64 }\n    pub mod deeper { #[derive(Table)] pub struct B { #[column(references = super::A::id)] pub a: i64 } }\n}\nmacro_rules! m { () => { struct Hidden { x: i64 } } }\nm!();\n#[derive(Table)]\nstruct C { id: i64, }\n",
        // Syntax errors: in a table, between tables, in a module's head, a lex error.
        "#[derive(Table)]\npub struct User {\n    pub id: i64,,\n}\n",
        "pub struct {",
        "#[derive(Table)]\nstruct A { id: i64 }\nfn broken( {}\n#[derive(Table)]\nstruct B { id: i64 }\n",
        "#[derive(Table)]\nstruct A { id: i64 }\nfn f() { let x = ; }\n",
        "#[cfg(x)] pub(in crate) mod m { #[derive(Table)] struct A { id: i64 } }\n",
        "#[derive(Table)]\nstruct A { id: i64 \n",
        "#[derive(Table)]\nstruct A { id: i64 = 3 }\n",
        // Fields only syn reads: the body goes back to syn as the group it was, so a table
        // reads and an error at its closing brace is placed there.
        "#[derive(Table)]\nstruct A {\n    pub(in crate) id: i64,\n    #[column(unique)] pub(in crate::x) name: String,\n}\n",
        "#[derive(Table)]\nstruct A {\n    id: i64,\n    pub(in crate) name: String,\n    pub\n}\n",
        "#[derive(Table)]\nstruct A { type: i64 }\n",
        "#[derive(Table)]\nstruct A { id: i64 }\n#![inner_too_late]\n",
        // An item left open where a table begins: syn says so at the table, not at a cut.
        "const X: i32 = 5\n#[derive(Table)]\nstruct A { id: i64 }\n",
        // Errors of the tables themselves, in two tables.
        "#[derive(Table)]\n#[table(nope)]\nstruct A { #[column(default = \"x\")] id: i64 }\n#[derive(Table)]\nstruct B { #[column(references = Missing::id)] id: i64 }\n",
        // A shebang and a byte order mark.
        "#!/usr/bin/env run\n#[derive(Table)]\nstruct A { id: i64 }\n",
        "\u{feff}#[derive(Table)]\nstruct A { id: i64 }\n",
        "#[derive(Table)] #[table(name = \"a\")] struct A { id: i64 } #[derive(Table)] struct B { #[column(references = A)] a: i64 }",
        "#[derive(Table)]\nstruct Types { a: Option<Vec<u8>>, b: Vec<Option<String>>, c: std::string::String, d: Option<i64 >, e: Box<dyn Fn() -> i64>, f: [u8; 4], g: (i64, String), h: Option<<T as X>::Y>, i: Vec<'a>, j: Self, k: Option<T,>, l: Option<T, U> }\n",
        "",
    ];
    for (i, text) in cases.iter().enumerate() {
        check(text, &format!("case {i}: {text}"));
    }
}
