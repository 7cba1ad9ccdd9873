//! "Fuzz this flow": the shown flow on generated variants of its event, failures grouped by
//! state and error with their smallest payload, each openable as a debugging session.

use super::*;

/// Variants a click runs.
const RUNS: usize = 200;

impl Debugger {
    pub(super) fn fuzz_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        // The last report, when it is of the flow shown.
        let shown = state
            .fuzz
            .as_ref()
            .filter(|r| state.selected.as_deref() == Some(r.flow.as_str()));
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Fuzz this flow")
                .on_hover_text(format!(
                    "Run the flow on {RUNS} variants of its event (fields null or absent, empty arrays, other enumeration values, long and non-ASCII strings); configs hold {{}} and custom actions answer their response sample or {{}}"
                ))
                .clicked()
            {
                out.push(DebugCommand::Fuzz(RUNS));
            }
            if state.fuzz_job.is_some() {
                ui.spinner();
                ui.label(format!("fuzzing on {RUNS} variants…"));
                return;
            }
            let Some(report) = shown else {
                return;
            };
            let summary = match (&report.skipped, report.failures.len()) {
                (Some(why), _) => why.clone(),
                (None, 0) => format!(
                    "{} variants of {}: no failure",
                    report.runs, report.event
                ),
                (None, n) => format!(
                    "{} variants of {}: {n} way{} to fail",
                    report.runs,
                    report.event,
                    if n == 1 { "" } else { "s" }
                ),
            };
            let colour = if report.failures.is_empty() { green() } else { red() };
            ui.colored_label(colour, summary);
        });
        let Some(report) = shown else {
            return;
        };
        for (i, f) in report.failures.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    red(),
                    format!("{} failed with {} ({} runs)", f.state, f.error, f.count),
                )
                .on_hover_text(&f.cause);
                let case = if f.changes.is_empty() {
                    "the sample itself".to_string()
                } else {
                    f.changes.join(", ")
                };
                ui.label(RichText::new(case).monospace().weak());
                if ui
                    .button(format!("Debug case {}", i + 1))
                    .on_hover_text("Start a debugging session on this case's payload")
                    .clicked()
                {
                    out.push(DebugCommand::DebugFuzzCase(i));
                }
            });
        }
    }
}
