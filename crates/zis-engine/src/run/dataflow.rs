//! The per-state data flow, with AWS's semantics (ResultPath defaults to `$`, which
//! replaces everything; `null` paths give `{}` or discard the result; a definite path that
//! finds nothing is a `States.Runtime` error).

use super::StatesError;
use crate::model::PathField;
use crate::path::{self, Selector, eval::Roots};
use crate::template;
use crate::validate::Mode;
use serde_json::{Map, Value};

/// What a `{{$.path}}` placeholder whose path finds nothing becomes (zis-facts.md 2.4:
/// unconfirmed; an error by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MissingPlaceholder {
    /// A `States.Runtime` error.
    #[default]
    Error,
    /// An empty string.
    Empty,
}

/// How payload templates are rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Templating {
    /// ZIS (`{{ }}` in `.$` strings) or ASL.
    pub mode: Mode,
    /// Placeholders that find nothing.
    pub missing: MissingPlaceholder,
    /// A string that is exactly one placeholder (`"{{$.id}}"`) keeps the value's JSON type
    /// instead of becoming a string (zis-facts.md 2.4: unconfirmed; off by default, since
    /// the documented `"{{$.ticketId}}"` yields a string).
    pub single_placeholder_keeps_type: bool,
}

impl From<Mode> for Templating {
    fn from(mode: Mode) -> Self {
        Self {
            mode,
            ..Self::default()
        }
    }
}

impl From<MissingPlaceholder> for Templating {
    fn from(missing: MissingPlaceholder) -> Self {
        Self {
            mode: Mode::Zis,
            missing,
            single_placeholder_keeps_type: false,
        }
    }
}

/// AWS's limit on a state's result or output: 256 KiB of JSON text.
pub const ASL_PAYLOAD_LIMIT: usize = 262_144;

/// ZIS Studio's limit on a state's data in ZIS mode (zis-facts.md 2.9 leaves ZIS's own
/// unconfirmed): 10 MB of JSON text.
pub const ZIS_PAYLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// The length of `value` as compact JSON text (as `serde_json` writes it), counted from the
/// value's structure without building the text; counting stops a little past `stop`.
pub fn json_size(value: &Value, stop: usize) -> usize {
    let mut n = 0;
    add_size(value, stop, &mut n);
    n
}

fn add_size(value: &Value, stop: usize, n: &mut usize) {
    if *n > stop {
        return;
    }
    match value {
        Value::Null | Value::Bool(true) => *n += 4,
        Value::Bool(false) => *n += 5,
        Value::Number(x) => *n += number_size(x),
        Value::String(s) => *n += string_size(s),
        Value::Array(items) => {
            *n += 2 + items.len().saturating_sub(1);
            for v in items {
                add_size(v, stop, n);
            }
        }
        Value::Object(map) => {
            *n += 2 + map.len().saturating_sub(1);
            for (k, v) in map {
                *n += string_size(k) + 1;
                add_size(v, stop, n);
            }
        }
    }
}

/// A number's length as JSON text, written into a counter (no allocation).
fn number_size(x: &serde_json::Number) -> usize {
    // Integers by their digits; other numbers as serde_json writes them.
    let digits = |n: u64| n.checked_ilog10().map_or(1, |d| d as usize + 1);
    if let Some(n) = x.as_u64() {
        return digits(n);
    }
    if let Some(n) = x.as_i64() {
        return 1 + digits(n.unsigned_abs());
    }
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    let _written = std::fmt::write(&mut c, format_args!("{x}"));
    c.0
}

/// A string's length as a JSON string: quotes, and escapes as `serde_json` writes them
/// (`\"`, `\\`, `\n` and the like, `\u00XX` for other control characters).
fn string_size(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// `States.DataLimitExceeded` when `value`, as JSON text, is over `limit` bytes.
pub fn check_size(state: &str, value: &Value, limit: usize) -> Result<(), StatesError> {
    if json_size(value, limit) > limit {
        return Err(too_big(state));
    }
    Ok(())
}

/// The `States.DataLimitExceeded` error of a state whose data is over the limit.
pub fn too_big(state: &str) -> StatesError {
    StatesError::named(
        "States.DataLimitExceeded",
        format!(
            "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
        ),
    )
}

/// Evaluates a path string on the data, as a `States.Runtime` error when it fails.
pub fn eval_path(text: &str, data: &Value, context: Option<&Value>) -> Result<Value, StatesError> {
    let parsed = path::parse_shared(text)
        .map_err(|e| StatesError::runtime(format!("Invalid path '{text}': {e}")))?;
    parsed
        .evaluate(Roots { data, context }, text)
        .map_err(|e| StatesError::runtime(e.message))
}

/// [`eval_path`], borrowing the value of a definite path instead of copying it.
pub fn eval_path_ref<'v>(
    text: &str,
    data: &'v Value,
    context: Option<&'v Value>,
) -> Result<std::borrow::Cow<'v, Value>, StatesError> {
    let parsed = path::parse_shared(text)
        .map_err(|e| StatesError::runtime(format!("Invalid path '{text}': {e}")))?;
    parsed
        .evaluate_ref(Roots { data, context }, text)
        .map_err(|e| StatesError::runtime(e.message))
}

