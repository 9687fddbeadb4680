//! JSON for the snapshot codecs without a `serde_json::Value` tree: a writer that produces
//! `serde_json::to_string_pretty`'s bytes exactly, straight into a string, and a reader into a
//! borrowed, ordered tree (keys and unescaped strings point into the text, objects are vectors).
//!
//! Both keep what the `Value` path did byte for byte and value for value: the writer's layout
//! is serde_json's `PrettyFormatter` (two spaces, `"key": value`, `{}` and `[]` when empty), and
//! the reader keeps an object's keys in file order with serde_json's `preserve_order` rule for
//! a repeated key (the first key's place, the last key's value).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A pretty-printing JSON writer: the caller opens containers, writes keys and values, and
/// closes them; commas, newlines and indentation come out as serde_json's pretty printer's.
/// The text is kept ([`Pretty::text`]) or handed to a writer as it grows
/// ([`Pretty::into_writer`]).
pub struct Pretty<'w> {
    out: String,
    /// A thread that may help write [`Pretty::members`], once it has nothing else to do.
    help: Option<&'w Help>,
    /// Whether the innermost open container has an element yet.
    has_value: Vec<bool>,
    /// Where the text goes, in pieces of about [`CHUNK`] bytes; `None` keeps it in `out`.
    sink: Option<&'w mut dyn io::Write>,
    /// The sink's first error: nothing more is written after it.
    error: Option<io::Error>,
}

/// How much text a writer to a sink holds before handing it on.
const CHUNK: usize = 64 * 1024;

/// How many of [`Pretty::members`]' items a piece is, when a helper shares the writing.
const PIECE: usize = 32;

/// Lets a [`Pretty::members`] helper go when dropped: it takes no more pieces, and one still
/// waiting for the offer gives up.
struct Release<'a> {
    quit: &'a AtomicBool,
    help: &'a Help,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.quit.store(true, Ordering::Relaxed);
        self.help.close();
    }
}

/// An offer of a thread's time to a long write ([`Pretty::members`]): made by a thread once it
/// has nothing else to do, taken by a helper the writer starts, which waits for it. It serves
/// one write: once that write is done with it ([`Help::close`]), it is not taken again.
#[derive(Debug, Default)]
pub struct Help {
    state: Mutex<HelpState>,
    changed: Condvar,
}

#[derive(Debug, Default, PartialEq)]
enum HelpState {
    #[default]
    NotYet,
    Offered,
    Closed,
}

impl Help {
    /// This thread is free: a write that is still under way may use it.
    pub fn offer(&self) {
        self.set(HelpState::Offered);
    }

    /// The write is done with it: a helper still waiting gives up.
    fn close(&self) {
        self.set(HelpState::Closed);
    }

    fn set(&self, to: HelpState) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if *state != HelpState::Closed {
            *state = to;
        }
        self.changed.notify_all();
    }

    /// Waits for the offer or the end of the write: whether the offer came first.
    fn wait(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = self
            .changed
            .wait_while(state, |s| *s == HelpState::NotYet)
            .unwrap_or_else(|e| e.into_inner());
        *state == HelpState::Offered
    }
}

impl Pretty<'static> {
    /// An empty writer that keeps its text, with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Pretty<'static> {
        Pretty {
            out: String::with_capacity(capacity),
            help: None,
            has_value: Vec::new(),
            sink: None,
            error: None,
        }
    }
}

