//! A flow as a graph, with no egui in it: one node per state (type, key fact, start and end
//! marks, problem count) and one edge per transition (Next, each Choice rule with a readable
//! label, Default, Catch). [`layout`] places the nodes in layers from top to bottom; stored
//! positions come from the bundle's sidecar file ([`Sidecar`]), never from the bundle.

use super::edit::Port;
use serde_json::Value;
use std::collections::HashMap;

pub use crate::core::sidecar::{SavedEvent, Sidecar};
use zis_engine::model::{ChoiceRule, FlowDefinition, RuleKind, StateKind};

/// What kind of transition an edge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// `Next`.
    Next,
    /// A Choice rule's `Next`.
    Rule,
    /// A Choice's `Default`.
    Default,
    /// A Catch's `Next`.
    Catch,
}

/// One transition.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphEdge {
    /// Source node index.
    pub from: usize,
    /// Target node index.
    pub to: usize,
    /// Its kind.
    pub kind: EdgeKind,
    /// What is written on it (a Choice rule in readable form, "default", "catch").
    pub label: String,
    /// Index of the source's output in [`GraphNode::ports`].
    pub port: usize,
}

/// One output of a node: connected or free.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphPort {
    /// Which field of the state it is.
    pub port: Port,
    /// Its kind (colour and wire style).
    pub kind: EdgeKind,
    /// What is written next to it.
    pub label: String,
    /// What its hover says (a Choice rule whole); empty when the label says it all.
    pub hover: String,
    /// The node it leads to.
    pub target: Option<usize>,
}

/// One state.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    /// The state's name.
    pub name: String,
    /// Its type (`Action`, `Choice`...).
    pub type_name: String,
    /// What matters at a glance: the action's short name, Wait seconds, the Map's items path.
    pub fact: String,
    /// `StartAt` names it.
    pub start: bool,
    /// It ends the flow (`End`, Succeed, Fail).
    pub end: bool,
    /// Validator findings inside the state.
    pub problems: usize,
    /// Where it is drawn (graph coordinates).
    pub pos: [f32; 2],
    /// Its outputs, in drawing order.
    pub ports: Vec<GraphPort>,
}

/// A flow's graph.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowGraph {
    /// The flow's resource key.
    pub flow: String,
    /// Nodes in source order.
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
}

/// Free space between the tallest node of a layer and the layer below (wires turn here).
pub const LAYER_GAP: f32 = 64.0;
/// Free space between two nodes side by side in a layer (wires pass here).
pub const NODE_GAP: f32 = 72.0;
/// Longest key fact a node shows (the rest is in the inspector and on hover).
pub const MAX_TEXT: usize = 26;

/// Longest output label a node shows: longer than any rule label the public and sample
/// bundles have (56), so labels are drawn whole; the node is as wide as its longest.
pub const MAX_LABEL: usize = 64;

/// `s` cut to [`MAX_TEXT`] characters with an ellipsis.
pub fn clip(s: &str) -> String {
    clip_to(s, MAX_TEXT)
}

/// An output label as drawn: whole up to [`MAX_LABEL`] characters.
pub fn clip_label(s: &str) -> String {
    clip_to(s, MAX_LABEL)
}

