//! The resumable stepper: an execution of a flow advances one state per [`Execution::step`]
//! and returns a typed [`HistoryEvent`]; [`Execution::run`] steps to the end. A Map's
//! iterations are steps too.
//!
//! Time travel: the execution owns its definition (shared, so copies are cheap) and data,
//! so a clone taken after any step is a snapshot. A snapshot resumes as it is, with edited
//! data ([`Execution::set_data`]) or on an edited definition
//! ([`Execution::set_definition`]).
//!
//! Stopping inside a step: [`Execution::step_to`] runs the next state only up to a
//! [`Phase`] and returns what it has so far, changing nothing but this: an action called
//! before that phase keeps its result (or error) in the execution, so the step that follows
//! uses it instead of calling the action again ([`Execution::held_result`], editable with
//! [`Execution::set_held_result`]).
//!
//! ZIS retries (zis-facts.md 7): an uncaught retryable error ([`StatesError::retryable`])
//! restarts the flow from `StartAt` with the original input, up to [`Settings::retries`]
//! times; each attempt's events carry its number.

use super::StatesError;
use super::{choice, dataflow};
use crate::model::{FlowDefinition, State, StateKind};
use crate::validate::Mode;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Runs Action states (built-in and custom actions live outside the engine's core loop).
pub trait ActionExecutor {
    /// Runs `action` with its rendered parameters and returns its raw result.
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError>;
}

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
            Phase::BeforeParameters => e.after_input_path.as_ref(),
            Phase::BeforeAction => e.after_parameters.as_ref(),
            Phase::AfterResult => e.result.as_ref(),
            Phase::AfterResultPath => e.after_result_path.as_ref(),
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
}

const INTERRUPTED: &str = "ZisStudio.Interrupted";

impl ActionExecutor for Capture<'_> {
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError> {
        if !self.call {
            return Err(StatesError::named(INTERRUPTED, "stopped before the action"));
        }
        let answer = self.inner.execute(action, parameters);
        self.answer = Some(answer.clone());
        answer
    }
}

/// Limits and semantics of one execution.
#[derive(Clone, Debug)]
pub struct Settings {
    /// ZIS or ASL semantics (`{{ }}` templates, Action states).
    pub mode: Mode,
    /// State transitions allowed (ZIS: 250), Map iterations' states included.
    pub max_transitions: Option<u32>,
    /// Virtual seconds before the flow times out (ZIS: 100).
    pub timeout_secs: Option<f64>,
    /// Items a Map may iterate over (ZIS: 100).
    pub max_map_items: Option<usize>,
    /// Largest state result or output in bytes (ASL: 256 KiB).
    pub payload_limit: Option<usize>,
    /// Apply InputPath, OutputPath, ResultSelector and Parameters outside Action states as
    /// ASL does. ZIS does not document them (zis-facts.md 2.2): off in ZIS, where they are
    /// ignored (and the validator warns, W005).
    pub asl_io_fields: bool,
    /// What a `{{ }}` placeholder that finds nothing becomes.
    pub missing_placeholder: dataflow::MissingPlaceholder,
    /// A string that is exactly one `{{ }}` placeholder keeps the value's JSON type
    /// (unconfirmed, zis-facts.md 2.4; off).
    pub single_placeholder_keeps_type: bool,
    /// Times a flow is restarted after an uncaught retryable error (ZIS: 3; ASL: 0).
    pub retries: u32,
    /// Retry a retryable error before a Catch takes it (zis-facts.md 7 leaves the order
    /// unconfirmed). Off: a caught error is not retried.
    pub retry_before_catch: bool,
    /// Virtual seconds between a failed attempt and the next (unconfirmed; 0).
    pub retry_backoff_secs: f64,
    /// Wait states really sleep instead of advancing the virtual clock.
    pub real_time_wait: bool,
}

impl Settings {
    /// ZIS defaults (zis-facts.md 2.7 and 2.9).
    pub fn zis() -> Self {
        Self {
            mode: Mode::Zis,
            max_transitions: Some(250),
            timeout_secs: Some(100.0),
            max_map_items: Some(100),
            payload_limit: None,
            asl_io_fields: false,
            missing_placeholder: dataflow::MissingPlaceholder::Error,
            single_placeholder_keeps_type: false,
            retries: 3,
            retry_before_catch: false,
            retry_backoff_secs: 0.0,
            real_time_wait: false,
        }
    }

