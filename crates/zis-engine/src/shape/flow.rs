//! Inference through a flow: the shape of `$` before and after every state, computed
//! without running it, and the findings where a path may not resolve.
//!
//! Each state's input is what every way into it brings (a state's `Next`, a Choice rule or
//! `Default`, a Catch with `{Error, Cause}` at its ResultPath), kept apart as `Ways`
//! so a Choice can send each on alone; other states run on their join. Ways are followed
//! until nothing changes; a state whose input keeps changing (a loop that nests data)
//! becomes unknown. Then one last pass over the states, in source order, reads every
//! path on the final shapes and reports:
//!
//! - W016: a path that cannot resolve (a field a closed object does not have, a step into
//!   a number or a string);
//! - W017: a path that may not resolve (a field absent on some way here, or a step through
//!   a value that may be `null`);
//! - W018: a Choice comparing a value of another type than its operator takes;
//! - W019: a Map ItemsPath that is not an array.
//!
//! Unknown shapes never produce a finding. A Choice rule narrows the data on the ways it
//! sends on, and drops the ways it never can (see the `choice` module): after
//! `IsPresent: true` its Variable is present; after any comparison that was evaluated its
//! paths are; after `IsNull: false` or a true typed comparison it is not null.

use super::lookup::{self, Trouble};
use super::{Field, Obj, Shape, builtin, join, place};
use crate::json::pointer;
use crate::model::{FlowDefinition, PathField, State, StateKind};
use crate::path::{self, Root, Segment, Selector};
use crate::template;
use crate::validate::{Code, Diagnostic};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Updates to one state's input before it is given up as unknown.
pub(super) const MAX_UPDATES: usize = 12;

/// What inference knows beyond the flow.
pub struct Env<'e> {
    /// The event `$.input` holds, as `support/ticket.TicketCreated`, for messages.
    pub event: Option<String>,
    /// The flow's resource key (for [`ResultOf::flow`]).
    pub flow: String,
    /// The runtime's settings: inference follows the same semantics (ZIS ignores
    /// InputPath, OutputPath, ResultSelector and a Pass's Parameters unless
    /// `asl_io_fields`; placeholders that find nothing; Choice on a missing Variable).
    pub settings: crate::run::execution::Settings,
    /// The shape of an Action state's result when a sample says it (a response sample of a
    /// custom action, a result recorded from a run); else built-ins answer their own shape
    /// and the rest is unknown.
    pub results: &'e Results<'e>,
}

/// What asks for a result's shape: the flow, the state and its `ActionName`.
#[derive(Clone, Copy, Debug)]
pub struct ResultOf<'a> {
    /// The flow's resource key.
    pub flow: &'a str,
    /// The state's name.
    pub state: &'a str,
    /// Its `ActionName`.
    pub action: &'a str,
}

/// Result shapes from samples ([`Env::results`]).
pub type Results<'e> = dyn Fn(&ResultOf) -> Option<Shape> + 'e;

/// The shapes at one state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StateShapes {
    /// `$` as the state receives it (ResultPath writes into this).
    pub input: Shape,
    /// `$` after InputPath: what Parameters, Choice Variables and ItemsPath read.
    pub effective: Shape,
    /// `$$`: a Map iteration's item and index.
    pub context: Shape,
    /// The Action's or Map's result (before ResultSelector), when the state has one.
    pub result: Option<Shape>,
    /// `$` as the state passes it on.
    pub output: Shape,
}

/// What inference found for one flow.
#[derive(Clone, Debug, Default)]
pub struct FlowShapes {
    /// Every state reached (Map iterations' too), by its JSON pointer.
    pub states: BTreeMap<String, StateShapes>,
    /// Findings, with pointers (no positions).
    pub findings: Vec<Diagnostic>,
    /// The shape of each custom action's Parameters, joined over its callers.
    pub action_inputs: BTreeMap<String, Shape>,
    /// The `(event_source, event_type)` of the job specs that start the flow.
    pub events: Vec<(String, String)>,
}

/// `$` at a flow's start: the ZIS envelope around an event's `input`.
pub fn envelope(input: Shape) -> Shape {
    let mut o = Obj::default();
    o.fields
        .insert("account_id".into(), Field::required(Shape::Number));
    for k in ["integration_key", "subdomain"] {
        o.fields
            .insert(k.into(), Field::required(Shape::String(None)));
    }
    o.fields.insert("input".into(), Field::required(input));
    // Present only when the integration has OAuth connections (zis-facts.md 2.3): what
    // it holds is not known here, so reading it is never reported.
    o.fields
        .insert("connections".into(), Field::required(Shape::Unknown));
    Shape::Object(o)
}

