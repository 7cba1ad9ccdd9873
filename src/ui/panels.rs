//! The panels around the graph: the status bar, the problems list, the heading and the
//! resource form when no graph is shown, and the right panel (inspector, last run, states).

use crate::app::{AppState, Commands, FileCommand, ViewCommand};
use crate::ui::theme::{amber, green, kind_colour, red, state_colour};
use egui::RichText;

/// The status bar: validator counts, the last message or a hint, the data folder.
pub fn status_bar_ui(ui: &mut egui::Ui, state: &AppState) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let (errors, warnings) = zis_engine::validate::counts(&state.diagnostics);
            let counts = format!(
                "{errors} error{}, {warnings} warning{}",
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
            let text = if errors == 0 {
                RichText::new(format!("validator ✔ {counts}")).color(green())
            } else {
                RichText::new(format!("validator ✖ {counts}")).color(red())
            };
            ui.label(text);
            ui.separator();
            // What is true now (results and errors are toasts).
            if let Some((line, colour)) = crate::ui::toasts::session_line(state) {
                ui.label(RichText::new(line).color(colour));
                ui.separator();
            }
            ui.label(format!("data {}", state.data_dir.display()));
        });
    });
}

/// The problems list; a click reveals the field.
pub fn problems_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
    {
        {
            let _ = egui::ScrollArea::vertical()
                .id_salt("problems_scroll")
                .show(ui, |ui| {
                    if let Some(err) = &state.open_error {
                        ui.colored_label(red(), err);
                    }
                    if state.diagnostics.is_empty() && state.open_error.is_none() {
                        ui.label(RichText::new("No problems: the bundle validates clean.").weak());
                    }
                    for d in &state.diagnostics {
                        let colour = if d.is_error() { red() } else { amber() };
                        let text =
                            format!("{}:{}  {}  {}", d.line, d.column, d.code.id(), d.message);
                        if ui
                            .add(egui::Button::new(RichText::new(text).color(colour)).frame(false))
                            .clicked()
                        {
                            out.push(ViewCommand::Reveal(d.pointer.clone()));
                        }
                    }
                });
        }
    }
}

/// The selected resource's name and summary.
pub fn detail_heading_ui(ui: &mut egui::Ui, state: &AppState) {
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

/// The resource form when no graph is shown.
pub fn detail_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    inspector: &mut crate::ui::inspector::Inspector,
    out: &mut Commands,
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
pub fn inspector_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    inspector: &mut crate::ui::inspector::Inspector,
    out: &mut Commands,
) {
    ui.label(RichText::new("Inspector").strong());
    inspector.state_ui(ui, state, out);
    if let Some(session) = &state.debug {
        ui.separator();
        let (text, colour) = match session.status() {
            zis_engine::run::execution::Status::Succeeded { .. } => (
                format!("Last run: succeeded in {} steps", session.steps.len()),
                green(),
            ),
            zis_engine::run::execution::Status::Failed { error, cause } => {
                (format!("Last run: failed ({error}: {cause})"), red())
            }
            zis_engine::run::execution::Status::Running => (session.pause_text(), amber()),
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

/// Every state of the shown flow, only the rows in view laid out.
pub fn states_table_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
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
                        out.push(ViewCommand::SelectState(Some(s.name.clone())));
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

/// Warnings that stay until dismissed (a file moved aside, the bundle changed on disk), as a
/// bar under the menus; a change on disk offers Reload and Keep mine.
pub fn warnings_ui(ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
    if state.warnings.is_empty() {
        return;
    }
    egui::Panel::top("warnings").show(ui, |ui| {
        for (i, w) in state.warnings.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(amber(), format!("⚠ {w}"));
                if w.contains("changed on disk") {
                    if ui.button("Reload").clicked() {
                        out.push(FileCommand::ReloadFromDisk);
                    }
                    if ui.button("Keep mine").clicked() {
                        out.push(FileCommand::KeepMine);
                    }
                } else if ui.button("Dismiss").clicked() {
                    out.push(ViewCommand::DismissWarning(i));
                }
            });
        }
    });
}
