//! The shapes `$` has on the different ways into a state, kept apart.
//!
//! Joining every way into one shape loses what told them apart: an Action's `Next` brings
//! its result and its Catch brings `$.err`, and a Choice on `$.err` sends each way on
//! alone. So a state keeps up to [`MAX_WAYS`] shapes; a way that an earlier one already
//! covers is not added, and past the limit the two most alike are joined. Findings are still
//! read on the join (a field one way has and another lacks *may* be absent); a Choice
//! narrows each way by itself and drops the ways a rule can never send on.
//!
//! This module also runs a state machine over its ways until nothing changes
//! (`Infer::machine`). A Choice rule that fails on every way into it (it compares a path no
//! way has) would drop all of them and leave the rest of the flow unchecked; such rules
//! are found once the ways settle, and the machine runs again with them deciding nothing.

use super::flow::{Infer, MAX_UPDATES, Step};
use super::{Shape, capped, join, join_all};
use crate::model::{FlowDefinition, State, StateKind};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Most runs of a machine looking for Choice rules that always fail, before the last one.
const MISREAD_RUNS: usize = 32;

/// Ways kept apart; past it, the two most alike are joined.
pub const MAX_WAYS: usize = 6;

/// Depth of the fields that tell ways apart when two must be joined.
const SURE_DEPTH: usize = 3;

/// The paths of the fields a shape has for sure (required, through fields not null), a
/// few levels deep.
fn sure_fields(shape: &Shape) -> BTreeSet<String> {
    fn walk(shape: &Shape, at: &str, depth: usize, out: &mut BTreeSet<String>) {
        let Shape::Object(o) = shape else { return };
        for (k, f) in &o.fields {
            if !f.required {
                continue;
            }
            let here = format!("{at}/{k}");
            if depth + 1 < SURE_DEPTH && !f.nullable {
                walk(&f.shape, &here, depth + 1, out);
            }
            out.insert(here);
        }
    }
    let mut out = BTreeSet::new();
    walk(shape, "", 0, &mut out);
    out
}

/// Ways joined into one shape, within the caps (unknown for none).
pub(super) fn joined(ways: &[Shape]) -> Shape {
    capped(join_all(ways).unwrap_or(Shape::Unknown))
}

/// The shapes of `$` on the ways into one state (never empty once built).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Ways(Vec<Shape>);

impl Ways {
    /// One way.
    pub(super) fn one(shape: Shape) -> Self {
        Self(vec![capped(shape)])
    }

    /// Adds a way; false when an existing way already covers it (nothing new to follow).
    /// Past [`MAX_WAYS`], the two ways most alike (the fewest fields one has for sure and
    /// the other may not) are joined.
    pub(super) fn add(&mut self, shape: Shape) -> bool {
        let shape = capped(shape);
        if self
            .0
            .iter()
            .any(|w| *w == shape || join(w.clone(), shape.clone()) == *w)
        {
            return false;
        }
        self.0.push(shape);
        if self.0.len() > MAX_WAYS {
            let sure: Vec<BTreeSet<String>> = self.0.iter().map(sure_fields).collect();
            let mut best = (usize::MAX, 0, 1);
            for i in 0..sure.len() {
                for j in i + 1..sure.len() {
                    let apart = sure[i].symmetric_difference(&sure[j]).count();
                    if apart < best.0 {
                        best = (apart, i, j);
                    }
                }
            }
            let (_, i, j) = best;
            let b = self.0.remove(j);
            let a = std::mem::take(&mut self.0[i]);
            self.0[i] = capped(join(a, b));
        }
        true
    }

    /// The ways, in the order they came.
    pub(super) fn all(&self) -> &[Shape] {
        &self.0
    }
}

