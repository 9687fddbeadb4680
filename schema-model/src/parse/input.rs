//! Reads a `#[derive(Table)]` item from its tokens into what the model needs (its attributes,
//! name and named fields), and finds those items in a whole file: the one reader the derive
//! and the CLI share.
//!
//! The common shape (`#[..]`s, `pub`, `struct Name { #[..] pub field: Type, .. }`) is read
//! off the token trees: the attributes keep the tokens they were given instead of copying
//! them, and only each field's type goes through syn's parser. Any other shape (generics, a
//! `where` clause, a tuple struct, an enum, a syntax error) is read by syn's `DeriveInput`
//! parser, so what syn accepts and every message it gives stay the same.

use std::fmt;

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};
use syn::spanned::Spanned as _;

/// A `#[derive(Table)]` item: what the parser reads of it.
pub struct TableInput {
    /// Its outer attributes, in order.
    pub attrs: Vec<syn::Attribute>,
    pub ident: Ident,
    /// Where its generic parameters are, if it has any (a table cannot).
    pub generics: Option<Span>,
    /// Its named fields; `None` for a tuple or unit struct, or an enum.
    pub fields: Option<Vec<FieldInput>>,
}

/// One named field.
pub struct FieldInput {
    pub attrs: Vec<syn::Attribute>,
    pub ident: Ident,
    pub ty: syn::Type,
}

impl TableInput {
    /// Reads an item from its tokens; a syntax error is syn's, as its `DeriveInput` gives it.
    pub fn parse(tokens: TokenStream) -> syn::Result<TableInput> {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let lean = head(&trees).and_then(|(attrs, ident, body)| {
            let TokenTree::Group(body) = &trees[body] else {
                return None;
            };
            let inner: Vec<TokenTree> = body.stream().into_iter().collect();
            Some(TableInput {
                attrs,
                ident,
                generics: None,
                fields: Some(named_fields(&inner)?),
            })
        });
        match lean {
            Some(input) => Ok(input),
            None => syn::parse2::<syn::DeriveInput>(trees.into_iter().collect()).map(TableInput::from),
        }
    }

    /// [`TableInput::parse`] of an item cut out of a file's tokens, outside a proc macro: the
    /// body's tokens are moved out of it rather than copied (a token stream still shared is
    /// copied whole to be iterated). Where syn must read the item after all, the body is put
    /// back as the same group: outside a proc macro a group is its delimiter, its tokens and
    /// one span.
    ///
    /// `attrs` are the item's outer attributes, which the caller read from its first trees
    /// (two each, `#` and `[..]`) to see that it derives `Table`: they are not read again.
    pub(super) fn parse_item(mut trees: Vec<TokenTree>, attrs: Vec<syn::Attribute>) -> syn::Result<TableInput> {
        if let Some((ident, at)) = head_after(&trees, 2 * attrs.len())
            && let Some(TokenTree::Group(body)) = trees.pop()
        {
            debug_assert_eq!(at, trees.len());
            let span = body.span();
            let stream = body.stream();
            drop(body);
            let inner: Vec<TokenTree> = stream.into_iter().collect();
            if let Some(fields) = named_fields(&inner) {
                return Ok(TableInput {
                    attrs,
                    ident,
                    generics: None,
                    fields: Some(fields),
                });
            }
            let mut body = Group::new(Delimiter::Brace, inner.into_iter().collect());
            body.set_span(span);
            trees.push(TokenTree::Group(body));
        }
        syn::parse2::<syn::DeriveInput>(trees.into_iter().collect()).map(TableInput::from)
    }
}

impl From<syn::DeriveInput> for TableInput {
    fn from(d: syn::DeriveInput) -> TableInput {
        let generics = (!d.generics.params.is_empty()).then(|| d.generics.span());
        let fields = match d.data {
            syn::Data::Struct(syn::DataStruct {
                fields: syn::Fields::Named(named),
                ..
            }) => Some(
                named
                    .named
                    .into_iter()
                    .filter_map(|f| {
                        Some(FieldInput {
                            attrs: f.attrs,
                            ident: f.ident?,
                            ty: f.ty,
                        })
                    })
                    .collect(),
            ),
            _ => None,
        };
        TableInput {
            attrs: d.attrs,
            ident: d.ident,
            generics,
            fields,
        }
    }
}

