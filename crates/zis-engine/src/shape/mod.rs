//! Shapes of JSON data: what `$` looks like at every state, known without running a flow.
//!
//! A [`Shape`] is a JSON type with what is known about it: an object's fields (each always
//! there or not, maybe `null` or not), an array's item shape, a string's enumeration.
//! [`Shape::Unknown`] is the top: nothing known, and nothing ever found wrong with it. An
//! object is *closed* when every field it can have is listed (an event from the catalog, a
//! response sample) and *open* when it may have others (a result put into unknown data).
//!
//! | module | what it holds |
//! |---|---|
//! | this one | [`Shape`], [`Field`], [`Obj`]; joining shapes where ways meet; shapes of values; [`conforms`]; [`to_json`] |
//! | [`lookup`] | a path resolved on a shape: the shape it finds and what may go wrong on the way |
//! | [`flow`] | inference through a flow's states, and the findings (W016–W019) |
//! | `ways` | the shapes on the different ways into a state, kept apart until too many |
//! | `choice` | Choice rules checked, and each way narrowed by the rules that send it on |
//! | [`bundle`] | a whole bundle: each flow from its job specs' events, custom action definitions on their callers' Parameters |
//! | [`builtin`] | the output shapes of ZIS's built-in actions |
//!
//! How to use it: build the shape `$` starts with ([`flow::envelope`] around an event's
//! schema), then [`flow::infer`] a flow with an [`flow::Env`] that knows the custom
//! actions' response shapes; read each state's shapes and the findings off the result.

pub mod builtin;
pub mod bundle;
mod choice;
pub mod flow;
pub mod lookup;
mod ways;

use crate::model::PathField;
use crate::path::{self, Root, Segment, Selector};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Objects and arrays deeper than this become [`Shape::Unknown`] (loops that nest data
/// forever still end).
pub const MAX_DEPTH: usize = 16;

/// A shape keeps at most this many nodes; past it, what is left becomes
/// [`Shape::Unknown`] (a loop that doubles the data each time round stays small).
pub const MAX_NODES: usize = 2_000;

/// `shape` within [`MAX_DEPTH`] and [`MAX_NODES`].
pub fn capped(shape: Shape) -> Shape {
    let mut budget = MAX_NODES;
    cap(shape, 0, &mut budget)
}

fn cap(shape: Shape, depth: usize, budget: &mut usize) -> Shape {
    if *budget == 0 || depth > MAX_DEPTH {
        return Shape::Unknown;
    }
    *budget -= 1;
    match shape {
        Shape::Array(item) => Shape::Array(Box::new(cap(*item, depth + 1, budget))),
        Shape::Object(mut o) => {
            for f in o.fields.values_mut() {
                f.shape = cap(std::mem::take(&mut f.shape), depth + 1, budget);
            }
            Shape::Object(o)
        }
        other => other,
    }
}

/// The shape of a JSON value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Shape {
    /// Any value: nothing is known.
    #[default]
    Unknown,
    /// Only `null`.
    Null,
    /// A boolean; `Some` when it is known to be that one (a literal the flow wrote).
    Bool(Option<bool>),
    /// A number.
    Number,
    /// A string, from these values when known.
    String(Option<Vec<String>>),
    /// An array of items of one shape.
    Array(Box<Shape>),
    /// An object.
    Object(Obj),
}

/// An object's fields.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Obj {
    /// The fields known.
    pub fields: BTreeMap<String, Field>,
    /// True when the object may have fields not listed (their shape is unknown).
    pub open: bool,
}

/// One field of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its shape when not null.
    pub shape: Shape,
    /// Always present.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
}

impl Field {
    /// A field that is always there and never null.
    pub fn required(shape: Shape) -> Self {
        Self {
            shape,
            required: true,
            nullable: false,
        }
    }
}

