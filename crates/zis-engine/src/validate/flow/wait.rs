//! Wait states: exactly one of `Seconds`/`SecondsPath` (ZIS) or of the four ASL fields,
//! positive or non-negative seconds, RFC 3339 timestamps, and the path fields.

use crate::json::pointer;
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink, asl};
use serde_json::Value;

#[allow(clippy::too_many_arguments)]
pub(super) fn check_wait(
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
