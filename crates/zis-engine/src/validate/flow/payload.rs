//! Payload templates: `.$` keys at every depth of `Parameters`, `ResultSelector` and custom
//! action definitions (paths, intrinsic calls in ASL, `{{ }}` placeholders in ZIS), keys that
//! collide once `.$` is stripped, and placeholders in strings whose key has no `.$`.

use crate::json::pointer;
use crate::path::{self, PathContext};
use crate::template;
use crate::validate::{Code, Mode, Sink};
use serde_json::Value;

/// Which kind of payload a `.$` walk is checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Payload {
    /// State `Parameters`/`ResultSelector`: plain strings are literals.
    Parameters,
    /// A custom action definition: plain strings are `{{ }}` templates.
    ActionTemplate,
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

pub(super) fn check_placeholders(s: &str, ptr: &str, sink: &mut Sink) {
    if let Err(e) = template::check(s) {
        sink.push(Code::Placeholder, ptr, e.message);
    }
}
