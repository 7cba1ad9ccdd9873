//! Breakpoint and mock commands: stops on states, inside steps, on errors, transitions and
//! conditions, and action mocks. All are kept in the bundle's sidecar.

use super::*;

/// Breakpoints commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum BreakpointCommand {
    /// Switch one breakpoint (by id, see `debug::Breakpoints`) on or off; it is kept.
    SetBreakpointEnabled(String, bool),
    /// Switch every breakpoint on or off at once (all kept).
    BreakpointsActive(bool),
    /// Add or remove a stop at a phase inside a state's step (of the shown flow).
    TogglePhaseBreak(String, zis_engine::run::execution::Phase),
    /// Toggle the breakpoint on a state of the shown flow (the selected one when `None`).
    ToggleBreakpoint(Option<String>),
    /// Stop after any step that raised an error.
    BreakOnError(bool),
    /// Stop at this transition count.
    BreakAtTransition(Option<u32>),
    /// Add a conditional breakpoint: a Choice rule over `$`, as JSON.
    AddCondition(String),
    /// Remove a conditional breakpoint by its index.
    RemoveCondition(usize),
    /// Set (or with `None` remove) the mock of an action.
    SetMock {
        /// The action's full name.
        action: String,
        /// Only this attempt of the flow (`None`: every attempt).
        attempt: Option<u32>,
        /// What it does instead.
        outcome: Option<debug::MockOutcome>,
    },
}

impl AppState {
    /// Applies one breakpoints command.
    pub(crate) fn apply_breakpoints(&mut self, command: BreakpointCommand) {
        match command {
            BreakpointCommand::SetBreakpointEnabled(id, on) => {
                self.sidecar.breakpoints.set_enabled(&id, on);
                self.save_sidecar();
            }
            BreakpointCommand::BreakpointsActive(on) => {
                self.sidecar.breakpoints.all_off = !on;
                self.save_sidecar();
            }
            BreakpointCommand::TogglePhaseBreak(state, phase) => {
                let key = self.layout_key();
                self.sidecar.breakpoints.toggle_phase(&key, &state, phase);
                self.save_sidecar();
            }
            BreakpointCommand::ToggleBreakpoint(state) => {
                if let Some(name) = state.or_else(|| self.selected_state.clone()) {
                    let key = self.layout_key();
                    self.sidecar.breakpoints.toggle(&key, &name);
                    self.save_sidecar();
                }
            }
            BreakpointCommand::BreakOnError(on) => {
                self.sidecar.breakpoints.on_error = on;
                self.save_sidecar();
            }
            BreakpointCommand::BreakAtTransition(n) => {
                self.sidecar.breakpoints.at_transition = n;
                self.save_sidecar();
            }
            BreakpointCommand::AddCondition(text) => match super::error::parse_json(&text) {
                Ok(rule) => {
                    let read = zis_engine::model::ChoiceRule::from_value(&rule);
                    if let zis_engine::model::RuleKind::Invalid(why) = &read.kind {
                        self.message = Some(format!("not a Choice rule: {why}"));
                    } else {
                        self.sidecar.breakpoints.conditions.push(rule);
                        self.save_sidecar();
                    }
                }
                Err(e) => self.message = Some(format!("the condition does not parse: {e}")),
            },
            BreakpointCommand::RemoveCondition(i) => {
                if i < self.sidecar.breakpoints.conditions.len() {
                    self.sidecar.breakpoints.conditions.remove(i);
                    self.save_sidecar();
                }
            }
            BreakpointCommand::SetMock {
                action,
                attempt,
                outcome,
            } => {
                self.sidecar
                    .mocks
                    .retain(|m| !(m.action == action && m.attempt == attempt && m.call.is_none()));
                if let Some(outcome) = outcome {
                    self.sidecar.mocks.push(debug::Mock {
                        action,
                        attempt,
                        call: None,
                        outcome,
                    });
                }
                self.save_sidecar();
            }
        }
    }
}
