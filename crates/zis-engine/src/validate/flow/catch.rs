//! `Catch`: which state types may have it, `ErrorEquals` (ZIS: only `States.ALL`), `Next`,
//! and `ResultPath` (ZIS warns when it is missing).

use crate::model::{PathField, State, StateKind};
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink};

/// Checks a state's catchers; `nested` inside a Map iterator.
pub(super) fn check_catch(state: &State, asl: bool, nested: bool, sink: &mut Sink) {
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
                format!(
                    "no ResultPath: the error object replaces {}; set e.g. \"ResultPath\": \"$.error\"",
                    super::whole_data(nested)
                ),
            ),
            _ => {}
        }
    }
}