fn clip_to(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// A node's width in graph units, estimated from its text (measured at zoom 1: the name
/// about 6.5 units a character, the monospace key fact 7.2, output labels 6, plus the
/// frame's margins and the header's marks).
pub fn estimated_width(graph: &FlowGraph, i: usize) -> f32 {
    let n = &graph.nodes[i];
    let label = n
        .ports
        .iter()
        .map(|p| clip_label(&p.label).chars().count())
        .max()
        .unwrap_or(4) as f32;
    let name = n.name.chars().count() as f32 * 6.5 + 56.0;
    let fact = clip(&n.fact).chars().count() as f32 * 7.2 + 34.0;
    let ports = label * 6.0 + 40.0;
    name.max(fact).max(ports).max(110.0)
}

/// A state's name broken into at most `lines` lines of about equal length, at its word
/// boundaries (`_`, `-`, `.`, spaces and camelCase humps; the separators stay), for the far
/// view where a name must be large to be read. A name with one word stays one line.
pub fn name_lines(name: &str, lines: usize) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for c in name.chars() {
        let boundary = match prev {
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase())
                    || matches!(p, '_' | '-' | ' ' | '.')
                    || (p.is_alphabetic() && c.is_ascii_digit())
            }
            None => true,
        };
        match words.last_mut() {
            Some(w) if !boundary => w.push(c),
            _ => words.push(c.to_string()),
        }
        prev = Some(c);
    }
    // The narrowest width at which filling lines greedily needs no more than `lines`.
    let fill = |width: usize| {
        let mut out: Vec<String> = Vec::new();
        for w in &words {
            match out.last_mut() {
                Some(line) if line.chars().count() + w.chars().count() <= width => line.push_str(w),
                _ => out.push(w.clone()),
            }
        }
        out
    };
    let widest = words.iter().map(|w| w.chars().count()).max().unwrap_or(0);
    let total: usize = words.iter().map(|w| w.chars().count()).sum();
    (widest..=total)
        .map(fill)
        .find(|out| out.len() <= lines.max(1))
        .unwrap_or_default()
}

/// A node's height in graph units: header, body (type, fact, Map's open button), one row
/// per output.
pub fn estimated_height(node: &GraphNode) -> f32 {
    let body = if node.type_name == "Map" { 3.0 } else { 2.0 };
    HEADER + BODY_ROW * body + PORT_ROW * node.ports.len() as f32 + 12.0
}

/// Height of a node's title row with the frame's top margin, in graph units.
const HEADER: f32 = 34.0;
/// Height of a body row.
const BODY_ROW: f32 = 18.0;
/// Height of an output row.
const PORT_ROW: f32 = 19.0;

/// Where output `port` of a node sits below the node's top, estimated (its row's middle).
pub fn estimated_pin_y(node: &GraphNode, port: usize) -> f32 {
    let body = if node.type_name == "Map" { 3.0 } else { 2.0 };
    HEADER + BODY_ROW * body + PORT_ROW * (port as f32 + 0.5)
}

/// Every node's box from its position and estimated size.
pub fn estimated_boxes(graph: &FlowGraph) -> Vec<super::route::Bounds> {
    (0..graph.nodes.len())
        .map(|i| {
            let n = &graph.nodes[i];
            super::route::Bounds::new(n.pos, [estimated_width(graph, i), estimated_height(n)])
        })
        .collect()
}

/// Each edge's wire, in the order of `graph.edges`, routed around the nodes' `boxes`;
/// `pin_y(node, port)` is where an output sits below its node's top (measured in the
/// window, estimated in the export).
pub fn routes(
    graph: &FlowGraph,
    boxes: &[super::route::Bounds],
    pin_y: impl Fn(usize, usize) -> f32,
) -> Vec<Vec<super::route::Point>> {
    let wires: Vec<super::route::Wire> = graph
        .edges
        .iter()
        .filter_map(|e| {
            let b = boxes.get(e.from)?;
            Some(super::route::Wire {
                from: e.from,
                to: e.to,
                pin: [b.max[0], b.min[1] + pin_y(e.from, e.port)],
            })
        })
        .collect();
    super::route::route(boxes, &wires)
}

fn short_action(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((prefix, last)) if prefix.starts_with("zis:common") => format!("{last} (built-in)"),
        Some((_, last)) => last.to_string(),
        None => name.to_string(),
    }
}

fn operand_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn short_path(p: &str) -> String {
    p.strip_prefix("$.").unwrap_or(p).to_string()
}