impl Shape {
    /// A closed object of these always-present fields.
    pub fn object<'k>(fields: impl IntoIterator<Item = (&'k str, Shape)>) -> Self {
        Shape::Object(Obj {
            fields: fields
                .into_iter()
                .map(|(k, s)| (k.to_string(), Field::required(s)))
                .collect(),
            open: false,
        })
    }

    /// A string of these values.
    pub fn one_of(values: &[&str]) -> Self {
        Shape::String(Some(values.iter().map(|s| s.to_string()).collect()))
    }

    /// The shape of a literal the flow writes itself (a Pass `Result`, a constant in
    /// Parameters): like [`Shape::of`], and strings and booleans keep their value, so a
    /// Choice on a flag the flow set can tell its ways apart. Samples use [`Shape::of`]:
    /// their values are examples, not the only ones.
    pub fn literal(v: &Value) -> Self {
        Self::shape_at(v, 0, true)
    }

    /// The shape of a value: objects closed, every field present, `null` fields nullable;
    /// an array's items joined.
    pub fn of(v: &Value) -> Self {
        Self::shape_at(v, 0, false)
    }

    /// [`Shape::of`] or, with `literal`, [`Shape::literal`] at a depth.
    fn shape_at(v: &Value, depth: usize, literal: bool) -> Self {
        if depth > MAX_DEPTH {
            return Shape::Unknown;
        }
        match v {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(literal.then_some(*b)),
            Value::Number(_) => Shape::Number,
            Value::String(s) => Shape::String(literal.then(|| vec![s.clone()])),
            Value::Array(items) => {
                // An item's shape cannot say it may be null: with a null item the values are
                // not kept.
                let literal = literal && !items.iter().any(Value::is_null);
                Shape::Array(Box::new(
                    items
                        .iter()
                        .map(|x| Self::shape_at(x, depth + 1, literal))
                        .reduce(join)
                        .unwrap_or(Shape::Unknown),
                ))
            }
            Value::Object(m) => Shape::Object(Obj {
                fields: m
                    .iter()
                    .map(|(k, x)| {
                        (
                            k.clone(),
                            field_of(Self::shape_at(x, depth + 1, literal), true),
                        )
                    })
                    .collect(),
                open: false,
            }),
        }
    }

    /// How a person names the shape: "a string", "an array of numbers", "one of "low",
    /// "normal"".
    pub fn describe(&self) -> String {
        match self {
            Shape::Unknown => "unknown".into(),
            Shape::Null => "null".into(),
            Shape::Bool(None) => "a boolean".into(),
            Shape::Bool(Some(b)) => format!("{b}"),
            Shape::Number => "a number".into(),
            Shape::String(None) => "a string".into(),
            Shape::String(Some(v)) => format!(
                "a string, one of {}",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Shape::Array(item) => match item.as_ref() {
                Shape::Unknown => "an array".into(),
                other => format!("an array of {}", plural(other)),
            },
            Shape::Object(_) => "an object".into(),
        }
    }

    /// The short type name: `string`, `number`, `boolean`, `null`, `array`, `object`, `any`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Shape::Unknown => "any",
            Shape::Null => "null",
            Shape::Bool(_) => "boolean",
            Shape::Number => "number",
            Shape::String(_) => "string",
            Shape::Array(_) => "array",
            Shape::Object(_) => "object",
        }
    }

    /// A value of this shape, for showing: an enumeration's first value, `""`, `0`,
    /// `false`, an object of its required fields.
    pub fn example(&self) -> Value {
        match self {
            Shape::Unknown | Shape::Null => Value::Null,
            Shape::Bool(b) => Value::Bool(b.unwrap_or(false)),
            Shape::Number => json!(0),
            Shape::String(Some(v)) => v.first().map_or(json!(""), |s| json!(s)),
            Shape::String(None) => json!(""),
            Shape::Array(item) => match item.as_ref() {
                Shape::Unknown => json!([]),
                s => json!([s.example()]),
            },
            Shape::Object(o) => Value::Object(
                o.fields
                    .iter()
                    .filter(|(_, f)| f.required)
                    .map(|(k, f)| (k.clone(), f.shape.example()))
                    .collect(),
            ),
        }
    }
}

fn plural(s: &Shape) -> String {
    match s {
        Shape::Bool(_) => "booleans".into(),
        Shape::Number => "numbers".into(),
        Shape::String(_) => "strings".into(),
        Shape::Array(_) => "arrays".into(),
        Shape::Object(_) => "objects".into(),
        other => other.describe(),
    }
}

/// A field of this shape: `Null` becomes a nullable field of unknown shape.
fn field_of(shape: Shape, required: bool) -> Field {
    match shape {
        Shape::Null => Field {
            shape: Shape::Unknown,
            required,
            nullable: true,
        },
        shape => Field {
            shape,
            required,
            nullable: false,
        },
    }
}

/// The shape of a value that has shape `a` on one way and `b` on another: fields present on
/// one way only may be absent, `null` on one way makes a field nullable, different types
/// make it unknown.
pub fn join(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Unknown, _) | (_, Shape::Unknown) => Shape::Unknown,
        (Shape::Null, x) | (x, Shape::Null) => x,
        (Shape::Bool(a), Shape::Bool(b)) => Shape::Bool(if a == b { a } else { None }),
        (Shape::Number, Shape::Number) => Shape::Number,
        (Shape::String(Some(mut x)), Shape::String(Some(y))) => {
            for v in y {
                if !x.contains(&v) {
                    x.push(v);
                }
            }
            Shape::String(Some(x))
        }
        (Shape::String(_), Shape::String(_)) => Shape::String(None),
        (Shape::Array(x), Shape::Array(y)) => Shape::Array(Box::new(join(*x, *y))),
        (Shape::Object(x), Shape::Object(y)) => Shape::Object(join_obj(x, y)),
        _ => Shape::Unknown,
    }
}

