//! The chosen step's data: before, after, both side by side, every phase, a diff, the
//! HTTP calls; searchable.

use super::*;

impl Debugger {
    pub(super) fn data_ui(
        &mut self,
        ui: &mut egui::Ui,
        step: Option<&Step>,
        inferred: Option<&zis_engine::shape::Shape>,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Data").strong());
            for (tab, name) in [
                (DataTab::Before, "Before"),
                (DataTab::After, "After"),
                (DataTab::Phases, "Phases"),
                (DataTab::Diff, "Diff"),
                (DataTab::Side, "Side by side"),
                (DataTab::Http, "HTTP"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
        });
        ui.horizontal(|ui| {
            text_field(
                ui,
                "Search data",
                &mut self.search,
                "key, path or value",
                180.0,
            );
        });
        let Some(step) = step else {
            ui.label(RichText::new("Take a step, or choose one in the timeline.").weak());
            return;
        };
        let e = &step.event;
        ui.label(
            RichText::new(format!("{} ({})", e.state, e.state_type))
                .color(state_colour(e.state_type))
                .strong(),
        );
        if let Some(err) = &e.error {
            ui.colored_label(
                red(),
                format!(
                    "{}: {}{}",
                    err.error,
                    err.cause,
                    if e.caught { " (caught)" } else { "" }
                ),
            );
        }
        // Values whose shape is not what inference expected at this state: counted here,
        // marked ⚠ in the Before tree (a missing field marks its object).
        let marks: Vec<(String, String)> = inferred
            .map(|shape| zis_engine::shape::differences(&e.input, shape, 50))
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.at, d.why))
            .collect();
        if !marks.is_empty() {
            let n = marks.len();
            let text = format!(
                "⚠ {n} value{} not the inferred shape of $ here (marked in Before)",
                if n == 1 { " is" } else { "s are" }
            );
            let why = marks
                .iter()
                .map(|(at, why)| format!("{}: {why}", if at.is_empty() { "/" } else { at }))
                .collect::<Vec<_>>()
                .join("\n");
            let shown = ui
                .add(
                    egui::Label::new(RichText::new(text).color(amber()))
                        .sense(egui::Sense::click()),
                )
                .on_hover_text(format!("{why}\nclick to show them in Before"));
            if shown.clicked() {
                self.tab = DataTab::Before;
                self.search.clear();
            }
        }
        egui::ScrollArea::vertical()
            .id_salt("step_data")
            .min_scrolled_height(24.0)
            .show(ui, |ui| match self.tab {
                DataTab::Before if !self.search.trim().is_empty() => {
                    search_results(ui, &e.input, &self.search);
                }
                DataTab::Before => marked_tree(ui, &e.input, "$", "", 0, &marks),
                DataTab::After => match &e.output {
                    Some(v) if !self.search.trim().is_empty() => {
                        search_results(ui, v, &self.search);
                    }
                    Some(v) => json_tree(ui, v, "$", 0),
                    None => {
                        ui.label(RichText::new("no output (the state failed or ended)").weak());
                    }
                },
                DataTab::Phases => {
                    // Every phase the step went through, side by side (scroll sideways).
                    egui::ScrollArea::horizontal()
                        .id_salt("phases_side_by_side")
                        .show(ui, |ui| {
                            ui.horizontal_top(|ui| {
                                for (name, v) in [
                                    ("input", Some(&e.input)),
                                    ("after InputPath", e.after_input_path.as_ref()),
                                    ("Parameters (rendered)", e.after_parameters.as_ref()),
                                    ("result", e.result.as_ref()),
                                    ("after ResultSelector", e.after_result_selector.as_ref()),
                                    ("after ResultPath", e.after_result_path.as_ref()),
                                    ("output", e.output.as_ref()),
                                ] {
                                    let Some(v) = v else { continue };
                                    ui.group(|ui| {
                                        ui.set_width(230.0);
                                        ui.vertical(|ui| {
                                            ui.label(RichText::new(name).strong());
                                            ui.push_id(("phase", name), |ui| {
                                                json_tree(ui, v, "$", 0);
                                            });
                                        });
                                    });
                                }
                            });
                        });
                }
                DataTab::Side => {
                    let after = e.output.as_deref().cloned().unwrap_or(Value::Null);
                    let changed = diff(&e.input, &after).len();
                    ui.label(RichText::new(format!("{changed} path(s) differ (see Diff)")).weak());
                    ui.columns(2, |cols| {
                        cols[0].with_layout(plain(), |ui| {
                            ui.label(RichText::new("$ before").strong());
                            ui.push_id("side_before", |ui| json_tree(ui, &e.input, "$", 0));
                        });
                        cols[1].with_layout(plain(), |ui| {
                            ui.label(RichText::new("$ after").strong());
                            ui.push_id("side_after", |ui| json_tree(ui, &after, "$", 0));
                        });
                    });
                }
                DataTab::Diff => {
                    let after = e.output.as_deref().cloned().unwrap_or(Value::Null);
                    let changes = diff(&e.input, &after);
                    if changes.is_empty() {
                        ui.label(RichText::new("no change").weak());
                    }
                    for c in changes {
                        let (colour, text) = match c {
                            Change::Added(p, v) => (green(), format!("+ {p} = {}", short(&v))),
                            Change::Removed(p, v) => (red(), format!("- {p} (was {})", short(&v))),
                            Change::Changed(p, a, b) => {
                                (amber(), format!("~ {p}: {} -> {}", short(&a), short(&b)))
                            }
                        };
                        ui.colored_label(colour, RichText::new(text).monospace());
                    }
                }
                DataTab::Http => {
                    // A mock answered instead of the action: no request went out.
                    for c in &step.calls {
                        if let Some(m) = c.mock_label() {
                            ui.label(
                                RichText::new(format!("{}: {m}, no request sent", c.action))
                                    .monospace()
                                    .color(amber()),
                            );
                        }
                    }
                    if step.http.is_empty() && step.calls.iter().all(|c| c.mock.is_none()) {
                        ui.label(RichText::new("no HTTP call in this step").weak());
                    }
                    for x in &step.http {
                        ui.label(
                            RichText::new(format!(
                                "{} {}  ->  {}  ({:.0} ms)",
                                x.method,
                                x.url,
                                x.status.map_or("no answer".into(), |s| s.to_string()),
                                x.millis
                            ))
                            .monospace()
                            .strong(),
                        );
                        for (k, v) in &x.headers {
                            ui.label(RichText::new(format!("{k}: {v}")).monospace().weak());
                        }
                        if let Some(b) = &x.body {
                            egui::CollapsingHeader::new("request body")
                                .id_salt(("req", &x.url))
                                .show(ui, |ui| json_tree(ui, b, "$", 1));
                        }
                        if let Some(r) = &x.response {
                            egui::CollapsingHeader::new("response")
                                .id_salt(("resp", &x.url))
                                .default_open(true)
                                .show(ui, |ui| json_tree(ui, r, "$", 1));
                        }
                    }
                }
            });
    }
}
