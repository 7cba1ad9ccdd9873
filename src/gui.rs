//! The egui window. It only draws [`AppState`] and collects [`Command`]s; [`StudioApp::show`]
//! applies them after drawing. A menu bar (File, Edit, View) with the keyboard map of
//! docs/ux-brief.md, the bundle explorer and Find on the left, the shown flow as a graph in
//! the centre ([`crate::graph_view`]), the inspector on the right ([`crate::inspector`]), the
//! problems and a status bar at the bottom; the unsaved-changes question as a modal.

use crate::app::{AppState, Command, Pending, PromptAnswer, ResourceKind, Theme};
use anyhow::Context as _;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText};
use std::path::PathBuf;
use std::sync::mpsc;

/// The sample bundle opened when no file is named.
pub const DEFAULT_SAMPLE: &str = "sample_bundles/urgent_ticket_to_slack.json";

/// What a file-name question is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open a bundle.
    Open,
    /// Save the bundle under a new name.
    SaveAs,
    /// Export the opened execution.
    ExportExecution,
    /// Open an exported execution.
    ImportExecution,
    /// Export the shown graph as SVG.
    ExportSvg,
    /// Export the shown graph as PNG.
    ExportPng,
    /// Export the debugger's execution as an HTML report.
    ExportReport,
}

impl PathPurpose {
    fn command(self, path: PathBuf) -> Command {
        match self {
            Self::Open => Command::Open(path),
            Self::SaveAs => Command::SaveAs(path),
            Self::ExportExecution => Command::ExportExecution(path),
            Self::ImportExecution => Command::ImportExecution(path),
            Self::ExportSvg => Command::ExportGraph(path, crate::app::GraphFormat::Svg),
            Self::ExportPng => Command::ExportGraph(path, crate::app::GraphFormat::Png),
            Self::ExportReport => Command::ExportReport(path),
        }
    }

    /// The file type it asks for: filter name, extension, default file name.
    fn file_type(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Open | Self::SaveAs => ("ZIS bundle", "json", "bundle.json"),
            Self::ExportExecution | Self::ImportExecution => {
                ("Execution", "json", "execution.json")
            }
            Self::ExportSvg => ("SVG image", "svg", "flow.svg"),
            Self::ExportPng => ("PNG image", "png", "flow.png"),
            Self::ExportReport => ("HTML report", "html", "execution.html"),
        }
    }
}

type DialogAnswer = mpsc::Receiver<Option<PathBuf>>;

/// The eframe app: state plus the commands gathered during a frame, and what only the
/// window keeps (graph widget, inspector drafts, dialogs).
pub struct StudioApp {
    /// Everything shown.
    pub state: AppState,
    pending: Vec<Command>,
    graph: crate::graph_view::GraphView,
    inspector: crate::inspector::Inspector,
    /// Use the system's file dialogs (off in tests: the path window is used instead).
    pub native_dialogs: bool,
    dialog: Option<(PathPurpose, std::time::Instant, DialogAnswer)>,
    /// The path window: purpose, typed path, and a note.
    path_window: Option<(PathPurpose, String, Option<String>)>,
    /// A resource being renamed in the explorer: key and typed name.
    renaming: Option<(String, String)>,
    focus_find: bool,
    close_sent: bool,
    debugger: crate::debugger::Debugger,
    executions_view: crate::executions_view::ExecutionsView,
    services_view: crate::services_view::ServicesView,
    remote_view: crate::remote_view::RemoteView,
    dock: Dock,
    had_session: bool,
}

/// The bottom dock's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Dock {
    /// The validator's findings.
    #[default]
    Problems,
    /// The debugging session.
    Debugger,
    /// The store's executions.
    Executions,
    /// The local stores and server.
    Services,
}

