//! Action states (ZIS): `ActionName`, `ResultPath` and `TimeoutSeconds`, the parameters
//! each built-in action requires, and the `expr` of `zis:common:transform:Jq` compiled.
//! Task states (ASL): the field rules of [`asl::check_task`] and `Credentials` payloads.

use super::StateCheck;
use super::payload::{Payload, check_payload};
use crate::jq;
use crate::model::{PathField, State};
use crate::validate::{Code, Mode, Sink, asl};
use serde_json::Value;

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

/// Checks an Action state; `nested` inside a Map iterator (whose `$` is its item, with no
/// `$.input`).
pub(super) fn check_action(
    state: &State,
    action: Option<&str>,
    raw: &Value,
    nested: bool,
    sink: &mut Sink,
) {
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
        let what = super::whole_data(nested);
        sink.push(
            Code::NoResultPath,
            ptr,
            format!(
                "no ResultPath: the action's result replaces {what}; set e.g. \"ResultPath\": \"$.result\""
            ),
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

/// An ASL Task state (ZIS reports Task states as unsupported before this).
pub(super) fn check_task(c: &StateCheck, sink: &mut Sink) {
    if c.asl() {
        let ptr = c.ptr();
        asl::check_task(c.raw, ptr, c.options.express, c.jsonata, sink);
        if let Some(Value::Object(creds)) = c.raw.get("Credentials") {
            check_payload(
                &Value::Object(creds.clone()),
                &format!("{ptr}/Credentials"),
                Payload::Parameters,
                Mode::Asl,
                sink,
            );
        }
    }
}
