//! The debugger's session, with no egui in it: an execution of the shown flow on an event,
//! stepped on worker threads (actions may call HTTP), with a snapshot of the execution
//! before every step so any step can be revisited, stepped back to, or forked from with
//! edited data. Breakpoints (on states, on any error, on a transition count) and action mocks
//! (a status, an error or a body per action, optionally per attempt) live in the bundle's
//! sidecar.

mod breakpoints;
mod marks;
#[cfg(test)]
mod tests;
mod worker;

pub use breakpoints::{Breakpoints, condition_met};
pub use marks::{Call, Mark, StoreSnapshot};
use worker::work;
pub use zis_services::runner::{Mock, MockOutcome};

/// Why a session refused something.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    /// The flow has no definition in the bundle.
    #[error("{0} has no definition")]
    NoDefinition(String),
    /// A worker is taking a step.
    #[error("a step is running")]
    Busy,
    /// The execution has ended.
    #[error("the execution has ended")]
    Ended,
    /// The engine refused (ZIS's error name and cause).
    #[error("{}: {}", .0.error, .0.cause)]
    Engine(zis_engine::run::StatesError),
}

impl From<zis_engine::run::StatesError> for SessionError {
    fn from(e: zis_engine::run::StatesError) -> Self {
        SessionError::Engine(e)
    }
}

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use zis_engine::run::execution::{Execution, HistoryEvent, Phase, PhaseStop, Status};
use zis_services::catalog::{self, Account};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};
use zis_services::http::Exchange;

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
    /// The action calls it made, each with the mock that answered it if one did.
    pub calls: Vec<Call>,
    /// What the user changed in it ([`Mark`]).
    pub marks: Vec<Mark>,
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
    /// Action calls made before the stop.
    pub calls: Vec<Call>,
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
    /// The worker crashed (a bug): why.
    Crashed(String),
}

/// Runs `job` on a worker thread that reports on the returned channel; a panic in it is
/// caught and reported as [`Msg::Crashed`], so the session ends with the reason.
fn spawn_worker(job: impl FnOnce(&std::sync::mpsc::Sender<Msg>) + Send + 'static) -> Receiver<Msg> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&tx)));
        if let Err(panic) = ran {
            let _gone = tx.send(Msg::Crashed(panic_text(panic.as_ref())));
        }
    });
    rx
}

/// The text of a panic's payload.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
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
    /// Limits of the Jq transform.
    pub jq: zis_engine::jq::Limits,
    /// Calls so far per action ([`Session::call_counts`]), where the worker's count starts.
    pub calls: HashMap<String, u32>,
    /// Settings by name (`zis_services::settings`), over the defaults and `jq`.
    pub settings: std::collections::BTreeMap<String, String>,
    /// Mocked answers of custom actions by action (`run --mocks`): the request is
    /// rendered, the answer made up.
    pub responses: HashMap<String, Vec<zis_services::http::ResponseMock>>,
}

/// A debugging session on one flow and one event.
#[derive(Debug)]
pub struct Session {
    /// Unique in the process: what the window's drafts are keyed by.
    pub id: u64,
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
    /// Marks for the next step taken (a fork, a redrive, an edited result).
    pub pending: Vec<Mark>,
    /// The store where the run can start again: (step index, configs and links then) —
    /// the session's start and each fork.
    pub stores: Vec<(usize, StoreSnapshot)>,
    /// The mocks in force when the run last went on (what a saved test starts from).
    pub mocks: Vec<Mock>,
}

use super::trigger::trigger_of;