/// Infers the shapes of a flow starting with `$` of shape `start`.
pub fn infer(def: &FlowDefinition, start: Shape, env: &Env) -> FlowShapes {
    let mut cx = Infer::new(env, 0);
    cx.machine(def, start, &Shape::Unknown);
    cx.out.findings.dedup();
    cx.out
}

pub(super) struct Infer<'e> {
    pub(super) env: &'e Env<'e>,
    pub(super) out: FlowShapes,
    /// True in the last pass: findings and state shapes are recorded.
    pub(super) report: bool,
    /// Map nesting (0: the flow itself, where `$.input` is the event).
    pub(super) depth: usize,
    /// What `$` is when it is not a flow's data (a custom action's Parameters), for messages.
    pub(super) root_name: Option<&'static str>,
    /// What a Map's iterator gave for an input, while not reporting: nested Maps in loops
    /// are re-run on the same inputs many times (by iterator pointer and input).
    pub(super) memo: Vec<(String, Shape, Shape)>,
    /// Choice rules (by pointer) that read a path never found on what reaches them: they
    /// decide nothing, so the flow after them is still checked.
    pub(super) misread: HashSet<String>,
    /// While looking for such rules: the ones found.
    pub(super) misread_found: Option<Vec<String>>,
}

/// What one state sends where.
pub(super) struct Step<'a> {
    pub(super) edges: Vec<(&'a str, Shape)>,
    pub(super) terminal: Option<Shape>,
    pub(super) shapes: StateShapes,
}

/// How a path's value is used, which decides what is reported.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Use {
    /// Read: an absent field or a step through `null` fails.
    Value,
    /// Tested with `IsPresent`: only a field that can never be there is reported.
    Presence,
}

impl<'e> Infer<'e> {
    /// An inference that reports, at Map depth `depth` (0: `$.input` is the event).
    pub(super) fn new(env: &'e Env<'e>, depth: usize) -> Self {
        Self {
            env,
            out: FlowShapes::default(),
            report: true,
            depth,
            root_name: None,
            memo: Vec::new(),
            misread: HashSet::new(),
            misread_found: None,
        }
    }

