//! The app's state and the commands that change it. No egui here: the GUI reads
//! [`AppState`] and sends [`Command`]s, and [`AppState::apply`] is the one place that
//! changes state.

pub mod graph;
pub mod run;

use graph::{FlowGraph, Sidecar};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zis_engine::document::Document;
use zis_engine::model::{ResourceBody, StateKind};
use zis_engine::validate::{self, Diagnostic, Options};

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a bundle file.
    Open(PathBuf),
    /// Select a resource by its key.
    Select(String),
    /// Select the resource a diagnostic points into.
    Reveal(String),
    /// A state's node was moved in the graph (stored in the sidecar, not the bundle).
    MoveNode {
        /// The state.
        state: String,
        /// Its new position.
        pos: [f32; 2],
    },
    /// Forget the selected flow's stored positions and lay it out again.
    AutoLayout,
    /// Select a state of the selected flow.
    SelectState(Option<String>),
    /// Fit the graph into view.
    Fit,
    /// Switch between the dark and the light theme.
    SetTheme(Theme),
    /// Run the selected flow on its job spec's sample event (off the UI thread).
    Run,
}

/// The window's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    /// The open bundle's path.
    pub path: Option<PathBuf>,
    /// The open bundle.
    pub document: Option<Document>,
    /// Why the last open failed.
    pub open_error: Option<String>,
    /// The validator's findings on the open bundle.
    pub diagnostics: Vec<Diagnostic>,
    /// The selected resource key.
    pub selected: Option<String>,
    /// The data folder for local stores.
    pub data_dir: PathBuf,
    /// Cached explorer rows.
    pub rows: Vec<ResourceRow>,
    /// The selected flow's states, rebuilt when the selection changes (not every frame).
    pub states: Vec<StateRow>,
    /// The selected flow as a graph.
    pub graph: Option<FlowGraph>,
    /// Bumped whenever the graph is rebuilt or laid out again, so the view reloads it.
    pub graph_generation: u64,
    /// The selected state of the graph.
    pub selected_state: Option<String>,
    /// Layout kept next to the bundle.
    pub sidecar: Sidecar,
    /// Bumped by [`Command::Fit`]; the graph view fits when it changes.
    pub fit_requests: u64,
    /// Dark or light.
    pub theme: Theme,
    /// The last run of the selected flow.
    pub run: Option<run::RunState>,
}

impl AppState {
    /// A state with the data folder set and nothing open.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            ..Self::default()
        }
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        match command {
            Command::MoveNode { state, pos } => {
                if let Some(g) = &mut self.graph {
                    if let Some(n) = g.nodes.iter_mut().find(|n| n.name == state) {
                        n.pos = pos;
                    }
                    self.sidecar.set(&g.flow, &state, pos);
                    self.save_sidecar();
                }
            }
            Command::AutoLayout => {
                if let Some(g) = &mut self.graph {
                    self.sidecar.layout.remove(&g.flow);
                    graph::layout(g);
                    self.graph_generation += 1;
                    self.save_sidecar();
                }
            }
            Command::SelectState(state) => self.selected_state = state,
            Command::Fit => self.fit_requests += 1,
            Command::Run => self.start_run(),
            Command::SetTheme(theme) => self.theme = theme,
            Command::Open(path) => self.open(&path),
            Command::Select(key) => self.select(Some(key)),
            Command::Reveal(pointer) => {
                let key = pointer
                    .strip_prefix("/resources/")
                    .and_then(|r| r.split('/').next());
                if let Some(key) = key {
                    self.select(Some(key.replace("~1", "/").replace("~0", "~")));
                }
            }
        }
    }

    /// Opens a bundle; a syntax error keeps the file name and shows the problem.
    pub fn open(&mut self, path: &Path) {
        self.path = Some(path.to_path_buf());
        self.sidecar = Sidecar::load(path);
        self.selected = None;
        self.document = None;
        self.open_error = None;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.open_error = Some(format!("cannot read {}: {e}", path.display()));
                self.diagnostics.clear();
                self.rows.clear();
                self.states.clear();
                return;
            }
        };
        self.diagnostics = validate::validate_bundle_text(&text, Options::default());
        match Document::parse(text) {
            Ok(doc) => self.document = Some(doc),
            Err(e) => self.open_error = Some(format!("{}:{e}", path.display())),
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

    fn start_run(&mut self) {
        if matches!(self.run, Some(run::RunState::Running(_))) {
            return;
        }
        let (Some(doc), Some(key)) = (&self.document, &self.selected) else {
            return;
        };
        let bundle = doc.value().clone();
        let Some(def) = bundle
            .pointer(&format!(
                "/resources/{}/properties/definition",
                zis_engine::json::pointer::escape(key)
            ))
            .cloned()
        else {
            return;
        };
        self.run = Some(run::RunState::Running(run::start(
            &self.data_dir,
            bundle,
            key,
            def,
        )));
    }

    /// Takes a finished run's result when there is one; true while a run is going.
    pub fn poll_run(&mut self) -> bool {
        if let Some(run::RunState::Running(rx)) = &self.run {
            match rx.try_recv() {
                Ok(result) => self.run = Some(run::RunState::Done(result)),
                Err(std::sync::mpsc::TryRecvError::Empty) => return true,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.run = None,
            }
        }
        false
    }

    /// The finished run's result.
    pub fn run_result(&self) -> Option<&run::RunResult> {
        match &self.run {
            Some(run::RunState::Done(r)) => Some(r),
            _ => None,
        }
    }

    fn select(&mut self, key: Option<String>) {
        if self.selected != key {
            self.run = None;
        }
        self.selected = key;
        self.selected_state = None;
        self.states = self.build_states();
        self.graph = self.build_graph();
        self.graph_generation += 1;
    }

    fn save_sidecar(&self) {
        if let Some(path) = &self.path
            && let Err(e) = self.sidecar.save(path)
        {
            tracing::warn!("cannot write the layout next to {}: {e}", path.display());
        }
    }

    /// The selected flow as a graph (stored positions applied).
    fn build_graph(&self) -> Option<FlowGraph> {
        let (doc, key) = (self.document.as_ref()?, self.selected.as_ref()?);
        let (bundle, _) = doc.bundle();
        let res = bundle.resources.iter().find(|r| r.key == key.as_str())?;
        let ResourceBody::Flow(Some(def)) = &res.body else {
            return None;
        };
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
        let mut g = graph::build(key, def, &problems);
        self.sidecar.apply(&mut g);
        Some(g)
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
                            "{} / {} → {}",
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
        let (Some(doc), Some(key)) = (&self.document, &self.selected) else {
            return Vec::new();
        };
        let (bundle, _) = doc.bundle();
        let Some(def) = bundle
            .resources
            .iter()
            .find(|r| r.key == key)
            .and_then(|r| match &r.body {
                ResourceBody::Flow(Some(d)) => Some(d.clone()),
                _ => None,
            })
        else {
            return Vec::new();
        };
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
