//! The Executions dock: every execution in the store with the queue's figures, filters by
//! flow, status and event type, and the opened execution replayed step by step, exported,
//! or re-run on the current bundle beside the stored run.

use crate::app::{AppState, Commands, ExecutionsCommand};
use crate::ui::widgets::json_tree;
use egui::RichText;
use serde_json::Value;

use crate::ui::theme::amber;
use crate::ui::theme::green;
use crate::ui::theme::red;

/// The view's own state: the filters.
#[derive(Default)]
pub struct ExecutionsView {
    flow: String,
    status: String,
    event: String,
    /// The step of the comparison whose differences are listed.
    compare_step: Option<usize>,
}

/// What the view asks the window for (file names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A file to export the opened execution to.
    Export,
    /// Show the Debugger (a session was started from a stored step).
    Debugger,
    /// An exported execution to open.
    Import,
}

fn ago(t: f64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let s = (now - t).max(0.0);
    if s < 60.0 {
        format!("{s:.0} s ago")
    } else if s < 3600.0 {
        format!("{:.0} min ago", s / 60.0)
    } else {
        format!("{:.1} h ago", s / 3600.0)
    }
}

impl ExecutionsView {
    /// The stored run and its re-run side by side: each step's state in both and whether
    /// its outcome differs; the differences of the chosen step (the first differing one by
    /// default) by path.
    fn comparison_ui(&mut self, ui: &mut egui::Ui, c: &crate::app::executions::Comparison) {
        match (c.first_path, c.first_data) {
            (None, None) => {
                ui.colored_label(green(), "The re-run took the same path with the same data.")
            }
            (None, Some(i)) => ui.colored_label(
                amber(),
                format!("Same path; the data differs from step {}.", i + 1),
            ),
            (Some(i), _) => ui.colored_label(amber(), format!("The runs part at step {}.", i + 1)),
        };
        let chosen = self
            .compare_step
            .filter(|i| *i < c.pairs.len())
            .or(c.first_data);
        egui::Grid::new("compare").striped(true).show(ui, |ui| {
            ui.label(RichText::new("step").strong());
            ui.label(RichText::new("stored").strong());
            ui.label(RichText::new("now").strong());
            ui.label(RichText::new("data").strong());
            ui.end_row();
            for (i, p) in c.pairs.iter().enumerate() {
                let colour = if p.stored == p.now {
                    crate::ui::theme::muted()
                } else {
                    amber()
                };
                if ui
                    .selectable_label(chosen == Some(i), format!("{}", i + 1))
                    .clicked()
                {
                    self.compare_step = Some(i);
                }
                ui.colored_label(colour, p.stored.as_deref().unwrap_or("—"));
                ui.colored_label(colour, p.now.as_deref().unwrap_or("—"));
                if p.changes.is_empty() {
                    ui.colored_label(crate::ui::theme::muted(), "same");
                } else {
                    ui.colored_label(amber(), format!("{} difference(s)", p.changes.len()));
                }
                ui.end_row();
            }
        });
        if let Some(i) = chosen
            && let Some(p) = c.pairs.get(i)
            && !p.changes.is_empty()
        {
            ui.label(RichText::new(format!("Step {}: stored -> now", i + 1)).strong());
            for change in p.changes.iter().take(20) {
                let (text, colour) = match change {
                    crate::core::diff::Change::Added(path, v) => {
                        (format!("+ {path}: {v}"), green())
                    }
                    crate::core::diff::Change::Removed(path, v) => {
                        (format!("- {path}: {v}"), red())
                    }
                    crate::core::diff::Change::Changed(path, a, b) => {
                        (format!("~ {path}: {a} -> {b}"), amber())
                    }
                };
                ui.colored_label(colour, RichText::new(text).monospace());
            }
            if p.changes.len() > 20 {
                ui.label(RichText::new(format!("… and {} more", p.changes.len() - 20)).weak());
            }
        }
    }

