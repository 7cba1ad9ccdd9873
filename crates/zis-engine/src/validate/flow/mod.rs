//! State-machine checks: the machine itself (fields, `StartAt`, `States`, reachability, a
//! terminal state, duplicate names) and what every state shares (name, `Type`, transition
//! targets, then the common and per-type checks in the files below).
//!
//! | file | what it checks |
//! |---|---|
//! | [`fields`] | `Next`/`End`, the fields each state type allows, the path fields |
//! | [`payload`] | `Parameters`/`ResultSelector` and action templates: `.$` keys, `{{ }}` placeholders |
//! | [`catch`] | `Catch` (ErrorEquals, Next, ResultPath) |
//! | [`action`] | Action states (ActionName, the built-ins' parameters, Jq) and ASL Task states |
//! | [`choice`] | Choice states and their rules and operands |
//! | [`wait`] | Wait states |
//! | [`map`] | Map and Parallel states, whose nested state machines are checked with [`check_machine`] |
//! | [`terminal`] | Succeed and Fail states (Pass has no checks of its own) |

mod action;
mod catch;
mod choice;
mod fields;
mod map;
mod payload;
mod terminal;
mod wait;

pub(crate) use payload::{Payload, check_payload};

use super::asl;
use super::{Code, Mode, Options, Sink};
use crate::json::pointer;
use crate::model::{FlowDefinition, State, StateKind};
use crate::path::PathContext;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};

/// What a ResultPath of `$` replaces: the flow's data, or (`nested`) a Map iteration's item.
fn whole_data(nested: bool) -> &'static str {
    if nested {
        "the whole item this iteration works on"
    } else {
        "the whole state data, including $.input"
    }
}

/// What an enclosing machine tells a nested one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Refs {
    /// Names of the states of enclosing machines (a nested machine cannot jump to them).
    pub outer: HashSet<String>,
    /// The enclosing QueryLanguage (ASL), `None` for JSONPath.
    pub jsonata: bool,
    /// True inside a Map iterator or Parallel branch.
    pub nested: bool,
    /// True when the top-level state machine is JSONata (states cannot downgrade to JSONPath).
    pub root_jsonata: bool,
}

pub(crate) fn check_machine(
    def: &FlowDefinition,
    raw: &Value,
    options: Options,
    refs: &Refs,
    sink: &mut Sink,
) {
    let asl = options.mode == Mode::Asl;
    let ptr = def.pointer.as_str();
    let allowed: &[&str] = if asl {
        &[
            "StartAt",
            "States",
            "Comment",
            "QueryLanguage",
            "TimeoutSeconds",
            "Version",
            "ProcessorConfig",
        ]
    } else {
        &["StartAt", "States", "Comment"]
    };
    for key in &def.keys {
        if !allowed.contains(key) {
            let p = pointer::push(ptr, key);
            if asl {
                sink.push(
                    Code::FieldNotAllowed,
                    p,
                    format!("\"{key}\" is not a field of a state machine"),
                );
            } else {
                sink.push(
                    Code::UnknownProperty,
                    p,
                    format!("\"{key}\" is not a field of a ZIS flow definition"),
                );
            }
        }
    }
    let mut jsonata = refs.jsonata;
    let mut refs = refs.clone();
    if asl && let Some(q) = &def.query_language {
        match *q {
            "JSONata" => {
                jsonata = true;
                refs.root_jsonata |= !refs.nested;
            }
            "JSONPath" if refs.root_jsonata => sink.push(
                Code::Jsonata,
                format!("{ptr}/QueryLanguage"),
                "QueryLanguage cannot be JSONPath inside a JSONata state machine",
            ),
            "JSONPath" => jsonata = false,
            other => sink.push(
                Code::Jsonata,
                format!("{ptr}/QueryLanguage"),
                format!("QueryLanguage \"{other}\" must be JSONPath or JSONata"),
            ),
        }
    }
    let has_key = |k: &str| def.keys.contains(&k);
    match &def.start_at {
        None if !has_key("StartAt") => sink.push(
            Code::MissingField,
            ptr,
            "required field \"StartAt\" is missing (the name of the first state)",
        ),
        Some(start) if def.states.is_some() && def.state(start).is_none() => sink.push(
            Code::UnknownState,
            format!("{ptr}/StartAt"),
            format!(
                "StartAt names \"{start}\", but there is no such state{}",
                known_states(def, start)
            ),
        ),
        _ => {}
    }
    let Some(states) = &def.states else {
        if !has_key("States") {
            sink.push(
                Code::MissingField,
                ptr,
                "required field \"States\" is missing",
            );
        }
        return;
    };
    if states.is_empty() {
        sink.push(
            Code::MissingField,
            format!("{ptr}/States"),
            "States must hold at least one state",
        );
        return;
    }
    let raw_states = raw.get("States");
    for state in states {
        let raw_state = raw_states
            .and_then(|s| s.get(state.name))
            .unwrap_or(&Value::Null);
        check_state(state, raw_state, def, options, &refs, jsonata, sink);
    }
    reachability(
        def,
        if asl {
            Code::Unreachable
        } else {
            Code::UnreachableZis
        },
        sink,
    );
    if !states.iter().any(is_terminal) {
        sink.push(
            Code::NoTerminal,
            format!("{ptr}/States"),
            "no state ends the flow: give one state \"End\": true, or add a Succeed or Fail state",
        );
    }
    if asl && !refs.nested {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for s in def.all_states() {
            let n = seen.entry(s.name).or_default();
            *n += 1;
            if *n == 2 {
                sink.push(
                    Code::DuplicateStateName,
                    &s.pointer,
                    format!(
                        "a state named \"{}\" already exists in this state machine",
                        s.name
                    ),
                );
            }
        }
    }
}

