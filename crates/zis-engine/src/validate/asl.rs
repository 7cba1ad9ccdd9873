//! Field tables per state type, and rules that exist only in ASL mode (Task, Parallel,
//! JSONata, Express restrictions).

use super::{Code, Sink};
use crate::json::pointer;
use serde_json::Value;

/// Fields a state may carry in ZIS mode: (allowed, ignored by ZIS, checked elsewhere).
pub(super) fn zis_fields(
    type_name: &str,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match type_name {
        "Action" => (
            &[
                "Next",
                "End",
                "ActionName",
                "Parameters",
                "ResultPath",
                "Catch",
                "TimeoutSeconds",
            ],
            &["InputPath", "OutputPath", "ResultSelector", "Retry"],
            &[],
        ),
        "Choice" => (
            &["Choices", "Default"],
            &["InputPath", "OutputPath"],
            &["Next", "End"],
        ),
        "Pass" => (
            &["Next", "End", "Result", "ResultPath"],
            &["InputPath", "OutputPath", "Parameters"],
            &[],
        ),
        "Wait" => (
            &["Next", "End", "Seconds", "SecondsPath"],
            &["InputPath", "OutputPath"],
            &["Timestamp", "TimestampPath"],
        ),
        "Succeed" => (&["Message"], &["InputPath", "OutputPath"], &["Next", "End"]),
        "Fail" => (&["Error", "Cause"], &[], &["Next", "End"]),
        "Map" => (
            &[
                "Next",
                "End",
                "ItemsPath",
                "Iterator",
                "ResultPath",
                "Catch",
            ],
            &["InputPath", "OutputPath", "ResultSelector", "Retry"],
            &[
                "MaxConcurrency",
                "Parameters",
                "ItemProcessor",
                "ItemSelector",
            ],
        ),
        _ => (&[], &[], &[]),
    }
}

/// Fields a state may carry in ASL mode.
pub(super) fn asl_fields(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "Pass" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Result",
        ],
        "Task" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Resource",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Arguments",
        ],
        "Choice" => &["Choices", "Default", "InputPath", "OutputPath"],
        "Wait" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
        ],
        "Succeed" => &["InputPath", "OutputPath"],
        "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
        "Map" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ItemSelector",
            "ResultSelector",
            "ItemsPath",
            "Items",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "Iterator",
            "ItemProcessor",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
            "Retry",
            "Catch",
            "Arguments",
        ],
        "Parallel" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Branches",
            "Retry",
            "Catch",
            "Arguments",
        ],
        _ => &[],
    }
}

/// Fields every ASL state may carry.
pub(super) const ASL_COMMON: &[&str] = &["Type", "Comment", "QueryLanguage", "Assign", "Output"];

/// Fields that only JSONPath states may carry.
pub(super) const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "ResultPath",
    "Parameters",
    "ResultSelector",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
];

/// Fields that only JSONata states may carry.
pub(super) const JSONATA_ONLY: &[&str] = &["Output", "Arguments", "Items"];

/// Reports both members of a mutually exclusive pair.
pub(super) fn at_most_one(obj: &Value, ptr: &str, a: &str, b: &str, code: Code, sink: &mut Sink) {
    if obj.get(a).is_some() && obj.get(b).is_some() {
        sink.push(
            code,
            pointer::push(ptr, b),
            format!("a state takes at most one of \"{a}\" and \"{b}\""),
        );
    }
}

/// Task-only rules (ASL mode).
pub(super) fn check_task(raw: &Value, ptr: &str, express: bool, jsonata: bool, sink: &mut Sink) {
    at_most_one(
        raw,
        ptr,
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        Code::TaskRule,
        sink,
    );
    at_most_one(
        raw,
        ptr,
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        Code::TaskRule,
        sink,
    );
    for key in ["TimeoutSeconds", "HeartbeatSeconds"] {
        match raw.get(key) {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v > 0) => {}
            Some(Value::String(s)) if jsonata && s.starts_with("{%") => {}
            Some(_) => sink.push(
                Code::TaskRule,
                pointer::push(ptr, key),
                format!("\"{key}\" must be a positive integer"),
            ),
            None => {}
        }
    }
    match raw.get("Credentials") {
        None => {}
        Some(Value::Object(c)) if !c.contains_key("RoleArn") && !c.contains_key("RoleArn.$") => {
            sink.push(
                Code::TaskRule,
                format!("{ptr}/Credentials"),
                "the field \"RoleArn\" is required in Credentials",
            );
        }
        Some(_) => sink.push(
            Code::TaskRule,
            format!("{ptr}/Credentials"),
            "\"Credentials\" must be an object with RoleArn",
        ),
    }
    let Some(resource) = raw.get("Resource").and_then(Value::as_str) else {
        if raw.get("Resource").is_none() {
            sink.push(
                Code::MissingField,
                ptr,
                "required field \"Resource\" is missing",
            );
        }
        return;
    };
    let rptr = format!("{ptr}/Resource");
    if resource.starts_with("${") && !resource.ends_with('}') {
        sink.push(
            Code::TaskRule,
            rptr,
            "a ${...} substitution in Resource is not closed",
        );
        return;
    }
    if express && (resource.ends_with(".waitForTaskToken") || resource.contains(".sync")) {
        sink.push(
            Code::TaskRule,
            rptr,
            "an Express state machine does not support '.sync' or '.waitForTaskToken' integrations",
        );
        return;
    }
    if let Some(rest) = resource.strip_prefix("arn:aws:states:::dynamodb:") {
        let action = rest.split('.').next().unwrap_or(rest);
        if !["getItem", "putItem", "updateItem", "deleteItem"].contains(&action) {
            sink.push(Code::TaskRule, rptr, format!("dynamodb:{action} is not an optimized integration (getItem, putItem, updateItem, deleteItem); use arn:aws:states:::aws-sdk:dynamodb:{action}"));
        }
        return;
    }
    if resource.starts_with("arn:aws:lambda:") {
        let parts: Vec<&str> = resource.split(':').collect();
        if parts.len() > 8 || parts.iter().skip(6).any(|p| p.is_empty()) {
            sink.push(Code::TaskRule, rptr, "a Lambda function ARN is arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]");
        }
    }
}