impl<'w> Pretty<'w> {
    /// A writer that hands its text to `sink` as it goes, holding about [`CHUNK`] bytes: a
    /// snapshot of thousands of tables is written without being held whole.
    fn to_writer(sink: &'w mut dyn io::Write) -> Pretty<'w> {
        Pretty {
            out: String::with_capacity(CHUNK + CHUNK / 4),
            help: None,
            has_value: Vec::new(),
            sink: Some(sink),
            error: None,
        }
    }

    /// Whether the sink refused text: what is written from then on goes nowhere, so a long
    /// writer may stop.
    pub fn stopped(&self) -> bool {
        self.error.is_some()
    }

    /// The text written (of a writer that keeps it; a sink's writer keeps what it has not
    /// handed on yet).
    pub fn finish(self) -> String {
        self.out
    }

    /// The text `write` writes, kept, with room for `capacity` bytes.
    pub fn text(capacity: usize, write: impl FnOnce(&mut Pretty<'_>)) -> String {
        let mut w = Pretty::with_capacity(capacity);
        write(&mut w);
        w.finish()
    }

    /// What `write` writes, handed to `out` as it goes: `out`'s first error, if any. Its
    /// [`Pretty::members`] take `help` when it comes.
    pub fn into_writer(
        out: &mut dyn io::Write,
        help: Option<&Help>,
        write: impl FnOnce(&mut Pretty<'_>),
    ) -> io::Result<()> {
        let mut w = Pretty::to_writer(out);
        w.help = help;
        write(&mut w);
        w.finish_to_writer()
    }

    /// Hands the rest of the text to the sink: the sink's first error, if it had one.
    fn finish_to_writer(mut self) -> io::Result<()> {
        self.hand_on();
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The text so far to the sink, if there is one.
    fn hand_on(&mut self) {
        if let Some(sink) = &mut self.sink {
            if self.error.is_none()
                && let Err(e) = sink.write_all(self.out.as_bytes())
            {
                self.error = Some(e);
            }
            self.out.clear();
        }
    }

    fn indent(&mut self) {
        // Two spaces a level, in one piece up to this depth (a snapshot's columns are at five).
        const SPACES: &str = "                                ";
        let mut n = 2 * self.has_value.len();
        while n > 0 {
            let piece = n.min(SPACES.len());
            self.out.push_str(&SPACES[..piece]);
            n -= piece;
        }
    }

    /// Before an element of the innermost container: a comma after the previous one, a
    /// newline and the indentation.
    fn slot(&mut self) {
        if self.out.len() >= CHUNK {
            self.hand_on();
        }
        match self.has_value.last_mut() {
            Some(has) => {
                self.out.push_str(if *has { ",\n" } else { "\n" });
                *has = true;
            }
            None => return,
        }
        self.indent();
    }

    /// The innermost object's members, one for each of `items` (`write` writes its key and
    /// value), in order.
    ///
    /// With an offer of [`Help`], a helper thread waits for it beside the writing: from then
    /// on both take the next unwritten piece of `items` in turn, the helper writing its pieces
    /// into text of their own that this writer puts in place in order. Without the offer (the
    /// writer finished first, or nobody offered), the helper never starts and the text is this
    /// writer's alone; it is the same text either way.
    pub fn members<T: Sync>(&mut self, items: &[T], write: &(dyn Fn(&mut Pretty<'_>, &T) + Sync)) {
        let Some(help) = self.help.filter(|_| items.len() >= 2 * PIECE) else {
            for item in items {
                if self.stopped() {
                    return;
                }
                write(self, item);
            }
            return;
        };
        let pieces: Vec<&[T]> = items.chunks(PIECE).collect();
        let next = AtomicUsize::new(0);
        let quit = AtomicBool::new(false);
        // Where the pieces go: inside this object, after a member or not.
        let (levels, had_member) = (self.has_value.clone(), self.has_value.last().copied().unwrap_or(false));
        let (tx, rx) = mpsc::channel::<(usize, String)>();
        std::thread::scope(|s| {
            let (pieces, next, quit) = (&pieces, &next, &quit);
            // However this writer ends (a panic in `write` included), the helper is let go
            // before the scope waits for it.
            let _release = Release { quit, help };
            let helper = move || {
                if !help.wait() {
                    return;
                }
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= pieces.len() || quit.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut w = Pretty::with_capacity(CHUNK);
                    w.has_value = levels.clone();
                    if let Some(last) = w.has_value.last_mut() {
                        *last = had_member || i > 0;
                    }
                    for item in pieces[i] {
                        write(&mut w, item);
                    }
                    if tx.send((i, w.out)).is_err() {
                        return;
                    }
                }
            };
            // Without a thread, this writer writes every piece.
            let _ = std::thread::Builder::new()
                .name("snapshot-help".into())
                .spawn_scoped(s, helper);
            let mut written = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                // The pieces before `i` that the helper took, in order.
                while written < i.min(pieces.len()) {
                    match rx.recv() {
                        Ok((_, text)) => self.piece(&text),
                        // Only a helper that panicked leaves a piece unsent: the scope passes
                        // its panic on.
                        Err(_) => return,
                    }
                    written += 1;
                }
                if i >= pieces.len() || self.stopped() {
                    break;
                }
                for item in pieces[i] {
                    write(self, item);
                }
                written = i + 1;
            }
        });
    }

    /// A helper's text for [`Pretty::members`], put in place: after it, this object has a member.
    fn piece(&mut self, text: &str) {
        if self.sink.is_some() {
            self.hand_on();
            if let (Some(sink), None) = (&mut self.sink, &self.error)
                && let Err(e) = sink.write_all(text.as_bytes())
            {
                self.error = Some(e);
            }
        } else {
            self.out.push_str(text);
        }
        if let Some(last) = self.has_value.last_mut() {
            *last = true;
        }
    }

    /// `{`; its members follow as [`Pretty::key`] then a value.
    pub fn begin_object(&mut self) {
        self.out.push('{');
        self.has_value.push(false);
    }

    /// `}`.
    pub fn end_object(&mut self) {
        self.end('}');
    }

    /// `[`; its elements follow, each after [`Pretty::item`].
    pub fn begin_array(&mut self) {
        self.out.push('[');
        self.has_value.push(false);
    }

    /// `]`.
    pub fn end_array(&mut self) {
        self.end(']');
    }

    fn end(&mut self, close: char) {
        if self.has_value.pop() == Some(true) {
            self.out.push('\n');
            self.indent();
        }
        self.out.push(close);
    }

    /// A member's key and the `: ` before its value.
    pub fn key(&mut self, key: &str) {
        self.slot();
        self.write_str(key);
        self.out.push_str(": ");
    }

    /// Before an array element.
    pub fn item(&mut self) {
        self.slot();
    }

    /// A string value.
    pub fn string(&mut self, s: &str) {
        self.write_str(s);
    }

    /// `true` or `false`.
    pub fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// An integer.
    pub fn int(&mut self, v: i64) {
        use std::fmt::Write as _;
        let _ = write!(self.out, "{v}");
    }

    /// A scalar `serde_json::Value` (a number parsed as serde_json parses it), as serde_json
    /// writes it.
    pub fn scalar(&mut self, v: &serde_json::Value) {
        // A scalar always serializes.
        self.out.push_str(&serde_json::to_string(v).unwrap_or_default());
    }

    /// `"key": "value"`.
    pub fn str_member(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `"key": true`.
    pub fn bool_member(&mut self, key: &str, value: bool) {
        self.key(key);
        self.bool(value);
    }

    /// `"key": ["a", "b"]`.
    pub fn strings_member<S: AsRef<str>>(&mut self, key: &str, values: &[S]) {
        self.key(key);
        self.begin_array();
        for v in values {
            self.item();
            self.string(v.as_ref());
        }
        self.end_array();
    }

    /// `"key": {}`.
    pub fn empty_object_member(&mut self, key: &str) {
        self.key(key);
        self.out.push_str("{}");
    }

    /// A JSON string: serde_json's escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
    /// `\u00XX` for the other control characters), everything else as it is.
    fn write_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        // Most strings (names, types, keys) escape nothing: room for them and their quotes.
        self.out.reserve(bytes.len() + 2);
        self.out.push('"');
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if !ESCAPED[b as usize] {
                continue;
            }
            let esc: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                _ => "",
            };
            self.out.push_str(&s[start..i]);
            if esc.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.push_str("\\u00");
                self.out.push(HEX[(b >> 4) as usize] as char);
                self.out.push(HEX[(b & 0xf) as usize] as char);
            } else {
                self.out.push_str(esc);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }
}

/// The bytes a JSON string escapes: `"`, `\` and the control characters.
const ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// A JSON value read from text, borrowing what it can: keys and strings without escapes are
/// slices of the text, and an object is its members in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(serde_json::Number),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Val<'a>>),
    /// An object: its members in the order of their first key.
    Object(Vec<(Cow<'a, str>, Val<'a>)>),
}

impl<'a> Val<'a> {
    /// Reads `text` as serde_json reads it into this tree: the same values, the same errors,
    /// the same nesting limit.
    ///
    /// A reader of its own takes the common case (no repeated key, little nesting); whatever it
    /// leaves (an error, a repeated key, deep nesting) is read again by serde_json, whose value
    /// or message is the answer. Numbers and strings with escapes are handed to serde_json
    /// one by one, so their rules are its own.
    pub fn parse(text: &'a str) -> Result<Val<'a>, serde_json::Error> {
        match Reader::new(text).document() {
            Some(v) => Ok(v),
            None => serde_json::from_str(text),
        }
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Val<'a>> {
        match self {
            Val::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The members, if it is an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Val<'a>)]> {
        match self {
            Val::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if it is an array.
    pub fn as_array(&self) -> Option<&[Val<'a>]> {
        match self {
            Val::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The value at a path of object keys (`["internal", "tables"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Val<'a>> {
        path.iter().try_fold(self, |v, k| v.get(k))
    }

    /// An object's members by key, for lookups in a loop over another object's members.
    // Only SQLite's snapshot format has such lookups.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub fn index(&self) -> HashMap<&str, &Val<'a>> {
        self.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.as_ref(), v)).collect())
            .unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Val<'de>, D::Error> {
        deserializer.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

/// Past this many members, a repeated key is found through a map rather than a scan.
const SCAN_LIMIT: usize = 16;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(b))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Val<'de>, E> {
        Ok(Val::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Val<'de>, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Val::Null, Val::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s)))
    }

    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }

    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        Deserialize::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Val::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Val<'de>)> = Vec::new();
        // Built once an object outgrows a scan: key → position.
        let mut positions: Option<HashMap<Cow<'de, str>, usize>> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value: Val<'de> = map.next_value()?;
            let key = key.0;
            let found = match &positions {
                Some(p) => p.get(&key).copied(),
                None => members.iter().position(|(k, _)| *k == key),
            };
            match found {
                // serde_json's `preserve_order` map: the first key's place, the last value.
                Some(i) => members[i].1 = value,
                None => {
                    if let Some(p) = &mut positions {
                        p.insert(key.clone(), members.len());
                    }
                    members.push((key, value));
                    if positions.is_none() && members.len() > SCAN_LIMIT {
                        positions = Some(members.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect());
                    }
                }
            }
        }
        Ok(Val::Object(members))
    }
}

/// Nesting deeper than this is left to serde_json (whose limit is 128).
const MAX_DEPTH: usize = 100;

/// The common case of [`Val::parse`], read without serde's visitors: an object's or array's
/// members are gathered on a stack shared by all levels and moved into a vector of their exact
/// number when it closes (serde_json's visitor grows each one by pushes). `None` for anything
/// it leaves to serde_json.
///
/// A snapshot reader may also walk the text itself ([`Reader::members`]), reading the members
/// it knows into its model and the others as values.
pub(crate) struct Reader<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
    /// The members of the objects being read, innermost last.
    pending: Vec<(Cow<'a, str>, Val<'a>)>,
    elements: Vec<Val<'a>>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            at: 0,
            depth: 0,
            pending: Vec::new(),
            elements: Vec::new(),
        }
    }

    /// One value and nothing after it but whitespace.
    fn document(mut self) -> Option<Val<'a>> {
        let v = self.value()?;
        self.at_end().then_some(v)
    }

    fn space(&mut self) {
        let b = self.text.as_bytes();
        while self.at < b.len() && matches!(b[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.space();
        self.at == self.text.len()
    }

    /// An object, member by member: `member` reads the value of each key (with
    /// [`Reader::value`] or the readers of one kind). A repeated key is the caller's to notice.
    pub(crate) fn members(&mut self, mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        self.space();
        if self.peek()? != b'{' {
            return None;
        }
        self.items(b'}', |r| {
            r.space();
            if r.peek()? != b'"' {
                return None;
            }
            let key = r.string()?;
            r.space();
            if r.peek()? != b':' {
                return None;
            }
            r.at += 1;
            member(r, key)
        })
    }

    /// At an opening bracket: the items `item` reads, separated by commas, up to `close`,
    /// one level of nesting deeper.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.at += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.space();
        if self.peek()? == close {
            self.at += 1;
        } else {
            loop {
                item(self)?;
                self.space();
                match self.peek()? {
                    b',' => self.at += 1,
                    c if c == close => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// A string value.
    pub(crate) fn str_value(&mut self) -> Option<Cow<'a, str>> {
        self.space();
        if self.peek()? != b'"' {
            return None;
        }
        self.string()
    }

    /// A boolean value.
    pub(crate) fn bool_value(&mut self) -> Option<bool> {
        match self.value()? {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Any value, as a tree.
    pub(crate) fn value(&mut self) -> Option<Val<'a>> {
        self.space();
        match self.peek()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(Val::Str),
            b't' => self.word("true", Val::Bool(true)),
            b'f' => self.word("false", Val::Bool(false)),
            b'n' => self.word("null", Val::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &str, v: Val<'a>) -> Option<Val<'a>> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            v
        })
    }

    /// The characters a number can hold, read by serde_json (its integer and float rules).
    fn number(&mut self) -> Option<Val<'a>> {
        let b = self.text.as_bytes();
        let start = self.at;
        while self.at < b.len() && matches!(b[self.at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            self.at += 1;
        }
        match serde_json::from_str::<Val<'_>>(&self.text[start..self.at]).ok()? {
            Val::Number(n) => Some(Val::Number(n)),
            _ => None,
        }
    }

    /// A string at `"`: a slice of the text when it has no escape, else decoded by serde_json.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let b = self.text.as_bytes();
        let start = self.at + 1;
        let mut i = start;
        loop {
            match *b.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    return Some(Cow::Borrowed(&self.text[start..i]));
                }
                b'\\' => break,
                c if c < 0x20 => return None,
                _ => i += 1,
            }
        }
        while i < b.len() && b[i] != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        if i >= b.len() {
            return None;
        }
        let decoded: String = serde_json::from_str(&self.text[self.at..=i]).ok()?;
        self.at = i + 1;
        Some(Cow::Owned(decoded))
    }

    fn array(&mut self) -> Option<Val<'a>> {
        let base = self.elements.len();
        self.items(b']', |r| {
            let v = r.value()?;
            r.elements.push(v);
            Some(())
        })?;
        Some(Val::Array(self.elements.drain(base..).collect()))
    }

    fn object(&mut self) -> Option<Val<'a>> {
        let base = self.pending.len();
        self.members(|r, key| {
            let v = r.value()?;
            r.pending.push((key, v));
            Some(())
        })?;
        // A repeated key is serde_json's to resolve (the first key's place, the last value).
        if repeats(self.pending[base..].iter().map(|(k, _)| k)) {
            return None;
        }
        Some(Val::Object(self.pending.drain(base..).collect()))
    }
}

/// Whether two of `names` are the same: the test both snapshot writers make before streaming
/// (a JSON map keeps a repeated key once) and the reader makes of each object it reads.
pub(crate) fn repeats<S: AsRef<str>>(names: impl Iterator<Item = S>) -> bool {
    let mut v: Vec<S> = names.collect();
    if v.len() <= SCAN_LIMIT {
        return v
            .iter()
            .enumerate()
            .any(|(i, k)| v[..i].iter().any(|o| o.as_ref() == k.as_ref()));
    }
    v.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
    v.windows(2).any(|w| w[0].as_ref() == w[1].as_ref())
}

/// An object key, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random JSON-like text: valid documents (nested objects and arrays, every scalar form,
    /// escapes, non-ASCII, repeated keys now and then, odd whitespace) and broken ones.
    fn random_text(next: &mut impl FnMut() -> u64, depth: usize, out: &mut String) {
        let pick = next() % if depth > 4 { 7 } else { 9 };
        match pick {
            0 => out.push_str(["true", "false", "null", "tru", "nul"][(next() % 5) as usize]),
            1 => out.push_str(
                [
                    "0",
                    "-0",
                    "12",
                    "-7",
                    "1.50",
                    "2e3",
                    "-1.5E-2",
                    "18446744073709551615",
                    "18446744073709551616",
                    "-9223372036854775809",
                    "1e400",
                    "01",
                    "1.",
                    "-",
                    ".5",
                    "1.5.2",
                ][(next() % 16) as usize],
            ),
            2..=6 => out.push_str(
                [
                    "\"\"",
                    "\"plain\"",
                    "\"q\\\"uote\"",
                    "\"tab\\tnl\\n\"",
                    "\"\\u00e9\\ud83d\\ude00\"",
                    "\"é ü\"",
                    "\"bad\\x\"",
                    "\"lone\\ud800\"",
                    "\"ctl\u{1}\"",
                    "\"open",
                ][(next() % 10) as usize],
            ),
            7 => {
                out.push('[');
                let n = next() % 4;
                for i in 0..n {
                    if i > 0 {
                        out.push_str(if next().is_multiple_of(40) { ",," } else { "," });
                    }
                    random_text(next, depth + 1, out);
                }
                out.push_str(if next().is_multiple_of(40) { "" } else { "]" });
            }
            _ => {
                out.push('{');
                let n = next() % 20;
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str([" ", "\n  ", "\t", ""][(next() % 4) as usize]);
                    let key = next() % 30;
                    out.push_str(&format!("\"k{key}\""));
                    out.push_str(if next().is_multiple_of(50) { " " } else { ": " });
                    random_text(next, depth + 1, out);
                }
                out.push('}');
            }
        }
    }

    #[test]
    fn the_reader_reads_what_serde_json_reads_and_leaves_the_rest_to_it() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut taken, mut valid) = (0, 0);
        for _ in 0..20_000 {
            let mut text = String::new();
            random_text(&mut next, 0, &mut text);
            let serde: Result<Val<'_>, _> = serde_json::from_str(&text);
            let ours = Reader::new(&text).document();
            if serde.is_ok() {
                valid += 1;
            }
            if let Some(v) = &ours {
                taken += 1;
                assert_eq!(Some(v), serde.as_ref().ok(), "{text}");
            }
            // Whatever the path, parse answers as serde_json does.
            match (Val::parse(&text), &serde) {
                (Ok(a), Ok(b)) => assert_eq!(&a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} against {b:?}"),
            }
        }
        // The reader takes most valid documents itself (all but those with a repeated key).
        assert!(
            valid > 2_000 && taken * 10 > valid * 5,
            "took {taken} of {valid} valid documents"
        );
    }

