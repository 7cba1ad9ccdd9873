//! The shape of `$` at every state of a bundle's flows ([`zis_engine::shape`]), started from
//! the catalog's event schemas ([`zis_services::schema`]) or, for an event the catalog does
//! not know (an inbound webhook), from the sample payload the user attached in the sidecar;
//! custom actions answer with their sidecar response sample's shape, else unknown.
//!
//! [`validate_text`] is what `validate`, the Problems list and the graph show: the
//! validator's findings and inference's (W016–W019), with positions.

use crate::core::sidecar::Sidecar;
use serde_json::Value;
use std::collections::BTreeMap;
use zis_engine::json;
use zis_engine::run::execution::Settings;
use zis_engine::shape::bundle::{BundleShapes, Start, infer_bundle};
use zis_engine::shape::flow::{FlowShapes, ResultOf};
use zis_engine::shape::{Shape, flow::envelope, join};
use zis_engine::validate::{self, Diagnostic, Options};
use zis_services::{catalog, schema};

/// The schema of an event's `input`: the catalog's, or the shape of the sidecar's sample
/// (`event_samples`, else an event saved under a name for that type); `None` when neither
/// is known. The second value names the event in messages.
pub fn event_schema(source: &str, event_type: &str, sidecar: &Sidecar) -> Option<(Shape, String)> {
    if let Some(e) = catalog::find(source, event_type) {
        return Some((schema::schema(e), schema::event_name(e)));
    }
    let key = format!("{source}/{event_type}");
    let sample = webhook_sample(sidecar, source, event_type)?;
    Some((Shape::of(sample), format!("{key} webhook")))
}

/// The sample payload of an event the catalog does not know: the one attached for
/// inference (`event_samples`), else an event saved from the debugger's payload editor for
/// that type.
pub fn webhook_sample<'s>(
    sidecar: &'s Sidecar,
    source: &str,
    event_type: &str,
) -> Option<&'s Value> {
    sidecar
        .event_samples
        .get(&format!("{source}/{event_type}"))
        .or_else(|| {
            sidecar
                .events
                .values()
                .find(|e| e.source == source && e.event_type == event_type)
                .map(|e| &e.payload)
        })
}

/// The sample of an Action state's result: the state's own (`flow/State` in the sidecar's
/// `state_samples`, recorded from a run), else its action's response sample (by
/// `ActionName`, or the action's name alone, in `action_samples`).
pub fn result_sample<'s>(sidecar: &'s Sidecar, of: &ResultOf) -> Option<&'s Value> {
    let short = of.action.rsplit(':').next().unwrap_or(of.action);
    sidecar
        .state_samples
        .get(&format!("{}/{}", of.flow, of.state))
        .or_else(|| sidecar.action_samples.get(of.action))
        .or_else(|| sidecar.action_samples.get(short))
}

/// The engine settings inference follows: ZIS's, with these settings (by name, as
/// `zis_services::settings` takes them) over them; ones that do not apply are left out.
pub fn engine_settings(settings: &BTreeMap<String, String>) -> Settings {
    zis_services::settings::resolve(&[settings])
        .map(|d| d.engine)
        .unwrap_or_else(|_| Settings::zis())
}

/// Infers every flow of a bundle value, with the bundle's own settings (its sidecar's).
pub fn infer(value: &Value, sidecar: &Sidecar) -> BundleShapes {
    infer_with(value, sidecar, &engine_settings(&sidecar.settings))
}

/// Infers every flow of a bundle value under these runtime settings.
pub fn infer_with(value: &Value, sidecar: &Sidecar, settings: &Settings) -> BundleShapes {
    let start = |events: &[(&str, &str)]| -> Start {
        let mut shape: Option<Shape> = None;
        let mut names = Vec::new();
        for (source, event_type) in events {
            let (s, name) = match event_schema(source, event_type, sidecar) {
                Some(found) => found,
                None => return Start::default(),
            };
            shape = Some(match shape {
                None => s,
                Some(old) => join(old, s),
            });
            names.push(name);
        }
        match shape {
            Some(s) => Start {
                shape: envelope(s),
                event: Some(names.join(" or ")),
            },
            None => Start::default(),
        }
    };
    let results = |of: &ResultOf| -> Option<Shape> { result_sample(sidecar, of).map(Shape::of) };
    infer_bundle(value, &start, &results, settings)
}

