//! What the next state gets (editable: a fork), a stop inside a step with its result
//! editable, the watch list and the playground.

use super::*;

impl Debugger {
    /// The next state, its data (editable: a fork), its action's mock, a Choice's branches
    /// to force; watches, the playground and breakpoints.
    pub(super) fn next_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        egui::ScrollArea::vertical()
            .id_salt("next_column")
            .min_scrolled_height(24.0)
            .show(ui, |ui| self.next_inner_ui(ui, state, out));
    }

    pub(super) fn next_inner_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        out: &mut Commands,
    ) {
        let Some(session) = &state.debug else { return };
        let current = session
            .next_data()
            .cloned()
            .or_else(|| {
                session
                    .steps
                    .last()
                    .and_then(|s| s.event.output.as_deref().cloned())
            })
            .unwrap_or(Value::Null);
        self.watch_ui(ui, state, &current, out);
        self.partial_ui(ui, session, out);
        if let (Some(next), Some(data)) = (session.next_state(), session.next_data()) {
            ui.label(RichText::new(format!("Next: {next}")).strong());
            let key = (session.id, session.steps.len(), next.to_string());
            if self.draft_for.as_ref() != Some(&key) {
                self.data_draft = serde_json::to_string_pretty(data).unwrap_or_default();
                self.draft_for = Some(key);
            }
            let label = ui.label("Data for the next state ($)");
            egui::ScrollArea::vertical()
                .id_salt("next_data")
                .max_height(ui.available_height() * 0.5)
                .show(ui, |ui| {
                    crate::ui::json_editor::json_editor(
                        ui,
                        &mut self.data_draft,
                        egui::Id::new("next_data_editor"),
                        6,
                        None,
                    )
                    .labelled_by(label.id);
                });
            if ui
                .button("Fork with this data")
                .on_hover_text("The next state gets the edited data; the steps before stay")
                .clicked()
            {
                out.push(DebugCommand::DebugSetData(self.data_draft.clone()));
            }
            // The next state's action, if any: mock it.
            let action = state
                .document
                .as_ref()
                .and_then(|d| {
                    d.value().pointer(&format!(
                        "/resources/{}/properties/definition/States/{}/ActionName",
                        zis_engine::json::pointer::escape(&session.flow),
                        zis_engine::json::pointer::escape(next)
                    ))
                })
                .and_then(Value::as_str);
            if let Some(action) = action {
                self.mock_ui(ui, state, action, out);
            }
            // A Choice: force one of its branches.
            let choice = state.document.as_ref().and_then(|d| {
                d.value().pointer(&format!(
                    "/resources/{}/properties/definition/States/{}",
                    zis_engine::json::pointer::escape(&session.flow),
                    zis_engine::json::pointer::escape(next)
                ))
            });
            if let Some(c) =
                choice.filter(|c| c.get("Type").and_then(Value::as_str) == Some("Choice"))
            {
                let mut targets: Vec<&str> = c
                    .get("Choices")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|r| r.get("Next")?.as_str()).collect())
                    .unwrap_or_default();
                targets.extend(c.get("Default").and_then(Value::as_str));
                targets.dedup();
                ui.separator();
                ui.label(RichText::new(format!("Force {next}")).strong());
                ui.horizontal_wrapped(|ui| {
                    for t in targets {
                        if ui
                            .button(format!("Go to {t}"))
                            .on_hover_text("Skip the rules and take this branch")
                            .clicked()
                        {
                            out.push(DebugCommand::DebugForce(t.to_string()));
                        }
                    }
                });
            }
        }
        self.playground_ui(ui, &current);
        self.settings_ui(ui, state, out);
    }

    /// Paused inside a step: each phase reached so far, and the action's result to edit.
    pub(super) fn partial_ui(
        &mut self,
        ui: &mut egui::Ui,
        session: &crate::core::debug::Session,
        out: &mut Commands,
    ) {
        let Some(p) = &session.partial else { return };
        let e = &p.stop.event;
        ui.label(
            RichText::new(format!("Inside {}: {}", e.state, p.stop.phase.label()))
                .strong()
                .color(amber()),
        );
        for (title, value, phase) in [
            (
                "State input",
                e.after_input_path.as_ref(),
                Phase::BeforeParameters,
            ),
            (
                "Parameters",
                e.after_parameters.as_ref(),
                Phase::BeforeAction,
            ),
            ("Result", e.result.as_ref(), Phase::AfterResult),
            (
                "After ResultPath",
                e.after_result_path.as_ref(),
                Phase::AfterResultPath,
            ),
        ] {
            if let Some(v) = value {
                // The phase stopped at is open; the earlier ones fold.
                egui::CollapsingHeader::new(title)
                    .id_salt(("partial", title))
                    .default_open(phase == p.stop.phase)
                    .show(ui, |ui| json_tree(ui, v, "$", 0));
            }
        }
        if let Some(err) = &e.error {
            ui.colored_label(
                red(),
                format!("The action failed: {}: {}", err.error, err.cause),
            );
        }
        for x in &p.http {
            ui.label(
                RichText::new(format!(
                    "{} {} -> {}",
                    x.method,
                    x.url,
                    x.status.map_or("no answer".into(), |s| s.to_string())
                ))
                .monospace(),
            );
        }
        if p.stop.phase >= Phase::AfterResult && e.state_type == "Action" {
            // Keyed by the session too: a draft never carries over from another run.
            let key = (session.id, session.steps.len(), e.state.clone());
            if self.result_for.as_ref() != Some(&key) {
                self.result_draft = e
                    .result
                    .as_ref()
                    .map(|r| serde_json::to_string_pretty(r).unwrap_or_default())
                    .unwrap_or_else(|| "{}".into());
                self.result_for = Some(key);
            }
            // This step's answer: the result above, or the error (with the HTTP status).
            if e.error.is_some() {
                let status = p
                    .http
                    .last()
                    .and_then(|x| x.status)
                    .map(|s| format!(" (HTTP {s})"))
                    .unwrap_or_default();
                let mocked = p
                    .calls
                    .last()
                    .and_then(|c| c.mock_label())
                    .map(|m| format!(", {m}"))
                    .unwrap_or_default();
                ui.label(
                    RichText::new(format!(
                        "This step's answer is the error above{status}{mocked}: type a result to go on as if the action had answered."
                    ))
                    .weak(),
                );
            } else if let Some(m) = p.calls.last().and_then(|c| c.mock_label()) {
                ui.label(RichText::new(format!("This answer is a mock ({m}).")).weak());
            }
            let label = ui.label("The action's result");
            crate::ui::json_editor::json_editor(
                ui,
                &mut self.result_draft,
                egui::Id::new("result_editor"),
                4,
                None,
            )
            .labelled_by(label.id);
            if ui
                .button("Go on with this result")
                .on_hover_text("What if the action had answered this? The step continues with it")
                .clicked()
            {
                out.push(DebugCommand::DebugSetResult(self.result_draft.clone()));
            }
        }
        ui.separator();
    }

    /// JSONPaths re-evaluated on the current data at every step.
    pub(super) fn watch_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        data: &Value,
        out: &mut Commands,
    ) {
        ui.label(RichText::new("Watches").strong());
        for (i, path) in state.sidecar.watches.iter().enumerate() {
            ui.horizontal(|ui| {
                let shown = match zis_engine::run::dataflow::eval_path(path, data, None) {
                    Ok(v) => RichText::new(format!("{path} = {}", short(&v))).monospace(),
                    Err(e) => RichText::new(format!("{path}: {}", e.cause))
                        .monospace()
                        .color(crate::ui::theme::muted()),
                };
                ui.label(shown);
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Stop watching {path}"))
                    .clicked()
                {
                    out.push(DebugCommand::RemoveWatch(i));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("Watch");
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut self.watch_draft)
                        .hint_text("$.input.ticket_event.ticket.id")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Add watch").clicked() || enter) && !self.watch_draft.trim().is_empty() {
                out.push(DebugCommand::AddWatch(std::mem::take(
                    &mut self.watch_draft,
                )));
            }
        });
    }

    /// What a path, a `{{ }}` template or a Parameters object would give on the data.
    pub(super) fn playground_ui(&mut self, ui: &mut egui::Ui, data: &Value) {
        ui.separator();
        ui.label(RichText::new("Playground").strong());
        text_field(
            ui,
            "Path, {{ }} template or Parameters JSON",
            &mut self.playground,
            "{\"id.$\": \"$.input.ticket_event.ticket.id\"}",
            f32::INFINITY,
        );
        let text = self.playground.trim();
        if text.is_empty() {
            return;
        }
        let result = playground(text, data);
        match result {
            Ok(v) => {
                ui.label(
                    RichText::new(format!("= {}", short(&v)))
                        .monospace()
                        .color(green()),
                );
            }
            Err(e) => {
                ui.label(RichText::new(e).monospace().color(red()));
            }
        }
    }
}
