//! Event schemas: for every catalog event type, the shape of its `input` — each field's
//! type, whether it is always there, whether it may be null, and the values an enumeration
//! takes (a ticket's `status`, `priority`, `type`, a user's `role`). Only closed lists are
//! enumerations: a Choice comparing with a value outside one is reported as never true, so
//! `via.channel`, whose values Zendesk keeps adding to, is a plain string.
//!
//! A schema is derived from the catalog's own sample ([`crate::catalog::sample_input`])
//! plus the facts the sample cannot show (which fields may be null, which enumerations a
//! field's values come from, zis-facts.md 6), so sample and schema cannot drift apart: a
//! sample always conforms to its schema ([`conforms`], tested for every event).

use crate::catalog::{EventType, sample_input};
pub use zis_engine::shape::{Field, Obj, Shape, conforms, to_json};

/// Fields that may be null (a path of field names under the family object).
const NULLABLE: &[&str] = &[
    "ticket.external_id",
    // Unset on a ticket that never had one.
    "ticket.priority",
    "ticket.type",
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
    ("user.role", &["end-user", "agent", "admin"]),
];

/// The schema of an event type's `input`.
pub fn schema(event: &EventType) -> Shape {
    let sample = sample_input(event);
    let mut shape = Shape::of(&sample);
    // The family object (`ticket_event`, `user_event`, …) holds the annotated paths.
    if let Shape::Object(top) = &mut shape {
        for field in top.fields.values_mut() {
            annotate(&mut field.shape, "");
        }
    }
    // A custom field's values take the field's type (checkbox, number, text…): unknown.
    if event.event_type.ends_with("CustomFieldChanged")
        && let Shape::Object(top) = &mut shape
    {
        for f in top.fields.values_mut() {
            if let Shape::Object(body) = &mut f.shape {
                for key in ["previous", "current"] {
                    if let Some(f) = body.fields.get_mut(key) {
                        f.shape = Shape::Unknown;
                        f.nullable = true;
                    }
                }
            }
        }
    }
    // `previous`/`current` take the values of the field they describe.
    if let (Shape::Object(top), Some(field)) = (&mut shape, changed_field(event)) {
        for f in top.fields.values_mut() {
            let Shape::Object(body) = &mut f.shape else {
                continue;
            };
            let values = ENUMS.iter().find(|(p, _)| *p == field).map(|(_, v)| *v);
            if let Some(values) = values {
                for key in ["previous", "current"] {
                    if let Some(f) = body.fields.get_mut(key) {
                        f.shape = Shape::one_of(values);
                    }
                }
            }
        }
    }
    shape
}

/// How messages name an event: `support/ticket.TicketCreated`.
pub fn event_name(event: &EventType) -> String {
    format!("{}/{}", event.source, event.event_type)
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

/// Marks nullable fields and enumerations under `path`.
fn annotate(shape: &mut Shape, path: &str) {
    let Shape::Object(obj) = shape else { return };
    for (k, f) in obj.fields.iter_mut() {
        let here = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if NULLABLE.contains(&here.as_str()) {
            f.nullable = true;
        }
        if let Some((_, values)) = ENUMS.iter().find(|(p, _)| *p == here) {
            f.shape = Shape::one_of(values);
        }
        annotate(&mut f.shape, &here);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{EVENTS, find};
    use serde_json::{Value, json};

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