    /// What one state does to `$`.
    pub(super) fn state<'a>(&mut self, s: &State<'a>, input: Shape, ctx: &Shape) -> Step<'a> {
        let ptr = s.pointer.as_str();
        let io = self.env.settings.asl_io_fields;
        let effective = self.effective(s, &input, ctx);
        let mut result = None;
        let mut terminal = None;
        let mut edges = Vec::new();
        let after = match &s.kind {
            StateKind::Pass { result: literal } => {
                // As the runtime: a `Result` wins; Parameters only where ASL's I/O fields apply.
                let r = match (literal, s.parameters) {
                    (Some(v), _) => Shape::literal(v),
                    (None, Some(t)) if io => {
                        self.render(t, &effective, ctx, &at(ptr, "Parameters"))
                    }
                    (None, _) => effective.clone(),
                };
                // The runtime applies ResultSelector to a Pass's result too.
                let r = self.select(s, r, ctx);
                place(&s.result_path, input.clone(), r)
            }
            StateKind::Action { action_name } => {
                let params = match s.parameters {
                    Some(t) => self.render(t, &effective, ctx, &at(ptr, "Parameters")),
                    None => effective.clone(),
                };
                let sample = action_name.and_then(|action| {
                    (self.env.results)(&ResultOf {
                        flow: &self.env.flow,
                        state: s.name,
                        action,
                    })
                });
                let r = match (sample, action_name) {
                    (Some(r), _) => r,
                    (None, Some(name)) => match builtin::result(name) {
                        Some(r) => r,
                        None => {
                            if self.report {
                                let slot = self
                                    .out
                                    .action_inputs
                                    .entry(name.to_string())
                                    .or_insert_with(|| params.clone());
                                *slot = join(slot.clone(), params);
                            }
                            Shape::Unknown
                        }
                    },
                    (None, None) => Shape::Unknown,
                };
                result = Some(r.clone());
                let r = self.select(s, r, ctx);
                place(&s.result_path, input.clone(), r)
            }
            StateKind::Map {
                items_path,
                iterator,
            } => {
                let items = self.read(
                    items_path.unwrap_or("$"),
                    &effective,
                    ctx,
                    &at(ptr, "ItemsPath"),
                    Use::Value,
                );
                let item = match items {
                    Shape::Array(item) => *item,
                    Shape::Unknown => Shape::Unknown,
                    other => {
                        self.find(
                            Code::ItemsNotArray,
                            &at(ptr, "ItemsPath"),
                            format!(
                                "ItemsPath `{}` is {}, not an array: the Map cannot run",
                                items_path.unwrap_or("$"),
                                other.describe()
                            ),
                        );
                        Shape::Unknown
                    }
                };
                // The runtime gives each iteration its item (no Parameters, no `$$`).
                let each = match iterator {
                    Some(def) => {
                        self.depth += 1;
                        let t = self.machine(def, item, ctx);
                        self.depth -= 1;
                        t
                    }
                    None => Shape::Unknown,
                };
                let r = Shape::Array(Box::new(each));
                result = Some(r.clone());
                let r = self.select(s, r, ctx);
                place(&s.result_path, input.clone(), r)
            }
            StateKind::Choice { choices, default } => {
                return self.choice(s, choices.as_deref(), *default, &[input], ctx);
            }
            StateKind::Wait { seconds_path, .. } => {
                if let Some(p) = seconds_path {
                    self.read(p, &effective, ctx, &at(ptr, "SecondsPath"), Use::Value);
                }
                effective.clone()
            }
            StateKind::Succeed { message } => {
                if let Some(m) = message {
                    self.message(m, &effective, ctx, &at(ptr, "Message"));
                }
                effective.clone()
            }
            StateKind::Fail { error, cause } => {
                for (text, key) in [(error, "Error"), (cause, "Cause")] {
                    if let Some(t) = text {
                        self.message(t, &effective, ctx, &at(ptr, key));
                    }
                }
                let shapes = StateShapes {
                    input,
                    effective,
                    context: ctx.clone(),
                    result: None,
                    output: Shape::Unknown,
                };
                return Step {
                    edges,
                    terminal: None,
                    shapes,
                };
            }
            StateKind::Task { .. } | StateKind::Parallel { .. } | StateKind::Unknown => {
                Shape::Unknown
            }
        };
        let out = self.output(s, after, ctx);
        if let Some(next) = s.next {
            edges.push((next, out.clone()));
        } else if s.end == Some(true) || matches!(s.kind, StateKind::Succeed { .. }) {
            terminal = Some(out.clone());
        }
        self.finish(s, input, effective, ctx, result, out, edges, terminal)
    }

    /// Adds the Catch ways and packs the step.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn finish<'a>(
        &mut self,
        s: &State<'a>,
        input: Shape,
        effective: Shape,
        ctx: &Shape,
        result: Option<Shape>,
        output: Shape,
        mut edges: Vec<(&'a str, Shape)>,
        terminal: Option<Shape>,
    ) -> Step<'a> {
        for c in s.catch.iter().flatten() {
            if let Some(next) = c.next {
                let error = Shape::object([
                    ("Error", Shape::String(None)),
                    ("Cause", Shape::String(None)),
                ]);
                edges.push((next, place(&c.result_path, input.clone(), error)));
            }
        }
        Step {
            edges,
            terminal,
            shapes: StateShapes {
                input,
                effective,
                context: ctx.clone(),
                result,
                output,
            },
        }
    }

    /// `$` after InputPath (which ZIS ignores unless `asl_io_fields`).
    pub(super) fn effective(&mut self, s: &State, input: &Shape, ctx: &Shape) -> Shape {
        match &s.input_path {
            _ if !self.env.settings.asl_io_fields => input.clone(),
            PathField::Absent => input.clone(),
            PathField::Null => Shape::object([]),
            PathField::Path(p) => {
                self.read(p, input, ctx, &at(&s.pointer, "InputPath"), Use::Value)
            }
        }
    }

    /// Runs `f` without recording findings or shapes.
    pub(super) fn quietly<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let report = std::mem::replace(&mut self.report, false);
        let t = f(self);
        self.report = report;
        t
    }

    /// ResultSelector on a result.
    fn select(&mut self, s: &State, result: Shape, ctx: &Shape) -> Shape {
        match s.result_selector {
            Some(t) if self.env.settings.asl_io_fields => {
                self.render(t, &result, ctx, &at(&s.pointer, "ResultSelector"))
            }
            _ => result,
        }
    }

    /// OutputPath on what the state passes on.
    pub(super) fn output(&mut self, s: &State, after: Shape, ctx: &Shape) -> Shape {
        match &s.output_path {
            _ if !self.env.settings.asl_io_fields => after,
            PathField::Absent => after,
            PathField::Null => Shape::object([]),
            PathField::Path(p) => {
                self.read(p, &after, ctx, &at(&s.pointer, "OutputPath"), Use::Value)
            }
        }
    }

    /// The shape a payload template (Parameters, ResultSelector) renders to.
    fn render(&mut self, t: &Value, data: &Shape, ctx: &Shape, ptr: &str) -> Shape {
        match t {
            Value::Object(map) => {
                let mut o = Obj::default();
                for (key, v) in map {
                    let here = pointer::push(ptr, key);
                    let (name, field) = match key.strip_suffix(".$") {
                        Some(base) => (base, self.dynamic(v, data, ctx, &here)),
                        None => (
                            key.as_str(),
                            Field::required(self.render(v, data, ctx, &here)),
                        ),
                    };
                    o.fields.insert(name.to_string(), field);
                }
                Shape::Object(o)
            }
            Value::Array(items) => Shape::Array(Box::new(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.render(v, data, ctx, &pointer::push(ptr, &i.to_string())))
                    .reduce(join)
                    .unwrap_or(Shape::Unknown),
            )),
            other => Shape::literal(other),
        }
    }

    /// A `.$` value: a path (its value) or a string of `{{ }}` placeholders.
    fn dynamic(&mut self, v: &Value, data: &Shape, ctx: &Shape, ptr: &str) -> Field {
        // As the runtime: a path is trimmed, a text of placeholders is not.
        let Some(raw) = v.as_str() else {
            return Field::required(Shape::Unknown);
        };
        let s = raw.trim();
        if s.starts_with("States.") {
            return Field::required(Shape::Unknown);
        }
        if template::has_placeholders(s) {
            self.check_placeholders(raw, data, ctx, ptr);
            // `"{{$.id}}"` alone keeps the value's type only when the setting says so.
            if self.env.settings.single_placeholder_keeps_type
                && let Ok([only]) = template::placeholders(raw).as_deref()
                && only.range == (0..raw.len())
                && let Ok(parsed) = path::parse(only.path)
            {
                let found = self.resolve(only.path, &parsed, data, ctx, ptr, Use::Presence);
                return Field {
                    nullable: found.nullable,
                    shape: found.shape,
                    required: true,
                };
            }
            return Field::required(Shape::String(None));
        }
        let Ok(parsed) = path::parse(s) else {
            return Field::required(Shape::Unknown);
        };
        let found = self.resolve(s, &parsed, data, ctx, ptr, Use::Value);
        Field {
            nullable: found.nullable || found.shape == Shape::Null,
            shape: found.shape,
            required: true,
        }
    }

    /// Checks the `{{ }}` placeholders of a string.
    pub(super) fn check_placeholders(&mut self, s: &str, data: &Shape, ctx: &Shape, ptr: &str) {
        // A placeholder that finds nothing fails only when the setting says so; a field no
        // way has is a mistake either way.
        let use_ = match self.env.settings.missing_placeholder {
            crate::run::dataflow::MissingPlaceholder::Error => Use::Value,
            crate::run::dataflow::MissingPlaceholder::Empty => Use::Presence,
        };
        for p in template::placeholders(s).unwrap_or_default() {
            self.read(p.path, data, ctx, ptr, use_);
        }
    }

    /// A Succeed `Message` or a Fail `Error`/`Cause`: a bare reference path is read, a text
    /// has its placeholders checked (as the runtime renders them).
    fn message(&mut self, text: &str, data: &Shape, ctx: &Shape, ptr: &str) {
        match crate::run::dataflow::message_reference(text) {
            Some(p) => {
                self.read(p, data, ctx, ptr, Use::Value);
            }
            None => self.check_placeholders(text, data, ctx, ptr),
        }
    }

    /// Reads a path, reporting what may go wrong; the shape found.
    pub(super) fn read(
        &mut self,
        text: &str,
        data: &Shape,
        ctx: &Shape,
        ptr: &str,
        use_: Use,
    ) -> Shape {
        match path::parse(text) {
            Ok(parsed) => self.resolve(text, &parsed, data, ctx, ptr, use_).shape,
            Err(_) => Shape::Unknown,
        }
    }

    pub(super) fn resolve(
        &mut self,
        text: &str,
        parsed: &path::Path,
        data: &Shape,
        ctx: &Shape,
        ptr: &str,
        use_: Use,
    ) -> lookup::Resolved {
        let root = match parsed.root {
            Root::Data => data,
            Root::Context => ctx,
            Root::Variable(_) => return lookup::Resolved::default(),
        };
        let found = lookup::resolve(root, &lookup::root_text(&parsed.root), &parsed.segments);
        if !parsed.is_definite() {
            return lookup::Resolved::default();
        }
        if self.report {
            self.report_troubles(text, parsed, &found.troubles, ptr, use_);
        }
        found
    }

    fn report_troubles(
        &mut self,
        text: &str,
        parsed: &path::Path,
        troubles: &[Trouble],
        ptr: &str,
        use_: Use,
    ) {
        let in_event = self.depth == 0
            && parsed.root == Root::Data
            && matches!(parsed.segments.first(), Some(Segment { selector: Selector::Name(n), .. }) if n == "input");
        let event = self.env.event.as_deref().filter(|_| in_event);
        let trouble = troubles
            .iter()
            .find(|t| matches!(t, Trouble::Missing { .. } | Trouble::NotContainer { .. }))
            .or_else(|| troubles.first().filter(|_| use_ == Use::Value));
        let (code, message) = match trouble {
            None => return,
            Some(Trouble::Missing { parent, name, has }) => {
                let last = parent.rsplit('.').next().unwrap_or(parent);
                let hint = match lookup::closest(name, has) {
                    Some(c) => format!("`{last}` has `{c}`"),
                    None if has.is_empty() => format!("`{parent}` is an empty object"),
                    None => format!("`{last}` has no `{name}`; it has {}", list(has)),
                };
                let message = match (event, self.root_name) {
                    (Some(e), _) => format!("`{text}` is not in a {e} event: {hint}"),
                    (None, Some(root)) if parsed.root == Root::Data => {
                        format!("`{text}` is not in {root}: {hint}")
                    }
                    // Tested for presence (IsPresent, a placeholder that may render empty).
                    (None, _) if use_ == Use::Presence => {
                        format!("`{text}` is never there at this state: {hint}")
                    }
                    (None, _) => format!("`{text}` cannot resolve here: {hint}"),
                };
                (Code::PathNotFound, message)
            }
            Some(Trouble::NotContainer { parent, found }) => (
                Code::PathNotFound,
                format!("`{text}` cannot resolve: `{parent}` is {found}, which has no fields"),
            ),
            Some(Trouble::MaybeAbsent { at }) => (
                Code::PathMayFail,
                format!("`{text}` may not resolve: `{at}` is absent on some way to this state"),
            ),
            Some(Trouble::MaybeNull { at }) => (
                Code::PathMayFail,
                match event {
                    Some(e) => {
                        format!("`{text}` may not resolve: `{at}` may be null in a {e} event")
                    }
                    None => format!("`{text}` may not resolve: `{at}` may be null here"),
                },
            ),
        };
        self.find(code, ptr, message);
    }

    pub(super) fn find(&mut self, code: Code, ptr: &str, message: String) {
        if self.report {
            self.out.findings.push(Diagnostic::new(code, ptr, message));
        }
    }
}

