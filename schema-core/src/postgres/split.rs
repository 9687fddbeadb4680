//! PostgreSQL's statements in a piece of SQL: split at `;` outside string literals (`'..'`,
//! `E'..'` with backslash escapes), quoted names, dollar-quoted bodies (`$$..$$`,
//! `$tag$..$tag$`) and comments (`--`, nested `/* */`), as the server's own lexer does.

/// The statements of `src`, trimmed, empty ones left out.
pub fn statements(src: &str) -> Vec<&str> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                let escapes = i > 0 && (b[i - 1] == b'E' || b[i - 1] == b'e') && (i < 2 || !is_ident(b[i - 2]));
                i += 1;
                while i < b.len() {
                    if escapes && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'$' if i == 0 || !is_ident(b[i - 1]) => {
                // `$tag$`: a tag is an identifier without `$` (or empty); `$1` is a parameter.
                let mut j = i + 1;
                while j < b.len() && is_ident(b[j]) && b[j] != b'$' {
                    j += 1;
                }
                if j < b.len() && b[j] == b'$' && !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    let tag = &src[i..=j];
                    match src[j + 1..].find(tag) {
                        Some(end) => i = j + 1 + end + tag.len(),
                        None => i = b.len(),
                    }
                } else {
                    i += 1;
                }
            }
            b';' => {
                push(&mut out, &src[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    push(&mut out, &src[start.min(src.len())..]);
    out
}

fn push<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let t = s.trim();
    if !t.is_empty() && !only_comments(t) {
        out.push(t);
    }
}

fn only_comments(s: &str) -> bool {
    s.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with("--")
    })
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_inside_bodies_strings_and_comments_end_nothing() {
        let sql = "DO $$ BEGIN CREATE TYPE t AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END $$;\n\
                   CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;\n\
                   SELECT 'a;b', E'it\\'s;', \"c;d\" /* x; /* nested; */ y; */ FROM t; -- tail; here\n\
                   SELECT $1";
        assert_eq!(
            statements(sql),
            vec![
                "DO $$ BEGIN CREATE TYPE t AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN null; END $$",
                "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql",
                "SELECT 'a;b', E'it\\'s;', \"c;d\" /* x; /* nested; */ y; */ FROM t",
                "-- tail; here\nSELECT $1",
            ]
        );
    }
}