/// The labels of a Choice's rules on their edges: each the part that tells it from its
/// siblings — a comparison names only the last segment(s) of its variable, as many as it
/// takes to differ (`current == "solved"`, `priority == "urgent"`), values are shortened, and
/// rules still alike are numbered (`#2 tags has "vip"`); when every rule compares the same
/// variable, the label is the operator and value (`== "SESSION_FAILED"`). The whole rule
/// is the hover.
pub fn rule_labels(rules: &[&ChoiceRule<'_>]) -> Vec<String> {
    let full: Vec<String> = rules.iter().map(|r| rule_label(r)).collect();
    // Every rule compares the same variable (a switch on one field): the operator and the
    // value are what differ, so the label is just those, the value whole when it fits.
    fn variable<'a>(r: &ChoiceRule<'a>) -> Option<&'a str> {
        match &r.kind {
            RuleKind::Compare(c) => c.variable,
            _ => None,
        }
    }
    let shared = rules.first().and_then(|r| variable(r));
    let labels: Vec<String> =
        if rules.len() > 1 && shared.is_some() && rules.iter().all(|r| variable(r) == shared) {
            let var = short_path(shared.unwrap_or_default());
            full.iter()
                .map(|f| {
                    f.strip_prefix(var.as_str())
                        .unwrap_or(f)
                        .trim_start()
                        .to_string()
                })
                .collect()
        } else {
            // Each rule: the fewest segments that tell it from every sibling that is a
            // different rule.
            (0..rules.len())
                .map(|i| {
                    (1..=8)
                        .map(|d| (d, short_rule(rules[i], d)))
                        .find(|(d, label)| {
                            (0..rules.len())
                                .filter(|&j| j != i && full[j] != full[i])
                                .all(|j| short_rule(rules[j], *d) != *label)
                        })
                        .map_or_else(|| full[i].clone(), |(_, label)| label)
                })
                .collect()
        };
    // Labels that would read alike once cut to fit keep their ends instead: the head and
    // the tail, where values like "… status code: 404" differ.
    let shown: Vec<String> = labels.iter().map(|l| clip_label(l)).collect();
    let labels: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if (0..rules.len()).any(|j| j != i && labels[j] != *l && shown[j] == shown[i]) {
                let chars: Vec<char> = l.chars().collect();
                let tail = MAX_LABEL - 9;
                let head: String = chars.iter().take(8).collect();
                let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
                format!("{head}…{end}")
            } else {
                l.clone()
            }
        })
        .collect();
    // Rules that are the same rule, or still read alike, are numbered.
    let shown: Vec<String> = labels.iter().map(|l| clip_label(l)).collect();
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if (0..rules.len()).any(|j| j != i && shown[j] == shown[i]) {
                format!("#{} {l}", i + 1)
            } else {
                l.clone()
            }
        })
        .collect()
}

/// The last `depth` segments of a path (`$.input.ticket.status`, 1 → `status`).
fn tail_of(path: &str, depth: usize) -> String {
    let p = short_path(path);
    let parts: Vec<&str> = p.split('.').collect();
    let from = parts.len().saturating_sub(depth);
    parts[from..].join(".")
}

/// A value of a rule, at most about 14 characters (a string keeps its quotes).
fn short_value(v: &str) -> String {
    if v.chars().count() <= 14 {
        return v.to_string();
    }
    match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => {
            let cut: String = inner.chars().take(11).collect();
            format!("\"{}…\"", cut.trim_end())
        }
        None => {
            let cut: String = v.chars().take(13).collect();
            format!("{cut}…")
        }
    }
}

