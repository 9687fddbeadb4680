//! A tokenizer of SQL text, by SQLite's token grammar (which PostgreSQL's standard forms
//! share): words, quoted names, string and blob literals, numbers, parameters, operators and
//! comments; and the statement splitter built on it, which knows that a `;` inside a string,
//! a comment, a quoted name or a trigger's `BEGIN .. END` body ends nothing.
//!
//! It never fails: text it cannot close (an unterminated string) becomes one token to the end,
//! marked, so callers can refuse it with a position.

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A keyword or a bare name.
    Word,
    /// A quoted name (`"x"`, `` `x` ``, `[x]`), its quotes removed and doubled quotes undone.
    Quoted(String),
    /// A string literal, unquoted.
    Str(String),
    /// A blob literal (`x'00ff'`).
    Blob,
    /// A number.
    Num,
    /// A parameter (`?`, `?1`, `:name`, `@name`, `$name`).
    Param,
    /// An operator or punctuation: `(`, `)`, `,`, `;`, `.`, `||`, `->>`, `<>`, `<=`, ...
    Op,
    /// A comment (`-- ..` to the end of the line, `/* .. */`).
    Comment,
    /// Text that does not close: a string, quoted name or comment still open at the end.
    Unterminated,
}

/// One token and where it is in the source (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl Token {
    /// The token's source text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether it is the word `w` (any case).
    pub fn is_word(&self, src: &str, w: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(w)
    }

    /// Whether it is the operator or punctuation `op`.
    pub fn is_op(&self, src: &str, op: &str) -> bool {
        self.kind == Kind::Op && self.text(src) == op
    }

    /// Whether it is a comment (which the grammar ignores).
    pub fn is_comment(&self) -> bool {
        self.kind == Kind::Comment
    }
}

/// Every token of `src`, comments included, in order.
pub fn tokenize(src: &str) -> Vec<Token> {
    tokens(src).collect()
}

/// [`tokenize`] one token at a time: a caller that needs only a statement's first words reads
/// no further.
pub fn tokens(src: &str) -> Tokens<'_> {
    Tokens {
        src,
        i: 0,
        unescape: true,
    }
}

/// The tokens of a text, in order: see [`tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    src: &'a str,
    i: usize,
    /// Whether quoted names and strings carry their text (the splitter needs only where they
    /// end, and skips the copies).
    unescape: bool,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let src = self.src;
        let b = src.as_bytes();
        let mut i = self.i;
        // SQLite's rule, to the byte: a run of space starts with a space, tab, newline, form
        // feed or return, and goes on through vertical tabs too; a vertical tab that starts
        // a token is an illegal token.
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == 0x0b) {
                i += 1;
            }
        }
        if i >= b.len() {
            self.i = i;
            return None;
        }
        let c = b[i];
        let start = i;
        let unescape = self.unescape;
        let kind = match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                Kind::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match find(b, i + 2, b"*/") {
                Some(e) => {
                    i = e + 2;
                    Kind::Comment
                }
                None => {
                    i = b.len();
                    Kind::Unterminated
                }
            },
            b'\'' => quoted(src, &mut i, b'\'', Kind::Str, unescape),
            b'"' => quoted(src, &mut i, b'"', Kind::Quoted, unescape),
            b'`' => quoted(src, &mut i, b'`', Kind::Quoted, unescape),
            b'[' => match find(b, i + 1, b"]") {
                Some(e) => {
                    let name = if unescape {
                        src[i + 1..e].to_string()
                    } else {
                        String::new()
                    };
                    i = e + 1;
                    Kind::Quoted(name)
                }
                None => {
                    i = b.len();
                    Kind::Unterminated
                }
            },
            b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
                i += 1;
                match quoted(src, &mut i, b'\'', Kind::Str, false) {
                    Kind::Str(_) => Kind::Blob,
                    other => other,
                }
            }
            b'0'..=b'9' => {
                number(b, &mut i);
                Kind::Num
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                number(b, &mut i);
                Kind::Num
            }
            b'?' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Param
            }
            b':' | b'@' | b'$' if b.get(i + 1).is_some_and(|&n| is_word_byte(n) && !n.is_ascii_digit()) => {
                i += 1;
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                Kind::Param
            }
            _ if is_word_byte(c) => {
                while i < b.len() && (is_word_byte(b[i]) || b[i] == b'$') {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                i += operator_len(&b[i..]);
                Kind::Op
            }
        };
        self.i = i;
        Some(Token { kind, start, end: i })
    }
}

/// A letter, digit, `_`, or any byte of a non-ASCII character (SQLite takes those as
/// identifier characters).
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    (from..b.len().saturating_sub(needle.len() - 1)).find(|&j| b[j..].starts_with(needle))
}

/// A quoted run from `*i` (at the opening quote): the quote doubled is the quote itself.
/// Without `unescape`, its text is left empty.
fn quoted(src: &str, i: &mut usize, q: u8, make: fn(String) -> Kind, unescape: bool) -> Kind {
    let b = src.as_bytes();
    let mut j = *i + 1;
    let mut text = String::new();
    let mut run = j;
    while j < b.len() {
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                if unescape {
                    text.push_str(&src[run..=j]);
                }
                j += 2;
                run = j;
                continue;
            }
            if unescape {
                text.push_str(&src[run..j]);
            }
            *i = j + 1;
            return make(text);
        }
        j += 1;
    }
    *i = b.len();
    Kind::Unterminated
}

