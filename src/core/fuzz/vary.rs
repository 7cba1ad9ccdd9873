//! Variants of an event: the changes ([`Mutation`]) its schema allows to a sample, so a
//! variant is still an event ZIS could send: an optional field absent, a
//! nullable one `null`, an array empty, an enumeration's other values, a long string, a
//! string of non-ASCII text.

use serde_json::{Value, json};
use zis_engine::json::pointer;
use zis_engine::shape::Shape;

/// One change to an event's `input`.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    /// JSON pointer into `input`.
    pub pointer: String,
    /// What changes there.
    pub kind: Kind,
}

/// What a [`Mutation`] does.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// The field is removed.
    Absent,
    /// The field becomes `null`.
    Null,
    /// The array becomes `[]`.
    EmptyArray,
    /// The string becomes another value of its enumeration.
    OtherValue(String),
    /// The string becomes 4,096 characters long.
    LongString,
    /// The string becomes non-ASCII text (accents, CJK, an emoji).
    Unicode,
}

/// The text a [`Kind::Unicode`] change writes.
pub const UNICODE: &str = "Ünïcødé ✓ 漢字 🚀";

impl Mutation {
    /// For a person: `/ticket_event/ticket/status = "hold"`.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Absent => format!("{} absent", self.pointer),
            Kind::Null => format!("{} = null", self.pointer),
            Kind::EmptyArray => format!("{} = []", self.pointer),
            Kind::OtherValue(v) => format!("{} = {v:?}", self.pointer),
            Kind::LongString => format!("{} = a 4,096-character string", self.pointer),
            Kind::Unicode => format!("{} = {UNICODE:?}", self.pointer),
        }
    }

    /// Applies the change; a pointer that no longer exists (its parent was removed) is
    /// left alone.
    pub fn apply(&self, input: &mut Value) {
        if self.kind == Kind::Absent {
            let parent = pointer::parent(&self.pointer);
            let key = self.pointer[parent.len()..]
                .trim_start_matches('/')
                .replace("~1", "/")
                .replace("~0", "~");
            if let Some(Value::Object(m)) = input.pointer_mut(parent) {
                m.remove(&key);
            }
            return;
        }
        let Some(slot) = input.pointer_mut(&self.pointer) else {
            return;
        };
        *slot = match &self.kind {
            Kind::Null => Value::Null,
            Kind::EmptyArray => json!([]),
            Kind::OtherValue(v) => json!(v),
            Kind::LongString => json!("long text ".repeat(410)[..4096].to_string()),
            Kind::Unicode => json!(UNICODE),
            Kind::Absent => return,
        };
    }
}

/// Every change the schema allows to `sample`. With `all_optional` (a webhook payload
/// known only by a sample) every field may be absent.
pub fn candidates(sample: &Value, shape: &Shape, all_optional: bool) -> Vec<Mutation> {
    let mut out = Vec::new();
    walk(sample, shape, "", "", all_optional, &mut out);
    out
}

/// A string that is free text, not an id, a reference, a version, a URL or a timestamp
/// (which ZIS never sends as prose).
fn is_text(key: &str, s: &str) -> bool {
    let code = key == "id"
        || key.ends_with("_id")
        || key == "ref"
        || key == "version"
        || key == "url"
        || key.ends_with("_url")
        || key.ends_with("_at");
    !code && !zis_engine::validate::is_rfc3339(s)
}

fn walk(
    v: &Value,
    shape: &Shape,
    at: &str,
    key: &str,
    all_optional: bool,
    out: &mut Vec<Mutation>,
) {
    let mut push = |kind| {
        out.push(Mutation {
            pointer: at.to_string(),
            kind,
        })
    };
    match (v, shape) {
        (Value::String(s), Shape::String(values)) => {
            for other in values.iter().flatten().filter(|o| *o != s) {
                push(Kind::OtherValue(other.clone()));
            }
            if values.is_none() && is_text(key, s) {
                push(Kind::LongString);
                push(Kind::Unicode);
            }
        }
        (Value::String(s), Shape::Unknown) if is_text(key, s) => {
            push(Kind::LongString);
            push(Kind::Unicode);
        }
        (Value::Array(items), _) => {
            if !items.is_empty() {
                push(Kind::EmptyArray);
            }
            let item = match shape {
                Shape::Array(item) => item.as_ref(),
                _ => &Shape::Unknown,
            };
            if let Some(first) = items.first() {
                walk(first, item, &format!("{at}/0"), key, all_optional, out);
            }
        }
        (Value::Object(m), _) => {
            let fields = match shape {
                Shape::Object(o) => Some(&o.fields),
                _ => None,
            };
            for (k, x) in m {
                let here = pointer::push(at, k);
                let field = fields.and_then(|f| f.get(k));
                let (optional, nullable) = field.map_or((all_optional, all_optional), |f| {
                    (!f.required || all_optional, f.nullable)
                });
                if optional {
                    out.push(Mutation {
                        pointer: here.clone(),
                        kind: Kind::Absent,
                    });
                }
                if nullable && !x.is_null() {
                    out.push(Mutation {
                        pointer: here.clone(),
                        kind: Kind::Null,
                    });
                }
                let inner = field.map_or(&Shape::Unknown, |f| &f.shape);
                walk(x, inner, &here, k, all_optional, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zis_services::{catalog, schema};

    #[test]
    fn a_status_event_varies_by_its_schema_and_every_variant_still_conforms() {
        let e = catalog::find("support", "ticket.StatusChanged").unwrap();
        let (sample, shape) = (catalog::sample_input(e), schema::schema(e));
        let all = candidates(&sample, &shape, false);
        let described: Vec<String> = all.iter().map(Mutation::describe).collect();
        assert!(described.contains(&"/ticket_event/ticket/status = \"hold\"".to_string()));
        assert!(described.contains(&"/ticket_event/ticket/assignee_id = null".to_string()));
        assert!(described.contains(&"/ticket_event/ticket/tags = []".to_string()));
        assert!(
            !described
                .iter()
                .any(|d| d.starts_with("/ticket_event/ticket/id "))
        );
        for m in &all {
            let mut v = sample.clone();
            m.apply(&mut v);
            schema::conforms(&v, &shape).unwrap_or_else(|why| panic!("{}: {why}", m.describe()));
        }
    }
}
