//! Run › Settings…: every setting (`zis_services::settings`) with its value for this bundle
//! and for the data folder, its default, what it changes and the ZIS fact it stands for.
//! A value typed and applied is checked first; Clear goes back to the layer below.

use crate::app::{AppState, Commands, StoresCommand};
use egui::RichText;

/// Draws the window while `open`.
pub fn settings_window(ctx: &egui::Context, state: &AppState, open: &mut bool, out: &mut Commands) {
    if !*open {
        return;
    }
    let data = &state.data_settings;
    egui::Window::new("Settings")
        .open(open)
        .default_width(760.0)
        .vscroll(true)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(
                    "Behaviours ZIS does not document, and limits. A bundle's value wins over the data folder's; `--setting NAME=VALUE` on run, test and serve wins over both.",
                )
                .weak(),
            );
            egui::Grid::new("settings_grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    ui.label(RichText::new("Setting").strong());
                    ui.label(RichText::new("This bundle").strong());
                    ui.label(RichText::new("Data folder").strong());
                    ui.label(RichText::new("Default").strong());
                    ui.end_row();
                    for s in zis_services::settings::SETTINGS {
                        ui.label(RichText::new(s.name).monospace())
                            .on_hover_text(format!("{}\n\n{}\nValues: {}", s.about, s.fact, s.values));
                        for bundle in [true, false] {
                            let current = if bundle {
                                state.sidecar.settings.get(s.name).cloned()
                            } else {
                                data.get(s.name).cloned()
                            };
                            value_cell(ui, s.name, bundle, current, out);
                        }
                        ui.label(s.default);
                        ui.end_row();
                    }
                });
        });
}

/// One value: a text field applied on Enter or when it loses focus, and Clear.
fn value_cell(
    ui: &mut egui::Ui,
    name: &str,
    bundle: bool,
    current: Option<String>,
    out: &mut Commands,
) {
    let scope = if bundle {
        "this bundle"
    } else {
        "the data folder"
    };
    let id = ui.id().with(("setting", name, bundle));
    let shown = current.clone().unwrap_or_default();
    let mut text = ui
        .data(|d| d.get_temp::<(String, String)>(id))
        .filter(|(from, _)| from == &shown)
        .map_or_else(|| shown.clone(), |(_, t)| t);
    ui.horizontal(|ui| {
        let resp = ui.add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(120.0)
                .hint_text("default"),
        );
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::WidgetType::TextEdit,
                true,
                format!("{name} for {scope}"),
            )
        });
        // Applied on Enter or when the field is left.
        if resp.lost_focus() && text != shown {
            out.push(StoresCommand::SetSetting {
                name: name.to_string(),
                value: Some(text.clone()),
                bundle,
            });
        }
        if current.is_some()
            && ui
                .small_button("Clear")
                .on_hover_text(format!("Back to the default for {scope}"))
                .clicked()
        {
            out.push(StoresCommand::SetSetting {
                name: name.to_string(),
                value: None,
                bundle,
            });
        }
    });
    ui.data_mut(|d| d.insert_temp(id, (shown, text)));
}
