//! The command palette (Ctrl+Shift+P): every entry of the command table
//! ([`crate::ui::commands::TABLE`]) that can run now, filtered by what is typed; Enter runs
//! the first, a click runs any, Escape closes it.

use crate::app::{AppState, Commands};
use crate::ui::commands::{self, TABLE, WindowAction};
use egui::{Key, RichText};

/// The palette's state: open or not, and the query.
#[derive(Debug, Default)]
pub struct CommandPalette {
    open: bool,
    query: String,
    focus: bool,
}

impl CommandPalette {
    /// Opens it with an empty query.
    pub fn open(&mut self) {
        self.open = true;
        self.focus = true;
        self.query.clear();
    }

    /// True while it is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Draws it when open; returns a window action chosen in it (app commands go to `out`).
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        state: &AppState,
        out: &mut Commands,
    ) -> Option<WindowAction> {
        if !self.open {
            return None;
        }
        let q = self.query.to_lowercase();
        let matches: Vec<_> = TABLE
            .iter()
            .filter(|e| e.when.holds(state))
            .filter(|e| {
                q.split_whitespace()
                    .all(|w| e.label.to_lowercase().contains(w))
            })
            .collect();
        let mut chosen = None;
        let mut close = false;
        egui::Modal::new(egui::Id::new("command_palette")).show(ctx, |ui| {
            ui.set_width(460.0);
            let label = ui.label(RichText::new("Command palette").strong());
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .hint_text("type a command")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                resp.request_focus();
            }
            if resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                chosen = matches.first().copied();
            }
            if ui.input(|i| i.key_pressed(Key::Escape)) {
                close = true;
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for e in &matches {
                        let b = egui::Button::new(e.label)
                            .shortcut_text(commands::first_key_text(e))
                            .frame(false);
                        if ui.add_sized([ui.available_width(), 20.0], b).clicked() {
                            chosen = Some(*e);
                        }
                    }
                    if matches.is_empty() {
                        ui.label(RichText::new("no command matches").weak());
                    }
                });
        });
        if let Some(e) = chosen {
            self.open = false;
            return commands::run(e, state, out);
        }
        if close {
            self.open = false;
        }
        None
    }
}
