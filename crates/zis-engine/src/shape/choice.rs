//! Choice rules on shapes: their paths and operand types checked (W016–W018), and the data
//! narrowed on the way a rule sends it.

use super::flow::{Infer, Use, at};
use super::{Field, Shape};
use crate::model::{ChoiceRule, RuleKind};
use crate::path::{self, Root, Segment, Selector};
use crate::validate::Code;
use serde_json::Value;

impl Infer<'_> {
    /// Checks a Choice rule's paths and operand types on `data`.
    pub(super) fn rule(&mut self, r: &ChoiceRule, data: &Shape, ctx: &Shape) {
        match &r.kind {
            RuleKind::Compare(c) => {
                let Some(var) = c.variable else { return };
                let use_ = if c.operator == "IsPresent" {
                    Use::Presence
                } else {
                    Use::Value
                };
                let Ok(parsed) = path::parse(var) else { return };
                let found =
                    self.resolve(var, &parsed, data, ctx, &at(&r.pointer, "Variable"), use_);
                let Some(expected) = operand_type(c.operator) else {
                    return;
                };
                if !found.fails() {
                    self.type_check(c.operator, var, &found.shape, &expected, &r.pointer);
                }
                if c.operator.ends_with("Path")
                    && let Some(other) = c.operand.as_str()
                    && let Ok(p) = path::parse(other)
                {
                    let ptr = at(&r.pointer, c.operator);
                    let found = self.resolve(other, &p, data, ctx, &ptr, Use::Value);
                    if !found.fails() {
                        self.type_check(c.operator, other, &found.shape, &expected, &r.pointer);
                    }
                }
            }
            RuleKind::And(subs) => {
                let mut d = data.clone();
                for sub in subs {
                    self.rule(sub, &d, ctx);
                    d = narrow(d, sub);
                }
            }
            RuleKind::Or(subs) => {
                for sub in subs {
                    self.rule(sub, data, ctx);
                }
            }
            RuleKind::Not(sub) => self.rule(sub, data, ctx),
            RuleKind::Invalid(_) => {}
        }
    }

    fn type_check(&mut self, op: &str, path: &str, found: &Shape, expected: &Shape, ptr: &str) {
        let matches = matches!(
            (found, expected),
            (Shape::Unknown | Shape::Null, _)
                | (Shape::String(_), Shape::String(_))
                | (Shape::Number, Shape::Number)
                | (Shape::Bool, Shape::Bool)
        );
        if !matches {
            self.find(
                Code::ChoiceType,
                &at(ptr, op),
                format!(
                    "`{op}` compares {}, but `{path}` is {}: the rule is never true",
                    plural_of(expected),
                    found.describe()
                ),
            );
        }
    }
}

fn plural_of(s: &Shape) -> &'static str {
    match s {
        Shape::Number => "numbers",
        Shape::Bool => "booleans",
        _ => "strings",
    }
}

/// The type a comparison operator takes (timestamps are strings); `None` for IsPresent,
/// IsNull and operators not known.
fn operand_type(op: &str) -> Option<Shape> {
    let base = op.strip_suffix("Path").unwrap_or(op);
    if base.starts_with("String") || base.starts_with("Timestamp") {
        Some(Shape::String(None))
    } else if base.starts_with("Numeric") {
        Some(Shape::Number)
    } else if base.starts_with("Boolean") {
        Some(Shape::Bool)
    } else {
        None
    }
}

/// The data after a Choice rule was true: its Variable is there (and not null after a
/// typed comparison or `IsNull: false`).
pub(super) fn narrow(data: Shape, rule: &ChoiceRule) -> Shape {
    match &rule.kind {
        RuleKind::And(subs) => subs.iter().fold(data, narrow),
        RuleKind::Compare(c) => {
            let Some(Ok(parsed)) = c.variable.map(path::parse) else {
                return data;
            };
            if parsed.root != Root::Data {
                return data;
            }
            let (present, non_null) = match (c.operator, c.operand) {
                ("IsPresent", Value::Bool(true)) => (true, false),
                ("IsPresent", _) => (false, false),
                ("IsNull", Value::Bool(false)) => (true, true),
                ("IsNull", _) => (true, false),
                _ => (true, operand_type(c.operator).is_some()),
            };
            if present {
                mark(data, &parsed.segments, non_null)
            } else {
                data
            }
        }
        _ => data,
    }
}

/// `data` with the fields along `segs` present, the last not null when `non_null`.
fn mark(data: Shape, segs: &[Segment], non_null: bool) -> Shape {
    let Some((first, rest)) = segs.split_first() else {
        return data;
    };
    match (&first.selector, data) {
        (Selector::Name(name), Shape::Object(mut o)) => {
            if let Some(f) = o.fields.remove(name) {
                let f = Field {
                    shape: mark(f.shape, rest, non_null),
                    required: true,
                    nullable: f.nullable && rest.is_empty() && !non_null,
                };
                o.fields.insert(name.clone(), f);
            }
            Shape::Object(o)
        }
        (_, other) => other,
    }
}
