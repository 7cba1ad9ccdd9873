//! The egui window. [`StudioApp::logic`] (eframe's `logic`, before drawing) takes the
//! workers' answers, the keyboard map, dropped files, dialogs and the close request;
//! [`StudioApp::draw`] (eframe's `ui`) draws [`AppState`] and collects commands. Both apply
//! what was asked at their end, so a frame's commands change state in one place:
//! [`AppState::apply`].
//!
//! Layout: the menu bar ([`crate::ui::menus`]); the explorer on the left
//! ([`crate::ui::explorer`]); the graph in the centre ([`crate::ui::graph`]); the inspector on
//! the right ([`crate::ui::inspector`]); the bottom dock with Problems, Debugger, Executions
//! and Services; a status bar. Each panel can be hidden (View menu). Dialogs are in
//! [`dialogs`], the start-up in [`start`].

pub mod dialogs;
pub mod start;

pub use dialogs::PathPurpose;
pub use start::{
    DEFAULT_SAMPLE, RENDERER_ENV, SELECT_ENV, THEME_ENV, WINDOW_ENV, default_sample, run,
};

use crate::app::{AppState, Commands, FileCommand, Theme};
use crate::ui::commands::{self, WindowAction};
use crate::ui::menus::Panels;
use std::path::PathBuf;