impl StudioApp {
    /// Wraps a state.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            pending: Vec::new(),
            graph: crate::graph_view::GraphView::default(),
            inspector: crate::inspector::Inspector::default(),
            native_dialogs: false,
            dialog: None,
            path_window: None,
            renaming: None,
            focus_find: false,
            close_sent: false,
            debugger: crate::debugger::Debugger::default(),
            executions_view: crate::executions_view::ExecutionsView::default(),
            services_view: crate::services_view::ServicesView::default(),
            remote_view: crate::remote_view::RemoteView::default(),
            dock: Dock::Problems,
            had_session: false,
        }
    }

    /// The graph's graph-to-screen transform in the last frame. Widgets inside the graph
    /// report their accessibility rectangles in graph units; this maps them to the screen.
    pub fn graph_transform(&self) -> Option<egui::emath::TSTransform> {
        self.graph.transform
    }

    /// Draws only the graph view (no panels) and applies its commands: what the designer
    /// benchmark times as "the graph view".
    pub fn graph_only(&mut self, ui: &mut egui::Ui) {
        self.graph.show(ui, &self.state, &mut self.pending);
        for command in self.pending.drain(..) {
            self.state.apply(command);
        }
    }

    /// A state's node frame in the last frame, in graph units.
    pub fn node_rect(&self, state: &str) -> Option<egui::Rect> {
        self.graph.node_rects.get(state).copied()
    }

    /// Asks for a file name: the system's dialog off the UI thread, or the path window.
    pub fn ask_path(&mut self, purpose: PathPurpose) {
        let (filter, ext, default_name) = purpose.file_type();
        let default_name = match (&self.state.graph, purpose) {
            (
                Some(g),
                PathPurpose::ExportSvg | PathPurpose::ExportPng | PathPurpose::ExportReport,
            ) => {
                format!("{}.{ext}", g.flow)
            }
            _ => default_name.to_string(),
        };
        if !self.native_dialogs {
            let start = match purpose {
                PathPurpose::Open | PathPurpose::SaveAs => self
                    .state
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                _ => self
                    .state
                    .path
                    .as_ref()
                    .and_then(|p| p.parent())
                    .map(|d| d.join(&default_name).display().to_string())
                    .unwrap_or(default_name),
            };
            self.path_window = Some((purpose, start, None));
            return;
        }
        let (tx, rx) = mpsc::channel();
        let dir = self
            .state
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(std::path::Path::to_path_buf);
        std::thread::spawn(move || {
            let mut d = rfd::FileDialog::new().add_filter(filter, &[ext]);
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            let picked = match purpose {
                PathPurpose::Open | PathPurpose::ImportExecution => d.pick_file(),
                _ => d.set_file_name(default_name).save_file(),
            };
            let _ = tx.send(picked);
        });
        self.dialog = Some((purpose, std::time::Instant::now(), rx));
    }

    fn poll_dialog(&mut self) {
        let Some((purpose, started, rx)) = &self.dialog else {
            return;
        };
        let (purpose, started) = (*purpose, *started);
        match rx.try_recv() {
            Ok(Some(path)) => {
                self.dialog = None;
                self.pending.push(purpose.command(path));
            }
            Ok(None) | Err(mpsc::TryRecvError::Disconnected) => {
                self.dialog = None;
                // No dialog could open (no portal, no zenity): ask in the window.
                if started.elapsed() < std::time::Duration::from_millis(400) {
                    self.path_window = Some((
                        purpose,
                        String::new(),
                        Some("No system file dialog is available; type the path.".into()),
                    ));
                } else if self.state.prompt.is_some() {
                    self.pending.push(Command::Answer(PromptAnswer::Cancel));
                }
            }
            Err(mpsc::TryRecvError::Empty) => {}
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let cmd = Modifiers::COMMAND;
        let shift_cmd = Modifiers::COMMAND | Modifiers::SHIFT;
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        // Shift variants first: Ctrl+S also matches Ctrl+Shift+S.
        if pressed(shift_cmd, Key::S) {
            self.ask_path(PathPurpose::SaveAs);
        } else if pressed(cmd, Key::S) {
            self.pending.push(Command::Save);
        }
        if pressed(cmd, Key::O) {
            self.ask_path(PathPurpose::Open);
        }
        if pressed(cmd, Key::N) {
            self.pending.push(Command::New);
        }
        if pressed(cmd, Key::F) {
            self.focus_find = true;
        }
        // The debugger's keys (docs/ux-brief.md).
        if pressed(Modifiers::SHIFT, Key::F5) {
            self.pending.push(Command::DebugStop);
        }
        if pressed(cmd, Key::F10) {
            self.pending.push(Command::DebugStepBack);
        } else if pressed(Modifiers::NONE, Key::F10) {
            self.pending
                .push(Command::DebugGo(crate::app::debug::Go::StepOver));
        }
        if pressed(Modifiers::SHIFT, Key::F11) {
            self.pending
                .push(Command::DebugGo(crate::app::debug::Go::StepOut));
        } else if pressed(Modifiers::NONE, Key::F11) {
            self.pending
                .push(Command::DebugGo(crate::app::debug::Go::Step));
        }
        if pressed(Modifiers::NONE, Key::F9) {
            self.pending.push(Command::ToggleBreakpoint(None));
        }
        if typing {
            return;
        }
        if pressed(shift_cmd, Key::Z) || pressed(cmd, Key::Y) {
            self.pending.push(Command::Redo);
        } else if pressed(cmd, Key::Z) {
            self.pending.push(Command::Undo);
        }
        if pressed(cmd, Key::D) {
            self.pending.push(Command::Duplicate);
        }
        if pressed(cmd, Key::A) {
            self.pending.push(Command::SelectAll);
        }
        if pressed(Modifiers::NONE, Key::Delete) || pressed(Modifiers::NONE, Key::Backspace) {
            self.pending.push(Command::Delete);
        }
        // egui turns Ctrl+C, Ctrl+X and Ctrl+V into clipboard events.
        let events = ctx.input(|i| i.events.clone());
        for e in events {
            match e {
                egui::Event::Copy => self.pending.push(Command::Copy),
                egui::Event::Cut => self.pending.push(Command::Cut),
                egui::Event::Paste(_) => self.pending.push(Command::Paste),
                _ => {}
            }
        }
    }

    /// Draws one frame into `ui`, then applies what the user asked for.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let wanted = match self.state.theme {
            Theme::Dark => egui::Theme::Dark,
            Theme::Light => egui::Theme::Light,
        };
        if ui.ctx().theme() != wanted {
            ui.ctx().set_theme(wanted);
        }
        if self.state.poll_run() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        // A bundle dropped on the window opens.
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.pending.push(Command::Open(path));
        }
        let ctx = ui.ctx().clone();
        // Closing with unsaved changes asks first.
        if ctx.input(|i| i.viewport().close_requested()) && !self.state.close_now {
            if self.state.modified {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            }
            self.pending.push(Command::RequestClose);
        }
        self.poll_dialog();
        if self.state.want_save_as && self.path_window.is_none() && self.dialog.is_none() {
            self.state.want_save_as = false;
            self.ask_path(PathPurpose::SaveAs);
        }
        self.shortcuts(&ctx);
        let mut ask = None;
        top_bar_ui(ui, &self.state, &mut self.pending, &mut ask);
        if let Some(p) = ask {
            self.ask_path(p);
        }
        status_bar_ui(ui, &self.state);
        // The bottom dock: Problems while editing, the Debugger once a session runs.
        let has_session = self.state.debug.is_some();
        if has_session && !self.had_session && self.dock != Dock::Executions {
            self.dock = Dock::Debugger;
        }
        self.had_session = has_session;
        let mut ask_exec = None;
        {
            let (state, debugger, executions, services, pending, dock) = (
                &self.state,
                &mut self.debugger,
                &mut self.executions_view,
                &mut self.services_view,
                &mut self.pending,
                &mut self.dock,
            );
            egui::Panel::bottom("dock")
                .resizable(true)
                .default_size(180.0)
                .min_size(if *dock == Dock::Problems { 60.0 } else { 280.0 })
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        let problems = format!("Problems ({})", state.diagnostics.len());
                        ui.selectable_value(dock, Dock::Problems, problems);
                        ui.selectable_value(dock, Dock::Debugger, "Debugger");
                        ui.selectable_value(dock, Dock::Executions, "Executions");
                        ui.selectable_value(dock, Dock::Services, "Services");
                    });
                    ui.separator();
                    match dock {
                        Dock::Debugger => debugger.ui(ui, state, pending),
                        Dock::Executions => ask_exec = executions.ui(ui, state, pending),
                        Dock::Problems => problems_ui(ui, state, pending),
                        Dock::Services => services.ui(ui, state, pending),
                    }
                });
        }
        match ask_exec {
            Some(crate::executions_view::Ask::Export) => {
                self.ask_path(PathPurpose::ExportExecution);
            }
            Some(crate::executions_view::Ask::Import) => {
                self.ask_path(PathPurpose::ImportExecution);
            }
            Some(crate::executions_view::Ask::Debugger) => self.dock = Dock::Debugger,
            None => {}
        }
        self.explorer_ui(ui);
        if self.state.graph.is_some() {
            let (state, inspector, pending) = (&self.state, &mut self.inspector, &mut self.pending);
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(360.0)
                .size_range(260.0..=620.0)
                .show(ui, |ui| inspector_ui(ui, state, inspector, pending));
        }
        let (state, graph, inspector, pending) = (
            &self.state,
            &mut self.graph,
            &mut self.inspector,
            &mut self.pending,
        );
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if state.graph.is_some() {
                detail_heading_ui(ui, state);
                graph.show(ui, state, pending);
            } else {
                detail_ui(ui, state, inspector, pending);
            }
        });
        self.remote_view.show(&ctx, &self.state, &mut self.pending);
        self.prompt_ui(&ctx);
        self.path_window_ui(&ctx);
        for command in self.pending.drain(..) {
            self.state.apply(command);
        }
        if self.state.close_now && !self.close_sent {
            self.close_sent = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(pending) = &self.state.prompt else {
            return;
        };
        let what = match pending {
            Pending::Open(p) => format!("before opening {}", p.display()),
            Pending::New => "before starting a new bundle".into(),
            Pending::Close => "before closing".into(),
        };
        let name = self
            .state
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or("the new bundle".into(), |n| n.to_string_lossy().to_string());
        let out = &mut self.pending;
        egui::Modal::new(egui::Id::new("unsaved_prompt")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading("Unsaved changes");
            ui.label(format!("Save the changes to {name} {what}?"));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    out.push(Command::Answer(PromptAnswer::Save));
                }
                if ui.button("Don't save").clicked() {
                    out.push(Command::Answer(PromptAnswer::Discard));
                }
                if ui.button("Cancel").clicked() {
                    out.push(Command::Answer(PromptAnswer::Cancel));
                }
            });
        });
    }

    fn path_window_ui(&mut self, ctx: &egui::Context) {
        let Some((purpose, text, note)) = &mut self.path_window else {
            return;
        };
        let purpose = *purpose;
        let (title, action) = match purpose {
            PathPurpose::Open => ("Open bundle", "Open file"),
            PathPurpose::SaveAs => ("Save bundle as", "Save file"),
            PathPurpose::ExportExecution => ("Export execution", "Export"),
            PathPurpose::ImportExecution => ("Import execution", "Import"),
            PathPurpose::ExportSvg => ("Export graph as SVG", "Export"),
            PathPurpose::ExportPng => ("Export graph as PNG", "Export"),
            PathPurpose::ExportReport => ("Export execution report", "Export"),
        };
        let mut done = None;
        let mut close = false;
        egui::Modal::new(egui::Id::new("path_window")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading(title);
            if let Some(n) = note {
                ui.label(RichText::new(n.as_str()).weak());
            }
            let label = ui.label("File path");
            let resp = ui
                .add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            ui.horizontal(|ui| {
                if (ui.button(action).clicked() || enter) && !text.trim().is_empty() {
                    done = Some(PathBuf::from(text.trim()));
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if let Some(path) = done {
            self.path_window = None;
            self.pending.push(purpose.command(path));
        } else if close {
            self.path_window = None;
            if self.state.prompt.is_some() {
                self.pending.push(Command::Answer(PromptAnswer::Cancel));
            }
        }
    }

    fn explorer_ui(&mut self, ui: &mut egui::Ui) {
        let (state, out) = (&self.state, &mut self.pending);
        let renaming = &mut self.renaming;
        let focus_find = std::mem::take(&mut self.focus_find);
        egui::Panel::left("explorer")
            .resizable(true)
            .default_size(260.0)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label(RichText::new("Find").strong());
                    let mut q = state.find_query.clone();
                    let resp = ui
                        .add(
                            egui::TextEdit::singleline(&mut q)
                                .hint_text("state, action or text (Ctrl+F)")
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    if focus_find {
                        resp.request_focus();
                    }
                    if resp.changed() {
                        out.push(Command::Find(q));
                    }
                });
                if !state.find_query.trim().is_empty() {
                    ui.label(RichText::new(format!("{} found", state.find_hits.len())).weak());
                    egui::ScrollArea::vertical()
                        .id_salt("find_scroll")
                        .max_height(160.0)
                        .show(ui, |ui| {
                            for hit in &state.find_hits {
                                let mut place = hit.resource.clone();
                                for m in &hit.map_path {
                                    place.push_str(&format!(" > {m}"));
                                }
                                if ui
                                    .selectable_label(false, format!("{}  ·  {place}", hit.what))
                                    .clicked()
                                {
                                    out.push(Command::Goto(hit.clone()));
                                }
                            }
                        });
                }
                ui.separator();
                ui.label(RichText::new("Explorer").strong());
                egui::ScrollArea::vertical()
                    .id_salt("explorer_scroll")
                    .show(ui, |ui| explorer_rows_ui(ui, state, renaming, out));
            });
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// Colour of a resource kind, the same everywhere.
pub fn kind_colour(kind: ResourceKind) -> Color32 {
    match kind {
        ResourceKind::Flow => Color32::from_rgb(0x3b, 0x82, 0xf6),
        ResourceKind::Action => Color32::from_rgb(0x14, 0xb8, 0xa6),
        ResourceKind::JobSpec => Color32::from_rgb(0xf5, 0x9e, 0x0b),
        ResourceKind::Other => Color32::GRAY,
    }
}

/// Colour of a state type.
pub fn state_colour(type_name: &str) -> Color32 {
    match type_name {
        "Action" => Color32::from_rgb(0x3b, 0x82, 0xf6),
        "Choice" => Color32::from_rgb(0xf5, 0x9e, 0x0b),
        "Pass" => Color32::from_rgb(0x9c, 0xa3, 0xaf),
        "Wait" => Color32::from_rgb(0xa8, 0x55, 0xf7),
        "Map" => Color32::from_rgb(0x14, 0xb8, 0xa6),
        "Succeed" => Color32::from_rgb(0x22, 0xc5, 0x5e),
        "Fail" => Color32::from_rgb(0xef, 0x44, 0x44),
        _ => Color32::from_rgb(0xef, 0x44, 0x44),
    }
}

fn menu_item(ui: &mut egui::Ui, enabled: bool, text: &str, keys: &str) -> bool {
    let mut button = egui::Button::new(text);
    if !keys.is_empty() {
        button = button.shortcut_text(keys);
    }
    let clicked = ui.add_enabled(enabled, button).clicked();
    if clicked {
        ui.close();
    }
    clicked
}

fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    out: &mut Vec<Command>,
    ask: &mut Option<PathPurpose>,
) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            let open = state.document.is_some();
            ui.menu_button("File", |ui| {
                if menu_item(ui, true, "New", "Ctrl+N") {
                    out.push(Command::New);
                }
                if menu_item(ui, true, "Open…", "Ctrl+O") {
                    *ask = Some(PathPurpose::Open);
                }
                if menu_item(ui, true, "Open from a ZIS account…", "") {
                    out.push(Command::ShowRemote(Some(
                        crate::app::remote::RemoteWindow::Open,
                    )));
                }
                ui.menu_button("Open recent", |ui| {
                    if state.prefs.recent.is_empty() {
                        ui.label(RichText::new("nothing yet").weak());
                    }
                    for p in &state.prefs.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            out.push(Command::Open(p.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                if menu_item(ui, open, "Save", "Ctrl+S") {
                    out.push(Command::Save);
                }
                if menu_item(ui, open, "Save as…", "Ctrl+Shift+S") {
                    *ask = Some(PathPurpose::SaveAs);
                }
                ui.separator();
                if menu_item(ui, open, "Deploy to ZIS…", "") {
                    out.push(Command::ShowRemote(Some(
                        crate::app::remote::RemoteWindow::Deploy,
                    )));
                }
                ui.menu_button("Export", |ui| {
                    let graph = state.graph.is_some();
                    if menu_item(ui, graph, "Graph as SVG…", "") {
                        *ask = Some(PathPurpose::ExportSvg);
                    }
                    if menu_item(ui, graph, "Graph as PNG…", "") {
                        *ask = Some(PathPurpose::ExportPng);
                    }
                    let run = state.debug.is_some();
                    let item = ui
                        .add_enabled(run, egui::Button::new("Execution as HTML report…"))
                        .on_disabled_hover_text("Start a run in the Debugger first");
                    if item.clicked() {
                        *ask = Some(PathPurpose::ExportReport);
                        ui.close();
                    }
                });
                ui.separator();
                if menu_item(ui, true, "Quit", "") {
                    out.push(Command::RequestClose);
                }
            });
            ui.menu_button("Edit", |ui| {
                let has_graph = state.graph.is_some();
                let has_sel = !state.selection.is_empty() || state.selected_state.is_some();
                if menu_item(ui, state.can_undo(), "Undo", "Ctrl+Z") {
                    out.push(Command::Undo);
                }
                if menu_item(ui, state.can_redo(), "Redo", "Ctrl+Shift+Z") {
                    out.push(Command::Redo);
                }
                ui.separator();
                if menu_item(ui, has_sel, "Cut", "Ctrl+X") {
                    out.push(Command::Cut);
                }
                if menu_item(ui, has_sel, "Copy", "Ctrl+C") {
                    out.push(Command::Copy);
                }
                let can_paste = has_graph && !state.clipboard.is_empty();
                if menu_item(ui, can_paste, "Paste", "Ctrl+V") {
                    out.push(Command::Paste);
                }
                if menu_item(ui, has_sel, "Duplicate", "Ctrl+D") {
                    out.push(Command::Duplicate);
                }
                if menu_item(ui, has_sel, "Delete", "Del") {
                    out.push(Command::Delete);
                }
                ui.separator();
                if menu_item(ui, has_graph, "Select all", "Ctrl+A") {
                    out.push(Command::SelectAll);
                }
                if menu_item(ui, open, "Find", "Ctrl+F") {
                    out.push(Command::Find(state.find_query.clone()));
                }
            });
            ui.menu_button("View", |ui| {
                let has_graph = state.graph.is_some();
                if menu_item(ui, has_graph, "Fit", "F") {
                    out.push(Command::Fit);
                }
                if menu_item(ui, has_graph, "Auto layout", "Ctrl+L") {
                    out.push(Command::AutoLayout);
                }
                ui.menu_button("Zoom", |ui| {
                    ui.label("Ctrl+scroll zooms the graph; F fits it.");
                    let mut z = ui.ctx().zoom_factor();
                    let label = ui.label("UI scale");
                    if ui
                        .add(egui::Slider::new(&mut z, 0.7..=1.6).step_by(0.1))
                        .labelled_by(label.id)
                        .changed()
                    {
                        ui.ctx().set_zoom_factor(z);
                    }
                });
                ui.separator();
                let dark = state.theme == Theme::Dark;
                if ui.radio(dark, "Dark theme").clicked() {
                    out.push(Command::SetTheme(Theme::Dark));
                }
                if ui.radio(!dark, "Light theme").clicked() {
                    out.push(Command::SetTheme(Theme::Light));
                }
            });
            ui.separator();
            ui.heading("ZIS Studio");
            ui.separator();
            let name = state.bundle_name().unwrap_or_else(|| "no bundle".into());
            ui.label(RichText::new(name).strong());
            match &state.path {
                Some(path) => {
                    ui.label(RichText::new(path.display().to_string()).weak());
                }
                None if state.document.is_some() => {
                    ui.label(RichText::new("not saved yet").weak());
                }
                None => {}
            }
            if state.modified {
                ui.label(RichText::new("• modified").color(Color32::from_rgb(0xf5, 0x9e, 0x0b)));
            }
        });
    });
}

