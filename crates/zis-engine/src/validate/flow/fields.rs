//! Checks every state type shares: `Next`/`End` (and their absence on Choice, Succeed and
//! Fail), the fields each state type allows in ZIS and in ASL, and the path fields
//! (`InputPath`, `OutputPath`, `ResultPath`).

use crate::json::pointer;
use crate::model::{PathField, State, StateKind};
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink, asl};

pub(super) fn check_transitions(state: &State, sink: &mut Sink) {
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

pub(super) fn check_fields(
    state: &State,
    type_name: &str,
    asl: bool,
    jsonata: bool,
    sink: &mut Sink,
) {
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

pub(super) fn check_path_field(
    field: &PathField,
    ptr: &str,
    key: &str,
    ctx: PathContext,
    sink: &mut Sink,
) {
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
