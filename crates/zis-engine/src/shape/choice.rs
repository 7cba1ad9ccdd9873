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
                // IsPresent never fails; with `choice_missing_variable=false` no rule does.
                let use_ = if c.operator == "IsPresent" || self.env.settings.choice_missing_is_false
                {
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
            // Each sub-rule is tried when those before it were true (And) or false (Or).
            RuleKind::And(subs) => {
                let mut d = data.clone();
                for sub in subs {
                    self.rule(sub, &d, ctx);
                    d = narrow(d, sub, true);
                }
            }
            RuleKind::Or(subs) => {
                let mut d = data.clone();
                for sub in subs {
                    self.rule(sub, &d, ctx);
                    d = narrow(d, sub, false);
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

/// The data once a Choice rule is known to be `truth`: its Variable is there after any
/// comparison that is true, or after `IsPresent: false` or `IsNull: true` is false; it is
/// not null after a true typed comparison or `IsNull: false`, or a false `IsNull: true`.
/// `Not` swaps, `And` true and `Or` false narrow by every sub-rule.
pub(super) fn narrow(data: Shape, rule: &ChoiceRule, truth: bool) -> Shape {
    match (&rule.kind, truth) {
        (RuleKind::And(subs), true) | (RuleKind::Or(subs), false) => {
            subs.iter().fold(data, |d, r| narrow(d, r, truth))
        }
        (RuleKind::Not(sub), t) => narrow(data, sub, !t),
        (RuleKind::Compare(c), t) => {
            let Some(Ok(parsed)) = c.variable.map(path::parse) else {
                return data;
            };
            if parsed.root != Root::Data {
                return data;
            }
            let (present, non_null) = match (c.operator, c.operand, t) {
                ("IsPresent", Value::Bool(b), t) => (*b == t, false),
                ("IsNull", Value::Bool(b), t) => (true, *b != t),
                (_, _, true) => (true, operand_type(c.operator).is_some()),
                (_, _, false) => (false, false),
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