    #[test]
    fn deep_nesting_is_serde_json_s_to_refuse() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(Reader::new(&deep).document().is_none());
        let e = Val::parse(&deep).unwrap_err();
        assert_eq!(
            e.to_string(),
            serde_json::from_str::<Val<'_>>(&deep).unwrap_err().to_string()
        );
        let ok = format!("{}{}", "[".repeat(50), "]".repeat(50));
        assert_eq!(
            Reader::new(&ok).document(),
            Some(serde_json::from_str::<Val<'_>>(&ok).unwrap())
        );
    }

    /// The writer against serde_json's pretty printer, on every shape it writes.
    #[test]
    fn pretty_matches_serde_json() {
        let v = serde_json::json!({
            "a": "x\"y\\z\n\t\r\u{8}\u{c}\u{1}\u{1f}é\u{7f}",
            "empty": {},
            "list": ["p", "q"],
            "none": [],
            "nested": { "t": true, "f": false, "n": -12, "r": 1.5, "o": { "k": [] } },
        });
        let mut w = Pretty::with_capacity(0);
        w.begin_object();
        w.str_member("a", v["a"].as_str().unwrap());
        w.empty_object_member("empty");
        w.strings_member("list", &["p", "q"]);
        w.strings_member::<&str>("none", &[]);
        w.key("nested");
        w.begin_object();
        w.bool_member("t", true);
        w.bool_member("f", false);
        w.key("n");
        w.int(-12);
        w.key("r");
        w.scalar(&v["nested"]["r"]);
        w.key("o");
        w.begin_object();
        w.strings_member::<&str>("k", &[]);
        w.end_object();
        w.end_object();
        w.end_object();
        assert_eq!(w.finish(), serde_json::to_string_pretty(&v).unwrap());
    }