/// The common shape's head, read off the trees: its attributes, its name and where its body
/// (`{..}`, the last tree) is; `None` for anything else.
fn head(trees: &[TokenTree]) -> Option<(Vec<syn::Attribute>, Ident, usize)> {
    let mut at = 0;
    let attrs = outer_attributes(trees, &mut at)?;
    let (ident, body) = head_after(trees, at)?;
    Some((attrs, ident, body))
}

/// [`head`] past its attributes, which end at `at`: its name and where its body is.
fn head_after(trees: &[TokenTree], mut at: usize) -> Option<(Ident, usize)> {
    skip_visibility(trees, &mut at)?;
    if !is_ident(trees.get(at), "struct") {
        return None;
    }
    let ident = plain_ident(trees.get(at + 1))?;
    match trees.get(at + 2) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace && at + 3 == trees.len() => {
            Some((ident, at + 2))
        }
        _ => None,
    }
}

/// The trees of `{ #[..] pub a: T, b: U }`.
fn named_fields(trees: &[TokenTree]) -> Option<Vec<FieldInput>> {
    let mut fields = Vec::new();
    let mut at = 0;
    while at < trees.len() {
        let attrs = outer_attributes(trees, &mut at)?;
        skip_visibility(trees, &mut at)?;
        let ident = plain_ident(trees.get(at))?;
        match trees.get(at + 1) {
            Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Alone => {}
            _ => return None,
        }
        at += 2;
        let start = at;
        let end = type_end(trees, start)?;
        if end == start {
            return None;
        }
        let ty = match simple_type(&trees[start..end]) {
            Some(ty) => ty,
            None => syn::parse2(trees[start..end].iter().cloned().collect()).ok()?,
        };
        fields.push(FieldInput { attrs, ident, ty });
        // Past the comma, if there is one.
        at = end + 1;
    }
    Some(fields)
}

/// `T` or `T<U>` (nested: `Option<Vec<u8>>`), each a plain identifier: the types table fields
/// have, built as syn's parser builds them (a path type, its angle-bracketed argument a type),
/// without running it. `None` for anything else.
fn simple_type(trees: &[TokenTree]) -> Option<syn::Type> {
    let (TokenTree::Ident(name), rest) = trees.split_first()? else {
        return None;
    };
    if !accepted_ident(name) {
        return None;
    }
    let mut segment = syn::PathSegment::from(name.clone());
    match rest {
        [] => {}
        [TokenTree::Punct(lt), inner @ .., TokenTree::Punct(gt)]
            if lt.as_char() == '<' && lt.spacing() == Spacing::Alone && gt.as_char() == '>' =>
        {
            let mut args = syn::punctuated::Punctuated::new();
            args.push(syn::GenericArgument::Type(simple_type(inner)?));
            segment.arguments = syn::PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
                colon2_token: None,
                lt_token: syn::Token![<](lt.span()),
                args,
                gt_token: syn::Token![>](gt.span()),
            });
        }
        _ => return None,
    }
    Some(syn::Type::Path(syn::TypePath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path::from(segment),
    }))
}

/// Where a field's type ends: at the first `,` outside `<..>`, or the end. `None` for an
/// `=` (a default value) or brackets that do not pair up, which syn reads instead.
fn type_end(trees: &[TokenTree], start: usize) -> Option<usize> {
    let mut angle = 0usize;
    let mut prev_joint_minus = false;
    for (i, t) in trees.iter().enumerate().skip(start) {
        if let TokenTree::Punct(p) = t {
            match p.as_char() {
                ',' if angle == 0 => return Some(i),
                '<' => angle += 1,
                // The `>` of `->` closes nothing.
                '>' if !prev_joint_minus => angle = angle.checked_sub(1)?,
                '=' | ';' => return None,
                _ => {}
            }
            prev_joint_minus = p.as_char() == '-' && p.spacing() == Spacing::Joint;
        } else {
            prev_joint_minus = false;
        }
    }
    (angle == 0).then_some(trees.len())
}

