//! The explorer on the left: Find across every flow, then the bundle's resources by kind
//! (flows, actions, job specs) with their problem counts; add, rename and delete resources.

use crate::app::{AppState, Commands, EditCommand, ResourceKind, ViewCommand};
use crate::ui::theme::kind_colour;
use egui::{Key, RichText};

/// The Find box and its hits, then the resources. `focus_find` puts the cursor in Find.
pub fn explorer_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    renaming: &mut Option<(String, String)>,
    focus_find: bool,
    out: &mut Commands,
) {
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Find").strong());
        let mut q = state.find_query.clone();
        let resp = ui
            .add(
                egui::TextEdit::singleline(&mut q)
                    .hint_text(crate::ui::commands::with_keys(
                        "state, action or text",
                        "Find",
                    ))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if focus_find {
            resp.request_focus();
        }
        if resp.changed() {
            out.push(ViewCommand::Find(q));
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
                        out.push(ViewCommand::Goto(hit.clone()));
                    }
                }
            });
    }
    ui.separator();
    ui.label(RichText::new("Explorer").strong());
    egui::ScrollArea::vertical()
        .id_salt("explorer_scroll")
        .show(ui, |ui| explorer_rows_ui(ui, state, renaming, out));
}

/// The resources by kind, with add, rename (double-click) and delete (right-click).
pub fn explorer_rows_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    renaming: &mut Option<(String, String)>,
    out: &mut Commands,
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
                    out.push(EditCommand::AddResource(kind));
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
                        out.push(EditCommand::RenameResource {
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
                out.push(ViewCommand::Select(row.key.clone()));
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
                    out.push(EditCommand::DeleteResource(row.key.clone()));
                    ui.close();
                }
            });
        }
    }
}
