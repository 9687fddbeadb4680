//! `#[cfg(..)]` in the schema files, evaluated as the compiler would for the application's
//! build, so the CLI and the derive see the same tables and columns. Cargo features are
//! those named by `features = [..]` in schema.toml (or `--features`); `test` is false (the
//! application is not its tests). Any other predicate (`target_os`, `debug_assertions`, ..)
//! cannot be known without compiling, and is an error at the attribute rather than a guess.
//! Items a macro makes are invisible to a reader that does not expand macros: a warning
//! names the macro.

use quote::ToTokens as _;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;

/// What the cfg pass found that the user should know.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroWarning {
    /// The macro's name.
    pub name: String,
    /// Where it is (line, column from 1).
    pub line: usize,
    pub column: usize,
}

/// Removes every item, field and `cfg_attr` the build would not have, in place; the errors of
/// predicates that cannot be evaluated, all of them; warnings for macros that may make tables.
pub fn apply(file: &mut syn::File, features: &[String]) -> Result<Vec<MacroWarning>, syn::Error> {
    let mut cx = Pass {
        features,
        errors: None,
        warnings: Vec::new(),
    };
    let macros = table_macros(&file.items);
    cx.items(&mut file.items, &macros);
    match cx.errors {
        Some(e) => Err(e),
        None => Ok(cx.warnings),
    }
}

struct Pass<'a> {
    features: &'a [String],
    errors: Option<syn::Error>,
    warnings: Vec<MacroWarning>,
}

impl Pass<'_> {
    fn error(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    /// Whether attributes `attrs` keep their item: every `cfg` true. `cfg_attr` is expanded
    /// (its attributes kept when true, dropped when false) so `#[cfg_attr(feature = "x",
    /// column(unique))]` means what it means to the compiler.
    fn keep(&mut self, attrs: &mut Vec<syn::Attribute>) -> bool {
        let mut keep = true;
        let mut out = Vec::with_capacity(attrs.len());
        for attr in attrs.drain(..) {
            if attr.path().is_ident("cfg") {
                match attr.parse_args::<syn::Meta>().map_err(|e| self.at(&attr, e)) {
                    Ok(pred) => match self.eval(&pred) {
                        Ok(v) => keep &= v,
                        Err(e) => self.error(e),
                    },
                    Err(e) => self.error(e),
                }
            } else if attr.path().is_ident("cfg_attr") {
                match cfg_attr(&attr) {
                    Ok((pred, inner)) => match self.eval(&pred) {
                        Ok(true) => out.extend(inner.into_iter().map(|meta| syn::Attribute {
                            pound_token: attr.pound_token,
                            style: attr.style,
                            bracket_token: attr.bracket_token,
                            meta,
                        })),
                        Ok(false) => {}
                        Err(e) => self.error(e),
                    },
                    Err(e) => self.error(e),
                }
            } else {
                out.push(attr);
            }
        }
        *attrs = out;
        keep
    }

    fn at(&self, attr: &syn::Attribute, e: syn::Error) -> syn::Error {
        syn::Error::new(attr.span(), format!("cannot read this attribute: {e}"))
    }

    /// A cfg predicate's value for the application's build with the configured features.
    fn eval(&self, pred: &syn::Meta) -> Result<bool, syn::Error> {
        match pred {
            // #[cfg(test)]: the application's build is not its tests.
            syn::Meta::Path(p) if p.is_ident("test") => Ok(false),
            // #[cfg(feature = "postgres")]
            syn::Meta::NameValue(nv) if nv.path.is_ident("feature") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s), ..
                }) => Ok(self.features.iter().any(|f| *f == s.value())),
                other => Err(syn::Error::new(other.span(), "`feature = ..` takes a string")),
            },
            // #[cfg(not(..))], #[cfg(all(..))], #[cfg(any(..))]
            syn::Meta::List(l) if l.path.is_ident("not") || l.path.is_ident("all") || l.path.is_ident("any") => {
                let args = l.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)?;
                let values = args.iter().map(|m| self.eval(m)).collect::<Result<Vec<bool>, _>>()?;
                if l.path.is_ident("not") {
                    match values.as_slice() {
                        [v] => Ok(!v),
                        _ => Err(syn::Error::new(l.span(), "`not(..)` takes one predicate")),
                    }
                } else if l.path.is_ident("all") {
                    Ok(values.iter().all(|v| *v))
                } else {
                    Ok(values.iter().any(|v| *v))
                }
            }
            other => Err(syn::Error::new(
                other.span(),
                format!(
                    "cfg({}) on a schema item: the CLI reads the files without compiling them, so it can evaluate only \
                     `feature = \"..\"` (against `features = [..]` in schema.toml or --features), `test` (false), and \
                     not/all/any of those; a table must not depend on anything else, or the migrations would differ \
                     from the build",
                    other.to_token_stream()
                ),
            )),
        }
    }

    fn items(&mut self, items: &mut Vec<syn::Item>, macros: &[String]) {
        let mut kept = Vec::with_capacity(items.len());
        for mut item in items.drain(..) {
            let keep = match &mut item {
                syn::Item::Struct(s) => {
                    let keep = self.keep(&mut s.attrs);
                    if keep {
                        self.fields(&mut s.fields);
                    }
                    keep
                }
                syn::Item::Mod(m) => {
                    let keep = self.keep(&mut m.attrs);
                    if keep && let Some((_, inner)) = &mut m.content {
                        self.items(inner, macros);
                    }
                    keep
                }
                syn::Item::Macro(m) => {
                    let keep = self.keep(&mut m.attrs);
                    if keep {
                        self.macro_item(m, macros);
                    }
                    keep
                }
                syn::Item::Enum(e) => self.keep(&mut e.attrs),
                // Other items (functions, impls, uses) hold no table: left as they are.
                _ => true,
            };
            if keep {
                kept.push(item);
            }
        }
        *items = kept;
    }

    fn fields(&mut self, fields: &mut syn::Fields) {
        if let syn::Fields::Named(named) = fields {
            let all = std::mem::take(&mut named.named);
            for pair in all.into_pairs() {
                let (mut field, comma) = pair.into_tuple();
                if self.keep(&mut field.attrs) {
                    named.named.push_value(field);
                    if let Some(c) = comma {
                        named.named.push_punct(c);
                    }
                }
            }
        }
    }

    /// A macro invocation at item level that may make tables: one defined in this file with
    /// `Table` in its body, or one given `Table` in its input.
    fn macro_item(&mut self, m: &syn::ItemMacro, macros: &[String]) {
        let Some(name) = m.mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if name == "macro_rules" {
            return;
        }
        let mentions = mentions_table(&m.mac.tokens);
        if mentions || macros.contains(&name) {
            let start = m.mac.path.span().start();
            self.warnings.push(MacroWarning {
                name,
                line: start.line,
                column: start.column + 1,
            });
        }
    }
}

