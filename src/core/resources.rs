//! Whole-resource edits (add, rename, delete flows, actions and job specs), search across
//! every flow, and where a validator pointer leads. No egui.

use super::edit::rename_key;
use serde_json::{Map, Value, json};

/// The kind of a resource, for grouping and colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// `ZIS::Flow`.
    Flow,
    /// `ZIS::Action::Http`.
    Action,
    /// `ZIS::JobSpec`.
    JobSpec,
    /// Anything else.
    Other,
}

/// The fresh resource of a kind, named `name`, in an integration.
pub fn template(kind: ResourceKind, name: &str, integration: &str, first_flow: &str) -> Value {
    match kind {
        ResourceKind::Flow => json!({
            "type": "ZIS::Flow",
            "properties": {"name": name, "definition": {
                "StartAt": "Done",
                "States": {"Done": {"Type": "Succeed"}}
            }}
        }),
        ResourceKind::Action => json!({
            "type": "ZIS::Action::Http",
            "properties": {"name": name, "definition": {
                "method": "GET",
                "path": "/api/v2/tickets/{{$.ticket_id}}.json",
                "connectionName": "zendesk"
            }}
        }),
        ResourceKind::JobSpec | ResourceKind::Other => json!({
            "type": "ZIS::JobSpec",
            "properties": {
                "name": name,
                "event_source": "support",
                "event_type": "ticket.TicketCreated",
                "flow_name": format!("zis:{integration}:flow:{first_flow}")
            }
        }),
    }
}

/// The word a kind's resources are named with in `zis:<integration>:<word>:<name>`.
pub fn kind_word(kind: ResourceKind) -> Option<&'static str> {
    match kind {
        ResourceKind::Flow => Some("flow"),
        ResourceKind::Action => Some("action"),
        _ => None,
    }
}

/// The integration key the bundle's references use (`zis:<key>:flow:...` in job specs,
/// `zis:<key>:action:...` in flows); the bundle's `name` when nothing says.
pub fn integration_key(bundle: &Value) -> String {
    fn scan(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => {
                let mut parts = s.split(':');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some("zis"), Some(key), Some("flow" | "action"))
                        if key != "common" && !key.is_empty() =>
                    {
                        Some(key.to_string())
                    }
                    _ => None,
                }
            }
            Value::Array(items) => items.iter().find_map(scan),
            Value::Object(map) => map.values().find_map(scan),
            _ => None,
        }
    }
    bundle
        .get("resources")
        .and_then(scan)
        .or_else(|| {
            bundle
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// Renames the resource `old` to `new` (key and `properties.name`, its place kept) and every
/// full reference to it (`zis:<integration>:flow:<old>` in job specs, `...:action:<old>` in
/// flows). `false` when `new` is taken or `old` missing.
pub fn rename(bundle: &mut Value, old: &str, new: &str, kind: ResourceKind) -> bool {
    let integration = integration_key(bundle);
    let Some(resources) = bundle.get_mut("resources").and_then(Value::as_object_mut) else {
        return false;
    };
    if !rename_key(resources, old, new) {
        return false;
    }
    if let Some(props) = resources
        .get_mut(new)
        .and_then(|r| r.get_mut("properties"))
        .and_then(Value::as_object_mut)
        && props.get("name").and_then(Value::as_str) == Some(old)
    {
        props.insert("name".into(), Value::String(new.into()));
    }
    if let Some(word) = kind_word(kind) {
        let from = format!("zis:{integration}:{word}:{old}");
        let to = format!("zis:{integration}:{word}:{new}");
        for res in resources.values_mut() {
            replace_strings(res, &from, &to);
        }
    }
    true
}

fn replace_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(items) => items.iter_mut().for_each(|i| replace_strings(i, from, to)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_strings(i, from, to)),
        _ => {}
    }
}

/// A fresh resource key from `base`.
pub fn unique_key(resources: &Map<String, Value>, base: &str) -> String {
    super::edit::fresh_name(base, |k| resources.contains_key(k))
}

/// One place [`find`] found the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The resource.
    pub resource: String,
    /// Map states to open, outermost first, for a state inside an iterator.
    pub map_path: Vec<String>,
    /// The state, if the hit is in one.
    pub state: Option<String>,
    /// What matched, for the list.
    pub what: String,
}

/// Finds `query` (case-insensitive) in state names, action names and any text of every
/// flow, and in resource names.
pub fn find(bundle: &Value, query: &str) -> Vec<Hit> {
    let q = query.trim().to_lowercase();
    let mut hits = Vec::new();
    if q.is_empty() {
        return hits;
    }
    let Some(resources) = bundle.get("resources").and_then(Value::as_object) else {
        return hits;
    };
    for (key, res) in resources {
        let name = res
            .pointer("/properties/name")
            .and_then(Value::as_str)
            .unwrap_or(key);
        if key.to_lowercase().contains(&q) || name.to_lowercase().contains(&q) {
            hits.push(Hit {
                resource: key.clone(),
                map_path: Vec::new(),
                state: None,
                what: format!("resource {name}"),
            });
        } else if res.get("type").and_then(Value::as_str) != Some("ZIS::Flow")
            && contains_text(res, &q)
        {
            hits.push(Hit {
                resource: key.clone(),
                map_path: Vec::new(),
                state: None,
                what: format!("text in {name}"),
            });
        }
        if let Some(def) = res.pointer("/properties/definition")
            && res.get("type").and_then(Value::as_str) == Some("ZIS::Flow")
        {
            find_in_flow(key, def, &mut Vec::new(), &q, &mut hits);
        }
    }
    hits
}

