//! The common shape of a `#[column(..)]` read straight off its tokens: keys (`primary_key`),
//! `key = "string"` without escapes, `default = ` a plain number (signed), `true` or `false`,
//! and `references = Table::field`. syn's parser copies an attribute's tokens twice to read
//! them; this reads the tokens in place. Anything else is `None`, and syn's parser reads the
//! whole attribute, so every error and every unusual form stays syn's. What this gives is
//! what syn's reading gives (key span included): the tests hold it to that.

use proc_macro2::{Ident, Spacing, Span, TokenTree};

use super::attr::{ColumnEntry, DefaultLit, FLAG_KEYS, STRING_KEYS, epoch_unit};
use super::input::{Word, accepted_ident};
use crate::model::Deferrable;

/// The entries of `#[column(..)]`'s tokens, each with its key's span; `None` for anything
/// outside the common shape.
pub(super) fn column_entries(trees: &[TokenTree]) -> Option<Vec<(Span, ColumnEntry)>> {
    let mut out = Vec::new();
    let mut rest = trees;
    while !rest.is_empty() {
        let end = rest.iter().position(is_comma).unwrap_or(rest.len());
        out.push(entry(&rest[..end])?);
        // Past the comma; a trailing one ends the list, as it does for syn.
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    Some(out)
}

fn is_comma(t: &TokenTree) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == ',')
}

/// `key` or `key = value`.
fn entry(trees: &[TokenTree]) -> Option<(Span, ColumnEntry)> {
    use ColumnEntry as E;
    let (TokenTree::Ident(key), rest) = trees.split_first()? else {
        return None;
    };
    // 13 bytes: the longest key (`autoincrement`).
    let name = Word::<13>::of(key)?;
    let name = name.as_str();
    let entry = match rest {
        [] => match name {
            "unique" => E::Unique(false),
            "epoch" => E::Epoch(false),
            "deferrable" => E::Deferrable(Deferrable::InitiallyImmediate),
            _ => keyed(&FLAG_KEYS, name)?(),
        },
        [TokenTree::Punct(eq), value @ ..] if eq.as_char() == '=' && eq.spacing() == Spacing::Alone => match name {
            "default" => E::Default(default(value)?),
            "references" => E::References(path(value)?),
            "epoch" => E::Epoch(epoch_unit(&string(value)?)?),
            _ => keyed(&STRING_KEYS, name)?(string(value)?),
        },
        _ => return None,
    };
    Some((key.span(), entry))
}

/// What `name` makes among `keys`.
fn keyed<T: Copy>(keys: &[(&str, T)], name: &str) -> Option<T> {
    keys.iter().find(|(k, _)| *k == name).map(|&(_, entry)| entry)
}

/// One string literal with no escape, no carriage return and no suffix: its text.
fn string(value: &[TokenTree]) -> Option<String> {
    match value {
        [TokenTree::Literal(lit)] => plain_string(lit.to_string()),
        _ => None,
    }
}

/// A literal's text, if it is a string as [`string`] takes it: the string.
fn plain_string(mut text: String) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains(['\\', '\r', '"']) {
        return None;
    }
    text.pop();
    text.remove(0);
    Some(text)
}

/// `default = `: a string as [`string`], `true`, `false`, or a number of digits (`12`,
/// `1.50`), perhaps after a `-`.
fn default(value: &[TokenTree]) -> Option<DefaultLit> {
    match value {
        [TokenTree::Literal(lit)] => {
            let text = lit.to_string();
            if text.starts_with('"') {
                plain_string(text).map(DefaultLit::Str)
            } else {
                number(&text, false)
            }
        }
        [TokenTree::Ident(word)] => match Word::<5>::of(word)?.as_str() {
            "true" => Some(DefaultLit::Bool(true)),
            "false" => Some(DefaultLit::Bool(false)),
            _ => None,
        },
        [TokenTree::Punct(minus), TokenTree::Literal(lit)] if minus.as_char() == '-' => number(&lit.to_string(), true),
        _ => None,
    }
}

/// Digits (an integer that fits in an `i128`) or digits, `.`, digits (a float).
fn number(text: &str, negative: bool) -> Option<DefaultLit> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(text) {
        let v: i128 = text.parse().ok()?;
        return Some(DefaultLit::Int(if negative { -v } else { v }));
    }
    let (whole, fraction) = text.split_once('.')?;
    (digits(whole) && digits(fraction)).then(|| DefaultLit::Float(format!("{}{text}", if negative { "-" } else { "" })))
}