/// `cfg_attr(pred, a, b)`: the predicate and the attributes.
fn cfg_attr(attr: &syn::Attribute) -> Result<(syn::Meta, Vec<syn::Meta>), syn::Error> {
    attr.parse_args_with(|input: syn::parse::ParseStream<'_>| {
        let pred: syn::Meta = input.parse()?;
        input.parse::<syn::Token![,]>()?;
        let inner = Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated(input)?;
        Ok((pred, inner.into_iter().collect()))
    })
}

/// Whether tokens name `Table` (a derive of it, most likely).
fn mentions_table(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == "Table",
        proc_macro2::TokenTree::Group(g) => mentions_table(&g.stream()),
        _ => false,
    })
}

/// The names of `macro_rules!` macros of these items (inline modules too) whose body names
/// `Table`.
fn table_macros(items: &[syn::Item]) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        match item {
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                if let Some(ident) = &m.ident
                    && mentions_table(&m.mac.tokens)
                {
                    out.push(ident.to_string());
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    out.extend(table_macros(inner));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, features: &[&str]) -> Result<(String, Vec<MacroWarning>), String> {
        let mut file = syn::parse_file(src).unwrap();
        let features: Vec<String> = features.iter().map(|s| s.to_string()).collect();
        apply(&mut file, &features)
            .map(|w| (file.to_token_stream().to_string(), w))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn features_test_and_combinations_are_evaluated() {
        let src = r#"
            struct A { x: i64, #[cfg(feature = "pg")] y: i64, #[cfg(not(feature = "pg"))] z: i64 }
            #[cfg(test)] struct T { x: i64 }
            #[cfg(all(feature = "a", any(feature = "b", not(test))))] struct B { x: i64 }
            #[cfg(test)] mod tests { struct U { x: i64 } }
        "#;
        let (out, _) = run(src, &[]).unwrap();
        assert!(out.contains("z : i64") && !out.contains("y : i64"), "{out}");
        assert!(
            !out.contains("struct T") && !out.contains("struct U") && !out.contains("struct B"),
            "{out}"
        );
        let (out, _) = run(src, &["pg", "a"]).unwrap();
        assert!(out.contains("y : i64") && !out.contains("z : i64"), "{out}");
        assert!(out.contains("struct B"), "{out}");
    }

    #[test]
    fn cfg_attr_is_expanded() {
        let src = r#"struct A { #[cfg_attr(feature = "u", column(unique), column(index))] x: i64 }"#;
        let (out, _) = run(src, &["u"]).unwrap();
        assert!(out.contains("# [column (unique)] # [column (index)] x"), "{out}");
        let (out, _) = run(src, &[]).unwrap();
        assert!(!out.contains("column"), "{out}");
    }

    #[test]
    fn other_predicates_are_errors_all_at_once() {
        let src = r#"
            #[cfg(target_os = "linux")] struct A { x: i64 }
            struct B { #[cfg(debug_assertions)] x: i64, #[cfg(feature = 3)] y: i64 }
        "#;
        let e = run(src, &[]).unwrap_err();
        assert!(e.contains("cfg(target_os = \"linux\") on a schema item"), "{e}");
        let mut file = syn::parse_file(src).unwrap();
        let n = apply(&mut file, &[]).unwrap_err().into_iter().count();
        assert_eq!(n, 3);
    }

    #[test]
    fn macros_that_may_make_tables_are_named() {
        let src = r#"
            macro_rules! tables { ($n:ident) => { #[derive(Table)] struct $n { id: i64 } }; }
            tables!(Users);
            lazy_static! { static ref X: i64 = 1; }
            other!(#[derive(Table)] struct Q { id: i64 });
        "#;
        let (_, w) = run(src, &[]).unwrap();
        let names: Vec<&str> = w.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["tables", "other"]);
        assert_eq!(w[0].line, 3);
    }
}
