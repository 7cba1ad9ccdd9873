//! Choice rules.

use super::reader::{self, Reader};
use serde_json::Value;

/// Every comparison operator of ASL, in the order the docs list them.
pub const ALL_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// The operators ZIS documents (zis-facts.md section 2.6).
pub const ZIS_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
    "IsPresent",
    "IsNull",
];

/// One rule of `Choices` (with `Next`) or a nested rule (without).
#[derive(Clone, Debug)]
pub struct ChoiceRule<'a> {
    /// Pointer to the rule object.
    pub pointer: String,
    /// What the rule tests.
    pub kind: RuleKind<'a>,
    /// `Next` (top-level rules only).
    pub next: Option<&'a str>,
    /// Every key of the rule object.
    pub keys: Vec<&'a str>,
}

/// A comparison `Variable <op> operand`.
#[derive(Clone, Debug)]
pub struct Comparison<'a> {
    /// `Variable`.
    pub variable: Option<&'a str>,
    /// The operator key, e.g. `StringEquals`.
    pub operator: &'a str,
    /// Its value as written.
    pub operand: &'a Value,
}

/// The logical shape of a rule.
#[derive(Clone, Debug)]
pub enum RuleKind<'a> {
    /// `And`: every sub-rule.
    And(Vec<ChoiceRule<'a>>),
    /// `Or`: any sub-rule.
    Or(Vec<ChoiceRule<'a>>),
    /// `Not`: the negated sub-rule.
    Not(Box<ChoiceRule<'a>>),
    /// A comparison.
    Compare(Comparison<'a>),
    /// No operator, or several: the text says what.
    Invalid(String),
}

static NULL: Value = Value::Null;

impl<'a> ChoiceRule<'a> {
    /// Reads one rule on its own (a debugger's conditional breakpoint, say); a rule that
    /// cannot be read is [`RuleKind::Invalid`] with the reason.
    pub fn from_value(value: &'a Value) -> Self {
        Self::read(&mut Reader::default(), value, "")
    }

    pub(crate) fn read(r: &mut Reader, value: &'a Value, ptr: &str) -> Self {
        let mut rule = Self {
            pointer: ptr.to_string(),
            kind: RuleKind::Invalid("a rule must be an object".into()),
            next: None,
            keys: Vec::new(),
        };
        let Some(obj) = r.object(value, ptr) else {
            return rule;
        };
        rule.keys = obj.keys().map(String::as_str).collect();
        rule.next = r.string_field(obj, ptr, "Next");
        let logical: Vec<&str> = ["And", "Or", "Not"]
            .into_iter()
            .filter(|k| reader::has(obj, k))
            .collect();
        let ops: Vec<&'a String> = obj
            .keys()
            .filter(|k| {
                !matches!(
                    k.as_str(),
                    "Variable" | "Next" | "Comment" | "And" | "Or" | "Not"
                )
            })
            .collect();
        rule.kind = match (logical.as_slice(), ops.as_slice()) {
            ([], []) => {
                RuleKind::Invalid("the rule has no comparison operator and no And/Or/Not".into())
            }
            ([], [op]) => RuleKind::Compare(Comparison {
                variable: r.string_field(obj, ptr, "Variable"),
                operator: op.as_str(),
                operand: reader::field(obj, op.as_str()).unwrap_or(&NULL),
            }),
            ([], many) => RuleKind::Invalid(format!(
                "a rule takes exactly one operator, found {}",
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (["Not"], []) => {
                let sub_ptr = format!("{ptr}/Not");
                match reader::field(obj, "Not") {
                    Some(v @ Value::Object(_)) => {
                        RuleKind::Not(Box::new(Self::read(r, v, &sub_ptr)))
                    }
                    Some(other) => RuleKind::Invalid(format!(
                        "Not takes one rule object, found {}",
                        super::reader::type_name(other)
                    )),
                    None => RuleKind::Invalid("Not needs a rule".into()),
                }
            }
            ([l @ ("And" | "Or")], []) => {
                let sub_ptr = format!("{ptr}/{l}");
                match reader::field(obj, l) {
                    Some(Value::Array(items)) if !items.is_empty() => {
                        let subs = items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| Self::read(r, v, &format!("{sub_ptr}/{i}")))
                            .collect();
                        if *l == "And" {
                            RuleKind::And(subs)
                        } else {
                            RuleKind::Or(subs)
                        }
                    }
                    _ => RuleKind::Invalid(format!("{l} takes a non-empty array of rules")),
                }
            }
            _ => RuleKind::Invalid(format!(
                "a rule takes one of And, Or, Not or a single comparison, found {}",
                obj.keys()
                    .filter(|k| !matches!(k.as_str(), "Next" | "Comment" | "Variable"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        rule
    }
}
