//! The debugger's timeline: every step taken, filtered by state name or to errors, with
//! its attempt, the mocks that answered its calls and what the user changed in it (forced
//! branch, edited result or data, redrive, an older definition), and a line where the flow
//! restarted from `StartAt` after a retryable error; a click shows a step's data, a
//! right-click rewinds to before it.

use crate::app::{Commands, DebugCommand};
use crate::ui::theme::{amber, red, state_colour};
use egui::RichText;

/// Which steps the timeline lists.
pub(super) struct StepFilter {
    /// Lower-case text the state's name must contain.
    pub(super) text: String,
    /// Only steps that raised an error.
    pub(super) errors_only: bool,
}

impl StepFilter {
    pub(super) fn keeps(&self, e: &zis_engine::run::execution::HistoryEvent) -> bool {
        (self.text.is_empty() || e.state.to_lowercase().contains(&self.text))
            && (!self.errors_only || e.error.is_some())
    }
}

/// A cause cut to a line.
fn short_cause(cause: &str) -> String {
    let line = cause.lines().next().unwrap_or_default();
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(59).collect::<String>())
    } else {
        line.to_string()
    }
}

/// The steps as a list.
pub(super) fn timeline_ui(
    ui: &mut egui::Ui,
    session: &crate::core::debug::Session,
    filter: &StepFilter,
    out: &mut Commands,
) {
    if session.steps.is_empty() {
        ui.label(
            RichText::new(format!(
                "paused before {}",
                session.next_state().unwrap_or("?")
            ))
            .weak(),
        );
    }
    let mut hidden = 0;
    for (i, step) in session.steps.iter().enumerate() {
        let e = &step.event;
        if !filter.keeps(e) {
            hidden += 1;
            continue;
        }
        let indent = "   ".repeat(e.frames.len());
        let item = e
            .frames
            .last()
            .map(|(_, i)| format!(" [{i}]"))
            .unwrap_or_default();
        let to = match (&e.error, &e.next) {
            (Some(err), _) if !e.caught => format!("✖ {}", err.error),
            (Some(err), Some(n)) => format!("caught {} -> {n}", err.error),
            (_, Some(n)) => format!("-> {n}"),
            _ => "end".to_string(),
        };
        let time = if step.millis >= 0.5 {
            format!("  ({:.0} ms)", step.millis)
        } else {
            String::new()
        };
        // What the flow alone would not have done, and which attempt this is.
        let mut notes: Vec<String> = Vec::new();
        if session.now.attempt() > 1 || e.attempt > 1 {
            notes.push(format!("attempt {}", e.attempt));
        }
        notes.extend(step.calls.iter().filter_map(|c| c.mock_label()));
        notes.extend(step.marks.iter().map(|m| m.label()));
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  · {}", notes.join(" · "))
        };
        let text = format!("{indent}{}. {}{item}  {to}{notes}{time}", i + 1, e.state);
        let colour = if e.error.is_some() && !e.caught {
            red()
        } else {
            state_colour(e.state_type)
        };
        let selected = session.selected == Some(i);
        let resp = ui.selectable_label(selected, RichText::new(text).color(colour));
        if resp.clicked() {
            out.push(DebugCommand::DebugSelect(i));
        }
        resp.context_menu(|ui| {
            if ui.button("Rewind to before this step").clicked() {
                out.push(DebugCommand::DebugRewind(i));
                ui.close();
            }
        });
        if e.retried {
            let why = e
                .error
                .as_ref()
                .map(|x| {
                    if x.cause.is_empty() {
                        x.error.clone()
                    } else {
                        format!("{}: {}", x.error, short_cause(&x.cause))
                    }
                })
                .unwrap_or_default();
            ui.label(
                RichText::new(format!(
                    "{indent}   flow restarted from StartAt (attempt {} of {}, after {why})",
                    e.attempt + 1,
                    session.now.max_attempts()
                ))
                .color(amber()),
            );
        }
    }
    if hidden > 0 {
        ui.label(RichText::new(format!("{hidden} step(s) hidden by the filter")).weak());
    }
    if let Some(p) = &session.partial {
        ui.label(
            RichText::new(format!(
                "{}. {}  · paused {}",
                session.steps.len() + 1,
                p.stop.event.state,
                p.stop.phase.label()
            ))
            .color(amber()),
        );
    }
}