fn status_bar_ui(ui: &mut egui::Ui, state: &AppState) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let (errors, warnings) = zis_engine::validate::counts(&state.diagnostics);
            let counts = format!(
                "{errors} error{}, {warnings} warning{}",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
            let text = if errors == 0 {
                RichText::new(format!("validator ✔ {counts}"))
                    .color(Color32::from_rgb(0x22, 0xc5, 0x5e))
            } else {
                RichText::new(format!("validator ✖ {counts}"))
                    .color(Color32::from_rgb(0xef, 0x44, 0x44))
            };
            ui.label(text);
            ui.separator();
            if let Some(m) = &state.message {
                ui.label(RichText::new(m).strong());
                ui.separator();
            } else if let Some(key) = state.selected.as_ref().filter(|_| state.graph.is_some()) {
                ui.label(RichText::new(format!("Press F5 to run {key} on a sample event")).weak());
                ui.separator();
            }
            ui.label(format!("data {}", state.data_dir.display()));
        });
    });
}

fn problems_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    {
        {
            let _ = egui::ScrollArea::vertical()
                .id_salt("problems_scroll")
                .show(ui, |ui| {
                    if let Some(err) = &state.open_error {
                        ui.colored_label(Color32::from_rgb(0xef, 0x44, 0x44), err);
                    }
                    if state.diagnostics.is_empty() && state.open_error.is_none() {
                        ui.label(RichText::new("No problems: the bundle validates clean.").weak());
                    }
                    for d in &state.diagnostics {
                        let colour = if d.is_error() {
                            Color32::from_rgb(0xef, 0x44, 0x44)
                        } else {
                            Color32::from_rgb(0xf5, 0x9e, 0x0b)
                        };
                        let text =
                            format!("{}:{}  {}  {}", d.line, d.column, d.code.id(), d.message);
                        if ui
                            .add(egui::Button::new(RichText::new(text).color(colour)).frame(false))
                            .clicked()
                        {
                            out.push(Command::Reveal(d.pointer.clone()));
                        }
                    }
                });
        }
    }
}

