//! The resumable stepper: an execution of a flow advances one state per [`Execution::step`]
//! and returns a typed [`HistoryEvent`]; [`Execution::run`] steps to the end. A Map's
//! iterations are steps too. The execution owns its definition and data, so a clone taken
//! after any step is a snapshot to resume from.

use super::StatesError;
use super::{choice, dataflow};
use crate::model::{FlowDefinition, State, StateKind};
use crate::validate::Mode;
use serde::Serialize;
use serde_json::{Value, json};

/// Runs Action states (built-in and custom actions live outside the engine's core loop).
pub trait ActionExecutor {
    /// Runs `action` with its rendered parameters and returns its raw result.
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError>;
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
    /// Transitions so far.
    pub transitions: u32,
    /// Virtual seconds since the start.
    pub time_secs: f64,
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
    definition: Value,
    settings: Settings,
    frames: Vec<Frame>,
    status: Status,
    transitions: u32,
    time_secs: f64,
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
            definition,
            settings,
            frames: vec![Frame {
                machine: String::new(),
                current: start,
                data: input,
                map: None,
            }],
            status: Status::Running,
            transitions: 0,
            time_secs: 0.0,
        })
    }

    /// Where the execution stands.
    pub fn status(&self) -> &Status {
        &self.status
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
                let r = actions.execute(name, &params)?;
                let out = self.finish_result(state, data, r, event)?;
                Ok(next_or_end(out))
            }
            StateKind::Choice { choices, default } => {
                let rules = choices.as_deref().unwrap_or(&[]);
                let next = match choice::first_match(rules, &effective)? {
                    Some(i) => rules.get(i).and_then(|r| r.next),
                    None => *default,
                };
                let next = next.ok_or_else(|| StatesError {
                    error: "States.NoChoiceMatched".into(),
                    cause: "No Matches!".into(),
                })?;
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
                    return Err(StatesError {
                        error: "States.Timeout".into(),
                        cause: format!(
                            "The flow timed out after {limit} seconds (during Wait state '{}')",
                            state.name
                        ),
                    });
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
                        self.settings.missing_placeholder,
                    )?);
                }
                let out = self.output_path(state, &effective)?;
                Ok(Flow::End(out))
            }
            StateKind::Fail { error, cause } => {
                let render = |s: Option<&str>| -> Result<String, StatesError> {
                    match (s, mode) {
                        (Some(s), Mode::Zis) => Ok(dataflow::interpolate(
                            s,
                            &effective,
                            None,
                            self.settings.missing_placeholder,
                        )?
                        .as_str()
                        .unwrap_or_default()
                        .to_string()),
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
                Err(StatesError { error, cause })
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
                Err(e2) => return self.fail(e2),
            }
        }
        // Uncaught: leave a Map iteration and let the Map state handle it.
        if self.frames.len() > 1
            && let Some(map) = self.frames.pop().and_then(|f| f.map)
        {
            let Some(parent) = self.frames.last().cloned() else {
                return self.fail(e);
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
        self.fail(e);
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