fn number(b: &[u8], i: &mut usize) {
    if b[*i] == b'0' && matches!(b.get(*i + 1), Some(b'x' | b'X')) {
        *i += 2;
        while *i < b.len() && (b[*i].is_ascii_hexdigit() || b[*i] == b'_') {
            *i += 1;
        }
        return;
    }
    while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'.' || b[*i] == b'_') {
        *i += 1;
    }
    if *i < b.len() && matches!(b[*i], b'e' | b'E') {
        let mut j = *i + 1;
        if j < b.len() && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            *i = j;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
        }
    }
}

fn operator_len(b: &[u8]) -> usize {
    const LONG: [&[u8]; 12] = [
        b"->>", b"->", b"||", b"<=", b">=", b"==", b"!=", b"<>", b"<<", b">>", b"::", b"=>",
    ];
    LONG.iter().find(|op| b.starts_with(op)).map_or_else(
        // One character, whole (a stray non-ASCII byte sequence is a word, so this is ASCII).
        || {
            std::str::from_utf8(&b[..b.len().min(4)])
                .ok()
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8)
        },
        |op| op.len(),
    )
}

/// One statement of a script: its text (trimmed of surrounding whitespace, without its `;`)
/// and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    /// The statement's text.
    pub text: &'a str,
    /// Its first byte in the script.
    pub start: usize,
}

/// The statements of `src`, split at each `;` that ends one: not inside a string, a comment,
/// a quoted name, nor a `CREATE TRIGGER .. BEGIN .. END` body. Comment-only pieces are left
/// out; an unterminated string or comment makes the rest one statement.
pub fn split(src: &str) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    let mut first: Option<usize> = None; // where the statement's first non-comment token starts
    let mut prev_end = 0; // where the token before this one ends
    let mut kept_end = 0; // where the last token that is not a comment ends
    let mut seen = 0; // the statement's non-comment tokens so far
    let mut trigger = TriggerState::default();
    let toks = Tokens {
        src,
        i: 0,
        unescape: false,
    };
    for t in toks {
        if ignored(src, &t) {
            prev_end = t.end;
            continue;
        }
        if t.is_op(src, ";") {
            if trigger.in_body() {
                trigger.semicolon();
            } else {
                if let Some(f) = first.take() {
                    out.push(Statement {
                        text: &src[f..prev_end],
                        start: f,
                    });
                }
                trigger = TriggerState::default();
                seen = 0;
            }
            prev_end = t.end;
            kept_end = t.end;
            continue;
        }
        first.get_or_insert(t.start);
        trigger.see(src, &t, seen);
        seen += 1;
        prev_end = t.end;
        kept_end = t.end;
    }
    if let Some(f) = first {
        out.push(Statement {
            text: &src[f..kept_end],
            start: f,
        });
    }
    out
}

/// What SQLite skips between statements: comments, and a `/*` never closed (a comment to the
/// end to SQLite; a string never closed is an error instead).
fn ignored(src: &str, t: &Token) -> bool {
    t.is_comment() || (t.kind == Kind::Unterminated && t.text(src).starts_with("/*"))
}

/// Whether the statement being read is a trigger, and whether it is inside its body.
///
/// The body is `BEGIN` then statements each ended by `;`, then `END`: so the `END` that
/// closes it is the one right after a `;`, as SQLite's grammar has it. (A `CASE .. END` never
/// follows a `;`, and `END` after anything else is a name to SQLite: `WHERE end`.)
#[derive(Debug, Default)]
struct TriggerState {
    /// `CREATE [TEMP] TRIGGER` seen.
    trigger: bool,
    /// `BEGIN` of the body seen, and not yet closed.
    body: bool,
    /// The last token of the body was a `;`.
    after_semicolon: bool,
}

impl TriggerState {
    fn in_body(&self) -> bool {
        self.body
    }

    /// A `;` inside the body.
    fn semicolon(&mut self) {
        self.after_semicolon = true;
    }

    /// Takes token `t`, the `at`-th of its statement (comments aside).
    fn see(&mut self, src: &str, t: &Token, at: usize) {
        if at <= 2 && t.is_word(src, "TRIGGER") {
            self.trigger = true;
        } else if self.trigger && !self.body && t.is_word(src, "BEGIN") {
            self.body = true;
        } else if self.body && self.after_semicolon && t.is_word(src, "END") {
            self.body = false;
        }
        self.after_semicolon = false;
    }
}

