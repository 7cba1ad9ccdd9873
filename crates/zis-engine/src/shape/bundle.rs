//! Inference over a whole bundle: each flow from the events its job specs subscribe to,
//! then each custom action's definition (`{{ }}` placeholders and `.$` values) on the
//! Parameters its callers pass.

use super::flow::{self, Env, FlowShapes, Infer, ResultOf, Results, Use};
use super::{Shape, join};
use crate::json::pointer;
use crate::model::{Bundle, QualifiedName, ResourceBody, resource_type};
use crate::template;
use crate::validate::Diagnostic;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a flow starts: the shape of `$` and the event it holds, for messages.
#[derive(Clone, Debug, Default)]
pub struct Start {
    /// `$` at the first state.
    pub shape: Shape,
    /// The event named in messages, e.g. `support/ticket.TicketCreated`.
    pub event: Option<String>,
}

/// What inference found for a bundle.
#[derive(Clone, Debug, Default)]
pub struct BundleShapes {
    /// Each flow's shapes, by resource key.
    pub flows: BTreeMap<String, FlowShapes>,
    /// Every finding (flows and custom action definitions), with pointers.
    pub findings: Vec<Diagnostic>,
}

impl BundleShapes {
    /// The shapes at a state, by its pointer, in whichever flow holds it.
    pub fn state(&self, pointer: &str) -> Option<&flow::StateShapes> {
        self.flows.values().find_map(|f| f.states.get(pointer))
    }
}

/// The job specs' `(event_source, event_type)` that start a flow.
pub type Events<'a> = [(&'a str, &'a str)];

/// Infers every flow of `value`. `start` gets the `(event_source, event_type)` of each job
/// spec that starts a flow (none for a flow no job spec starts) and says what `$` is;
/// `results` gives an Action state's result shape when a sample says it; `settings` are
/// the runtime's, whose semantics inference follows.
pub fn infer_bundle(
    value: &Value,
    start: &dyn Fn(&Events) -> Start,
    results: &Results,
    settings: &crate::run::execution::Settings,
) -> BundleShapes {
    let (bundle, _) = Bundle::from_value(value);
    let mut out = BundleShapes::default();
    let mut action_inputs: BTreeMap<String, Shape> = BTreeMap::new();
    for (res, def) in bundle.flows() {
        let events: Vec<(&str, &str)> = bundle
            .resources
            .iter()
            .filter_map(|r| match &r.body {
                ResourceBody::JobSpec(j) => {
                    let flow = QualifiedName::parse(j.flow_name?)?;
                    (Some(flow.name) == res.name).then_some(())?;
                    Some((j.event_source?, j.event_type?))
                }
                _ => None,
            })
            .collect();
        let s = start(&events);
        let env = Env {
            event: s.event,
            flow: res.key.to_string(),
            settings: settings.clone(),
            results,
        };
        let mut shapes = flow::infer(def, s.shape, &env);
        shapes.events = events
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        out.findings.extend(shapes.findings.iter().cloned());
        for (name, params) in &shapes.action_inputs {
            let joined = match action_inputs.remove(name) {
                Some(old) => join(old, params.clone()),
                None => params.clone(),
            };
            action_inputs.insert(name.clone(), joined);
        }
        out.flows.insert(res.key.to_string(), shapes);
    }
    let none = |_: &ResultOf| None;
    let env = Env {
        event: None,
        flow: String::new(),
        settings: settings.clone(),
        results: &none,
    };
    let mut cx = Infer::new(&env, 1);
    cx.root_name = Some("the Parameters its callers pass");
    for res in bundle.resources_of(resource_type::HTTP_ACTION) {
        let (Some(name), ResourceBody::HttpAction(Some(def))) = (res.name, &res.body) else {
            continue;
        };
        let params = action_inputs
            .iter()
            .find(|(k, _)| QualifiedName::parse(k).is_some_and(|q| q.name == name))
            .map(|(_, s)| s);
        let Some(params) = params else { continue };
        for field in [&def.url, &def.path].into_iter().flatten() {
            cx.template_string(field.value, field.dollar, params, &field.pointer);
        }
        for kv in def.headers.iter().chain(&def.query) {
            cx.template_string(kv.value.value, kv.value.dollar, params, &kv.value.pointer);
        }
        if let Some(body) = def.request_body {
            let key = if def.keys.contains(&"requestBody.$") {
                "requestBody.$"
            } else {
                "requestBody"
            };
            let ptr = pointer::push(&def.pointer, key);
            match body {
                Value::String(s) => cx.template_string(s, key.ends_with(".$"), params, &ptr),
                other => cx.body(other, params, &ptr),
            }
        }
    }
    out.findings.extend(cx.out.findings);
    out.findings.dedup();
    out
}

impl Infer<'_> {
    /// A string of an action definition: a `.$` path or a string with placeholders.
    fn template_string(&mut self, s: &str, dollar: bool, params: &Shape, ptr: &str) {
        if template::has_placeholders(s) {
            self.check_placeholders(s, params, &Shape::Unknown, ptr);
        } else if dollar {
            self.read(s.trim(), params, &Shape::Unknown, ptr, Use::Value);
        }
    }

    /// A request body: placeholders in every string, `.$` values read.
    fn body(&mut self, v: &Value, params: &Shape, ptr: &str) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let here = pointer::push(ptr, k);
                    match (k.ends_with(".$"), x) {
                        (true, Value::String(s)) => self.template_string(s, true, params, &here),
                        _ => self.body(x, params, &here),
                    }
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    self.body(x, params, &pointer::push(ptr, &i.to_string()));
                }
            }
            Value::String(s) => self.template_string(s, false, params, ptr),
            _ => {}
        }
    }
}
