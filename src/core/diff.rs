//! Differences between two JSON values by JSONPath: the debugger's Diff tab and the
//! comparison of a stored run with its re-run.

use serde_json::Value;

/// One difference between two values.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Only in the new value.
    Added(String, Value),
    /// Only in the old value.
    Removed(String, Value),
    /// In both, different.
    Changed(String, Value, Value),
}

/// The differences between `old` and `new`, by JSONPath (`$.a.b[0]`), objects compared key
/// by key and arrays item by item.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(old, new, "$".to_string(), &mut out);
    out
}

/// The JSONPath of `key` under `path` (dot form when the key allows it).
pub fn child_path(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !key.is_empty() {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\'', "\\'"))
    }
}

fn walk(old: &Value, new: &Value, path: String, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => walk(va, vb, child_path(&path, k), out),
                    None => out.push(Change::Removed(child_path(&path, k), va.clone())),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(Change::Added(child_path(&path, k), vb.clone()));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => walk(x, y, p, out),
                    (Some(x), None) => out.push(Change::Removed(p, x.clone())),
                    (None, Some(y)) => out.push(Change::Added(p, y.clone())),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => out.push(Change::Changed(path, a.clone(), b.clone())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_added_removed_and_changed_paths() {
        let d = diff(
            &json!({"a": 1, "b": {"c": [1, 2]}, "gone": true, "x y": 1}),
            &json!({"a": 2, "b": {"c": [1]}, "new": null, "x y": 1}),
        );
        assert_eq!(
            d,
            vec![
                Change::Changed("$.a".into(), json!(1), json!(2)),
                Change::Removed("$.b.c[1]".into(), json!(2)),
                Change::Removed("$.gone".into(), json!(true)),
                Change::Added("$.new".into(), json!(null)),
            ]
        );
    }
}
