//! Choice states: `Choices` (present, not empty), `Default` (ZIS warns without one), and
//! each rule: `Next` only at the top, no `End`, And/Or/Not, the operators ZIS or ASL know,
//! `Variable` and the operand's type (paths, numbers, booleans, RFC 3339 timestamps).

use super::StateCheck;
use crate::json::pointer;
use crate::model::{
    ChoiceRule, RuleKind,
    choice::{ALL_OPERATORS, ZIS_OPERATORS},
};
use crate::path::{self, PathContext};
use crate::validate::{Code, Sink, asl};
use serde_json::Value;

/// A Choice state's own fields.
pub(super) fn check_choice(
    c: &StateCheck,
    choices: Option<&[ChoiceRule]>,
    default: Option<&str>,
    sink: &mut Sink,
) {
    let (ptr, asl, jsonata) = (c.ptr(), c.asl(), c.jsonata);
    match choices {
        None if !c.has("Choices") => sink.push(
            Code::MissingField,
            ptr,
            "required field \"Choices\" is missing",
        ),
        Some([]) => sink.push(
            Code::ChoiceRule,
            format!("{ptr}/Choices"),
            "Choices needs at least one rule",
        ),
        _ => {}
    }
    for rule in choices.into_iter().flatten() {
        check_rule(rule, true, asl, jsonata, sink);
    }
    if default.is_none() && !asl {
        sink.push(
            Code::NoDefault,
            ptr,
            "no Default: when no rule matches, the flow fails with States.NoChoiceMatched",
        );
    }
}

fn check_rule(rule: &ChoiceRule, top: bool, asl: bool, jsonata: bool, sink: &mut Sink) {
    let ptr = rule.pointer.as_str();
    let has = |k: &str| rule.keys.contains(&k);
    if top && rule.next.is_none() && !has("Next") {
        sink.push(Code::ChoiceRule, ptr, "a Choice rule needs \"Next\"");
    }
    if !top && has("Next") {
        sink.push(
            Code::ChoiceRule,
            format!("{ptr}/Next"),
            "a rule nested in And, Or or Not cannot have \"Next\"",
        );
    }
    if has("End") {
        sink.push(
            Code::ChoiceRule,
            format!("{ptr}/End"),
            "a Choice rule cannot end the flow; use \"Next\" to a Succeed state",
        );
        return;
    }
    match &rule.kind {
        RuleKind::And(subs) | RuleKind::Or(subs) => {
            for s in subs {
                check_rule(s, false, asl, jsonata, sink);
            }
        }
        RuleKind::Not(sub) => check_rule(sub, false, asl, jsonata, sink),
        RuleKind::Invalid(msg) => sink.push(Code::ChoiceRule, ptr, msg.clone()),
        RuleKind::Compare(c) => {
            let op = c.operator;
            if asl && op == "Condition" {
                if !jsonata {
                    sink.push(
                        Code::Jsonata,
                        format!("{ptr}/Condition"),
                        "\"Condition\" is a JSONata field",
                    );
                }
                return;
            }
            let known = if asl { ALL_OPERATORS } else { ZIS_OPERATORS };
            if !known.contains(&op) {
                let optr = pointer::push(ptr, op);
                if !asl && ALL_OPERATORS.contains(&op) {
                    let hint = match op {
                        "StringMatches" => "; list the values with StringEquals inside an Or",
                        o if o.starts_with("Is") => "; ZIS supports IsPresent and IsNull only",
                        _ => {
                            "; ZIS supports the Path form only for StringEquals, Numeric* and BooleanEquals"
                        }
                    };
                    sink.push(
                        Code::UnsupportedOperator,
                        optr,
                        format!("ZIS does not support the Choice operator {op}{hint}"),
                    );
                } else {
                    sink.push(
                        Code::ChoiceRule,
                        optr,
                        format!("\"{op}\" is not a Choice operator"),
                    );
                }
                return;
            }
            match &c.variable {
                None => {
                    if !has("Variable") {
                        sink.push(
                            Code::ChoiceRule,
                            ptr,
                            format!("the comparison {op} needs \"Variable\" (the path to test)"),
                        );
                    }
                }
                Some(v) => {
                    if let Err(e) = path::check(v, PathContext::Reference) {
                        sink.push(
                            Code::InvalidPath,
                            format!("{ptr}/Variable"),
                            format!("Variable \"{v}\": {e}"),
                        );
                    }
                }
            }
            check_operand(op, c.operand, ptr, sink);
        }
    }
}

fn check_operand(op: &str, operand: &Value, rule_ptr: &str, sink: &mut Sink) {
    let ptr = || pointer::push(rule_ptr, op);
    if op.ends_with("Path") && op != "IsPresent" {
        match operand.as_str() {
            Some(p) => {
                if let Err(e) = path::check(p, PathContext::Reference) {
                    sink.push(Code::InvalidPath, ptr(), format!("{op} \"{p}\": {e}"));
                }
            }
            None => sink.push(
                Code::OperandType,
                ptr(),
                format!("{op} takes a path string"),
            ),
        }
        return;
    }
    let (ok, expected) = if op.starts_with("Is") || op.starts_with("Boolean") {
        (operand.is_boolean(), "true or false")
    } else if op.starts_with("Numeric") {
        (operand.is_number(), "a number")
    } else if op.starts_with("Timestamp") {
        match operand.as_str() {
            Some(s) if asl::is_rfc3339(s) => (true, ""),
            Some(s) => {
                sink.push(Code::Timestamp, ptr(), format!("{op} takes an RFC 3339 timestamp such as 2024-01-31T09:30:00Z, found \"{s}\""));
                return;
            }
            None => (false, "a timestamp string"),
        }
    } else {
        (operand.is_string(), "a string")
    };
    if !ok {
        sink.push(
            Code::OperandType,
            ptr(),
            format!(
                "{op} takes {expected}, found {}",
                crate::model::type_name_of(operand)
            ),
        );
    }
}