/// `#[..]`s from `at`, each as syn reads it; `None` when one is not an outer attribute.
fn outer_attributes(trees: &[TokenTree], at: &mut usize) -> Option<Vec<syn::Attribute>> {
    let mut attrs = Vec::new();
    while let (Some(TokenTree::Punct(pound)), Some(TokenTree::Group(bracket))) = (trees.get(*at), trees.get(*at + 1)) {
        if pound.as_char() != '#' || bracket.delimiter() != Delimiter::Bracket {
            break;
        }
        attrs.push(attribute(pound.span(), bracket)?);
        *at += 2;
    }
    Some(attrs)
}

/// One `#[..]`. `#[name(..)]`, the form of every table attribute, keeps the tokens it was
/// given; any other form is read by syn.
pub(super) fn attribute(pound: Span, bracket: &Group) -> Option<syn::Attribute> {
    let mut inner = bracket.stream().into_iter();
    if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(list)), None) =
        (inner.next(), inner.next(), inner.next())
        && list.delimiter() == Delimiter::Parenthesis
        && accepted_ident(&name)
    {
        return Some(syn::Attribute {
            pound_token: syn::Token![#](pound),
            style: syn::AttrStyle::Outer,
            bracket_token: syn::token::Bracket {
                span: bracket.delim_span(),
            },
            meta: syn::Meta::List(syn::MetaList {
                path: syn::Path::from(name),
                delimiter: syn::MacroDelimiter::Paren(syn::token::Paren {
                    span: list.delim_span(),
                }),
                tokens: list.stream(),
            }),
        });
    }
    let tokens: TokenStream = [
        TokenTree::Punct({
            let mut p = proc_macro2::Punct::new('#', Spacing::Alone);
            p.set_span(pound);
            p
        }),
        TokenTree::Group(bracket.clone()),
    ]
    .into_iter()
    .collect();
    let mut attrs = syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens).ok()?;
    (attrs.len() == 1).then(|| attrs.remove(0))
}

/// `pub`, `pub(crate)`, `pub(self)`, `pub(super)` or nothing; `None` for what only syn reads
/// (`pub(in path)`, anything else in the parentheses).
fn skip_visibility(trees: &[TokenTree], at: &mut usize) -> Option<()> {
    if !is_ident(trees.get(*at), "pub") {
        return Some(());
    }
    *at += 1;
    if let Some(TokenTree::Group(g)) = trees.get(*at)
        && g.delimiter() == Delimiter::Parenthesis
    {
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        match inner.as_slice() {
            [TokenTree::Ident(i)] if i == "crate" || i == "self" || i == "super" => *at += 1,
            _ => return None,
        }
    }
    Some(())
}

fn is_ident(t: Option<&TokenTree>, word: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == word)
}

/// An identifier syn takes as a name (not a keyword, not `_`).
fn plain_ident(t: Option<&TokenTree>) -> Option<Ident> {
    match t {
        Some(TokenTree::Ident(i)) if accepted_ident(i) => Some(i.clone()),
        _ => None,
    }
}

