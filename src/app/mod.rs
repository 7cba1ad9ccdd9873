//! The app's state and the commands that change it. No egui here: the GUI reads
//! [`AppState`] and sends [`Command`]s, and [`AppState::apply`] is the one place that
//! changes state.

pub mod accounts;
pub mod debug;
pub mod diff;
pub mod edit;
pub mod executions;
pub mod graph;
pub mod prefs;
pub mod remote;
pub mod resources;
pub mod run;
pub mod services;

use edit::Port;
use graph::{FlowGraph, Sidecar};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zis_engine::document::Document;
use zis_engine::model::{FlowDefinition, ResourceBody, StateKind};
use zis_engine::validate::{self, Diagnostic, Options};

/// An image format for the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Scalable vector graphics.
    Svg,
    /// A bitmap at twice the graph's size.
    Png,
}

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a bundle file (asks first when there are unsaved changes).
    Open(PathBuf),
    /// Start a new, empty bundle (asks first when there are unsaved changes).
    New,
    /// Write the bundle to its file.
    Save,
    /// Write the bundle to another file, which becomes its file.
    SaveAs(PathBuf),
    /// The window is closing (asks first when there are unsaved changes).
    RequestClose,
    /// The answer to the unsaved-changes question.
    Answer(PromptAnswer),
    /// Select a resource by its key.
    Select(String),
    /// Select what a diagnostic points at: resource, state and field.
    Reveal(String),
    /// Go to a search hit.
    Goto(resources::Hit),
    /// Search every flow.
    Find(String),
    /// Nodes were moved in the graph (positions go to the sidecar file, not the bundle).
    MoveNodes(Vec<(String, [f32; 2])>),
    /// Forget the shown flow's stored positions and lay it out again.
    AutoLayout,
    /// Select one state of the shown flow (or none).
    SelectState(Option<String>),
    /// Select several states (box select, Ctrl+click).
    SelectStates(Vec<String>),
    /// Select every state of the shown flow.
    SelectAll,
    /// Fit the graph into view.
    Fit,
    /// Switch between the dark and the light theme.
    SetTheme(Theme),
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
    /// Switch one breakpoint (by id, see `debug::Breakpoints`) on or off; it is kept.
    SetBreakpointEnabled(String, bool),
    /// Switch every breakpoint on or off at once (all kept).
    BreakpointsActive(bool),
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
    /// Add or remove a stop at a phase inside a state's step (of the shown flow).
    TogglePhaseBreak(String, zis_engine::run::execution::Phase),
    /// Read the local stores of the bundle's integration again.
    ReloadServices,
    /// Create or replace a config.
    PutConfig {
        /// Its scope.
        scope: String,
        /// Its JSON text.
        text: String,
    },
    /// Delete a config.
    DeleteConfig(String),
    /// Create a connection.
    CreateConnection(services::NewConnection),
    /// Delete a connection (kind, name).
    DeleteConnection(String, String),
    /// List links of this type.
    ShowLinks(String),
    /// Create a link (type, left name, right name).
    CreateLink(String, String, String),
    /// Delete a link (type, left name, right name).
    DeleteLink(String, String, String),
    /// Change a link's objects in place.
    EditLink(services::LinkEdit),
    /// Create an inbound webhook (source system, event type).
    CreateWebhook(String, String),
    /// Delete an inbound webhook by id.
    DeleteWebhook(String),
    /// Start the local server on a port (0: any free one).
    StartServer(u16),
    /// Stop it.
    StopServer,
    /// Read the store's executions and queue figures again.
    RefreshExecutions,
    /// Open a stored execution for replay.
    OpenExecution(i64),
    /// Close the opened execution.
    CloseExecution,
    /// Show step `n` of the opened execution.
    ReplayStep(usize),
    /// Write the opened execution to a file.
    ExportExecution(PathBuf),
    /// Open an exported execution.
    ImportExecution(PathBuf),
    /// Start a session paused before step N of the opened execution, with its data then.
    DebugFromStored(usize),
    /// Write the shown graph (tinted with the debugger's path) as an image.
    ExportGraph(PathBuf, GraphFormat),
    /// Write the debugger's execution as a self-contained HTML report.
    ExportReport(PathBuf),
    /// Open (or close, with `None`) an account window.
    ShowRemote(Option<remote::RemoteWindow>),
    /// Validate the open bundle and read the plan of deploying it; `remember` saves the
    /// account's token in the data folder.
    PlanDeploy(remote::DeployRequest, bool),
    /// Carry the shown plan out.
    ApplyDeploy,
    /// Cancel the account work in progress.
    CancelRemote,
    /// List an integration's bundles on an account (`remember` saves the token).
    ListRemote(accounts::Account, String, bool),
    /// Download one of the listed bundles and open it.
    OpenRemote(String),
    /// Forget a saved account's token.
    ForgetAccount(String),
    /// Run the opened execution's event on the current bundle and compare.
    RerunExecution,
    /// Skip the Choice the session is paused before and go to this branch.
    DebugForce(String),
    /// Add a JSONPath to the watch list.
    AddWatch(String),
    /// Remove a watch by its index.
    RemoveWatch(usize),
    /// Choose the event the next session starts on (`source`, `type`).
    DebugEvent(String, String),
    /// Use this JSON as the event payload instead of the catalog sample (`None`: the sample).
    DebugPayload(Option<String>),
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
    /// Stop the running worker after its current step.
    DebugPause,
    /// Set (or with `None` remove) the mock of an action.
    SetMock {
        /// The action's full name.
        action: String,
        /// Only this attempt of the flow (`None`: every attempt).
        attempt: Option<u32>,
        /// What it does instead.
        outcome: Option<debug::MockOutcome>,
    },
    /// Wait states sleep for real (true) or use the virtual clock (false).
    SetRealTime(bool),
    /// Read the events recorded in the store (for the run panel).
    LoadRecordedEvents,
    /// Run the next session on a recorded event (its type and input).
    UseRecordedEvent(i64),
    /// Start a session on a job spec's flow with the job spec's event type.
    DebugJobSpec(String),
    /// Append the ended session as a flow test to the bundle's `*.tests.json`.
    SaveAsTest(String),
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Copy the selected states.
    Copy,
    /// Copy, then delete the selected states.
    Cut,
    /// Paste copied states into the shown flow.
    Paste,
    /// Copy and paste the selected states at once.
    Duplicate,
    /// Delete the selected states with their edges.
    Delete,
    /// Add a state from the palette; `from` connects an output to it.
    AddState {
        /// `Action`, `Choice`...
        type_name: String,
        /// For an Action, its action.
        action: Option<String>,
        /// Where it goes in the graph.
        pos: [f32; 2],
        /// An output to connect to the new state.
        from: Option<(String, Port)>,
    },
    /// Point an output of a state at another state.
    Connect {
        /// The source state.
        from: String,
        /// Its output.
        port: Port,
        /// The target state.
        to: String,
    },
    /// Remove an output's edge.
    Disconnect {
        /// The source state.
        from: String,
        /// Its output.
        port: Port,
    },
    /// Rename a state and every reference to it.
    RenameState {
        /// Its name.
        old: String,
        /// The new name.
        new: String,
    },
    /// Make a state the flow's StartAt.
    SetStart(String),
    /// Set (or with `None` remove) a value at a JSON pointer of the bundle (form edits).
    SetField {
        /// Where.
        pointer: String,
        /// What.
        value: Option<serde_json::Value>,
    },
    /// Replace the value at a pointer with JSON text typed by the user.
    SetJson {
        /// Where.
        pointer: String,
        /// The text; when it does not parse, the error is shown and nothing changes.
        text: String,
    },
    /// Rename a key of the object at a pointer, its place kept.
    RenameKey {
        /// The object.
        pointer: String,
        /// The key.
        old: String,
        /// Its new name.
        new: String,
    },
    /// Show a Map state's iterator as the graph.
    OpenMap(String),
    /// Go back out to this many Map levels (0 is the flow itself).
    MapLevel(usize),
    /// Add a resource of a kind.
    AddResource(ResourceKind),
    /// Rename a resource and the references to it.
    RenameResource {
        /// Its key.
        key: String,
        /// The new key and name.
        new: String,
    },
    /// Delete a resource.
    DeleteResource(String),
}

