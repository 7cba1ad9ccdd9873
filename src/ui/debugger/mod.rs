//! The debugger panel (bottom of the window): the event to run on, the stepping buttons,
//! the timeline of steps, the data of the chosen step (before, after, every phase, a diff,
//! the HTTP calls) as collapsible JSON trees, the data the next state gets (editable: a fork),
//! breakpoints and action mocks. It only draws the session and emits commands.

mod data;
mod fuzz;
mod next;
mod settings;
mod timeline;
mod toolbar;

use crate::app::{AppState, BreakpointCommand, Commands, DebugCommand};
use crate::core::debug::{Go, MockOutcome, Step};
use crate::core::search::playground;
use crate::ui::theme::{amber, green, red, state_colour};
use crate::ui::widgets::{
    json_tree, marked_tree, plain, remove_button, search_results, short, text_field,
};
use egui::RichText;
use serde_json::Value;
use timeline::{StepFilter, timeline_ui};
use zis_engine::run::execution::{Phase, Status};

/// Which view of a step's data is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataTab {
    /// `$` before the state.
    Before,
    /// `$` after it.
    #[default]
    After,
    /// Every phase side by side.
    Phases,
    /// What changed, as a list by path.
    Diff,
    /// Before and after side by side.
    Side,
    /// HTTP requests and answers.
    Http,
}

/// The panel's own state.
#[derive(Default)]
pub struct Debugger {
    tab: DataTab,
    test_name: String,
    mock_attempt: u32,
    events_loaded: bool,
    condition: String,
    payload: String,
    payload_for: Option<String>,
    watch_draft: String,
    playground: String,
    data_draft: String,
    draft_for: Option<(u64, usize, String)>,
    mock_status: u16,
    mock_body: String,
    result_draft: String,
    result_for: Option<(u64, usize, String)>,
    search: String,
    event_name: String,
    step_filter: String,
    errors_only: bool,
}

use crate::core::diff::{Change, diff};

impl Debugger {
    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        // The toolbar, the payload editor and the fuzz report scroll within part of the
        // panel: the timeline and the data below always keep room.
        let top = (ui.available_height() * 0.45).max(90.0);
        egui::ScrollArea::vertical()
            .id_salt("debugger_top")
            .max_height(top)
            .show(ui, |ui| {
                self.toolbar_ui(ui, state, out);
                self.fuzz_ui(ui, state, out);
            });
        ui.separator();
        let Some(session) = &state.debug else {
            ui.label(
                RichText::new(format!(
                    "Choose an event and press Start to pause before the first state, or {} to run to a breakpoint. {} sets a breakpoint on the selected state.",
                    crate::ui::commands::with_keys("Run", "Run / Continue"),
                    crate::ui::commands::keys_of("Toggle breakpoint"),
                ))
                .weak(),
            );
            self.settings_ui(ui, state, out);
            return;
        };
        // Steps on an older definition: those taken before an edit (Continue goes on with
        // the new one), and those already marked; none when no step was taken.
        let edited = state
            .document
            .as_ref()
            .is_some_and(|d| session.stale(d.value()));
        let banner = match (edited, session.steps.len(), session.old_steps()) {
            (_, 0, _) => None,
            (true, n, _) => Some(format!(
                "The flow was edited: the {n} step(s) so far ran on the old definition. Continue goes on with the new one."
            )),
            (false, _, 0) => None,
            (false, _, old) => Some(format!(
                "{old} step(s) ran on an older definition of the flow (marked in the timeline)."
            )),
        };
        ui.columns(3, |cols| {
            let [c0, c1, c2] = cols else { return };
            // Columns justify their text by default (letters spread out): not here.
            c0.with_layout(plain(), |c0| {
                c0.label(RichText::new("Timeline").strong());
                if let Some(text) = &banner {
                    c0.colored_label(amber(), text);
                }
                let log = session.log_lines();
                if !log.is_empty() {
                    c0.label(RichText::new("Integration log (as ZIS would write it)").strong());
                    for (level, text) in log {
                        let colour = if level == "error" { red() } else { green() };
                        c0.colored_label(colour, format!("{level}  {text}"));
                    }
                    c0.horizontal(|ui| {
                        text_field(ui, "Test name", &mut self.test_name, "what this run shows", 180.0);
                        if ui
                            .button("Save as test")
                            .on_hover_text("Append this run (event, mocks, outcome, states) to the bundle's .tests.json")
                            .clicked()
                        {
                            let name = if self.test_name.trim().is_empty() {
                                format!("{} on {}", session.flow, session.event)
                            } else {
                                self.test_name.trim().to_string()
                            };
                            out.push(DebugCommand::SaveAsTest(name));
                        }
                    });
                    if state.save_test_waiting.is_some() {
                        c0.colored_label(
                            amber(),
                            "The bundle has unsaved changes; a test runs the saved file.",
                        );
                        c0.horizontal(|ui| {
                            if ui.button("Save the bundle and the test").clicked() {
                                out.push(DebugCommand::SaveBundleThenTest);
                            }
                            if ui.button("Don't save the test").clicked() {
                                out.push(DebugCommand::CancelSaveTest);
                            }
                        });
                    }
                }
                if session.steps.len() > 1 {
                    c0.horizontal(|ui| {
                        text_field(ui, "Filter steps", &mut self.step_filter, "state name", 110.0);
                        ui.checkbox(&mut self.errors_only, "Errors only");
                    });
                }
                let filter = StepFilter {
                    text: self.step_filter.trim().to_lowercase(),
                    errors_only: self.errors_only,
                };
                egui::ScrollArea::vertical()
                    .id_salt("timeline")
                    .min_scrolled_height(24.0)
                    .show(c0, |ui| timeline_ui(ui, session, &filter, out));
            });
            c1.with_layout(plain(), |ui| {
                let step = session.selected.and_then(|i| session.steps.get(i));
                let inferred = step.zip(state.shapes.as_ref()).and_then(|(s, shapes)| {
                    crate::core::shapes::inferred_input(
                        shapes,
                        &session.flow,
                        &s.event.state,
                        s.event.frames.len(),
                    )
                });
                if let Some(i) = session.selected
                    && step.is_some_and(|s| s.event.state_type == "Action" && s.event.result.is_some())
                    && ui
                        .button("Keep this result as the state's sample")
                        .on_hover_text("Shape inference then knows what this state's result holds (kept in the sidecar)")
                        .clicked()
                {
                    out.push(DebugCommand::KeepResultSample(i));
                }
                self.data_ui(ui, step, inferred);
            });
            c2.with_layout(plain(), |ui| self.next_ui(ui, state, out));
        });
    }
}
