//! Debug commands: debugging sessions on the shown flow (start, step, continue, back, fork,
//! force a branch), the event they start on, watches, and saving a run as a flow test.

use super::error::{AppError, parse_json};
use super::*;

/// Debug commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum DebugCommand {
    /// Run the shown flow to a breakpoint or the end: continue the paused session, or
    /// start one on the chosen event (off the UI thread).
    Run,
    /// Start a debugging session paused before the first state.
    DebugStart,
    /// Take steps in the session (starting one first when there is none).
    DebugGo(debug::Go),
    /// Go back one step.
    DebugStepBack,
    /// Go back to just before step `n` (dropping the steps after it).
    DebugRewind(usize),
    /// Show the data of step `n`.
    DebugSelect(usize),
    /// End the session.
    DebugStop,
    /// Replace the data the next state gets with this JSON (a fork).
    DebugSetData(String),
    /// At a stop after an action's result: go on with this JSON as its result instead.
    DebugSetResult(String),
    /// Skip the Choice the session is paused before and go to this branch.
    DebugForce(String),
    /// Stop the running worker after its current step.
    DebugPause,
    /// Choose the event the next session starts on (`source`, `type`).
    DebugEvent(String, String),
    /// Use this JSON as the event payload instead of the catalog sample (`None`: the sample).
    DebugPayload(Option<String>),
    /// Start a session on a job spec's flow with the job spec's event type.
    DebugJobSpec(String),
    /// Save a payload (JSON text) under a name with its event type, in the sidecar.
    SaveEvent {
        /// The name.
        name: String,
        /// Event source and type.
        event: (String, String),
        /// The payload as JSON text.
        text: String,
    },
    /// The next run uses a saved event.
    UseSavedEvent(String),
    /// Forget a saved event.
    DeleteSavedEvent(String),
    /// Read the events recorded in the store (for the run panel).
    LoadRecordedEvents,
    /// Run the next session on a recorded event (its type and input).
    UseRecordedEvent(i64),
    /// Wait states sleep for real (true) or use the virtual clock (false).
    SetRealTime(bool),
    /// Append the ended session as a flow test to the bundle's `*.tests.json` (with unsaved
    /// bundle edits, asks first: the test runs the saved file).
    SaveAsTest(String),
    /// Save the edited bundle, then the test that was waiting.
    SaveBundleThenTest,
    /// Do not save the test that was waiting.
    CancelSaveTest,
    /// Keep the result of the session's step `n` (an Action state's) as that state's result
    /// sample in the sidecar: shape inference reads it from then on.
    KeepResultSample(usize),
    /// Fuzz the shown flow on this many variants of its event (`core::fuzz`).
    Fuzz(usize),
    /// Open the smallest case of fuzz failure `n` as a debugging session.
    DebugFuzzCase(usize),
    /// Add a JSONPath to the watch list.
    AddWatch(String),
    /// Remove a watch by its index.
    RemoveWatch(usize),
}