    /// Every character up to U+07FF, alone and between others, escaped as serde_json escapes it.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for c in (0u32..0x800).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("a{c}b{c}"), format!("{c}{c}\"\\")] {
                let mut w = Pretty::with_capacity(0);
                w.string(&s);
                assert_eq!(w.finish(), serde_json::to_string(&s).unwrap(), "{c:?}");
            }
        }
    }

    /// A repeated key keeps its first place and takes its last value, as serde_json's
    /// `preserve_order` map does, in small objects and in large ones.
    #[test]
    fn repeated_keys_as_serde_json() {
        for n in [3, 40] {
            let mut text = String::from("{");
            for i in 0..n {
                text.push_str(&format!("\"k{i}\": {i}, "));
            }
            text.push_str("\"k1\": \"last\", \"z\\u0041\": null}");
            let ours = Val::parse(&text).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
            let theirs_keys: Vec<&String> = theirs.as_object().unwrap().keys().collect();
            let ours_keys: Vec<&str> = ours.as_object().unwrap().iter().map(|(k, _)| k.as_ref()).collect();
            assert_eq!(ours_keys, theirs_keys);
            assert_eq!(ours.get("k1").and_then(Val::as_str), Some("last"));
            assert_eq!(ours.get("zA"), Some(&Val::Null));
        }
    }

    /// `n` members of an object inside another, written by `members` into a sink that takes
    /// `room` bytes (then refuses), with `help` offered first or not at all; with
    /// `wait_for_helper`, the writing thread waits for the helper to write a member before it writes its first.
    fn members_text(
        n: usize,
        help: Option<&Help>,
        room: usize,
        wait_for_helper: bool,
    ) -> (Vec<u8>, io::Result<()>, Vec<String>) {
        struct Room<'a>(&'a mut Vec<u8>, usize);
        impl io::Write for Room<'_> {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.0.len() + buf.len() > self.1 {
                    return Err(io::Error::other("full"));
                }
                self.0.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let items: Vec<usize> = (0..n).collect();
        let threads = Mutex::new(Vec::new());
        let mut out = Vec::new();
        let result = Pretty::into_writer(&mut Room(&mut out, room), help, |w| {
            w.begin_object();
            w.str_member("before", "x");
            w.key("items");
            w.begin_object();
            w.members(&items, &|w, i| {
                let name = std::thread::current().name().unwrap_or_default().to_string();
                if wait_for_helper && name != "snapshot-help" {
                    // The writing thread waits for the helper to have written a member (30 s
                    // at most), however late it is scheduled on a loaded machine.
                    let start = std::time::Instant::now();
                    while !threads.lock().unwrap().iter().any(|t| t == "snapshot-help")
                        && start.elapsed() < std::time::Duration::from_secs(30)
                    {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                }
                threads.lock().unwrap().push(name);
                w.key(&format!("item{i}"));
                w.begin_object();
                w.strings_member("list", &["a\n", "b"]);
                w.end_object();
            });
            w.end_object();
            w.empty_object_member("after");
            w.end_object();
        });
        (out, result, threads.into_inner().unwrap())
    }

    /// With a helper or without, and however many pieces the members make, the text is the
    /// one written alone, which is serde_json's.
    #[test]
    fn members_written_with_help_are_the_text_written_alone() {
        for n in [0, 1, PIECE, 2 * PIECE - 1, 2 * PIECE, 2 * PIECE + 1, 7 * PIECE + 5] {
            let (alone, result, _) = members_text(n, None, usize::MAX, false);
            result.unwrap();
            let mut items = serde_json::Map::new();
            for i in 0..n {
                items.insert(format!("item{i}"), serde_json::json!({ "list": ["a\n", "b"] }));
            }
            let tree = serde_json::json!({ "before": "x", "items": items, "after": {} });
            assert_eq!(
                String::from_utf8(alone.clone()).unwrap(),
                serde_json::to_string_pretty(&tree).unwrap()
            );
            let help = Help::default();
            help.offer();
            let (helped, result, _) = members_text(n, Some(&help), usize::MAX, false);
            result.unwrap();
            assert_eq!(helped, alone, "{n} members");
        }
    }

    /// An offer made before the writing is taken: the helper writes some of the pieces.
    #[test]
    fn an_offer_of_help_is_taken() {
        let help = Help::default();
        help.offer();
        let (text, result, threads) = members_text(10 * PIECE, Some(&help), usize::MAX, true);
        result.unwrap();
        assert_eq!(text, members_text(10 * PIECE, None, usize::MAX, false).0);
        let helped = threads.iter().filter(|t| *t == "snapshot-help").count();
        assert!(
            helped > 0 && helped < 10 * PIECE,
            "{helped} of {} by the helper",
            10 * PIECE
        );
        assert_eq!(helped % PIECE, 0, "the helper writes whole pieces");
    }

    /// A write done before any offer leaves its helper unstarted, and the offer made later
    /// is not taken.
    #[test]
    fn a_write_done_before_the_offer_is_written_alone() {
        let help = Help::default();
        let (_, result, threads) = members_text(4 * PIECE, Some(&help), usize::MAX, false);
        result.unwrap();
        assert!(threads.iter().all(|t| t != "snapshot-help"), "{threads:?}");
        help.offer();
        assert!(!help.wait(), "a closed offer is not taken");
    }

    /// A sink that refuses text stops the writer and its helper: the sink's error, and only
    /// whole text before it.
    #[test]
    fn a_refusing_sink_stops_writer_and_helper() {
        let (whole, _, _) = members_text(100 * PIECE, None, usize::MAX, false);
        for room in [10, whole.len() / 2, whole.len() - 1] {
            let help = Help::default();
            help.offer();
            let (part, result, threads) = members_text(100 * PIECE, Some(&help), room, false);
            assert_eq!(
                result.map_err(|e| e.to_string()),
                Err("full".to_string()),
                "room {room}, wrote {} of {}",
                part.len(),
                whole.len()
            );
            assert!(whole.starts_with(&part) && part.len() <= room);
            assert!(threads.len() <= 100 * PIECE);
        }
    }

    /// A panic while writing a member reaches the caller, whether or not help was offered:
    /// the helper waiting for an offer is let go rather than waited for.
    #[test]
    fn a_panic_while_writing_reaches_the_caller() {
        for offered in [false, true] {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let help = Help::default();
                if offered {
                    help.offer();
                }
                let items: Vec<usize> = (0..8 * PIECE).collect();
                let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let mut out = Vec::new();
                    let _ = Pretty::into_writer(&mut out, Some(&help), |w| {
                        w.begin_object();
                        w.members(&items, &|w, i| {
                            assert!(*i != 5 * PIECE + 3, "a table that cannot be written");
                            w.str_member(&i.to_string(), "x");
                        });
                        w.end_object();
                    });
                }));
                let _ = tx.send(caught.is_err());
            });
            let answer = rx.recv_timeout(std::time::Duration::from_secs(30));
            assert_eq!(answer, Ok(true), "offered: {offered}: the panic did not come back");
        }
    }
}