fn explorer_rows_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    renaming: &mut Option<(String, String)>,
    out: &mut Vec<Command>,
) {
    for (kind, title, add) in [
        (ResourceKind::Flow, "Flows", "Add flow"),
        (ResourceKind::Action, "Actions", "Add action"),
        (ResourceKind::JobSpec, "Job specs", "Add job spec"),
        (ResourceKind::Other, "Other", ""),
    ] {
        let rows: Vec<_> = state.rows.iter().filter(|r| r.kind == kind).collect();
        if rows.is_empty() && kind == ResourceKind::Other {
            continue;
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label(RichText::new(title).color(kind_colour(kind)).strong());
            if !add.is_empty() && state.document.is_some() {
                let resp = ui.small_button("+").on_hover_text(add);
                resp.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Button, true, add));
                if resp.clicked() {
                    out.push(Command::AddResource(kind));
                }
            }
        });
        for row in rows {
            if let Some((key, draft)) = renaming.as_mut()
                && *key == row.key
            {
                let label = ui.label("New name");
                let resp = ui
                    .add(egui::TextEdit::singleline(draft).id_salt("rename_resource"))
                    .labelled_by(label.id);
                if !resp.has_focus() && !resp.lost_focus() {
                    resp.request_focus();
                }
                if resp.lost_focus() {
                    if ui.input(|i| i.key_pressed(Key::Enter)) && *draft != row.key {
                        out.push(Command::RenameResource {
                            key: row.key.clone(),
                            new: draft.clone(),
                        });
                    }
                    *renaming = None;
                }
                continue;
            }
            let selected = state.selected.as_deref() == Some(row.key.as_str());
            let mut label = row.name.clone();
            if row.problems.0 > 0 {
                label.push_str(&format!("  ✖ {}", row.problems.0));
            } else if row.problems.1 > 0 {
                label.push_str(&format!("  ⚠ {}", row.problems.1));
            }
            let resp = ui
                .selectable_label(selected, label)
                .on_hover_text(&row.summary);
            if resp.clicked() {
                out.push(Command::Select(row.key.clone()));
            }
            if resp.double_clicked() {
                *renaming = Some((row.key.clone(), row.key.clone()));
            }
            resp.context_menu(|ui| {
                if ui.button("Rename").clicked() {
                    *renaming = Some((row.key.clone(), row.key.clone()));
                    ui.close();
                }
                if ui.button("Delete").clicked() {
                    out.push(Command::DeleteResource(row.key.clone()));
                    ui.close();
                }
            });
        }
    }
}

