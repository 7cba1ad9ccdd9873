//! The resumable stepper: an execution of a flow advances one state per [`Execution::step`]
//! and returns a typed [`HistoryEvent`]; [`Execution::run`] steps to the end. A Map's
//! iterations are steps too.
//!
//! Compile once: a definition is read once into a [`Compiled`] that every execution of it
//! shares ([`Execution::start`]); [`Execution::new`] compiles and starts in one go. Without
//! history ([`Execution::set_recording`]), a step keeps none of the data it passes through
//! in its event ([`Execution::run_to_end`] runs to the end keeping no events).
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
//!
//! | file | what it holds |
//! |---|---|
//! | this one | [`Execution`]: starting, inspecting and editing a snapshot, [`Execution::step`] and the dispatch to the state types |
//! | `compiled` | [`Compiled`]: a definition read once, shared by its executions |
//! | `settings` | [`Settings`]: ZIS and ASL limits and semantics |
//! | `event` | [`Status`] and [`HistoryEvent`] |
//! | `phase` | [`Phase`], [`PhaseStop`] and [`Execution::step_to`] |
//! | `io` | the data flow around a state's work: InputPath, Parameters, ResultSelector, ResultPath, OutputPath |
//! | `action` | Pass and Action states |
//! | `choice` | Choice states |
//! | `wait` | Wait states and the virtual clock |
//! | `terminal` | Succeed and Fail states |
//! | `map` | Map states: entering the iterator, each iteration's end, the Map's result |
//! | `catch` | errors: Catch, leaving a Map iteration, ZIS retries |

mod action;
mod catch;
mod choice;
mod compiled;
mod event;
mod io;
mod map;
mod phase;
mod settings;
mod terminal;
mod wait;

pub use compiled::Compiled;
pub use event::{HistoryEvent, Snapshot, Status};
pub use phase::{Phase, PhaseStop};
pub use settings::Settings;

use super::{StatesError, dataflow};
use crate::model::{State, StateKind};
use serde_json::Value;
use std::sync::Arc;

/// Runs Action states (built-in and custom actions live outside the engine's core loop).
pub trait ActionExecutor {
    /// Runs `action` with its rendered parameters and returns its raw result.
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError>;

    /// The flow's time left (virtual seconds; `None`: no limit) as the next call starts, so
    /// a long action can stop at the flow's deadline. Ignored unless implemented.
    fn set_time_left(&mut self, _secs: Option<f64>) {}

    /// Seconds the last call took on the flow's clock besides its wall time (a mock's
    /// `delay_secs`); taken once.
    fn take_delay_secs(&mut self) -> f64 {
        0.0
    }
}

#[derive(Clone, Debug)]
struct MapRun {
    state: String,
    items: Vec<Value>,
    index: usize,
    results: Vec<Value>,
    /// The results' size as JSON text so far (stops the Map early past the payload limit).
    bytes: usize,
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
    definition: Arc<Compiled>,
    /// Whether steps keep the data of each phase in their events (the default).
    record: bool,
    /// The next step checks its data against the payload limit first: data that came from
    /// outside the states' own checked results (the input, a fork's edit, a caught error).
    check_data: bool,
    settings: Settings,
    input: Value,
    frames: Vec<Frame>,
    status: Status,
    transitions: u32,
    time_secs: f64,
    attempt: u32,
    /// An action's answer taken by [`Execution::step_to`], for the next step of this state.
    held: Option<(String, Result<Value, StatesError>)>,
    /// Wall seconds the held answer's call took (counted when the step uses it).
    held_secs: f64,
}

impl Execution {
    /// Starts an execution of `definition` (a flow's `StartAt` + `States`) on `input`.
    pub fn new(definition: Value, input: Value, settings: Settings) -> Result<Self, StatesError> {
        Ok(Self::start(Compiled::new(definition)?, input, settings))
    }

    /// Starts an execution of a compiled definition (shared with every other execution of
    /// it) on `input`.
    pub fn start(definition: Arc<Compiled>, input: Value, settings: Settings) -> Self {
        let start = definition.start_at().to_string();
        // The original input is kept only for retries to restart with.
        let (data, input) = if settings.retries > 0 {
            (input.clone(), input)
        } else {
            (input, Value::Null)
        };
        Self {
            definition,
            record: true,
            check_data: true,
            settings,
            frames: vec![Frame {
                machine: String::new(),
                current: start,
                data,
                map: None,
            }],
            input,
            status: Status::Running,
            transitions: 0,
            time_secs: 0.0,
            attempt: 1,
            held: None,
            held_secs: 0.0,
        }
    }

    /// Whether each step's event keeps the data of every phase (on by default). Off, an
    /// event keeps its state's type, its error and the counters, and no data, state name or
    /// next state: a run that only wants the outcome copies nothing it does not need.
    pub fn set_recording(&mut self, record: bool) {
        self.record = record;
    }