/// The first words of a statement, uppercased, comments skipped (`["CREATE", "TABLE"]`).
pub fn leading_words(stmt: &str, n: usize) -> Vec<String> {
    tokens(stmt)
        .filter(|t| !t.is_comment())
        .take(n)
        .take_while(|t| t.kind == Kind::Word)
        .map(|t| t.text(stmt).to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The splitter as it was written over a whole token vector: the streaming one must cut
    /// every text at the same places.
    fn split_over_vector(src: &str) -> Vec<Statement<'_>> {
        let toks = tokenize(src);
        let mut out = Vec::new();
        let mut first: Option<usize> = None;
        let mut seen = 0;
        let mut trigger = TriggerState::default();
        for (i, t) in toks.iter().enumerate() {
            if ignored(src, t) {
                continue;
            }
            if t.is_op(src, ";") {
                if trigger.in_body() {
                    trigger.semicolon();
                    continue;
                }
                if let Some(f) = first.take() {
                    out.push(Statement {
                        text: &src[toks[f].start..toks[i - 1].end],
                        start: toks[f].start,
                    });
                }
                trigger = TriggerState::default();
                seen = 0;
                continue;
            }
            first.get_or_insert(i);
            trigger.see(src, t, seen);
            seen += 1;
        }
        if let Some(f) = first {
            let last = toks.iter().rposition(|t| !ignored(src, t)).unwrap_or(f);
            out.push(Statement {
                text: &src[toks[f].start..toks[last].end],
                start: toks[f].start,
            });
        }
        out
    }

    #[test]
    fn the_streaming_splitter_cuts_where_the_vector_one_did() {
        // Texts made of the pieces that matter to a cut, in every order a simple generator
        // gives: strings, quoted names, comments (closed and not), trigger bodies, `;`s.
        let pieces = [
            "CREATE TABLE `t` (a text);",
            " 'x;''y' ",
            "\"q;\"\"r\"",
            "[b;c]",
            "-- c; d\n",
            "/* e; */",
            "/* open",
            "'open",
            ";",
            " ; ",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; END",
            "CASE WHEN 1 THEN 2 END",
            "\n\t",
            "\u{0b}",
            "x'00'",
            "SELECT 1",
            "é",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 8) as usize;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(split(&text), split_over_vector(&text), "{text:?}");
        }
    }

    fn texts(src: &str) -> Vec<&str> {
        split(src).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn semicolons_inside_literals_names_and_comments_end_nothing() {
        assert_eq!(
            texts("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, [g;h]); -- x; y\nSELECT 1 /* ; */;"),
            vec![
                "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, [g;h])",
                "SELECT 1 /* ; */"
            ]
        );
        assert_eq!(texts("SELECT 'it''s';SELECT 2"), vec!["SELECT 'it''s'", "SELECT 2"]);
        assert_eq!(texts("-- only a comment\n"), Vec::<&str>::new());
        assert_eq!(texts("SELECT 'open; COMMIT;"), vec!["SELECT 'open; COMMIT;"]);
        // Found by the fuzzer: SQLite reads a `/*` never closed as a comment to the end.
        assert_eq!(texts("SELECT 1; /*\nCREATE TABLE t (a);"), vec!["SELECT 1"]);
        // A vertical tab that starts a token is one to SQLite; after a space it is space.
        assert_eq!(texts("\x0bSELECT 1"), vec!["\x0bSELECT 1"]);
        assert_eq!(texts("SELECT 1;\n\x0bSELECT 2"), vec!["SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn a_trigger_body_is_one_statement() {
        let src = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = CASE WHEN 1 THEN 2 END; DELETE FROM c; END; COMMIT;";
        assert_eq!(
            texts(src),
            vec![
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = CASE WHEN 1 THEN 2 END; DELETE FROM c; END",
                "COMMIT"
            ]
        );
        assert_eq!(
            texts("CREATE TEMP TRIGGER x BEFORE DELETE ON y BEGIN SELECT 1; END"),
            vec!["CREATE TEMP TRIGGER x BEFORE DELETE ON y BEGIN SELECT 1; END"]
        );
        // Found by the fuzzer: `END` that does not follow a `;` is a name (`WHERE end`).
        assert_eq!(
            texts(
                "CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE a SET x = 1 WHERE end; DELETE FROM b; END; SELECT 1"
            ),
            vec![
                "CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE a SET x = 1 WHERE end; DELETE FROM b; END",
                "SELECT 1"
            ]
        );
        // BEGIN as a transaction is not a trigger body.
        assert_eq!(
            texts("BEGIN; UPDATE t SET a = 1; COMMIT;"),
            vec!["BEGIN", "UPDATE t SET a = 1", "COMMIT"]
        );
    }

    #[test]
    fn tokens_carry_their_values() {
        let src = "x'00ff' 1.5e-3 0x1F ?2 :name \"a\"\"b\" 'c''d' ->> <> ; é";
        let kinds: Vec<Kind> = tokenize(src).into_iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::Blob,
                Kind::Num,
                Kind::Num,
                Kind::Param,
                Kind::Param,
                Kind::Quoted("a\"b".into()),
                Kind::Str("c'd".into()),
                Kind::Op,
                Kind::Op,
                Kind::Op,
                Kind::Word,
            ]
        );
        assert_eq!(
            leading_words("  /* x */ begin immediate transaction", 2),
            vec!["BEGIN", "IMMEDIATE"]
        );
    }
}