impl Infer<'_> {
    /// Runs a state machine; the join of what its terminal states pass on.
    pub(super) fn machine(&mut self, def: &FlowDefinition, start: Shape, ctx: &Shape) -> Shape {
        if !self.report
            && let Some((_, _, out)) = self
                .memo
                .iter()
                .find(|(p, input, _)| *p == def.pointer && *input == start)
        {
            return out.clone();
        }
        let remembered = (!self.report).then(|| (def.pointer.clone(), start.clone()));
        let out = self.machine_now(def, start, ctx);
        if let Some((p, input)) = remembered {
            self.memo.push((p, input, out.clone()));
        }
        out
    }

    fn machine_now(&mut self, def: &FlowDefinition, start: Shape, ctx: &Shape) -> Shape {
        let Some(states) = &def.states else {
            return Shape::Unknown;
        };
        let by_name: HashMap<&str, &State> = states.iter().map(|s| (s.name, s)).collect();
        let Some(first) = def.start_at.filter(|s| by_name.contains_key(s)) else {
            return Shape::Unknown;
        };
        let report = std::mem::replace(&mut self.report, false);
        // Each run of a machine judges its own rules on its own input (a Map's iterator runs
        // once per input).
        let outer = std::mem::take(&mut self.misread);
        let mut inputs = self.settle(&by_name, first, &start, ctx);
        // Each run adds a rule, so this ends; the cap only bounds the work.
        for _ in 0..MISREAD_RUNS {
            // Choice rules reading what never reaches them, on the settled ways.
            self.misread_found = Some(Vec::new());
            for state in states {
                if let (StateKind::Choice { .. }, Some(ways)) =
                    (&state.kind, inputs.get(state.name))
                {
                    self.step(state, ways.all(), ctx);
                }
            }
            let found = self.misread_found.take().unwrap_or_default();
            if found.is_empty() {
                break;
            }
            self.misread.extend(found);
            inputs = self.settle(&by_name, first, &start, ctx);
        }
        self.report = report;
        let mut terminal: Option<Shape> = None;
        for state in states {
            let Some(ways) = inputs.get(state.name) else {
                continue;
            };
            let step = self.step(state, ways.all(), ctx);
            if let Some(t) = step.terminal {
                terminal = Some(match terminal {
                    None => t,
                    Some(old) => join(old, t),
                });
            }
            if self.report {
                self.out.states.insert(state.pointer.clone(), step.shapes);
            }
        }
        self.misread = outer;
        capped(terminal.unwrap_or(Shape::Unknown))
    }

    /// Follows the ways from `first` until no state's ways change: each state's ways in.
    fn settle<'a>(
        &mut self,
        by_name: &HashMap<&'a str, &State<'a>>,
        first: &'a str,
        start: &Shape,
        ctx: &Shape,
    ) -> HashMap<&'a str, Ways> {
        let mut inputs: HashMap<&str, Ways> = HashMap::from([(first, Ways::one(start.clone()))]);
        // The ways each state has been run on, and how often its ways changed.
        let mut done: HashMap<&str, Vec<Shape>> = HashMap::new();
        let mut updates: HashMap<&str, usize> = HashMap::new();
        let mut queue = VecDeque::from([first]);
        while let Some(name) = queue.pop_front() {
            let (Some(state), Some(ways)) = (by_name.get(name), inputs.get(name)) else {
                continue;
            };
            let ran = done.entry(name).or_default();
            let new: Vec<Shape> = ways
                .all()
                .iter()
                .filter(|w| !ran.contains(w))
                .cloned()
                .collect();
            ran.extend(new.iter().cloned());
            for way in new {
                let step = self.step(state, std::slice::from_ref(&way), ctx);
                for (next, shape) in step.edges {
                    if !by_name.contains_key(next) {
                        continue;
                    }
                    let added = match inputs.get_mut(next) {
                        None => {
                            inputs.insert(next, Ways::one(shape));
                            true
                        }
                        Some(ways) => ways.add(shape),
                    };
                    if !added {
                        continue;
                    }
                    let n = updates.entry(next).or_default();
                    *n += 1;
                    if *n > MAX_UPDATES {
                        inputs.insert(next, Ways::one(Shape::Unknown));
                    }
                    if !queue.contains(&next) {
                        queue.push_back(next);
                    }
                }
            }
        }
        inputs
    }

    /// One state on the ways into it: a Choice narrows each way apart; any other state
    /// runs on their join.
    fn step<'a>(&mut self, s: &State<'a>, ways: &[Shape], ctx: &Shape) -> Step<'a> {
        match &s.kind {
            StateKind::Choice { choices, default } => {
                self.choice(s, choices.as_deref(), *default, ways, ctx)
            }
            _ => self.state(s, joined(ways), ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(fields: &[&str]) -> Shape {
        Shape::object(fields.iter().map(|f| (*f, Shape::Number)))
    }

    #[test]
    fn a_covered_way_is_not_added_and_past_the_limit_the_two_most_alike_are_joined() {
        let mut w = Ways::one(obj(&["err", "e1"]));
        assert!(!w.add(obj(&["err", "e1"])), "the same way twice");
        for f in ["e2", "e3"] {
            assert!(w.add(obj(&["err", f])));
        }
        for f in ["c1", "c2", "c3"] {
            assert!(w.add(obj(&["cfg", f])));
        }
        assert_eq!(w.all().len(), MAX_WAYS);
        assert!(w.add(obj(&["cfg", "c4"])));
        assert_eq!(w.all().len(), MAX_WAYS, "two were joined");
        // No join mixed a way with `err` and one with `cfg`: each still has one for sure.
        for way in w.all() {
            let Shape::Object(o) = way else {
                panic!("an object")
            };
            let sure = |k: &str| o.fields.get(k).is_some_and(|f| f.required);
            assert!(sure("err") != sure("cfg"), "{way:?}");
        }
        let Shape::Object(all) = joined(w.all()) else {
            panic!("an object")
        };
        assert_eq!(all.fields.len(), 9);
        assert!(all.fields.values().all(|f| !f.required));
        assert!(!w.add(obj(&["cfg", "c1"])), "a way already held");
    }
}
