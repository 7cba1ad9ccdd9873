//! JSON with source positions.
//!
//! [`parse`] reads JSON text into a serde_json value (key order kept) and, alongside it, a
//! [`Spanned`] tree that remembers the byte span of every value and key and duplicate keys. [`LineIndex`] turns byte offsets into
//! 1-based line and column numbers. [`write`] renders values canonically and splices edited
//! values into the original text so that unchanged parts keep their bytes.

mod lines;
mod parse;
pub mod pointer;
pub mod write;

pub use lines::{LineCol, LineIndex};
pub use parse::{MAX_DEPTH, ParseError, parse};

use serde_json::Value;
use std::borrow::Cow;

/// A byte range `[start, end)` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte of the item.
    pub start: usize,
    /// One past the last byte of the item.
    pub end: usize,
}

/// Where a JSON value stands in the source: spans only, the values live in a
/// [`serde_json::Value`] parsed alongside ([`Parsed`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// Bytes of the whole value, brackets and quotes included.
    pub span: Span,
    /// Its structure.
    pub kind: Kind,
}

/// The structure of a value: containers keep their children's spans.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`, a boolean, a number or a string.
    Scalar,
    /// An array.
    Array(Vec<Spanned>),
    /// An object, members in source order (duplicates kept).
    Object(Object),
}

/// An object's members in source order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Object {
    /// Members as written, duplicates included.
    pub members: Vec<Member>,
    /// True when some key occurs twice; the last occurrence wins, as in serde_json.
    pub has_duplicates: bool,
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Bytes of the key, quotes included; [`Member::key`] reads it.
    pub key_span: Span,
    /// The value's spans.
    pub value: Spanned,
}

/// A parsed text: the value (key order kept) and where each part of it stands.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The spans.
    pub tree: Spanned,
    /// The value, as serde_json would read it (the last of duplicate keys wins).
    pub value: Value,
    /// True when some object anywhere repeats a key.
    pub has_duplicates: bool,
}

impl Member {
    /// The key, unescaped, read from the source `text` it was parsed from.
    pub fn key<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let raw = text
            .get(self.key_span.start..self.key_span.end)
            .unwrap_or("\"\"");
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        if inner.contains('\\') {
            Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_default())
        } else {
            Cow::Borrowed(inner)
        }
    }
}

impl Object {
    /// The member with this key (the last one when duplicated).
    pub fn get(&self, text: &str, key: &str) -> Option<&Member> {
        self.members.iter().rev().find(|m| m.key(text) == key)
    }
}

/// True when `a` and `b` are equal with the same key order everywhere (serde_json's own
/// equality ignores object key order).
pub fn same_ordered(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_ordered(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same_ordered(va, vb))
        }
        _ => a == b,
    }
}

impl Spanned {
    /// The spans of the value at a JSON pointer (RFC 6901) in `text`, the source parsed.
    pub fn find(&self, text: &str, pointer: &str) -> Option<&Spanned> {
        let mut node = self;
        for token in pointer::tokens(pointer)? {
            node = node.child(text, &token)?;
        }
        Some(node)
    }

    /// The member whose value is at `pointer` (for key spans), if the pointer ends in an object key.
    pub fn find_member(&self, text: &str, pointer: &str) -> Option<&Member> {
        let tokens = pointer::tokens(pointer)?;
        let (last, parents) = tokens.split_last()?;
        let mut node = self;
        for token in parents {
            node = node.child(text, token)?;
        }
        match &node.kind {
            Kind::Object(obj) => obj.get(text, last),
            _ => None,
        }
    }

    fn child(&self, text: &str, token: &str) -> Option<&Spanned> {
        match &self.kind {
            Kind::Object(obj) => obj.get(text, token).map(|m| &m.value),
            Kind::Array(items) => {
                if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
                    return None;
                }
                items.get(token.parse::<usize>().ok()?)
            }
            Kind::Scalar => None,
        }
    }
}
