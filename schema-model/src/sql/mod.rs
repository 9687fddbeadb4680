//! SQL text with one rule per job, shared by every part of the toolkit that writes or reads
//! it (the derive, the planners, the migrators, the snapshot codecs): string literals here,
//! identifier quoting and attribute forms in one submodule a dialect.
//!
//! It lives in this crate, not in `schema-core`, because the derive needs it too and cannot
//! depend on `schema-core` (which re-exports the derive).

pub mod expr;
pub mod lex;
pub mod sqlite;

/// `'text'` with every `'` doubled: a standard SQL string literal (every dialect reads it).
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// drizzle-kit's statement separator: a migration file is split wherever it appears, even
/// inside a string or a name, so no statement of ours may hold it.
pub const BREAKPOINT: &str = "--> statement-breakpoint";

/// A string value as an expression that never holds [`BREAKPOINT`]: [`string_literal`], or,
/// when the text holds the separator, the literal cut inside each separator and joined again
/// (`('a --> statement' || '-breakpoint b')`), which every dialect reads as the same string.
pub fn text_literal(s: &str) -> String {
    if !s.contains(BREAKPOINT) {
        return string_literal(s);
    }
    // Cut after `--> statement`, so neither piece holds the whole separator.
    let cut = "--> statement".len();
    let mut pieces = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(BREAKPOINT) {
        pieces.push(string_literal(&rest[..i + cut]));
        rest = &rest[i + cut..];
    }
    pieces.push(string_literal(rest));
    format!("({})", pieces.join(" || "))
}

/// The string a [`text_literal`] that had to be cut spells: `('a' || 'b')` (or without the
/// parentheses) whose text holds [`BREAKPOINT`]; `None` for anything else (an expression the user wrote stays one).
pub fn split_literal_text(sql: &str) -> Option<String> {
    use lex::{Kind, tokenize};
    let toks: Vec<lex::Token> = tokenize(sql).into_iter().filter(|t| !t.is_comment()).collect();
    let (first, last) = (toks.first()?, toks.last()?);
    // With its parentheses, as a definition holds it, or without, as PRAGMA table_info gives it.
    let inner = if first.is_op(sql, "(") && last.is_op(sql, ")") {
        &toks[1..toks.len() - 1]
    } else {
        &toks[..]
    };
    if inner.len() < 3 {
        return None;
    }
    let mut out = String::new();
    for (i, t) in inner.iter().enumerate() {
        match (&t.kind, i % 2) {
            (Kind::Str(s), 0) => out.push_str(s),
            (Kind::Op, 1) if t.is_op(sql, "||") => {}
            _ => return None,
        }
    }
    (inner.len() % 2 == 1 && out.contains(BREAKPOINT)).then_some(out)
}

/// `'it''s'` → `it's`; `None` when `s` is not exactly one SQL string literal.
pub fn unquote_string_literal(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        // A lone quote means two literals or an expression, not one string.
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// Whether `expr` mentions the identifier `name` (as a whole word, quoted or not, ASCII case
/// ignored): a conservative test of what an expression depends on.
pub fn mentions(expr: &str, name: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    lower.match_indices(&name).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + name.len()).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        !word(before) && !word(after)
    })
}

/// `(expr)` → `expr`, only when the outer parentheses enclose the whole text (a parenthesis
/// inside a string or a quoted name, `("select(" || 'x')`, counts for nothing).
pub fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    let toks: Vec<lex::Token> = lex::tokenize(t).into_iter().filter(|k| !k.is_comment()).collect();
    let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
        return t;
    };
    if toks.len() < 2 || !first.is_op(t, "(") || !last.is_op(t, ")") {
        return t;
    }
    let mut depth = 0i32;
    for (i, k) in toks.iter().enumerate() {
        if k.is_op(t, "(") {
            depth += 1;
        } else if k.is_op(t, ")") {
            depth -= 1;
            // The first `(` closes before the end: `(a) + (b)`.
            if depth == 0 && i + 1 < toks.len() {
                return t;
            }
        }
    }
    if depth == 0 { t[first.end..last.start].trim() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_round_trip() {
        assert_eq!(string_literal("it's me"), "'it''s me'");
        assert_eq!(unquote_string_literal("'it''s me'").as_deref(), Some("it's me"));
        assert_eq!(unquote_string_literal("''").as_deref(), Some(""));
        assert_eq!(unquote_string_literal("'a' || 'b'"), None);
        assert_eq!(unquote_string_literal("CURRENT_TIMESTAMP"), None);
    }

    #[test]
    fn outer_parens_only_when_they_enclose_everything() {
        assert_eq!(strip_parens("('x')"), "'x'");
        assert_eq!(strip_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_parens("((a))"), "(a)");
        assert_eq!(strip_parens("(\"select(\" || ')')"), "\"select(\" || ')'");
        assert_eq!(strip_parens("(a) -- )"), "a");
    }

    #[test]
    fn a_string_holding_the_separator_is_written_without_it_and_read_back() {
        for s in [
            "plain",
            "a --> statement-breakpoint b",
            "--> statement-breakpoint--> statement-breakpoint",
            "it's --> statement-breakpoint",
        ] {
            let sql = text_literal(s);
            assert!(!sql.contains(BREAKPOINT), "{sql}");
            if s.contains(BREAKPOINT) {
                assert_eq!(split_literal_text(&sql).as_deref(), Some(s));
            } else {
                assert_eq!(unquote_string_literal(&sql).as_deref(), Some(s));
            }
        }
        // An expression the user wrote stays one.
        assert_eq!(split_literal_text("('a' || 'b')"), None);
    }
}
