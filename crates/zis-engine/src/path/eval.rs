//! Evaluating a [`Path`] on JSON data, as Jayway JsonPath (and so AWS Step Functions) does.
//!
//! A *definite* path (names and single indexes only) yields one value and fails when
//! nothing is there; an *indefinite* one (wildcards, slices, unions, filters, `..`) yields
//! an array of every match, `[]` when nothing matches.

use super::{Path, Root, Selector};
use serde_json::Value;
use std::borrow::Cow;

/// Why a path found nothing where it had to find something.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// ZIS/AWS-style text, e.g. `Invalid path '$.x' : No results for path: $['x']`.
    pub message: String,
}

/// Where a path's roots point.
#[derive(Clone, Copy, Debug)]
pub struct Roots<'v> {
    /// `$`: the state data.
    pub data: &'v Value,
    /// `$$`: the context object, when there is one.
    pub context: Option<&'v Value>,
}

impl Path {
    /// Evaluates the path: one value for a definite path, an array of matches otherwise.
    pub fn evaluate(&self, roots: Roots<'_>, source: &str) -> Result<Value, EvalError> {
        self.evaluate_ref(roots, source).map(Cow::into_owned)
    }

    /// [`Path::evaluate`], borrowing the value of a definite path instead of copying it.
    pub fn evaluate_ref<'v>(
        &self,
        roots: Roots<'v>,
        source: &str,
    ) -> Result<Cow<'v, Value>, EvalError> {
        let root = match &self.root {
            Root::Data => roots.data,
            Root::Context => roots.context.ok_or_else(|| EvalError {
                message: format!(
                    "Invalid path '{source}' : the context object ($$) is not available here"
                ),
            })?,
            Root::Variable(v) => {
                return Err(EvalError {
                    message: format!("Invalid path '{source}' : variable ${v} is not defined"),
                });
            }
        };
        if self.is_definite() {
            let mut node = root;
            for (i, seg) in self.segments.iter().enumerate() {
                let next = match &seg.selector {
                    Selector::Name(n) => node.as_object().and_then(|o| o.get(n)),
                    Selector::Index(i) => node.as_array().and_then(|a| index(a, *i)),
                    _ => None,
                };
                node = next.ok_or_else(|| no_results(self, source, i + 1))?;
            }
            return Ok(Cow::Borrowed(node));
        }
        let mut current: Vec<&Value> = vec![root];
        for seg in &self.segments {
            let mut next = Vec::new();
            for node in current {
                if seg.descendant {
                    let mut all = Vec::new();
                    descendants(node, &mut all);
                    for d in all {
                        select(d, &seg.selector, &mut next);
                    }
                } else {
                    select(node, &seg.selector, &mut next);
                }
            }
            current = next;
        }
        Ok(Cow::Owned(Value::Array(
            current.into_iter().cloned().collect(),
        )))
    }
}

fn no_results(path: &Path, source: &str, upto: usize) -> EvalError {
    let partial = Path {
        root: path.root.clone(),
        segments: path.segments[..upto.min(path.segments.len())].to_vec(),
    };
    EvalError {
        message: format!("Invalid path '{source}' : No results for path: {partial}"),
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let len = i64::try_from(items.len()).ok()?;
    let i = if i < 0 { len + i } else { i };
    usize::try_from(i).ok().and_then(|i| items.get(i))
}

/// The node itself and every value below it, parents before children.
fn descendants<'v>(node: &'v Value, out: &mut Vec<&'v Value>) {
    out.push(node);
    match node {
        Value::Array(items) => items.iter().for_each(|v| descendants(v, out)),
        Value::Object(map) => map.values().for_each(|v| descendants(v, out)),
        _ => {}
    }
}