/// InputPath (and OutputPath): absent keeps the data, `null` gives `{}`.
pub fn select_path(
    field: &PathField<'_>,
    data: &Value,
    context: Option<&Value>,
) -> Result<Value, StatesError> {
    match field {
        PathField::Absent => Ok(data.clone()),
        PathField::Null => Ok(Value::Object(Map::new())),
        PathField::Path(p) => eval_path(p, data, context),
    }
}

/// Renders a payload template (Parameters, ResultSelector): keys ending in `.$` are
/// evaluated and lose the suffix, at every depth; other values are copied.
pub fn render(
    template: &Value,
    data: &Value,
    context: Option<&Value>,
    how: impl Into<Templating>,
) -> Result<Value, StatesError> {
    let how: Templating = how.into();
    match template {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                match key.strip_suffix(".$") {
                    Some(base) => {
                        out.insert(base.to_string(), dynamic(key, v, data, context, how)?);
                    }
                    None => {
                        out.insert(key.clone(), render(v, data, context, how)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .map(|v| render(v, data, context, how))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn dynamic(
    key: &str,
    v: &Value,
    data: &Value,
    context: Option<&Value>,
    how: Templating,
) -> Result<Value, StatesError> {
    let Some(s) = v.as_str() else {
        return Err(StatesError::runtime(format!(
            "The value of the field '{key}' must be a path string"
        )));
    };
    let t = s.trim();
    if t.starts_with("States.") {
        return Err(StatesError::runtime(format!(
            "The field '{key}' uses the intrinsic function {t}, which ZIS Studio does not evaluate"
        )));
    }
    if how.mode == Mode::Zis && template::has_placeholders(t) {
        return interpolate(s, data, context, how);
    }
    eval_path(t, data, context).map_err(|e| {
        StatesError::runtime(format!(
            "The JSONPath '{t}' specified for the field '{key}' could not be found in the input ({})",
            e.cause
        ))
    })
}

/// The path when the whole text is a reference path (`$` or `$.…`, `$[…]`, no spaces).
pub fn message_reference(s: &str) -> Option<&str> {
    let t = s.trim();
    let is_path = (t == "$" || t.starts_with("$.") || t.starts_with("$["))
        && !t.contains(char::is_whitespace)
        && !t.contains("{{");
    is_path.then_some(t)
}

/// Replaces every `{{$.path}}` of `s`: strings go in as they are, other values as JSON.
/// With [`Templating::single_placeholder_keeps_type`], a string that is exactly one
/// placeholder becomes the value itself.
pub fn interpolate(
    s: &str,
    data: &Value,
    context: Option<&Value>,
    how: impl Into<Templating>,
) -> Result<Value, StatesError> {
    let how: Templating = how.into();
    let missing = how.missing;
    let found = template::placeholders_shared(s).map_err(|e| StatesError::runtime(e.message))?;
    if how.single_placeholder_keeps_type
        && let [only] = found.as_slice()
        && only.range == (0..s.len())
    {
        return match eval_path(only.path, data, context) {
            Ok(v) => Ok(v),
            Err(_) if missing == MissingPlaceholder::Empty => Ok(Value::String(String::new())),
            Err(e) => Err(e),
        };
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for p in found {
        out.push_str(&s[last..p.range.start]);
        match eval_path(p.path, data, context) {
            Ok(Value::String(v)) => out.push_str(&v),
            Ok(other) => out.push_str(&other.to_string()),
            Err(_) if missing == MissingPlaceholder::Empty => {}
            Err(e) => return Err(e),
        }
        last = p.range.end;
    }
    out.push_str(&s[last..]);
    Ok(Value::String(out))
}

/// ResultPath: absent or `$` replaces the data with the result, `null` keeps the data, a
/// reference path puts the result there, creating objects on the way.
pub fn place_result(
    field: &PathField<'_>,
    data: Value,
    result: Value,
) -> Result<Value, StatesError> {
    let p = match field {
        PathField::Absent => return Ok(result),
        PathField::Null => return Ok(data),
        PathField::Path(p) => *p,
    };
    let parsed = path::parse_shared(p)
        .map_err(|e| StatesError::runtime(format!("Invalid ResultPath '{p}': {e}")))?;
    if parsed.segments.is_empty() {
        return Ok(result);
    }
    let mut root = data;
    let mut node = &mut root;
    let last = parsed.segments.len() - 1;
    for (i, seg) in parsed.segments.iter().enumerate() {
        let cannot = || {
            StatesError::runtime(format!(
                "Unable to apply ResultPath '{p}': the path runs through a value that is not an object"
            ))
        };
        match &seg.selector {
            Selector::Name(name) => {
                if node.is_null() {
                    *node = Value::Object(Map::new());
                }
                let obj = node.as_object_mut().ok_or_else(cannot)?;
                if i == last {
                    obj.insert(name.clone(), result);
                    return Ok(root);
                }
                node = obj.entry(name.clone()).or_insert(Value::Object(Map::new()));
            }
            Selector::Index(idx) => {
                let arr = node.as_array_mut().ok_or_else(cannot)?;
                let slot = usize::try_from(*idx)
                    .ok()
                    .and_then(|k| arr.get_mut(k))
                    .ok_or_else(cannot)?;
                if i == last {
                    *slot = result;
                    return Ok(root);
                }
                node = slot;
            }
            _ => {
                return Err(StatesError::runtime(format!(
                    "ResultPath '{p}' must be a reference path"
                )));
            }
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_size_is_the_length_of_the_compact_text() {
        for v in [
            json!(null),
            json!(false),
            json!(-12.5e-7),
            json!(18446744073709551615u64),
            json!("quote \" back \\ nl \n tab \t bell \u{7} é ✓"),
            json!({"a": [1, 2.0, {"b": []}], "": {}, "é\n": [null, true]}),
            json!([]),
        ] {
            assert_eq!(json_size(&v, usize::MAX), v.to_string().len(), "{v}");
        }
        let big = Value::Array(vec![json!("x".repeat(100)); 100]);
        assert!(json_size(&big, 500) > 500);
        assert!(
            json_size(&big, 500) < 700,
            "counting stops soon past the limit"
        );
    }

    #[test]
    fn pipeline_pieces() {
        let data = json!({"a": {"b": 1}, "ticket": {"id": 7, "tags": ["x"]}});
        assert_eq!(
            select_path(&PathField::Path("$.a"), &data, None).unwrap(),
            json!({"b": 1})
        );
        assert_eq!(
            select_path(&PathField::Null, &data, None).unwrap(),
            json!({})
        );
        let t = json!({"id.$": "$.ticket.id", "n": {"deep.$": "$.a.b"}, "msg.$": "Ticket {{$.ticket.id}} tags {{$.ticket.tags}}"});
        assert_eq!(
            render(&t, &data, None, Mode::Zis).unwrap(),
            json!({"id": 7, "n": {"deep": 1}, "msg": "Ticket 7 tags [\"x\"]"})
        );
        assert!(render(&json!({"x.$": "$.nope"}), &data, None, Mode::Zis).is_err());
        let lenient = Templating::from(MissingPlaceholder::Empty);
        assert_eq!(
            render(&json!({"x.$": "a{{$.nope}}b"}), &data, None, lenient).unwrap(),
            json!({"x": "ab"})
        );
        assert_eq!(
            place_result(&PathField::Absent, data.clone(), json!(5)).unwrap(),
            json!(5)
        );
        assert_eq!(
            place_result(&PathField::Null, data.clone(), json!(5)).unwrap(),
            data
        );
        assert_eq!(
            place_result(&PathField::Path("$.r.s"), json!({"k": 1}), json!(5)).unwrap(),
            json!({"k": 1, "r": {"s": 5}})
        );
        assert!(place_result(&PathField::Path("$.k.s"), json!({"k": 1}), json!(5)).is_err());
    }
}
