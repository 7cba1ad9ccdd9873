//! Succeed and Fail states. ZIS: `{{ }}` placeholders in `Message`, `Error` and `Cause`.
//! ASL: at most one of `Error`/`ErrorPath` and of `Cause`/`CausePath`, and valid paths.
//! Pass states have no checks of their own (the shared ones are in the parent module).

use super::StateCheck;
use super::payload::check_placeholders;
use crate::json::pointer;
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink, asl};
use serde_json::Value;

/// A Fail state's `Error`/`Cause` and, in ASL, `ErrorPath`/`CausePath`.
pub(super) fn check_fail(
    c: &StateCheck,
    error: Option<&str>,
    cause: Option<&str>,
    sink: &mut Sink,
) {
    let (ptr, raw) = (c.ptr(), c.raw);
    if c.asl() {
        asl::at_most_one(raw, ptr, "Error", "ErrorPath", Code::FailRule, sink);
        asl::at_most_one(raw, ptr, "Cause", "CausePath", Code::FailRule, sink);
        for key in ["ErrorPath", "CausePath"] {
            if let Some(p) = raw.get(key).and_then(Value::as_str)
                && !c.jsonata
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

/// A Succeed state's `Message` (ZIS).
pub(super) fn check_succeed(c: &StateCheck, message: Option<&str>, sink: &mut Sink) {
    if let Some(m) = message {
        check_placeholders(m, &format!("{}/Message", c.ptr()), sink);
    }
}