/// The answer to "save changes?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptAnswer {
    /// Save, then go on.
    Save,
    /// Go on without saving.
    Discard,
    /// Stay.
    Cancel,
}

/// What waits for the unsaved-changes question.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Opening this file.
    Open(PathBuf),
    /// A new bundle.
    New,
    /// Closing the window.
    Close,
}

/// The bundle and view as they were before an edit.
#[derive(Clone, Debug)]
struct Snapshot {
    value: serde_json::Value,
    sidecar: Sidecar,
    selected: Option<String>,
    map_path: Vec<String>,
    selected_state: Option<String>,
}

/// The bundle a New starts from.
pub const NEW_BUNDLE: &str = r#"{
  "zis_template_version": "2019-10-14",
  "name": "my_integration",
  "description": "",
  "resources": {
    "main_flow": {
      "type": "ZIS::Flow",
      "properties": {
        "name": "main_flow",
        "definition": {
          "StartAt": "Done",
          "States": {
            "Done": {
              "Type": "Succeed"
            }
          }
        }
      }
    }
  }
}
"#;

/// The data folder's database file name.
pub fn local_db_file() -> &'static str {
    "zis-studio.sqlite"
}

/// How many edits undo remembers.
pub const UNDO_DEPTH: usize = 200;

/// The window's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Theme {
    /// Dark (the default).
    #[default]
    Dark,
    /// Light.
    Light,
}

/// The kind of a resource, for grouping and colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// `ZIS::Flow`.
    Flow,
    /// `ZIS::Action::Http`.
    Action,
    /// `ZIS::JobSpec`.
    JobSpec,
    /// Anything else.
    Other,
}

/// One line of the bundle explorer.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceRow {
    /// Key under `resources`.
    pub key: String,
    /// What it is.
    pub kind: ResourceKind,
    /// `properties.name` (or the key).
    pub name: String,
    /// A short description: state count, HTTP request, event.
    pub summary: String,
    /// Errors and warnings inside this resource.
    pub problems: (usize, usize),
}

/// One state of the selected flow, for the detail view.
#[derive(Clone, Debug, PartialEq)]
pub struct StateRow {
    /// State name.
    pub name: String,
    /// Its type.
    pub type_name: String,
    /// Key fact (action name, wait seconds, items path...).
    pub detail: String,
    /// Where it goes next.
    pub transitions: Vec<String>,
    /// True for StartAt.
    pub start: bool,
}

/// Everything the window shows.
#[derive(Debug, Default)]
pub struct AppState {
    /// The open bundle's path (`None` for a new bundle not saved yet).
    pub path: Option<PathBuf>,
    /// The open bundle.
    pub document: Option<Document>,
    /// True when the bundle differs from its file.
    pub modified: bool,
    /// Why the last open failed.
    pub open_error: Option<String>,
    /// The validator's findings on the open bundle, kept live as it is edited.
    pub diagnostics: Vec<Diagnostic>,
    /// The selected resource key.
    pub selected: Option<String>,
    /// Map states opened inside the selected flow, outermost first: the graph shows the
    /// innermost one's iterator.
    pub map_path: Vec<String>,
    /// The data folder for local stores.
    pub data_dir: PathBuf,
    /// Cached explorer rows.
    pub rows: Vec<ResourceRow>,
    /// The shown flow's states, rebuilt when it changes (not every frame).
    pub states: Vec<StateRow>,
    /// The shown flow as a graph.
    pub graph: Option<FlowGraph>,
    /// Bumped whenever the graph is rebuilt or laid out again, so the view reloads it.
    pub graph_generation: u64,
    /// The state the inspector shows.
    pub selected_state: Option<String>,
    /// Every selected state (copy, cut, delete act on these).
    pub selection: Vec<String>,
    /// Layout kept next to the bundle.
    pub sidecar: Sidecar,
    /// Bumped by [`Command::Fit`]; the graph view fits when it changes.
    pub fit_requests: u64,
    /// Dark or light.
    pub theme: Theme,
    /// The debugging session on the selected flow.
    pub debug: Option<debug::Session>,
    /// The event the next session starts on (`None`: the flow's job spec's).
    pub debug_event: Option<(String, String)>,
    /// The payload the next session starts on (`None`: the catalog's sample).
    pub debug_payload: Option<serde_json::Value>,
    /// The store's executions and the one opened for replay.
    pub executions: executions::Executions,
    /// A re-run of the opened execution is going: its stored history, to compare.
    pub rerun_of: Option<Vec<serde_json::Value>>,
    /// The stored run beside the re-run, worked out when the re-run's steps change (with
    /// how many steps it had then), not every frame.
    pub comparison: Option<(usize, executions::Comparison)>,
    /// The local stores and server as the Services view shows them.
    pub services: services::Services,
    /// The account windows (deploy, open from an account).
    pub remote: remote::Remote,
    /// Accounts with a saved token (from `<data>/accounts.json`).
    pub accounts: Vec<accounts::Account>,
    /// Wait states sleep for real instead of advancing the virtual clock (next session).
    pub real_time: bool,
    /// Events recorded in the store (newest first), to run a session on one.
    pub recorded_events: Vec<zis_services::db::EventRow>,
    /// Recent files and theme, kept in the data folder.
    pub prefs: prefs::Prefs,
    /// What waits for the answer to "save changes?".
    pub prompt: Option<Pending>,
    /// Set when the window may close now.
    pub close_now: bool,
    /// Set when a save needs a file name first (the window asks for one).
    pub want_save_as: bool,
    /// The last thing done or refused, for the status bar.
    pub message: Option<String>,
    /// The error of the last JSON typed in the inspector: (pointer, `line:column: message`).
    pub json_error: Option<(String, String)>,
    /// The pointer of the field to bring into view (a problem was clicked).
    pub focus_field: Option<String>,
    /// The find query.
    pub find_query: String,
    /// What it found.
    pub find_hits: Vec<resources::Hit>,
    /// Copied states and their positions.
    pub clipboard: Vec<(String, serde_json::Value, Option<[f32; 2]>)>,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    /// The field last edited, so typing in it is one undo step.
    last_edit: Option<String>,
}