/// Validates bundle text and adds inference's findings (under the bundle's own settings);
/// all with positions. The shapes come back too, `None` when the text is not JSON.
pub fn validate_text(text: &str, sidecar: &Sidecar) -> (Vec<Diagnostic>, Option<BundleShapes>) {
    validate_text_with(text, sidecar, &sidecar.settings)
}

/// [`validate_text`] under these settings (the window's: the data folder's, then the
/// bundle's).
pub fn validate_text_with(
    text: &str,
    sidecar: &Sidecar,
    settings: &BTreeMap<String, String>,
) -> (Vec<Diagnostic>, Option<BundleShapes>) {
    let mut all = validate::validate_bundle_text(text, Options::default());
    let Ok(parsed) = json::parse(text) else {
        return (all, None);
    };
    let shapes = infer_with(&parsed.value, sidecar, &engine_settings(settings));
    let mut found = shapes.findings.clone();
    validate::locate(&mut found, text, &parsed.tree);
    all.extend(found);
    all.sort_by_key(|d| (d.line, d.column, d.code));
    (all, Some(shapes))
}

/// One completion of a path being typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The whole field's text with the completion in it.
    pub text: String,
    /// The field (or `[0]`) completed.
    pub name: String,
    /// Its type: `string`, `number`, `object`…
    pub type_name: &'static str,
}

/// The path being typed at the end of `text`: the text before it and the path (inside an
/// unclosed `{{`, or the whole text when it starts with `$`).
fn typed_path(text: &str) -> Option<(&str, &str)> {
    if let Some(open) = text.rfind("{{")
        && !text[open..].contains("}}")
    {
        let inner = &text[open + 2..];
        let lead = inner.len() - inner.trim_start().len();
        return Some((&text[..open + 2 + lead], inner.trim_start()));
    }
    text.starts_with('$').then_some(("", text))
}

/// Completions for the path at the end of `text`, on `data` (for `$`) and `context` (for
/// `$$`): the fields of the object the path has reached whose names start with what is
/// typed after the last `.`, or `[0]` for an array.
pub fn complete(text: &str, data: &Shape, context: &Shape) -> Vec<Suggestion> {
    let Some((before, path)) = typed_path(text) else {
        return Vec::new();
    };
    let (head, partial) = match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => return Vec::new(),
    };
    let Ok(parsed) = zis_engine::path::parse(head) else {
        return Vec::new();
    };
    let root = match parsed.root {
        zis_engine::path::Root::Data => data,
        zis_engine::path::Root::Context => context,
        zis_engine::path::Root::Variable(_) => return Vec::new(),
    };
    let found = zis_engine::shape::lookup::resolve(root, head, &parsed.segments);
    if found.fails() {
        return Vec::new();
    }
    let lower = partial.to_lowercase();
    match found.shape {
        Shape::Object(obj) => obj
            .fields
            .iter()
            .filter(|(k, _)| k.to_lowercase().starts_with(&lower) && k.as_str() != partial)
            .map(|(k, f)| Suggestion {
                text: format!(
                    "{before}{head}{}",
                    zis_engine::shape::lookup::step_text(&zis_engine::path::Selector::Name(
                        k.clone()
                    ),)
                ),
                name: k.clone(),
                type_name: if f.shape == Shape::Unknown && f.nullable {
                    "null"
                } else {
                    f.shape.type_name()
                },
            })
            .collect(),
        Shape::Array(item) if partial.is_empty() => vec![Suggestion {
            text: format!("{before}{head}[0]"),
            name: "[0]".into(),
            type_name: item.type_name(),
        }],
        _ => Vec::new(),
    }
}

/// `$` at the start of a flow on its first job spec's event: the catalog's sample (or the
/// sidecar's) in the envelope. What path tooltips take their sample values from.
pub fn sample_envelope(flow: &FlowShapes, sidecar: &Sidecar) -> Option<Value> {
    let (source, event_type) = flow.events.first()?;
    let input = match catalog::find(source, event_type) {
        Some(e) => catalog::sample_input(e),
        None => webhook_sample(sidecar, source, event_type)?.clone(),
    };
    Some(catalog::envelope(&catalog::Account::default(), input))
}