fn detail_heading_ui(ui: &mut egui::Ui, state: &AppState) {
    let Some(row) = state
        .selected
        .as_ref()
        .and_then(|key| state.rows.iter().find(|r| &r.key == key))
    else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(&row.name)
                .heading()
                .color(kind_colour(row.kind)),
        );
        ui.label(RichText::new(&row.summary).weak());
    });
    ui.separator();
}

fn detail_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    inspector: &mut crate::inspector::Inspector,
    out: &mut Vec<Command>,
) {
    if state.document.is_none() {
        ui.label("Open a bundle to see its flows, actions and job specs (File > Open, Ctrl+O).");
        return;
    }
    if state.selected.is_none() {
        ui.label("Choose a resource in the explorer, or add one with +.");
        return;
    }
    detail_heading_ui(ui, state);
    inspector.resource_ui(ui, state, out);
}

/// The right panel: the selected state's form or JSON, the last run, every state of the flow.
fn inspector_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    inspector: &mut crate::inspector::Inspector,
    out: &mut Vec<Command>,
) {
    ui.label(RichText::new("Inspector").strong());
    inspector.state_ui(ui, state, out);
    if let Some(session) = &state.debug {
        ui.separator();
        let (text, colour) = match session.status() {
            zis_engine::run::execution::Status::Succeeded { .. } => (
                format!("Last run: succeeded in {} steps", session.steps.len()),
                Color32::from_rgb(0x22, 0xc5, 0x5e),
            ),
            zis_engine::run::execution::Status::Failed { error, cause } => (
                format!("Last run: failed ({error}: {cause})"),
                Color32::from_rgb(0xef, 0x44, 0x44),
            ),
            zis_engine::run::execution::Status::Running => (
                match &session.partial {
                    Some(p) => format!(
                        "Paused in {}, {}, after {} steps",
                        p.stop.event.state,
                        p.stop.phase.label(),
                        session.steps.len()
                    ),
                    None => format!(
                        "Paused before {} after {} steps",
                        session.next_state().unwrap_or("?"),
                        session.steps.len()
                    ),
                },
                Color32::from_rgb(0xf5, 0x9e, 0x0b),
            ),
        };
        ui.label(RichText::new(text).color(colour).strong());
        ui.label(RichText::new(format!("on a sample {} event", session.event)).weak());
        let path: Vec<&str> = session
            .steps
            .iter()
            .map(|s| s.event.state.as_str())
            .collect();
        ui.add(egui::Label::new(format!("path: {}", path.join(" > "))).wrap());
    }
    ui.separator();
    ui.label(RichText::new("States").strong());
    states_table_ui(ui, state, out);
}

