//! The form of a state: its fields per state type, the action picker and the Parameters
//! editor with a `.$` toggle per value.

use super::*;

impl Inspector {
    pub(super) fn state_form(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        name: &str,
        pointer: &str,
        value: &Value,
        out: &mut Commands,
    ) {
        let type_name = value.get("Type").and_then(Value::as_str).unwrap_or("?");
        let field = |f: &str| format!("{pointer}/{f}");
        egui::Grid::new(("state_fields", pointer))
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                // The name: renamed when the field loses focus or Enter is pressed.
                let label = field_label(ui, "State name", false);
                let draft = match &self.rename {
                    Some((p, d)) if p == pointer => d.clone(),
                    _ => name.to_string(),
                };
                let mut text = draft;
                let resp = ui
                    .add(
                        egui::TextEdit::singleline(&mut text)
                            .id_salt(("rename", pointer))
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if resp.changed() {
                    self.rename = Some((pointer.to_string(), text.clone()));
                }
                if resp.lost_focus()
                    && let Some((_, new)) = self.rename.take()
                    && new != name
                {
                    out.push(EditCommand::RenameState {
                        old: name.to_string(),
                        new,
                    });
                }
                ui.end_row();
                text_row(
                    ui,
                    state,
                    "Comment",
                    &field("Comment"),
                    value.get("Comment"),
                    true,
                    out,
                );
                match type_name {
                    "Action" => {
                        action_row(
                            ui,
                            state,
                            &field("ActionName"),
                            value.get("ActionName"),
                            out,
                        );
                    }
                    "Wait" => {
                        json_row(ui, "Seconds", &field("Seconds"), value.get("Seconds"), out);
                        text_row(
                            ui,
                            state,
                            "SecondsPath",
                            &field("SecondsPath"),
                            value.get("SecondsPath"),
                            true,
                            out,
                        );
                    }
                    "Map" => {
                        text_row(
                            ui,
                            state,
                            "ItemsPath",
                            &field("ItemsPath"),
                            value.get("ItemsPath"),
                            true,
                            out,
                        );
                        json_row(
                            ui,
                            "MaxConcurrency",
                            &field("MaxConcurrency"),
                            value.get("MaxConcurrency"),
                            out,
                        );
                    }
                    "Pass" => {
                        json_row(ui, "Result", &field("Result"), value.get("Result"), out);
                    }
                    "Succeed" => {
                        text_row(
                            ui,
                            state,
                            "Message",
                            &field("Message"),
                            value.get("Message"),
                            true,
                            out,
                        );
                    }
                    "Fail" => {
                        text_row(
                            ui,
                            state,
                            "Error",
                            &field("Error"),
                            value.get("Error"),
                            true,
                            out,
                        );
                        text_row(
                            ui,
                            state,
                            "Cause",
                            &field("Cause"),
                            value.get("Cause"),
                            true,
                            out,
                        );
                    }
                    _ => {}
                }
                if matches!(type_name, "Action" | "Map" | "Pass") {
                    text_row(
                        ui,
                        state,
                        "ResultPath",
                        &field("ResultPath"),
                        value.get("ResultPath"),
                        true,
                        out,
                    );
                }
                for asl in ["InputPath", "OutputPath"] {
                    if value.get(asl).is_some() {
                        text_row(ui, state, asl, &field(asl), value.get(asl), true, out);
                    }
                }
                if type_name == "Choice" {
                    target_row(
                        ui,
                        state,
                        "Default",
                        &field("Default"),
                        value.get("Default").and_then(Value::as_str),
                        None,
                        out,
                    );
                } else if !matches!(type_name, "Succeed" | "Fail") {
                    target_row(
                        ui,
                        state,
                        "Next",
                        &field("Next"),
                        value.get("Next").and_then(Value::as_str),
                        Some(&field("End")),
                        out,
                    );
                }
            });
        if type_name == "Map" && ui.button(format!("Open {name} iterator ▶")).clicked() {
            out.push(ViewCommand::OpenMap(name.to_string()));
        }
        if matches!(type_name, "Action" | "Map" | "Pass") {
            ui.add_space(6.0);
            parameters_ui(
                ui,
                state,
                &field("Parameters"),
                value.get("Parameters"),
                out,
            );
        }
        if type_name == "Choice" {
            ui.add_space(6.0);
            rules_ui(ui, state, &field("Choices"), value.get("Choices"), out);
        }
        if matches!(type_name, "Action" | "Map") {
            ui.add_space(6.0);
            catch_ui(ui, state, &field("Catch"), value.get("Catch"), out);
        }
        // The validator's findings on this state, in place.
        let mine: Vec<_> = state
            .diagnostics
            .iter()
            .filter(|d| d.pointer == pointer || d.pointer.starts_with(&format!("{pointer}/")))
            .collect();
        if !mine.is_empty() {
            ui.separator();
            for d in mine {
                let at = d.pointer.strip_prefix(pointer).unwrap_or("");
                ui.colored_label(
                    if d.is_error() {
                        red()
                    } else {
                        crate::ui::theme::amber()
                    },
                    format!(
                        "{} {}: {}",
                        d.code.id(),
                        if at.is_empty() { "/" } else { at },
                        d.message
                    ),
                );
            }
        }
    }
}

