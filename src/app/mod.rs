//! The app-state layer: [`AppState`] and the [`Command`]s that change it. No egui here: the
//! UI reads [`AppState`] and sends commands, and [`AppState::apply`] is the one door through
//! which state changes. Commands are grouped by area, each group in its own file with the
//! code that applies it:
//!
//! | module | group |
//! |---|---|
//! | [`file`] | [`FileCommand`]: open, new, save, close, exports |
//! | [`editing`] | [`EditCommand`]: every bundle edit as one undo step, undo and redo |
//! | [`view`] | [`ViewCommand`]: selection, Map levels, Find, Fit, theme |
//! | [`debugging`] | [`DebugCommand`]: sessions, stepping, events, watches, save as test |
//! | [`breakpoints`] | [`BreakpointCommand`]: breakpoints and mocks (kept in the sidecar) |
//! | [`stores`] | [`StoresCommand`]: the local stores and server |
//! | [`executions`] | [`ExecutionsCommand`]: stored executions, replay, re-run |
//! | [`remote`] | [`RemoteCommand`]: deploy to and open from a ZIS account |
//!
//! [`disk`] watches the open file and keeps recovery copies of unsaved work; [`derive`] rebuilds what is derived from the bundle (explorer rows, states, the graph)
//! after a change. The rules: only `apply` (and `poll_run`, which takes workers' answers)
//! changes state; a group's file changes only through its own commands and the shared
//! helpers in this file; no egui.

pub mod breakpoints;
pub mod command;
pub mod debugging;
pub mod derive;
pub mod disk;
pub mod editing;
pub mod error;
pub mod executions;
pub mod file;
pub mod remote;
pub mod stores;
#[cfg(test)]
mod tests;
pub mod view;

pub use breakpoints::BreakpointCommand;
pub use command::{Command, Commands};
pub use debugging::DebugCommand;
pub use editing::EditCommand;
pub use error::{AppError, AppResult};
pub use executions::ExecutionsCommand;
pub use file::FileCommand;
pub use remote::RemoteCommand;
pub use stores::StoresCommand;
pub use view::ViewCommand;

pub use crate::core::prefs::Theme;
pub use crate::core::resources::ResourceKind;
use crate::core::{accounts, data_dir, debug, edit, graph, prefs, resources};

use edit::Port;
use graph::{FlowGraph, Sidecar};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zis_engine::document::Document;
use zis_engine::model::{FlowDefinition, ResourceBody};
use zis_engine::validate::Diagnostic;

/// An image format for the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// Scalable vector graphics.
    Svg,
    /// A bitmap at twice the graph's size.
    Png,
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
pub(crate) struct Snapshot {
    value: serde_json::Value,
    /// Node positions: moves are edits. Breakpoints, mocks, watches and saved events are
    /// debugging settings outside the bundle's undo history: an undo never touches them.
    layout: std::collections::BTreeMap<String, std::collections::BTreeMap<String, [f32; 2]>>,
    selected: Option<String>,
    map_path: Vec<String>,
    selected_state: Option<String>,
}

