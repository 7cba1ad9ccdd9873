//! State-machine checks: transitions, reachability, state types and their fields, Choice
//! rules, Catch, Map, Wait, paths and `.$` payloads.

use super::asl;
use super::{Code, Mode, Options, Sink};
use crate::json::pointer;
use crate::model::{
    ChoiceRule, FlowDefinition, PathField, RuleKind, State, StateKind,
    choice::{ALL_OPERATORS, ZIS_OPERATORS},
};
use crate::path::{self, PathContext};
use crate::{jq, template};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};

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

/// Which kind of payload a `.$` walk is checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Payload {
    /// State `Parameters`/`ResultSelector`: plain strings are literals.
    Parameters,
    /// A custom action definition: plain strings are `{{ }}` templates.
    ActionTemplate,
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
    check_transitions(state, sink);
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
    check_fields(state, type_name, asl, jsonata, sink);
    if !jsonata {
        check_path_field(&state.input_path, ptr, "InputPath", PathContext::Path, sink);
        check_path_field(
            &state.output_path,
            ptr,
            "OutputPath",
            PathContext::Path,
            sink,
        );
        check_path_field(
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
    check_catch(state, asl, sink);
    let inner = || {
        let mut inner = refs.clone();
        inner.jsonata = jsonata;
        inner.nested = true;
        inner
            .outer
            .extend(def.states().iter().map(|s| s.name.to_string()));
        inner
    };
    match &state.kind {
        StateKind::Action { action_name } => check_action(state, action_name.as_deref(), raw, sink),
        StateKind::Choice { choices, default } => {
            match choices {
                None if !has("Choices") => sink.push(
                    Code::MissingField,
                    ptr,
                    "required field \"Choices\" is missing",
                ),
                Some(rules) if rules.is_empty() => sink.push(
                    Code::ChoiceRule,
                    format!("{ptr}/Choices"),
                    "Choices needs at least one rule",
                ),
                _ => {}
            }
            for rule in choices.iter().flatten() {
                check_rule(rule, true, asl, jsonata, sink);
            }
            if default.is_none() && !asl {
                sink.push(
                    Code::NoDefault,
                    ptr,
                    "no Default: when no rule matches, the flow fails with States.NoChoiceMatched",
                );
            }
        }
        StateKind::Wait {
            seconds,
            seconds_path,
            timestamp,
            timestamp_path,
        } => {
            check_wait(
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
        } => {
            if asl {
                asl::check_map(raw, ptr, sink);
            } else {
                if items_path.is_none() && !has("ItemsPath") {
                    sink.push(
                        Code::MapRule,
                        ptr,
                        "a ZIS Map state needs \"ItemsPath\" (a path to an array of objects)",
                    );
                }
                if iterator.is_none() && !has("ItemProcessor") {
                    sink.push(Code::MapRule, ptr, "a Map state needs an \"Iterator\" (a nested state machine run for each item)");
                }
                for key in [
                    "ItemProcessor",
                    "ItemSelector",
                    "MaxConcurrency",
                    "Parameters",
                ] {
                    if has(key) {
                        let why = match key {
                            "ItemProcessor" => {
                                "ZIS Map states take \"Iterator\", not \"ItemProcessor\""
                            }
                            "MaxConcurrency" => {
                                "ZIS does not support MaxConcurrency; iterations run one at a time"
                            }
                            _ => {
                                "ZIS does not support Parameters on a Map state; merge shared data into each item with a Jq transform first"
                            }
                        };
                        sink.push(Code::MapRule, pointer::push(ptr, key), why);
                    }
                }
            }
            if let Some(p) = items_path
                && !jsonata
                && let Err(e) = path::check(p, PathContext::Reference)
            {
                sink.push(
                    Code::InvalidPath,
                    format!("{ptr}/ItemsPath"),
                    format!("ItemsPath \"{p}\": {e}"),
                );
            }
            if let Some(it) = iterator {
                let key = if has("Iterator") {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                let raw_it = raw.get(key).unwrap_or(&Value::Null);
                check_machine(it, raw_it, options, &inner(), sink);
            }
        }
        StateKind::Parallel { branches } => {
            if asl {
                match raw.get("Branches") {
                    None => sink.push(
                        Code::ParallelRule,
                        ptr,
                        "a Parallel state needs \"Branches\"",
                    ),
                    Some(Value::Array(bs)) => {
                        let inner = inner();
                        for (b, rb) in branches.iter().zip(bs) {
                            check_machine(b, rb, options, &inner, sink);
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        StateKind::Task { .. } => {
            if asl {
                asl::check_task(raw, ptr, options.express, jsonata, sink);
                if let Some(Value::Object(c)) = raw.get("Credentials") {
                    check_payload(
                        &Value::Object(c.clone()),
                        &format!("{ptr}/Credentials"),
                        Payload::Parameters,
                        Mode::Asl,
                        sink,
                    );
                }
            }
        }
        StateKind::Fail { error, cause } => {
            if asl {
                asl::at_most_one(raw, ptr, "Error", "ErrorPath", Code::FailRule, sink);
                asl::at_most_one(raw, ptr, "Cause", "CausePath", Code::FailRule, sink);
                for key in ["ErrorPath", "CausePath"] {
                    if let Some(p) = raw.get(key).and_then(Value::as_str)
                        && !jsonata
                        && let Err(e) = path::check(p, PathContext::PayloadTemplate)
                    {
                        sink.push(
                            Code::InvalidPath,
                            pointer::push(ptr, key),
                            format!("{key} \"{p}\": {e}"),
                        );
                    }
                }
            } else {
                for (key, v) in [("Error", error), ("Cause", cause)] {
                    if let Some(v) = v {
                        check_placeholders(v, &pointer::push(ptr, key), sink);
                    }
                }
            }
        }
        StateKind::Succeed { message } => {
            if let Some(m) = message {
                check_placeholders(m, &format!("{ptr}/Message"), sink);
            }
        }
        StateKind::Pass { .. } | StateKind::Unknown => {}
    }
}

fn check_placeholders(s: &str, ptr: &str, sink: &mut Sink) {
    if let Err(e) = template::check(s) {
        sink.push(Code::Placeholder, ptr, e.message);
    }
}

fn check_transitions(state: &State, sink: &mut Sink) {
    let ptr = state.pointer.as_str();
    let has = |k: &str| state.keys.contains(&k);
    match state.kind {
        StateKind::Choice { .. } | StateKind::Succeed { .. } | StateKind::Fail { .. } => {
            for key in ["Next", "End"] {
                if has(key) {
                    sink.push(
                        Code::TerminalWithTransition,
                        pointer::push(ptr, key),
                        format!("a {} state cannot have \"{key}\"", state.kind.type_name()),
                    );
                }
            }
        }
        _ => {
            if state.end == Some(false) {
                sink.push(
                    Code::EndNotTrue,
                    format!("{ptr}/End"),
                    "\"End\" only accepts true; remove it and use \"Next\" to continue",
                );
            }
            if has("Next") && state.end == Some(true) {
                sink.push(
                    Code::NextAndEnd,
                    ptr,
                    format!(
                        "state \"{}\" has both \"Next\" and \"End\"; keep exactly one",
                        state.name
                    ),
                );
            }
            if !has("Next") && !has("End") {
                sink.push(
                    Code::NoTransition,
                    ptr,
                    format!(
                        "state \"{}\" has neither \"Next\" nor \"End\": true",
                        state.name
                    ),
                );
            }
        }
    }
}

fn check_fields(state: &State, type_name: &str, asl: bool, jsonata: bool, sink: &mut Sink) {
    let ptr = state.pointer.as_str();
    if asl {
        let allowed = asl::asl_fields(type_name);
        for key in &state.keys {
            let k = *key;
            let p = || pointer::push(ptr, k);
            if !(asl::ASL_COMMON.contains(&k) || allowed.contains(&k)) {
                sink.push(
                    Code::FieldNotAllowed,
                    p(),
                    format!("\"{k}\" is not a field of a {type_name} state"),
                );
            } else if jsonata && asl::JSONPATH_ONLY.contains(&k) {
                sink.push(Code::Jsonata, p(), format!("\"{k}\" is a JSONPath field; a JSONata state uses Arguments, Output and Assign"));
            } else if !jsonata && asl::JSONATA_ONLY.contains(&k) {
                sink.push(
                    Code::Jsonata,
                    p(),
                    format!("\"{k}\" is a JSONata field; set QueryLanguage to JSONata to use it"),
                );
            }
        }
        return;
    }
    let (allowed, ignored, handled) = asl::zis_fields(type_name);
    for key in &state.keys {
        let k = *key;
        if k == "Type" || k == "Comment" || allowed.contains(&k) || handled.contains(&k) {
            continue;
        }
        let p = pointer::push(ptr, k);
        if ignored.contains(&k) {
            let extra = if k == "Retry" {
                "; ZIS retries failed flows itself (up to three times)"
            } else {
                ""
            };
            sink.push(
                Code::IgnoredField,
                p,
                format!(
                    "ZIS does not support \"{k}\" on a {type_name} state; it is ignored{extra}"
                ),
            );
        } else {
            sink.push(
                Code::UnknownProperty,
                p,
                format!("\"{k}\" is not a field of a ZIS {type_name} state"),
            );
        }
    }
}

fn check_path_field(field: &PathField, ptr: &str, key: &str, ctx: PathContext, sink: &mut Sink) {
    if let PathField::Path(p) = field
        && let Err(e) = path::check(p, ctx)
    {
        sink.push(
            Code::InvalidPath,
            pointer::push(ptr, key),
            format!("{key} \"{p}\": {e}"),
        );
    }
}

fn check_catch(state: &State, asl: bool, sink: &mut Sink) {
    let Some(catchers) = &state.catch else { return };
    let allowed = if asl {
        matches!(
            state.kind,
            StateKind::Task { .. } | StateKind::Map { .. } | StateKind::Parallel { .. }
        )
    } else {
        matches!(state.kind, StateKind::Action { .. } | StateKind::Map { .. })
    };
    if !allowed {
        let which = if asl {
            "Task, Map and Parallel"
        } else {
            "Action and Map"
        };
        sink.push(
            Code::CatchNotAllowed,
            format!("{}/Catch", state.pointer),
            format!("only {which} states can have Catch"),
        );
    }
    let n = catchers.len();
    for (i, c) in catchers.iter().enumerate() {
        match &c.error_equals {
            None => sink.push(
                Code::MissingField,
                &c.pointer,
                "required field \"ErrorEquals\" is missing",
            ),
            Some(names) if !asl => {
                if names.len() != 1 || names[0] != "States.ALL" {
                    sink.push(
                        Code::ErrorEquals,
                        format!("{}/ErrorEquals", c.pointer),
                        format!(
                            "ZIS only supports \"ErrorEquals\": [\"States.ALL\"], found {names:?}"
                        ),
                    );
                }
            }
            Some(names) => {
                if names.is_empty() {
                    sink.push(
                        Code::ErrorEquals,
                        format!("{}/ErrorEquals", c.pointer),
                        "ErrorEquals needs at least one error name",
                    );
                } else if names.contains(&"States.ALL") && (names.len() > 1 || i + 1 != n) {
                    sink.push(
                        Code::ErrorEquals,
                        format!("{}/ErrorEquals", c.pointer),
                        "States.ALL must stand alone in the last catcher",
                    );
                }
            }
        }
        if c.next.is_none() {
            sink.push(
                Code::MissingField,
                &c.pointer,
                "required field \"Next\" is missing (the state to go to when the error is caught)",
            );
        }
        match &c.result_path {
            PathField::Path(p) => {
                if let Err(e) = path::check(p, PathContext::Result) {
                    sink.push(Code::InvalidPath, format!("{}/ResultPath", c.pointer), format!("ResultPath \"{p}\": {e}"));
                }
            }
            PathField::Absent if !asl => sink.push(
                Code::CatchResultPath,
                &c.pointer,
                "no ResultPath: the error object replaces the whole state data, including $.input; set e.g. \"ResultPath\": \"$.error\"",
            ),
            _ => {}
        }
    }
}

/// Required parameters of the built-in actions (a key counts with or without `.$`).
const BUILTIN_PARAMS: &[(&str, &[&[&str]])] = &[
    ("zis:common:action:LoadConfig", &[&["scope"]]),
    ("zis:common:action:PatchConfig", &[&["scope"], &["config"]]),
    (
        "zis:common:action:LoadLinks",
        &[&["link_type"], &["left_object_name", "right_object_name"]],
    ),
    (
        "zis:common:action:CreateLink",
        &[&["link_type"], &["left_object"], &["right_object"]],
    ),
    ("zis:common:transform:Jq", &[&["expr"]]),
];

fn check_action(state: &State, action: Option<&str>, raw: &Value, sink: &mut Sink) {
    let ptr = state.pointer.as_str();
    let Some(action) = action else {
        if raw.get("ActionName").is_none() {
            sink.push(
                Code::MissingField,
                ptr,
                "required field \"ActionName\" is missing",
            );
        }
        return;
    };
    if state.result_path == PathField::Absent {
        sink.push(
            Code::NoResultPath,
            ptr,
            "no ResultPath: the action's result replaces the whole state data, including $.input; set e.g. \"ResultPath\": \"$.result\"",
        );
    }
    if let Some(t) = raw.get("TimeoutSeconds")
        && t.as_u64().is_none_or(|v| v == 0)
    {
        sink.push(
            Code::WrongType,
            format!("{ptr}/TimeoutSeconds"),
            "\"TimeoutSeconds\" must be a positive integer",
        );
    }
    let params = state.parameters.and_then(Value::as_object);
    let has_param =
        |k: &str| params.is_some_and(|p| p.contains_key(k) || p.contains_key(&format!("{k}.$")));
    if let Some((_, groups)) = BUILTIN_PARAMS.iter().find(|(name, _)| *name == action) {
        let short = action.rsplit(':').next().unwrap_or(action);
        for group in *groups {
            if !group.iter().any(|k| has_param(k)) {
                let names = group
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(" or ");
                sink.push(
                    Code::ActionParameter,
                    if params.is_some() {
                        format!("{ptr}/Parameters")
                    } else {
                        ptr.to_string()
                    },
                    format!("{short} needs the parameter {names}"),
                );
            }
        }
    }
    if action == "zis:common:transform:Jq"
        && let Some(Value::String(expr)) = params.and_then(|p| p.get("expr"))
        && let Err(e) = jq::check(expr)
    {
        let at = e
            .offset
            .map(|o| {
                format!(
                    " (at character {})",
                    expr[..o.min(expr.len())].chars().count() + 1
                )
            })
            .unwrap_or_default();
        sink.push(
            Code::JqCompile,
            format!("{ptr}/Parameters/expr"),
            format!("{}{at}", e.message),
        );
    }
}

fn check_rule(rule: &ChoiceRule, top: bool, asl: bool, jsonata: bool, sink: &mut Sink) {
    let ptr = rule.pointer.as_str();
    let has = |k: &str| rule.keys.contains(&k);
    if top && rule.next.is_none() && !has("Next") {
        sink.push(Code::ChoiceRule, ptr, "a Choice rule needs \"Next\"");
    }
    if !top && has("Next") {
        sink.push(
            Code::ChoiceRule,
            format!("{ptr}/Next"),
            "a rule nested in And, Or or Not cannot have \"Next\"",
        );
    }
    if has("End") {
        sink.push(
            Code::ChoiceRule,
            format!("{ptr}/End"),
            "a Choice rule cannot end the flow; use \"Next\" to a Succeed state",
        );
        return;
    }
    match &rule.kind {
        RuleKind::And(subs) | RuleKind::Or(subs) => {
            for s in subs {
                check_rule(s, false, asl, jsonata, sink);
            }
        }
        RuleKind::Not(sub) => check_rule(sub, false, asl, jsonata, sink),
        RuleKind::Invalid(msg) => sink.push(Code::ChoiceRule, ptr, msg.clone()),
        RuleKind::Compare(c) => {
            let op = c.operator;
            if asl && op == "Condition" {
                if !jsonata {
                    sink.push(
                        Code::Jsonata,
                        format!("{ptr}/Condition"),
                        "\"Condition\" is a JSONata field",
                    );
                }
                return;
            }
            let known = if asl { ALL_OPERATORS } else { ZIS_OPERATORS };
            if !known.contains(&op) {
                let optr = pointer::push(ptr, op);
                if !asl && ALL_OPERATORS.contains(&op) {
                    let hint = match op {
                        "StringMatches" => "; list the values with StringEquals inside an Or",
                        o if o.starts_with("Is") => "; ZIS supports IsPresent and IsNull only",
                        _ => {
                            "; ZIS supports the Path form only for StringEquals, Numeric* and BooleanEquals"
                        }
                    };
                    sink.push(
                        Code::UnsupportedOperator,
                        optr,
                        format!("ZIS does not support the Choice operator {op}{hint}"),
                    );
                } else {
                    sink.push(
                        Code::ChoiceRule,
                        optr,
                        format!("\"{op}\" is not a Choice operator"),
                    );
                }
                return;
            }
            match &c.variable {
                None => {
                    if !has("Variable") {
                        sink.push(
                            Code::ChoiceRule,
                            ptr,
                            format!("the comparison {op} needs \"Variable\" (the path to test)"),
                        );
                    }
                }
                Some(v) => {
                    if let Err(e) = path::check(v, PathContext::Reference) {
                        sink.push(
                            Code::InvalidPath,
                            format!("{ptr}/Variable"),
                            format!("Variable \"{v}\": {e}"),
                        );
                    }
                }
            }
            check_operand(op, c.operand, ptr, sink);
        }
    }
}

fn check_operand(op: &str, operand: &Value, rule_ptr: &str, sink: &mut Sink) {
    let ptr = || pointer::push(rule_ptr, op);
    if op.ends_with("Path") && op != "IsPresent" {
        match operand.as_str() {
            Some(p) => {
                if let Err(e) = path::check(p, PathContext::Reference) {
                    sink.push(Code::InvalidPath, ptr(), format!("{op} \"{p}\": {e}"));
                }
            }
            None => sink.push(
                Code::OperandType,
                ptr(),
                format!("{op} takes a path string"),
            ),
        }
        return;
    }
    let (ok, expected) = if op.starts_with("Is") || op.starts_with("Boolean") {
        (operand.is_boolean(), "true or false")
    } else if op.starts_with("Numeric") {
        (operand.is_number(), "a number")
    } else if op.starts_with("Timestamp") {
        match operand.as_str() {
            Some(s) if asl::is_rfc3339(s) => (true, ""),
            Some(s) => {
                sink.push(Code::Timestamp, ptr(), format!("{op} takes an RFC 3339 timestamp such as 2024-01-31T09:30:00Z, found \"{s}\""));
                return;
            }
            None => (false, "a timestamp string"),
        }
    } else {
        (operand.is_string(), "a string")
    };
    if !ok {
        sink.push(
            Code::OperandType,
            ptr(),
            format!(
                "{op} takes {expected}, found {}",
                crate::model::type_name_of(operand)
            ),
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn check_wait(
    ptr: &str,
    seconds: Option<&Value>,
    seconds_path: Option<&str>,
    timestamp: Option<&str>,
    timestamp_path: Option<&str>,
    asl: bool,
    jsonata: bool,
    sink: &mut Sink,
) {
    let count = [
        seconds.is_some(),
        seconds_path.is_some(),
        timestamp.is_some(),
        timestamp_path.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if !asl {
        if timestamp.is_some() || timestamp_path.is_some() {
            sink.push(Code::WaitRule, ptr, "ZIS Wait states support Seconds and SecondsPath only (no Timestamp or TimestampPath)");
        } else if count != 1 {
            sink.push(
                Code::WaitRule,
                ptr,
                "a Wait state needs exactly one of \"Seconds\" and \"SecondsPath\"",
            );
        }
        if let Some(s) = seconds
            && !s.as_f64().is_some_and(|v| v > 0.0)
        {
            sink.push(
                Code::WaitRule,
                format!("{ptr}/Seconds"),
                "\"Seconds\" must be a number greater than 0",
            );
        }
    } else {
        if count != 1 {
            sink.push(Code::WaitRule, ptr, "a Wait state needs exactly one of \"Seconds\", \"SecondsPath\", \"Timestamp\" and \"TimestampPath\"");
        }
        match seconds {
            Some(Value::String(s)) if jsonata && s.starts_with("{%") => {}
            Some(s) if s.as_u64().is_none() => sink.push(
                Code::WaitRule,
                format!("{ptr}/Seconds"),
                "\"Seconds\" must be a non-negative integer",
            ),
            _ => {}
        }
        if let Some(t) = timestamp
            && !(jsonata && t.starts_with("{%"))
            && !asl::is_rfc3339(t)
        {
            sink.push(
                Code::Timestamp,
                format!("{ptr}/Timestamp"),
                format!(
                    "\"{t}\" does not match an RFC 3339 timestamp such as 2016-03-14T01:59:00Z"
                ),
            );
        }
    }
    if !jsonata {
        for (key, p) in [
            ("SecondsPath", seconds_path),
            ("TimestampPath", timestamp_path),
        ] {
            if let Some(p) = p
                && let Err(e) = path::check(p, PathContext::Reference)
            {
                sink.push(
                    Code::InvalidPath,
                    pointer::push(ptr, key),
                    format!("{key} \"{p}\": {e}"),
                );
            }
        }
    }
}

/// Checks `.$` keys at every depth of a payload template, and duplicate keys after stripping `.$`.
pub(crate) fn check_payload(value: &Value, ptr: &str, kind: Payload, mode: Mode, sink: &mut Sink) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let base = key.strip_suffix(".$").unwrap_or(key);
                if base.len() != key.len() && map.contains_key(base) {
                    sink.push(
                        Code::DuplicateDollarKey,
                        pointer::push(ptr, base),
                        format!("\"{key}\" and \"{base}\" become the same key once \".$\" is stripped"),
                    );
                }
                if key.ends_with(".$") {
                    check_dollar_value(key, v, ptr, mode, sink);
                } else if matches!(v, Value::Object(_) | Value::Array(_)) || kind == Payload::ActionTemplate || v.as_str().is_some_and(|s| s.contains("{{")) {
                    check_payload(v, &pointer::push(ptr, key), kind, mode, sink);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_payload(item, &format!("{ptr}/{i}"), kind, mode, sink);
            }
        }
        Value::String(s) if mode == Mode::Zis && has_path_placeholder(s) => match kind {
            Payload::Parameters => sink.push(
                Code::LiteralPlaceholder,
                ptr,
                "this value has a {{ }} placeholder but its key has no \".$\" suffix, so ZIS passes it through literally",
            ),
            Payload::ActionTemplate => check_placeholders(s, ptr, sink),
        },
        _ => {}
    }
}

/// True when `s` holds a `{{` placeholder whose content looks like a path (`{{$.x}}`);
/// other `{{...}}` (e.g. a deploy tool's `{{integration-name}}`) are left alone.
fn has_path_placeholder(s: &str) -> bool {
    match template::placeholders(s) {
        Ok(found) => found.iter().any(|p| p.path.starts_with('$')),
        Err(_) => true,
    }
}

fn check_dollar_value(key: &str, v: &Value, parent: &str, mode: Mode, sink: &mut Sink) {
    let ptr = || pointer::push(parent, key);
    let Some(s) = v.as_str() else {
        sink.push(
            Code::DollarValue,
            ptr(),
            format!(
                "\"{key}\" must be a path string, found {}",
                crate::model::type_name_of(v)
            ),
        );
        return;
    };
    match mode {
        Mode::Asl => {
            if let Err(e) = path::check(s, PathContext::PayloadTemplate) {
                sink.push(Code::DollarValue, ptr(), format!("the value of \"{key}\" must be a valid JSONPath or intrinsic function call: {e}"));
            }
        }
        Mode::Zis => {
            let t = s.trim();
            if t.starts_with('$') && !template::has_placeholders(t) {
                if let Err(e) = path::check(t, PathContext::Path) {
                    sink.push(
                        Code::InvalidPath,
                        ptr(),
                        format!("\"{key}\": invalid path \"{s}\": {e}"),
                    );
                }
            } else if template::has_placeholders(t) {
                if let Err(e) = template::check(s) {
                    sink.push(Code::Placeholder, ptr(), e.message);
                }
            } else {
                sink.push(
                    Code::DollarValue,
                    ptr(),
                    format!("\"{key}\" is \"{s}\", which is neither a path ($.x) nor a string with {{{{$.x}}}} placeholders; drop \".$\" for a literal"),
                );
            }
        }
    }
}
