//! Where the debugger stops: on states, inside a state's step, on any error, at a transition
//! count, on a condition; each can be switched off without losing it. Kept in the sidecar.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use zis_engine::run::execution::Phase;

/// Where the debugger stops.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakpoints {
    /// Before these states run (by flow key, then state name).
    #[serde(default)]
    pub states: BTreeMap<String, BTreeSet<String>>,
    /// After any step that raised an error (caught or not).
    #[serde(default)]
    pub on_error: bool,
    /// When the transition count reaches this.
    #[serde(default)]
    pub at_transition: Option<u32>,
    /// Choice rules over `$`: stop before any state whose data makes one true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Value>,
    /// Inside a state's step: flow key → state → phases to stop at.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phases: BTreeMap<String, BTreeMap<String, BTreeSet<Phase>>>,
    /// Breakpoints kept but switched off, by id ([`Breakpoints::state_id`],
    /// [`Breakpoints::phase_id`], [`Breakpoints::condition_id`]).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub disabled: BTreeSet<String>,
    /// Every breakpoint switched off at once (all kept).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_off: bool,
}

/// The first condition (a Choice rule, its `Next` ignored) that holds for `data`, shown as
/// its JSON; rules that cannot be read or evaluated never stop.
pub fn condition_met(conditions: &[Value], data: &Value) -> Option<String> {
    conditions.iter().find_map(|c| {
        let rule = zis_engine::model::ChoiceRule::from_value(c);
        zis_engine::run::choice::matches(&rule, data)
            .ok()
            .filter(|m| *m)
            .map(|_| c.to_string())
    })
}

impl Breakpoints {
    /// The id of the breakpoint on a state.
    pub fn state_id(flow: &str, state: &str) -> String {
        format!("state:{flow}:{state}")
    }

    /// The id of a stop at a phase of a state.
    pub fn phase_id(flow: &str, state: &str, phase: Phase) -> String {
        format!("phase:{flow}:{state}:{phase:?}")
    }

    /// The id of a condition.
    pub fn condition_id(condition: &Value) -> String {
        format!("condition:{condition}")
    }

    /// True unless the breakpoint `id` (or every breakpoint) is switched off.
    pub fn enabled(&self, id: &str) -> bool {
        !self.all_off && !self.disabled.contains(id)
    }

    /// Switches the breakpoint `id` on or off.
    pub fn set_enabled(&mut self, id: &str, on: bool) {
        if on {
            self.disabled.remove(id);
        } else {
            self.disabled.insert(id.to_string());
        }
    }

    /// True when the debugger stops before `state` of `flow` (it has an enabled breakpoint).
    pub fn stops_at(&self, flow: &str, state: &str) -> bool {
        self.has(flow, state) && self.enabled(&Self::state_id(flow, state))
    }

    /// The enabled phase stops of a state, in order.
    pub fn active_phases(&self, flow: &str, state: &str) -> Vec<Phase> {
        self.phases_of(flow, state)
            .into_iter()
            .filter(|p| self.enabled(&Self::phase_id(flow, state, *p)))
            .collect()
    }

    /// The enabled conditions.
    pub fn active_conditions(&self) -> Vec<Value> {
        self.conditions
            .iter()
            .filter(|c| self.enabled(&Self::condition_id(c)))
            .cloned()
            .collect()
    }

    /// True when `state` of `flow` has a breakpoint.
    pub fn has(&self, flow: &str, state: &str) -> bool {
        self.states.get(flow).is_some_and(|s| s.contains(state))
    }

    /// The phases of `state` of `flow` to stop at, in order.
    pub fn phases_of(&self, flow: &str, state: &str) -> Vec<Phase> {
        self.phases
            .get(flow)
            .and_then(|f| f.get(state))
            .map(|p| p.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Adds or removes a stop at a phase of a state.
    pub fn toggle_phase(&mut self, flow: &str, state: &str, phase: Phase) {
        let states = self.phases.entry(flow.to_string()).or_default();
        let set = states.entry(state.to_string()).or_default();
        if !set.remove(&phase) {
            set.insert(phase);
        }
        if set.is_empty() {
            states.remove(state);
        }
        if states.is_empty() {
            self.phases.remove(flow);
        }
    }

    /// Adds or removes the breakpoint on a state.
    pub fn toggle(&mut self, flow: &str, state: &str) {
        let set = self.states.entry(flow.to_string()).or_default();
        if !set.remove(state) {
            set.insert(state.to_string());
        }
        if set.is_empty() {
            self.states.remove(flow);
        }
    }
}