impl AppState {
    /// Applies one debug command.
    pub(crate) fn apply_debugging(&mut self, command: DebugCommand) {
        match command {
            DebugCommand::Run => self.debug_go(debug::Go::Continue),
            DebugCommand::DebugStart => {
                self.debug = None;
                self.start_session();
            }
            DebugCommand::DebugGo(how) => self.debug_go(how),
            DebugCommand::DebugStepBack => {
                if let Some(s) = &mut self.debug {
                    s.step_back();
                }
            }
            DebugCommand::DebugRewind(i) => {
                if let Some(s) = &mut self.debug {
                    s.rewind_to(i);
                }
            }
            DebugCommand::DebugSelect(i) => {
                if let Some(s) = &mut self.debug {
                    s.selected = Some(i);
                }
            }
            DebugCommand::DebugStop => self.debug = None,
            DebugCommand::DebugSetData(text) => {
                let db = self.db_path();
                let result = parse_json(&text).and_then(|v| match &mut self.debug {
                    Some(s) => Ok(s.fork(v, &db)?),
                    None => Err(AppError::NoSession),
                });
                self.message = Some(match result {
                    Ok(()) => "forked: the next state gets the edited data".into(),
                    Err(e) => format!("the data was not changed: {e}"),
                });
            }
            DebugCommand::DebugSetResult(text) => {
                let result = parse_json(&text).and_then(|v| match &mut self.debug {
                    Some(s) => Ok(s.set_held_result(v)?),
                    None => Err(AppError::NoSession),
                });
                self.message = Some(match result {
                    Ok(()) => "the step goes on with the edited result".into(),
                    Err(e) => format!("the result was not changed: {e}"),
                });
            }
            DebugCommand::DebugForce(target) => {
                let result = match &mut self.debug {
                    Some(s) => s.force(&target).map_err(AppError::from),
                    None => Err(AppError::NoSession),
                };
                if let Err(e) = result {
                    self.message = Some(format!("cannot force the branch: {e}"));
                }
            }
            DebugCommand::DebugPause => {
                if let Some(s) = &mut self.debug {
                    s.request_pause();
                }
            }
            DebugCommand::DebugEvent(source, event_type) => {
                self.debug_event = Some((source, event_type));
                self.debug_payload = None;
            }
            DebugCommand::DebugPayload(text) => match text {
                None => self.debug_payload = None,
                Some(t) => match parse_json(&t) {
                    Ok(v) => self.debug_payload = Some(v),
                    Err(e) => {
                        self.message = Some(format!("the payload does not parse: {e}"));
                    }
                },
            },
            DebugCommand::DebugJobSpec(key) => self.debug_job_spec(&key),
            DebugCommand::Fuzz(runs) => self.fuzz(runs),
            DebugCommand::KeepResultSample(n) => {
                let kept = self.debug.as_ref().and_then(|s| {
                    let e = &s.steps.get(n)?.event;
                    Some((
                        format!("{}/{}", s.flow, e.state),
                        e.result.as_deref()?.clone(),
                    ))
                });
                if let Some((key, result)) = kept {
                    self.message = Some(format!("kept as the result sample of {key}"));
                    self.sidecar.state_samples.insert(key, result);
                    self.save_sidecar();
                    self.revalidate();
                }
            }
            DebugCommand::DebugFuzzCase(i) => {
                let case = self.fuzz.as_ref().and_then(|r| {
                    let (source, event_type) = r.event.split_once('/')?;
                    let f = r.failures.get(i)?;
                    Some((
                        source.to_string(),
                        event_type.to_string(),
                        f.payload.clone(),
                    ))
                });
                if let Some((source, event_type, payload)) = case {
                    self.debug_event = Some((source, event_type));
                    self.debug_payload = Some(payload);
                    self.debug = None;
                    self.start_session();
                    // Custom actions answer as they did in the fuzz run.
                    if let (Some(doc), Some(flow)) = (&self.document, &self.selected) {
                        self.case_mocks =
                            crate::core::fuzz::case_mocks(doc.value(), &self.sidecar, flow);
                    }
                }
            }
            DebugCommand::SaveEvent { name, event, text } => {
                let name = name.trim().to_string();
                match parse_json(&text) {
                    Ok(_) if name.is_empty() => {
                        self.message = Some("name the event first".into());
                    }
                    Ok(payload) => {
                        self.sidecar.events.insert(
                            name.clone(),
                            graph::SavedEvent {
                                source: event.0,
                                event_type: event.1,
                                payload,
                            },
                        );
                        self.save_sidecar();
                        self.message = Some(format!("saved the event {name}"));
                    }
                    Err(e) => self.message = Some(format!("the payload does not parse: {e}")),
                }
            }
            DebugCommand::UseSavedEvent(name) => {
                if let Some(e) = self.sidecar.events.get(&name) {
                    self.debug_event = Some((e.source.clone(), e.event_type.clone()));
                    self.debug_payload = Some(e.payload.clone());
                    self.message = Some(format!(
                        "the next run uses the saved event {name} ({}/{})",
                        e.source, e.event_type
                    ));
                }
            }
            DebugCommand::DeleteSavedEvent(name) => {
                if self.sidecar.events.remove(&name).is_some() {
                    self.save_sidecar();
                }
            }
            DebugCommand::LoadRecordedEvents => {
                let db = self.db_path();
                match zis_services::db::Db::open(&db).and_then(|d| d.events(50)) {
                    Ok(events) => self.recorded_events = events,
                    Err(e) => self.message = Some(format!("cannot read the events: {e}")),
                }
            }
            DebugCommand::UseRecordedEvent(id) => {
                if let Some(e) = self.recorded_events.iter().find(|e| e.id == id) {
                    self.debug_event = Some((e.event_source.clone(), e.event_type.clone()));
                    self.debug_payload = Some(e.input.clone());
                    self.message = Some(format!(
                        "the next run uses event #{id} ({}/{}, from {})",
                        e.event_source, e.event_type, e.origin
                    ));
                }
            }
            DebugCommand::SetRealTime(on) => self.real_time = on,
            DebugCommand::SaveBundleThenTest => {
                if let Some(name) = self.save_test_waiting.take() {
                    if self.save() {
                        self.apply_debugging(DebugCommand::SaveAsTest(name));
                    } else {
                        self.message = Some("the bundle was not saved, nor the test".into());
                    }
                }
            }
            DebugCommand::CancelSaveTest => self.save_test_waiting = None,
            DebugCommand::SaveAsTest(name) if self.modified => {
                self.save_test_waiting = Some(name);
                self.message = Some(
                    "the bundle has unsaved changes: a test runs the saved file, so save the bundle first".into(),
                );
            }
            DebugCommand::SaveAsTest(name) => {
                let result = match (&self.path, &self.debug) {
                    (Some(path), Some(s)) => {
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            crate::core::flowtest::save_session(path, s, &name)
                        }))
                        .unwrap_or_else(|panic| {
                            Err(format!(
                                "it crashed: {}",
                                crate::core::debug::panic_text(panic.as_ref())
                            ))
                        })
                        .map_err(AppError::Refused)
                    }
                    (None, _) => Err(AppError::refused(
                        "save the bundle first: tests live next to it",
                    )),
                    (_, None) => Err(AppError::refused("no session to save")),
                };
                self.message = Some(match result {
                    Ok(p) => format!("saved the test to {}", p.display()),
                    Err(e) => format!("cannot save the test: {e}"),
                });
            }
            DebugCommand::AddWatch(path) => {
                let path = path.trim().to_string();
                if !path.is_empty() && !self.sidecar.watches.contains(&path) {
                    self.sidecar.watches.push(path);
                    self.save_sidecar();
                }
            }
            DebugCommand::RemoveWatch(i) => {
                if i < self.sidecar.watches.len() {
                    self.sidecar.watches.remove(i);
                    self.save_sidecar();
                }
            }
        }
    }

    pub(crate) fn start_session(&mut self) {
        self.case_mocks.clear();
        let (Some(doc), Some(key)) = (&self.document, &self.selected) else {
            return;
        };
        let db = self.db_path();
        let settings = self.run_settings();
        let mut engine = match zis_services::settings::resolve(&[&settings]) {
            Ok(s) => s.engine,
            Err(e) => {
                self.message = Some(format!("cannot start: settings: {e}"));
                return;
            }
        };
        engine.real_time_wait = self.real_time;
        match debug::Session::start_with(
            &db,
            doc.value(),
            key,
            self.debug_event.clone(),
            self.debug_payload.clone(),
            engine,
        ) {
            Ok(s) => self.debug = Some(s),
            Err(e) => self.message = Some(format!("cannot start: {e}")),
        }
    }

    /// The settings the window's runs take: the data folder's, then this bundle's.
    pub fn run_settings(&self) -> std::collections::BTreeMap<String, String> {
        self.sidecar
            .settings_over(&self.data_settings, &Default::default())
    }

    pub(crate) fn debug_env(&self) -> Option<debug::Env> {
        let s = self.debug.as_ref()?;
        Some(debug::Env {
            db_path: self.db_path(),
            bundle: self.document.as_ref()?.value().clone(),
            integration: s.integration.clone(),
            flow: s.flow.clone(),
            mocks: [self.sidecar.mocks.clone(), self.case_mocks.clone()].concat(),
            breakpoints: self.sidecar.breakpoints.clone(),
            pause: std::sync::Arc::default(),
            jq: self.jq_limits,
            calls: Default::default(),
            responses: Default::default(),
            settings: self.run_settings(),
        })
    }

    pub(crate) fn debug_go(&mut self, how: debug::Go) {
        let ended = self
            .debug
            .as_ref()
            .is_none_or(|s| s.status() != &zis_engine::run::execution::Status::Running);
        if ended {
            self.start_session();
        }
        // A flow edited since the session started continues on the edited definition.
        if let (Some(s), Some(doc)) = (&mut self.debug, &self.document)
            && s.stale(doc.value())
            && let Err(e) = s.set_bundle(doc.value())
        {
            self.message = Some(format!("still on the old definition: {e}"));
        }
        if let Some(env) = self.debug_env()
            && let Some(s) = &mut self.debug
        {
            s.go(how, env);
        }
    }

    /// Shows a job spec's flow and starts a session on the job spec's event type.
    pub(crate) fn debug_job_spec(&mut self, key: &str) {
        let Some(doc) = &self.document else { return };
        let props = doc.value().pointer(&format!(
            "/resources/{}/properties",
            zis_engine::json::pointer::escape(key)
        ));
        let field = |f: &str| {
            props
                .and_then(|p| p.get(f))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (source, event_type, flow) = (
            field("event_source"),
            field("event_type"),
            field("flow_name"),
        );
        let name = flow.rsplit(':').next().unwrap_or_default().to_string();
        let Some(flow_key) = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow && r.name == name)
            .map(|r| r.key.clone())
        else {
            self.message = Some(format!("the job spec's flow {flow} is not in the bundle"));
            return;
        };
        self.map_path.clear();
        self.select(Some(flow_key));
        self.debug_event = Some((source, event_type));
        self.debug_payload = None;
        self.debug = None;
        self.start_session();
    }

    /// Fuzzes the shown flow on the bundle as edited, off the UI thread, with the data
    /// folder's configs and the window's settings; the report replaces the last one when it
    /// comes ([`AppState::poll_run`]).
    fn fuzz(&mut self, runs: usize) {
        let (Some(doc), Some(flow)) = (&self.document, self.selected.clone()) else {
            return;
        };
        if self.fuzz_job.is_some() {
            return;
        }
        let options = crate::core::fuzz::Options {
            runs,
            seed: 1,
            settings: self.run_settings(),
            data: Some(self.db_path()),
        };
        let (bundle, sidecar) = (doc.value().clone(), self.sidecar.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("fuzz".into())
            .spawn(move || {
                let report = crate::core::fuzz::fuzz_flow(&bundle, &sidecar, &flow, &options);
                let _gone = tx.send(report);
            });
        match spawned {
            Ok(_) => self.fuzz_job = Some(rx),
            Err(e) => self.message = Some(format!("cannot start the fuzz run: {e}")),
        }
    }
}
