//! Writing JSON: the canonical format and the lossless splice writer.
//!
//! The canonical format is serde_json's pretty printer (two-space indent) plus a final
//! newline. [`splice`] writes an edited value back into its original text: every part whose
//! value did not change keeps its original bytes, and changed parts are written in the
//! file's own indentation style, so an edit to one state only changes that state's lines.

use super::{Kind, Object, Spanned, same_ordered};
use serde_json::{Map, Value};

/// The canonical text of a value: two-space indent, keys in their order, a final newline.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    pretty(value, "", "  ", &mut out);
    out.push('\n');
    out
}

/// Writes `new` into `text`, whose parsed form is `tree` and `old`, changing only what differs.
pub fn splice(text: &str, tree: &Spanned, old: &Value, new: &Value) -> String {
    if same_ordered(old, new) {
        return text.to_string();
    }
    let writer = Splicer {
        text,
        unit: detect_indent_unit(text),
    };
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(&text[..tree.span.start]);
    writer.render(tree, old, new, &mut out);
    out.push_str(&text[tree.span.end..]);
    out
}

/// The indentation step the file uses: the leading whitespace of its first indented line.
fn detect_indent_unit(text: &str) -> String {
    for line in text.lines() {
        let ws: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if !ws.is_empty() && ws.len() < line.len() {
            return if ws.starts_with('\t') {
                "\t".into()
            } else {
                ws
            };
        }
    }
    "  ".into()
}

struct Splicer<'a> {
    text: &'a str,
    unit: String,
}

