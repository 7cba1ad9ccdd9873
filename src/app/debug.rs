//! The debugger's session, with no egui in it: an execution of the shown flow on an event,
//! stepped on worker threads (actions may call HTTP), with a snapshot of the execution
//! before every step so any step can be revisited, stepped back to, or forked from with
//! edited data. Breakpoints (on states, on any error, on a transition count) and action mocks
//! (a status, an error or a body per action, optionally per attempt) live in the bundle's
//! sidecar.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use zis_engine::actions::Builtins;
use zis_engine::run::StatesError;
use zis_engine::run::execution::{
    ActionExecutor, Execution, HistoryEvent, Phase, PhaseStop, Status,
};
use zis_services::catalog::{self, Account};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};
use zis_services::http::{Exchange, HttpActions};
use zis_services::stores::DbStores;

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

/// What a mocked action does instead of running.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mock {
    /// The action's full name (`zis:common:action:LoadConfig`, `zis:acme:action:post`).
    pub action: String,
    /// Only this attempt of the flow (1 is the first); every attempt when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// What it does.
    pub outcome: MockOutcome,
}

/// A mock's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MockOutcome {
    /// Fails as a non-2xx answer would (`States.TaskFailed`, retryable for 5xx and 429).
    Status(u16),
    /// Fails with this error name and cause.
    Error {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
    },
    /// Succeeds with this body.
    Body(Value),
}

/// Actions with mocks in front: a mocked action never reaches the real one.
struct Mocked<'a> {
    mocks: &'a [Mock],
    attempt: u32,
    inner: &'a mut dyn ActionExecutor,
}

impl ActionExecutor for Mocked<'_> {
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError> {
        let mock = self
            .mocks
            .iter()
            .find(|m| m.action == action && m.attempt.is_none_or(|a| a == self.attempt));
        match mock.map(|m| &m.outcome) {
            Some(MockOutcome::Status(code)) => Err(StatesError::http_status(*code)),
            Some(MockOutcome::Error { error, cause }) => {
                Err(StatesError::named(error.clone(), cause.clone()))
            }
            Some(MockOutcome::Body(body)) => Ok(body.clone()),
            None => self.inner.execute(action, parameters),
        }
    }
}

/// One step taken: the execution as it was before it, what it did, and the HTTP calls it
/// made.
#[derive(Clone, Debug)]
pub struct Step {
    /// The execution before this step (restore it to step back or fork from here).
    pub before: Execution,
    /// What the step did.
    pub event: HistoryEvent,
    /// HTTP requests and answers of this step, secrets masked.
    pub http: Vec<Exchange>,
    /// Wall-clock milliseconds the step took here (actions and HTTP included).
    pub millis: f64,
}

/// How far a worker should go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Go {
    /// One state (a state inside a Map is a step).
    Step,
    /// One state at this level: a Map runs through its iterations.
    StepOver,
    /// Until a breakpoint or the end.
    Continue,
    /// Out of the Map iteration the next state is in: until the Map has run its items (at
    /// the top level, like Continue).
    StepOut,
}

/// A stop inside a step (a phase breakpoint): the step so far and the HTTP calls made
/// on the way to it.
#[derive(Clone, Debug)]
pub struct Partial {
    /// The phase and the step up to it.
    pub stop: PhaseStop,
    /// HTTP exchanges made before the stop (the action's call, for stops after it).
    pub http: Vec<Exchange>,
}

/// What a worker sends back, as it goes: each step when it is done (so the timeline grows
/// live and a Pause can keep what is done), then the end.
#[derive(Debug)]
pub enum Msg {
    /// A step and the execution after it.
    Step(Box<Step>, Box<Execution>),
    /// The worker stopped.
    Done {
        /// The execution now.
        after: Box<Execution>,
        /// Why it stopped, when a breakpoint did it.
        stopped_by: Option<String>,
        /// It stopped inside the next step.
        partial: Option<Box<Partial>>,
    },
}

