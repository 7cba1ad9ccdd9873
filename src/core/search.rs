//! Searching and evaluating JSON as the debugger does: leaves matching a query by path or
//! value, and the playground (a path, a `{{ }}` template or a Parameters object on data).

use crate::core::diff::child_path;
use serde_json::Value;

/// Leaves of `value` whose JSONPath or value contains `query` (case-insensitive), in
/// document order, at most `limit` of them.
pub fn find_in(value: &Value, query: &str, limit: usize) -> Vec<(String, Value)> {
    fn walk(v: &Value, path: String, q: &str, out: &mut Vec<(String, Value)>, limit: usize) {
        if out.len() >= limit {
            return;
        }
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    walk(x, child_path(&path, k), q, out, limit);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), q, out, limit);
                }
            }
            leaf => {
                let text = match leaf {
                    Value::String(s) => s.to_lowercase(),
                    other => other.to_string().to_lowercase(),
                };
                if path.to_lowercase().contains(q) || text.contains(q) {
                    out.push((path, leaf.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    let q = query.trim().to_lowercase();
    if !q.is_empty() {
        walk(value, "$".into(), &q, &mut out, limit);
    }
    out
}

/// Evaluates a path (`$...`), a string with `{{ }}` placeholders, or a Parameters object
/// (keys ending in `.$` take paths) on `data`, as a ZIS action would.
pub fn playground(text: &str, data: &Value) -> Result<Value, String> {
    use zis_engine::run::dataflow;
    use zis_engine::validate::Mode;
    let err = |e: zis_engine::run::StatesError| format!("{}: {}", e.error, e.cause);
    if text.starts_with('{') || text.starts_with('[') {
        let template: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        return dataflow::render(&template, data, None, Mode::Zis).map_err(err);
    }
    if text.contains("{{") {
        return dataflow::interpolate(text, data, None, Mode::Zis).map_err(err);
    }
    dataflow::eval_path(text, data, None).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_playground_evaluates_paths_templates_and_parameters() {
        let data = json!({"t": {"id": 7, "tags": ["a", "b"]}});
        assert_eq!(playground("$.t.id", &data), Ok(json!(7)));
        assert_eq!(
            playground("ticket {{$.t.id}}", &data),
            Ok(json!("ticket 7"))
        );
        assert_eq!(
            playground(r#"{"id.$": "$.t.id", "fixed": 1}"#, &data),
            Ok(json!({"id": 7, "fixed": 1}))
        );
        assert!(playground("$.missing", &data).is_err());
    }

    #[test]
    fn search_finds_leaves_by_path_or_value() {
        let v = json!({"ticket": {"id": 812, "priority": "Urgent", "tags": ["vip", "eu"]}});
        let paths =
            |q: &str| -> Vec<String> { find_in(&v, q, 10).into_iter().map(|(p, _)| p).collect() };
        assert_eq!(paths("urgent"), ["$.ticket.priority"]);
        assert_eq!(paths("TAGS"), ["$.ticket.tags[0]", "$.ticket.tags[1]"]);
        assert_eq!(paths("812"), ["$.ticket.id"]);
        assert!(paths("  ").is_empty());
        assert_eq!(find_in(&v, "t", 2).len(), 2);
    }
}