/// Not a word syn refuses as an identifier: its keyword list, and a few more reserved words
/// to be safe (an identifier passed over here is read by syn, which decides). Read without
/// an allocation: a word longer than any of them is none of them.
pub(super) fn accepted_ident(i: &Ident) -> bool {
    // 8 bytes: the longest word refused (`abstract`, `continue`, `override`).
    let Some(word) = Word::<8>::of(i) else {
        return true;
    };
    !matches!(
        word.as_str(),
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "raw"
            | "ref"
            | "return"
            | "safe"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "union"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Up to `N` bytes of text, written with `write!`; longer text is an error. A word read
/// this way is compared without an allocation.
pub(super) struct Word<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Word<N> {
    /// `word` as it is written, if it has at most `N` bytes.
    pub(super) fn of(word: &impl fmt::Display) -> Option<Self> {
        let mut w = Word { bytes: [0; N], len: 0 };
        fmt::Write::write_fmt(&mut w, format_args!("{word}")).ok()?;
        Some(w)
    }

    pub(super) fn as_str(&self) -> &str {
        // Whole `&str`s were copied in: the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Write for Word<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let to = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        to.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// What reading a schema file found wrong.
pub enum SourceError {
    /// It is not valid Rust: syn's error (the first one).
    Syntax(syn::Error),
    /// Its tables have problems: every one, together.
    Tables(syn::Error),
}

/// Every `#[derive(Table)]` struct of a schema file's text, inline modules included, in
/// source order, as [`from_file`](super::from_file) reads them from `syn::parse_file`.
///
/// The file is tokenized once; a table item is read by [`TableInput::parse`], and the text
/// between tables is parsed by syn item by item (and dropped), so an error anywhere is still
/// found, without a syntax tree of the whole file at once.
pub fn from_source(text: &str) -> Result<super::Parsed, SourceError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A shebang line (or an inner attribute) is syn's file parser's to tell apart.
    let walked = if body.starts_with("#!") {
        Err(None)
    } else {
        walk(body, true)
    };
    match walked {
        Ok(tables) => Ok(tables),
        Err(Some(tables)) => Err(SourceError::Tables(tables)),
        // NOTE: on a syntax error the whole file goes through `syn::parse_file`, which says
        // which error and where exactly as it always did (a piece parsed alone would end
        // where the file does not); a file syn reads after all is read from its items.
        Err(None) => {
            let file = syn::parse_file(text).map_err(SourceError::Syntax)?;
            super::from_file(&file).map_err(SourceError::Tables)
        }
    }
}

/// `text` (a file's, after its byte order mark) cut into pieces of at least `at_least` bytes
/// (the last may be shorter), each ending with a line that is a lone `}`: where rustfmt ends a
/// top-level item. Each piece can be read on its own by [`declare_piece`], in any order, on
/// any thread.
///
/// A cut is never trusted: one inside a string, a comment or brackets leaves the piece before
/// it unterminated, which does not tokenize; one that parts an item from what follows it
/// leaves a piece that is not items, which does not parse. Either way [`declare_piece`] says
/// `None`, and the file is read whole instead.
pub fn pieces(text: &str, at_least: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut from = at_least;
    while from < text.len() {
        let Some(end) = text.as_bytes()[from - 1..]
            .windows(3)
            .position(|w| w == b"\n}\n")
            .map(|i| from - 1 + i + 3)
        else {
            break;
        };
        pieces.push(&text[start..end]);
        start = end;
        from = end + at_least;
    }
    if start < text.len() || pieces.is_empty() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// What resolving needs of the items of one of a file's [`pieces`], which follows
/// `lines_before` lines of it (`first`: it begins the file, where inner attributes may be).
/// `None` when the piece is not items on its own, or its tables have errors: the whole file
/// is then read by [`from_source`], which says what is wrong and where.
pub fn declare_piece(piece: &str, lines_before: usize, first: bool) -> Option<super::Declared> {
    // proc-macro2 passes over a byte order mark at the start of any text it is given: one at
    // the start of a later piece is in the middle of the file, where it is no Rust.
    if !first && piece.starts_with('\u{feff}') {
        return None;
    }
    let parsed = walk(piece, first).ok()?;
    Some(super::Declared::from_parsed(parsed, lines_before))
}

/// The tables of a file's text (`top`: the file's start, where inner attributes may be), or
/// the errors of its tables (`Some`), or `None` for a syntax error (for `syn::parse_file` to
/// report).
fn walk(text: &str, top: bool) -> Result<super::Parsed, Option<syn::Error>> {
    let tokens: TokenStream = text.parse().map_err(|_| None)?;
    let mut walk = Walk {
        parsed: super::Parsed::default(),
        errors: None,
    };
    walk.items(tokens.into_iter().collect(), top).map_err(|_| None)?;
    match walk.errors {
        Some(e) => Err(Some(e)),
        None => Ok(walk.parsed),
    }
}

struct Walk {
    parsed: super::Parsed,
    errors: Option<syn::Error>,
}

impl Walk {
    fn error(&mut self, e: syn::Error) {
        match &mut self.errors {
            Some(all) => all.combine(e),
            None => self.errors = Some(e),
        }
    }

    /// A file's (or an inline module's) items. Table items and modules are cut out at their
    /// keywords; what lies between is handed to syn as items. `top`: inner attributes
    /// (`#![..]`) may open it.
    fn items(&mut self, mut trees: Vec<TokenTree>, top: bool) -> Result<(), SourceError> {
        let mut rest_from = 0;
        let mut first = true;
        let mut i = 0;
        while i < trees.len() {
            let TokenTree::Ident(word) = &trees[i] else {
                i += 1;
                continue;
            };
            let mut sql_enum = false;
            let mut sql_sequence = false;
            // A table's attributes, read to see that it is one: its reader takes them.
            let mut table_attrs = Vec::new();
            let is_mod = word == "mod"
                && matches!(trees.get(i + 1), Some(TokenTree::Ident(_)))
                && matches!(trees.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace);
            if !(is_mod || word == "struct" || word == "enum") {
                i += 1;
                continue;
            }
            let start = item_start(&trees, rest_from, i);
            let end = if is_mod {
                i + 2
            } else {
                let attrs: Option<Vec<syn::Attribute>> = attributes_before(&trees, start, i);
                match (attrs, item_end(&trees, i)) {
                    (Some(attrs), Some(end)) if super::derives_table(&attrs) => {
                        table_attrs = attrs;
                        end
                    }
                    // An SqlEnum is rare and small: syn reads it whole.
                    (Some(attrs), Some(end)) if word == "enum" && super::derives_sql_enum(&attrs) => {
                        sql_enum = true;
                        end
                    }
                    // So is an SqlSequence.
                    (Some(attrs), Some(end)) if word == "struct" && super::derives_sql_sequence(&attrs) => {
                        sql_sequence = true;
                        end
                    }
                    _ => {
                        i += 1;
                        continue;
                    }
                }
            };
            self.between(&trees[rest_from..start], top && first)?;
            first = false;
            let item: Vec<TokenTree> = trees[start..=end]
                .iter_mut()
                .map(|t| std::mem::replace(t, TokenTree::Punct(proc_macro2::Punct::new(';', Spacing::Alone))))
                .collect();
            if is_mod {
                self.module(item)?;
            } else if sql_sequence {
                match super::sequence_from_tokens(item.into_iter().collect()) {
                    Ok(q) => self.parsed.sequences.push(q),
                    Err(e) => self.error(e),
                }
            } else if sql_enum {
                match super::enum_from_tokens(item.into_iter().collect()) {
                    Ok(e) => self.parsed.enums.push(e),
                    Err(e) => self.error(e),
                }
            } else {
                let input = TableInput::parse_item(item, table_attrs).map_err(SourceError::Syntax)?;
                match super::from_input(input) {
                    Ok(t) => self.parsed.tables.push(t),
                    Err(e) => self.error(e),
                }
            }
            rest_from = end + 1;
            i = end + 1;
        }
        self.between(&trees[rest_from..], top && first)
    }

    /// An inline module: its head is checked by syn (with an empty body), its body read as
    /// items.
    fn module(&mut self, mut item: Vec<TokenTree>) -> Result<(), SourceError> {
        let Some(TokenTree::Group(body)) = item.pop() else {
            return Ok(());
        };
        let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
        empty.set_span(body.span());
        item.push(TokenTree::Group(empty));
        syn::parse2::<syn::Item>(item.into_iter().collect()).map_err(SourceError::Syntax)?;
        let inner: TokenStream = body.stream();
        drop(body);
        self.items(inner.into_iter().collect(), true)
    }

    /// Tokens between table items: parsed as items (a file's inner attributes first, where
    /// the file begins), and dropped.
    fn between(&mut self, trees: &[TokenTree], top: bool) -> Result<(), SourceError> {
        if trees.is_empty() {
            return Ok(());
        }
        let tokens: TokenStream = trees.iter().cloned().collect();
        let parse = |input: syn::parse::ParseStream<'_>| -> syn::Result<()> {
            if top {
                input.call(syn::Attribute::parse_inner)?;
            }
            while !input.is_empty() {
                input.parse::<syn::Item>()?;
            }
            Ok(())
        };
        syn::parse::Parser::parse2(parse, tokens).map_err(SourceError::Syntax)
    }
}

/// Where the item whose keyword is at `kw` begins: back over its visibility and its `#[..]`s,
/// not before `floor`.
fn item_start(trees: &[TokenTree], floor: usize, kw: usize) -> usize {
    let mut j = kw;
    if j >= floor + 2
        && is_ident(trees.get(j - 2), "pub")
        && matches!(&trees[j - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
    {
        j -= 2;
    } else if j > floor && is_ident(trees.get(j - 1), "pub") {
        j -= 1;
    }
    while j >= floor + 2
        && matches!(&trees[j - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
        && matches!(&trees[j - 2], TokenTree::Punct(p) if p.as_char() == '#')
    {
        j -= 2;
    }
    j
}

/// The `#[..]`s from `start` up to the visibility before `kw`, as syn reads them; `None` if one
/// does not read (syn reports it where it lies).
fn attributes_before(trees: &[TokenTree], start: usize, kw: usize) -> Option<Vec<syn::Attribute>> {
    let mut at = start;
    let attrs = outer_attributes(&trees[..kw], &mut at)?;
    Some(attrs)
}

/// The last tree of the struct or enum whose keyword is at `kw`: its body (`{..}` outside
/// `<..>`) or the `;` of a tuple or unit struct.
fn item_end(trees: &[TokenTree], kw: usize) -> Option<usize> {
    let mut angle = 0usize;
    let mut prev_joint_minus = false;
    for (i, t) in trees.iter().enumerate().skip(kw + 1) {
        match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && angle == 0 => return Some(i),
            TokenTree::Punct(p) => {
                match p.as_char() {
                    ';' if angle == 0 => return Some(i),
                    '<' => angle += 1,
                    '>' if !prev_joint_minus => angle = angle.saturating_sub(1),
                    _ => {}
                }
                prev_joint_minus = p.as_char() == '-' && p.spacing() == Spacing::Joint;
                continue;
            }
            _ => {}
        }
        prev_joint_minus = false;
    }
    None
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Ident, Span};

    use super::accepted_ident;

    /// What syn itself accepts as an identifier (`syn::Ident`'s parser refuses keywords).
    fn syn_accepts(word: &str) -> bool {
        syn::parse_str::<Ident>(word).is_ok()
    }

    #[test]
    fn keywords_are_refused_without_reading_the_rest_of_a_long_word() {
        // (`_` is no identifier to proc-macro2; syn 2 and later take `gen` and `try` as words.)
        let words = [
            "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
            "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
            "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
            "while", "abstract", "become", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
            "yield", "try", "gen",
        ];
        for word in words {
            assert!(!accepted_ident(&Ident::new(word, Span::call_site())), "{word}");
            assert!(!syn_accepts(word) || matches!(word, "gen" | "try"), "syn takes {word}");
        }
        for word in [
            "id",
            "r#type",
            "created_at",
            "overrides",
            "continued",
            "abstracts",
            "a_name_longer_than_any_keyword",
            "Ünïcödé",
            "asynC",
        ] {
            let ident = match word.strip_prefix("r#") {
                Some(raw) => Ident::new_raw(raw, Span::call_site()),
                None => Ident::new(word, Span::call_site()),
            };
            assert!(accepted_ident(&ident), "{word}");
            assert!(syn_accepts(word), "syn refuses {word}");
        }
    }
}
