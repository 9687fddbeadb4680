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

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A pretty-printing JSON writer: the caller opens containers, writes keys and values, and
/// closes them; commas, newlines and indentation come out as serde_json's pretty printer's.
pub struct Pretty {
    out: String,
    /// Whether the innermost open container has an element yet.
    has_value: Vec<bool>,
}

impl Pretty {
    /// An empty writer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Pretty {
        Pretty {
            out: String::with_capacity(capacity),
            has_value: Vec::new(),
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.has_value.len() {
            self.out.push_str("  ");
        }
    }

    /// Before an element of the innermost container: a comma after the previous one, a
    /// newline and the indentation.
    fn slot(&mut self) {
        match self.has_value.last_mut() {
            Some(has) => {
                self.out.push_str(if *has { ",\n" } else { "\n" });
                *has = true;
            }
            None => return,
        }
        self.indent();
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
        self.out.push('"');
        let bytes = s.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc: &str = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0x00..=0x1f => "",
                _ => continue,
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
    /// Reads `text` with serde_json's parser (the same errors, the same nesting limit).
    pub fn parse(text: &'a str) -> Result<Val<'a>, serde_json::Error> {
        serde_json::from_str(text)
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
}
