//! Mocks and breakpoints: the lists in the sidecar, switched on and off.

use super::*;

impl Debugger {
    pub(super) fn mock_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        action: &str,
        out: &mut Commands,
    ) {
        ui.separator();
        ui.label(RichText::new(format!("Mock {action}")).strong());
        for m in state.sidecar.mocks.iter().filter(|m| m.action == action) {
            let what = match &m.outcome {
                MockOutcome::Status(s) => format!("fails with status {s}"),
                MockOutcome::Error { error, .. } => format!("fails with {error}"),
                MockOutcome::Body(b) => format!("returns {}", short(b)),
            };
            let when = m
                .attempt
                .map_or("every attempt".to_string(), |a| format!("attempt {a}"));
            ui.horizontal(|ui| {
                ui.colored_label(amber(), format!("mocked ({when}): {what}"));
                if ui.button("Remove mock").clicked() {
                    out.push(BreakpointCommand::SetMock {
                        action: action.to_string(),
                        attempt: m.attempt,
                        outcome: None,
                    });
                }
            });
        }
        // Which answer each attempt gets: the most specific mock wins, whatever the order.
        let mocks: Vec<_> = state
            .sidecar
            .mocks
            .iter()
            .filter(|m| m.action == action)
            .cloned()
            .collect();
        if !mocks.is_empty() {
            let attempts = zis_engine::run::execution::Settings::zis().retries + 1;
            let per: Vec<String> = (1..=attempts)
                .map(|a| {
                    let what = match zis_services::runner::mock_for(&mocks, action, a, 0)
                        .map(|m| &m.outcome)
                    {
                        Some(MockOutcome::Status(s)) => format!("{s}"),
                        Some(MockOutcome::Error { error, .. }) => error.clone(),
                        Some(MockOutcome::Body(_)) => "body".into(),
                        None => "the real action".into(),
                    };
                    format!("attempt {a}: {what}")
                })
                .collect();
            ui.label(RichText::new(format!("Applies: {}", per.join(" · "))).weak());
        }
        let attempt = (self.mock_attempt > 0).then_some(self.mock_attempt);
        ui.horizontal(|ui| {
            let label = ui.label("Attempt (0: every)");
            ui.add(egui::DragValue::new(&mut self.mock_attempt).range(0..=4))
                .labelled_by(label.id)
                .on_hover_text("ZIS retries a flow after a retryable error: mock one attempt only");
        });
        ui.horizontal(|ui| {
            if self.mock_status == 0 {
                self.mock_status = 503;
            }
            let label = ui.label("Status");
            ui.add(egui::DragValue::new(&mut self.mock_status).range(100..=599))
                .labelled_by(label.id);
            if ui.button("Fail with status").clicked() {
                out.push(BreakpointCommand::SetMock {
                    action: action.to_string(),
                    attempt,
                    outcome: Some(MockOutcome::Status(self.mock_status)),
                });
            }
        });
        ui.horizontal(|ui| {
            text_field(ui, "Body", &mut self.mock_body, "{\"id\": 1}", 160.0);
            if ui.button("Return body").clicked() {
                let body = serde_json::from_str(&self.mock_body)
                    .unwrap_or(Value::String(self.mock_body.clone()));
                out.push(BreakpointCommand::SetMock {
                    action: action.to_string(),
                    attempt,
                    outcome: Some(MockOutcome::Body(body)),
                });
            }
        });
    }

    pub(super) fn settings_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        ui.separator();
        let bp = &state.sidecar.breakpoints;
        ui.horizontal(|ui| {
            ui.label(RichText::new("Breakpoints").strong());
            let mut active = !bp.all_off;
            if ui
                .checkbox(&mut active, "Breakpoints active")
                .on_hover_text("Switch every breakpoint off (or on) at once; they are kept")
                .changed()
            {
                out.push(BreakpointCommand::BreakpointsActive(active));
            }
        });
        // One enable box per breakpoint, labelled with what it is, after its mark: red
        // while it stops, grey when it is off or every breakpoint is (the box then greyed).
        let enable_box =
            |ui: &mut egui::Ui, id: String, text: String, phase: bool, out: &mut Commands| {
                crate::ui::graph::breakpoint_mark(ui, bp.enabled(&id), phase);
                let mut on = !bp.disabled.contains(&id);
                if ui
                    .add_enabled(!bp.all_off, egui::Checkbox::new(&mut on, text))
                    .changed()
                {
                    out.push(BreakpointCommand::SetBreakpointEnabled(id, on));
                }
            };
        let mut on_error = state.sidecar.breakpoints.on_error;
        if ui.checkbox(&mut on_error, "Break on errors").changed() {
            out.push(BreakpointCommand::BreakOnError(on_error));
        }
        for (i, c) in state.sidecar.breakpoints.conditions.iter().enumerate() {
            ui.horizontal(|ui| {
                enable_box(
                    ui,
                    crate::core::debug::Breakpoints::condition_id(c),
                    format!("when {c}"),
                    false,
                    out,
                );
                if remove_button(ui, "Remove this condition") {
                    out.push(BreakpointCommand::RemoveCondition(i));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("Condition");
            ui.add(
                egui::TextEdit::singleline(&mut self.condition)
                    .hint_text(r#"{"Variable": "$.input.ticket_event.ticket.priority", "StringEquals": "urgent"}"#)
                    .desired_width(260.0),
            )
            .labelled_by(label.id)
            .on_hover_text("A Choice rule over $: the debugger stops before any state whose data makes it true");
            if ui.button("Add condition").clicked() && !self.condition.trim().is_empty() {
                out.push(BreakpointCommand::AddCondition(std::mem::take(&mut self.condition)));
            }
        });
        ui.horizontal(|ui| {
            let at = state.sidecar.breakpoints.at_transition;
            let mut on = at.is_some();
            let mut n = at.unwrap_or(10);
            let changed_on = ui.checkbox(&mut on, "Break at transition").changed();
            let changed_n = ui
                .add_enabled(on, egui::DragValue::new(&mut n).range(1..=1000))
                .changed();
            if changed_on || changed_n {
                out.push(BreakpointCommand::BreakAtTransition(on.then_some(n)));
            }
        });
        let key = state.layout_key();
        if let Some(set) = state.sidecar.breakpoints.states.get(&key) {
            for name in set {
                ui.horizontal(|ui| {
                    enable_box(
                        ui,
                        crate::core::debug::Breakpoints::state_id(&key, name),
                        format!("before {name}"),
                        false,
                        out,
                    );
                    if ui
                        .small_button("✖")
                        .on_hover_text(format!("Remove the breakpoint on {name}"))
                        .clicked()
                    {
                        out.push(BreakpointCommand::ToggleBreakpoint(Some(name.clone())));
                    }
                });
            }
        }
        if state.selected_state.is_some()
            && ui
                .button(crate::ui::commands::with_keys(
                    "Toggle breakpoint on the selected state",
                    "Toggle breakpoint",
                ))
                .clicked()
        {
            out.push(BreakpointCommand::ToggleBreakpoint(None));
        }
        // Stops inside a state's step.
        if let Some(states) = state.sidecar.breakpoints.phases.get(&key) {
            for (name, phases) in states {
                for phase in phases {
                    ui.horizontal(|ui| {
                        enable_box(
                            ui,
                            crate::core::debug::Breakpoints::phase_id(&key, name, *phase),
                            format!("in {name}, {}", phase.label()),
                            true,
                            out,
                        );
                        if remove_button(
                            ui,
                            &format!("Remove the stop in {name} {}", phase.label()),
                        ) {
                            out.push(BreakpointCommand::TogglePhaseBreak(name.clone(), *phase));
                        }
                    });
                }
            }
        }
        let selected = state.selected_state.as_ref().filter(|name| {
            state
                .states
                .iter()
                .any(|r| &r.name == *name && matches!(r.type_name.as_str(), "Action" | "Pass"))
        });
        if let Some(name) = selected {
            ui.label(format!("Stop inside {name}:"));
            let set = state.sidecar.breakpoints.phases_of(&key, name);
            ui.horizontal_wrapped(|ui| {
                for phase in Phase::ALL {
                    let mut on = set.contains(&phase);
                    if ui.checkbox(&mut on, phase.label()).changed() {
                        out.push(BreakpointCommand::TogglePhaseBreak(name.clone(), phase));
                    }
                }
            });
        }
    }
}