/// How long Pause waits for the step at work before abandoning it.
pub const PAUSE_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// Everything a worker needs to run steps.
#[derive(Clone, Debug)]
pub struct Env {
    /// The data folder's database file.
    pub db_path: PathBuf,
    /// The bundle (for custom actions).
    pub bundle: Value,
    /// The integration the flow runs for.
    pub integration: String,
    /// The flow's key (breakpoints are by flow).
    pub flow: String,
    /// Mocks in force.
    pub mocks: Vec<Mock>,
    /// Breakpoints in force.
    pub breakpoints: Breakpoints,
    /// Set to stop after the step at work (Pause).
    pub pause: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// A debugging session on one flow and one event.
#[derive(Debug)]
pub struct Session {
    /// The flow's resource key.
    pub flow: String,
    /// The event, e.g. `support/ticket.TicketCreated`.
    pub event: String,
    /// The integration the flow runs for.
    pub integration: String,
    /// The flow's input (the ZIS envelope around the event).
    pub input: Value,
    /// The event's payload (what a re-run sends again).
    pub payload: Value,
    /// Steps taken so far.
    pub steps: Vec<Step>,
    /// The execution now (paused before its next state, or ended).
    pub now: Execution,
    /// The step whose data is shown (the last one by default).
    pub selected: Option<usize>,
    /// A worker at work.
    pub busy: Option<Receiver<Msg>>,
    /// Why the last run stopped (a breakpoint), for the status line.
    pub stopped_by: Option<String>,
    /// The bundle value the steps were taken on (steps taken before a later edit are stale).
    pub bundle: Value,
    /// The session's end has been written to the store's executions.
    pub recorded: bool,
    /// Pause: the worker stops after the step at work.
    pub pause: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Paused inside the next step, at a phase.
    pub partial: Option<Partial>,
    /// When Pause was asked for while a worker ran.
    pub pause_asked: Option<std::time::Instant>,
}

use super::run::trigger_of;

impl Session {
    /// Starts a session on the flow `flow_key` of `bundle` with the event `source/type`'s
    /// catalog sample, or `payload` when given. The database gives connection tokens.
    pub fn start(
        db_path: &std::path::Path,
        bundle: &Value,
        flow_key: &str,
        event: Option<(String, String)>,
        payload: Option<Value>,
    ) -> Result<Self, String> {
        Self::start_with(
            db_path,
            bundle,
            flow_key,
            event,
            payload,
            DispatchSettings::default().engine,
        )
    }

    /// [`Session::start`] with the engine's settings given (e.g. `real_time_wait`).
    pub fn start_with(
        db_path: &std::path::Path,
        bundle: &Value,
        flow_key: &str,
        event: Option<(String, String)>,
        payload: Option<Value>,
        engine: zis_engine::run::execution::Settings,
    ) -> Result<Self, String> {
        let definition = bundle
            .pointer(&format!(
                "/resources/{}/properties/definition",
                zis_engine::json::pointer::escape(flow_key)
            ))
            .cloned()
            .ok_or_else(|| format!("{flow_key} has no definition"))?;
        let trigger = trigger_of(bundle, flow_key);
        let integration = trigger
            .as_ref()
            .map_or_else(|| "local".to_string(), |t| t.0.clone());
        let (source, event_type) = event
            .or_else(|| trigger.map(|t| (t.1, t.2)))
            .unwrap_or_else(|| ("support".into(), "ticket.TicketCreated".into()));
        let payload = payload.unwrap_or_else(|| {
            catalog::find(&source, &event_type)
                .map(catalog::sample_input)
                .unwrap_or_else(|| json!({}))
        });
        let input = match Db::open(db_path) {
            Ok(db) => dispatch::flow_input(&db, &Account::default(), &integration, &payload)
                .unwrap_or_else(|_| catalog::envelope(&Account::default(), payload.clone())),
            Err(_) => catalog::envelope(&Account::default(), payload.clone()),
        };
        let now = Execution::new(definition, input.clone(), engine)
            .map_err(|e| format!("{}: {}", e.error, e.cause))?;
        Ok(Self {
            flow: flow_key.to_string(),
            event: format!("{source}/{event_type}"),
            integration,
            input,
            payload,
            steps: Vec::new(),
            now,
            selected: None,
            busy: None,
            stopped_by: None,
            bundle: bundle.clone(),
            recorded: false,
            pause: std::sync::Arc::default(),
            partial: None,
            pause_asked: None,
        })
    }

