//! The menu bar, drawn from the command table ([`crate::ui::commands::TABLE`]): every entry
//! with its shortcut, greyed out when it cannot run; plus what is not a command (recent
//! files, the UI scale, the theme, the bundle's name and state).

use crate::app::{AppState, Commands, FileCommand, Theme, ViewCommand};
use crate::ui::commands::{self, Menu, TABLE, WindowAction};
use crate::ui::theme::amber;
use egui::RichText;

/// Which panels are shown (View menu).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panels {
    /// The explorer on the left.
    pub explorer: bool,
    /// The inspector on the right.
    pub inspector: bool,
    /// The bottom dock.
    pub dock: bool,
    /// The minimap in the canvas's corner.
    pub minimap: bool,
}

impl Default for Panels {
    fn default() -> Self {
        Self {
            explorer: true,
            inspector: true,
            dock: true,
            minimap: true,
        }
    }
}

/// One menu entry with its shortcut (greyed out when it cannot run); true when clicked.
fn item(ui: &mut egui::Ui, e: &commands::Entry, state: &AppState) -> bool {
    let keys = commands::first_key_text(e);
    let mut button = egui::Button::new(e.label);
    if !keys.is_empty() {
        button = button.shortcut_text(keys);
    }
    ui.add_enabled(e.when.holds(state), button).clicked()
}

fn entries(
    ui: &mut egui::Ui,
    menu: Menu,
    state: &AppState,
    out: &mut Commands,
    panels: &Panels,
) -> Option<WindowAction> {
    let mut asked = None;
    for e in TABLE.iter().filter(|e| e.menu == menu) {
        let shown = match e.does {
            commands::Does::Window(WindowAction::ToggleExplorer) => Some(panels.explorer),
            commands::Does::Window(WindowAction::ToggleInspector) => Some(panels.inspector),
            commands::Does::Window(WindowAction::ToggleDock) => Some(panels.dock),
            commands::Does::Window(WindowAction::ToggleMinimap) => Some(panels.minimap),
            _ => None,
        };
        let clicked = if let Some(on) = shown {
            let mut on = on;
            ui.checkbox(&mut on, e.label).clicked()
        } else {
            item(ui, e, state)
        };
        if clicked {
            if let Some(w) = commands::run(e, state, out) {
                asked = Some(w);
            }
            ui.close();
        }
    }
    asked
}

/// The menu bar and the bundle's name, path and modified mark. Returns a window action
/// chosen from a menu.
pub fn menu_bar_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    out: &mut Commands,
    panels: &Panels,
) -> Option<WindowAction> {
    let mut asked = None;
    egui::Panel::top("top_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                let mut file: Vec<_> = TABLE.iter().filter(|e| e.menu == Menu::File).collect();
                // New, Open, Open from an account, then Open recent, then the rest.
                let rest = file.split_off(3.min(file.len()));
                for e in file {
                    if item(ui, e, state) {
                        asked = commands::run(e, state, out).or(asked);
                        ui.close();
                    }
                }
                ui.menu_button("Open recent", |ui| {
                    if state.prefs.recent.is_empty() {
                        ui.label(RichText::new("nothing yet").weak());
                    }
                    for p in &state.prefs.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            out.push(FileCommand::Open(p.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                for e in rest {
                    if e.label == "Quit" {
                        ui.menu_button("Export", |ui| {
                            asked = entries(ui, Menu::Export, state, out, panels).or(asked);
                        });
                        ui.separator();
                    }
                    if item(ui, e, state) {
                        asked = commands::run(e, state, out).or(asked);
                        ui.close();
                    }
                }
            });
            ui.menu_button("Edit", |ui| {
                asked = entries(ui, Menu::Edit, state, out, panels).or(asked);
            });
            ui.menu_button("View", |ui| {
                asked = entries(ui, Menu::View, state, out, panels).or(asked);
                ui.menu_button("Zoom", |ui| {
                    let fit = TABLE
                        .iter()
                        .find(|e| e.label == "Fit")
                        .map(commands::first_key_text)
                        .unwrap_or_default();
                    ui.label(format!("Ctrl+scroll zooms the graph; {fit} fits it."));
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
                for (theme, label) in [
                    (Theme::System, "System theme"),
                    (Theme::Dark, "Dark theme"),
                    (Theme::Light, "Light theme"),
                ] {
                    if ui.radio(state.theme == theme, label).clicked() {
                        out.push(ViewCommand::SetTheme(theme));
                    }
                }
            });
            ui.menu_button("Run", |ui| {
                asked = entries(ui, Menu::Run, state, out, panels).or(asked);
            });
            ui.menu_button("Help", |ui| {
                asked = entries(ui, Menu::Help, state, out, panels).or(asked);
                ui.separator();
                ui.label(RichText::new("Every command, with its keys, is in the palette.").weak());
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
                ui.label(RichText::new("• modified").color(amber()));
            }
        });
    });
    asked
}