/// The eframe app: state plus the commands gathered during a frame, and what only the
/// window keeps (graph widget, inspector drafts, dialogs, which panels are shown).
pub struct StudioApp {
    /// Everything shown.
    pub state: AppState,
    pending: Commands,
    graph: crate::ui::graph::GraphView,
    inspector: crate::ui::inspector::Inspector,
    /// Use the system's file dialogs (off in tests: the path window is used instead).
    pub native_dialogs: bool,
    dialog: Option<(PathPurpose, std::time::Instant, dialogs::DialogAnswer)>,
    /// The path window: purpose, typed path, and a note.
    path_window: Option<(PathPurpose, String, Option<String>)>,
    /// A resource being renamed in the explorer: key and typed name.
    renaming: Option<(String, String)>,
    focus_find: bool,
    close_sent: bool,
    debugger: crate::ui::debugger::Debugger,
    executions_view: crate::ui::docks::executions::ExecutionsView,
    services_view: crate::ui::docks::services::ServicesView,
    remote_view: crate::ui::remote::RemoteView,
    palette: crate::ui::command_palette::CommandPalette,
    toasts: crate::ui::toasts::Toasts,
    /// Which panels are shown.
    pub panels: Panels,
    /// Where each panel was drawn in the last frame (tests and the size checks).
    panel_rects: std::collections::HashMap<&'static str, egui::Rect>,
    dock: Dock,
    had_session: bool,
    /// The keyboard shortcuts window is open.
    shortcuts_open: bool,
    /// The About window is open.
    about_open: bool,
    settings_open: bool,
    /// The window title last sent.
    title: String,
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
            pending: Commands::default(),
            graph: crate::ui::graph::GraphView::default(),
            inspector: crate::ui::inspector::Inspector::default(),
            native_dialogs: false,
            dialog: None,
            path_window: None,
            renaming: None,
            focus_find: false,
            close_sent: false,
            debugger: crate::ui::debugger::Debugger::default(),
            executions_view: crate::ui::docks::executions::ExecutionsView::default(),
            services_view: crate::ui::docks::services::ServicesView::default(),
            remote_view: crate::ui::remote::RemoteView::default(),
            palette: crate::ui::command_palette::CommandPalette::default(),
            toasts: crate::ui::toasts::Toasts::default(),
            panels: Panels::default(),
            dock: Dock::Problems,
            had_session: false,
            shortcuts_open: false,
            about_open: false,
            settings_open: false,
            title: String::new(),
            panel_rects: Default::default(),
        }
    }

    /// A side or bottom panel's rectangle on screen in the last frame: `"explorer"`,
    /// `"inspector"` or `"dock"` (none when hidden).
    pub fn panel_rect(&self, panel: &str) -> Option<egui::Rect> {
        self.panel_rects.get(panel).copied()
    }

    /// The graph's graph-to-screen transform in the last frame. Widgets inside the graph
    /// report their accessibility rectangles in graph units; this maps them to the screen.
    pub fn graph_transform(&self) -> Option<egui::emath::TSTransform> {
        self.graph.transform
    }

    /// Draws only the graph view (no panels) and applies its commands: what the designer
    /// benchmark times as "the graph view".
    pub fn graph_only(&mut self, ui: &mut egui::Ui) {
        self.graph
            .show(ui, &self.state, &mut self.pending, &mut self.panels.minimap);
        self.apply_pending();
    }

    /// The canvas's rectangle on screen in the last frame.
    pub fn canvas_rect(&self) -> Option<egui::Rect> {
        self.graph.canvas
    }

    /// A state's node frame in the last frame, in graph units.
    pub fn node_rect(&self, state: &str) -> Option<egui::Rect> {
        self.graph.node_rects.get(state).copied()
    }

    /// The transitions' wires as drawn in the last frame (graph units, in the order of the
    /// graph's edges).
    pub fn wire_paths(&self) -> &[Vec<[f32; 2]>] {
        self.graph.wire_paths()
    }

    fn apply_pending(&mut self) {
        for command in self.pending.take() {
            self.state.apply(command);
        }
    }

    /// Does what a menu, a shortcut or the palette asked of the window itself.
    fn window_action(&mut self, action: WindowAction) {
        match action {
            WindowAction::Open => self.ask_path(PathPurpose::Open),
            WindowAction::SaveAs => self.ask_path(PathPurpose::SaveAs),
            WindowAction::ExportSvg => self.ask_path(PathPurpose::ExportSvg),
            WindowAction::ExportPng => self.ask_path(PathPurpose::ExportPng),
            WindowAction::ExportReport => self.ask_path(PathPurpose::ExportReport),
            WindowAction::FocusFind => {
                self.panels.explorer = true;
                self.focus_find = true;
            }
            WindowAction::Palette => self.palette.open(),
            WindowAction::ToggleDock => self.panels.dock = !self.panels.dock,
            WindowAction::ToggleMinimap => self.panels.minimap = !self.panels.minimap,
            WindowAction::ToggleExplorer => self.panels.explorer = !self.panels.explorer,
            WindowAction::ToggleInspector => self.panels.inspector = !self.panels.inspector,
            WindowAction::Shortcuts => self.shortcuts_open = true,
            WindowAction::About => self.about_open = true,
            WindowAction::Settings => self.settings_open = true,
        }
    }

    /// One frame: [`Self::logic`], then [`Self::draw`] (what eframe does; tests and
    /// benchmarks call this).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.logic(&ctx);
        self.draw(ui);
    }

    /// Everything of a frame that is not drawing: the theme, workers' answers, dropped
    /// files, the close request, dialogs and the keyboard map; then applies the commands.
    pub fn logic(&mut self, ctx: &egui::Context) {
        let wanted = match self.state.theme {
            Theme::Dark => egui::Theme::Dark,
            Theme::Light => egui::Theme::Light,
            Theme::System => ctx.system_theme().unwrap_or(egui::Theme::Dark),
        };
        if ctx.theme() != wanted {
            ctx.set_theme(wanted);
        }
        crate::ui::theme::set_light(wanted == egui::Theme::Light);
        self.state.tick();
        if self.state.poll_run() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        // A bundle dropped on the window opens.
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.pending.push(FileCommand::Open(path));
        }
        // Closing with unsaved changes asks first.
        if ctx.input(|i| i.viewport().close_requested()) && !self.state.close_now {
            if self.state.modified {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            }
            self.pending.push(FileCommand::RequestClose);
        }
        self.poll_dialog();
        if self.state.want_save_as && self.path_window.is_none() && self.dialog.is_none() {
            self.state.want_save_as = false;
            self.ask_path(PathPurpose::SaveAs);
        }
        if !self.palette.is_open() {
            for action in commands::shortcuts(ctx, &self.state, &mut self.pending) {
                self.window_action(action);
            }
        }
        self.apply_pending();
        let title = window_title(&self.state);
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        if self.state.close_now && !self.close_sent {
            self.close_sent = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Draws one frame into `ui`, then applies what the user asked for.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let asked = crate::ui::menus::menu_bar_ui(ui, &self.state, &mut self.pending, &self.panels);
        if let Some(a) = asked {
            self.window_action(a);
        }
        crate::ui::panels::status_bar_ui(ui, &self.state);
        crate::ui::panels::warnings_ui(ui, &self.state, &mut self.pending);
        self.panel_rects.clear();
        if self.panels.dock {
            self.dock_ui(ui);
        }
        // Side panels start in proportion to the window, so that a small window keeps
        // most of its width for the canvas.
        let width = ui.ctx().content_rect().width();
        if self.panels.explorer {
            let (state, out, renaming) = (&self.state, &mut self.pending, &mut self.renaming);
            let focus_find = std::mem::take(&mut self.focus_find);
            let shown = egui::Panel::left("explorer")
                .resizable(true)
                .default_size((width * 0.17).clamp(170.0, 260.0))
                .size_range(160.0..=420.0)
                .show(ui, |ui| {
                    crate::ui::explorer::explorer_ui(ui, state, renaming, focus_find, out);
                });
            self.panel_rects.insert("explorer", shown.response.rect);
        }
        if self.state.graph.is_some() && self.panels.inspector {
            let (state, inspector, pending) = (&self.state, &mut self.inspector, &mut self.pending);
            let shown = egui::Panel::right("inspector")
                .resizable(true)
                .default_size((width * 0.27).clamp(270.0, 360.0))
                .size_range(260.0..=620.0)
                .show(ui, |ui| {
                    crate::ui::panels::inspector_ui(ui, state, inspector, pending)
                });
            self.panel_rects.insert("inspector", shown.response.rect);
        }
        let (state, graph, inspector, pending, minimap) = (
            &self.state,
            &mut self.graph,
            &mut self.inspector,
            &mut self.pending,
            &mut self.panels.minimap,
        );
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if state.graph.is_some() {
                crate::ui::panels::detail_heading_ui(ui, state);
                graph.show(ui, state, pending, minimap);
            } else {
                crate::ui::panels::detail_ui(ui, state, inspector, pending);
            }
        });
        self.remote_view.show(&ctx, &self.state, &mut self.pending);
        if let Some(a) = self.palette.ui(&ctx, &self.state, &mut self.pending) {
            self.window_action(a);
        }
        self.toasts.ui(&ctx, &self.state);
        self.prompt_ui(&ctx);
        self.recovery_ui(&ctx);
        self.help_ui(&ctx);
        crate::ui::settings_window::settings_window(
            &ctx,
            &self.state,
            &mut self.settings_open,
            &mut self.pending,
        );
        self.path_window_ui(&ctx);
        self.apply_pending();
    }

    /// The bottom dock: Problems while editing, the Debugger once a session runs.
    fn dock_ui(&mut self, ui: &mut egui::Ui) {
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
            // The dock never takes more than half the window (the canvas keeps the rest).
            let half = (ui.ctx().content_rect().height() * 0.5).max(120.0);
            let shown = egui::Panel::bottom("dock")
                .resizable(true)
                .default_size(180.0)
                .min_size(if *dock == Dock::Problems {
                    60.0
                } else {
                    280.0_f32.min(0.84 * half)
                })
                .max_size(half)
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
                        Dock::Problems => crate::ui::panels::problems_ui(ui, state, pending),
                        Dock::Services => services.ui(ui, state, pending),
                    }
                });
            self.panel_rects.insert("dock", shown.response.rect);
        }
        match ask_exec {
            Some(crate::ui::docks::executions::Ask::Export) => {
                self.ask_path(PathPurpose::ExportExecution);
            }
            Some(crate::ui::docks::executions::Ask::Import) => {
                self.ask_path(PathPurpose::ImportExecution);
            }
            Some(crate::ui::docks::executions::Ask::Debugger) => self.dock = Dock::Debugger,
            None => {}
        }
    }
}

/// The window's title: the bundle's file name, a mark when it has unsaved changes.
pub fn window_title(state: &AppState) -> String {
    let name = state.path.as_ref().and_then(|p| p.file_name()).map_or_else(
        || "new bundle".to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    if state.document.is_none() && state.path.is_none() {
        return "ZIS Studio".into();
    }
    format!(
        "{}{name} — ZIS Studio",
        if state.modified { "● " } else { "" }
    )
}

impl eframe::App for StudioApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        StudioApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
