//! Choice states on shapes: their rules' paths and operand types checked (W016–W018), and
//! each way into the Choice narrowed by the rules that send it on.
//!
//! A rule that is true, and every earlier rule that was false, tell something about the
//! data on that way ([`narrow_at`]): a path is there, not null, an enumeration down to the
//! values left; a way a rule can never send on (`$.err` IsPresent on a way that has no
//! `err`, `StringEquals "urgent"` where urgent was ruled out) is dropped from its target.

use super::flow::{Infer, Step, Use, at};
use super::ways::joined;
use super::{Field, Shape, join, join_all};
use crate::model::{ChoiceRule, Comparison, PathField, RuleKind, State};
use crate::path::{self, Root, Segment, Selector};
use crate::validate::Code;
use serde_json::Value;

impl<'e> Infer<'e> {
    /// A Choice on the ways into it: each way goes on by the first rule it can match, or
    /// by `Default`, narrowed by what that tells.
    pub(super) fn choice<'a>(
        &mut self,
        s: &State<'a>,
        choices: Option<&[ChoiceRule<'a>]>,
        default: Option<&'a str>,
        ways: &[Shape],
        ctx: &Shape,
    ) -> Step<'a> {
        let missing_is_false = self.env.settings.choice_missing_is_false;
        let input = joined(ways);
        // InputPath is read (and reported) once, on the join; each way is cut quietly.
        let effective = self.effective(s, &input, ctx);
        let mut datas: Vec<Shape> = match ways {
            [_] => vec![effective.clone()],
            _ => self.quietly(|me| ways.iter().map(|w| me.effective(s, w, ctx)).collect()),
        };
        let out = self.output(s, effective.clone(), ctx);
        // With OutputPath applied, what goes on is its output, not the narrowed data.
        let narrows = s.output_path == PathField::Absent || !self.env.settings.asl_io_fields;
        let mut edges = Vec::new();
        let mut send = |next: &'a str, taken: Vec<Shape>| {
            if narrows {
                edges.extend(taken.into_iter().map(|d| (next, d)));
            } else if !taken.is_empty() {
                edges.push((next, out.clone()));
            }
        };
        for rule in choices.into_iter().flatten() {
            let Some(tried) = join_all(&datas) else {
                break;
            };
            self.rule(rule, &tried, ctx, 0);
            // A rule that fails on every way is a finding already; it decides nothing here,
            // so the flow after it is still checked.
            let misread = self.misread(rule, &tried);
            if let Some(next) = rule.next {
                let taken = match misread {
                    true => datas.clone(),
                    false => narrow_each(datas.clone(), rule, true, missing_is_false, 0),
                };
                send(next, taken);
            }
            if !misread {
                datas = narrow_each(datas, rule, false, missing_is_false, 0);
            }
        }
        if let Some(d) = default {
            send(d, datas);
        }
        self.finish(s, input, effective, ctx, None, out, edges, None)
    }

    /// Checks a Choice rule's paths and operand types on `data`.
    /// `depth`: the And/Or/Not levels above; deeper than [`MAX_NARROW_DEPTH`], earlier
    /// sub-rules no longer narrow later ones.
    pub(super) fn rule(&mut self, r: &ChoiceRule, data: &Shape, ctx: &Shape, depth: usize) {
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
                if c.operator == "StringEquals"
                    && let (Some(v), Shape::String(Some(values))) =
                        (c.operand.as_str(), &found.shape)
                    && !values.iter().any(|x| x == v)
                {
                    let one_of: Vec<String> = values.iter().map(|x| format!("{x:?}")).collect();
                    self.find(
                        Code::ChoiceType,
                        &at(&r.pointer, c.operator),
                        format!(
                            "`StringEquals` compares with {v:?}, but `{var}` is one of {} here: the rule is never true",
                            one_of.join(", ")
                        ),
                    );
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
            RuleKind::And(subs) | RuleKind::Or(subs) => {
                let go_on = matches!(r.kind, RuleKind::And(_));
                let missing_is_false = self.env.settings.choice_missing_is_false;
                let mut d = vec![data.clone()];
                for sub in subs {
                    let Some(here) = join_all(&d) else {
                        break;
                    };
                    self.rule(sub, &here, ctx, depth + 1);
                    if depth < MAX_NARROW_DEPTH && !self.misread(sub, &here) {
                        d = narrow_each(d, sub, go_on, missing_is_false, 0);
                    }
                }
            }
            RuleKind::Not(sub) => self.rule(sub, data, ctx, depth + 1),
            RuleKind::Invalid(_) => {}
        }
    }

    /// True when the rule decides nothing (it reads a path that never resolves on what
    /// reaches it); while such rules are looked for, a new one is noted.
    fn misread(&mut self, rule: &ChoiceRule, data: &Shape) -> bool {
        let known = self.misread.contains(&rule.pointer);
        if let Some(found) = &mut self.misread_found
            && !known
            && misreads(rule, data, self.env.settings.choice_missing_is_false)
        {
            found.push(rule.pointer.clone());
        }
        known
    }

    fn type_check(&mut self, op: &str, path: &str, found: &Shape, expected: &Shape, ptr: &str) {
        let matches = matches!(
            (found, expected),
            (Shape::Unknown | Shape::Null, _)
                | (Shape::String(_), Shape::String(_))
                | (Shape::Number, Shape::Number)
                | (Shape::Bool(_), Shape::Bool(_))
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
        Shape::Bool(_) => "booleans",
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
        Some(Shape::Bool(None))
    } else {
        None
    }
}