/// [`rule_label`] with variables shortened to their last `depth` segments.
fn short_rule(rule: &ChoiceRule<'_>, depth: usize) -> String {
    match &rule.kind {
        RuleKind::And(rules) => rules
            .iter()
            .map(|r| short_rule(r, depth))
            .collect::<Vec<_>>()
            .join(" and "),
        RuleKind::Or(rules) => rules
            .iter()
            .map(|r| short_rule(r, depth))
            .collect::<Vec<_>>()
            .join(" or "),
        RuleKind::Not(inner) => format!("not ({})", short_rule(inner, depth)),
        RuleKind::Compare(c) => {
            let full = rule_label(rule);
            let var_full = short_path(c.variable.unwrap_or("?"));
            let var = tail_of(c.variable.unwrap_or("?"), depth);
            let rest = full
                .strip_prefix(var_full.as_str())
                .unwrap_or(&full)
                .to_string();
            // Shorten the value after the operator.
            let rest = match rest.split_once(' ') {
                Some((_, after)) => match after.split_once(' ') {
                    Some((op, value)) => format!(" {op} {}", short_value(value)),
                    None => format!(" {after}"),
                },
                None => rest,
            };
            format!("{var}{rest}")
        }
        RuleKind::Invalid(why) => format!("invalid rule: {why}"),
    }
}

/// A Choice rule in readable form, e.g. `ticket.status == "solved"`.
pub fn rule_label(rule: &ChoiceRule<'_>) -> String {
    match &rule.kind {
        RuleKind::And(rules) => rules
            .iter()
            .map(rule_label)
            .collect::<Vec<_>>()
            .join(" and "),
        RuleKind::Or(rules) => rules
            .iter()
            .map(rule_label)
            .collect::<Vec<_>>()
            .join(" or "),
        RuleKind::Not(inner) => format!("not ({})", rule_label(inner)),
        RuleKind::Compare(c) => {
            let var = short_path(c.variable.unwrap_or("?"));
            let op = c.operator;
            let (base, path) = match op.strip_suffix("Path") {
                Some(b) => (b, true),
                None => (op, false),
            };
            let value = if path {
                short_path(c.operand.as_str().unwrap_or("?"))
            } else {
                operand_text(c.operand)
            };
            let sym = if base.ends_with("Equals") {
                "=="
            } else if base.ends_with("GreaterThanEquals") {
                ">="
            } else if base.ends_with("GreaterThan") {
                ">"
            } else if base.ends_with("LessThanEquals") {
                "<="
            } else if base.ends_with("LessThan") {
                "<"
            } else {
                ""
            };
            match base {
                "IsNull" | "IsPresent" | "IsString" | "IsNumeric" | "IsBoolean" | "IsTimestamp" => {
                    let what = base.trim_start_matches("Is").to_ascii_lowercase();
                    if c.operand == &Value::Bool(false) {
                        format!("{var} is not {what}")
                    } else {
                        format!("{var} is {what}")
                    }
                }
                "StringMatches" => format!("{var} matches {value}"),
                _ if !sym.is_empty() => format!("{var} {sym} {value}"),
                _ => format!("{var} {op} {value}"),
            }
        }
        RuleKind::Invalid(why) => format!("invalid rule: {why}"),
    }
}

/// How much of a key fact to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// On a node: the action's short name, paths shortened.
    Short,
    /// In a list: the action's full name, paths whole.
    Full,
}

/// A state's key fact: its action, how long it waits, what a Map goes over, how many
/// rules a Choice has, a Succeed's message, a Fail's error, a Pass with a Result. The one
/// place it is worked out, for the graph's nodes and the inspector's list of states.
pub fn key_fact(kind: &StateKind<'_>, detail: Detail) -> String {
    let path = |p: &str| match detail {
        Detail::Short => short_path(p),
        Detail::Full => p.to_string(),
    };
    match kind {
        StateKind::Action { action_name } => match detail {
            Detail::Short => short_action(action_name.unwrap_or_default()),
            Detail::Full => action_name.unwrap_or_default().to_string(),
        },
        StateKind::Wait {
            seconds,
            seconds_path,
            ..
        } => seconds
            .as_ref()
            .map(|v| format!("{v} s"))
            .or_else(|| seconds_path.map(|p| format!("{} s", path(p))))
            .unwrap_or_default(),
        StateKind::Map { items_path, .. } => {
            format!("each of {}", items_path.map_or("$".to_string(), path))
        }
        StateKind::Choice { choices, .. } => {
            format!("{} rule(s)", choices.as_ref().map_or(0, Vec::len))
        }
        StateKind::Succeed { message } => message.unwrap_or_default().to_string(),
        StateKind::Fail { error, .. } => error.unwrap_or_default().to_string(),
        StateKind::Pass { result } if result.is_some() => "with Result".into(),
        _ => String::new(),
    }
}