fn select<'v>(node: &'v Value, selector: &Selector, out: &mut Vec<&'v Value>) {
    match selector {
        Selector::Name(n) => out.extend(node.as_object().and_then(|o| o.get(n))),
        Selector::Index(i) => out.extend(node.as_array().and_then(|a| index(a, *i))),
        Selector::Wildcard => match node {
            Value::Array(items) => out.extend(items.iter()),
            Value::Object(map) => out.extend(map.values()),
            _ => {}
        },
        Selector::Union(items) => {
            for s in items {
                select(node, s, out);
            }
        }
        Selector::Slice { start, end, step } => {
            if let Some(items) = node.as_array() {
                slice(items, *start, *end, step.unwrap_or(1), out);
            }
        }
        Selector::Filter(expr) => {
            let candidates: Vec<&Value> = match node {
                Value::Array(items) => items.iter().collect(),
                Value::Object(map) => map.values().collect(),
                _ => Vec::new(),
            };
            let parsed = filter::parse(expr);
            for c in candidates {
                if parsed.as_ref().is_some_and(|f| f.test(c)) {
                    out.push(c);
                }
            }
        }
        Selector::Script(expr) => {
            if let (Some(items), Some(i)) = (node.as_array(), script_index(expr, node)) {
                out.extend(index(items, i));
            }
        }
    }
}

fn slice<'v>(
    items: &'v [Value],
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
    out: &mut Vec<&'v Value>,
) {
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let norm = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
    if step > 0 {
        let (mut i, stop) = (norm(start.unwrap_or(0)), norm(end.unwrap_or(len)));
        while i < stop {
            out.extend(usize::try_from(i).ok().and_then(|i| items.get(i)));
            i += step;
        }
    } else if step < 0 {
        let mut i = start.map_or(len - 1, |s| if s < 0 { len + s } else { s.min(len - 1) });
        let stop = end.map_or(-1, |e| if e < 0 { (len + e).max(-1) } else { e });
        while i > stop {
            out.extend(usize::try_from(i).ok().and_then(|i| items.get(i)));
            i += step;
        }
    }
}

/// Jayway script indexes: `(@.length-1)` and the like.
fn script_index(expr: &str, node: &Value) -> Option<i64> {
    let len = i64::try_from(node.as_array()?.len()).ok()?;
    let e: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = e.strip_prefix("@.length")?;
    if rest.is_empty() {
        return Some(len);
    }
    let (sign, n) = rest.split_at(1);
    let n: i64 = n.parse().ok()?;
    match sign {
        "-" => Some(len - n),
        "+" => Some(len + n),
        _ => None,
    }
}

mod filter;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::parse;
    use serde_json::json;

    fn eval(p: &str, data: &Value) -> Result<Value, EvalError> {
        parse(p).unwrap().evaluate(
            Roots {
                data,
                context: None,
            },
            p,
        )
    }

    #[test]
    fn definite_and_indefinite() {
        let d =
            json!({"a": {"b": [10, 20, 30]}, "items": [{"s": 0, "n": "x"}, {"s": 1, "n": "y"}]});
        assert_eq!(eval("$.a.b[1]", &d).unwrap(), json!(20));
        assert_eq!(eval("$.a.b[-1]", &d).unwrap(), json!(30));
        assert_eq!(eval("$", &d).unwrap(), d);
        let e = eval("$.a.x.y", &d).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid path '$.a.x.y' : No results for path: $['a']['x']"
        );
        assert_eq!(eval("$.items[*].n", &d).unwrap(), json!(["x", "y"]));
        assert_eq!(eval("$.nothing[*]", &d).unwrap(), json!([]));
        assert_eq!(eval("$.a.b[1:]", &d).unwrap(), json!([20, 30]));
        assert_eq!(eval("$.a.b[::-1]", &d).unwrap(), json!([30, 20, 10]));
        assert_eq!(eval("$.a.b[0,2]", &d).unwrap(), json!([10, 30]));
        assert_eq!(eval("$..n", &d).unwrap(), json!(["x", "y"]));
        assert_eq!(eval("$.items[?(@.s == 1)].n", &d).unwrap(), json!(["y"]));
        assert_eq!(
            eval("$.items[?(@.s == 0 || @.n == 'y')]", &d).unwrap(),
            d["items"]
        );
        assert_eq!(eval("$.items[?(@.missing)]", &d).unwrap(), json!([]));
        assert_eq!(eval("$.a.b[(@.length-1)]", &d).unwrap(), json!([30]));
        assert_eq!(eval("$['a']['b'][0]", &d).unwrap(), json!(10));
    }
}