/// Map rules that exist only in ASL.
pub(super) fn check_map(raw: &Value, ptr: &str, sink: &mut Sink) {
    if raw.get("Iterator").is_some() == raw.get("ItemProcessor").is_some() {
        sink.push(
            Code::MapRule,
            ptr,
            "a Map state needs exactly one of \"ItemProcessor\" and \"Iterator\"",
        );
    }
    at_most_one(raw, ptr, "ItemsPath", "Items", Code::MapRule, sink);
    at_most_one(
        raw,
        ptr,
        "MaxConcurrency",
        "MaxConcurrencyPath",
        Code::MapRule,
        sink,
    );
    at_most_one(
        raw,
        ptr,
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        Code::MapRule,
        sink,
    );
    at_most_one(
        raw,
        ptr,
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        Code::MapRule,
        sink,
    );
    if let Some(p) = raw
        .get("ToleratedFailurePercentage")
        .and_then(Value::as_f64)
        && !(0.0..=100.0).contains(&p)
    {
        sink.push(
            Code::MapRule,
            format!("{ptr}/ToleratedFailurePercentage"),
            "ToleratedFailurePercentage must be between 0 and 100",
        );
    }
    if let Some(cfg) = raw.pointer("/ItemReader/ReaderConfig") {
        at_most_one(
            cfg,
            &format!("{ptr}/ItemReader/ReaderConfig"),
            "MaxItems",
            "MaxItemsPath",
            Code::MapRule,
            sink,
        );
    }
    if let Some(b) = raw.get("ItemBatcher") {
        let bptr = format!("{ptr}/ItemBatcher");
        at_most_one(
            b,
            &bptr,
            "MaxItemsPerBatch",
            "MaxItemsPerBatchPath",
            Code::MapRule,
            sink,
        );
        at_most_one(
            b,
            &bptr,
            "MaxInputBytesPerBatch",
            "MaxInputBytesPerBatchPath",
            Code::MapRule,
            sink,
        );
    }
}

/// Walks every string of a JSONata state (nested machines excluded) through the JSONata check.
pub(super) fn check_jsonata_strings(v: &Value, ptr: &str, top: bool, sink: &mut Sink) {
    match v {
        Value::String(s) => {
            if let Err(e) = super::jsonata::check(s) {
                sink.push(Code::Jsonata, ptr, e);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_jsonata_strings(item, &format!("{ptr}/{i}"), false, sink);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                if top
                    && matches!(
                        k.as_str(),
                        "Iterator" | "ItemProcessor" | "Branches" | "Comment"
                    )
                {
                    continue;
                }
                check_jsonata_strings(item, &pointer::push(ptr, k), false, sink);
            }
        }
        _ => {}
    }
}

/// True for an RFC 3339 date-time with a zone (`2016-03-14T01:59:00Z`, `...+02:00`).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (Some(_y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest {
        "Z" | "z" => true,
        zone => {
            let zb = zone.as_bytes();
            zb.len() == 6
                && matches!(zb[0], b'+' | b'-')
                && zb[3] == b':'
                && zone[1..3].parse::<u32>().is_ok_and(|v| v <= 23)
                && zone[4..6].parse::<u32>().is_ok_and(|v| v <= 59)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;
    #[test]
    fn timestamps() {
        assert!(is_rfc3339("2016-03-14T01:59:00Z"));
        assert!(is_rfc3339("2016-03-14T01:59:00.123+02:00"));
        assert!(!is_rfc3339("2016-12-05 21:29:29Z"));
        assert!(!is_rfc3339("2016-12-05T21:29:29"));
        assert!(!is_rfc3339("2016-13-05T21:29:29Z"));
        assert!(!is_rfc3339("2016-12-05T25:29:29Z"));
        assert!(!is_rfc3339("05-12-2016T21:29:29Z"));
    }
}