/// Alternatives kept apart while one rule is narrowed; past it they are joined.
const MAX_ALTERNATIVES: usize = 8;

/// Shapes without repeats, joined into one past [`MAX_ALTERNATIVES`].
fn alternatives(shapes: impl IntoIterator<Item = Shape>) -> Vec<Shape> {
    let mut out: Vec<Shape> = Vec::new();
    for s in shapes {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out.len() > MAX_ALTERNATIVES {
        out.into_iter().reduce(join).into_iter().collect()
    } else {
        out
    }
}

/// And/Or/Not levels narrowed below a rule; deeper, a rule narrows nothing (each level
/// looks at both truths of its sub-rules, so the work doubles with every level).
const MAX_NARROW_DEPTH: usize = 3;

/// [`narrow_at`] on each of several ways (`depth` And/Or/Not levels down): the ways out, as
/// [`alternatives`].
fn narrow_each(
    ways: Vec<Shape>,
    rule: &ChoiceRule,
    truth: bool,
    missing_is_false: bool,
    depth: usize,
) -> Vec<Shape> {
    alternatives(
        ways.into_iter()
            .flat_map(|d| narrow_at(d, rule, truth, missing_is_false, depth)),
    )
}

/// The data once a Choice rule is known to be `truth`, as the ways it can be so: none when
/// it never can, several when it can be so in ways that tell different things (an `Or`
/// true by one sub-rule or another).
///
/// - `IsPresent: b` is `b` only where the Variable is there (it never fails).
/// - Any other comparison that was evaluated found its Variable, and for a `*Path`
///   operator its other path too: on the true way always, on the false way too unless
///   `missing_is_false` (where a missing Variable is a false rule, not an error). Its
///   Variable is not null after `IsNull` false or a true typed comparison.
/// - `Not` swaps; `And` true and `Or` false narrow by every sub-rule; `And` false and `Or`
///   true by each of the ways they can end (the sub-rules before it as the operator goes
///   on, that one the other way).
///
/// `depth`: the And/Or/Not levels above `rule`; past [`MAX_NARROW_DEPTH`] a compound rule
/// narrows nothing.
fn narrow_at(
    data: Shape,
    rule: &ChoiceRule,
    truth: bool,
    missing_is_false: bool,
    depth: usize,
) -> Vec<Shape> {
    let compound = !matches!(rule.kind, RuleKind::Compare(_) | RuleKind::Invalid(_));
    if compound && depth >= MAX_NARROW_DEPTH {
        return vec![data];
    }
    let next = depth + 1;
    match (&rule.kind, truth) {
        (RuleKind::And(subs), true) | (RuleKind::Or(subs), false) => {
            let mut ways = vec![data];
            for sub in subs {
                ways = narrow_each(ways, sub, truth, missing_is_false, next);
            }
            ways
        }
        (RuleKind::And(subs), false) | (RuleKind::Or(subs), true) => {
            // Ends at sub-rule i: those before it went on (`!truth`), i did not.
            let mut ends = Vec::new();
            let mut before = vec![data];
            for sub in subs {
                ends.extend(narrow_each(
                    before.clone(),
                    sub,
                    truth,
                    missing_is_false,
                    next,
                ));
                before = narrow_each(before, sub, !truth, missing_is_false, next);
            }
            alternatives(ends)
        }
        (RuleKind::Not(sub), t) => narrow_at(data, sub, !t, missing_is_false, next),
        (RuleKind::Compare(c), t) => narrow_compare(data, c, t, missing_is_false)
            .into_iter()
            .collect(),
        (RuleKind::Invalid(_), _) => vec![data],
    }
}

/// [`narrow_at`] for one comparison; `None` when it can never be `t`.
fn narrow_compare(data: Shape, c: &Comparison, t: bool, missing_is_false: bool) -> Option<Shape> {
    let Some(Ok(var)) = c.variable.map(path::parse) else {
        return Some(data);
    };
    if var.root != Root::Data {
        return Some(data);
    }
    let here = presence(&data, &var.segments);
    if c.operator == "IsPresent" {
        let wanted = c.operand.as_bool() == Some(t);
        return match (wanted, here) {
            (true, Presence::Absent) | (false, Presence::Present) => None,
            (true, _) => Some(mark(data, &var.segments, false)),
            (false, _) => Some(data),
        };
    }
    // Evaluated: true, or an error (not false) when missing, or surely there.
    let evaluated = t || !missing_is_false || here == Presence::Present;
    if here == Presence::Absent {
        // An error, or false with `missing_is_false`.
        return (!evaluated).then_some(data);
    }
    if !evaluated {
        return Some(data);
    }
    let non_null = match (c.operator, c.operand) {
        ("IsNull", Value::Bool(b)) => *b != t,
        (op, _) => t && operand_type(op).is_some(),
    };
    let mut data = mark(data, &var.segments, non_null);
    // `IsNull` holding where the value is surely not null never happens; where it may be,
    // the value is null on that way.
    if let ("IsNull", Value::Bool(b)) = (c.operator, c.operand)
        && *b == t
    {
        let found = super::lookup::resolve(&data, "$", &var.segments);
        if found.troubles.is_empty() && found.shape != Shape::Unknown {
            if !found.nullable && found.shape != Shape::Null {
                return None;
            }
            data = refine(data, &var.segments, &|_| Some(Shape::Null))?;
        }
    }
    // A string or boolean keeps the values the comparison leaves possible; a rule
    // that leaves none sends nothing on (comparing with a value an enumeration
    // lacks is W018).
    match (c.operator, c.operand) {
        ("StringEquals", Value::String(v)) => {
            data = refine(data, &var.segments, &|leaf| match leaf {
                Shape::String(Some(values)) => {
                    let left: Vec<String> = values.into_iter().filter(|x| (x == v) == t).collect();
                    (!left.is_empty()).then_some(Shape::String(Some(left)))
                }
                Shape::String(None) if t => Some(Shape::String(Some(vec![v.clone()]))),
                other => Some(other),
            })?;
        }
        ("BooleanEquals", Value::Bool(b)) => {
            data = refine(data, &var.segments, &|leaf| match leaf {
                Shape::Bool(Some(x)) => ((x == *b) == t).then_some(Shape::Bool(Some(x))),
                Shape::Bool(None) => Some(Shape::Bool(Some(*b == t))),
                other => Some(other),
            })?;
        }
        _ => {}
    }
    if c.operator.ends_with("Path")
        && let Some(Ok(other)) = c.operand.as_str().map(path::parse)
        && other.root == Root::Data
    {
        if presence(&data, &other.segments) == Presence::Absent {
            return None;
        }
        data = mark(data, &other.segments, false);
    }
    Some(data)
}

/// True when the rule fails on data of this shape at run time: a comparison's Variable is
/// never there (unless `missing_is_false` makes that a false rule), or a `*Path` operand
/// is not. `IsPresent` never fails.
fn misreads(rule: &ChoiceRule, data: &Shape, missing_is_false: bool) -> bool {
    let absent = |p: &str| {
        path::parse(p)
            .is_ok_and(|p| p.root == Root::Data && presence(data, &p.segments) == Presence::Absent)
    };
    match &rule.kind {
        RuleKind::And(subs) | RuleKind::Or(subs) => {
            subs.iter().any(|r| misreads(r, data, missing_is_false))
        }
        RuleKind::Not(sub) => misreads(sub, data, missing_is_false),
        RuleKind::Compare(c) if c.operator == "IsPresent" => false,
        RuleKind::Compare(c) => {
            let other = c
                .operator
                .ends_with("Path")
                .then(|| c.operand.as_str())
                .flatten();
            (!missing_is_false && c.variable.is_some_and(absent)) || other.is_some_and(absent)
        }
        RuleKind::Invalid(_) => false,
    }
}

/// Whether a path finds a value in data of a shape.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Presence {
    /// On every value of the shape.
    Present,
    /// On none.
    Absent,
    /// Not known, or on some values only.
    Maybe,
}

