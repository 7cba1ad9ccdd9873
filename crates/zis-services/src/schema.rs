//! Event schemas: for every catalog event type, the shape of its `input` — each field's
//! type, whether it is always there, whether it may be null, and the values an enumeration
//! takes (a ticket's `status`, `priority`, `type`, a user's `role`, `via.channel`).
//!
//! A schema is derived from the catalog's own sample ([`crate::catalog::sample_input`])
//! plus the facts the sample cannot show (which fields may be null, which enumerations a
//! field's values come from, zis-facts.md 6), so sample and schema cannot drift apart: a
//! sample always conforms to its schema ([`conforms`], tested for every event).

use crate::catalog::{EventType, sample_input};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The shape of a JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// Any value (nothing known).
    Any,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string, from these values when known.
    String(Option<Vec<String>>),
    /// An array of items of one shape.
    Array(Box<Shape>),
    /// An object with these fields.
    Object(BTreeMap<String, Field>),
}

/// One field of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its shape (when not null).
    pub shape: Shape,
    /// Always present.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
}

/// Fields that may be null (a path of field names under the family object, `*` for any
/// entity).
const NULLABLE: &[&str] = &[
    "ticket.external_id",
    "ticket.assignee_id",
    "ticket.organization_id",
    "ticket.group_id",
    "ticket.form_id",
    "ticket.brand_id",
    "user.external_id",
    "user.organization_id",
    "user.default_group_id",
    "organization.external_id",
    "organization.group_id",
    "custom_object_record.external_id",
    "custom_object.external_id",
    "previous",
    "current",
];

/// Enumerations: a path under the family object and its values.
const ENUMS: &[(&str, &[&str])] = &[
    (
        "ticket.status",
        &["new", "open", "pending", "hold", "solved", "closed"],
    ),
    ("ticket.priority", &["low", "normal", "high", "urgent"]),
    ("ticket.type", &["problem", "incident", "question", "task"]),
    (
        "ticket.via.channel",
        &[
            "email",
            "web",
            "api",
            "mobile",
            "chat",
            "native_messaging",
            "voice",
            "facebook",
            "twitter",
            "sms",
            "any_channel",
        ],
    ),
    ("user.role", &["end-user", "agent", "admin"]),
];

/// The schema of an event type's `input`.
pub fn schema(event: &EventType) -> Shape {
    let sample = sample_input(event);
    let mut shape = infer(&sample);
    // The family object (`ticket_event`, `user_event`, …) holds the annotated paths.
    if let Shape::Object(top) = &mut shape {
        for field in top.values_mut() {
            annotate(&mut field.shape, "");
        }
    }
    // `previous`/`current` take the values of the field they describe.
    if let (Shape::Object(top), Some(field)) = (&mut shape, changed_field(event)) {
        for f in top.values_mut() {
            let Shape::Object(body) = &mut f.shape else {
                continue;
            };
            let values = ENUMS.iter().find(|(p, _)| *p == field).map(|(_, v)| *v);
            if let Some(values) = values {
                for key in ["previous", "current"] {
                    if let Some(f) = body.get_mut(key) {
                        f.shape =
                            Shape::String(Some(values.iter().map(|s| s.to_string()).collect()));
                    }
                }
            }
        }
    }
    shape
}

/// The entity field a `*Changed` event is about, when it has an enumeration.
fn changed_field(event: &EventType) -> Option<&'static str> {
    match event.event_type {
        "ticket.StatusChanged" => Some("ticket.status"),
        "ticket.PriorityChanged" => Some("ticket.priority"),
        "ticket.TicketTypeChanged" => Some("ticket.type"),
        "user.UserRoleChanged" => Some("user.role"),
        _ => None,
    }
}

/// The shape of a value, every field required and not null.
fn infer(v: &Value) -> Shape {
    match v {
        Value::Null => Shape::Any,
        Value::Bool(_) => Shape::Bool,
        Value::Number(_) => Shape::Number,
        Value::String(_) => Shape::String(None),
        Value::Array(items) => Shape::Array(Box::new(items.first().map_or(Shape::Any, infer))),
        Value::Object(m) => Shape::Object(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Field {
                            shape: infer(v),
                            required: true,
                            nullable: v.is_null(),
                        },
                    )
                })
                .collect(),
        ),
    }
}

/// Marks nullable fields and enumerations under `path`.
fn annotate(shape: &mut Shape, path: &str) {
    let Shape::Object(fields) = shape else { return };
    for (k, f) in fields.iter_mut() {
        let here = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if NULLABLE.contains(&here.as_str()) {
            f.nullable = true;
        }
        if let Some((_, values)) = ENUMS.iter().find(|(p, _)| *p == here) {
            f.shape = Shape::String(Some(values.iter().map(|s| s.to_string()).collect()));
        }
        annotate(&mut f.shape, &here);
    }
}