/// Every shape joined; `None` for none.
pub fn join_all(shapes: &[Shape]) -> Option<Shape> {
    shapes.iter().cloned().reduce(join)
}

fn join_obj(mut x: Obj, mut y: Obj) -> Obj {
    let mut fields = BTreeMap::new();
    let keys: Vec<String> = x.fields.keys().chain(y.fields.keys()).cloned().collect();
    for k in keys {
        if fields.contains_key(&k) {
            continue;
        }
        let f = match (x.fields.remove(&k), y.fields.remove(&k)) {
            (Some(a), Some(b)) => join_field(a, b),
            (Some(f), None) => absent_on(f, y.open),
            (None, Some(f)) => absent_on(f, x.open),
            (None, None) => continue,
        };
        fields.insert(k, f);
    }
    Obj {
        fields,
        open: x.open || y.open,
    }
}

/// A field known on one way and not listed on the other: an open object may hold it with
/// any shape, a closed one does not.
fn absent_on(f: Field, other_open: bool) -> Field {
    if other_open {
        // It may be there, with any shape: unknown, so never reported.
        Field::required(Shape::Unknown)
    } else {
        Field {
            required: false,
            ..f
        }
    }
}

/// Joins two fields (see [`join`]).
pub fn join_field(a: Field, b: Field) -> Field {
    let a_null = a.shape == Shape::Null;
    let b_null = b.shape == Shape::Null;
    Field {
        shape: join(a.shape, b.shape),
        required: a.required && b.required,
        nullable: a.nullable || b.nullable || a_null || b_null,
    }
}

/// Whether `v` has the shape; else the JSON pointer of the first difference and why.
pub fn conforms(v: &Value, shape: &Shape) -> Result<(), String> {
    match differences(v, shape, 1).into_iter().next() {
        None => Ok(()),
        Some(d) => Err(d.to_string()),
    }
}

/// Where a value differs from a shape, and why; shown as `/pointer: why`.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The JSON pointer of the value that differs (`""` for the whole value); for a field
    /// missing or not expected, the object's.
    pub at: String,
    /// Why, e.g. `"archived" is not one of [...]`.
    pub why: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.at.is_empty() { "/" } else { &self.at };
        write!(f, "{at}: {}", self.why)
    }
}

/// Where `v` differs from the shape, at most `limit` of them. A missing field of unknown
/// shape is not a difference.
pub fn differences(v: &Value, shape: &Shape, limit: usize) -> Vec<Difference> {
    let mut out = Vec::new();
    check(v, shape, "", limit, &mut out);
    out
}

fn check(v: &Value, shape: &Shape, at: &str, limit: usize, out: &mut Vec<Difference>) {
    if out.len() >= limit {
        return;
    }
    let mut fail = |why: String| {
        out.push(Difference {
            at: at.to_string(),
            why,
        })
    };
    match (shape, v) {
        (Shape::Unknown, _)
        | (Shape::Null, Value::Null)
        | (Shape::Bool(_), Value::Bool(_))
        | (Shape::Number, Value::Number(_)) => {}
        (Shape::String(values), Value::String(s)) => {
            if let Some(vs) = values
                && !vs.contains(s)
            {
                fail(format!("{s:?} is not one of {vs:?}"));
            }
        }
        (Shape::Array(item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                check(x, item, &format!("{at}/{i}"), limit, out);
            }
        }
        (Shape::Object(obj), Value::Object(m)) => {
            for (k, f) in &obj.fields {
                let here = format!("{at}/{}", crate::json::pointer::escape(k));
                let why = match m.get(k) {
                    // A field nothing is known about (the envelope's `connections`) is not
                    // missed.
                    None if f.required && f.shape != Shape::Unknown => {
                        (at.to_string(), format!("{k} is missing"))
                    }
                    None => continue,
                    Some(Value::Null) if f.nullable => continue,
                    Some(Value::Null) if f.shape != Shape::Null => {
                        (here, "may not be null".to_string())
                    }
                    Some(x) => {
                        check(x, &f.shape, &here, limit, out);
                        continue;
                    }
                };
                out.push(Difference {
                    at: why.0,
                    why: why.1,
                });
            }
            if !obj.open {
                for extra in m.keys().filter(|k| !obj.fields.contains_key(*k)) {
                    out.push(Difference {
                        at: at.to_string(),
                        why: format!("{extra} is not a field of this object"),
                    });
                }
            }
        }
        (expected, got) => fail(format!(
            "{} where {} was expected",
            crate::model::type_name_of(got),
            expected.describe()
        )),
    }
    out.truncate(limit);
}