pub(super) fn at(ptr: &str, key: &str) -> String {
    pointer::push(ptr, key)
}

fn list(has: &[String]) -> String {
    let shown: Vec<String> = has.iter().take(8).map(|h| format!("`{h}`")).collect();
    let more = has.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(def: Value, start: Value) -> FlowShapes {
        let (flow, _) = FlowDefinition::from_value(&def, "");
        let none = |_: &ResultOf| None;
        let env = Env {
            event: None,
            flow: "f".into(),
            settings: crate::run::execution::Settings::zis(),
            results: &none,
        };
        infer(&flow, Shape::of(&start), &env)
    }

    #[test]
    fn a_misspelt_field_is_found_and_a_guarded_one_is_not() {
        let def = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.a.opt", "IsPresent": true, "Next": "Use"}], "Default": "Done"},
            "Use": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                    "Parameters": {"x.$": "$.a.opt", "y.$": "$.a.nmae"},
                    "ResultPath": "$.r", "Next": "Done"},
            "Done": {"Type": "Succeed"}}});
        let mut start = json!({"a": {"name": "n", "opt": 1}});
        let f = run(def.clone(), start.clone());
        let codes: Vec<_> = f
            .findings
            .iter()
            .map(|d| (d.code, d.pointer.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![(Code::PathNotFound, "/States/Use/Parameters/y.$")]
        );
        assert!(
            f.findings[0].message.contains("`a` has `name`"),
            "{}",
            f.findings[0].message
        );
        let after = &f.states["/States/Use"].output;
        assert!(matches!(after, Shape::Object(o) if o.fields.contains_key("r")));
        start["a"].as_object_mut().unwrap().remove("opt");
        let f = run(def, start);
        assert!(
            f.findings
                .iter()
                .any(|d| d.code == Code::PathNotFound && d.pointer.ends_with("/Variable"))
        );
    }
}