/// A hint for a name that matches no state: the closest state name, or the list of states.
fn known_states(def: &FlowDefinition, wanted: &str) -> String {
    let names: Vec<&str> = def.states().iter().map(|s| s.name).collect();
    let closest = names
        .iter()
        .map(|n| (edit_distance(&n.to_lowercase(), &wanted.to_lowercase()), *n))
        .min();
    match closest {
        Some((d, n)) if d <= (wanted.chars().count() / 3).max(2) => {
            format!("; did you mean \"{n}\"?")
        }
        _ if names.is_empty() => String::new(),
        _ => format!(
            " (states: {})",
            names
                .iter()
                .take(12)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn is_terminal(s: &State) -> bool {
    matches!(s.kind, StateKind::Succeed { .. } | StateKind::Fail { .. }) || s.end == Some(true)
}

fn reachability(def: &FlowDefinition, code: Code, sink: &mut Sink) {
    let Some(start) = def.start_at.filter(|s| def.state(s).is_some()) else {
        return;
    };
    let mut seen: HashSet<&str> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(name) = queue.pop_front() {
        let Some(state) = def.state(name) else {
            continue;
        };
        for target in state.target_names() {
            if def.state(target).is_some() && seen.insert(target) {
                queue.push_back(target);
            }
        }
    }
    for s in def.states() {
        if !seen.contains(s.name) {
            sink.push(
                code,
                &s.pointer,
                format!(
                    "state \"{}\" is not reachable from StartAt \"{start}\"",
                    s.name
                ),
            );
        }
    }
}

/// One state under check, with what its per-type checks need.
struct StateCheck<'c, 'a> {
    state: &'c State<'a>,
    /// The state's JSON object.
    raw: &'c Value,
    /// The machine the state belongs to.
    def: &'c FlowDefinition<'a>,
    options: Options,
    refs: &'c Refs,
    /// The state uses JSONata (ASL).
    jsonata: bool,
}

impl StateCheck<'_, '_> {
    fn asl(&self) -> bool {
        self.options.mode == Mode::Asl
    }

    fn ptr(&self) -> &str {
        self.state.pointer.as_str()
    }

    fn has(&self, key: &str) -> bool {
        self.state.keys.contains(&key)
    }

    /// What this state tells a state machine nested in it (a Map iterator, a Parallel branch).
    fn nested_refs(&self) -> Refs {
        let mut inner = self.refs.clone();
        inner.jsonata = self.jsonata;
        inner.nested = true;
        inner
            .outer
            .extend(self.def.states().iter().map(|s| s.name.to_string()));
        inner
    }
}

/// One state: its name and `Type`, transitions and their targets, fields, paths, payloads and
/// Catch, then the checks of its type.
fn check_state(
    state: &State,
    raw: &Value,
    def: &FlowDefinition,
    options: Options,
    refs: &Refs,
    machine_jsonata: bool,
    sink: &mut Sink,
) {
    let asl = options.mode == Mode::Asl;
    let ptr = state.pointer.as_str();
    let has = |k: &str| state.keys.contains(&k);
    if state.name.chars().count() > 80 {
        sink.push(
            Code::StateNameTooLong,
            ptr,
            format!(
                "state name \"{}…\" is longer than 80 characters",
                state.name.chars().take(30).collect::<String>()
            ),
        );
    }
    if state.type_name.is_none() {
        if !has("Type") {
            sink.push(
                Code::MissingField,
                ptr,
                "required field \"Type\" is missing",
            );
        }
        return;
    }
    let type_name = state.type_name.unwrap_or_default();
    match (&state.kind, asl) {
        (StateKind::Task { .. }, false) => {
            sink.push(Code::UnsupportedState, format!("{ptr}/Type"), "ZIS does not support Task states; call built-in or custom actions with an Action state");
        }
        (StateKind::Parallel { .. }, false) => {
            sink.push(
                Code::UnsupportedState,
                format!("{ptr}/Type"),
                "ZIS does not support Parallel states; run the steps one after another",
            );
        }
        (StateKind::Action { .. }, true) => {
            sink.push(
                Code::UnknownStateType,
                format!("{ptr}/Type"),
                "Action is a ZIS state type; ASL uses Task",
            );
            return;
        }
        (StateKind::Unknown, _) => {
            let list = if asl {
                "Pass, Task, Choice, Wait, Succeed, Fail, Map, Parallel"
            } else {
                "Action, Choice, Pass, Wait, Succeed, Fail, Map"
            };
            sink.push(
                Code::UnknownStateType,
                format!("{ptr}/Type"),
                format!("unknown state type \"{type_name}\"; states are {list}"),
            );
            return;
        }
        _ => {}
    }
    let jsonata = if asl {
        match raw.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => true,
            Some("JSONPath") if refs.root_jsonata && !refs.nested => {
                sink.push(Code::Jsonata, ptr, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for the whole state machine");
                false
            }
            Some("JSONPath") => false,
            Some(other) => {
                sink.push(
                    Code::Jsonata,
                    format!("{ptr}/QueryLanguage"),
                    format!("QueryLanguage \"{other}\" must be JSONPath or JSONata"),
                );
                machine_jsonata
            }
            None => machine_jsonata,
        }
    } else {
        false
    };
    fields::check_transitions(state, sink);
    let missing_target = state.target_names().any(|t| def.state(t).is_none());
    for (target, tptr) in state.targets().into_iter().filter(|_| missing_target) {
        if def.state(target).is_none() {
            let msg = if refs.outer.contains(target) {
                format!(
                    "\"{target}\" is outside this Map iterator or branch; a nested state machine cannot transition out of it"
                )
            } else {
                format!(
                    "there is no state named \"{target}\"{}",
                    known_states(def, target)
                )
            };
            sink.push(Code::UnknownState, tptr, msg);
        }
    }
    fields::check_fields(state, type_name, asl, jsonata, sink);
    if !jsonata {
        fields::check_path_field(&state.input_path, ptr, "InputPath", PathContext::Path, sink);
        fields::check_path_field(
            &state.output_path,
            ptr,
            "OutputPath",
            PathContext::Path,
            sink,
        );
        fields::check_path_field(
            &state.result_path,
            ptr,
            "ResultPath",
            PathContext::Result,
            sink,
        );
        let params_key = if has("Parameters") {
            "Parameters"
        } else {
            "ItemSelector"
        };
        if let Some(p) = &state.parameters {
            check_payload(
                p,
                &format!("{ptr}/{params_key}"),
                Payload::Parameters,
                options.mode,
                sink,
            );
        }
        if let Some(p) = &state.result_selector {
            check_payload(
                p,
                &format!("{ptr}/ResultSelector"),
                Payload::Parameters,
                options.mode,
                sink,
            );
        }
    } else {
        asl::check_jsonata_strings(raw, ptr, true, sink);
    }
    catch::check_catch(state, asl, refs.nested, sink);
    let c = StateCheck {
        state,
        raw,
        def,
        options,
        refs,
        jsonata,
    };
    match &state.kind {
        StateKind::Action { action_name } => {
            action::check_action(state, action_name.as_deref(), raw, refs.nested, sink)
        }
        StateKind::Choice { choices, default } => {
            choice::check_choice(&c, choices.as_deref(), *default, sink)
        }
        StateKind::Wait {
            seconds,
            seconds_path,
            timestamp,
            timestamp_path,
        } => {
            wait::check_wait(
                ptr,
                *seconds,
                *seconds_path,
                *timestamp,
                *timestamp_path,
                asl,
                jsonata,
                sink,
            );
        }
        StateKind::Map {
            items_path,
            iterator,
        } => map::check_map(&c, *items_path, iterator.as_deref(), sink),
        StateKind::Parallel { branches } => map::check_parallel(&c, branches, sink),
        StateKind::Task { .. } => action::check_task(&c, sink),
        StateKind::Fail { error, cause } => terminal::check_fail(&c, *error, *cause, sink),
        StateKind::Succeed { message } => terminal::check_succeed(&c, *message, sink),
        StateKind::Pass { .. } | StateKind::Unknown => {}
    }
}
