//! The debugger's timeline: every step taken, filtered by state name or to errors; a click
//! shows a step's data, a right-click rewinds to before it.

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
        let text = format!("{indent}{}. {}{item}  {to}{time}", i + 1, e.state);
        let colour = if e.error.is_some() && !e.caught {
            red()
        } else {
            state_colour(&e.state_type)
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
