//! Toasts: what a command did or refused, in the canvas's top-right corner. A result fades
//! after five seconds; a failure (a message that says a thing was not done) stays until
//! dismissed. The status bar keeps only what is true now.

use crate::app::AppState;
use crate::app::error::reads_as_failure;
use crate::ui::theme::{amber, green, red};
use egui::RichText;

/// How long a result stays, in seconds.
pub const SHOWN_FOR: f64 = 5.0;

struct Toast {
    text: String,
    error: bool,
    since: f64,
}

/// The toasts shown and the message last turned into one.
#[derive(Default)]
pub struct Toasts {
    items: Vec<Toast>,
    last: Option<String>,
}

impl Toasts {
    /// Takes a new status message as a toast and draws the toasts.
    pub fn ui(&mut self, ctx: &egui::Context, state: &AppState) {
        let now = ctx.input(|i| i.time);
        if state.message != self.last {
            if let Some(m) = &state.message {
                self.items.retain(|t| t.text != *m);
                self.items.push(Toast {
                    text: m.clone(),
                    error: reads_as_failure(m),
                    since: now,
                });
                self.items.truncate(6);
            }
            self.last.clone_from(&state.message);
        }
        self.items.retain(|t| t.error || now - t.since < SHOWN_FOR);
        if self.items.iter().any(|t| !t.error) {
            ctx.request_repaint_after(std::time::Duration::from_millis(500));
        }
        if self.items.is_empty() {
            return;
        }
        let mut dismissed = None;
        egui::Area::new(egui::Id::new("toasts"))
            .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 60.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                ui.set_max_width(420.0);
                for (i, t) in self.items.iter().enumerate() {
                    let colour = if t.error { red() } else { green() };
                    egui::Frame::popup(ui.style())
                        .stroke(egui::Stroke::new(1.5, colour))
                        .show(ui, |ui| {
                            ui.horizontal(|ui| {
                                let icon = if t.error { "✖" } else { "✔" };
                                ui.label(RichText::new(icon).color(colour));
                                ui.add(egui::Label::new(&t.text).wrap());
                                if t.error
                                    && crate::ui::widgets::icon_button(
                                        ui,
                                        "✖",
                                        "Dismiss this message",
                                    )
                                {
                                    dismissed = Some(i);
                                }
                            });
                        });
                }
            });
        if let Some(i) = dismissed {
            self.items.remove(i);
        }
    }
}

/// The session's state in words for the status bar: what is true now.
pub fn session_line(state: &AppState) -> Option<(String, egui::Color32)> {
    use zis_engine::run::execution::Status;
    let Some(s) = &state.debug else {
        let key = state.selected.as_ref().filter(|_| state.graph.is_some())?;
        let keys = crate::ui::commands::keys_of("Run / Continue");
        return Some((
            format!("Press {keys} to run {key} on a sample event"),
            egui::Color32::GRAY,
        ));
    };
    Some(match s.status() {
        _ if s.busy.is_some() => (
            format!("Running {}… ({} steps so far)", s.flow, s.steps.len()),
            amber(),
        ),
        Status::Running => (
            format!(
                "{} — {} continues, {} steps",
                s.pause_text(),
                crate::ui::commands::keys_of("Run / Continue"),
                crate::ui::commands::keys_of("Step over"),
            ),
            amber(),
        ),
        Status::Succeeded { .. } => (
            format!("{}: succeeded in {} steps", s.flow, s.steps.len()),
            green(),
        ),
        Status::Failed { error, .. } => (
            format!(
                "{}: failed with {error} after {} steps",
                s.flow,
                s.steps.len()
            ),
            red(),
        ),
    })
}