fn find_in_flow(key: &str, def: &Value, path: &mut Vec<String>, q: &str, hits: &mut Vec<Hit>) {
    let Some(states) = def.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        let hit = |what: String| Hit {
            resource: key.to_string(),
            map_path: path.clone(),
            state: Some(name.clone()),
            what,
        };
        let action = state.get("ActionName").and_then(Value::as_str);
        if name.to_lowercase().contains(q) {
            hits.push(hit(format!("state {name}")));
        } else if let Some(a) = action.filter(|a| a.to_lowercase().contains(q)) {
            hits.push(hit(format!("{name}: action {a}")));
        } else {
            let mut own = state.clone();
            if let Some(o) = own.as_object_mut() {
                o.shift_remove("Iterator");
            }
            if contains_text(&own, q) {
                hits.push(hit(format!("{name}: text")));
            }
        }
        if let Some(inner) = state.get("Iterator") {
            path.push(name.clone());
            find_in_flow(key, inner, path, q, hits);
            path.pop();
        }
    }
}

fn contains_text(v: &Value, q: &str) -> bool {
    match v {
        Value::String(s) => s.to_lowercase().contains(q),
        Value::Number(n) => n.to_string().contains(q),
        Value::Array(items) => items.iter().any(|i| contains_text(i, q)),
        Value::Object(map) => map
            .iter()
            .any(|(k, i)| k.to_lowercase().contains(q) || contains_text(i, q)),
        _ => false,
    }
}

/// Where a validator pointer leads: the resource, the Map states to open, the state and the
/// pointer of the state's field.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Target {
    /// The resource key.
    pub resource: String,
    /// Map states to open.
    pub map_path: Vec<String>,
    /// The state.
    pub state: Option<String>,
    /// The whole pointer (for the field to focus).
    pub pointer: String,
}

/// Reads a pointer into the resource, map path and state it names.
pub fn locate(pointer: &str) -> Option<Target> {
    let tokens = zis_engine::json::pointer::tokens(pointer)?;
    let mut it = tokens.iter().map(String::as_str);
    if it.next()? != "resources" {
        return None;
    }
    let resource = it.next()?.to_string();
    let rest: Vec<&str> = it.collect();
    let mut target = Target {
        resource,
        pointer: pointer.to_string(),
        ..Target::default()
    };
    // properties / definition / States / S / (Iterator / States / S2)*
    let mut i = 0;
    if rest.get(..3) != Some(&["properties", "definition", "States"][..]) {
        return Some(target);
    }
    i += 3;
    while let Some(state) = rest.get(i) {
        target.state = Some((*state).to_string());
        i += 1;
        if rest.get(i..i + 2) == Some(&["Iterator", "States"][..]) && rest.get(i + 2).is_some() {
            target.map_path.push((*state).to_string());
            i += 2;
        } else {
            break;
        }
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Value {
        json!({"name": "acme", "resources": {
            "post": {"type": "ZIS::Action::Http", "properties": {"name": "post", "definition": {"method": "POST", "url": "https://x"}}},
            "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {"StartAt": "P", "States": {
                "P": {"Type": "Action", "ActionName": "zis:acme:action:post", "End": true},
                "M": {"Type": "Map", "Iterator": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Comment": "needle", "End": true}}}, "End": true}}}}},
            "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "flow_name": "zis:acme:flow:f"}}}})
    }

    #[test]
    fn rename_follows_references() {
        let mut b = bundle();
        assert!(rename(&mut b, "post", "post_message", ResourceKind::Action));
        assert_eq!(
            b.pointer("/resources/f/properties/definition/States/P/ActionName"),
            Some(&json!("zis:acme:action:post_message"))
        );
        assert!(rename(&mut b, "f", "g", ResourceKind::Flow));
        assert_eq!(
            b.pointer("/resources/j/properties/flow_name"),
            Some(&json!("zis:acme:flow:g"))
        );
        let keys: Vec<_> = b["resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["post_message", "g", "j"]);
        assert!(!rename(&mut b, "g", "j", ResourceKind::Flow));
    }

    #[test]
    fn the_integration_key_comes_from_references() {
        let mut b = bundle();
        assert_eq!(integration_key(&b), "acme");
        b["name"] = json!("bundle_name");
        assert_eq!(integration_key(&b), "acme");
        assert_eq!(integration_key(&json!({"name": "x", "resources": {}})), "x");
    }

    #[test]
    fn find_reaches_into_iterators() {
        let hits = find(&bundle(), "NEEDLE");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].map_path, ["M"]);
        assert_eq!(hits[0].state.as_deref(), Some("Inner"));
        let hits = find(&bundle(), "action:post");
        assert_eq!(hits[0].state.as_deref(), Some("P"));
    }

    #[test]
    fn locate_reads_nested_pointers() {
        let t = locate("/resources/f/properties/definition/States/M/Iterator/States/Inner/Next")
            .unwrap();
        assert_eq!(t.resource, "f");
        assert_eq!(t.map_path, ["M"]);
        assert_eq!(t.state.as_deref(), Some("Inner"));
        let t = locate("/resources/j/properties/flow_name").unwrap();
        assert_eq!(t.state, None);
    }
}
