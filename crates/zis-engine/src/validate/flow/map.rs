//! Map and Parallel states, the two that run nested state machines. Map: ZIS needs
//! `ItemsPath` and `Iterator` and rejects `ItemProcessor`, `ItemSelector`, `MaxConcurrency`
//! and `Parameters`; ASL gets [`asl::check_map`]. Parallel (ASL only) needs `Branches`.
//! Each nested machine is checked with [`check_machine`] under the state's [`Refs`].
//!
//! [`Refs`]: super::Refs

use super::{StateCheck, check_machine};
use crate::json::pointer;
use crate::model::FlowDefinition;
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink, asl};
use serde_json::Value;

/// A Map state's own fields and its iterator.
pub(super) fn check_map(
    c: &StateCheck,
    items_path: Option<&str>,
    iterator: Option<&FlowDefinition>,
    sink: &mut Sink,
) {
    let ptr = c.ptr();
    if c.asl() {
        asl::check_map(c.raw, ptr, sink);
    } else {
        if items_path.is_none() && !c.has("ItemsPath") {
            sink.push(
                Code::MapRule,
                ptr,
                "a ZIS Map state needs \"ItemsPath\" (a path to an array of objects)",
            );
        }
        if iterator.is_none() && !c.has("ItemProcessor") {
            sink.push(
                Code::MapRule,
                ptr,
                "a Map state needs an \"Iterator\" (a nested state machine run for each item)",
            );
        }
        for key in [
            "ItemProcessor",
            "ItemSelector",
            "MaxConcurrency",
            "Parameters",
        ] {
            if c.has(key) {
                let why = match key {
                    "ItemProcessor" => "ZIS Map states take \"Iterator\", not \"ItemProcessor\"",
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
        && !c.jsonata
        && let Err(e) = path::check(p, PathContext::Reference)
    {
        sink.push(
            Code::InvalidPath,
            format!("{ptr}/ItemsPath"),
            format!("ItemsPath \"{p}\": {e}"),
        );
    }
    if let Some(it) = iterator {
        let key = if c.has("Iterator") {
            "Iterator"
        } else {
            "ItemProcessor"
        };
        let raw_it = c.raw.get(key).unwrap_or(&Value::Null);
        check_machine(it, raw_it, c.options, &c.nested_refs(), sink);
    }
}

/// An ASL Parallel state: `Branches`, each checked as a nested machine (ZIS reports
/// Parallel states as unsupported before this).
pub(super) fn check_parallel(c: &StateCheck, branches: &[FlowDefinition], sink: &mut Sink) {
    if c.asl() {
        match c.raw.get("Branches") {
            None => sink.push(
                Code::ParallelRule,
                c.ptr(),
                "a Parallel state needs \"Branches\"",
            ),
            Some(Value::Array(bs)) => {
                let inner = c.nested_refs();
                for (b, rb) in branches.iter().zip(bs) {
                    check_machine(b, rb, c.options, &inner, sink);
                }
            }
            Some(_) => {}
        }
    }
}