pub(super) fn action_row(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
) {
    let current = current.and_then(Value::as_str).unwrap_or("");
    let label = field_label(
        ui,
        "ActionName",
        state.focus_field.as_deref() == Some(pointer),
    );
    ui.horizontal(|ui| {
        let mut text = current.to_string();
        let resp = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .id_salt(pointer)
                    .desired_width(ui.available_width() - 30.0),
            )
            .labelled_by(label.id);
        if resp.changed() {
            out.push(EditCommand::SetField {
                pointer: pointer.to_string(),
                value: Some(Value::String(text)),
            });
        }
        ui.menu_button("…", |ui| {
            let integration = state.integration_key();
            let custom = state
                .rows
                .iter()
                .filter(|r| r.kind == ResourceKind::Action)
                .map(|r| format!("zis:{integration}:action:{}", r.name));
            let all: Vec<String> = zis_engine::actions::BUILTIN_ACTIONS
                .iter()
                .map(|s| s.to_string())
                .chain(custom)
                .collect();
            for a in all {
                if ui.selectable_label(a == current, &a).clicked() {
                    out.push(EditCommand::SetField {
                        pointer: pointer.to_string(),
                        value: Some(Value::String(a)),
                    });
                    ui.close();
                }
            }
        })
        .response
        .on_hover_text("Choose a built-in or custom action");
    });
    ui.end_row();
}

/// Key/value rows of an object; a key ending in `.$` takes a path (toggle per row).
pub(super) fn parameters_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
) {
    ui.horizontal(|ui| {
        field_label(
            ui,
            "Parameters",
            state.focus_field.as_deref() == Some(pointer),
        );
        if ui.small_button("+ parameter").clicked() {
            let obj = current.and_then(Value::as_object);
            let key = (1..)
                .map(|i| format!("param{i}"))
                .find(|k| obj.is_none_or(|o| !o.contains_key(k)))
                .unwrap_or_default();
            if obj.is_none() {
                out.push(EditCommand::SetField {
                    pointer: pointer.to_string(),
                    value: Some(json!({ key: "" })),
                });
            } else {
                out.push(EditCommand::SetField {
                    pointer: format!("{pointer}/{}", escape(&key)),
                    value: Some(Value::String(String::new())),
                });
            }
        }
    });
    let Some(obj) = current.and_then(Value::as_object) else {
        return;
    };
    for (key, value) in obj {
        let is_path = key.ends_with(".$");
        let base = key.strip_suffix(".$").unwrap_or(key);
        let mut text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let edited = kv_row(
            ui,
            egui::Id::new(("param", pointer, key)),
            key,
            &mut text,
            // `.$` values read paths, and so do `.$` keys inside an object value.
            (is_path || value.is_object() || value.is_array())
                .then(|| super::paths::shapes_for(state, pointer))
                .flatten(),
            |ui| {
                let mut k = base.to_string();
                let kr = ui.add(
                    egui::TextEdit::singleline(&mut k)
                        .id_salt(("pkey", pointer, key))
                        .desired_width(key_width(ui)),
                );
                if kr.lost_focus() && k != base && !k.is_empty() {
                    out.push(EditCommand::RenameKey {
                        pointer: pointer.to_string(),
                        old: key.clone(),
                        new: if is_path { format!("{k}.$") } else { k },
                    });
                }
                let mut path = is_path;
                if ui
                    .checkbox(&mut path, ".$")
                    .on_hover_text("Take the value from a path of the state data")
                    .changed()
                {
                    out.push(EditCommand::RenameKey {
                        pointer: pointer.to_string(),
                        old: key.clone(),
                        new: if path {
                            format!("{base}.$")
                        } else {
                            base.to_string()
                        },
                    });
                }
            },
        );
        match edited {
            Row::Changed => {
                let new = match value {
                    Value::String(_) => Value::String(text),
                    _ => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                };
                out.push(EditCommand::SetField {
                    pointer: format!("{pointer}/{}", escape(key)),
                    value: Some(new),
                });
            }
            Row::Removed => out.push(EditCommand::SetField {
                pointer: format!("{pointer}/{}", escape(key)),
                value: None,
            }),
            Row::Same => {}
        }
    }
}