/// Whether `v` has the shape; else the JSON pointer of the first difference and why.
pub fn conforms(v: &Value, shape: &Shape) -> Result<(), String> {
    check(v, shape, "")
}

fn check(v: &Value, shape: &Shape, at: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{}: {why}", if at.is_empty() { "/" } else { at }));
    match (shape, v) {
        (Shape::Any, _) | (Shape::Bool, Value::Bool(_)) | (Shape::Number, Value::Number(_)) => {
            Ok(())
        }
        (Shape::String(values), Value::String(s)) => match values {
            Some(vs) if !vs.contains(s) => fail(format!("{s:?} is not one of {vs:?}")),
            _ => Ok(()),
        },
        (Shape::Array(item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                check(x, item, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        (Shape::Object(fields), Value::Object(m)) => {
            for (k, f) in fields {
                let here = format!("{at}/{k}");
                match m.get(k) {
                    None if f.required => return fail(format!("{k} is missing")),
                    None => {}
                    Some(Value::Null) if f.nullable => {}
                    Some(Value::Null) => return Err(format!("{here}: may not be null")),
                    Some(x) => check(x, &f.shape, &here)?,
                }
            }
            Ok(())
        }
        (expected, got) => fail(format!(
            "{} where {} was expected",
            kind(got),
            name(expected)
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn name(s: &Shape) -> &'static str {
    match s {
        Shape::Any => "anything",
        Shape::Bool => "a boolean",
        Shape::Number => "a number",
        Shape::String(_) => "a string",
        Shape::Array(_) => "an array",
        Shape::Object(_) => "an object",
    }
}

/// The schema as JSON (a JSON Schema subset: `type`, `properties`, `required`, `enum`,
/// `items`, `nullable`), for tools and the user.
pub fn to_json(shape: &Shape) -> Value {
    match shape {
        Shape::Any => json!({}),
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Number => json!({"type": "number"}),
        Shape::String(None) => json!({"type": "string"}),
        Shape::String(Some(values)) => json!({"type": "string", "enum": values}),
        Shape::Array(item) => json!({"type": "array", "items": to_json(item)}),
        Shape::Object(fields) => {
            let mut props = Map::new();
            let mut required = Vec::new();
            for (k, f) in fields {
                let mut p = to_json(&f.shape);
                if f.nullable
                    && let Value::Object(m) = &mut p
                {
                    m.insert("nullable".into(), json!(true));
                }
                props.insert(k.clone(), p);
                if f.required {
                    required.push(k.clone());
                }
            }
            json!({"type": "object", "properties": props, "required": required})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{EVENTS, find};

    #[test]
    fn every_sample_conforms_to_its_schema() {
        for e in EVENTS {
            let s = schema(e);
            conforms(&sample_input(e), &s).unwrap_or_else(|why| panic!("{}: {why}", e.event_type));
        }
    }

    #[test]
    fn schemas_know_enumerations_nulls_and_what_a_field_is() {
        let e = find("support", "ticket.StatusChanged").unwrap();
        let s = schema(e);
        let mut v = sample_input(e);
        v["ticket_event"]["ticket"]["status"] = json!("archived");
        let why = conforms(&v, &s).unwrap_err();
        assert!(why.starts_with("/ticket_event/ticket/status"), "{why}");
        v["ticket_event"]["ticket"]["status"] = json!("pending");
        v["ticket_event"]["ticket"]["assignee_id"] = Value::Null;
        conforms(&v, &s).unwrap();
        v["ticket_event"]["current"] = json!("gone");
        assert!(
            conforms(&v, &s)
                .unwrap_err()
                .contains("/ticket_event/current")
        );
        v["ticket_event"]["current"] = json!("closed");
        v["ticket_event"]["ticket"]["requester_id"] = json!("9001");
        let why = conforms(&v, &s).unwrap_err();
        assert!(
            why.contains("requester_id") && why.contains("a string where a number"),
            "{why}"
        );
        v["ticket_event"]["ticket"]
            .as_object_mut()
            .unwrap()
            .remove("requester_id");
        assert!(
            conforms(&v, &s)
                .unwrap_err()
                .contains("requester_id is missing")
        );
        let j = to_json(&s);
        assert_eq!(
            j["properties"]["ticket_event"]["properties"]["ticket"]["properties"]["priority"]["enum"]
                [3],
            "urgent"
        );
    }
}