    /// AWS Step Functions (standard) semantics, no ZIS limits.
    pub fn asl() -> Self {
        Self {
            mode: Mode::Asl,
            max_transitions: None,
            timeout_secs: None,
            max_map_items: None,
            payload_limit: Some(dataflow::ASL_PAYLOAD_LIMIT),
            asl_io_fields: true,
            missing_placeholder: dataflow::MissingPlaceholder::Error,
            single_placeholder_keeps_type: false,
            retries: 0,
            retry_before_catch: false,
            retry_backoff_secs: 0.0,
            real_time_wait: false,
        }
    }
}

/// Where an execution stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// More steps to take.
    Running,
    /// Ended well, with this output.
    Succeeded {
        /// The flow's output.
        output: Value,
    },
    /// Ended with an uncaught error.
    Failed {
        /// `Error`.
        error: String,
        /// `Cause`.
        cause: String,
    },
}

/// What one step did: the state, the data at each phase, and where it went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEvent {
    /// The state's name.
    pub state: String,
    /// Its type.
    pub state_type: String,
    /// Map nesting: the Map states (and item indexes) this state runs inside.
    pub frames: Vec<(String, usize)>,
    /// `$` before the state.
    pub input: Value,
    /// After InputPath.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_input_path: Option<Value>,
    /// After Parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_parameters: Option<Value>,
    /// The action's (or Pass's) raw result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// After ResultSelector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_selector: Option<Value>,
    /// After ResultPath.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_path: Option<Value>,
    /// `$` after the state (after OutputPath).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The next state, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The error the state raised (caught or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StatesError>,
    /// True when a Catch took the error.
    pub caught: bool,
    /// Transitions so far (in this attempt).
    pub transitions: u32,
    /// Virtual seconds since the start (of this attempt).
    pub time_secs: f64,
    /// Which attempt of the flow this step belongs to (1, then 2.. after retries).
    pub attempt: u32,
    /// The error of this step restarts the flow from `StartAt` (a ZIS retry).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retried: bool,
}

#[derive(Clone, Debug)]
struct MapRun {
    state: String,
    items: Vec<Value>,
    index: usize,
    results: Vec<Value>,
    parent_data: Value,
}

#[derive(Clone, Debug)]
struct Frame {
    /// JSON pointer of this machine inside the root definition (`""` for the root).
    machine: String,
    current: String,
    data: Value,
    map: Option<MapRun>,
}

/// One execution of a flow definition.
#[derive(Clone, Debug)]
pub struct Execution {
    definition: Arc<Value>,
    settings: Settings,
    input: Value,
    frames: Vec<Frame>,
    status: Status,
    transitions: u32,
    time_secs: f64,
    attempt: u32,
    /// An action's answer taken by [`Execution::step_to`], for the next step of this state.
    held: Option<(String, Result<Value, StatesError>)>,
}

impl Execution {
    /// Starts an execution of `definition` (a flow's `StartAt` + `States`) on `input`.
    pub fn new(definition: Value, input: Value, settings: Settings) -> Result<Self, StatesError> {
        let start = definition
            .get("StartAt")
            .and_then(Value::as_str)
            .ok_or_else(|| StatesError::runtime("the definition has no StartAt"))?
            .to_string();
        Ok(Self {
            definition: Arc::new(definition),
            settings,
            frames: vec![Frame {
                machine: String::new(),
                current: start,
                data: input.clone(),
                map: None,
            }],
            input,
            status: Status::Running,
            transitions: 0,
            time_secs: 0.0,
            attempt: 1,
            held: None,
        })
    }