    /// The compiled definition it runs.
    pub fn compiled(&self) -> &Arc<Compiled> {
        &self.definition
    }

    /// The output's snapshot when it is one the event holds already: the input (the data
    /// passed on unchanged) or the data after ResultPath (no OutputPath applied).
    fn output_snapshot(&self, out: &Out, event: &HistoryEvent) -> Option<Snapshot> {
        if !self.record {
            return None;
        }
        match out {
            Out::Same => Some(Arc::clone(&event.input)),
            Out::New(_) => event.output.clone(),
        }
    }

    /// A copy of `v` for the step's event when recording.
    fn keep(&self, v: &Value) -> Option<Snapshot> {
        self.record.then(|| Arc::new(v.clone()))
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
        self.definition.value()
    }

    /// The flow's original input (what a retry restarts with); `null` when the settings
    /// allow no retry (it is not kept).
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// The attempt running now (1, then 2.. after retries).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// How many attempts a flow gets at most (the first and its retries).
    pub fn max_attempts(&self) -> u32 {
        self.settings.retries + 1
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
        self.definition.value().pointer(&format!(
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
                self.check_data = true;
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
        if self.definition.value().pointer(&pointer).is_none() {
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
        let compiled = Compiled::new(definition)?;
        let definition = compiled.value();
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
        self.definition = compiled;
        self.held = None;
        Ok(())
    }

    /// Steps until the end; returns every event.
    pub fn run(&mut self, actions: &mut dyn ActionExecutor) -> Vec<HistoryEvent> {
        let compiled = Arc::clone(&self.definition);
        let _paths = crate::path::ahead(compiled.paths());
        let mut events = Vec::new();
        while let Some(e) = self.step(actions) {
            events.push(e);
        }
        events
    }

    /// Steps until the end keeping no event; the number of steps taken.
    pub fn run_to_end(&mut self, actions: &mut dyn ActionExecutor) -> usize {
        let compiled = Arc::clone(&self.definition);
        let _paths = crate::path::ahead(compiled.paths());
        let mut steps = 0;
        while self.step(actions).is_some() {
            steps += 1;
        }
        steps
    }

    /// Runs the next state and returns what happened; `None` once the execution has ended.
    pub fn step(&mut self, actions: &mut dyn ActionExecutor) -> Option<HistoryEvent> {
        if self.status != Status::Running {
            return None;
        }
        let compiled = Arc::clone(&self.definition);
        // The definition's paths, parsed when it was compiled, serve this step.
        let _paths = crate::path::ahead(compiled.paths());
        let top = self.frames.last()?;
        let Some((machine, machine_value)) = compiled.machine(&top.machine) else {
            let e = format!("There is no state machine at '{}'", top.machine);
            self.fail(StatesError::runtime(e));
            return None;
        };
        let Some(state) = machine.state(&top.current) else {
            let e = format!("There is no state named '{}'", top.current);
            self.fail(StatesError::runtime(e));
            return None;
        };
        let machine_pointer = top.machine.clone();
        self.transitions += 1;
        let mut event = HistoryEvent {
            state: if self.record {
                state.name.to_string()
            } else {
                String::new()
            },
            state_type: state.kind.type_name(),
            frames: self
                .frames
                .iter()
                .filter_map(|f| f.map.as_ref().map(|m| (m.state.clone(), m.index)))
                .collect(),
            input: event::null(),
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
            if let Some(top) = self.frames.last() {
                event.input = self.keep(&top.data).unwrap_or_else(event::null);
            }
            event.error = Some(e.clone());
            self.fail(e);
            return Some(event);
        }
        // The step owns the data while it runs; the frame gets it back (or its successor).
        let data = self
            .frames
            .last_mut()
            .map(|top| std::mem::take(&mut top.data))
            .unwrap_or_default();
        event.input = self.keep(&data).unwrap_or_else(event::null);
        // (The step's own copy of the frame: the state is `state`, the current name is not
        // needed.)
        let mut frame = Frame {
            machine: machine_pointer,
            current: String::new(),
            data,
            map: None,
        };
        let unchecked = std::mem::take(&mut self.check_data);
        let outcome = match self.settings.payload_limit {
            // Every later state's data is a part of a result checked when it was made.
            Some(limit) if unchecked && dataflow::json_size(&frame.data, limit) > limit => {
                Err(dataflow::too_big(state.name))
            }
            _ => self.run_state(state, machine_value, &frame, &mut event, actions),
        };
        self.held = None;
        match outcome {
            Ok(Flow::Next(next, out)) => {
                event.output = self.output_snapshot(&out, &event);
                let data = out.into_value(&mut frame);
                if event.output.is_none() {
                    event.output = self.keep(&data);
                }
                if let Some(top) = self.frames.last_mut() {
                    // Into the name's own buffer: no allocation on most steps.
                    top.current.clear();
                    top.current.push_str(next);
                    top.data = data;
                }
                if self.record {
                    event.next = Some(next.to_string());
                }
            }
            Ok(Flow::End(out)) => {
                event.output = self.output_snapshot(&out, &event);
                let data = out.into_value(&mut frame);
                if event.output.is_none() {
                    event.output = self.keep(&data);
                }
                self.finish_frame(data, &mut event);
            }
            Ok(Flow::Entered) => {
                // The Map's frame stands on this one: give this one its data back.
                let below = self.frames.len().saturating_sub(2);
                if let Some(parent) = self.frames.get_mut(below) {
                    parent.data = frame.data;
                }
            }
            Err(e) => {
                if let Some(top) = self.frames.last_mut() {
                    top.data = frame.data.clone();
                }
                event.error = Some(e.clone());
                self.handle_error(state, &frame, e, &mut event);
            }
        }
        // Past the flow's time, it timed out, even if this state ended it.
        if let Some(limit) = self.settings.timeout_secs
            && self.time_secs > limit
            && !matches!(self.status, Status::Failed { .. })
        {
            let e = StatesError::fatal(
                "States.Timeout",
                format!("The flow timed out after {limit} seconds"),
            );
            if event.error.is_none() {
                event.error = Some(e.clone());
            }
            self.fail(e);
        }
        Some(event)
    }

    /// Ends the execution as failed with `e` from outside (the process that ran it lost
    /// the run: a crash, a deadline). Nothing when it has ended already.
    pub fn abort(&mut self, e: StatesError) {
        if self.status == Status::Running {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: StatesError) {
        self.status = Status::Failed {
            error: e.error,
            cause: e.cause,
        };
    }

    fn run_state<'a>(
        &mut self,
        state: &State<'a>,
        machine_value: &Value,
        frame: &Frame,
        event: &mut HistoryEvent,
        actions: &mut dyn ActionExecutor,
    ) -> Result<Flow<'a>, StatesError> {
        let effective = self.input_path(state, &frame.data)?;
        event.after_input_path = match &effective {
            // The data itself: the same snapshot as the input.
            std::borrow::Cow::Borrowed(_) if self.record => Some(Arc::clone(&event.input)),
            _ => self.keep(&effective),
        };
        let step = Step {
            state,
            machine_value,
            frame,
            effective,
        };
        match &state.kind {
            StateKind::Pass { result } => self.run_pass(&step, *result, event),
            StateKind::Action { action_name } => {
                self.run_action(&step, *action_name, event, actions)
            }
            StateKind::Choice { choices, default } => {
                self.run_choice(&step, choices.as_deref(), *default)
            }
            StateKind::Wait {
                seconds,
                seconds_path,
                ..
            } => self.run_wait(&step, *seconds, *seconds_path),
            StateKind::Succeed { message } => self.run_succeed(&step, *message, event),
            StateKind::Fail { error, cause } => self.run_fail(&step, *error, *cause),
            StateKind::Map { items_path, .. } => self.run_map(&step, *items_path, event),
            StateKind::Task { .. } | StateKind::Parallel { .. } | StateKind::Unknown => {
                Err(StatesError::runtime(format!(
                    "{} states are not supported",
                    state.kind.type_name()
                )))
            }
        }
    }
}

/// Where a state's step leads.
enum Flow<'a> {
    Next(&'a str, Out),
    End(Out),
    Entered,
}

/// A state's output: new data, or the data the step was given, unchanged (moved on, not
/// copied).
enum Out {
    Same,
    New(Value),
}

impl From<Value> for Out {
    fn from(v: Value) -> Self {
        Out::New(v)
    }
}

impl Out {
    /// The output data, taking the step's data when it is unchanged.
    fn into_value(self, frame: &mut Frame) -> Value {
        match self {
            Out::Same => std::mem::take(&mut frame.data),
            Out::New(v) => v,
        }
    }
}

/// The state a step runs, for the code of each state type.
struct Step<'s, 'a> {
    state: &'s State<'a>,
    /// The JSON of the state machine the state belongs to.
    machine_value: &'s Value,
    /// The frame the step runs in (`data` is `$` before the state).
    frame: &'s Frame,
    /// `$` after InputPath.
    effective: std::borrow::Cow<'s, Value>,
}

impl<'a> Step<'_, 'a> {
    /// `$` before the state.
    fn data(&self) -> &Value {
        &self.frame.data
    }

    /// The state's JSON object.
    fn raw(&self) -> Option<&Value> {
        self.machine_value
            .get("States")
            .and_then(|st| st.get(self.state.name))
    }

    /// On to `Next`, or the end of the machine.
    fn next_or_end(&self, out: impl Into<Out>) -> Flow<'a> {
        match self.state.next {
            Some(n) => Flow::Next(n, out.into()),
            None => Flow::End(out.into()),
        }
    }

    /// Whether `$` after InputPath is the step's data itself (no InputPath applied).
    fn effective_is_data(&self) -> bool {
        matches!(self.effective, std::borrow::Cow::Borrowed(_))
    }
}