    /// Writes an ended session to the store's executions (secrets masked), off the UI
    /// thread, so the executions list has the window's runs too.
    pub fn record(&mut self, db_path: &std::path::Path) {
        if self.recorded || self.now.status() == &Status::Running {
            return;
        }
        self.recorded = true;
        let (source, event_type) = self
            .event
            .split_once('/')
            .map_or(("local".to_string(), self.event.clone()), |(a, b)| {
                (a.to_string(), b.to_string())
            });
        let flow_name = self
            .bundle
            .pointer(&format!(
                "/resources/{}/properties/name",
                zis_engine::json::pointer::escape(&self.flow)
            ))
            .and_then(Value::as_str)
            .unwrap_or(&self.flow)
            .to_string();
        let spec = zis_services::db::JobSpecRow {
            name: format!("zis:{}:job_spec:(ZIS Studio window)", self.integration),
            integration: self.integration.clone(),
            uuid: String::new(),
            bundle_uuid: String::new(),
            event_source: source,
            event_type: event_type.clone(),
            flow_name: format!("zis:{}:flow:{flow_name}", self.integration),
            description: "run from the ZIS Studio window".into(),
            installed: false,
        };
        let history: Vec<&HistoryEvent> = self.steps.iter().map(|s| &s.event).collect();
        let history = serde_json::to_value(history).unwrap_or(Value::Null);
        let status = self.now.status().clone();
        let attempts = self.now.attempt();
        let path = db_path.to_path_buf();
        let payload = self.payload.clone();
        std::thread::spawn(move || {
            let Ok(db) = Db::open(&path) else { return };
            let secrets = db.secrets(&spec.integration).unwrap_or_default();
            let history = Db::redact(&history, &secrets);
            // The event is kept (as done: the queue never runs it) so the run can be re-run.
            let event_id = db
                .record_event(
                    Some(&spec.integration),
                    &spec.event_source,
                    &event_type,
                    &Db::redact(&payload, &secrets),
                    "window",
                )
                .ok();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            if let Err(e) = db.store_execution(
                event_id,
                &spec,
                &event_type,
                &status,
                &history,
                attempts,
                now,
                0.0,
            ) {
                tracing::warn!("cannot record the window's run: {e}");
            }
        });
    }

    /// Sends the worker off; the reply is read by [`Session::poll`].
    pub fn go(&mut self, how: Go, mut env: Env) {
        if self.busy.is_some() || self.now.status() != &Status::Running {
            return;
        }
        // A fresh flag per worker: one abandoned by Pause keeps its own, set, and stops
        // after the step it is stuck in.
        self.pause = std::sync::Arc::default();
        self.pause_asked = None;
        env.pause = self.pause.clone();
        let (tx, rx) = channel();
        let exec = self.now.clone();
        // Continuing from a breakpoint must not stop at it again at once.
        let first = self.now.next_state().map(|(s, _)| s.to_string());
        let resumed = self.partial.as_ref().map(|p| p.stop.phase);
        std::thread::spawn(move || work(exec, how, &env, first, resumed, &tx));
        self.busy = Some(rx);
    }

    /// Pause: the worker stops after the step at work; a step that takes longer than
    /// [`PAUSE_GRACE`] (a slow HTTP call, a real-time Wait) is abandoned, and the session
    /// stays before it.
    pub fn request_pause(&mut self) {
        self.pause.store(true, std::sync::atomic::Ordering::Relaxed);
        if self.busy.is_some() {
            self.pause_asked = Some(std::time::Instant::now());
        }
    }

    /// Takes the worker's steps as they come; true while one is at work.
    pub fn poll(&mut self) -> bool {
        loop {
            let Some(rx) = &self.busy else { return false };
            match rx.try_recv() {
                Ok(Msg::Step(mut step, after)) => {
                    // The step a phase stop was inside keeps the HTTP calls made before it.
                    if let Some(old) = self.partial.take() {
                        let mut http = old.http;
                        http.append(&mut step.http);
                        step.http = http;
                    }
                    self.steps.push(*step);
                    self.now = *after;
                    self.selected = self.steps.len().checked_sub(1);
                }
                Ok(Msg::Done {
                    after,
                    stopped_by,
                    mut partial,
                }) => {
                    if let (Some(old), Some(p)) = (self.partial.take(), &mut partial)
                        && old.stop.event.state == p.stop.event.state
                    {
                        let mut http = old.http;
                        http.append(&mut p.http);
                        p.http = http;
                    }
                    self.partial = partial.map(|p| *p);
                    self.now = *after;
                    self.stopped_by = stopped_by;
                    self.selected = self.steps.len().checked_sub(1);
                    self.busy = None;
                    self.pause_asked = None;
                    return false;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    if self.pause_asked.is_some_and(|t| t.elapsed() >= PAUSE_GRACE) {
                        // The worker is stuck in one step: leave it (its flag stays set, so
                        // it stops after that step; what it sends goes nowhere).
                        self.busy = None;
                        self.pause_asked = None;
                        self.stopped_by = Some(format!(
                            "paused: the step in {} was abandoned (an HTTP call in flight may still reach its server)",
                            self.now.next_state().map_or("?", |(s, _)| s)
                        ));
                        return false;
                    }
                    return true;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.busy = None;
                    return false;
                }
            }
        }
    }