/// A data folder's settings; none when it has no database yet (nothing is created).
fn load_data_settings(db: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    if !db.exists() {
        return Default::default();
    }
    zis_services::db::Db::open(db)
        .and_then(|db| zis_services::settings::load(&db))
        .unwrap_or_default()
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

/// How many edits undo remembers.
pub const UNDO_DEPTH: usize = 200;

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
    /// The validator's findings on the open bundle, with shape inference's, kept live as
    /// it is edited.
    pub diagnostics: Vec<Diagnostic>,
    /// The shape of `$` at every state of the open bundle's flows (`core::shapes`).
    pub shapes: Option<zis_engine::shape::bundle::BundleShapes>,
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
    /// Bumped by [`ViewCommand::Fit`]; the graph view fits when it changes.
    pub fit_requests: u64,
    /// Dark or light.
    pub theme: Theme,
    /// The debugging session on the selected flow.
    pub debug: Option<debug::Session>,
    /// The event the next session starts on (`None`: the flow's job spec's).
    pub debug_event: Option<(String, String)>,
    /// The payload the next session starts on (`None`: the catalog's sample).
    pub debug_payload: Option<serde_json::Value>,
    /// The last fuzz run of the shown flow ("Fuzz this flow").
    pub fuzz: Option<crate::core::fuzz::FlowReport>,
    /// Mocks of the session opened on a fuzz case (custom actions answer as in the fuzz
    /// run); cleared when another session starts.
    pub case_mocks: Vec<zis_services::runner::Mock>,
    /// A fuzz run at work off the UI thread: its report comes through here.
    pub fuzz_job: Option<std::sync::mpsc::Receiver<Option<crate::core::fuzz::FlowReport>>>,
    /// A test to save once the user says whether to save the edited bundle first (its name).
    pub save_test_waiting: Option<String>,
    /// The data folder's settings (`zis_services::settings`), read once and kept in step
    /// with what Run › Settings… stores, so no frame reads the database for them.
    pub data_settings: std::collections::BTreeMap<String, String>,
    /// The store's executions and the one opened for replay.
    pub executions: executions::Executions,
    /// A re-run of the opened execution is going: its stored history, to compare.
    pub rerun_of: Option<Vec<serde_json::Value>>,
    /// The stored run beside the re-run, worked out when the re-run's steps change (with
    /// how many steps it had then), not every frame.
    pub comparison: Option<(usize, executions::Comparison)>,
    /// The local stores and server as the Services view shows them.
    pub services: stores::Services,
    /// The account windows (deploy, open from an account).
    pub remote: remote::Remote,
    /// Accounts with a saved token (from `<data>/accounts.json`).
    pub accounts: Vec<accounts::Account>,
    /// Limits of jq transforms in the window's runs (the process's settings by default).
    pub jq_limits: zis_engine::jq::Limits,
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
    /// The open file on disk: its stamp, a change by another program, a recovery copy.
    pub disk: disk::Disk,
    /// Warnings the user must see until dismissed (a file moved aside, a bundle changed on
    /// disk): shown above the graph.
    pub warnings: Vec<String>,
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
    /// Shows a warning until the user dismisses it (and logs it).
    pub fn warn(&mut self, warning: impl Into<String>) {
        let w = warning.into();
        tracing::warn!("{w}");
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    /// The local stores' database in the data folder.
    pub fn db_path(&self) -> PathBuf {
        data_dir::db_path(&self.data_dir)
    }

    /// A state with the data folder set and nothing open; preferences are read from it.
    pub fn new(data_dir: PathBuf) -> Self {
        let (prefs, warning) = prefs::Prefs::load(&data_dir);
        Self {
            warnings: warning.into_iter().collect(),
            jq_limits: zis_services::runner::jq_limits(),
            theme: prefs.theme,
            prefs,
            accounts: accounts::load(&data_dir),
            data_settings: load_data_settings(&crate::core::data_dir::db_path(&data_dir)),
            data_dir,
            ..Self::default()
        }
    }

    /// Applies one command (of any group). A failure it shows the user (the status bar, a
    /// dock's error line) also goes to the log.
    pub fn apply(&mut self, command: impl Into<Command>) {
        let before = self.failures();
        self.apply_inner(command.into());
        let after = self.failures();
        for f in after.iter().flatten() {
            if !before.iter().flatten().any(|b| b == f) {
                tracing::warn!("{f}");
            }
        }
    }

    /// What the window shows as failed right now: the status bar's message when it says a
    /// thing was not done, and the docks' error lines.
    fn failures(&self) -> [Option<String>; 5] {
        let failed = |m: &String| error::reads_as_failure(m);
        [
            self.message.clone().filter(failed),
            self.services.error.clone(),
            self.remote.error.clone(),
            self.executions.error.clone(),
            self.open_error.clone(),
        ]
    }

    fn apply_inner(&mut self, command: Command) {
        let coalesce = command.coalesce_key();
        if coalesce.is_none() || coalesce != self.last_edit {
            self.last_edit = None;
        }
        match command {
            Command::File(c) => self.apply_file(c),
            Command::Edit(c) => self.apply_editing(c, coalesce),
            Command::View(c) => self.apply_view(c),
            Command::Debug(c) => self.apply_debugging(c),
            Command::Breakpoints(c) => self.apply_breakpoints(c),
            Command::Stores(c) => self.apply_stores(c),
            Command::Executions(c) => self.apply_executions(c),
            Command::Remote(c) => self.apply_remote(c),
        }
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

    /// Takes a finished worker's steps and reads; true while one is at work.
    pub fn poll_run(&mut self) -> bool {
        let loading = self.executions.poll();
        let before = self.debug.as_ref().map(|s| s.steps.len());
        let running = self.debug.as_mut().is_some_and(debug::Session::poll);
        // The graph follows the debugger: after a step, the Map level the next state is in
        // (Step into a Map opens its iterator; leaving it goes back out).
        if let Some(s) = &self.debug
            && s.busy.is_none()
            && before != Some(s.steps.len())
            && s.next_state().is_some()
        {
            let path: Vec<String> = s.now.map_path().into_iter().map(str::to_string).collect();
            if path != self.map_path && self.selected.as_deref() == Some(s.flow.as_str()) {
                self.map_path = path;
                let key = self.selected.clone();
                self.select_keep_path(key);
            }
        }
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
                    crate::core::files::write_atomic(
                        &path,
                        zis_engine::json::write::canonical(&fetched.bundle).as_bytes(),
                    )
                });
            match written {
                Ok(()) => {
                    self.remote.window = None;
                    self.apply(FileCommand::Open(path));
                }
                Err(e) => self.remote.error = Some(format!("cannot write {}: {e}", path.display())),
            }
        }
        if let Some(rx) = &self.fuzz_job {
            match rx.try_recv() {
                Ok(report) => {
                    if report.is_none() {
                        self.message =
                            Some("the flow is not started by a job spec: nothing to fuzz".into());
                    }
                    self.fuzz = report;
                    self.fuzz_job = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.message = Some("the fuzz run stopped without a report".into());
                    self.fuzz_job = None;
                }
            }
        }
        let running = running || self.remote.is_busy() || self.fuzz_job.is_some();
        let db = self.db_path();
        if !running && let Some(s) = &mut self.debug {
            s.record(&db);
        }
        running || loading
    }

    /// True while the debugger's worker, a fetch or a fuzz run is at work.
    pub fn running(&self) -> bool {
        self.debug.as_ref().is_some_and(|s| s.busy.is_some())
            || self.remote.is_busy()
            || self.fuzz_job.is_some()
    }

    fn save_sidecar(&self) {
        if let Some(path) = &self.path
            && let Err(e) = self.sidecar.save(path)
        {
            tracing::warn!("cannot write the layout next to {}: {e}", path.display());
        }
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
}