/// `A::b::c`: identifiers syn takes as path segments, joined by `::`.
fn path(value: &[TokenTree]) -> Option<syn::Path> {
    let mut segments = syn::punctuated::Punctuated::new();
    let (first, mut rest) = value.split_first()?;
    segments.push_value(segment(first)?);
    while !rest.is_empty() {
        let [TokenTree::Punct(a), TokenTree::Punct(b), ident, tail @ ..] = rest else {
            return None;
        };
        let joined =
            a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':' && b.spacing() == Spacing::Alone;
        if !joined {
            return None;
        }
        segments.push_punct(syn::token::PathSep {
            spans: [a.span(), b.span()],
        });
        segments.push_value(segment(ident)?);
        rest = tail;
    }
    Some(syn::Path {
        leading_colon: None,
        segments,
    })
}

fn segment(t: &TokenTree) -> Option<syn::PathSegment> {
    match t {
        TokenTree::Ident(i) if accepted_ident(i) => Some(syn::PathSegment::from(Ident::clone(i))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proc_macro2::{Span, TokenStream};

    use super::super::Ctxt;
    use super::super::attr::{self, ColumnAttrs, DefaultLit, Spanned};

    /// Everything a reading gives, spans included (`bytes(lo..hi)`: the file's offsets).
    fn describe(a: &ColumnAttrs) -> String {
        let mut out = String::new();
        let mut put = |key: &str, span: Option<Span>, value: String| {
            if let Some(span) = span {
                let _ = write!(out, "{key}@{span:?}={value}; ");
            }
        };
        fn at<T>(s: &Option<Spanned<T>>) -> Option<Span> {
            s.as_ref().map(|s| s.span)
        }
        fn text(s: &Option<Spanned<String>>) -> String {
            s.as_ref().map(|s| s.value.clone()).unwrap_or_default()
        }
        put("name", at(&a.name), text(&a.name));
        put("primary_key", a.primary_key, String::new());
        put("autoincrement", a.autoincrement, String::new());
        put("unique", a.unique, a.unique_constraint.to_string());
        put("index", a.index, String::new());
        let default = a.default.as_ref().map(|d| match &d.value {
            DefaultLit::Int(i) => format!("int {i}"),
            DefaultLit::Float(f) => format!("float {f}"),
            DefaultLit::Bool(b) => format!("bool {b}"),
            DefaultLit::Str(s) => format!("str {s:?}"),
        });
        put("default", at(&a.default), default.unwrap_or_default());
        put("default_sql", at(&a.default_sql), text(&a.default_sql));
        put("sql_type", at(&a.sql_type), text(&a.sql_type));
        let references = a.references.as_ref().map(|r| {
            // Every token of the path with its own span, as syn would have given them.
            quote::ToTokens::to_token_stream(&r.value)
                .into_iter()
                .map(|t| format!("{t}@{:?}", t.span()))
                .collect::<Vec<_>>()
                .join(" ")
        });
        put("references", at(&a.references), references.unwrap_or_default());
        put(
            "deferrable",
            at(&a.deferrable),
            format!("{:?}", a.deferrable.as_ref().map(|d| d.value)),
        );
        put("on_delete", at(&a.on_delete), text(&a.on_delete));
        put("on_update", at(&a.on_update), text(&a.on_update));
        put("check", at(&a.check), text(&a.check));
        put("collate", at(&a.collate), text(&a.collate));
        put("generated", at(&a.generated), text(&a.generated));
        put("stored", a.stored, String::new());
        put("json", a.json, String::new());
        put(
            "epoch",
            at(&a.epoch),
            format!("{:?}", a.epoch.as_ref().map(|e| e.value)),
        );
        put(
            "identity",
            at(&a.identity),
            format!("{:?}", a.identity.as_ref().map(|i| &i.value)),
        );
        put("renamed_from", at(&a.renamed_from), text(&a.renamed_from));
        put("skip", a.skip, String::new());
        out
    }

    /// The field's attributes read both ways: (reading, errors) from the token reader with
    /// syn behind it, then from syn alone.
    fn both(field_attrs: &str) -> ((String, String), (String, String)) {
        let tokens: TokenStream = format!("{field_attrs} x: i64").parse().unwrap();
        let field: syn::Field = syn::parse::Parser::parse2(syn::Field::parse_named, tokens).unwrap();
        let errors = |cx: Ctxt| match cx.finish() {
            Ok(()) => String::new(),
            Err(e) => e
                .into_iter()
                .map(|e| format!("{:?}: {e}", e.span()))
                .collect::<Vec<_>>()
                .join(" | "),
        };
        let cx = Ctxt::default();
        let mut attrs = field.attrs.clone();
        let fast = describe(&attr::column(&cx, &mut attrs));
        let fast = (fast, errors(cx));
        let cx = Ctxt::default();
        let slow = describe(&attr::column_by_syn(&cx, &field.attrs));
        (fast, (slow, errors(cx)))
    }

    /// Whether the token reader takes the attribute itself (rather than leaving it to syn).
    fn read_by_tokens(attr_inside: &str) -> bool {
        let trees: Vec<_> = attr_inside.parse::<TokenStream>().unwrap().into_iter().collect();
        super::column_entries(&trees).is_some()
    }

    #[test]
    fn the_common_column_attributes_are_read_off_their_tokens_as_syn_reads_them() {
        let common = [
            "primary_key",
            "primary_key, autoincrement",
            "unique",
            "index",
            "stored",
            "json",
            "skip",
            "epoch",
            "deferrable",
            "",
            "primary_key,",
            r#"name = "user_name""#,
            r#"name = "naïve ☃""#,
            r#"name = """#,
            r#"default_sql = "CURRENT_TIMESTAMP""#,
            r#"sql_type = "numeric(10, 2)""#,
            r#"on_delete = "cascade", on_update = "set null""#,
            r#"check = "age >= 0""#,
            r#"collate = "NOCASE""#,
            r#"generated = "price * qty", stored"#,
            r#"epoch = "ms""#,
            r#"epoch = "s""#,
            r#"renamed_from = "nick""#,
            "default = 0",
            "default = 46",
            "default = -7",
            "default = 007",
            "default = 170141183460469231731687303715884105727",
            "default = 1.50",
            "default = -0.25",
            "default = true",
            "default = false",
            r#"default = "member""#,
            "references = User::id",
            "references = users::User::id, on_delete = \"cascade\"",
            "references = Parent",
            "references = User::r#type",
            "default = 1, default = 2",
            "primary_key, primary_key",
        ];
        for inside in common {
            assert!(read_by_tokens(inside), "not read off the tokens: {inside}");
            let (fast, slow) = both(&format!("#[column({inside})]"));
            assert_eq!(fast, slow, "#[column({inside})]");
        }
    }

    #[test]
    fn anything_else_in_a_column_attribute_is_left_to_syn_with_its_messages() {
        let unusual = [
            "unique(constraint)",
            "identity(increment = 2, cycle)",
            r#"name = "tab\there""#,
            r#"name = r"raw""#,
            r#"name = "x"suffix"#,
            r#"name = b"bytes""#,
            "name",
            "name = 5",
            "primary_key = true",
            "default = 1_000",
            "default = 5i64",
            "default = 0x1F",
            "default = 1e3",
            "default = 1.",
            "default = 1.5f32",
            "default = -true",
            "default = - 'c'",
            "default = 170141183460469231731687303715884105728",
            r#"default = -"x""#,
            "default = r#true",
            "references = ::User::id",
            "references = crate::User::id",
            "references = User::<T>::id",
            "references = User:::id",
            "references = User::id::",
            "references = User::type",
            r#"epoch = "minutes""#,
            r#"deferrable = "deferred""#,
            "r#name = \"x\"",
            "colour = \"red\"",
            "a::b",
            "primary_key,,",
            ",primary_key",
            "name == \"x\"",
            "default =- 3",
            "on_delete = cascade",
        ];
        for inside in unusual {
            assert!(!read_by_tokens(inside), "read off the tokens: {inside}");
            let (fast, slow) = both(&format!("#[column({inside})]"));
            assert_eq!(fast, slow, "#[column({inside})]");
        }
    }

    /// Fields with up to four `#[column(..)]`s of random entries, usual and not, read both
    /// ways: the same columns, the same errors, in the same places.
    #[test]
    fn random_column_attributes_read_the_same_both_ways() {
        let pieces = [
            "primary_key",
            "autoincrement",
            "unique",
            "unique(constraint)",
            "index",
            "json",
            "skip",
            "epoch",
            r#"epoch = "ms""#,
            r#"epoch = "h""#,
            "deferrable",
            r#"deferrable = "immediate""#,
            r#"name = "a""#,
            r#"name = "a\"b""#,
            r#"default_sql = "now()""#,
            r#"sql_type = "text""#,
            "default = 3",
            "default = -3",
            "default = 2.5",
            "default = true",
            r#"default = "x""#,
            "default = 3u8",
            "references = T::id",
            "references = m::T::id",
            "references = T::<u8>",
            r#"check = "x > 0""#,
            r#"collate = "BINARY""#,
            r#"generated = "a + b""#,
            "stored",
            r#"renamed_from = "old""#,
            r#"on_delete = "restrict""#,
            "identity(start_with = 5)",
            "bogus",
            "name",
            "= 3",
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut fast_read = 0;
        for _ in 0..3000 {
            let mut field = String::new();
            for _ in 0..1 + next(4) {
                let entries: Vec<&str> = (0..next(4)).map(|_| pieces[next(pieces.len())]).collect();
                let inside = entries.join(", ");
                fast_read += usize::from(read_by_tokens(&inside));
                // Some attributes are other than `#[column(..)]`, which both readers pass over.
                if next(8) == 0 {
                    let _ = write!(field, "#[serde({inside})] ");
                } else {
                    let _ = write!(field, "#[column({inside})] ");
                }
            }
            let (fast, slow) = both(&field);
            assert_eq!(fast, slow, "{field}");
        }
        // Both readers were exercised.
        assert!(fast_read > 1000 && fast_read < 10_000, "{fast_read}");
    }
}