    /// Waits for the worker (tests and the command line).
    pub fn wait(&mut self) {
        while self.poll() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Goes back one step: the execution is as it was before the last step.
    pub fn step_back(&mut self) {
        if self.busy.is_some() {
            return;
        }
        // Inside a step: back to before its state.
        if self.partial.take().is_some() {
            self.now.clear_held();
            self.stopped_by = None;
            return;
        }
        if let Some(step) = self.steps.pop() {
            self.now = step.before;
            self.stopped_by = None;
            self.selected = self.steps.len().checked_sub(1);
        }
    }

    /// Goes back to just before step `i` (a fork point); later steps are dropped.
    pub fn rewind_to(&mut self, i: usize) {
        if self.busy.is_some() || i >= self.steps.len() {
            return;
        }
        self.now = self.steps[i].before.clone();
        self.partial = None;
        self.steps.truncate(i);
        self.selected = i.checked_sub(1);
        self.stopped_by = None;
    }

    /// Skips the Choice the session is paused before and goes to `target` (one of its
    /// branches): recorded as a step whose `next` is the forced target.
    pub fn force(&mut self, target: &str) -> Result<(), String> {
        if self.busy.is_some() {
            return Err("a step is running".into());
        }
        let (state, data) = match self.now.next_state() {
            Some((s, d)) => (s.to_string(), d.clone()),
            None => return Err("the execution has ended".into()),
        };
        self.partial = None;
        let before = self.now.clone();
        self.now
            .jump_to(target)
            .map_err(|e| format!("{}: {}", e.error, e.cause))?;
        let last = self.steps.last().map(|s| &s.event);
        let event = HistoryEvent {
            state: state.clone(),
            state_type: "Choice".into(),
            frames: last.map(|e| e.frames.clone()).unwrap_or_default(),
            input: data.clone(),
            after_input_path: None,
            after_parameters: None,
            result: None,
            after_result_selector: None,
            after_result_path: None,
            output: Some(data),
            next: Some(target.to_string()),
            error: None,
            caught: false,
            transitions: last.map_or(1, |e| e.transitions + 1),
            time_secs: last.map_or(0.0, |e| e.time_secs),
            attempt: self.now.attempt(),
            retried: false,
        };
        self.steps.push(Step {
            before,
            event,
            http: Vec::new(),
            millis: 0.0,
        });
        self.selected = Some(self.steps.len() - 1);
        self.stopped_by = Some(format!("forced {state} -> {target}"));
        Ok(())
    }

    /// Replaces the data the next state gets (a fork with edited data).
    pub fn set_data(&mut self, data: Value) -> Result<(), String> {
        self.partial = None;
        self.now
            .set_data(data)
            .map_err(|e| format!("{}: {}", e.error, e.cause))
    }

    /// Continues on the edited bundle's definition of this flow.
    pub fn set_bundle(&mut self, bundle: &Value) -> Result<(), String> {
        let def = bundle
            .pointer(&format!(
                "/resources/{}/properties/definition",
                zis_engine::json::pointer::escape(&self.flow)
            ))
            .cloned()
            .ok_or_else(|| "the flow is gone from the bundle".to_string())?;
        self.now
            .set_definition(def)
            .map_err(|e| format!("{}: {}", e.error, e.cause))?;
        self.bundle = bundle.clone();
        Ok(())
    }

    /// Replaces the action's answer held at a phase stop after the result: the step goes
    /// on with this result instead.
    pub fn set_held_result(&mut self, result: Value) -> Result<(), String> {
        self.now
            .set_held_result(result.clone())
            .map_err(|e| format!("{}: {}", e.error, e.cause))?;
        if let Some(p) = &mut self.partial {
            p.stop.event.result = Some(result);
            p.stop.event.error = None;
            p.stop.event.after_result_path = None;
            if p.stop.phase > Phase::AfterResult {
                p.stop.phase = Phase::AfterResult;
            }
        }
        Ok(())
    }

    /// How it stands.
    pub fn status(&self) -> &Status {
        self.now.status()
    }

    /// The state the next step runs, while paused.
    pub fn next_state(&self) -> Option<&str> {
        self.now.next_state().map(|(s, _)| s)
    }

    /// The data the next step gets, while paused.
    pub fn next_data(&self) -> Option<&Value> {
        self.now.next_state().map(|(_, d)| d)
    }

    /// Visits per state (top level and inside Maps, by state name).
    pub fn visits(&self) -> HashMap<String, usize> {
        let mut v = HashMap::new();
        for s in &self.steps {
            *v.entry(s.event.state.clone()).or_insert(0) += 1;
        }
        v
    }

    /// The integration-log entries ZIS would write for this run (zis-facts.md 2.8, 8):
    /// Succeed is an info entry with its Message (or "Execution Successful"), a failure an
    /// error entry with its Cause. Empty while running.
    pub fn log_lines(&self) -> Vec<(&'static str, String)> {
        match self.now.status() {
            Status::Running => Vec::new(),
            Status::Succeeded { .. } => {
                let message = self
                    .steps
                    .last()
                    .filter(|s| s.event.state_type == "Succeed")
                    .and_then(|s| s.event.result.as_ref())
                    .map(|m| match m {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_else(|| "Execution Successful".into());
                vec![("info", message)]
            }
            Status::Failed { error, cause } => vec![("error", format!("{error}: {cause}"))],
        }
    }

    /// Wall-clock milliseconds spent in each state (by name), summed over its visits.
    pub fn durations(&self) -> HashMap<String, f64> {
        let mut d = HashMap::new();
        for s in &self.steps {
            *d.entry(s.event.state.clone()).or_insert(0.0) += s.millis;
        }
        d
    }

    /// True when the bundle changed since the steps were taken (their results are stale).
    pub fn stale(&self, bundle: &Value) -> bool {
        let path = format!(
            "/resources/{}/properties/definition",
            zis_engine::json::pointer::escape(&self.flow)
        );
        self.bundle.pointer(&path) != bundle.pointer(&path)
    }
}

/// The key breakpoints of the next state are kept under: the flow's, or for a state inside
/// a Map's iterator the flow's and the Map states' names (`flow/Each`), as the graph of that
/// iterator keys them.
fn graph_key(flow: &str, exec: &Execution) -> String {
    let mut key = flow.to_string();
    for m in exec.map_path() {
        key.push('/');
        key.push_str(m);
    }
    key
}

/// The config store, the link store and PatchConfig's semantics of a worker.
type Stores<'d> = (DbStores<'d>, DbStores<'d>, zis_engine::actions::MergeMode);

/// Calls `f` with the worker's actions: the built-ins over the stores and the bundle's HTTP
/// actions, behind the mocks for this attempt.
fn with_actions<R>(
    stores: &mut Stores<'_>,
    http: &mut HttpActions<'_>,
    env: &Env,
    attempt: u32,
    f: impl FnOnce(&mut dyn ActionExecutor) -> R,
) -> R {
    let (configs, links, merge) = stores;
    let mut builtins = Builtins {
        configs,
        links,
        custom: http,
        merge: *merge,
    };
    let mut actions = Mocked {
        mocks: &env.mocks,
        attempt,
        inner: &mut builtins,
    };
    f(&mut actions)
}

/// Runs steps on this thread with the data folder's stores and real HTTP.
fn work(
    mut exec: Execution,
    how: Go,
    env: &Env,
    first: Option<String>,
    resumed: Option<Phase>,
    tx: &std::sync::mpsc::Sender<Msg>,
) {
    let done = |after: Execution, stopped_by: Option<String>, partial: Option<Partial>| {
        let _ = tx.send(Msg::Done {
            after: Box::new(after),
            stopped_by,
            partial: partial.map(Box::new),
        });
    };
    let mut taken = 0usize;
    let db = match Db::open(&env.db_path) {
        Ok(db) => db,
        Err(e) => {
            done(
                exec,
                Some(format!("cannot open the data folder's database: {e}")),
                None,
            );
            return;
        }
    };
    let settings = DispatchSettings::default();
    let mut http = match HttpActions::new(&db, &env.integration, &env.bundle, settings.http) {
        Ok(h) => h,
        Err(e) => {
            done(exec, Some(format!("{}: {}", e.error, e.cause)), None);
            return;
        }
    };
    let mut stores = (
        DbStores {
            db: &db,
            integration: env.integration.clone(),
        },
        DbStores {
            db: &db,
            integration: env.integration.clone(),
        },
        settings.merge,
    );
    let mut stopped_by = None;
    let mut partial = None;
    let out_of = exec.map_path().len();
    let mut depth = None;
    'steps: loop {
        // Phase breakpoints of the next state: stop inside its step.
        let next = exec.next_state().map(|(s, _)| s.to_string());
        for phase in next
            .as_deref()
            .map(|n| {
                env.breakpoints
                    .active_phases(&graph_key(&env.flow, &exec), n)
            })
            .unwrap_or_default()
        {
            if taken == 0 && resumed.is_some_and(|r| phase <= r) {
                continue;
            }
            let seen = http.exchanges.len();
            let attempt = exec.attempt();
            let stop = with_actions(&mut stores, &mut http, env, attempt, |actions| {
                exec.step_to(phase, actions)
            });
            if let Some(stop) = stop {
                stopped_by = Some(format!(
                    "breakpoint in {}, {}",
                    stop.event.state,
                    phase.label()
                ));
                partial = Some(Partial {
                    stop,
                    http: http.exchanges[seen..].to_vec(),
                });
                break 'steps;
            }
        }
        let before = exec.clone();
        let seen = http.exchanges.len();
        let clock = std::time::Instant::now();
        let attempt = exec.attempt();
        let event = with_actions(&mut stores, &mut http, env, attempt, |actions| {
            exec.step(actions)
        });
        let Some(event) = event else { break };
        let level = event.frames.len();
        let errored = event.error.is_some();
        let transitions = event.transitions;
        let step = Step {
            before,
            event,
            http: http.exchanges[seen..].to_vec(),
            millis: clock.elapsed().as_secs_f64() * 1000.0,
        };
        taken += 1;
        if tx
            .send(Msg::Step(Box::new(step), Box::new(exec.clone())))
            .is_err()
        {
            return;
        }
        if exec.status() != &Status::Running {
            break;
        }
        if errored && env.breakpoints.on_error && !env.breakpoints.all_off {
            stopped_by = Some("an error".into());
            break;
        }
        if env.breakpoints.at_transition == Some(transitions) && !env.breakpoints.all_off {
            stopped_by = Some(format!("transition {transitions}"));
            break;
        }
        if env.pause.load(std::sync::atomic::Ordering::Relaxed) {
            stopped_by = Some("paused".into());
            break;
        }
        if let Some((_, data)) = exec.next_state()
            && let Some(c) = condition_met(&env.breakpoints.active_conditions(), data)
        {
            stopped_by = Some(format!("condition {c}"));
            break;
        }
        match how {
            Go::Step => break,
            Go::StepOver => {
                let start = *depth.get_or_insert(level);
                if level <= start {
                    break;
                }
            }
            Go::Continue => {}
            Go::StepOut => {
                if out_of > 0 && exec.map_path().len() < out_of {
                    break;
                }
            }
        }
        if let Some(next) = exec.next_state().map(|(s, _)| s.to_string())
            && env
                .breakpoints
                .stops_at(&graph_key(&env.flow, &exec), &next)
            && (taken > 1
                || Some(&next) != first.as_ref()
                || !matches!(how, Go::Continue | Go::StepOut))
        {
            stopped_by = Some(format!("breakpoint on {next}"));
            break;
        }
    }
    done(exec, stopped_by, partial);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Value {
        json!({"name": "t", "resources": {
            "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
                "StartAt": "A", "States": {
                    "A": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.a", "Next": "Load"},
                    "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                             "Parameters": {"scope": "s"}, "ResultPath": "$.cfg", "Next": "B",
                             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
                    "B": {"Type": "Pass", "End": true},
                    "Caught": {"Type": "Fail", "Error": "Caught", "Cause": "mocked"}}}}},
            "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "event_source": "support",
                  "event_type": "ticket.TicketCreated", "flow_name": "zis:t:flow:f"}}}})
    }

    fn env(dir: &std::path::Path) -> Env {
        Env {
            db_path: dir.join("zis-studio.sqlite"),
            bundle: bundle(),
            integration: "t".into(),
            flow: "f".into(),
            mocks: Vec::new(),
            breakpoints: Breakpoints::default(),
            pause: std::sync::Arc::default(),
        }
    }

    #[test]
    fn steps_back_forks_and_stops_at_breakpoints() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
        assert_eq!(s.event, "support/ticket.TicketCreated");
        assert_eq!(s.next_state(), Some("A"));
        s.go(Go::Step, env(dir.path()));
        s.wait();
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.next_state(), Some("Load"));
        assert_eq!(s.next_data().unwrap()["a"], json!({"n": 1}));
        // Step back, fork with edited data.
        s.step_back();
        assert_eq!(s.next_state(), Some("A"));
        s.set_data(json!({"edited": true})).unwrap();
        let mut e = env(dir.path());
        e.breakpoints.toggle("f", "B");
        e.mocks.push(Mock {
            action: "zis:common:action:LoadConfig".into(),
            attempt: None,
            outcome: MockOutcome::Body(json!({"config": {"x": 1}})),
        });
        s.go(Go::Continue, e.clone());
        s.wait();
        assert_eq!(s.stopped_by.as_deref(), Some("breakpoint on B"));
        assert_eq!(s.next_data().unwrap()["edited"], true);
        assert_eq!(s.next_data().unwrap()["cfg"], json!({"config": {"x": 1}}));
        // Continuing from the breakpoint goes on to the end.
        s.go(Go::Continue, e);
        s.wait();
        assert!(
            matches!(s.status(), Status::Succeeded { .. }),
            "{:?}",
            s.status()
        );
        assert_eq!(s.visits()["A"], 1);
    }

    #[test]
    fn forcing_a_branch_skips_the_choice() {
        let bundle = json!({"name": "t", "resources": {
            "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
                "StartAt": "C", "States": {
                    "C": {"Type": "Choice", "Choices": [
                        {"Variable": "$.x", "IsPresent": true, "Next": "Yes"}], "Default": "No"},
                    "Yes": {"Type": "Succeed"},
                    "No": {"Type": "Fail", "Error": "No", "Cause": "default"}}}}}}});
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Session::start(&db, &bundle, "f", None, None).unwrap();
        assert!(s.force("Nowhere").is_err());
        s.force("Yes").unwrap();
        assert_eq!(s.next_state(), Some("Yes"));
        assert_eq!(s.steps[0].event.next.as_deref(), Some("Yes"));
        let mut e = env(dir.path());
        e.bundle = bundle;
        s.go(Go::Continue, e);
        s.wait();
        assert!(matches!(s.status(), Status::Succeeded { .. }));
        // Stepping back undoes the forced step too.
        s.step_back();
        s.step_back();
        assert_eq!(s.next_state(), Some("C"));
    }

    #[test]
    fn conditions_stop_and_the_log_says_how_it_ended() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
        let mut e = env(dir.path());
        e.breakpoints.conditions = vec![json!({"Variable": "$.a.n", "NumericEquals": 1})];
        e.mocks.push(Mock {
            action: "zis:common:action:LoadConfig".into(),
            attempt: None,
            outcome: MockOutcome::Body(json!({})),
        });
        s.go(Go::Continue, e.clone());
        s.wait();
        assert_eq!(s.next_state(), Some("Load"), "{:?}", s.stopped_by);
        assert!(s.stopped_by.as_deref().unwrap().starts_with("condition"));
        assert!(s.log_lines().is_empty());
        // Switched off, it is kept but does not stop.
        let id = Breakpoints::condition_id(&e.breakpoints.conditions[0]);
        e.breakpoints.set_enabled(&id, false);
        assert!(e.breakpoints.active_conditions().is_empty());
        assert_eq!(e.breakpoints.conditions.len(), 1);
        e.breakpoints.set_enabled(&id, true);
        e.breakpoints.all_off = true;
        assert!(e.breakpoints.active_conditions().is_empty());
        e.breakpoints.all_off = false;
        e.breakpoints.conditions.clear();
        s.go(Go::Continue, e);
        s.wait();
        assert_eq!(
            s.log_lines(),
            vec![("info", "Execution Successful".to_string())]
        );
    }

    #[test]
    fn a_mocked_error_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
        let mut e = env(dir.path());
        e.mocks.push(Mock {
            action: "zis:common:action:LoadConfig".into(),
            attempt: None,
            outcome: MockOutcome::Status(503),
        });
        e.breakpoints.on_error = true;
        s.go(Go::Continue, e.clone());
        s.wait();
        assert_eq!(s.stopped_by.as_deref(), Some("an error"));
        let last = &s.steps.last().unwrap().event;
        assert_eq!(last.state, "Load");
        assert!(last.caught);
        assert_eq!(s.next_state(), Some("Caught"));
        e.breakpoints.on_error = false;
        s.go(Go::Continue, e);
        s.wait();
        assert_eq!(
            s.status(),
            &Status::Failed {
                error: "Caught".into(),
                cause: "mocked".into()
            }
        );
    }

    #[test]
    fn pause_abandons_a_step_that_takes_too_long_and_keeps_the_steps_before() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut b = bundle();
        b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "Sleep"},
            "Sleep": {"Type": "Wait", "Seconds": 30, "Next": "B"},
            "B": {"Type": "Succeed"}}});
        let mut settings = DispatchSettings::default().engine;
        settings.real_time_wait = true;
        let mut s = Session::start_with(&db, &b, "f", None, None, settings).unwrap();
        let mut e = env(dir.path());
        e.bundle = b;
        s.go(Go::Continue, e.clone());
        // The first step arrives while the worker sleeps in the Wait.
        let started = std::time::Instant::now();
        while s.steps.is_empty() {
            assert!(s.poll(), "the worker ended early");
            assert!(started.elapsed().as_secs() < 10, "no step came");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(s.next_state(), Some("Sleep"));
        s.request_pause();
        s.wait();
        assert!(
            started.elapsed().as_secs() < 10,
            "Pause waited for the 30 s Wait"
        );
        assert_eq!(s.steps.len(), 1);
        assert_eq!(
            s.next_state(),
            Some("Sleep"),
            "the session stays before the Wait"
        );
        assert!(
            s.stopped_by
                .as_deref()
                .unwrap_or_default()
                .contains("Sleep was abandoned"),
            "{:?}",
            s.stopped_by
        );
        assert!(s.busy.is_none());
    }

    #[test]
    fn breakpoints_inside_a_map_iterator_stop_there() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut b = bundle();
        b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.out", "End": true,
                     "Iterator": {"StartAt": "Double", "States": {
                         "Double": {"Type": "Pass", "Result": 2, "ResultPath": "$.d", "End": true}}}}}});
        let payload = json!({"items": [{"n": 1}, {"n": 2}]});
        let mut s = Session::start(&db, &b, "f", None, Some(payload)).unwrap();
        let mut e = env(dir.path());
        e.bundle = b;
        // Keyed as the iterator's graph keys them.
        e.breakpoints.toggle("f/Each", "Double");
        s.go(Go::Continue, e.clone());
        s.wait();
        assert_eq!(s.stopped_by.as_deref(), Some("breakpoint on Double"));
        assert_eq!(s.steps.len(), 1);
        // A phase stop there too, after the first item's step.
        e.breakpoints.toggle("f/Each", "Double");
        e.breakpoints
            .toggle_phase("f/Each", "Double", Phase::AfterResultPath);
        s.go(Go::Continue, e.clone());
        s.wait();
        assert!(s.partial.is_some(), "{:?}", s.stopped_by);
        // The same names at the top level do not stop inside.
        let mut top = e.clone();
        top.breakpoints = Breakpoints::default();
        top.breakpoints.toggle("f", "Double");
        s.go(Go::Continue, top);
        s.wait();
        assert!(
            matches!(s.status(), Status::Succeeded { .. }),
            "{:?}",
            s.status()
        );
    }

    #[test]
    fn step_out_runs_the_rest_of_a_map() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut b = bundle();
        b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.out", "Next": "After",
                     "Iterator": {"StartAt": "One", "States": {
                         "One": {"Type": "Pass", "Next": "Two"},
                         "Two": {"Type": "Pass", "End": true}}}},
            "After": {"Type": "Succeed"}}});
        let payload = json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}]});
        let mut s = Session::start(&db, &b, "f", None, Some(payload)).unwrap();
        let mut e = env(dir.path());
        e.bundle = b;
        // Into the Map, then its first state.
        s.go(Go::Step, e.clone());
        s.wait();
        s.go(Go::Step, e.clone());
        s.wait();
        assert_eq!(s.now.map_path(), ["Each"]);
        assert_eq!(s.next_state(), Some("Two"));
        // Out: the rest of the three items, then paused before After at the top level.
        s.go(Go::StepOut, e.clone());
        s.wait();
        assert_eq!(s.next_state(), Some("After"));
        assert!(s.now.map_path().is_empty());
        assert_eq!(s.steps.len(), 1 + 3 * 2);
        // At the top level it runs to the end.
        s.go(Go::StepOut, e);
        s.wait();
        assert!(matches!(s.status(), Status::Succeeded { .. }));
    }
}
