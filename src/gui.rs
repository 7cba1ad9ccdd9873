//! The egui window. It only draws [`AppState`] and collects [`Command`]s; [`StudioApp::show`]
//! applies them after drawing. The bundle explorer on the left, the selected flow as a
//! graph in the centre ([`crate::graph_view`]), its states and the selected state on the
//! right, the problems and a status bar at the bottom.

use crate::app::{AppState, Command, ResourceKind, Theme};
use anyhow::Context as _;
use egui::{Color32, RichText};
use std::path::PathBuf;

/// The sample bundle opened when no file is named.
pub const DEFAULT_SAMPLE: &str = "sample_bundles/urgent_ticket_to_slack.json";

/// The eframe app: state plus the commands gathered during a frame.
pub struct StudioApp {
    /// Everything shown.
    pub state: AppState,
    pending: Vec<Command>,
    graph: crate::graph_view::GraphView,
}

impl StudioApp {
    /// Wraps a state.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            pending: Vec::new(),
            graph: crate::graph_view::GraphView::default(),
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
        top_bar_ui(ui, &self.state, &mut self.pending);
        status_bar_ui(ui, &self.state);
        problems_ui(ui, &self.state, &mut self.pending);
        explorer_ui(ui, &self.state, &mut self.pending);
        if self.state.graph.is_some() {
            inspector_ui(ui, &self.state, &mut self.pending);
        }
        let (state, graph, pending) = (&self.state, &mut self.graph, &mut self.pending);
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if state.graph.is_some() {
                detail_heading_ui(ui, state);
                graph.show(ui, state, pending);
            } else {
                detail_ui(ui, state);
            }
        });
        for command in self.pending.drain(..) {
            self.state.apply(command);
        }
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

fn top_bar_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::top("top_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("View", |ui| {
                let has_graph = state.graph.is_some();
                if ui
                    .add_enabled(has_graph, egui::Button::new("Fit").shortcut_text("F"))
                    .clicked()
                {
                    out.push(Command::Fit);
                }
                if ui
                    .add_enabled(
                        has_graph,
                        egui::Button::new("Auto layout").shortcut_text("Ctrl+L"),
                    )
                    .clicked()
                {
                    out.push(Command::AutoLayout);
                }
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
            if let Some(path) = &state.path {
                ui.label(RichText::new(path.display().to_string()).weak());
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
            ui.label(format!("data {}", state.data_dir.display()));
        });
    });
}

fn problems_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::bottom("problems")
        .resizable(true)
        .default_size(150.0)
        .show(ui, |ui| {
            ui.label(RichText::new(format!("Problems ({})", state.diagnostics.len())).strong());
            egui::ScrollArea::vertical()
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
        });
}

fn explorer_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::left("explorer")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            ui.label(RichText::new("Explorer").strong());
            egui::ScrollArea::vertical()
                .id_salt("explorer_scroll")
                .show(ui, |ui| {
                    for (kind, title) in [
                        (ResourceKind::Flow, "Flows"),
                        (ResourceKind::Action, "Actions"),
                        (ResourceKind::JobSpec, "Job specs"),
                        (ResourceKind::Other, "Other"),
                    ] {
                        let rows: Vec<_> = state.rows.iter().filter(|r| r.kind == kind).collect();
                        if rows.is_empty() && kind == ResourceKind::Other {
                            continue;
                        }
                        ui.add_space(4.0);
                        ui.label(RichText::new(title).color(kind_colour(kind)).strong());
                        for row in rows {
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
                        }
                    }
                });
        });
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

fn detail_ui(ui: &mut egui::Ui, state: &AppState) {
    let Some(key) = &state.selected else {
        ui.label("Open a bundle to see its flows, actions and job specs.");
        return;
    };
    let Some(row) = state.rows.iter().find(|r| &r.key == key) else {
        return;
    };
    detail_heading_ui(ui, state);
    if row.kind != ResourceKind::Flow {
        let json = state
            .document
            .as_ref()
            .and_then(|d| {
                d.value().pointer(&format!(
                    "/resources/{}",
                    zis_engine::json::pointer::escape(key)
                ))
            })
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            .unwrap_or_default();
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.label(RichText::new(json).monospace());
        });
        return;
    }
    states_table_ui(ui, state, &mut Vec::new());
}

/// The right panel: the selected state's facts, then every state of the flow.
fn inspector_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::Panel::right("inspector")
        .resizable(true)
        .default_size(320.0)
        .size_range(220.0..=520.0)
        .show(ui, |ui| {
            ui.label(RichText::new("Inspector").strong());
            let chosen = state
                .selected_state
                .as_ref()
                .and_then(|name| state.states.iter().find(|s| &s.name == name));
            match chosen {
                Some(s) => {
                    ui.label(
                        RichText::new(format!("{}  ({})", s.name, s.type_name))
                            .color(state_colour(&s.type_name))
                            .strong(),
                    );
                    if !s.detail.is_empty() {
                        ui.label(RichText::new(&s.detail).monospace());
                    }
                    ui.label(format!("next: {}", s.transitions.join(", ")));
                }
                None => {
                    ui.label(
                        RichText::new("Choose a state in the list below to inspect it.").weak(),
                    );
                }
            }
            if let Some(r) = state.run_result() {
                ui.separator();
                let (text, colour) = match &r.status {
                    zis_engine::run::execution::Status::Succeeded { .. } => (
                        format!("Last run: succeeded in {} steps", r.events.len()),
                        Color32::from_rgb(0x22, 0xc5, 0x5e),
                    ),
                    zis_engine::run::execution::Status::Failed { error, cause } => (
                        format!("Last run: failed ({error}: {cause})"),
                        Color32::from_rgb(0xef, 0x44, 0x44),
                    ),
                    zis_engine::run::execution::Status::Running => {
                        ("Last run: running".into(), Color32::GRAY)
                    }
                };
                ui.label(RichText::new(text).color(colour).strong());
                ui.label(RichText::new(format!("on a sample {} event", r.event)).weak());
                let path: Vec<&str> = r.events.iter().map(|e| e.state.as_str()).collect();
                ui.add(egui::Label::new(format!("path: {}", path.join(" > "))).wrap());
            }
            ui.separator();
            ui.label(RichText::new("States").strong());
            states_table_ui(ui, state, out);
        });
}

fn states_table_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    egui::ScrollArea::vertical()
        .id_salt("states_scroll")
        .show(ui, |ui| {
            egui::Grid::new("states")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    ui.label(RichText::new("State").strong());
                    ui.label(RichText::new("Type").strong());
                    ui.label(RichText::new("Detail").strong());
                    ui.label(RichText::new("Next").strong());
                    ui.end_row();
                    for s in &state.states {
                        let name = if s.start {
                            format!("▶ {}", s.name)
                        } else {
                            s.name.clone()
                        };
                        let selected = state.selected_state.as_deref() == Some(s.name.as_str());
                        if ui
                            .selectable_label(selected, RichText::new(name).strong())
                            .clicked()
                        {
                            out.push(Command::SelectState(Some(s.name.clone())));
                        }
                        ui.label(RichText::new(&s.type_name).color(state_colour(&s.type_name)));
                        ui.add(egui::Label::new(&s.detail).truncate());
                        ui.add(egui::Label::new(s.transitions.join(", ")).truncate());
                        ui.end_row();
                    }
                });
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
    if std::env::var(THEME_ENV).is_ok_and(|t| t.eq_ignore_ascii_case("light")) {
        state.theme = Theme::Light;
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
        Box::new(|_cc| Ok(Box::new(StudioApp::new(slot.take().unwrap_or_default())))),
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