/// The graph of a flow definition; `problems` gives each state's finding count by name.
pub fn build(flow: &str, def: &FlowDefinition<'_>, problems: &HashMap<String, usize>) -> FlowGraph {
    let states = def.states();
    let index: HashMap<&str, usize> = states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name, i))
        .collect();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, s) in states.iter().enumerate() {
        let type_name = s.type_name.unwrap_or("?").to_string();
        let fact = key_fact(&s.kind, Detail::Short);
        let end = s.end == Some(true)
            || matches!(s.kind, StateKind::Succeed { .. } | StateKind::Fail { .. });
        nodes.push(GraphNode {
            name: s.name.to_string(),
            type_name,
            fact,
            start: def.start_at == Some(s.name),
            end,
            problems: problems.get(s.name).copied().unwrap_or(0),
            pos: [0.0, 0.0],
            ports: Vec::new(),
        });
        let mut ports = Vec::new();
        let mut hovers: Vec<(usize, String)> = Vec::new();
        let mut port = |port: Port, to: Option<&str>, kind: EdgeKind, label: String| {
            let target = to.and_then(|t| index.get(t)).copied();
            if let Some(t) = target {
                edges.push(GraphEdge {
                    from: i,
                    to: t,
                    kind,
                    label: label.clone(),
                    port: ports.len(),
                });
            }
            ports.push(GraphPort {
                port,
                kind,
                label,
                hover: String::new(),
                target,
            });
        };
        match &s.kind {
            StateKind::Succeed { .. } | StateKind::Fail { .. } => {}
            StateKind::Choice { choices, default } => {
                let rules: Vec<&ChoiceRule<'_>> = choices.iter().flatten().collect();
                for (r, (rule, label)) in rules.iter().zip(rule_labels(&rules)).enumerate() {
                    port(Port::Rule(r), rule.next, EdgeKind::Rule, label);
                    hovers.push((r, rule_label(rule)));
                }
                port(Port::Default, *default, EdgeKind::Default, "default".into());
                port(Port::NewRule, None, EdgeKind::Rule, "+ rule".into());
            }
            other => {
                let label = if s.next.is_some() || s.end != Some(true) {
                    "next"
                } else {
                    "end"
                };
                port(Port::Next, s.next, EdgeKind::Next, label.into());
                for (c, catcher) in s.catch.iter().flatten().enumerate() {
                    let errors = catcher.error_equals.clone().unwrap_or_default();
                    let label = if errors.is_empty() || errors == ["States.ALL"] {
                        "catch".to_string()
                    } else {
                        format!("catch {}", errors.join(", "))
                    };
                    port(Port::Catch(c), catcher.next, EdgeKind::Catch, label);
                }
                if matches!(other, StateKind::Action { .. } | StateKind::Map { .. }) {
                    port(Port::NewCatch, None, EdgeKind::Catch, "+ catch".into());
                }
            }
        }
        for (r, hover) in hovers {
            if let Some(p) = ports.iter_mut().find(|p| p.port == Port::Rule(r)) {
                p.hover = hover;
            }
        }
        nodes[i].ports = ports;
    }
    let mut graph = FlowGraph {
        flow: flow.to_string(),
        nodes,
        edges,
    };
    layout(&mut graph);
    graph
}