fn states_table_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    // Only the rows in view are laid out (a 300-state flow stays cheap to draw).
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    let width = ui.available_width();
    let cols = [width * 0.34, 62.0, width * 0.22];
    // A cell: fixed width, content on the left.
    fn cell<R>(ui: &mut egui::Ui, size: [f32; 2], add: impl FnOnce(&mut egui::Ui) -> R) -> R {
        ui.allocate_ui_with_layout(
            egui::vec2(size[0], size[1]),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_width(size[0]);
                add(ui)
            },
        )
        .inner
    }
    ui.horizontal(|ui| {
        for (text, w) in ["State", "Type", "Detail"].iter().zip(cols) {
            cell(ui, [w, row_height], |ui| {
                ui.label(RichText::new(*text).strong())
            });
        }
        ui.label(RichText::new("Next").strong());
    });
    egui::ScrollArea::vertical()
        .id_salt("states_scroll")
        .auto_shrink([false, true])
        .show_rows(ui, row_height, state.states.len(), |ui, range| {
            for s in &state.states[range] {
                ui.horizontal(|ui| {
                    let name = if s.start {
                        format!("▶ {}", s.name)
                    } else {
                        s.name.clone()
                    };
                    let selected = state.selected_state.as_deref() == Some(s.name.as_str())
                        || state.selection.contains(&s.name);
                    let resp = cell(ui, [cols[0], row_height], |ui| {
                        ui.add(
                            egui::Button::selectable(selected, RichText::new(name).strong())
                                .truncate(),
                        )
                    });
                    if resp.clicked() {
                        out.push(Command::SelectState(Some(s.name.clone())));
                    }
                    cell(ui, [cols[1], row_height], |ui| {
                        ui.label(RichText::new(&s.type_name).color(state_colour(&s.type_name)))
                    });
                    cell(ui, [cols[2], row_height], |ui| {
                        ui.add(egui::Label::new(&s.detail).truncate())
                    });
                    ui.add(egui::Label::new(s.transitions.join(", ")).truncate());
                });
            }
        });
}

