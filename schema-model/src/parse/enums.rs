//! `#[derive(SqlEnum)]`: a Rust enum read into an [`EnumType`], by the derive and the CLI alike.
//!
//! A column's field names its enum only by type (`status: PostStatus`): the parser of the
//! table cannot see the enum, so the column's type stays pending ([`EnumColumn`]) until the
//! CLI finds the enum among the schema files ([`super::resolve`]) or the compiler finds its
//! `SqlEnum` impl (the derive's code).

use proc_macro2::{Span, TokenStream};
use syn::{Ident, spanned::Spanned as _};

use super::Ctxt;
use super::attr::Spanned;
use crate::model::{EnumType, snake_case};

/// PostgreSQL keeps an enum's labels in `NAMEDATALEN - 1` bytes.
const MAX_LABEL: usize = 63;

/// A parsed `#[derive(SqlEnum)]` enum.
#[derive(Clone)]
pub struct ParsedEnum {
    pub ident: Ident,
    pub ty: EnumType,
    /// Each variant with the value it stands for, in order.
    pub variants: Vec<(Ident, String)>,
    /// Where the enum is, for errors about it.
    pub span: Span,
}

/// A column whose field's type is not one the parser knows: an enum, once it is found.
#[derive(Clone)]
pub struct EnumColumn {
    /// The column's index in the table.
    pub column: usize,
    /// The field's type (inside its `Option`), or its element's for a `Vec` of an enum.
    pub path: syn::Path,
    /// A `Vec` of the enum: the column is an array of it.
    pub array: bool,
    /// The type as the field wrote it.
    pub span: Span,
    /// `default = ".."`, which must name one of the enum's values.
    pub default: Option<Spanned<String>>,
}

/// Whether an item's derives include `SqlEnum`.
pub fn derives_sql_enum(attrs: &[syn::Attribute]) -> bool {
    super::derives(attrs, "SqlEnum")
}

/// Reads one `#[derive(SqlEnum)]` item from its tokens, reporting every problem at once.
pub fn from_tokens(tokens: TokenStream) -> Result<ParsedEnum, syn::Error> {
    let input: syn::DeriveInput = syn::parse2(tokens)?;
    let cx = Ctxt::default();
    let parsed = parse(&cx, &input);
    cx.finish()?;
    parsed.ok_or_else(|| syn::Error::new(input.ident.span(), "could not read this enum"))
}

fn parse(cx: &Ctxt, input: &syn::DeriveInput) -> Option<ParsedEnum> {
    let syn::Data::Enum(data) = &input.data else {
        cx.error(
            input.ident.span(),
            "#[derive(SqlEnum)] needs an enum whose variants have no fields, one per value",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        cx.error(input.generics.span(), "an SqlEnum cannot have generic parameters");
    }
    let mut name: Option<Spanned<String>> = None;
    let mut schema: Option<Spanned<String>> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("sql_enum")) {
        cx.result(attr.parse_nested_meta(|meta| {
            let key = if meta.path.is_ident("name") {
                &mut name
            } else if meta.path.is_ident("schema") {
                &mut schema
            } else {
                return Err(
                    meta.error("unknown #[sql_enum(..)] key on an enum; expected `name = \"..\"` or `schema = \"..\"`")
                );
            };
            let lit: syn::LitStr = meta.value()?.parse()?;
            if key.is_some() {
                return Err(syn::Error::new(lit.span(), "given twice"));
            }
            *key = Some(Spanned {
                value: lit.value(),
                span: lit.span(),
            });
            Ok(())
        }));
    }
    let type_name = name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| snake_case(&super::unraw_string(&input.ident)));
    if let Some(n) = &name {
        super::check::name(cx, n, "type");
    }
    if let Some(s) = &schema {
        super::check::name(cx, s, "schema");
        let lower = s.value.to_ascii_lowercase();
        if lower.starts_with("pg_") || lower == "information_schema" {
            cx.error(s.span, format!("the schema `{}` belongs to PostgreSQL itself", s.value));
        }
    }

    let mut variants: Vec<(Ident, String)> = Vec::with_capacity(data.variants.len());
    for v in &data.variants {
        if !matches!(v.fields, syn::Fields::Unit) {
            cx.error(
                v.ident.span(),
                format!(
                    "the variant `{}` has fields; an SqlEnum's variants are plain names, one per value",
                    v.ident
                ),
            );
            continue;
        }
        let mut rename: Option<Spanned<String>> = None;
        for attr in v.attrs.iter().filter(|a| a.path().is_ident("sql_enum")) {
            cx.result(attr.parse_nested_meta(|meta| {
                if !meta.path.is_ident("rename") {
                    return Err(meta.error("unknown #[sql_enum(..)] key on a variant; expected `rename = \"..\"`"));
                }
                let lit: syn::LitStr = meta.value()?.parse()?;
                rename = Some(Spanned {
                    value: lit.value(),
                    span: lit.span(),
                });
                Ok(())
            }));
        }
        let span = rename.as_ref().map_or(v.ident.span(), |r| r.span);
        let value = rename
            .map(|r| r.value)
            .unwrap_or_else(|| snake_case(&super::unraw_string(&v.ident)));
        if value.is_empty() {
            cx.error(span, "an enum value cannot be empty");
        } else if value.len() > MAX_LABEL {
            cx.error(
                span,
                format!(
                    "the value `{value}` is {} bytes; PostgreSQL keeps at most {MAX_LABEL}",
                    value.len()
                ),
            );
        } else if value.contains('\0') || value.contains(crate::sql::BREAKPOINT) {
            cx.error(
                span,
                format!("the value {value:?} holds a character a migration cannot carry"),
            );
        }
        if let Some((other, _)) = variants.iter().find(|(_, v)| *v == value) {
            cx.error(
                span,
                format!(
                    "`{}` and `{other}` both stand for the value `{value}`; rename one",
                    v.ident
                ),
            );
        }
        variants.push((v.ident.clone(), value));
    }
    if data.variants.is_empty() {
        cx.error(input.ident.span(), "an SqlEnum needs at least one variant");
    }
    let schema = schema.map(|s| s.value).filter(|s| s != "public");
    Some(ParsedEnum {
        ident: input.ident.clone(),
        ty: EnumType {
            name: type_name,
            schema,
            values: variants.iter().map(|(_, v)| v.clone()).collect(),
        },
        variants,
        span: input.ident.span(),
    })
}
