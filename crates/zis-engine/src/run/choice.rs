//! Choice rules with AWS's semantics: a type mismatch is `false`, never an error; a missing
//! `Variable` is a `States.Runtime` error except for `IsPresent`; `Is*: false` is true for
//! every other type; timestamps compare as instants.

use super::StatesError;
use super::dataflow::eval_path;
use crate::model::{ChoiceRule, Comparison, RuleKind};
use serde_json::Value;
use std::cmp::Ordering;

/// The first rule that matches `data`, by index, or `None` (then `Default` applies).
pub fn first_match(rules: &[ChoiceRule<'_>], data: &Value) -> Result<Option<usize>, StatesError> {
    first_match_with(rules, data, false)
}

/// [`first_match`]; with `missing_is_false` a comparison on a `Variable` that is not there
/// is false instead of an error (zis-facts.md 2.6 leaves it unconfirmed).
pub fn first_match_with(
    rules: &[ChoiceRule<'_>],
    data: &Value,
    missing_is_false: bool,
) -> Result<Option<usize>, StatesError> {
    for (i, rule) in rules.iter().enumerate() {
        if matches_with(rule, data, missing_is_false)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// True when `rule` holds for `data`.
pub fn matches(rule: &ChoiceRule<'_>, data: &Value) -> Result<bool, StatesError> {
    matches_with(rule, data, false)
}

/// [`matches`], a missing `Variable` false when `missing_is_false`.
pub fn matches_with(
    rule: &ChoiceRule<'_>,
    data: &Value,
    missing_is_false: bool,
) -> Result<bool, StatesError> {
    let m = |r: &ChoiceRule<'_>| matches_with(r, data, missing_is_false);
    match &rule.kind {
        RuleKind::And(subs) => {
            for s in subs {
                if !m(s)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        RuleKind::Or(subs) => {
            for s in subs {
                if m(s)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        RuleKind::Not(sub) => Ok(!m(sub)?),
        RuleKind::Compare(c) => compare(c, data, missing_is_false),
        RuleKind::Invalid(why) => Err(StatesError::runtime(format!("Invalid Choice rule: {why}"))),
    }
}

fn compare(c: &Comparison<'_>, data: &Value, missing_is_false: bool) -> Result<bool, StatesError> {
    let var = c.variable.unwrap_or("$");
    let op = c.operator;
    if op == "IsPresent" {
        let present = eval_path(var, data, None)
            .is_ok_and(|v| !matches!(&v, Value::Array(a) if a.is_empty() && !is_definite(var)));
        return Ok(Some(present) == c.operand.as_bool());
    }
    let value = match crate::run::dataflow::eval_path_ref(var, data, None) {
        Ok(v) => v,
        Err(_) if missing_is_false => return Ok(false),
        Err(e) => return Err(e),
    };
    let want = c.operand.as_bool();
    let test = |is: bool| Ok(Some(is) == want);
    match op {
        "IsNull" => return test(value.is_null()),
        "IsNumeric" => return test(value.is_number()),
        "IsString" => return test(value.is_string()),
        "IsBoolean" => return test(value.is_boolean()),
        "IsTimestamp" => return test(value.as_str().and_then(instant).is_some()),
        _ => {}
    }
    let (base, operand) = match op.strip_suffix("Path") {
        Some(base) => {
            let p = c.operand.as_str().unwrap_or("$");
            (base, crate::run::dataflow::eval_path_ref(p, data, None)?)
        }
        None => (op, std::borrow::Cow::Borrowed(c.operand)),
    };
    let ord = if let Some(rest) = base.strip_prefix("String") {
        if rest == "Matches" {
            return Ok(match (value.as_str(), operand.as_str()) {
                (Some(v), Some(pattern)) => wildcard_match(pattern, v),
                _ => false,
            });
        }
        match (value.as_str(), operand.as_str()) {
            (Some(a), Some(b)) => Some(a.cmp(b)),
            _ => None,
        }
    } else if base.starts_with("Numeric") {
        match (value.as_f64(), operand.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        }
    } else if base.starts_with("Boolean") {
        match (value.as_bool(), operand.as_bool()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    } else if base.starts_with("Timestamp") {
        match (
            value.as_str().and_then(instant),
            operand.as_str().and_then(instant),
        ) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    } else {
        return Err(StatesError::runtime(format!(
            "Unknown Choice operator {op}"
        )));
    };
    let Some(ord) = ord else { return Ok(false) };
    let suffix = ["String", "Numeric", "Boolean", "Timestamp"]
        .iter()
        .find_map(|kind| base.strip_prefix(kind))
        .unwrap_or(base);
    Ok(match suffix {
        "Equals" => ord == Ordering::Equal,
        "LessThan" => ord == Ordering::Less,
        "GreaterThan" => ord == Ordering::Greater,
        "LessThanEquals" => ord != Ordering::Greater,
        "GreaterThanEquals" => ord != Ordering::Less,
        _ => {
            return Err(StatesError::runtime(format!(
                "Unknown Choice operator {op}"
            )));
        }
    })
}

fn is_definite(p: &str) -> bool {
    crate::path::parse_shared(p).is_ok_and(|p| p.is_definite())
}

/// True when `s` matches `pattern`: `*` matches any run of characters, `\*` a literal star
/// (Choice `StringMatches`, and `*` in config scopes and link names).
pub fn wildcard_match(pattern: &str, s: &str) -> bool {
    let mut parts: Vec<(String, bool)> = Vec::new(); // (literal, star after)
    let mut lit = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    lit.push(n);
                }
            }
            '*' => {
                parts.push((std::mem::take(&mut lit), true));
            }
            _ => lit.push(c),
        }
    }
    parts.push((lit, false));
    let mut rest = s;
    let mut anchored = true;
    for (i, (lit, star)) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if anchored {
            let Some(r) = rest.strip_prefix(lit.as_str()) else {
                return false;
            };
            rest = r;
        } else if last {
            return rest.ends_with(lit.as_str());
        } else {
            let Some(at) = rest.find(lit.as_str()) else {
                return false;
            };
            rest = &rest[at + lit.len()..];
        }
        anchored = !star;
        if last {
            return rest.is_empty() || !anchored;
        }
    }
    true
}

/// An RFC 3339 timestamp as nanoseconds since 1970 (UTC), `None` when it is not one.
pub fn instant(s: &str) -> Option<i128> {
    if !crate::validate::is_rfc3339(s) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    let mut nanos: i128 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        rest = &frac[digits.len()..];
        let padded: String = digits
            .chars()
            .chain(std::iter::repeat('0'))
            .take(9)
            .collect();
        nanos = padded.parse().ok()?;
    }
    let offset_min: i64 = match rest {
        "Z" | "z" => 0,
        zone => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            sign * (zone.get(1..3)?.parse::<i64>().ok()? * 60
                + zone.get(4..6)?.parse::<i64>().ok()?)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    Some(i128::from(secs) * 1_000_000_000 + nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_instants() {
        assert!(wildcard_match("log-*.txt", "log-2024.txt"));
        assert!(!wildcard_match("log-*.txt", "log-2024.csv"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a\\*b", "a*b"));
        assert!(wildcard_match("*x*", "abxcd"));
        assert!(wildcard_match("zendesk:*", "zendesk:ticket:1"));
        assert!(!wildcard_match("zendesk:*", "jira:1"));
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(instant("1970-01-01T01:00:00+01:00"), Some(0));
        assert!(instant("2024-03-01T00:00:00.5Z") > instant("2024-03-01T00:00:00Z"));
        assert_eq!(instant("2024-03-01"), None);
    }
}