pub use super::layout::layout;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn graph(def: Value) -> FlowGraph {
        let (flow, _) = FlowDefinition::from_value(&def, "");
        build("f", &flow, &HashMap::new())
    }

    #[test]
    fn a_switch_on_one_field_is_labelled_by_its_values() {
        let g = graph(json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.data.onboardingStatus", "StringEquals": "SESSION_SUCCEEDED", "Next": "A"},
                {"Variable": "$.data.onboardingStatus", "StringEquals": "ONBOARDING_FINISHED", "Next": "A"},
                {"Variable": "$.data.onboardingStatus", "StringEquals": "ONBOARDING_FAILED", "Next": "A"}],
              "Default": "A"},
            "A": {"Type": "Succeed"}}}));
        let labels: Vec<String> = g.nodes[0].ports[..3]
            .iter()
            .map(|p| clip_label(&p.label))
            .collect();
        assert_eq!(
            labels,
            [
                "== \"SESSION_SUCCEEDED\"",
                "== \"ONBOARDING_FINISHED\"",
                "== \"ONBOARDING_FAILED\""
            ]
        );
        assert_eq!(
            g.nodes[0].ports[0].hover,
            "data.onboardingStatus == \"SESSION_SUCCEEDED\""
        );
    }

    #[test]
    fn values_that_differ_only_at_their_end_keep_it() {
        let g = graph(json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.error.Cause", "StringEquals": "the external action you called has failed with the status code: 404", "Next": "A"},
                {"Variable": "$.error.Cause", "StringEquals": "the external action you called has failed with the status code: 429", "Next": "A"}],
              "Default": "A"},
            "A": {"Type": "Succeed"}}}));
        let labels: Vec<String> = g.nodes[0].ports[..2]
            .iter()
            .map(|p| clip_label(&p.label))
            .collect();
        assert_eq!(
            labels,
            [
                "== \"the …action you called has failed with the status code: 404\"",
                "== \"the …action you called has failed with the status code: 429\""
            ]
        );
    }

    #[test]
    fn long_names_break_at_their_words() {
        assert_eq!(name_lines("CheckTicketExists", 1), ["CheckTicketExists"]);
        assert_eq!(
            name_lines("CheckTicketExists", 3),
            ["Check", "Ticket", "Exists"]
        );
        assert_eq!(
            name_lines("CheckTicketExists", 2),
            ["CheckTicket", "Exists"]
        );
        assert_eq!(name_lines("post_to_slack", 2), ["post_to_", "slack"]);
        assert_eq!(name_lines("Done", 3), ["Done"]);
        assert_eq!(name_lines("Debug.WebHook", 2), ["Debug.", "WebHook"]);
        assert_eq!(name_lines("", 2), Vec::<String>::new());
        let name = "TransformForUpdateTicketAndNotifyTheOwner";
        for n in 1..6 {
            let lines = name_lines(name, n);
            assert!(lines.len() <= n, "{lines:?}");
            assert_eq!(lines.concat(), name);
        }
    }

    #[test]
    fn sibling_rules_get_labels_that_differ() {
        let g = graph(json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.input.ticket_event.current.status", "StringEquals": "solved", "Next": "A"},
                {"Variable": "$.input.ticket_event.previous.status", "StringEquals": "solved", "Next": "A"},
                {"Variable": "$.input.ticket_event.current.priority", "StringEquals": "urgent", "Next": "A"},
                {"Variable": "$.input.tags", "StringEquals": "vip", "Next": "A"},
                {"Variable": "$.input.tags", "StringEquals": "vip", "Next": "A"},
                {"Variable": "$.input.note", "StringEquals": "a very long value that goes on", "Next": "A"}],
              "Default": "A"},
            "A": {"Type": "Succeed"}}}));
        let labels: Vec<&str> = g.nodes[0].ports.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            &labels[..6],
            [
                "current.status == \"solved\"",
                "previous.status == \"solved\"",
                "priority == \"urgent\"",
                "#4 tags == \"vip\"",
                "#5 tags == \"vip\"",
                "note == \"a very long…\"",
            ]
        );
        assert_eq!(
            g.nodes[0].ports[5].hover,
            "input.note == \"a very long value that goes on\""
        );
    }

    #[test]
    fn edges_labels_and_layers() {
        let g = graph(json!({"StartAt": "Load", "States": {
            "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig", "Next": "Urgent?",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}]},
            "Urgent?": {"Type": "Choice", "Choices": [
                {"Variable": "$.input.ticket.priority", "StringEquals": "urgent", "Next": "Post"},
                {"And": [{"Variable": "$.n", "NumericGreaterThan": 3}, {"Not": {"Variable": "$.x", "IsNull": true}}], "Next": "Post"}],
                "Default": "Done"},
            "Post": {"Type": "Action", "ActionName": "zis:acme:action:post_message", "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Oops": {"Type": "Fail", "Error": "E", "Cause": "c"},
            "Orphan": {"Type": "Pass", "End": true}}}));
        assert_eq!(g.nodes[0].fact, "LoadConfig (built-in)");
        assert_eq!(g.nodes[2].fact, "post_message");
        let labels: Vec<&str> = g.edges.iter().map(|e| e.label.as_str()).collect();
        // Edge labels tell siblings apart; the whole rule is the hover.
        assert!(labels.contains(&"priority == \"urgent\""), "{labels:?}");
        assert!(labels.contains(&"n > 3 and not (x is null)"), "{labels:?}");
        let choice = g.nodes.iter().find(|n| n.name == "Urgent?").unwrap();
        assert_eq!(choice.ports[0].hover, "input.ticket.priority == \"urgent\"");
        assert!(labels.contains(&"default") && labels.contains(&"catch"));
        let pos = |name: &str| g.nodes.iter().find(|n| n.name == name).unwrap().pos;
        // Top to bottom.
        assert_eq!(pos("Load")[1], 0.0);
        assert!(pos("Urgent?")[1] > pos("Load")[1]);
        assert!(pos("Post")[1] > pos("Urgent?")[1]);
        assert!(
            pos("Orphan")[1] > pos("Done")[1],
            "unreachable nodes go below the rest"
        );
        // No two nodes share a place.
        for (i, a) in g.nodes.iter().enumerate() {
            for b in &g.nodes[i + 1..] {
                assert_ne!(a.pos, b.pos, "{} and {}", a.name, b.name);
            }
        }
        assert!(g.nodes.iter().find(|n| n.name == "Done").unwrap().end);
    }

    #[test]
    fn sidecar_positions_round_trip_next_to_the_bundle() {
        let dir = std::env::temp_dir().join(format!("zis-sidecar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bundle = dir.join("b.json");
        let mut s = Sidecar::default();
        s.set("f", "Load", [10.0, 20.0]);
        s.save(&bundle).unwrap();
        assert!(dir.join("b.json.zis-studio.json").exists());
        let back = Sidecar::load(&bundle).0;
        assert_eq!(back, s);
        let mut g =
            graph(json!({"StartAt": "Load", "States": {"Load": {"Type": "Pass", "End": true}}}));
        back.apply(&mut g);
        assert_eq!(g.nodes[0].pos, [10.0, 20.0]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod sidecar_tests {
    use super::*;

    #[test]
    fn a_hand_written_sidecar_with_phase_breakpoints_loads() {
        let s: Sidecar = serde_json::from_str(
            r#"{"breakpoints": {"phases": {"f": {"Post": ["before_action", "after_result"]}}}}"#,
        )
        .unwrap();
        assert_eq!(
            s.breakpoints.phases_of("f", "Post"),
            vec![
                zis_engine::run::execution::Phase::BeforeAction,
                zis_engine::run::execution::Phase::AfterResult
            ]
        );
    }
}