/// What a path finds, for a tooltip: its type (with an enumeration's values, and whether
/// it may be null or absent) and a sample value: what the path finds in `sample` (the
/// flow's starting `$`) when that has the inferred shape, else one made from the shape.
/// `None` when it is not a path or nothing is known.
pub fn describe(
    text: &str,
    data: &Shape,
    context: &Shape,
    sample: Option<&Value>,
) -> Option<String> {
    let t = text.trim();
    let parsed = zis_engine::path::parse(t).ok()?;
    let root = match parsed.root {
        zis_engine::path::Root::Data => data,
        zis_engine::path::Root::Context => context,
        zis_engine::path::Root::Variable(_) => return None,
    };
    let found = zis_engine::shape::lookup::resolve(root, t, &parsed.segments);
    if found.fails() {
        return Some(format!("{t} is not there"));
    }
    if found.shape == Shape::Unknown && !found.nullable {
        return None;
    }
    let mut s = format!("{t}: {}", found.shape.describe());
    if found.nullable {
        s.push_str(", may be null");
    }
    if found.optional {
        s.push_str(", may be absent");
    }
    let seen = sample
        .filter(|_| parsed.root == zis_engine::path::Root::Data)
        .and_then(|v| zis_engine::run::dataflow::eval_path(t, v, None).ok())
        .filter(|v| zis_engine::shape::conforms(v, &found.shape).is_ok());
    let example = seen.unwrap_or_else(|| found.shape.example());
    if !example.is_null() {
        let shown = serde_json::to_string(&example).unwrap_or_default();
        let shown: String = shown.chars().take(120).collect();
        s.push_str(&format!("\ne.g. {shown}"));
    }
    Some(s)
}

/// The inferred input of a flow's state as a run meets it: `state` by name, `depth` Map
/// iterations deep (the first state of that name at that depth).
pub fn inferred_input<'s>(
    shapes: &'s BundleShapes,
    flow: &str,
    state: &str,
    depth: usize,
) -> Option<&'s Shape> {
    let suffix = format!("/States/{}", json::pointer::escape(state));
    shapes
        .flows
        .get(flow)?
        .states
        .iter()
        .find(|(p, _)| p.ends_with(&suffix) && p.matches("/States/").count() == depth + 1)
        .map(|(_, s)| &s.input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_completes_from_the_event_schema_and_describes_what_it_finds() {
        let e = catalog::find("support", "ticket.TicketCreated").unwrap_or_else(|| panic!());
        let data = envelope(schema::schema(e));
        let names = |t: &str| -> Vec<String> {
            complete(t, &data, &Shape::Unknown)
                .into_iter()
                .map(|s| format!("{} {} -> {}", s.name, s.type_name, s.text))
                .collect()
        };
        assert_eq!(
            names("$.in"),
            vec![
                "input object -> $.input",
                "integration_key string -> $.integration_key"
            ]
        );
        assert!(
            names("$.input.ticket_event.ticket.")
                .contains(&"priority string -> $.input.ticket_event.ticket.priority".to_string())
        );
        assert_eq!(
            names("Ticket {{ $.input.ticket_event.ticket.req"),
            vec!["requester_id number -> Ticket {{ $.input.ticket_event.ticket.requester_id"]
        );
        assert_eq!(
            names("$.input.ticket_event.ticket.tags."),
            vec!["[0] string -> $.input.ticket_event.ticket.tags[0]"]
        );
        assert!(names("$.input.nope.").is_empty());
        let d = describe(
            "$.input.ticket_event.ticket.priority",
            &data,
            &Shape::Unknown,
            None,
        )
        .unwrap_or_default();
        assert!(
            d.contains("one of \"low\"") && d.contains("e.g. \"low\""),
            "{d}"
        );
        // With the flow's sample, the value the event really has.
        let sample = catalog::envelope(&catalog::Account::default(), catalog::sample_input(e));
        let d = describe(
            "$.input.ticket_event.ticket.priority",
            &data,
            &Shape::Unknown,
            Some(&sample),
        )
        .unwrap_or_default();
        assert!(d.ends_with("e.g. \"urgent\""), "{d}");
        let d = describe(
            "$.input.ticket_event.ticket.assignee_id",
            &data,
            &Shape::Unknown,
            None,
        )
        .unwrap_or_default();
        assert!(d.contains("a number, may be null"), "{d}");
    }
}