/// The default sample: next to the working directory, else next to the sources it was built from.
pub fn default_sample() -> PathBuf {
    let local = PathBuf::from(DEFAULT_SAMPLE);
    if local.exists() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_SAMPLE)
}

/// Environment variable that starts the window in the light theme: `ZIS_STUDIO_THEME=light`.
pub const THEME_ENV: &str = "ZIS_STUDIO_THEME";

/// Environment variable naming a state to select at start (screenshots and demos).
pub const SELECT_ENV: &str = "ZIS_STUDIO_SELECT_STATE";

/// Environment variable opening an account window at start: `deploy` or `open`
/// (screenshots and demos).
pub const WINDOW_ENV: &str = "ZIS_STUDIO_WINDOW";

/// Environment variable that picks the renderer: `wgpu` (default) or `glow` (OpenGL).
pub const RENDERER_ENV: &str = "ZIS_STUDIO_RENDERER";

/// Opens the window: `bundle`, or the default sample, with stores in the data folder.
///
/// eframe does not fall back from wgpu to OpenGL by itself, and a failed event loop cannot
/// be made again in the same process, so when wgpu fails the app starts itself once more
/// with `ZIS_STUDIO_RENDERER=glow`.
pub fn run(bundle: Option<PathBuf>, data: Option<PathBuf>) -> anyhow::Result<()> {
    let data_dir = crate::data_dir::prepare(data.as_deref())?;
    let mut state = AppState::new(data_dir);
    let path = bundle.unwrap_or_else(default_sample);
    state.open(&path);
    if let Ok(t) = std::env::var(THEME_ENV) {
        state.theme = if t.eq_ignore_ascii_case("light") {
            Theme::Light
        } else {
            Theme::Dark
        };
    }
    // For screenshots and demos: start with a state selected in the inspector.
    if let Ok(name) = std::env::var(SELECT_ENV) {
        state.apply(Command::SelectState(Some(name)));
    }
    match std::env::var(WINDOW_ENV).as_deref() {
        Ok("deploy") => state.apply(Command::ShowRemote(Some(
            crate::app::remote::RemoteWindow::Deploy,
        ))),
        Ok("open") => state.apply(Command::ShowRemote(Some(
            crate::app::remote::RemoteWindow::Open,
        ))),
        _ => {}
    }
    let forced = std::env::var(RENDERER_ENV).ok();
    let renderer = match forced.as_deref() {
        Some("glow") => eframe::Renderer::Glow,
        _ => eframe::Renderer::Wgpu,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ZIS Studio")
            .with_inner_size([1280.0, 800.0]),
        renderer,
        ..Default::default()
    };
    let mut slot = Some(state);
    let result = eframe::run_native(
        "zis-studio",
        options,
        Box::new(|_cc| {
            let mut app = StudioApp::new(slot.take().unwrap_or_default());
            app.native_dialogs = true;
            Ok(Box::new(app))
        }),
    );
    let Err(e) = result else { return Ok(()) };
    let message = e.to_string();
    if forced.is_some() || message.contains("X server") || message.contains("Wayland") {
        return Err(anyhow::anyhow!("{message}"))
            .context("cannot open a window (is a display available?)");
    }
    tracing::warn!("the wgpu renderer failed ({message}); starting again with OpenGL");
    let exe =
        std::env::current_exe().context("cannot find the zis-studio executable to restart it")?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(RENDERER_ENV, "glow")
        .status()
        .context("cannot restart zis-studio with OpenGL")?;
    if status.success() {
        Ok(())
    } else {
        anyhow::bail!("zis-studio with OpenGL exited with {status}")
    }
}