    /// Draws the view; a refresh is asked for every second while it is shown.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) -> Option<Ask> {
        let mut ask = None;
        let ex = &state.executions;
        if ex
            .last_refresh
            .is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(1))
        {
            out.push(ExecutionsCommand::RefreshExecutions);
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(1000));
        ui.horizontal_wrapped(|ui| {
            if let Some(q) = &ex.queue {
                let delay = match (q.median_delay_secs, q.max_delay_secs) {
                    (Some(m), Some(x)) => format!(" · start delay median {m:.2} s, max {x:.2} s"),
                    _ => String::new(),
                };
                let oldest = q
                    .oldest_pending_secs
                    .map(|s| format!(" · oldest pending {s:.0} s"))
                    .unwrap_or_default();
                ui.label(
                    RichText::new(format!(
                        "queue: {} pending, {} running, {} done, {} skipped{oldest}{delay}",
                        q.pending, q.running, q.done, q.skipped
                    ))
                    .strong(),
                );
            }
            if let Some(e) = &ex.error {
                ui.colored_label(red(), e);
            }
            if ui.button("Refresh").clicked() {
                out.push(ExecutionsCommand::RefreshExecutions);
            }
            if ui.button("Import…").clicked() {
                ask = Some(Ask::Import);
            }
        });
        ui.horizontal(|ui| {
            for (label, text, hint) in [
                ("Flow filter", &mut self.flow, "flow"),
                ("Status filter", &mut self.status, "succeeded / failed"),
                ("Event filter", &mut self.event, "event type"),
            ] {
                let l = ui.label(label);
                ui.add(
                    egui::TextEdit::singleline(text)
                        .hint_text(hint)
                        .desired_width(140.0),
                )
                .labelled_by(l.id);
            }
        });
        ui.separator();
        let rows: Vec<_> = ex
            .rows
            .iter()
            .filter(|r| {
                let has = |field: &str, f: &str| {
                    f.is_empty() || field.to_lowercase().contains(&f.to_lowercase())
                };
                has(&r.flow, &self.flow)
                    && has(&r.status, &self.status)
                    && has(&r.event_type, &self.event)
            })
            .collect();
        ui.columns(2, |cols| {
            cols[0].label(RichText::new(format!("{} executions", rows.len())).strong());
            let row_height = cols[0].text_style_height(&egui::TextStyle::Body) + 4.0;
            egui::ScrollArea::vertical()
                .id_salt("executions_list")
                .auto_shrink([false, true])
                .show_rows(&mut cols[0], row_height, rows.len(), |ui, range| {
                    for r in &rows[range] {
                        let colour = match r.status.as_str() {
                            "succeeded" => green(),
                            "failed" => red(),
                            _ => amber(),
                        };
                        let flow = r.flow.rsplit(':').next().unwrap_or(&r.flow);
                        let flag = if r.intervened {
                            "  · interventions"
                        } else {
                            ""
                        };
                        let text = format!(
                            "#{}  {flow}  {}  {}  ×{}  delay {:.2} s  {}{flag}",
                            r.id,
                            r.event_type,
                            r.status,
                            r.attempts,
                            r.delay_secs,
                            ago(r.started_at)
                        );
                        let opened = ex.opened.as_ref().and_then(|o| o.id) == Some(r.id);
                        if ui
                            .selectable_label(opened, RichText::new(text).color(colour))
                            .on_hover_text(r.cause.clone().unwrap_or_default())
                            .clicked()
                        {
                            out.push(ExecutionsCommand::OpenExecution(r.id));
                        }
                    }
                });
            // Plain text, not justified letter by letter as columns lay it out.
            cols[1].with_layout(crate::ui::widgets::plain(), |ui| {
                let Some(o) = &ex.opened else {
                    ui.label(RichText::new("Choose an execution to replay it step by step.").weak());
                    return;
                };
                ui.horizontal_wrapped(|ui| {
                    let title = o.id.map_or("imported execution".to_string(), |i| {
                        format!("execution #{i}")
                    });
                    ui.label(RichText::new(title).strong());
                    if ui.button("Export…").clicked() {
                        ask = Some(Ask::Export);
                    }
                    if ui
                        .add_enabled(
                            o.event_input.is_some(),
                            egui::Button::new("Re-run on the current bundle"),
                        )
                        .on_hover_text("Run the same event through the flow as it is now, and compare")
                        .clicked()
                    {
                        out.push(ExecutionsCommand::RerunExecution);
                    }
                    if ui.button("Close").clicked() {
                        out.push(ExecutionsCommand::CloseExecution);
                    }
                });
                // The integration-log lines ZIS would write for this run.
                for l in o.summary["logs"].as_array().into_iter().flatten() {
                    let level = l["level"].as_str().unwrap_or("info");
                    let colour = if level == "error" { red() } else { green() };
                    ui.colored_label(
                        colour,
                        format!("log {level}: {}", l["text"].as_str().unwrap_or_default()),
                    );
                }
                // The comparison with a re-run, once it has ended.
                if let Some((_, comparison)) = &state.comparison {
                    self.comparison_ui(ui, comparison);
                    ui.separator();
                }
                let n = o.history.len();
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(o.step > 0, egui::Button::new("◀ Previous step"))
                        .clicked()
                    {
                        out.push(ExecutionsCommand::ReplayStep(o.step.saturating_sub(1)));
                    }
                    ui.label(format!("step {} of {n}", (o.step + 1).min(n)));
                    if ui
                        .add_enabled(o.step + 1 < n, egui::Button::new("Next step ▶"))
                        .clicked()
                    {
                        out.push(ExecutionsCommand::ReplayStep(o.step + 1));
                    }
                    if ui
                        .add_enabled(n > 0, egui::Button::new("Debug from this step"))
                        .on_hover_text(
                            "A session on the current bundle, paused before this step's state with the data it had then",
                        )
                        .clicked()
                    {
                        out.push(ExecutionsCommand::DebugFromStored(o.step));
                        ask = Some(Ask::Debugger);
                    }
                });
                if let Some(e) = o.history.get(o.step) {
                    let name = e.get("state").and_then(Value::as_str).unwrap_or("?");
                    let next = e.get("next").and_then(Value::as_str).unwrap_or("end");
                    ui.label(RichText::new(format!("{name} -> {next}")).strong());
                    if let Some(err) = e.get("error") {
                        ui.colored_label(red(), err.to_string());
                    }
                    // What the debugger changed in this step, as recorded with it.
                    let notes = crate::core::export::step_notes(e);
                    if !notes.is_empty() {
                        ui.colored_label(amber(), notes.join(" · "));
                    }
                    egui::ScrollArea::vertical()
                        .id_salt("replay_data")
                        .show(ui, |ui| {
                            for (field, title) in [
                                ("input", "Before"),
                                ("after_parameters", "Parameters"),
                                ("result", "Result"),
                                ("output", "After"),
                            ] {
                                if let Some(v) = e.get(field) {
                                    egui::CollapsingHeader::new(title)
                                        .id_salt(("replay", field))
                                        .default_open(field == "output")
                                        .show(ui, |ui| json_tree(ui, v, "$", 1));
                                }
                            }
                        });
                }
            });
        });
        ask
    }
}