impl Splicer<'_> {
    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    /// Leading whitespace of the line that holds `offset`.
    fn indent_at(&self, offset: usize) -> String {
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    fn render(&self, tree: &Spanned, old: &Value, new: &Value, out: &mut String) {
        if same_ordered(old, new) {
            out.push_str(self.slice(tree.span.start, tree.span.end));
            return;
        }
        match (&tree.kind, old, new) {
            (Kind::Object(obj), Value::Object(om), Value::Object(nm)) => {
                let same_keys = !obj.has_duplicates
                    && obj.members.len() == nm.len()
                    && obj
                        .members
                        .iter()
                        .zip(nm.keys())
                        .all(|(m, k)| m.key(self.text) == k.as_str());
                if same_keys {
                    let mut cursor = tree.span.start;
                    for ((m, ov), nv) in obj.members.iter().zip(om.values()).zip(nm.values()) {
                        if !same_ordered(ov, nv) {
                            out.push_str(self.slice(cursor, m.value.span.start));
                            self.render(&m.value, ov, nv, out);
                            cursor = m.value.span.end;
                        }
                    }
                    out.push_str(self.slice(cursor, tree.span.end));
                } else {
                    self.rebuild_object(tree, obj, om, nm, out);
                }
            }
            (Kind::Array(items), Value::Array(ov), Value::Array(nv))
                if items.len() == nv.len() && ov.len() == nv.len() =>
            {
                let mut cursor = tree.span.start;
                for ((item, o), n) in items.iter().zip(ov).zip(nv) {
                    if !same_ordered(o, n) {
                        out.push_str(self.slice(cursor, item.span.start));
                        self.render(item, o, n, out);
                        cursor = item.span.end;
                    }
                }
                out.push_str(self.slice(cursor, tree.span.end));
            }
            (Kind::Array(items), Value::Array(ov), Value::Array(nv)) => {
                self.rebuild_array(tree, items, ov, nv, out)
            }
            _ => pretty(new, &self.indent_at(tree.span.start), &self.unit, out),
        }
    }

    /// Layout of a container: whitespace after the opening bracket, between items, before the close.
    fn layout(
        &self,
        open: usize,
        close: usize,
        firsts: &[(usize, usize)],
    ) -> (String, String, String) {
        let base = self.indent_at(open);
        match firsts {
            [] => (
                format!("\n{base}{}", self.unit),
                format!(",\n{base}{}", self.unit),
                format!("\n{base}"),
            ),
            [(start, end), rest @ ..] => {
                let lead = self.slice(open + 1, *start).to_string();
                let sep = match rest.first() {
                    Some((next, _)) => self.slice(*end, *next).to_string(),
                    None => format!(",{lead}"),
                };
                let last_end = firsts.last().map_or(*end, |(_, e)| *e);
                let close_ws = self.slice(last_end, close - 1).to_string();
                (lead, sep, close_ws)
            }
        }
    }

    fn rebuild_object(
        &self,
        old: &Spanned,
        obj: &Object,
        om: &Map<String, Value>,
        map: &Map<String, Value>,
        out: &mut String,
    ) {
        let spans: Vec<(usize, usize)> = obj
            .members
            .iter()
            .map(|m| (m.key_span.start, m.value.span.end))
            .collect();
        let (lead, sep, close) = self.layout(old.span.start, old.span.end, &spans);
        let member_indent = lead.rsplit('\n').next().unwrap_or("").to_string();
        let colon = obj.members.first().map_or(": ".to_string(), |m| {
            self.slice(m.key_span.end, m.value.span.start).to_string()
        });
        if map.is_empty() {
            out.push_str("{}");
            return;
        }
        out.push('{');
        out.push_str(&lead);
        for (i, (key, nv)) in map.iter().enumerate() {
            if i > 0 {
                out.push_str(&sep);
            }
            match (obj.get(self.text, key), om.get(key)) {
                (Some(m), Some(ov)) if same_ordered(ov, nv) => {
                    out.push_str(self.slice(m.key_span.start, m.value.span.end));
                }
                (Some(m), Some(ov)) => {
                    out.push_str(self.slice(m.key_span.start, m.value.span.start));
                    self.render(&m.value, ov, nv, out);
                }
                _ => {
                    out.push_str(&json_string(key));
                    out.push_str(&colon);
                    pretty(nv, &member_indent, &self.unit, out);
                }
            }
        }
        out.push_str(&close);
        out.push('}');
    }

    fn rebuild_array(
        &self,
        old: &Spanned,
        items: &[Spanned],
        old_values: &[Value],
        values: &[Value],
        out: &mut String,
    ) {
        let spans: Vec<(usize, usize)> = items.iter().map(|i| (i.span.start, i.span.end)).collect();
        let (lead, sep, close) = self.layout(old.span.start, old.span.end, &spans);
        let item_indent = lead.rsplit('\n').next().unwrap_or("").to_string();
        if values.is_empty() {
            out.push_str("[]");
            return;
        }
        out.push('[');
        out.push_str(&lead);
        // Reuse old elements in order where they still match, so a removal or an insertion
        // keeps the neighbours' text.
        let mut next_old = 0;
        for (i, nv) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(&sep);
            }
            let found = old_values
                .get(next_old..)
                .and_then(|rest| rest.iter().position(|ov| same_ordered(ov, nv)));
            if let Some(it) = found.and_then(|pos| items.get(next_old + pos).map(|it| (pos, it))) {
                let (pos, it) = it;
                out.push_str(self.slice(it.span.start, it.span.end));
                next_old += pos + 1;
            } else {
                pretty(nv, &item_indent, &self.unit, out);
            }
        }
        out.push_str(&close);
        out.push(']');
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Pretty-prints `value` as serde_json does, with `indent` before every line after the first.
pub fn pretty(value: &Value, indent: &str, unit: &str, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let inner = format!("{indent}{unit}");
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&inner);
                out.push_str(&json_string(k));
                out.push_str(": ");
                pretty(v, &inner, unit, out);
            }
            out.push('\n');
            out.push_str(indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            let inner = format!("{indent}{unit}");
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&inner);
                pretty(v, &inner, unit, out);
            }
            out.push('\n');
            out.push_str(indent);
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;
    use serde_json::json;

    #[test]
    fn canonical_matches_serde_pretty() {
        let v = json!({"a": [1, {"b": []}, {}], "c": "é\"", "d": {"e": null}});
        assert_eq!(
            canonical(&v),
            serde_json::to_string_pretty(&v).unwrap() + "\n"
        );
    }

    #[test]
    fn unchanged_is_byte_for_byte() {
        let text = "{ \"a\" :1,\n\t\"b\": [ 1,2 ] }  \n";
        let p = parse(text).unwrap();
        assert_eq!(splice(text, &p.tree, &p.value, &p.value), text);
    }

    #[test]
    fn edit_changes_only_the_value() {
        let text = "{\n    \"a\": 1,\n    \"b\": {\"x\": true}\n}\n";
        let p = parse(text).unwrap();
        let mut v = p.value.clone();
        v["b"]["x"] = json!(false);
        assert_eq!(
            splice(text, &p.tree, &p.value, &v),
            "{\n    \"a\": 1,\n    \"b\": {\"x\": false}\n}\n"
        );
    }

    #[test]
    fn added_and_removed_keys_keep_style() {
        let text = "{\n    \"a\": 1,\n    \"b\": 2\n}\n";
        let p = parse(text).unwrap();
        let mut v = p.value.clone();
        v.as_object_mut().unwrap().shift_remove("a");
        v["c"] = json!({"d": [1]});
        assert_eq!(
            splice(text, &p.tree, &p.value, &v),
            "{\n    \"b\": 2,\n    \"c\": {\n        \"d\": [\n            1\n        ]\n    }\n}\n"
        );
    }

    #[test]
    fn arrays_keep_untouched_elements() {
        let text = "[\n  {\"k\": 1},\n  {\"k\": 2},\n  {\"k\": 3}\n]";
        let p = parse(text).unwrap();
        let v = json!([{"k": 1}, {"k": 3}]);
        assert_eq!(
            splice(text, &p.tree, &p.value, &v),
            "[\n  {\"k\": 1},\n  {\"k\": 3}\n]"
        );
        let v = json!([{"k": 1}, {"k": 2}, {"k": 3}, 4]);
        assert_eq!(
            splice(text, &p.tree, &p.value, &v),
            "[\n  {\"k\": 1},\n  {\"k\": 2},\n  {\"k\": 3},\n  4\n]"
        );
    }
}
