//! The forms of a custom HTTP action and of a job spec (event types from the catalog).

use super::*;

/// The custom HTTP action form.
pub(super) fn action_form(
    ui: &mut egui::Ui,
    state: &AppState,
    def: &str,
    resource: &Value,
    out: &mut Commands,
) {
    let value = resource
        .pointer("/properties/definition")
        .cloned()
        .unwrap_or(Value::Null);
    let f = |k: &str| format!("{def}/{k}");
    egui::Grid::new("action_form")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let label = field_label(ui, "Method", false);
            let method = value
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_string();
            egui::ComboBox::from_id_salt("method")
                .selected_text(&method)
                .show_ui(ui, |ui| {
                    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                        if ui.selectable_label(method == m, m).clicked() {
                            out.push(EditCommand::SetField {
                                pointer: f("method"),
                                value: Some(Value::String(m.into())),
                            });
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let uses_url = value.get("url").is_some();
            let label = field_label(ui, "Target", false);
            ui.horizontal(|ui| {
                if ui.radio(!uses_url, "path (Zendesk)").clicked() && uses_url {
                    out.push(EditCommand::SetField {
                        pointer: f("url"),
                        value: None,
                    });
                    out.push(EditCommand::SetField {
                        pointer: f("path"),
                        value: Some(json!("/api/v2/")),
                    });
                }
                if ui.radio(uses_url, "url").clicked() && !uses_url {
                    out.push(EditCommand::SetField {
                        pointer: f("path"),
                        value: None,
                    });
                    out.push(EditCommand::SetField {
                        pointer: f("url"),
                        value: Some(json!("https://")),
                    });
                }
            })
            .response
            .labelled_by(label.id);
            ui.end_row();
            if uses_url {
                text_row(ui, state, "url", &f("url"), value.get("url"), false, out);
            } else {
                text_row(ui, state, "path", &f("path"), value.get("path"), false, out);
            }
            text_row(
                ui,
                state,
                "connectionName",
                &f("connectionName"),
                value.get("connectionName"),
                true,
                out,
            );
        });
    ui.add_space(6.0);
    pairs_ui(
        ui,
        state,
        "Headers",
        &f("headers"),
        value.get("headers"),
        out,
    );
    ui.add_space(6.0);
    pairs_ui(ui, state, "Query", &f("query"), value.get("query"), out);
    ui.add_space(6.0);
    let label = ui.label(RichText::new("requestBody").strong());
    let mut text = value
        .get("requestBody")
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default();
    let resp = crate::ui::json_editor::json_editor(
        ui,
        &mut text,
        egui::Id::new(f("requestBody")),
        6,
        None,
    )
    .labelled_by(label.id);
    let picked = super::paths::assist_json(
        ui,
        &resp,
        &mut text,
        super::paths::shapes_for(state, &f("requestBody")),
    );
    if resp.changed() || picked {
        if text.trim().is_empty() {
            out.push(EditCommand::SetField {
                pointer: f("requestBody"),
                value: None,
            });
        } else {
            out.push(EditCommand::SetJson {
                pointer: f("requestBody"),
                text,
            });
        }
    }
    if let Some((p, e)) = &state.json_error
        && *p == f("requestBody")
    {
        ui.colored_label(red(), format!("Not saved, the JSON does not parse: {e}"));
    }
}

/// The job spec form: event source and type from the catalog, the flow from the bundle.
pub(super) fn job_spec_form(
    ui: &mut egui::Ui,
    state: &AppState,
    props: &str,
    resource: &Value,
    out: &mut Commands,
) {
    let value = resource.get("properties").cloned().unwrap_or(Value::Null);
    let f = |k: &str| format!("{props}/{k}");
    let source = value
        .get("event_source")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let event_type = value
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let flow = value
        .get("flow_name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    egui::Grid::new("job_spec_form")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let mut sources: Vec<&str> = zis_services::catalog::EVENTS
                .iter()
                .map(|e| e.source)
                .collect();
            sources.dedup();
            let label = field_label(ui, "event_source", false);
            egui::ComboBox::from_id_salt("event_source")
                .selected_text(&source)
                .show_ui(ui, |ui| {
                    for s in &sources {
                        if ui.selectable_label(source == *s, *s).clicked() {
                            out.push(EditCommand::SetField {
                                pointer: f("event_source"),
                                value: Some(json!(s)),
                            });
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = field_label(ui, "event_type", false);
            egui::ComboBox::from_id_salt("event_type")
                .selected_text(&event_type)
                .width(260.0)
                .show_ui(ui, |ui| {
                    for e in zis_services::catalog::EVENTS
                        .iter()
                        .filter(|e| e.source == source)
                    {
                        if ui
                            .selectable_label(event_type == e.event_type, e.event_type)
                            .on_hover_text(e.label)
                            .clicked()
                        {
                            out.push(EditCommand::SetField {
                                pointer: f("event_type"),
                                value: Some(json!(e.event_type)),
                            });
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            text_row(
                ui,
                state,
                "event_type (any)",
                &f("event_type"),
                value.get("event_type"),
                false,
                out,
            );
            let label = field_label(ui, "flow_name", false);
            let integration = state.integration_key();
            egui::ComboBox::from_id_salt("flow_name")
                .selected_text(&flow)
                .width(260.0)
                .show_ui(ui, |ui| {
                    for r in state.rows.iter().filter(|r| r.kind == ResourceKind::Flow) {
                        let full = format!("zis:{integration}:flow:{}", r.name);
                        if ui.selectable_label(flow == full, &full).clicked() {
                            out.push(EditCommand::SetField {
                                pointer: f("flow_name"),
                                value: Some(json!(full)),
                            });
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
        });
}