impl Session {
    /// Starts a session on the flow `flow_key` of `bundle` with the event `source/type`'s
    /// catalog sample, or `payload` when given. The database gives connection tokens.
    pub fn start(
        db_path: &std::path::Path,
        bundle: &Value,
        flow_key: &str,
        event: Option<(String, String)>,
        payload: Option<Value>,
    ) -> Result<Self, SessionError> {
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
    ) -> Result<Self, SessionError> {
        let definition = bundle
            .pointer(&format!(
                "/resources/{}/properties/definition",
                zis_engine::json::pointer::escape(flow_key)
            ))
            .cloned()
            .ok_or_else(|| SessionError::NoDefinition(flow_key.to_string()))?;
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
            Ok(db) => dispatch::flow_input_with(
                &db,
                &Account::default(),
                &integration,
                &payload,
                engine.connections_in_input,
            )
            .unwrap_or_else(|_| catalog::envelope(&Account::default(), payload.clone())),
            Err(_) => catalog::envelope(&Account::default(), payload.clone()),
        };
        let now = Execution::new(definition, input.clone(), engine)?;
        let store = StoreSnapshot::read(db_path, &integration);
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(Self {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
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
            pending: Vec::new(),
            stores: vec![(0, store)],
            mocks: Vec::new(),
        })
    }

    /// Writes an ended session to the store's executions off the UI thread (see
    /// [`Session::record_now`]), so the executions list has the window's runs too.
    pub fn record(&mut self, db_path: &std::path::Path) {
        if let Some(job) = self.recording() {
            let path = db_path.to_path_buf();
            std::thread::spawn(move || {
                if let Err(e) = job.store(&path) {
                    tracing::warn!("cannot record the window's run: {e}");
                }
            });
        }
    }

    /// Writes an ended session to the store's executions now, through
    /// [`zis_services::runner::record`] (everything masked). The event is kept (as done: the
    /// queue never runs it) so the run can be re-run. Nothing when it was recorded already
    /// or has not ended.
    pub fn record_now(
        &mut self,
        db_path: &std::path::Path,
    ) -> Result<Option<i64>, zis_services::db::ServiceError> {
        match self.recording() {
            Some(job) => job.store(db_path).map(Some),
            None => Ok(None),
        }
    }

    /// What recording this session stores, once (`None` while it runs or once taken).
    fn recording(&mut self) -> Option<Recording> {
        if self.recorded || self.now.status() == &Status::Running {
            return None;
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
        Some(Recording {
            spec: zis_services::db::JobSpecRow {
                name: format!("zis:{}:job_spec:(ZIS Studio window)", self.integration),
                integration: self.integration.clone(),
                uuid: String::new(),
                bundle_uuid: String::new(),
                event_source: source.clone(),
                event_type: event_type.clone(),
                flow_name: format!("zis:{}:flow:{flow_name}", self.integration),
                description: "run from the ZIS Studio window".into(),
                installed: false,
            },
            source,
            event_type,
            history: self.steps.iter().map(|s| s.event.clone()).collect(),
            exchanges: self.steps.iter().map(|s| s.http.clone()).collect(),
            notes: self.steps.iter().map(notes_of).collect(),
            status: self.now.status().clone(),
            attempts: self.now.attempt(),
            payload: self.payload.clone(),
        })
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
        env.calls = self.call_counts();
        self.mocks = env.mocks.clone();
        let exec = self.now.clone();
        // Continuing from a breakpoint must not stop at it again at once.
        let first = self.now.next_state().map(|(s, _)| s.to_string());
        let resumed = self.partial.as_ref().map(|p| p.stop.phase);
        self.busy = Some(spawn_worker(move |tx| {
            work(exec, how, &env, first, resumed, tx)
        }));
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
                        let mut calls = old.calls;
                        calls.append(&mut step.calls);
                        step.calls = calls;
                    }
                    step.marks.append(&mut self.pending);
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
                        let mut calls = old.calls;
                        calls.append(&mut p.calls);
                        p.calls = calls;
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
                Ok(Msg::Crashed(why)) => {
                    self.end_with(format!("the debugger's worker crashed: {why}"));
                    return false;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.end_with("the debugger's worker stopped without a word".into());
                    return false;
                }
            }
        }
    }

    /// Ends the session as failed with this reason (the worker is gone).
    fn end_with(&mut self, why: String) {
        tracing::error!("{why}");
        self.busy = None;
        self.pause_asked = None;
        self.partial = None;
        self.now.abort(zis_engine::run::StatesError::named(
            "ZisStudio.WorkerCrashed",
            why.clone(),
        ));
        self.stopped_by = Some(why);
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
            // Before that step the data was still the edited one.
            self.pending = before_step_marks(&step.marks);
            let len = self.steps.len();
            self.stores.retain(|(i, _)| *i <= len);
        }
    }

    /// Goes back to just before step `i` (a fork point); later steps are dropped.
    pub fn rewind_to(&mut self, i: usize) {
        if self.busy.is_some() || i >= self.steps.len() {
            return;
        }
        self.now = self.steps[i].before.clone();
        self.partial = None;
        self.pending = before_step_marks(&self.steps[i].marks);
        self.steps.truncate(i);
        self.stores.retain(|(k, _)| *k <= i);
        self.selected = i.checked_sub(1);
        self.stopped_by = None;
    }

    /// Skips the Choice the session is paused before and goes to `target` (one of its
    /// branches): recorded as a step whose `next` is the forced target.
    pub fn force(&mut self, target: &str) -> Result<(), SessionError> {
        if self.busy.is_some() {
            return Err(SessionError::Busy);
        }
        let (state, data) = match self.now.next_state() {
            Some((s, d)) => (s.to_string(), d.clone()),
            None => return Err(SessionError::Ended),
        };
        self.partial = None;
        let before = self.now.clone();
        self.now.jump_to(target)?;
        let last = self.steps.last().map(|s| &s.event);
        let event = HistoryEvent {
            state: state.clone(),
            state_type: "Choice",
            frames: last.map(|e| e.frames.clone()).unwrap_or_default(),
            input: std::sync::Arc::new(data.clone()),
            after_input_path: None,
            after_parameters: None,
            result: None,
            after_result_selector: None,
            after_result_path: None,
            output: Some(std::sync::Arc::new(data)),
            next: Some(target.to_string()),
            error: None,
            caught: false,
            transitions: last.map_or(1, |e| e.transitions + 1),
            time_secs: last.map_or(0.0, |e| e.time_secs),
            attempt: self.now.attempt(),
            retried: false,
        };
        let mut marks = std::mem::take(&mut self.pending);
        marks.push(Mark::BranchForced {
            next: target.to_string(),
        });
        self.steps.push(Step {
            before,
            event,
            http: Vec::new(),
            millis: 0.0,
            calls: Vec::new(),
            marks,
        });
        self.selected = Some(self.steps.len() - 1);
        self.stopped_by = Some(format!("forced {state} -> {target}"));
        Ok(())
    }

    /// Replaces the data the next state gets (a fork with edited data).
    pub fn set_data(&mut self, data: Value) -> Result<(), SessionError> {
        self.partial = None;
        Ok(self.now.set_data(data)?)
    }

    /// Continues on the edited bundle (this flow's definition, its actions).
    pub fn set_bundle(&mut self, bundle: &Value) -> Result<(), SessionError> {
        let def = bundle
            .pointer(&format!(
                "/resources/{}/properties/definition",
                zis_engine::json::pointer::escape(&self.flow)
            ))
            .cloned()
            .ok_or_else(|| SessionError::NoDefinition(self.flow.clone()))?;
        self.now.set_definition(def)?;
        self.bundle = bundle.clone();
        for step in &mut self.steps {
            if !step.marks.contains(&Mark::OldDefinition) {
                step.marks.push(Mark::OldDefinition);
            }
        }
        Ok(())
    }

    /// Replaces the action's answer held at a phase stop after the result: the step goes
    /// on with this result instead.
    pub fn set_held_result(&mut self, result: Value) -> Result<(), SessionError> {
        self.now.set_held_result(result.clone())?;
        let action = self
            .partial
            .as_ref()
            .and_then(|p| p.calls.last())
            .map(|c| c.action.clone());
        if let Some(action) = action {
            let call = self.call_counts().get(&action).copied().unwrap_or(1);
            self.pending
                .retain(|m| !matches!(m, Mark::ResultEdited { .. }));
            self.pending.push(Mark::ResultEdited {
                action,
                call,
                result: result.clone(),
            });
        }
        if let Some(p) = &mut self.partial {
            p.stop.event.result = Some(std::sync::Arc::new(result));
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

    /// Where a paused session stands, for the status bar and the inspector:
    /// "Paused in S, <phase>, after N steps" inside a step, else "Paused before S after N
    /// steps".
    pub fn pause_text(&self) -> String {
        match &self.partial {
            Some(p) => format!(
                "Paused in {}, {}, after {} steps",
                p.stop.event.state,
                p.stop.phase.label(),
                self.steps.len()
            ),
            None => format!(
                "Paused before {} after {} steps",
                self.next_state().unwrap_or("?"),
                self.steps.len()
            ),
        }
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
        zis_services::runner::log_lines(self.now.status(), self.steps.last().map(|s| &s.event))
    }

    /// Wall-clock milliseconds spent in each state (by name), summed over its visits.
    pub fn durations(&self) -> HashMap<String, f64> {
        let mut d = HashMap::new();
        for s in &self.steps {
            *d.entry(s.event.state.clone()).or_insert(0.0) += s.millis;
        }
        d
    }

    /// True when what the run depends on changed since the steps were taken (their
    /// results are stale): the flow's definition or any custom HTTP action.
    pub fn stale(&self, bundle: &Value) -> bool {
        let path = format!(
            "/resources/{}/properties/definition",
            zis_engine::json::pointer::escape(&self.flow)
        );
        let actions = |b: &Value| -> Vec<(String, Value)> {
            b.get("resources")
                .and_then(Value::as_object)
                .map(|r| {
                    r.iter()
                        .filter(|(_, v)| v["type"] == "ZIS::Action::Http")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        self.bundle.pointer(&path) != bundle.pointer(&path)
            || actions(&self.bundle) != actions(bundle)
    }
}

/// What a stored history entry keeps of a step's interventions: its marks and the calls
/// a mock answered (nothing for a step without either).
pub fn notes_of(step: &Step) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    if !step.marks.is_empty() {
        m.insert("marks".into(), json!(step.marks));
    }
    let mocked: Vec<&Call> = step.calls.iter().filter(|c| c.mock.is_some()).collect();
    if !mocked.is_empty() {
        m.insert("mocked".into(), json!(mocked));
    }
    m
}

/// The marks of a step that were made before it ran (a fork's data, a redrive's start):
/// they stand again when the session goes back to before it.
fn before_step_marks(marks: &[Mark]) -> Vec<Mark> {
    marks
        .iter()
        .filter(|m| matches!(m, Mark::DataEdited { .. } | Mark::Redrive { .. }))
        .cloned()
        .collect()
}

/// An ended session as it is stored.
struct Recording {
    spec: zis_services::db::JobSpecRow,
    source: String,
    event_type: String,
    history: Vec<HistoryEvent>,
    exchanges: Vec<Vec<Exchange>>,
    notes: Vec<serde_json::Map<String, Value>>,
    status: Status,
    attempts: u32,
    payload: Value,
}

impl Recording {
    fn store(&self, db_path: &std::path::Path) -> Result<i64, zis_services::db::ServiceError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let db = Db::open(db_path)?;
        zis_services::runner::record(
            &db,
            &zis_services::runner::Run {
                spec: &self.spec,
                event_type: &self.event_type,
                event_id: None,
                status: &self.status,
                history: &self.history,
                exchanges: &self.exchanges,
                notes: &self.notes,
                attempts: self.attempts,
                started: now,
                delay: 0.0,
            },
            Some(&zis_services::runner::RecordedEvent {
                source: &self.source,
                payload: &self.payload,
                origin: "window",
            }),
        )
    }
}
