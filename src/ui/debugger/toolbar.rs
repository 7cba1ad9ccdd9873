//! The debugger's toolbar: the event to run on (catalog, recorded, saved, edited payload)
//! and the stepping buttons.

use super::*;

impl Debugger {
    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        let session = state.debug.as_ref();
        let event = state.debug_event.clone().or_else(|| {
            let doc = state.document.as_ref()?;
            let key = state.selected.as_ref()?;
            crate::core::trigger::trigger_of(doc.value(), key).map(|t| (t.1, t.2))
        });
        let running = state.running();
        ui.horizontal_wrapped(|ui| {
            let current = &event;
            let shown = current
                .as_ref()
                .map_or("choose an event".to_string(), |(s, t)| format!("{s}/{t}"));
            let label = ui.label("Event");
            egui::ComboBox::from_id_salt("debug_event")
                .selected_text(shown)
                .width(240.0)
                .show_ui(ui, |ui| {
                    for e in zis_services::catalog::EVENTS {
                        let chosen = current
                            .as_ref()
                            .is_some_and(|(s, t)| s == e.source && t == e.event_type);
                        if ui
                            .selectable_label(chosen, format!("{}/{}", e.source, e.event_type))
                            .on_hover_text(e.label)
                            .clicked()
                        {
                            out.push(DebugCommand::DebugEvent(e.source.into(), e.event_type.into()));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            if !self.events_loaded {
                self.events_loaded = true;
                out.push(DebugCommand::LoadRecordedEvents);
            }
            let recorded = ui.label("or a recorded one");
            egui::ComboBox::from_id_salt("recorded_event")
                .selected_text("choose…")
                .width(150.0)
                .show_ui(ui, |ui| {
                    if ui.button("Read the store again").clicked() {
                        out.push(DebugCommand::LoadRecordedEvents);
                    }
                    if state.recorded_events.is_empty() {
                        ui.label(RichText::new("no events in the store yet").weak());
                    }
                    for e in &state.recorded_events {
                        let text = format!(
                            "#{} {}/{} ({})",
                            e.id, e.event_source, e.event_type, e.origin
                        );
                        if ui.selectable_label(false, text).clicked() {
                            out.push(DebugCommand::UseRecordedEvent(e.id));
                        }
                    }
                })
                .response
                .labelled_by(recorded.id)
                .on_hover_text(
                    "Run on an event the store received: from send, the API or an inbound webhook",
                );
            let mut real = state.real_time;
            if ui
                .checkbox(&mut real, "Real-time waits")
                .on_hover_text("Wait states sleep for real; off: a virtual clock")
                .changed()
            {
                out.push(DebugCommand::SetRealTime(real));
            }
            if state.debug_payload.is_some() {
                ui.colored_label(amber(), "payload: custom");
                if ui
                    .small_button("Use the catalog sample")
                    .on_hover_text("Start the next session on the event type's sample payload")
                    .clicked()
                {
                    out.push(DebugCommand::DebugPayload(None));
                }
            }
            if ui
                .add_enabled(!running, egui::Button::new("Start"))
                .on_hover_text("Start a session paused before the first state")
                .clicked()
            {
                out.push(DebugCommand::DebugStart);
            }
            if ui
                .add_enabled(!running, egui::Button::new(crate::ui::commands::with_keys("Step over", "Step over")))
                .on_hover_text("Run the next state; a Map runs through its items as one step")
                .clicked()
            {
                out.push(DebugCommand::DebugGo(Go::StepOver));
            }
            if ui
                .add_enabled(!running, egui::Button::new(crate::ui::commands::with_keys("Step into", "Step into")))
                .on_hover_text("Run the next state; inside a Map, one iteration's state at a time")
                .clicked()
            {
                out.push(DebugCommand::DebugGo(Go::Step));
            }
            if ui
                .add_enabled(!running, egui::Button::new(crate::ui::commands::with_keys("Step out", "Step out")))
                .on_hover_text("Run until the Map the next state is in has run all its items")
                .clicked()
            {
                out.push(DebugCommand::DebugGo(Go::StepOut));
            }
            if ui
                .add_enabled(!running, egui::Button::new(crate::ui::commands::with_keys("Continue", "Run / Continue")))
                .clicked()
            {
                out.push(DebugCommand::DebugGo(Go::Continue));
            }
            if ui
                .add_enabled(running, egui::Button::new("Pause"))
                .on_hover_text("Stop after the state at work; one that takes over half a second (slow HTTP, a real-time Wait) is left, and the session stays before it")
                .clicked()
            {
                out.push(DebugCommand::DebugPause);
            }
            let can_back = session.is_some_and(|s| !s.steps.is_empty()) && !running;
            if ui
                .add_enabled(can_back, egui::Button::new(crate::ui::commands::with_keys("Step back", "Step back")))
                .clicked()
            {
                out.push(DebugCommand::DebugStepBack);
            }
            if ui
                .add_enabled(session.is_some(), egui::Button::new(crate::ui::commands::with_keys("Stop", "Stop")))
                .clicked()
            {
                out.push(DebugCommand::DebugStop);
            }
            ui.separator();
            let (text, colour) = match session {
                None => ("no session".to_string(), crate::ui::theme::muted()),
                Some(_) if running => ("running…".to_string(), amber()),
                Some(s) => match s.status() {
                    Status::Running if s.partial.is_some() => (
                        s.partial
                            .as_ref()
                            .map(|p| {
                                format!(
                                    "paused in {}, {}",
                                    p.stop.event.state,
                                    p.stop.phase.label()
                                )
                            })
                            .unwrap_or_default(),
                        amber(),
                    ),
                    Status::Running => (
                        format!(
                            "paused before {}{}",
                            s.next_state().unwrap_or("?"),
                            s.stopped_by
                                .as_ref()
                                .map(|b| format!(" ({b})"))
                                .unwrap_or_default()
                        ),
                        amber(),
                    ),
                    Status::Succeeded { .. } => {
                        (format!("succeeded in {} steps", s.steps.len()), green())
                    }
                    Status::Failed { error, cause } => (format!("failed: {error}: {cause}"), red()),
                },
            };
            ui.label(RichText::new(text).color(colour).strong());
        });
        self.payload_ui(ui, event.as_ref(), state, out);
    }

    /// The event's payload as JSON, generated from the catalog for the chosen type and
    /// editable; "Use this payload" makes the next session start on it.
    pub(super) fn payload_ui(
        &mut self,
        ui: &mut egui::Ui,
        event: Option<&(String, String)>,
        state: &AppState,
        out: &mut Commands,
    ) {
        let key = event.map(|(s, t)| format!("{s}/{t}"));
        if self.payload_for != key {
            self.payload_for = key;
            let sample = match (&state.debug_payload, event) {
                (Some(p), _) => p.clone(),
                (None, Some((s, t))) => zis_services::catalog::find(s, t)
                    .map(zis_services::catalog::sample_input)
                    .unwrap_or(Value::Null),
                (None, None) => Value::Null,
            };
            self.payload = serde_json::to_string_pretty(&sample).unwrap_or_default();
        }
        egui::CollapsingHeader::new("Event payload")
            .id_salt("payload")
            .show(ui, |ui| {
                let label = ui.label("Payload JSON ($.input)");
                egui::ScrollArea::vertical()
                    .id_salt("payload_scroll")
                    .max_height(160.0)
                    .show(ui, |ui| {
                        crate::ui::json_editor::json_editor(
                            ui,
                            &mut self.payload,
                            egui::Id::new("payload_editor"),
                            6,
                            None,
                        )
                        .labelled_by(label.id);
                    });
                ui.horizontal(|ui| {
                    if ui
                        .button("Use this payload")
                        .on_hover_text("The next Start or Run uses this payload as the event's input")
                        .clicked()
                    {
                        out.push(DebugCommand::DebugPayload(Some(self.payload.clone())));
                    }
                    text_field(ui, "Event name", &mut self.event_name, "e.g. vip ticket", 140.0);
                    if let Some(event) = event
                        && ui
                            .button("Save as named event")
                            .on_hover_text("Keep this payload and its event type in the bundle's sidecar, to run again")
                            .clicked()
                    {
                        out.push(DebugCommand::SaveEvent {
                            name: std::mem::take(&mut self.event_name),
                            event: event.clone(),
                            text: self.payload.clone(),
                        });
                    }
                });
                if !state.sidecar.events.is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        ui.label("Saved:");
                        for (name, e) in &state.sidecar.events {
                            if ui
                                .button(format!("Use {name}"))
                                .on_hover_text(format!("{}/{}", e.source, e.event_type))
                                .clicked()
                            {
                                self.payload =
                                    serde_json::to_string_pretty(&e.payload).unwrap_or_default();
                                out.push(DebugCommand::UseSavedEvent(name.clone()));
                            }
                            if remove_button(ui, &format!("Forget the event {name}")) {
                                out.push(DebugCommand::DeleteSavedEvent(name.clone()));
                            }
                        }
                    });
                }
            });
    }
}