/// What happened to a key/value row this frame.
enum Row {
    Same,
    Changed,
    Removed,
}

/// A key field's width: a third of the row, 70 to 160 points.
fn key_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() * 0.3).clamp(70.0, 160.0)
}

/// Values longer than this (or on several lines) get a multi-line editor under their key.
const LONG_VALUE: usize = 36;

/// One key/value row as wide as the panel: `key_ui` draws the key's widgets, then the value
/// takes the rest of the line, or, when it is long, a wrapped multi-line editor of its own
/// under the key (up to 8 rows, then it scrolls), then a remove button labelled
/// "Remove <name>".
fn kv_row(
    ui: &mut egui::Ui,
    id: egui::Id,
    name: &str,
    text: &mut String,
    shapes: Option<super::paths::Reads>,
    key_ui: impl FnOnce(&mut egui::Ui),
) -> Row {
    let long = text.chars().count() > LONG_VALUE || text.contains('\n');
    let mut row = Row::Same;
    ui.horizontal(|ui| {
        key_ui(ui);
        if !long {
            let rest = ui.available_width() - 30.0;
            let r = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .id_salt(id)
                        .code_editor()
                        .desired_width(rest.max(60.0)),
                )
                .on_hover_text(name);
            r.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, name));
            if assist_value(ui, &r, text, shapes) || r.changed() {
                row = Row::Changed;
            }
        }
        if crate::ui::widgets::icon_button(ui, "✖", &format!("Remove {name}")) {
            row = Row::Removed;
        }
    });
    if long {
        let lines = text.lines().count().max(text.chars().count() / 40 + 1);
        let r = ui.add(
            egui::TextEdit::multiline(text)
                .id_salt(id)
                .code_editor()
                .desired_rows(lines.clamp(2, 8))
                .desired_width(f32::INFINITY),
        );
        r.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, name));
        if assist_value(ui, &r, text, shapes) || r.changed() {
            row = Row::Changed;
        }
    }
    row
}

/// Completion for a value: a JSON object or array completes in its strings at the cursor, a
/// path as a whole; true when a completion was picked (`text` holds it).
fn assist_value(
    ui: &egui::Ui,
    r: &egui::Response,
    text: &mut String,
    shapes: Option<super::paths::Reads>,
) -> bool {
    if text.trim_start().starts_with(['{', '[']) {
        return super::paths::assist_json(ui, r, text, shapes);
    }
    match super::paths::assist(ui, r.clone(), text, shapes).1 {
        Some(new) => {
            *text = new;
            true
        }
        None => false,
    }
}

/// A list of `{key, value}` pairs (headers, query).
pub(super) fn pairs_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    title: &str,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Commands,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(title).strong());
        if ui
            .small_button(format!("+ {}", title.to_lowercase()))
            .clicked()
        {
            let pair = json!({"key": "", "value": ""});
            out.push(append(pointer, current, pair));
        }
    });
    let Some(list) = current.and_then(Value::as_array) else {
        return;
    };
    for (i, pair) in list.iter().enumerate() {
        let field = |f: &str| {
            pair.get(f)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let mut key = field("key");
        let mut text = field("value");
        let name = if key.is_empty() {
            format!("{title} {}", i + 1)
        } else {
            key.clone()
        };
        let edited = kv_row(
            ui,
            egui::Id::new((pointer, i, "value")),
            &name,
            &mut text,
            super::paths::shapes_for(state, pointer),
            |ui| {
                if ui
                    .add(
                        egui::TextEdit::singleline(&mut key)
                            .id_salt((pointer, i, "key"))
                            .hint_text("key")
                            .desired_width(key_width(ui)),
                    )
                    .changed()
                {
                    out.push(EditCommand::SetField {
                        pointer: format!("{pointer}/{i}/key"),
                        value: Some(Value::String(key.clone())),
                    });
                }
            },
        );
        match edited {
            Row::Changed => out.push(EditCommand::SetField {
                pointer: format!("{pointer}/{i}/value"),
                value: Some(Value::String(text)),
            }),
            Row::Removed => out.push(EditCommand::SetField {
                pointer: format!("{pointer}/{i}"),
                value: None,
            }),
            Row::Same => {}
        }
    }
}
