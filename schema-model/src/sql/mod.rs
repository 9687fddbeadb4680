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

/// `(expr)` → `expr`, only when the outer parentheses enclose the whole text.
pub fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) else {
        return t;
    };
    let mut depth = 0i32;
    for ch in inner.chars() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return t;
                }
            }
            _ => {}
        }
    }
    if depth == 0 { inner } else { t }
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
    }
}
