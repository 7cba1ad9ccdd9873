//! Stopping inside a step: the [`Phase`]s a step passes, [`PhaseStop`], and
//! [`Execution::step_to`], which runs a copy of the execution with the action call captured
//! and keeps the action's answer for the step that follows.

use super::{ActionExecutor, Execution, HistoryEvent, Status};
use crate::run::StatesError;
use serde::Serialize;
use serde_json::Value;

/// A processing phase inside a state's step, in the order a step passes them.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The state's input is known (after InputPath); Parameters not rendered yet.
    BeforeParameters,
    /// Parameters are rendered; the action is not called yet.
    BeforeAction,
    /// The action (or Pass) has its result; ResultSelector and ResultPath not applied yet.
    AfterResult,
    /// ResultPath has placed the result; OutputPath and the transition are next.
    AfterResultPath,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 4] = [
        Phase::BeforeParameters,
        Phase::BeforeAction,
        Phase::AfterResult,
        Phase::AfterResultPath,
    ];

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            Phase::BeforeParameters => "before Parameters",
            Phase::BeforeAction => "before the action",
            Phase::AfterResult => "after the result (before ResultPath)",
            Phase::AfterResultPath => "after ResultPath",
        }
    }

    /// The event with only what this phase has: later fields cleared.
    fn truncate(self, e: &mut HistoryEvent) {
        if self < Phase::AfterResultPath {
            e.after_result_path = None;
        }
        if self < Phase::AfterResult {
            e.result = None;
            e.after_result_selector = None;
        }
        if self < Phase::BeforeAction {
            e.after_parameters = None;
        }
        e.output = None;
        e.next = None;
        e.caught = false;
    }

    /// The phase's data in an event (what a stop there shows), if the step got that far.
    pub fn data(self, e: &HistoryEvent) -> Option<&Value> {
        match self {
            Phase::BeforeParameters => e.after_input_path.as_deref(),
            Phase::BeforeAction => e.after_parameters.as_deref(),
            Phase::AfterResult => e.result.as_deref(),
            Phase::AfterResultPath => e.after_result_path.as_deref(),
        }
    }
}

/// A stop inside a step: the phase, and the step's event up to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseStop {
    /// Where it stopped.
    pub phase: Phase,
    /// The step so far (fields after the phase are empty); `error` is set when the action
    /// failed before an `AfterResult` stop.
    pub event: HistoryEvent,
}

/// Passes calls through (or not, before the action phase) and keeps the answer.
struct Capture<'a> {
    inner: &'a mut dyn ActionExecutor,
    call: bool,
    answer: Option<Result<Value, StatesError>>,
    secs: f64,
}

const INTERRUPTED: &str = "ZisStudio.Interrupted";

impl ActionExecutor for Capture<'_> {
    fn set_time_left(&mut self, secs: Option<f64>) {
        self.inner.set_time_left(secs);
    }

    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError> {
        if !self.call {
            return Err(StatesError::named(INTERRUPTED, "stopped before the action"));
        }
        let started = std::time::Instant::now();
        let answer = self.inner.execute(action, parameters);
        self.secs = started.elapsed().as_secs_f64();
        self.answer = Some(answer.clone());
        answer
    }
}

impl Execution {
    /// Runs the next state only up to `phase` and returns the step so far; `None` when the
    /// execution has ended or the step does not reach the phase (it fails earlier, or the
    /// state has no such phase — a Choice has no result). Nothing changes except that an
    /// action called on the way keeps its answer for the next [`Execution::step`].
    pub fn step_to(&mut self, phase: Phase, actions: &mut dyn ActionExecutor) -> Option<PhaseStop> {
        if self.status != Status::Running {
            return None;
        }
        let mut probe = self.clone();
        probe.record = true;
        let mut capture = Capture {
            inner: actions,
            call: phase >= Phase::AfterResult,
            answer: None,
            secs: 0.0,
        };
        let mut event = probe.step(&mut capture)?;
        let (answer, secs) = (capture.answer, capture.secs);
        let reached = match phase {
            Phase::AfterResult => answer.is_some() || event.result.is_some(),
            _ => phase.data(&event).is_some(),
        };
        // Only the action's own failure belongs to a stop after the result; anything else
        // happens later in the step (or is the interruption).
        event.error = match (&answer, phase >= Phase::AfterResult) {
            (Some(Err(e)), true) => Some(e.clone()),
            _ => None,
        };
        if let (Some(answer), Some((state, _))) = (answer, self.next_state()) {
            self.held = Some((state.to_string(), answer));
            self.held_secs = secs;
        }
        if !reached {
            return None;
        }
        phase.truncate(&mut event);
        event.transitions = self.transitions + 1;
        Some(PhaseStop { phase, event })
    }
}
