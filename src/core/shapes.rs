//! The shape of `$` at every state of a bundle's flows ([`zis_engine::shape`]), started from
//! the catalog's event schemas ([`zis_services::schema`]) or, for an event the catalog does
//! not know (an inbound webhook), from the sample payload the user attached in the sidecar;
//! custom actions answer with their sidecar response sample's shape, else unknown.
//!
//! [`validate_text`] is what `validate`, the Problems list and the graph show: the
//! validator's findings and inference's (W016–W019), with positions.

use crate::core::sidecar::Sidecar;
use serde_json::Value;
use zis_engine::json;
use zis_engine::shape::bundle::{BundleShapes, Start, infer_bundle};
use zis_engine::shape::{Shape, flow::envelope, join};
use zis_engine::validate::{self, Diagnostic, Options};
use zis_services::{catalog, schema};

/// The schema of an event's `input`: the catalog's, or the shape of the sidecar's sample;
/// `None` when neither is known. The second value names the event in messages.
pub fn event_schema(source: &str, event_type: &str, sidecar: &Sidecar) -> Option<(Shape, String)> {
    if let Some(e) = catalog::find(source, event_type) {
        return Some((schema::schema(e), schema::event_name(e)));
    }
    let key = format!("{source}/{event_type}");
    let sample = sidecar.event_samples.get(&key)?;
    Some((Shape::of(sample), format!("{key} webhook")))
}

/// Infers every flow of a bundle value.
pub fn infer(value: &Value, sidecar: &Sidecar) -> BundleShapes {
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
    let actions = |name: &str| -> Shape {
        let short = name.rsplit(':').next().unwrap_or(name);
        sidecar
            .action_samples
            .get(name)
            .or_else(|| sidecar.action_samples.get(short))
            .map_or(Shape::Unknown, Shape::of)
    };
    infer_bundle(value, &start, &actions)
}

/// Validates bundle text and adds inference's findings; all with positions. The shapes
/// come back too, `None` when the text is not JSON.
pub fn validate_text(text: &str, sidecar: &Sidecar) -> (Vec<Diagnostic>, Option<BundleShapes>) {
    let mut all = validate::validate_bundle_text(text, Options::default());
    let Ok(parsed) = json::parse(text) else {
        return (all, None);
    };
    let shapes = infer(&parsed.value, sidecar);
    let mut found = shapes.findings.clone();
    validate::locate(&mut found, text, &parsed.tree);
    all.extend(found);
    all.sort_by_key(|d| (d.line, d.column, d.code));
    (all, Some(shapes))
}
