//! JSON with source positions.
//!
//! [`parse`] reads JSON text into a [`Spanned`] tree that remembers the byte span of every
//! value and key, the key order, and duplicate keys. [`LineIndex`] turns byte offsets into
//! 1-based line and column numbers. [`write`] renders values canonically and splices edited
//! values into the original text so that unchanged parts keep their bytes.

mod lines;
mod parse;
pub mod pointer;
pub mod write;

pub use lines::{LineCol, LineIndex};
pub use parse::{MAX_DEPTH, ParseError, parse};

use serde_json::{Map, Number, Value};

/// A byte range `[start, end)` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte of the item.
    pub start: usize,
    /// One past the last byte of the item.
    pub end: usize,
}

/// A JSON value together with where it stands in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned {
    /// Bytes of the whole value, brackets and quotes included.
    pub span: Span,
    /// The value itself.
    pub kind: Kind,
}

/// The kinds of JSON value, with spanned children.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, as serde_json reads it.
    Number(Number),
    /// A string, unescaped.
    String(String),
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
    /// The key, unescaped.
    pub key: String,
    /// Bytes of the key, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Spanned,
}

impl Object {
    /// The members as serde_json sees them: one per key, in first-occurrence order, last value wins.
    pub fn effective(&self) -> Vec<(&str, &Spanned)> {
        if !self.has_duplicates {
            return self
                .members
                .iter()
                .map(|m| (m.key.as_str(), &m.value))
                .collect();
        }
        let mut out: Vec<(&str, &Spanned)> = Vec::with_capacity(self.members.len());
        for m in &self.members {
            if let Some(slot) = out.iter_mut().find(|(k, _)| *k == m.key) {
                slot.1 = &m.value;
            } else {
                out.push((m.key.as_str(), &m.value));
            }
        }
        out
    }

    /// The member with this key (the last one when duplicated).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members.iter().rev().find(|m| m.key == key)
    }
}

impl Spanned {
    /// Converts to a serde_json value (key order kept).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(s.clone()),
            Kind::Array(items) => Value::Array(items.iter().map(Spanned::to_value).collect()),
            Kind::Object(obj) => {
                let mut map = Map::new();
                for m in &obj.members {
                    map.insert(m.key.clone(), m.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// True when `value` is this value with the same key order everywhere.
    pub fn same_as(&self, value: &Value) -> bool {
        match (&self.kind, value) {
            (Kind::Null, Value::Null) => true,
            (Kind::Bool(a), Value::Bool(b)) => a == b,
            (Kind::Number(a), Value::Number(b)) => a == b,
            (Kind::String(a), Value::String(b)) => a == b,
            (Kind::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Kind::Object(a), Value::Object(b)) => {
                let eff = a.effective();
                eff.len() == b.len()
                    && eff
                        .iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| *ka == kb && va.same_as(vb))
            }
            _ => false,
        }
    }

    /// The value at a JSON pointer (RFC 6901), if any.
    pub fn find(&self, pointer: &str) -> Option<&Spanned> {
        let mut node = self;
        for token in pointer::tokens(pointer)? {
            node = node.child(&token)?;
        }
        Some(node)
    }

    /// The member whose value is at `pointer` (for key spans), if the pointer ends in an object key.
    pub fn find_member(&self, pointer: &str) -> Option<&Member> {
        let tokens = pointer::tokens(pointer)?;
        let (last, parents) = tokens.split_last()?;
        let mut node = self;
        for token in parents {
            node = node.child(token)?;
        }
        match &node.kind {
            Kind::Object(obj) => obj.get(last),
            _ => None,
        }
    }

    fn child(&self, token: &str) -> Option<&Spanned> {
        match &self.kind {
            Kind::Object(obj) => obj.get(token).map(|m| &m.value),
            Kind::Array(items) => {
                if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
                    return None;
                }
                items.get(token.parse::<usize>().ok()?)
            }
            _ => None,
        }
    }
}