    /// Runs the next state only up to `phase` and returns the step so far; `None` when the
    /// execution has ended or the step does not reach the phase (it fails earlier, or the
    /// state has no such phase — a Choice has no result). Nothing changes except that an
    /// action called on the way keeps its answer for the next [`Execution::step`].
    pub fn step_to(&mut self, phase: Phase, actions: &mut dyn ActionExecutor) -> Option<PhaseStop> {
        if self.status != Status::Running {
            return None;
        }
        let mut probe = self.clone();
        let mut capture = Capture {
            inner: actions,
            call: phase >= Phase::AfterResult,
            answer: None,
        };
        let mut event = probe.step(&mut capture)?;
        let answer = capture.answer;
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
        }
        if !reached {
            return None;
        }
        phase.truncate(&mut event);
        event.transitions = self.transitions + 1;
        Some(PhaseStop { phase, event })
    }

    /// The action's answer kept by [`Execution::step_to`] for the next step, if any.
    pub fn held_result(&self) -> Option<&Result<Value, StatesError>> {
        self.held.as_ref().map(|(_, r)| r)
    }

    /// Replaces the kept answer with a result (what if the action had returned this?).
    pub fn set_held_result(&mut self, result: Value) -> Result<(), StatesError> {
        match &mut self.held {
            Some((_, r)) => {
                *r = Ok(result);
                Ok(())
            }
            None => Err(StatesError::runtime("no action answer is held")),
        }
    }

    /// Drops a kept answer: the next step calls its action.
    pub fn clear_held(&mut self) {
        self.held = None;
    }

    /// Where the execution stands.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The definition it runs (after [`Execution::set_definition`], the edited one).
    pub fn definition(&self) -> &Value {
        &self.definition
    }

    /// The flow's original input (what a retry restarts with).
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// The attempt running now (1, then 2.. after retries).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The state the next step runs and the data it gets, while running.
    pub fn next_state(&self) -> Option<(&str, &Value)> {
        match self.status {
            Status::Running => self.frames.last().map(|f| (f.current.as_str(), &f.data)),
            _ => None,
        }
    }

    /// The Map states (outermost first) whose iterators the next step runs inside; empty at
    /// the flow's top level.
    pub fn map_path(&self) -> Vec<&str> {
        self.frames
            .iter()
            .filter_map(|f| f.map.as_ref().map(|m| m.state.as_str()))
            .collect()
    }

    /// The definition (JSON object) of the state the next step runs, while running; states
    /// inside a Map's iterator are found in that iterator.
    pub fn next_state_definition(&self) -> Option<&Value> {
        let frame = self
            .frames
            .last()
            .filter(|_| self.status == Status::Running)?;
        self.definition.pointer(&format!(
            "{}/States/{}",
            frame.machine,
            crate::json::pointer::escape(&frame.current)
        ))
    }

    /// Replaces the data the next step gets (`$`), for a fork with edited data.
    pub fn set_data(&mut self, data: Value) -> Result<(), StatesError> {
        match (&self.status, self.frames.last_mut()) {
            (Status::Running, Some(frame)) => {
                frame.data = data;
                self.held = None;
                Ok(())
            }
            _ => Err(StatesError::runtime("the execution has ended")),
        }
    }

    /// Makes the next step run `state` instead of the one due (the debugger's "force a
    /// branch"): it must be a state of the machine the execution stands in.
    pub fn jump_to(&mut self, state: &str) -> Result<(), StatesError> {
        if self.status != Status::Running {
            return Err(StatesError::runtime("the execution has ended"));
        }
        let Some(machine) = self.frames.last().map(|f| f.machine.clone()) else {
            return Err(StatesError::runtime("the execution has ended"));
        };
        let pointer = format!("{machine}/States/{}", crate::json::pointer::escape(state));
        if self.definition.pointer(&pointer).is_none() {
            return Err(StatesError::runtime(format!(
                "There is no state named '{state}'"
            )));
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.current = state.to_string();
        }
        self.held = None;
        Ok(())
    }

    /// Continues on an edited definition: every state the execution stands in (the current
    /// one and, inside a Map, the Map states around it) must still exist.
    pub fn set_definition(&mut self, definition: Value) -> Result<(), StatesError> {
        for frame in &self.frames {
            let pointer = format!(
                "{}/States/{}",
                frame.machine,
                crate::json::pointer::escape(&frame.current)
            );
            if definition.pointer(&pointer).is_none() {
                return Err(StatesError::runtime(format!(
                    "the edited definition has no state '{}' (at {pointer}), where the execution stands",
                    frame.current
                )));
            }
            if let Some(map) = &frame.map {
                let parent = frame
                    .machine
                    .rsplit_once("/States/")
                    .map_or("", |(parent, _)| parent);
                let pointer = format!(
                    "{parent}/States/{}",
                    crate::json::pointer::escape(&map.state)
                );
                if definition.pointer(&pointer).is_none() {
                    return Err(StatesError::runtime(format!(
                        "the edited definition has no Map state '{}', which the execution is inside",
                        map.state
                    )));
                }
            }
        }
        self.definition = Arc::new(definition);
        self.held = None;
        Ok(())
    }

    /// Steps until the end; returns every event.
    pub fn run(&mut self, actions: &mut dyn ActionExecutor) -> Vec<HistoryEvent> {
        let mut events = Vec::new();
        while let Some(e) = self.step(actions) {
            events.push(e);
        }
        events
    }

    /// Runs the next state and returns what happened; `None` once the execution has ended.
    pub fn step(&mut self, actions: &mut dyn ActionExecutor) -> Option<HistoryEvent> {
        if self.status != Status::Running {
            return None;
        }
        let frame = self.frames.last()?.clone();
        let machine_value = self.machine_value(&frame.machine);
        let (machine, _) = FlowDefinition::from_value(&machine_value, &frame.machine);
        let Some(state) = machine.state(&frame.current) else {
            self.fail(StatesError::runtime(format!(
                "There is no state named '{}'",
                frame.current
            )));
            return None;
        };
        self.transitions += 1;
        let mut event = HistoryEvent {
            state: state.name.to_string(),
            state_type: state.kind.type_name().to_string(),
            frames: self
                .frames
                .iter()
                .filter_map(|f| f.map.as_ref().map(|m| (m.state.clone(), m.index)))
                .collect(),
            input: frame.data.clone(),
            after_input_path: None,
            after_parameters: None,
            result: None,
            after_result_selector: None,
            after_result_path: None,
            output: None,
            next: None,
            error: None,
            caught: false,
            transitions: self.transitions,
            time_secs: self.time_secs,
            attempt: self.attempt,
            retried: false,
        };
        if let Some(max) = self.settings.max_transitions
            && self.transitions > max
        {
            let e = StatesError::runtime(format!(
                "The flow exceeded the limit of {max} state transitions"
            ));
            event.error = Some(e.clone());
            self.fail(e);
            return Some(event);
        }
        let outcome = self.run_state(state, &machine_value, &frame, &mut event, actions);
        self.held = None;
        match outcome {
            Ok(Flow::Next(next, data)) => {
                event.output = Some(data.clone());
                event.next = Some(next.clone());
                if let Some(top) = self.frames.last_mut() {
                    top.current = next;
                    top.data = data;
                }
            }
            Ok(Flow::End(data)) => {
                event.output = Some(data.clone());
                self.finish_frame(data, &mut event);
            }
            Ok(Flow::Entered) => {}
            Err(e) => {
                event.error = Some(e.clone());
                self.handle_error(state, &frame, e, &mut event);
            }
        }
        if let Some(limit) = self.settings.timeout_secs
            && self.time_secs > limit
            && self.status == Status::Running
        {
            self.fail(StatesError::runtime(format!(
                "The flow timed out after {limit} seconds"
            )));
        }
        Some(event)
    }

    /// The state machine at `pointer` in the definition (`""`: the root), copied so the
    /// typed view can borrow it while the execution changes.
    fn machine_value(&self, pointer: &str) -> Value {
        self.definition
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn fail(&mut self, e: StatesError) {
        self.status = Status::Failed {
            error: e.error,
            cause: e.cause,
        };
    }

    fn run_state(
        &mut self,
        state: &State<'_>,
        machine_value: &Value,
        frame: &Frame,
        event: &mut HistoryEvent,
        actions: &mut dyn ActionExecutor,
    ) -> Result<Flow, StatesError> {
        let mode = self.settings.mode;
        let data = &frame.data;
        let effective = self.input_path(state, data)?;
        event.after_input_path = Some(effective.clone());
        let next_or_end = |out: Value| match state.next {
            Some(n) => Flow::Next(n.to_string(), out),
            None => Flow::End(out),
        };
        match &state.kind {
            StateKind::Pass { result } => {
                let params = self.parameters(state, &effective, event)?;
                let r = result.cloned().unwrap_or(params);
                let out = self.finish_result(state, data, r, event)?;
                Ok(next_or_end(out))
            }
            StateKind::Action { action_name } => {
                let params = self.parameters(state, &effective, event)?;
                let name = action_name.unwrap_or_default();
                let r = match self.held.take() {
                    Some((held_state, answer)) if held_state == state.name => answer?,
                    _ => actions.execute(name, &params)?,
                };
                let out = self.finish_result(state, data, r, event)?;
                Ok(next_or_end(out))
            }
            StateKind::Choice { choices, default } => {
                let rules = choices.as_deref().unwrap_or(&[]);
                let next = match choice::first_match(rules, &effective)? {
                    Some(i) => rules.get(i).and_then(|r| r.next),
                    None => *default,
                };
                let next = next
                    .ok_or_else(|| StatesError::named("States.NoChoiceMatched", "No Matches!"))?;
                let out = self.output_path(state, &effective)?;
                Ok(Flow::Next(next.to_string(), out))
            }
            StateKind::Wait {
                seconds,
                seconds_path,
                timestamp,
                timestamp_path,
            } => {
                let secs = match (seconds, seconds_path, timestamp, timestamp_path) {
                    (Some(s), ..) => s.as_f64().unwrap_or(0.0),
                    (None, Some(p), ..) => {
                        let v = dataflow::eval_path(p, &effective, None)?;
                        wait_seconds(&v, p, mode)?
                    }
                    _ => 0.0,
                };
                let secs = secs.max(0.0);
                if let Some(limit) = self.settings.timeout_secs
                    && self.time_secs + secs > limit
                {
                    // ZIS ends the Wait early and the flow with it.
                    self.time_secs = limit;
                    return Err(StatesError::named(
                        "States.Timeout",
                        format!(
                            "The flow timed out after {limit} seconds (during Wait state '{}')",
                            state.name
                        ),
                    ));
                }
                if self.settings.real_time_wait && secs > 0.0 {
                    std::thread::sleep(std::time::Duration::from_secs_f64(secs));
                }
                self.time_secs += secs;
                let out = self.output_path(state, &effective)?;
                Ok(next_or_end(out))
            }
            StateKind::Succeed { message } => {
                if let (Some(m), Mode::Zis) = (message, mode) {
                    event.result = Some(dataflow::interpolate(
                        m,
                        &effective,
                        None,
                        self.templating(),
                    )?);
                }
                let out = self.output_path(state, &effective)?;
                Ok(Flow::End(out))
            }
            StateKind::Fail { error, cause } => {
                let render = |s: Option<&str>| -> Result<String, StatesError> {
                    match (s, mode) {
                        (Some(s), Mode::Zis) => {
                            match dataflow::interpolate(s, &effective, None, self.templating())? {
                                Value::String(text) => Ok(text),
                                other => Ok(other.to_string()),
                            }
                        }
                        (Some(s), _) => Ok(s.to_string()),
                        (None, _) => Ok("null".to_string()),
                    }
                };
                let raw = machine_value
                    .get("States")
                    .and_then(|st| st.get(state.name));
                let from_path = |key: &str| -> Result<Option<String>, StatesError> {
                    let Some(p) = raw.and_then(|r| r.get(key)).and_then(Value::as_str) else {
                        return Ok(None);
                    };
                    let v = dataflow::eval_path(p, &effective, None).map_err(|e| {
                        StatesError::runtime(format!("The JSONPath '{p}' specified for the field '{key}' could not be found in the input ({})", e.cause))
                    })?;
                    Ok(Some(
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    ))
                };
                let error = match from_path("ErrorPath")? {
                    Some(e) => e,
                    None => render(*error)?,
                };
                let cause = match from_path("CausePath")? {
                    Some(c) => c,
                    None => render(*cause)?,
                };
                Err(StatesError::named(error, cause))
            }
            StateKind::Map { items_path, .. } => {
                let items = match items_path {
                    Some(p) => dataflow::eval_path(p, &effective, None)?,
                    None => effective.clone(),
                };
                let Value::Array(items) = items else {
                    return Err(StatesError::runtime(format!(
                        "Reference path \"{}\" must point to array.",
                        items_path.unwrap_or("$")
                    )));
                };
                let raw = machine_value
                    .get("States")
                    .and_then(|st| st.get(state.name));
                if let Some(p) = raw
                    .and_then(|r| r.get("MaxConcurrencyPath"))
                    .and_then(Value::as_str)
                {
                    let v = dataflow::eval_path(p, &effective, None)?;
                    if v.as_u64().is_none() {
                        return Err(StatesError::runtime(format!(
                            "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {p}",
                            v.as_str().map_or_else(|| v.to_string(), str::to_string)
                        )));
                    }
                }
                if let Some(max) = self.settings.max_map_items
                    && items.len() > max
                {
                    return Err(StatesError::runtime(format!(
                        "The Map's items array holds {} items; ZIS allows at most {max}",
                        items.len()
                    )));
                }
                let key = if state.keys.contains(&"Iterator") {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                let machine = format!(
                    "{}/States/{}/{key}",
                    frame.machine,
                    crate::json::pointer::escape(state.name)
                );
                let inner_start = machine_value
                    .pointer(&format!(
                        "/States/{}/{key}/StartAt",
                        crate::json::pointer::escape(state.name)
                    ))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                if items.is_empty() {
                    let out = self.finish_result(state, data, Value::Array(Vec::new()), event)?;
                    return Ok(next_or_end(out));
                }
                let first = items.first().cloned().unwrap_or(Value::Null);
                self.frames.push(Frame {
                    machine,
                    current: inner_start,
                    data: first,
                    map: Some(MapRun {
                        state: state.name.to_string(),
                        items,
                        index: 0,
                        results: Vec::new(),
                        parent_data: data.clone(),
                    }),
                });
                Ok(Flow::Entered)
            }
            StateKind::Task { .. } | StateKind::Parallel { .. } | StateKind::Unknown => {
                Err(StatesError::runtime(format!(
                    "{} states are not supported",
                    state.kind.type_name()
                )))
            }
        }
    }

    fn templating(&self) -> dataflow::Templating {
        dataflow::Templating {
            mode: self.settings.mode,
            missing: self.settings.missing_placeholder,
            single_placeholder_keeps_type: self.settings.single_placeholder_keeps_type,
        }
    }

    fn input_path(&self, state: &State<'_>, data: &Value) -> Result<Value, StatesError> {
        if self.settings.asl_io_fields {
            dataflow::select_path(&state.input_path, data, None)
        } else {
            Ok(data.clone())
        }
    }

    fn output_path(&self, state: &State<'_>, data: &Value) -> Result<Value, StatesError> {
        if self.settings.asl_io_fields {
            dataflow::select_path(&state.output_path, data, None)
        } else {
            Ok(data.clone())
        }
    }

    fn parameters(
        &self,
        state: &State<'_>,
        effective: &Value,
        event: &mut HistoryEvent,
    ) -> Result<Value, StatesError> {
        let applies = self.settings.asl_io_fields || matches!(state.kind, StateKind::Action { .. });
        let params = match state.parameters {
            Some(t) if applies => dataflow::render(t, effective, None, self.templating())?,
            _ => effective.clone(),
        };
        event.after_parameters = Some(params.clone());
        Ok(params)
    }

    /// ResultSelector, ResultPath and OutputPath around a result.
    fn finish_result(
        &self,
        state: &State<'_>,
        data: &Value,
        result: Value,
        event: &mut HistoryEvent,
    ) -> Result<Value, StatesError> {
        event.result = Some(result.clone());
        if let Some(limit) = self.settings.payload_limit {
            dataflow::check_size(state.name, &result, limit)?;
        }
        let selected = match state.result_selector {
            Some(t) if self.settings.asl_io_fields => {
                dataflow::render(t, &result, None, self.templating())?
            }
            _ => result,
        };
        event.after_result_selector = Some(selected.clone());
        let placed = dataflow::place_result(&state.result_path, data.clone(), selected)?;
        event.after_result_path = Some(placed.clone());
        let out = self.output_path(state, &placed)?;
        if let Some(limit) = self.settings.payload_limit {
            dataflow::check_size(state.name, &out, limit)?;
        }
        Ok(out)
    }

    /// A machine reached its end: the execution succeeds, or a Map iteration completes.
    fn finish_frame(&mut self, data: Value, event: &mut HistoryEvent) {
        let Some(mut frame) = self.frames.pop() else {
            return;
        };
        let Some(mut map) = frame.map.take() else {
            self.status = Status::Succeeded { output: data };
            return;
        };
        map.results.push(data);
        map.index += 1;
        if let Some(item) = map.items.get(map.index).cloned() {
            let start = self
                .definition
                .pointer(&format!("{}/StartAt", frame.machine))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            frame.current = start;
            frame.data = item;
            frame.map = Some(map);
            self.frames.push(frame);
            return;
        }
        // The Map state completes in its parent frame.
        let Some(parent) = self.frames.last().cloned() else {
            return;
        };
        let machine_value = self.machine_value(&parent.machine);
        let (machine, _) = FlowDefinition::from_value(&machine_value, &parent.machine);
        let Some(state) = machine.state(&map.state) else {
            return;
        };
        let mut map_event = event.clone();
        match self.finish_result(
            state,
            &map.parent_data,
            Value::Array(map.results),
            &mut map_event,
        ) {
            Ok(out) => match state.next {
                Some(n) => {
                    if let Some(top) = self.frames.last_mut() {
                        top.current = n.to_string();
                        top.data = out;
                    }
                }
                None => self.finish_frame(out, event),
            },
            Err(e) => {
                let frame = Frame {
                    data: map.parent_data,
                    ..parent
                };
                self.handle_error(state, &frame, e, event);
            }
        }
    }

    /// Catch takes the error when it can; otherwise it fails the Map (and so on up) or the flow.
    fn handle_error(
        &mut self,
        state: &State<'_>,
        frame: &Frame,
        e: StatesError,
        event: &mut HistoryEvent,
    ) {
        if self.settings.retry_before_catch && self.retry(&e, event) {
            return;
        }
        if let Some(catcher) = state.catch.iter().flatten().find(|c| {
            c.error_equals
                .as_ref()
                .is_some_and(|names| names.iter().any(|n| *n == "States.ALL" || *n == e.error))
        }) {
            let error_object = json!({"Error": e.error, "Cause": e.cause});
            match dataflow::place_result(&catcher.result_path, frame.data.clone(), error_object) {
                Ok(data) => {
                    if let (Some(next), Some(top)) = (catcher.next, self.frames.last_mut()) {
                        top.current = next.to_string();
                        top.data = data.clone();
                        event.caught = true;
                        event.next = Some(next.to_string());
                        event.output = Some(data);
                        return;
                    }
                }
                Err(e2) => return self.fail_or_retry(e2, event),
            }
        }
        // Uncaught: leave a Map iteration and let the Map state handle it.
        if self.frames.len() > 1
            && let Some(map) = self.frames.pop().and_then(|f| f.map)
        {
            let Some(parent) = self.frames.last().cloned() else {
                return self.fail_or_retry(e, event);
            };
            let machine_value = self.machine_value(&parent.machine);
            let (machine, _) = FlowDefinition::from_value(&machine_value, &parent.machine);
            if let Some(map_state) = machine.state(&map.state) {
                let frame = Frame {
                    data: map.parent_data,
                    ..parent
                };
                return self.handle_error(map_state, &frame, e, event);
            }
        }
        self.fail_or_retry(e, event);
    }

    /// An uncaught error: a ZIS retry when it is retryable and attempts remain, else the
    /// end of the flow.
    fn fail_or_retry(&mut self, e: StatesError, event: &mut HistoryEvent) {
        if !self.retry(&e, event) {
            self.fail(e);
        }
    }

    /// Restarts the flow from `StartAt` with the original input when `e` is retryable and
    /// attempts remain.
    fn retry(&mut self, e: &StatesError, event: &mut HistoryEvent) -> bool {
        if !e.retryable || self.attempt > self.settings.retries {
            return false;
        }
        let Some(start) = self.definition.get("StartAt").and_then(Value::as_str) else {
            return false;
        };
        self.frames = vec![Frame {
            machine: String::new(),
            current: start.to_string(),
            data: self.input.clone(),
            map: None,
        }];
        self.attempt += 1;
        self.transitions = 0;
        self.time_secs = self.settings.retry_backoff_secs;
        self.status = Status::Running;
        event.retried = true;
        event.next = Some(start.to_string());
        true
    }
}

enum Flow {
    Next(String, Value),
    End(Value),
    Entered,
}

fn wait_seconds(v: &Value, path: &str, mode: Mode) -> Result<f64, StatesError> {
    match (v, mode) {
        (Value::Number(n), Mode::Zis) => Ok(n.as_f64().unwrap_or(0.0)),
        (Value::Number(n), Mode::Asl) => match n.as_i64() {
            Some(s) if s >= 0 => Ok(s as f64),
            Some(_) => Err(StatesError::runtime(format!(
                "The SecondsPath parameter references a negative value: {path}"
            ))),
            None => Err(StatesError::runtime(format!(
                "The SecondsPath parameter cannot be parsed as a long value: {path}"
            ))),
        },
        _ => Err(StatesError::runtime(format!(
            "The SecondsPath parameter does not reference a valid integer: {path}"
        ))),
    }
}