impl AppState {
    /// A state with the data folder set and nothing open; preferences are read from it.
    pub fn new(data_dir: PathBuf) -> Self {
        let prefs = prefs::Prefs::load(&data_dir);
        Self {
            theme: prefs.theme,
            prefs,
            accounts: accounts::load(&data_dir),
            data_dir,
            ..Self::default()
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        let coalesce = match &command {
            Command::SetField { pointer, .. } => Some(format!("field:{pointer}")),
            Command::SetJson { pointer, .. } => Some(format!("json:{pointer}")),
            _ => None,
        };
        if coalesce.is_none() || coalesce != self.last_edit {
            self.last_edit = None;
        }
        match command {
            Command::MoveNodes(moves) => self.move_nodes(moves),
            Command::AutoLayout => {
                if self.graph.is_some() {
                    self.push_undo();
                    let key = self.layout_key();
                    self.sidecar.layout.remove(&key);
                    if let Some(g) = &mut self.graph {
                        graph::layout(g);
                    }
                    self.graph_generation += 1;
                    self.save_sidecar();
                }
            }
            Command::SelectState(state) => {
                self.selection = state.iter().cloned().collect();
                self.selected_state = state;
            }
            Command::SelectStates(names) => {
                self.selected_state = if names.len() == 1 {
                    names.first().cloned()
                } else {
                    self.selected_state.take().filter(|s| names.contains(s))
                };
                self.selection = names;
            }
            Command::SelectAll => {
                self.selection = self.states.iter().map(|s| s.name.clone()).collect();
            }
            Command::Fit => self.fit_requests += 1,
            Command::Run => self.debug_go(debug::Go::Continue),
            Command::DebugStart => {
                self.debug = None;
                self.start_session();
            }
            Command::DebugGo(how) => self.debug_go(how),
            Command::DebugStepBack => {
                if let Some(s) = &mut self.debug {
                    s.step_back();
                }
            }
            Command::DebugRewind(i) => {
                if let Some(s) = &mut self.debug {
                    s.rewind_to(i);
                }
            }
            Command::DebugSelect(i) => {
                if let Some(s) = &mut self.debug {
                    s.selected = Some(i);
                }
            }
            Command::DebugStop => self.debug = None,
            Command::DebugSetData(text) => {
                let result = serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))
                    .and_then(|v| match &mut self.debug {
                        Some(s) => s.set_data(v),
                        None => Err("no session".into()),
                    });
                self.message = Some(match result {
                    Ok(()) => "forked: the next state gets the edited data".into(),
                    Err(e) => format!("the data was not changed: {e}"),
                });
            }
            Command::DebugSetResult(text) => {
                let result = serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| format!("{}:{}: {e}", e.line(), e.column()))
                    .and_then(|v| match &mut self.debug {
                        Some(s) => s.set_held_result(v),
                        None => Err("no session".into()),
                    });
                self.message = Some(match result {
                    Ok(()) => "the step goes on with the edited result".into(),
                    Err(e) => format!("the result was not changed: {e}"),
                });
            }
            Command::SetBreakpointEnabled(id, on) => {
                self.sidecar.breakpoints.set_enabled(&id, on);
                self.save_sidecar();
            }
            Command::BreakpointsActive(on) => {
                self.sidecar.breakpoints.all_off = !on;
                self.save_sidecar();
            }
            Command::TogglePhaseBreak(state, phase) => {
                let key = self.layout_key();
                self.sidecar.breakpoints.toggle_phase(&key, &state, phase);
                self.save_sidecar();
            }
            Command::ReloadServices => {
                let (db, key) = (self.data_dir.join(local_db_file()), self.integration_key());
                self.services.reload(&db, &key);
            }
            Command::PutConfig { scope, text } => {
                let db = self.data_dir.join(local_db_file());
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v) => self.services.change(&db, |d, i| {
                        d.put_config(i, scope.trim(), &v)
                            .map(|_| None)
                            .map_err(|e| e.to_string())
                    }),
                    Err(e) => {
                        self.services.error = Some(format!(
                            "the config does not parse: {}:{}: {e}",
                            e.line(),
                            e.column()
                        ));
                    }
                }
            }
            Command::DeleteConfig(scope) => {
                let db = self.data_dir.join(local_db_file());
                self.services.change(&db, |d, i| {
                    d.delete_config(i, &scope)
                        .map(|_| None)
                        .map_err(|e| e.to_string())
                });
            }
            Command::CreateConnection(c) => {
                let db = self.data_dir.join(local_db_file());
                self.services
                    .change(&db, |d, i| services::create_connection(d, i, &c));
            }
            Command::DeleteConnection(kind, name) => {
                let db = self.data_dir.join(local_db_file());
                self.services.change(&db, |d, i| {
                    let kind = zis_services::db::ConnectionKind::parse(&kind)
                        .ok_or_else(|| format!("unknown kind {kind}"))?;
                    d.delete_connection(i, kind, &name)
                        .map(|_| None)
                        .map_err(|e| e.to_string())
                });
            }
            Command::ShowLinks(link_type) => {
                let (db, key) = (self.data_dir.join(local_db_file()), self.integration_key());
                self.services.link_type = link_type;
                self.services.reload(&db, &key);
            }
            Command::CreateLink(t, l, r) => {
                let db = self.data_dir.join(local_db_file());
                self.services.link_type.clone_from(&t);
                self.services
                    .change(&db, |d, i| services::create_link(d, i, &t, &l, &r));
            }
            Command::EditLink(e) => {
                let db = self.data_dir.join(local_db_file());
                self.services
                    .change(&db, |d, i| services::edit_link(d, i, &e));
            }
            Command::DeleteLink(t, l, r) => {
                let db = self.data_dir.join(local_db_file());
                self.services.change(&db, |d, i| {
                    d.delete_link(i, &t, &l, &r)
                        .map(|_| None)
                        .map_err(|e| e.to_string())
                });
            }
            Command::CreateWebhook(source, event_type) => {
                let db = self.data_dir.join(local_db_file());
                let url = services::base_url(&self.services);
                self.services.change(&db, |d, i| {
                    d.create_webhook(i, source.trim(), event_type.trim(), &url)
                        .map(Some)
                        .map_err(|e| e.to_string())
                });
            }
            Command::DeleteWebhook(id) => {
                let db = self.data_dir.join(local_db_file());
                self.services.change(&db, |d, i| {
                    d.delete_webhook(i, &id)
                        .map(|_| None)
                        .map_err(|e| e.to_string())
                });
            }
            Command::StartServer(port) => {
                let db = self.data_dir.join(local_db_file());
                let dir = self.data_dir.clone();
                self.services.start_server(&dir, &db, port);
                let key = self.integration_key();
                self.services.reload(&db, &key);
            }
            Command::StopServer => self.services.stop_server(),
            Command::RefreshExecutions => {
                let db = self.data_dir.join(local_db_file());
                self.executions.refresh(&db);
            }
            Command::OpenExecution(id) => {
                let db = self.data_dir.join(local_db_file());
                if let Err(e) = self.executions.open(&db, id) {
                    self.message = Some(format!("cannot open execution {id}: {e}"));
                }
                self.rerun_of = None;
            }
            Command::CloseExecution => {
                self.executions.opened = None;
                self.rerun_of = None;
            }
            Command::ReplayStep(i) => {
                if let Some(o) = &mut self.executions.opened {
                    o.step = i.min(o.history.len().saturating_sub(1));
                }
            }
            Command::ExportExecution(path) => {
                self.message = Some(match self.executions.export(&path) {
                    Ok(()) => format!("exported to {}", path.display()),
                    Err(e) => e,
                });
            }
            Command::ImportExecution(path) => {
                self.message = Some(match self.executions.import(&path) {
                    Ok(()) => format!("opened {}", path.display()),
                    Err(e) => e,
                });
                self.rerun_of = None;
            }
            Command::RerunExecution => self.rerun(),
            Command::DebugFromStored(i) => self.debug_from_stored(i),
            Command::ExportGraph(path, format) => {
                self.message = Some(match self.export_graph(&path, format) {
                    Ok(()) => format!("graph exported to {}", path.display()),
                    Err(e) => format!("not exported: {e:#}"),
                });
            }
            Command::ShowRemote(w) => {
                self.remote.window = w;
                self.remote.error = None;
            }
            Command::PlanDeploy(request, remember) => self.plan_deploy(request, remember),
            Command::ApplyDeploy => self.remote.apply(),
            Command::CancelRemote => self.remote.cancel(),
            Command::ListRemote(account, integration, remember) => {
                self.remember(&account, remember);
                self.remote.list(account, integration);
            }
            Command::OpenRemote(name) => self.remote.fetch(&name),
            Command::ForgetAccount(base) => {
                if let Err(e) = accounts::forget(&self.data_dir, &base) {
                    self.remote.error = Some(format!("cannot forget the token: {e}"));
                }
                self.accounts = accounts::load(&self.data_dir);
            }
            Command::ExportReport(path) => {
                let written = match (&self.graph, &self.debug) {
                    (Some(g), Some(s)) => {
                        std::fs::write(&path, crate::export::session_report(g, s))
                            .map_err(|e| format!("not exported: {e}"))
                    }
                    _ => Err("not exported: start a run in the Debugger first".to_string()),
                };
                self.message = Some(match written {
                    Ok(()) => format!("report exported to {}", path.display()),
                    Err(e) => e,
                });
            }
            Command::DebugForce(target) => {
                let result = match &mut self.debug {
                    Some(s) => s.force(&target),
                    None => Err("no session".into()),
                };
                if let Err(e) = result {
                    self.message = Some(format!("cannot force the branch: {e}"));
                }
            }
            Command::AddWatch(path) => {
                let path = path.trim().to_string();
                if !path.is_empty() && !self.sidecar.watches.contains(&path) {
                    self.sidecar.watches.push(path);
                    self.save_sidecar();
                }
            }
            Command::RemoveWatch(i) => {
                if i < self.sidecar.watches.len() {
                    self.sidecar.watches.remove(i);
                    self.save_sidecar();
                }
            }
            Command::DebugEvent(source, event_type) => {
                self.debug_event = Some((source, event_type));
                self.debug_payload = None;
            }
            Command::DebugPayload(text) => match text {
                None => self.debug_payload = None,
                Some(t) => match serde_json::from_str(&t) {
                    Ok(v) => self.debug_payload = Some(v),
                    Err(e) => {
                        self.message = Some(format!("the payload does not parse: {e}"));
                    }
                },
            },
            Command::ToggleBreakpoint(state) => {
                if let Some(name) = state.or_else(|| self.selected_state.clone()) {
                    let key = self.layout_key();
                    self.sidecar.breakpoints.toggle(&key, &name);
                    self.save_sidecar();
                }
            }
            Command::BreakOnError(on) => {
                self.sidecar.breakpoints.on_error = on;
                self.save_sidecar();
            }
            Command::AddCondition(text) => match serde_json::from_str::<serde_json::Value>(&text) {
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
            Command::RemoveCondition(i) => {
                if i < self.sidecar.breakpoints.conditions.len() {
                    self.sidecar.breakpoints.conditions.remove(i);
                    self.save_sidecar();
                }
            }
            Command::DebugPause => {
                if let Some(s) = &mut self.debug {
                    s.request_pause();
                }
            }
            Command::BreakAtTransition(n) => {
                self.sidecar.breakpoints.at_transition = n;
                self.save_sidecar();
            }
            Command::SetMock {
                action,
                attempt,
                outcome,
            } => {
                self.sidecar
                    .mocks
                    .retain(|m| !(m.action == action && m.attempt == attempt));
                if let Some(outcome) = outcome {
                    self.sidecar.mocks.push(debug::Mock {
                        action,
                        attempt,
                        outcome,
                    });
                }
                self.save_sidecar();
            }
            Command::SetRealTime(on) => self.real_time = on,
            Command::LoadRecordedEvents => {
                let db = self.data_dir.join(local_db_file());
                match zis_services::db::Db::open(&db).and_then(|d| d.events(50)) {
                    Ok(events) => self.recorded_events = events,
                    Err(e) => self.message = Some(format!("cannot read the events: {e}")),
                }
            }
            Command::UseRecordedEvent(id) => {
                if let Some(e) = self.recorded_events.iter().find(|e| e.id == id) {
                    self.debug_event = Some((e.event_source.clone(), e.event_type.clone()));
                    self.debug_payload = Some(e.input.clone());
                    self.message = Some(format!(
                        "the next run uses event #{id} ({}/{}, from {})",
                        e.event_source, e.event_type, e.origin
                    ));
                }
            }
            Command::SaveEvent { name, event, text } => {
                let name = name.trim().to_string();
                match serde_json::from_str::<serde_json::Value>(&text) {
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
                    Err(e) => {
                        self.message = Some(format!(
                            "the payload does not parse ({}:{}): {e}",
                            e.line(),
                            e.column()
                        ));
                    }
                }
            }
            Command::UseSavedEvent(name) => {
                if let Some(e) = self.sidecar.events.get(&name) {
                    self.debug_event = Some((e.source.clone(), e.event_type.clone()));
                    self.debug_payload = Some(e.payload.clone());
                    self.message = Some(format!(
                        "the next run uses the saved event {name} ({}/{})",
                        e.source, e.event_type
                    ));
                }
            }
            Command::DeleteSavedEvent(name) => {
                if self.sidecar.events.remove(&name).is_some() {
                    self.save_sidecar();
                }
            }
            Command::DebugJobSpec(key) => self.debug_job_spec(&key),
            Command::SaveAsTest(name) => {
                let result = match (&self.path, &self.debug) {
                    (Some(path), Some(s)) => {
                        crate::flowtest::save_session(path, s, &self.sidecar.mocks, &name)
                    }
                    (None, _) => Err("save the bundle first: tests live next to it".into()),
                    (_, None) => Err("no session to save".into()),
                };
                self.message = Some(match result {
                    Ok(p) => format!("saved the test to {}", p.display()),
                    Err(e) => format!("cannot save the test: {e}"),
                });
            }
            Command::SetTheme(theme) => {
                self.theme = theme;
                self.prefs.theme = theme;
                self.save_prefs();
            }
            Command::Open(path) => self.ask_then(Pending::Open(path)),
            Command::New => self.ask_then(Pending::New),
            Command::RequestClose => self.ask_then(Pending::Close),
            Command::Answer(answer) => self.answer(answer),
            Command::Save => {
                self.save();
            }
            Command::SaveAs(path) => {
                self.save_as(&path);
            }
            Command::Select(key) => {
                self.map_path.clear();
                self.select(Some(key));
            }
            Command::Reveal(pointer) => {
                if let Some(t) = resources::locate(&pointer) {
                    self.go_to(t.resource, t.map_path, t.state);
                    self.focus_field = Some(t.pointer);
                }
            }
            Command::Goto(hit) => self.go_to(hit.resource, hit.map_path, hit.state),
            Command::Find(query) => {
                self.find_hits = self
                    .document
                    .as_ref()
                    .map(|d| resources::find(d.value(), &query))
                    .unwrap_or_default();
                self.find_query = query;
            }
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::Copy => self.copy(),
            Command::Cut => {
                self.copy();
                self.delete_selection();
            }
            Command::Paste => self.paste(),
            Command::Duplicate => {
                self.copy();
                self.paste();
            }
            Command::Delete => self.delete_selection(),
            Command::AddState {
                type_name,
                action,
                pos,
                from,
            } => self.add_state(&type_name, action.as_deref(), pos, from),
            Command::Connect { from, port, to } => {
                self.edit_flow(|def| edit::connect(def, &from, port, &to));
            }
            Command::Disconnect { from, port } => {
                self.edit_flow(|def| edit::disconnect(def, &from, port));
            }
            Command::RenameState { old, new } => {
                let new = new.trim().to_string();
                if self.edit_flow(|def| edit::rename_state(def, &old, &new)) {
                    let key = self.layout_key();
                    if let Some(pos) = self
                        .sidecar
                        .layout
                        .get_mut(&key)
                        .and_then(|l| l.remove(&old))
                    {
                        self.sidecar.set(&key, &new, pos);
                        self.save_sidecar();
                    }
                    for s in self.selection.iter_mut().chain(&mut self.selected_state) {
                        if *s == old {
                            s.clone_from(&new);
                        }
                    }
                    self.rebuild();
                }
            }
            Command::SetStart(name) => {
                self.edit_flow(|def| edit::set_start(def, &name));
            }
            Command::SetField { pointer, value } => {
                let done = self.edit_value(coalesce.clone(), |root| {
                    if edit::set_at(root, &pointer, value) {
                        Ok(())
                    } else {
                        Err(format!("nothing at {pointer} to change"))
                    }
                });
                if done {
                    self.last_edit = coalesce;
                }
            }
            Command::SetJson { pointer, text } => {
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(value) => {
                        self.json_error = None;
                        let done = self.edit_value(coalesce.clone(), |root| {
                            if edit::set_at(root, &pointer, Some(value)) {
                                Ok(())
                            } else {
                                Err(format!("nothing at {pointer} to change"))
                            }
                        });
                        if done {
                            self.last_edit = coalesce;
                        }
                    }
                    Err(e) => {
                        self.json_error =
                            Some((pointer, format!("{}:{}: {e}", e.line(), e.column())));
                    }
                }
            }
            Command::RenameKey { pointer, old, new } => {
                self.edit_value(None, |root| {
                    let obj = root
                        .pointer_mut(&pointer)
                        .and_then(serde_json::Value::as_object_mut)
                        .ok_or_else(|| format!("no object at {pointer}"))?;
                    if edit::rename_key(obj, &old, &new) {
                        Ok(())
                    } else {
                        Err(format!(
                            "cannot rename {old:?} to {new:?}: the name is taken or empty"
                        ))
                    }
                });
            }
            Command::OpenMap(state) => {
                let mut path = self.map_path.clone();
                path.push(state);
                let key = self.selected.clone();
                self.map_path = path;
                if self.def_value().is_none() {
                    self.map_path.pop();
                    self.message = Some("that state has no Iterator to open".into());
                    return;
                }
                self.select_keep_path(key);
            }
            Command::MapLevel(n) => {
                self.map_path.truncate(n);
                let key = self.selected.clone();
                self.select_keep_path(key);
            }
            Command::AddResource(kind) => self.add_resource(kind),
            Command::RenameResource { key, new } => {
                let new = new.trim().to_string();
                let kind = self
                    .rows
                    .iter()
                    .find(|r| r.key == key)
                    .map_or(ResourceKind::Other, |r| r.kind);
                let done = self.edit_value(None, |root| {
                    if resources::rename(root, &key, &new, kind) {
                        Ok(())
                    } else {
                        Err(format!(
                            "cannot rename {key} to {new:?}: the name is taken or empty"
                        ))
                    }
                });
                if done {
                    if let Some(map) = self.sidecar.layout.remove(&key) {
                        self.sidecar.layout.insert(new.clone(), map);
                        self.save_sidecar();
                    }
                    if self.selected.as_deref() == Some(key.as_str()) {
                        self.selected = Some(new);
                        self.rebuild();
                    }
                }
            }
            Command::DeleteResource(key) => {
                let done = self.edit_value(None, |root| {
                    root.get_mut("resources")
                        .and_then(serde_json::Value::as_object_mut)
                        .and_then(|r| r.shift_remove(&key))
                        .map(|_| ())
                        .ok_or_else(|| format!("no resource {key}"))
                });
                if done && self.selected.as_deref() == Some(key.as_str()) {
                    let first = self.rows.first().map(|r| r.key.clone());
                    self.map_path.clear();
                    self.select(first);
                }
            }
        }
    }

    /// Opens a bundle now (no question asked); a syntax error keeps the file name and shows
    /// the problem.
    pub fn open(&mut self, path: &Path) {
        self.path = Some(path.to_path_buf());
        self.sidecar = Sidecar::load(path);
        self.selected = None;
        self.map_path.clear();
        self.document = None;
        self.open_error = None;
        self.undo.clear();
        self.redo.clear();
        self.modified = false;
        self.json_error = None;
        self.find_hits.clear();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.open_error = Some(format!("cannot read {}: {e}", path.display()));
                self.diagnostics.clear();
                self.rows.clear();
                self.states.clear();
                self.graph = None;
                return;
            }
        };
        self.prefs.touch(path);
        self.save_prefs();
        self.load_text(text, Some(path));
    }

    fn load_text(&mut self, text: String, path: Option<&Path>) {
        self.diagnostics = validate::validate_bundle_text(&text, Options::default());
        match Document::parse(text) {
            Ok(doc) => self.document = Some(doc),
            Err(e) => {
                let name = path.map_or("new bundle".into(), |p| p.display().to_string());
                self.open_error = Some(format!("{name}:{e}"));
            }
        }
        self.rows = self.build_rows();
        let first = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow)
            .or(self.rows.first())
            .map(|r| r.key.clone());
        self.select(first);
    }

    /// Starts a new bundle from [`NEW_BUNDLE`], not saved anywhere yet.
    pub fn new_bundle(&mut self) {
        self.path = None;
        self.sidecar = Sidecar::default();
        self.document = None;
        self.open_error = None;
        self.undo.clear();
        self.redo.clear();
        self.map_path.clear();
        self.selected = None;
        self.load_text(NEW_BUNDLE.to_string(), None);
        self.modified = true;
    }

    fn ask_then(&mut self, pending: Pending) {
        if self.modified {
            self.prompt = Some(pending);
        } else {
            self.proceed(pending);
        }
    }

    fn proceed(&mut self, pending: Pending) {
        match pending {
            Pending::Open(path) => self.open(&path),
            Pending::New => self.new_bundle(),
            Pending::Close => self.close_now = true,
        }
    }

    fn answer(&mut self, answer: PromptAnswer) {
        let Some(pending) = self.prompt.take() else {
            return;
        };
        match answer {
            PromptAnswer::Cancel => {}
            PromptAnswer::Discard => self.proceed(pending),
            PromptAnswer::Save => {
                if self.path.is_none() {
                    // The window asks for a file name; the pending action waits for it.
                    self.prompt = Some(pending);
                    self.want_save_as = true;
                } else if self.save() {
                    self.proceed(pending);
                }
            }
        }
    }

    /// Writes the bundle to its file: only the edited parts of the text change. `false` (and
    /// a message) when it cannot.
    pub fn save(&mut self) -> bool {
        let Some(path) = self.path.clone() else {
            self.want_save_as = true;
            return false;
        };
        self.save_as(&path)
    }

    /// Writes the bundle to `path`, which becomes its file.
    pub fn save_as(&mut self, path: &Path) -> bool {
        let Some(doc) = &mut self.document else {
            return false;
        };
        let text = doc.render();
        if let Err(e) = std::fs::write(path, &text) {
            self.message = Some(format!("cannot save {}: {e}", path.display()));
            return false;
        }
        if let Err(e) = doc.mark_saved(text) {
            self.message = Some(format!("saved, but cannot read it back: {e}"));
        }
        let moved = self.path.as_deref() != Some(path);
        self.path = Some(path.to_path_buf());
        if moved {
            self.save_sidecar();
        }
        self.modified = false;
        self.want_save_as = false;
        self.prefs.touch(path);
        self.save_prefs();
        self.message = Some(format!("saved {}", path.display()));
        self.revalidate();
        if let Some(pending) = self.prompt.take() {
            self.proceed(pending);
        }
        true
    }

    fn save_prefs(&self) {
        if let Err(e) = self.prefs.save(&self.data_dir) {
            tracing::warn!("cannot write preferences: {e}");
        }
    }

    fn go_to(&mut self, resource: String, map_path: Vec<String>, state: Option<String>) {
        if self.selected.as_ref() != Some(&resource) || self.map_path != map_path {
            self.map_path = map_path;
            self.select_keep_path(Some(resource));
        }
        self.selection = state.iter().cloned().collect();
        self.selected_state = state;
    }

    /// The pointer of the shown definition: the selected flow's, or a Map's iterator in it.
    pub fn def_pointer(&self) -> Option<String> {
        let key = self.selected.as_ref()?;
        let mut p = format!(
            "/resources/{}/properties/definition",
            zis_engine::json::pointer::escape(key)
        );
        for m in &self.map_path {
            p.push_str(&format!(
                "/States/{}/Iterator",
                zis_engine::json::pointer::escape(m)
            ));
        }
        Some(p)
    }

    /// The pointer of a state of the shown definition.
    pub fn state_pointer(&self, name: &str) -> Option<String> {
        Some(format!(
            "{}/States/{}",
            self.def_pointer()?,
            zis_engine::json::pointer::escape(name)
        ))
    }

    fn def_value(&self) -> Option<&serde_json::Value> {
        self.document
            .as_ref()?
            .value()
            .pointer(&self.def_pointer()?)
    }

    /// The sidecar key of the shown graph: the flow key, then the opened Map states.
    pub fn layout_key(&self) -> String {
        let mut key = self.selected.clone().unwrap_or_default();
        for m in &self.map_path {
            key.push('/');
            key.push_str(m);
        }
        key
    }

    /// True when there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// True when there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    fn snapshot(&self) -> Option<Snapshot> {
        Some(Snapshot {
            value: self.document.as_ref()?.value().clone(),
            sidecar: self.sidecar.clone(),
            selected: self.selected.clone(),
            map_path: self.map_path.clone(),
            selected_state: self.selected_state.clone(),
        })
    }

    fn push_undo(&mut self) {
        if let Some(s) = self.snapshot() {
            self.undo.push(s);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
            self.redo.clear();
        }
    }

    fn restore(&mut self, s: Snapshot) {
        if let Some(doc) = &mut self.document {
            *doc.value_mut() = s.value;
        }
        self.sidecar = s.sidecar;
        self.save_sidecar();
        self.map_path = s.map_path;
        self.selected = s.selected;
        self.after_edit();
        self.selection = s.selected_state.iter().cloned().collect();
        self.selected_state = s.selected_state;
    }

    fn undo(&mut self) {
        let Some(s) = self.undo.pop() else { return };
        if let Some(now) = self.snapshot() {
            self.redo.push(now);
        }
        self.restore(s);
        self.message = Some("undone".into());
    }

    fn redo(&mut self) {
        let Some(s) = self.redo.pop() else { return };
        if let Some(now) = self.snapshot() {
            self.undo.push(now);
        }
        self.restore(s);
        self.message = Some("redone".into());
    }

    /// Changes the bundle through `f` as one undo step (typing into the same field as the
    /// last edit extends that step). `false`, with the reason in the status bar, when `f`
    /// refuses or changes nothing.
    fn edit_value(
        &mut self,
        coalesce: Option<String>,
        f: impl FnOnce(&mut serde_json::Value) -> Result<(), String>,
    ) -> bool {
        let Some(doc) = &self.document else {
            return false;
        };
        let mut value = doc.value().clone();
        if let Err(e) = f(&mut value) {
            self.message = Some(e);
            return false;
        }
        if zis_engine::json::same_ordered(&value, doc.value()) {
            return false;
        }
        if coalesce.is_none() || coalesce != self.last_edit {
            self.push_undo();
        }
        self.pin_positions();
        if let Some(doc) = &mut self.document {
            *doc.value_mut() = value;
        }
        self.message = None;
        self.after_edit();
        true
    }

    /// Changes the shown definition through `f` as one undo step.
    fn edit_flow(
        &mut self,
        f: impl FnOnce(&mut serde_json::Value) -> Result<(), edit::EditError>,
    ) -> bool {
        let Some(pointer) = self.def_pointer() else {
            return false;
        };
        self.edit_value(None, |root| {
            let def = root
                .pointer_mut(&pointer)
                .ok_or_else(|| "the flow has no definition".to_string())?;
            f(def).map_err(|e| e.to_string())
        })
    }

    /// Keeps the shown graph's current positions in the sidecar so an edit does not move
    /// nodes that were placed by the auto layout.
    fn pin_positions(&mut self) {
        let Some(g) = &self.graph else { return };
        let key = self.layout_key();
        let stored = self.sidecar.layout.get(&key);
        let missing: Vec<(String, [f32; 2])> = g
            .nodes
            .iter()
            .filter(|n| stored.is_none_or(|s| !s.contains_key(&n.name)))
            .map(|n| (n.name.clone(), n.pos))
            .collect();
        for (name, pos) in missing {
            self.sidecar.set(&key, &name, pos);
        }
    }

    /// Everything derived from the bundle, after it changed.
    fn after_edit(&mut self) {
        self.modified = self.document.as_ref().is_some_and(Document::is_modified);
        self.revalidate();
        self.rows = self.build_rows();
        if self.def_value().is_none() {
            self.map_path.clear();
        }
        self.rebuild();
        if !self.find_query.is_empty() {
            let q = self.find_query.clone();
            self.apply(Command::Find(q));
        }
    }

    fn revalidate(&mut self) {
        if let Some(doc) = &self.document {
            self.diagnostics = doc.validate(Options::default());
        }
    }

    fn rebuild(&mut self) {
        self.states = self.build_states();
        self.graph = self.build_graph();
        self.graph_generation += 1;
        let names: Vec<String> = self.states.iter().map(|s| s.name.clone()).collect();
        self.selection.retain(|s| names.contains(s));
        if self
            .selected_state
            .as_ref()
            .is_some_and(|s| !names.contains(s))
        {
            self.selected_state = None;
        }
    }

    fn move_nodes(&mut self, moves: Vec<(String, [f32; 2])>) {
        if self.graph.is_none() || moves.is_empty() {
            return;
        }
        self.push_undo();
        let key = self.layout_key();
        for (state, pos) in moves {
            if let Some(g) = &mut self.graph
                && let Some(n) = g.nodes.iter_mut().find(|n| n.name == state)
            {
                n.pos = pos;
            }
            self.sidecar.set(&key, &state, pos);
        }
        self.save_sidecar();
    }

    fn targets(&self) -> Vec<String> {
        if self.selection.is_empty() {
            self.selected_state.iter().cloned().collect()
        } else {
            self.selection.clone()
        }
    }

    fn copy(&mut self) {
        let names = self.targets();
        let Some(def) = self.def_value() else { return };
        let positions = self.graph.as_ref();
        let clip: Vec<_> = edit::copy_states(def, &names)
            .into_iter()
            .map(|(name, value)| {
                let pos = positions
                    .and_then(|g| g.nodes.iter().find(|n| n.name == name))
                    .map(|n| n.pos);
                (name, value, pos)
            })
            .collect();
        if !clip.is_empty() {
            self.message = Some(format!(
                "copied {} state{}",
                clip.len(),
                if clip.len() == 1 { "" } else { "s" }
            ));
            self.clipboard = clip;
        }
    }

    fn paste(&mut self) {
        if self.clipboard.is_empty() {
            return;
        }
        let clip: Vec<(String, serde_json::Value)> = self
            .clipboard
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect();
        let mut names = std::collections::BTreeMap::new();
        let done = self.edit_flow(|def| {
            names = edit::paste_states(def, &clip)?;
            Ok(())
        });
        if !done {
            return;
        }
        let key = self.layout_key();
        for (old, _, pos) in &self.clipboard {
            if let (Some(new), Some(p)) = (names.get(old), pos) {
                self.sidecar.set(&key, new, [p[0] + 40.0, p[1] + 60.0]);
            }
        }
        self.save_sidecar();
        self.rebuild();
        self.selection = names.values().cloned().collect();
        self.selected_state = (self.selection.len() == 1)
            .then(|| self.selection.first().cloned())
            .flatten();
    }

    fn delete_selection(&mut self) {
        let names = self.targets();
        if names.is_empty() {
            return;
        }
        if self.edit_flow(|def| edit::delete_states(def, &names)) {
            self.message = Some(format!("deleted {}", names.join(", ")));
        }
    }

    fn add_state(
        &mut self,
        type_name: &str,
        action: Option<&str>,
        pos: [f32; 2],
        from: Option<(String, Port)>,
    ) {
        let base = edit::base_name(type_name, action);
        let mut name = String::new();
        let done = self.edit_flow(|def| {
            name = edit::add_state(def, &base, edit::template(type_name, action))?;
            if let Some((from, port)) = &from {
                edit::connect(def, from, *port, &name)?;
            }
            Ok(())
        });
        if done {
            let key = self.layout_key();
            self.sidecar.set(&key, &name, pos);
            self.save_sidecar();
            self.rebuild();
            self.selection = vec![name.clone()];
            self.selected_state = Some(name);
        }
    }

    fn add_resource(&mut self, kind: ResourceKind) {
        let base = match kind {
            ResourceKind::Flow => "new_flow",
            ResourceKind::Action => "new_action",
            _ => "new_job_spec",
        };
        let integration = self.integration_key();
        let first_flow = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow)
            .map_or("main_flow".to_string(), |r| r.name.clone());
        let mut key = String::new();
        let done = self.edit_value(None, |root| {
            let obj = root
                .as_object_mut()
                .ok_or_else(|| "the bundle is not an object".to_string())?;
            if !obj.contains_key("resources") {
                obj.insert(
                    "resources".into(),
                    serde_json::Value::Object(Default::default()),
                );
            }
            let res = obj
                .get_mut("resources")
                .and_then(serde_json::Value::as_object_mut)
                .ok_or_else(|| "resources is not an object".to_string())?;
            key = resources::unique_key(res, base);
            res.insert(
                key.clone(),
                resources::template(kind, &key, &integration, &first_flow),
            );
            Ok(())
        });
        if done {
            self.map_path.clear();
            self.select(Some(key));
        }
    }

    fn start_session(&mut self) {
        let (Some(doc), Some(key)) = (&self.document, &self.selected) else {
            return;
        };
        let db = self.data_dir.join(local_db_file());
        let mut engine = zis_services::dispatch::DispatchSettings::default().engine;
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

    fn debug_env(&self) -> Option<debug::Env> {
        let s = self.debug.as_ref()?;
        Some(debug::Env {
            db_path: self.data_dir.join(local_db_file()),
            bundle: self.document.as_ref()?.value().clone(),
            integration: s.integration.clone(),
            flow: s.flow.clone(),
            mocks: self.sidecar.mocks.clone(),
            breakpoints: self.sidecar.breakpoints.clone(),
            pause: std::sync::Arc::default(),
        })
    }

    fn debug_go(&mut self, how: debug::Go) {
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

    /// Takes a finished worker's steps and reads; true while one is at work.
    pub fn poll_run(&mut self) -> bool {
        let loading = self.executions.poll();
        let running = self.debug.as_mut().is_some_and(debug::Session::poll);
        self.comparison = match (&self.rerun_of, &self.debug) {
            (Some(stored), Some(s)) if s.busy.is_none() => match self.comparison.take() {
                Some((n, c)) if n == s.steps.len() => Some((n, c)),
                _ => {
                    let new: Vec<serde_json::Value> = s
                        .steps
                        .iter()
                        .map(|s| serde_json::to_value(&s.event).unwrap_or_default())
                        .collect();
                    Some((s.steps.len(), executions::compare(stored, &new)))
                }
            },
            _ => None,
        };
        if let Some(fetched) = self.remote.poll() {
            let path = remote::pulled_path(&self.data_dir, &fetched);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| {
                    std::fs::write(&path, zis_engine::json::write::canonical(&fetched.bundle))
                });
            match written {
                Ok(()) => {
                    self.remote.window = None;
                    self.apply(Command::Open(path));
                }
                Err(e) => self.remote.error = Some(format!("cannot write {}: {e}", path.display())),
            }
        }
        let running = running || self.remote.is_busy();
        if !running && let Some(s) = &mut self.debug {
            s.record(&self.data_dir.join(local_db_file()));
        }
        running || loading
    }

    /// Shows a job spec's flow and starts a session on the job spec's event type.
    fn debug_job_spec(&mut self, key: &str) {
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

    /// Runs the opened execution's event on the current bundle (its flow, its event type and
    /// input) to the end; the debugger shows the new run and the executions view compares.
    fn remember(&mut self, account: &accounts::Account, remember: bool) {
        if remember {
            if let Err(e) = accounts::save(&self.data_dir, account) {
                self.remote.error = Some(format!("cannot save the token: {e}"));
            }
            self.accounts = accounts::load(&self.data_dir);
        }
    }

    /// Validates the open bundle (errors stop the deploy) and reads the plan.
    fn plan_deploy(&mut self, request: remote::DeployRequest, remember: bool) {
        let Some(doc) = &self.document else {
            self.remote.error = Some("no bundle is open".into());
            return;
        };
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            self.remote.plan = None;
            self.remote.error = Some(format!(
                "not deployed: the bundle has {errors} error(s); see Problems"
            ));
            return;
        }
        let (bundle, text) = (doc.value().clone(), doc.render());
        let mut configs = serde_json::Map::new();
        if request.push_configs {
            match zis_services::db::Db::open(&self.data_dir.join(local_db_file()))
                .and_then(|db| db.configs(&request.integration, "*"))
            {
                Ok(list) => {
                    for c in list {
                        if let Some(scope) = c["scope"].as_str() {
                            configs.insert(scope.to_string(), c["config"].clone());
                        }
                    }
                }
                Err(e) => {
                    self.remote.error = Some(format!("cannot read the local configs: {e}"));
                    return;
                }
            }
        }
        self.remember(&request.account, remember);
        self.remote.plan(request, bundle, text, configs);
    }

    /// The shown graph as an image, with the debugger's path on it when the session runs
    /// this flow.
    fn export_graph(&self, path: &std::path::Path, format: GraphFormat) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let graph = self.graph.as_ref().context("no flow is shown")?;
        let (visits, taken) = match &self.debug {
            Some(s) if s.flow == graph.flow => (s.visits(), crate::export::path_taken(s)),
            _ => Default::default(),
        };
        let svg = crate::export::svg(graph, &visits, &taken);
        let bytes = match format {
            GraphFormat::Svg => svg.into_bytes(),
            GraphFormat::Png => crate::export::png(&svg, 2.0)?,
        };
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Shows the opened execution's flow and sets the debugger's event to its event (the
    /// stored payload when there is one).
    fn debug_opened_flow(&mut self) -> Result<(), String> {
        let opened = self
            .executions
            .opened
            .as_ref()
            .ok_or("no execution is open")?;
        let text = |k: &str| {
            opened
                .summary
                .get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let flow_name = text("flow")
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string();
        let event_type = text("event_type");
        let input = opened.event_input.clone();
        let key = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow && r.name == flow_name)
            .map(|r| r.key.clone())
            .ok_or_else(|| format!("the open bundle has no flow {flow_name}"))?;
        let source = zis_services::catalog::EVENTS
            .iter()
            .find(|e| e.event_type == event_type)
            .map_or("support", |e| e.source)
            .to_string();
        if self.selected.as_ref() != Some(&key) {
            self.map_path.clear();
            self.select(Some(key));
        }
        self.debug_event = Some((source, event_type));
        self.debug_payload = input;
        self.debug = None;
        Ok(())
    }

    fn rerun(&mut self) {
        let Some(opened) = &self.executions.opened else {
            return;
        };
        if opened.event_input.is_none() {
            self.message = Some("this execution has no stored event to run again".into());
            return;
        }
        let stored = opened.history.clone();
        if let Err(e) = self.debug_opened_flow() {
            self.message = Some(e);
            return;
        }
        self.rerun_of = Some(stored);
        self.comparison = None;
        self.debug_go(debug::Go::Continue);
    }

    /// A new session on the current bundle, paused before step `i` of the opened execution
    /// with the data that step had (a redrive from a chosen step).
    fn debug_from_stored(&mut self, i: usize) {
        let Some(step) = self
            .executions
            .opened
            .as_ref()
            .and_then(|o| o.history.get(i))
            .cloned()
        else {
            return;
        };
        if step
            .get("frames")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            self.message = Some("this step ran inside a Map: start from the Map's own step".into());
            return;
        }
        let state = step
            .get("state")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let data = step.get("input").cloned().unwrap_or_default();
        let result = self.debug_opened_flow().and_then(|()| {
            self.start_session();
            let s = self.debug.as_mut().ok_or("the session did not start")?;
            s.now
                .jump_to(&state)
                .map_err(|e| format!("{}: {}", e.error, e.cause))?;
            s.set_data(data)?;
            s.stopped_by = Some(format!("from step {} of the stored run", i + 1));
            Ok(())
        });
        self.rerun_of = None;
        self.message = Some(match result {
            Ok(()) => format!(
                "paused before {state} with the data it had in step {} of the stored run",
                i + 1
            ),
            Err(e) => format!("cannot start from step {}: {e}", i + 1),
        });
    }

    /// True while the debugger's worker runs.
    pub fn running(&self) -> bool {
        self.debug.as_ref().is_some_and(|s| s.busy.is_some()) || self.remote.is_busy()
    }

    fn select(&mut self, key: Option<String>) {
        self.map_path.clear();
        self.select_keep_path(key);
    }

    fn select_keep_path(&mut self, key: Option<String>) {
        if self.selected != key {
            self.debug = None;
        }
        self.selected = key;
        self.selected_state = None;
        self.selection.clear();
        self.json_error = None;
        self.rebuild();
    }

    fn save_sidecar(&self) {
        if let Some(path) = &self.path
            && let Err(e) = self.sidecar.save(path)
        {
            tracing::warn!("cannot write the layout next to {}: {e}", path.display());
        }
    }

    /// The shown definition as a graph (stored positions applied).
    fn build_graph(&self) -> Option<FlowGraph> {
        let (pointer, value) = (self.def_pointer()?, self.def_value()?);
        if self
            .rows
            .iter()
            .find(|r| Some(&r.key) == self.selected.as_ref())
            .is_none_or(|r| r.kind != ResourceKind::Flow)
        {
            return None;
        }
        let (def, _) = FlowDefinition::from_value(value, &pointer);
        let mut problems = HashMap::new();
        let states: Vec<(String, String)> = def
            .states()
            .iter()
            .map(|s| (s.name.to_string(), format!("{}/", s.pointer)))
            .collect();
        for d in &self.diagnostics {
            for (name, prefix) in &states {
                if d.pointer.starts_with(prefix.as_str())
                    || prefix.strip_suffix('/') == Some(d.pointer.as_str())
                {
                    *problems.entry(name.clone()).or_insert(0) += 1;
                }
            }
        }
        let mut g = graph::build(&self.layout_key(), &def, &problems);
        self.sidecar.apply(&mut g);
        Some(g)
    }

    /// The integration key references in the bundle use (`zis:<key>:flow:...`).
    pub fn integration_key(&self) -> String {
        self.document
            .as_ref()
            .map(|d| resources::integration_key(d.value()))
            .unwrap_or_default()
    }

    /// The bundle's `name`.
    pub fn bundle_name(&self) -> Option<String> {
        self.document
            .as_ref()?
            .value()
            .get("name")?
            .as_str()
            .map(str::to_string)
    }

    fn build_rows(&self) -> Vec<ResourceRow> {
        let Some(doc) = &self.document else {
            return Vec::new();
        };
        let (bundle, _) = doc.bundle();
        bundle
            .resources
            .iter()
            .map(|res| {
                let (kind, summary) = match &res.body {
                    ResourceBody::Flow(def) => {
                        let n = def.as_ref().map_or(0, |d| d.states().len());
                        (
                            ResourceKind::Flow,
                            format!("{n} state{}", if n == 1 { "" } else { "s" }),
                        )
                    }
                    ResourceBody::HttpAction(Some(a)) => {
                        let target = a.url.as_ref().or(a.path.as_ref()).map_or("", |t| t.value);
                        (
                            ResourceKind::Action,
                            format!("{} {target}", a.method.unwrap_or("?")),
                        )
                    }
                    ResourceBody::HttpAction(None) => (ResourceKind::Action, String::new()),
                    ResourceBody::JobSpec(j) => (
                        ResourceKind::JobSpec,
                        format!(
                            "{} / {} -> {}",
                            j.event_source.unwrap_or("?"),
                            j.event_type.unwrap_or("?"),
                            j.flow_name
                                .and_then(|f| f.rsplit(':').next())
                                .unwrap_or("?")
                        ),
                    ),
                    ResourceBody::Unknown => (
                        ResourceKind::Other,
                        res.type_name.unwrap_or_default().to_string(),
                    ),
                };
                let prefix = format!("{}/", res.pointer);
                let inside: Vec<&Diagnostic> = self
                    .diagnostics
                    .iter()
                    .filter(|d| d.pointer == res.pointer || d.pointer.starts_with(&prefix))
                    .collect();
                let errors = inside.iter().filter(|d| d.is_error()).count();
                ResourceRow {
                    key: res.key.to_string(),
                    kind,
                    name: res.name.unwrap_or(res.key).to_string(),
                    summary,
                    problems: (errors, inside.len() - errors),
                }
            })
            .collect()
    }

    /// The states of the selected flow, in source order.
    fn build_states(&self) -> Vec<StateRow> {
        let (Some(pointer), Some(value)) = (self.def_pointer(), self.def_value()) else {
            return Vec::new();
        };
        if !value
            .get("States")
            .is_some_and(serde_json::Value::is_object)
        {
            return Vec::new();
        }
        let (def, _) = FlowDefinition::from_value(value, &pointer);
        def.states()
            .iter()
            .map(|s| StateRow {
                name: s.name.to_string(),
                type_name: s.type_name.unwrap_or("?").to_string(),
                detail: match &s.kind {
                    StateKind::Action { action_name } => {
                        action_name.unwrap_or_default().to_string()
                    }
                    StateKind::Wait {
                        seconds,
                        seconds_path,
                        ..
                    } => seconds
                        .as_ref()
                        .map(|v| format!("{v} s"))
                        .or_else(|| seconds_path.map(str::to_string))
                        .unwrap_or_default(),
                    StateKind::Map { items_path, .. } => (*items_path)
                        .map(|p| format!("over {p}"))
                        .unwrap_or_default(),
                    StateKind::Choice { choices, .. } => {
                        format!("{} rule(s)", choices.as_ref().map_or(0, Vec::len))
                    }
                    StateKind::Succeed { message } => message.unwrap_or_default().to_string(),
                    StateKind::Fail { error, .. } => error.unwrap_or_default().to_string(),
                    _ => String::new(),
                },
                transitions: {
                    let mut t: Vec<String> = s
                        .targets()
                        .into_iter()
                        .map(|(n, _)| n.to_string())
                        .collect();
                    t.dedup();
                    if s.end == Some(true) {
                        t.push("(end)".into());
                    }
                    t
                },
                start: def.start_at == Some(s.name),
            })
            .collect()
    }
}
