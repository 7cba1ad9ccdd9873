//! Lenient typed reads from a JSON value that record what had the wrong shape.

use crate::json::pointer;
use serde_json::{Map, Value};

/// A field of the wrong JSON type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeIssue {
    /// The field's pointer.
    pub pointer: String,
    /// What was expected and found, e.g. `a string, found a number`.
    pub expected: String,
}

/// Collects shape issues while reading.
#[derive(Default)]
pub(crate) struct Reader {
    pub issues: Vec<ShapeIssue>,
}

/// `obj[key]`; small objects (most states) are scanned, which beats hashing the key.
pub(crate) fn field<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if obj.len() <= 12 {
        obj.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        obj.get(key)
    }
}

/// True when `obj` has `key`.
pub(crate) fn has(obj: &Map<String, Value>, key: &str) -> bool {
    field(obj, key).is_some()
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Reader {
    pub fn wrong(&mut self, pointer: &str, expected: &str, found: &Value) {
        self.issues.push(ShapeIssue {
            pointer: pointer.to_string(),
            expected: format!("{expected}, found {}", type_name(found)),
        });
    }

    pub fn object<'v>(&mut self, v: &'v Value, pointer: &str) -> Option<&'v Map<String, Value>> {
        self.object_expecting(v, pointer, "an object")
    }

    pub fn object_expecting<'v>(
        &mut self,
        v: &'v Value,
        pointer: &str,
        expected: &str,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.wrong(pointer, expected, other);
                None
            }
        }
    }

    pub fn array<'v>(
        &mut self,
        v: &'v Value,
        pointer: &str,
        expected: &str,
    ) -> Option<&'v Vec<Value>> {
        match v {
            Value::Array(a) => Some(a),
            other => {
                self.wrong(pointer, expected, other);
                None
            }
        }
    }

    /// `obj[key]` as a string; absent gives `None` silently, another type records an issue.
    pub fn string_field<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        parent: &str,
        key: &str,
    ) -> Option<&'v str> {
        match field(obj, key)? {
            Value::String(s) => Some(s.as_str()),
            other => {
                self.wrong(&pointer::push(parent, key), "a string", other);
                None
            }
        }
    }

    pub fn bool_field(
        &mut self,
        obj: &Map<String, Value>,
        parent: &str,
        key: &str,
    ) -> Option<bool> {
        match field(obj, key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong(&pointer::push(parent, key), "true or false", other);
                None
            }
        }
    }
}