/// The shape as JSON (a JSON Schema subset: `type`, `properties`, `required`, `enum`,
/// `items`, `nullable`, `additionalProperties`), for tools and the user.
pub fn to_json(shape: &Shape) -> Value {
    match shape {
        Shape::Unknown => json!({}),
        Shape::Null => json!({"type": "null"}),
        Shape::Bool(_) => json!({"type": "boolean"}),
        Shape::Number => json!({"type": "number"}),
        Shape::String(None) => json!({"type": "string"}),
        Shape::String(Some(values)) => json!({"type": "string", "enum": values}),
        Shape::Array(item) => json!({"type": "array", "items": to_json(item)}),
        Shape::Object(obj) => {
            let mut props = Map::new();
            let mut required = Vec::new();
            for (k, f) in &obj.fields {
                let mut p = to_json(&f.shape);
                if f.nullable
                    && let Value::Object(m) = &mut p
                {
                    m.insert("nullable".into(), json!(true));
                }
                props.insert(k.clone(), p);
                if f.required {
                    required.push(k.clone());
                }
            }
            json!({"type": "object", "properties": props, "required": required,
                   "additionalProperties": obj.open})
        }
    }
}

/// ResultPath: the result replaces `$`, is discarded, or is put at the path.
pub fn place(field: &PathField, input: Shape, result: Shape) -> Shape {
    match field {
        PathField::Absent => result,
        PathField::Null => input,
        PathField::Path(p) => match path::parse(p) {
            Ok(parsed) if parsed.root == Root::Data => set_at(input, &parsed.segments, result),
            _ => Shape::Unknown,
        },
    }
}

/// `shape` with `result` at `segs`, objects created on the way (a `null` becomes one).
fn set_at(shape: Shape, segs: &[Segment], result: Shape) -> Shape {
    let Some((first, rest)) = segs.split_first() else {
        return result;
    };
    let Selector::Name(name) = &first.selector else {
        return Shape::Unknown;
    };
    let mut obj = match shape {
        Shape::Object(o) => o,
        Shape::Null => Obj::default(),
        Shape::Unknown => Obj {
            open: true,
            ..Obj::default()
        },
        _ => return Shape::Unknown,
    };
    let inner = match obj.fields.remove(name) {
        Some(f) if rest.is_empty() => f.shape,
        // Null on some way, unknown on another: an object may already be there.
        Some(f) if f.nullable && f.shape == Shape::Unknown => Shape::Unknown,
        Some(f) => f.shape,
        None => Shape::Null,
    };
    obj.fields
        .insert(name.clone(), Field::required(set_at(inner, rest, result)));
    Shape::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joining_makes_one_way_fields_optional_and_nulls_nullable() {
        let a = Shape::of(&json!({"id": 1, "who": {"name": "x"}, "tag": "a"}));
        let b = Shape::of(&json!({"id": 2, "who": null, "extra": true}));
        let Shape::Object(j) = join(a, b) else {
            panic!("not an object")
        };
        assert!(j.fields["id"].required && !j.fields["id"].nullable);
        assert!(j.fields["who"].nullable && j.fields["who"].required);
        assert!(!j.fields["tag"].required && !j.fields["extra"].required);
        assert_eq!(
            join(Shape::one_of(&["a"]), Shape::one_of(&["b"])),
            Shape::one_of(&["a", "b"])
        );
        assert_eq!(join(Shape::Number, Shape::Bool(None)), Shape::Unknown);
        // A literal's value is kept where every way has the same one.
        let t = || Shape::Bool(Some(true));
        assert_eq!(join(t(), t()), t());
        assert_eq!(join(t(), Shape::Bool(Some(false))), Shape::Bool(None));
        assert_eq!(
            join(Shape::literal(&json!("a")), Shape::literal(&json!("b"))),
            Shape::one_of(&["a", "b"])
        );
    }

    #[test]
    fn a_value_conforms_to_its_own_shape_and_not_to_another() {
        let v = json!({"a": [1, 2], "b": {"c": null}, "s": "x"});
        let s = Shape::of(&v);
        conforms(&v, &s).unwrap();
        assert!(
            conforms(&json!({"a": [1], "b": {"c": null}}), &s)
                .unwrap_err()
                .contains("s is missing")
        );
        assert!(
            conforms(&json!({"a": ["x"], "b": {"c": 1}, "s": "y"}), &s)
                .unwrap_err()
                .starts_with("/a/0")
        );
        assert_eq!(s.example()["a"], json!([0]));
    }
}