/// Whether `segs` find a value in data of shape `data`.
fn presence(data: &Shape, segs: &[Segment]) -> Presence {
    let Some((first, rest)) = segs.split_first() else {
        return Presence::Present;
    };
    if first.descendant {
        return Presence::Maybe;
    }
    let (inner, sure) = match (&first.selector, data) {
        (_, Shape::Unknown) => return Presence::Maybe,
        (Selector::Name(name), Shape::Object(o)) => match o.fields.get(name) {
            None if o.open => return Presence::Maybe,
            None => return Presence::Absent,
            // Going on through a field that may be null finds nothing there.
            Some(f) => (&f.shape, f.required && (rest.is_empty() || !f.nullable)),
        },
        // An array may be shorter than the index.
        (Selector::Index(_), Shape::Array(item)) => (item.as_ref(), false),
        (Selector::Name(_), Shape::Array(_)) | (Selector::Index(_), Shape::Object(_)) => {
            return Presence::Maybe;
        }
        (Selector::Name(_) | Selector::Index(_), _) => return Presence::Absent,
        _ => return Presence::Maybe,
    };
    match presence(inner, rest) {
        Presence::Present if sure => Presence::Present,
        Presence::Absent => Presence::Absent,
        _ => Presence::Maybe,
    }
}

/// `data` with the value at `segs` narrowed by `leaf`; `None` when `leaf` leaves nothing
/// (and the field may not be null: then only `null` is left). Only names are followed: an
/// index would narrow every item by what one item is.
fn refine(data: Shape, segs: &[Segment], leaf: &dyn Fn(Shape) -> Option<Shape>) -> Option<Shape> {
    let Some((first, rest)) = segs.split_first() else {
        return leaf(data);
    };
    match (&first.selector, data) {
        (Selector::Name(name), Shape::Object(mut o)) if !first.descendant => {
            if let Some(mut f) = o.fields.remove(name) {
                f.shape = match refine(f.shape, rest, leaf) {
                    Some(s) => s,
                    None if rest.is_empty() && f.nullable => Shape::Null,
                    None => return None,
                };
                o.fields.insert(name.clone(), f);
            }
            Some(Shape::Object(o))
        }
        (_, other) => Some(other),
    }
}

/// `data` with the fields along `segs` present, the last not null when `non_null`; an
/// index marks the array's item shape (what one item has, the others are taken to have).
fn mark(data: Shape, segs: &[Segment], non_null: bool) -> Shape {
    let Some((first, rest)) = segs.split_first() else {
        return data;
    };
    match (&first.selector, data) {
        (Selector::Name(name), Shape::Object(mut o)) if !first.descendant => {
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
        (Selector::Index(_), Shape::Array(item)) if !first.descendant => {
            Shape::Array(Box::new(mark(*item, rest, non_null)))
        }
        (_, other) => other,
    }
}
