//! The list editors of a state: the Choice rule builder and the Catch editor, both drawn by
//! one [`list_editor`] (a heading with "+ …", then each item in a frame with its number and
//! a remove button).

use super::*;

/// What a list editor is for.
struct ListSpec<'a> {
    /// The field's name (`Choices`, `Catch`).
    field: &'a str,
    /// The add button (`+ rule`).
    add: &'a str,
    /// One item's name (`Rule`, `Catcher`).
    item: &'a str,
    /// What a new item is.
    template: Value,
    /// Removing the last item removes the field too.
    drop_field_with_last: bool,
}

/// A list of objects at `pointer`, each edited by `rows(ui, item_pointer, item, out)`.
fn list_editor(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
    spec: ListSpec<'_>,
    mut rows: impl FnMut(&mut egui::Ui, &str, &Value, &mut Commands),
) {
    ui.horizontal(|ui| {
        field_label(
            ui,
            spec.field,
            state.focus_field.as_deref() == Some(pointer),
        );
        if ui.small_button(spec.add).clicked() {
            out.push(append(pointer, current, spec.template.clone()));
        }
    });
    let Some(list) = current.and_then(Value::as_array) else {
        return;
    };
    for (i, item) in list.iter().enumerate() {
        let ip = format!("{pointer}/{i}");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{} {}", spec.item, i + 1)).strong());
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Remove {} {}", spec.item.to_lowercase(), i + 1))
                    .clicked()
                {
                    let target = if spec.drop_field_with_last && list.len() == 1 {
                        pointer.to_string()
                    } else {
                        ip.clone()
                    };
                    out.push(EditCommand::SetField {
                        pointer: target,
                        value: None,
                    });
                }
            });
            rows(ui, &ip, item, out);
        });
    }
}

/// The Choice rule builder: simple comparisons as Variable / operator / value / Next rows,
/// And, Or and Not rules as JSON.
pub(super) fn rules_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
) {
    let spec = ListSpec {
        field: "Choices",
        add: "+ rule",
        item: "Rule",
        template: json!({"Variable": "$.input", "IsPresent": true}),
        drop_field_with_last: false,
    };
    list_editor(
        ui,
        state,
        pointer,
        current,
        out,
        spec,
        |ui, rp, rule, out| {
            let Some(obj) = rule.as_object() else { return };
            let op = obj
                .keys()
                .find(|k| zis_engine::model::choice::ZIS_OPERATORS.contains(&k.as_str()))
                .cloned();
            egui::Grid::new(("rule", rp)).num_columns(2).show(ui, |ui| {
                match (&op, obj.get("Variable")) {
                    (Some(op), Some(_)) => {
                        text_row(
                            ui,
                            state,
                            "Variable",
                            &format!("{rp}/Variable"),
                            obj.get("Variable"),
                            false,
                            out,
                        );
                        let label = field_label(ui, "Operator", false);
                        egui::ComboBox::from_id_salt(("op", rp))
                            .selected_text(op.as_str())
                            .width(200.0)
                            .show_ui(ui, |ui| {
                                for candidate in zis_engine::model::choice::ZIS_OPERATORS {
                                    if ui.selectable_label(op == candidate, *candidate).clicked()
                                        && op != candidate
                                    {
                                        out.push(EditCommand::RenameKey {
                                            pointer: rp.to_string(),
                                            old: op.clone(),
                                            new: (*candidate).to_string(),
                                        });
                                    }
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        ui.end_row();
                        let vp = format!("{rp}/{}", escape(op));
                        if op.starts_with("String") && !op.ends_with("Path") || op.ends_with("Path")
                        {
                            text_row(ui, state, "Value", &vp, obj.get(op.as_str()), false, out);
                        } else {
                            json_row(ui, "Value", &vp, obj.get(op.as_str()), out);
                        }
                    }
                    _ => {
                        let mut inner = rule.clone();
                        if let Some(o) = inner.as_object_mut() {
                            o.shift_remove("Next");
                        }
                        let label = field_label(ui, "Condition", false);
                        // The JSON editor (line numbers, colours); what is typed stays while
                        // it does not parse, until the rule changes elsewhere.
                        let id = ui.id().with(("cond", rp));
                        let pretty = serde_json::to_string_pretty(&inner).unwrap_or_default();
                        let mut text = ui
                            .data(|d| d.get_temp::<(String, String)>(id))
                            .filter(|(from, _)| from == &pretty)
                            .map_or_else(|| pretty.clone(), |(_, t)| t);
                        let resp = crate::ui::json_editor::json_editor(ui, &mut text, id, 3, None)
                            .labelled_by(label.id);
                        let picked = super::paths::assist_json(
                            ui,
                            &resp,
                            &mut text,
                            super::paths::shapes_for(state, rp),
                        );
                        ui.data_mut(|d| d.insert_temp(id, (pretty, text.clone())));
                        if (resp.changed() || picked)
                            && let Ok(Value::Object(mut new)) = serde_json::from_str::<Value>(&text)
                        {
                            if let Some(next) = obj.get("Next") {
                                new.insert("Next".into(), next.clone());
                            }
                            out.push(EditCommand::SetField {
                                pointer: rp.to_string(),
                                value: Some(Value::Object(new)),
                            });
                        }
                        ui.end_row();
                    }
                }
                target_row(
                    ui,
                    state,
                    "Next",
                    &format!("{rp}/Next"),
                    obj.get("Next").and_then(Value::as_str),
                    None,
                    out,
                );
            });
        },
    );
}

/// The Catch editor: ErrorEquals, ResultPath and Next per catcher.
pub(super) fn catch_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
) {
    let spec = ListSpec {
        field: "Catch",
        add: "+ catcher",
        item: "Catcher",
        template: json!({"ErrorEquals": ["States.ALL"], "ResultPath": "$.error"}),
        drop_field_with_last: true,
    };
    list_editor(ui, state, pointer, current, out, spec, |ui, cp, c, out| {
        egui::Grid::new(("catcher", cp))
            .num_columns(2)
            .show(ui, |ui| {
                let label = field_label(ui, "ErrorEquals", false);
                let errors: Vec<&str> = c
                    .get("ErrorEquals")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut text = errors.join(", ");
                let resp = ui
                    .add(
                        egui::TextEdit::singleline(&mut text)
                            .id_salt(("errors", cp))
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id)
                    .on_hover_text("Comma-separated error names; States.ALL catches every error");
                if resp.changed() {
                    let list: Vec<Value> = text
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.into()))
                        .collect();
                    out.push(EditCommand::SetField {
                        pointer: format!("{cp}/ErrorEquals"),
                        value: Some(Value::Array(list)),
                    });
                }
                ui.end_row();
                text_row(
                    ui,
                    state,
                    "ResultPath",
                    &format!("{cp}/ResultPath"),
                    c.get("ResultPath"),
                    true,
                    out,
                );
                target_row(
                    ui,
                    state,
                    "Next",
                    &format!("{cp}/Next"),
                    c.get("Next").and_then(Value::as_str),
                    None,
                    out,
                );
            });
    });
}
