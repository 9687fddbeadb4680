//! `#[derive(SqlSequence)]`: a unit struct read into a standalone [`Sequence`], by the derive
//! and the CLI alike.

use proc_macro2::{Span, TokenStream};
use syn::{Ident, spanned::Spanned as _};

use super::Ctxt;
use super::attr::Spanned;
use crate::model::{Sequence, snake_case};

/// A parsed `#[derive(SqlSequence)]` struct.
#[derive(Clone)]
pub struct ParsedSequence {
    pub ident: Ident,
    pub sequence: Sequence,
    /// Where the struct is, for errors about it.
    pub span: Span,
}

/// Whether an item's derives include `SqlSequence`.
pub fn derives_sql_sequence(attrs: &[syn::Attribute]) -> bool {
    super::derives(attrs, "SqlSequence")
}

/// Reads one `#[derive(SqlSequence)]` item from its tokens, reporting every problem at once.
pub fn from_tokens(tokens: TokenStream) -> Result<ParsedSequence, syn::Error> {
    let input: syn::DeriveInput = syn::parse2(tokens)?;
    let cx = Ctxt::default();
    let parsed = parse(&cx, &input);
    cx.finish()?;
    parsed.ok_or_else(|| syn::Error::new(input.ident.span(), "could not read this sequence"))
}

const KEYS: &str = "`name = \"..\"`, `schema = \"..\"`, `increment`, `min_value`, `max_value`, `start_with`, `cache` (each `= n`) or `cycle`";

fn parse(cx: &Ctxt, input: &syn::DeriveInput) -> Option<ParsedSequence> {
    if !matches!(&input.data, syn::Data::Struct(s) if matches!(s.fields, syn::Fields::Unit)) {
        cx.error(
            input.ident.span(),
            "#[derive(SqlSequence)] needs a unit struct (`pub struct InvoiceNumbers;`): a sequence has no columns",
        );
        return None;
    }
    if !input.generics.params.is_empty() {
        cx.error(input.generics.span(), "an SqlSequence cannot have generic parameters");
    }
    let mut name: Option<Spanned<String>> = None;
    let mut schema: Option<Spanned<String>> = None;
    let mut seq = Sequence::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sql_sequence")) {
        cx.result(attr.parse_nested_meta(|meta| {
            let text = |slot: &mut Option<Spanned<String>>| -> syn::Result<()> {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if slot.is_some() {
                    return Err(syn::Error::new(lit.span(), "given twice"));
                }
                *slot = Some(Spanned {
                    value: lit.value(),
                    span: lit.span(),
                });
                Ok(())
            };
            let number = |slot: &mut Option<i64>| -> syn::Result<()> {
                if slot.is_some() {
                    return Err(meta.error("given twice"));
                }
                *slot = Some(super::attr::signed_int(&meta)?);
                Ok(())
            };
            match meta.path.get_ident().map(|i| i.to_string()).as_deref() {
                Some("name") => text(&mut name),
                Some("schema") => text(&mut schema),
                Some("increment") => number(&mut seq.increment),
                Some("min_value") => number(&mut seq.min_value),
                Some("max_value") => number(&mut seq.max_value),
                Some("start_with") => number(&mut seq.start_with),
                Some("cache") => number(&mut seq.cache),
                Some("cycle") => {
                    seq.cycle = true;
                    Ok(())
                }
                _ => Err(meta.error(format!("unknown #[sql_sequence(..)] key; expected {KEYS}"))),
            }
        }));
    }
    if let Some(n) = &name {
        super::check::name(cx, n, "sequence");
    }
    if let Some(s) = &schema {
        super::check::name(cx, s, "schema");
        let lower = s.value.to_ascii_lowercase();
        if lower.starts_with("pg_") || lower == "information_schema" {
            cx.error(s.span, format!("the schema `{}` belongs to PostgreSQL itself", s.value));
        }
    }
    let span = input.ident.span();
    if seq.increment == Some(0) {
        cx.error(span, "a sequence's increment cannot be 0");
    }
    if let (Some(lo), Some(hi)) = (seq.min_value, seq.max_value)
        && lo >= hi
    {
        cx.error(span, format!("min_value {lo} is not below max_value {hi}"));
    }
    if seq.cache.is_some_and(|c| c < 1) {
        cx.error(span, "a sequence's cache is at least 1");
    }
    seq.name = name
        .map(|n| n.value)
        .unwrap_or_else(|| snake_case(&super::unraw_string(&input.ident)));
    seq.schema = schema.map(|s| s.value).filter(|s| s != "public");
    Some(ParsedSequence {
        ident: input.ident.clone(),
        sequence: seq,
        span,
    })
}
