//! The inspector: a form for the selected state (every field of its type, Parameters with a
//! `.$` toggle per value, a Choice rule builder, a Catch editor) or for the selected custom
//! action or job spec, and a JSON tab with the raw definition, highlighted and editable.
//! Both send commands that edit the same bundle value, so they stay in sync; JSON that does
//! not parse keeps the user's text and shows the error in place.

use crate::app::{AppState, Command, ResourceKind};
use crate::gui::state_colour;
use egui::{Color32, RichText};
use serde_json::{Value, json};
use zis_engine::json::pointer::escape;

/// Which tab is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// The form.
    #[default]
    Form,
    /// The raw JSON.
    Json,
}

/// The inspector's own state: the tab and the JSON text being typed.
#[derive(Default)]
pub struct Inspector {
    /// The tab shown.
    pub tab: Tab,
    draft: String,
    draft_for: String,
    synced: Value,
    rename: Option<(String, String)>,
}

const RED: Color32 = Color32::from_rgb(0xef, 0x44, 0x44);

/// Short explanations of fields, from zis-facts.md.
fn help(field: &str) -> &'static str {
    match field {
        "ResultPath" => {
            "Where the result goes in the state data. Defaults to $, which replaces the whole state data, including $.input."
        }
        "Parameters" => {
            "The action's input. A key ending in .$ takes its value from a path of the state data; {{$.x}} in a string is replaced by the value at $.x."
        }
        "ActionName" => "zis:common:action:* built-ins or zis:<integration>:action:<name>",
        "Next" => "The state that runs after this one.",
        "Default" => "Where the Choice goes when no rule matches.",
        "ItemsPath" => "The array to run the iterator on, one item at a time (at most 100 items).",
        "Seconds" => "How long to wait (the debugger's virtual clock by default).",
        "SecondsPath" => "A path to the number of seconds in the state data.",
        "Message" => "Written to the integration log when the flow succeeds.",
        "Error" => "The error name the flow fails with.",
        "Cause" => "A description of the failure.",
        "Comment" => "A note for people; ZIS ignores it.",
        "Result" => "A fixed value the Pass state produces.",
        _ => "",
    }
}

fn field_label(ui: &mut egui::Ui, name: &str, focused: bool) -> egui::Response {
    let text = if focused {
        RichText::new(name).strong().color(RED)
    } else {
        RichText::new(name).strong()
    };
    let resp = ui.label(text);
    let h = help(name);
    if h.is_empty() {
        resp
    } else {
        resp.on_hover_text(h)
    }
}

/// Appends `item` to the list at `pointer`, or makes the list when there is none.
fn append(pointer: &str, current: Option<&Value>, item: Value) -> Command {
    match current.and_then(Value::as_array) {
        Some(list) => Command::SetField {
            pointer: format!("{pointer}/{}", list.len()),
            value: Some(item),
        },
        None => Command::SetField {
            pointer: pointer.to_string(),
            value: Some(Value::Array(vec![item])),
        },
    }
}

/// A one-line text field for a string at `pointer`; empty removes it when `optional`.
fn text_row(
    ui: &mut egui::Ui,
    state: &AppState,
    name: &str,
    pointer: &str,
    current: Option<&Value>,
    optional: bool,
    out: &mut Vec<Command>,
) {
    let focused = state.focus_field.as_deref() == Some(pointer);
    let label = field_label(ui, name, focused);
    let mut text = match current {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let resp = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id_salt(pointer)
            .desired_width(f32::INFINITY),
    );
    let resp = resp.labelled_by(label.id);
    if focused {
        resp.scroll_to_me(Some(egui::Align::Center));
    }
    if resp.changed() {
        let value = if text.is_empty() && optional {
            None
        } else {
            Some(match current {
                // A number stays a number while it parses as one.
                Some(Value::Number(_)) => serde_json::from_str::<Value>(&text)
                    .ok()
                    .filter(Value::is_number)
                    .unwrap_or(Value::String(text)),
                _ => Value::String(text),
            })
        };
        out.push(Command::SetField {
            pointer: pointer.to_string(),
            value,
        });
    }
    ui.end_row();
}

/// A one-line JSON field (numbers, booleans, objects typed as JSON; anything else is a string).
fn json_row(
    ui: &mut egui::Ui,
    name: &str,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
) {
    let label = field_label(ui, name, false);
    let mut text = current.map(|v| v.to_string()).unwrap_or_default();
    let resp = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .id_salt(pointer)
                .code_editor()
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if resp.changed() {
        let value = if text.trim().is_empty() {
            None
        } else {
            Some(serde_json::from_str(&text).unwrap_or(Value::String(text)))
        };
        out.push(Command::SetField {
            pointer: pointer.to_string(),
            value,
        });
    }
    ui.end_row();
}

/// A state chooser for a transition field; `allow_end` adds "(end)" which sets `End: true`.
fn target_row(
    ui: &mut egui::Ui,
    state: &AppState,
    name: &str,
    pointer: &str,
    current: Option<&str>,
    end_pointer: Option<&str>,
    out: &mut Vec<Command>,
) {
    let label = field_label(ui, name, state.focus_field.as_deref() == Some(pointer));
    let shown = current.unwrap_or(if end_pointer.is_some() {
        "(end)"
    } else {
        "(none)"
    });
    let resp = egui::ComboBox::from_id_salt(pointer)
        .selected_text(shown)
        .width(200.0)
        .show_ui(ui, |ui| {
            if let Some(end) = end_pointer
                && ui.selectable_label(current.is_none(), "(end)").clicked()
            {
                out.push(Command::SetField {
                    pointer: pointer.to_string(),
                    value: None,
                });
                out.push(Command::SetField {
                    pointer: end.to_string(),
                    value: Some(Value::Bool(true)),
                });
            }
            if end_pointer.is_none() && ui.selectable_label(current.is_none(), "(none)").clicked() {
                out.push(Command::SetField {
                    pointer: pointer.to_string(),
                    value: None,
                });
            }
            for s in &state.states {
                if ui
                    .selectable_label(current == Some(s.name.as_str()), &s.name)
                    .clicked()
                {
                    if let Some(end) = end_pointer {
                        out.push(Command::SetField {
                            pointer: end.to_string(),
                            value: None,
                        });
                    }
                    out.push(Command::SetField {
                        pointer: pointer.to_string(),
                        value: Some(Value::String(s.name.clone())),
                    });
                }
            }
        });
    resp.response.labelled_by(label.id);
    ui.end_row();
}

impl Inspector {
    /// The inspector for the selected state of the shown flow.
    pub fn state_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(name) = state.selected_state.clone() else {
            ui.label(
                RichText::new("Select a state in the graph or in the list below to edit it.")
                    .weak(),
            );
            return;
        };
        let (Some(pointer), Some(doc)) = (state.state_pointer(&name), &state.document) else {
            return;
        };
        let Some(value) = doc.value().pointer(&pointer).cloned() else {
            return;
        };
        let type_name = value.get("Type").and_then(Value::as_str).unwrap_or("?");
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("{name}  ({type_name})"))
                    .color(state_colour(type_name))
                    .strong(),
            );
        });
        self.tabs_ui(ui);
        match self.tab {
            Tab::Form => {
                egui::ScrollArea::vertical()
                    .id_salt("state_form")
                    .max_height(ui.available_height() * 0.6)
                    .show(ui, |ui| {
                        self.state_form(ui, state, &name, &pointer, &value, out);
                    });
            }
            Tab::Json => self.json_ui(ui, state, &pointer, &value, out),
        }
    }

    fn tabs_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Form, "Form");
            ui.selectable_value(&mut self.tab, Tab::Json, "JSON");
        });
        ui.separator();
    }

    fn state_form(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        name: &str,
        pointer: &str,
        value: &Value,
        out: &mut Vec<Command>,
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
                    out.push(Command::RenameState {
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
            out.push(Command::OpenMap(name.to_string()));
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
                        RED
                    } else {
                        Color32::from_rgb(0xf5, 0x9e, 0x0b)
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

    /// The raw JSON of the value at `pointer`, editable. The text typed is kept while it
    /// parses to the model's value or does not parse at all; an edit made elsewhere (the
    /// form, undo) replaces it.
    pub fn json_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        pointer: &str,
        value: &Value,
        out: &mut Vec<Command>,
    ) {
        let error = state
            .json_error
            .as_ref()
            .filter(|(p, _)| p == pointer)
            .map(|(_, e)| e.clone());
        let pretty = || serde_json::to_string_pretty(value).unwrap_or_default();
        if self.draft_for != pointer {
            self.draft = pretty();
            self.draft_for = pointer.to_string();
            self.synced = value.clone();
        } else if !zis_engine::json::same_ordered(&self.synced, value) {
            let typed = serde_json::from_str::<Value>(&self.draft).ok();
            if !typed.is_some_and(|t| zis_engine::json::same_ordered(&t, value)) {
                self.draft = pretty();
            }
            self.synced = value.clone();
        }
        if let Some(e) = &error {
            ui.colored_label(RED, format!("Not saved, the JSON does not parse: {e}"));
        }
        let error_line = error
            .as_deref()
            .and_then(|e| e.split(':').next())
            .and_then(|l| l.parse::<usize>().ok());
        let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap: f32| {
            let mut job = highlight_json(ui, text.as_str(), error_line);
            job.wrap.max_width = wrap;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let label = ui.label(RichText::new("Definition JSON").strong());
        egui::ScrollArea::vertical()
            .id_salt("json_scroll")
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                let resp = ui
                    .add(
                        egui::TextEdit::multiline(&mut self.draft)
                            .id_salt(("json", pointer))
                            .code_editor()
                            .desired_width(f32::INFINITY)
                            .desired_rows(12)
                            .layouter(&mut layouter),
                    )
                    .labelled_by(label.id);
                if resp.changed() {
                    out.push(Command::SetJson {
                        pointer: pointer.to_string(),
                        text: self.draft.clone(),
                    });
                }
            });
        for d in state
            .diagnostics
            .iter()
            .filter(|d| d.pointer == pointer || d.pointer.starts_with(&format!("{pointer}/")))
        {
            let at = d.pointer.strip_prefix(pointer).unwrap_or("");
            ui.colored_label(
                if d.is_error() {
                    RED
                } else {
                    Color32::from_rgb(0xf5, 0x9e, 0x0b)
                },
                format!("{}: {}", if at.is_empty() { "/" } else { at }, d.message),
            );
        }
    }

    /// The form for a custom action or a job spec (the selected non-flow resource).
    pub fn resource_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let (Some(key), Some(doc)) = (&state.selected, &state.document) else {
            return;
        };
        let pointer = format!("/resources/{}", escape(key));
        let Some(value) = doc.value().pointer(&pointer).cloned() else {
            return;
        };
        let kind = state
            .rows
            .iter()
            .find(|r| &r.key == key)
            .map_or(ResourceKind::Other, |r| r.kind);
        self.tabs_ui(ui);
        if self.tab == Tab::Json {
            self.json_ui(ui, state, &pointer, &value, out);
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("resource_form")
            .show(ui, |ui| match kind {
                ResourceKind::Action => action_form(
                    ui,
                    state,
                    &format!("{pointer}/properties/definition"),
                    &value,
                    out,
                ),
                ResourceKind::JobSpec => {
                    job_spec_form(ui, state, &format!("{pointer}/properties"), &value, out);
                    ui.add_space(8.0);
                    if ui
                        .button("Debug this job spec's flow")
                        .on_hover_text("Show its flow and start a session on this event type")
                        .clicked()
                    {
                        out.push(Command::DebugJobSpec(key.clone()));
                    }
                }
                _ => {
                    ui.label("No form for this resource type; use the JSON tab.");
                }
            });
    }
}

fn action_row(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
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
            out.push(Command::SetField {
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
                    out.push(Command::SetField {
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
fn parameters_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
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
                out.push(Command::SetField {
                    pointer: pointer.to_string(),
                    value: Some(json!({ key: "" })),
                });
            } else {
                out.push(Command::SetField {
                    pointer: format!("{pointer}/{}", escape(&key)),
                    value: Some(Value::String(String::new())),
                });
            }
        }
    });
    let Some(obj) = current.and_then(Value::as_object) else {
        return;
    };
    egui::Grid::new(("params", pointer))
        .num_columns(4)
        .spacing([6.0, 4.0])
        .show(ui, |ui| {
            for (key, value) in obj {
                let is_path = key.ends_with(".$");
                let base = key.strip_suffix(".$").unwrap_or(key);
                let mut k = base.to_string();
                let kr = ui.add(
                    egui::TextEdit::singleline(&mut k)
                        .id_salt(("pkey", pointer, key))
                        .desired_width(110.0),
                );
                if kr.lost_focus() && k != base && !k.is_empty() {
                    out.push(Command::RenameKey {
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
                    out.push(Command::RenameKey {
                        pointer: pointer.to_string(),
                        old: key.clone(),
                        new: if path {
                            format!("{base}.$")
                        } else {
                            base.to_string()
                        },
                    });
                }
                let mut text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let vr = ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .id_salt(("pval", pointer, key))
                        .code_editor()
                        .desired_width(f32::INFINITY),
                );
                let vr = vr.on_hover_text(key.as_str());
                if vr.changed() {
                    let new = match value {
                        Value::String(_) => Value::String(text),
                        _ => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    };
                    out.push(Command::SetField {
                        pointer: format!("{pointer}/{}", escape(key)),
                        value: Some(new),
                    });
                }
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Remove {key}"))
                    .clicked()
                {
                    out.push(Command::SetField {
                        pointer: format!("{pointer}/{}", escape(key)),
                        value: None,
                    });
                }
                ui.end_row();
            }
        });
}

/// The Choice rule builder: simple comparisons as Variable / operator / value / Next rows,
/// And, Or and Not rules as JSON.
fn rules_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        field_label(ui, "Choices", state.focus_field.as_deref() == Some(pointer));
        if ui.small_button("+ rule").clicked() {
            let rule = json!({"Variable": "$.input", "IsPresent": true});
            out.push(append(pointer, current, rule));
        }
    });
    let Some(rules) = current.and_then(Value::as_array) else {
        return;
    };
    for (i, rule) in rules.iter().enumerate() {
        let rp = format!("{pointer}/{i}");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Rule {}", i + 1)).strong());
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Remove rule {}", i + 1))
                    .clicked()
                {
                    out.push(Command::SetField {
                        pointer: rp.clone(),
                        value: None,
                    });
                }
            });
            let Some(obj) = rule.as_object() else { return };
            let op = obj
                .keys()
                .find(|k| zis_engine::model::choice::ZIS_OPERATORS.contains(&k.as_str()))
                .cloned();
            egui::Grid::new(("rule", &rp))
                .num_columns(2)
                .show(ui, |ui| {
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
                            egui::ComboBox::from_id_salt(("op", &rp))
                                .selected_text(op.as_str())
                                .width(200.0)
                                .show_ui(ui, |ui| {
                                    for candidate in zis_engine::model::choice::ZIS_OPERATORS {
                                        if ui
                                            .selectable_label(op == candidate, *candidate)
                                            .clicked()
                                            && op != candidate
                                        {
                                            out.push(Command::RenameKey {
                                                pointer: rp.clone(),
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
                            if op.starts_with("String") && !op.ends_with("Path")
                                || op.ends_with("Path")
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
                            let mut text = inner.to_string();
                            let resp = ui
                                .add(
                                    egui::TextEdit::multiline(&mut text)
                                        .id_salt(("cond", &rp))
                                        .code_editor()
                                        .desired_rows(2)
                                        .desired_width(f32::INFINITY),
                                )
                                .labelled_by(label.id);
                            if resp.changed()
                                && let Ok(Value::Object(mut new)) =
                                    serde_json::from_str::<Value>(&text)
                            {
                                if let Some(next) = obj.get("Next") {
                                    new.insert("Next".into(), next.clone());
                                }
                                out.push(Command::SetField {
                                    pointer: rp.clone(),
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
        });
    }
}

/// The Catch editor: ErrorEquals, ResultPath and Next per catcher.
fn catch_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        field_label(ui, "Catch", state.focus_field.as_deref() == Some(pointer));
        if ui.small_button("+ catcher").clicked() {
            let catcher = json!({"ErrorEquals": ["States.ALL"], "ResultPath": "$.error"});
            out.push(append(pointer, current, catcher));
        }
    });
    let Some(list) = current.and_then(Value::as_array) else {
        return;
    };
    for (i, c) in list.iter().enumerate() {
        let cp = format!("{pointer}/{i}");
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Catcher {}", i + 1)).strong());
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Remove catcher {}", i + 1))
                    .clicked()
                {
                    // The last catcher takes the Catch field with it.
                    let target = if list.len() == 1 {
                        pointer.to_string()
                    } else {
                        cp.clone()
                    };
                    out.push(Command::SetField {
                        pointer: target,
                        value: None,
                    });
                }
            });
            egui::Grid::new(("catcher", &cp))
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
                                .id_salt(("errors", &cp))
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id)
                        .on_hover_text(
                            "Comma-separated error names; States.ALL catches every error",
                        );
                    if resp.changed() {
                        let list: Vec<Value> = text
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Value::String(s.into()))
                            .collect();
                        out.push(Command::SetField {
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
}

/// A list of `{key, value}` pairs (headers, query).
fn pairs_ui(
    ui: &mut egui::Ui,
    title: &str,
    pointer: &str,
    current: Option<&Value>,
    out: &mut Vec<Command>,
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
    egui::Grid::new(("pairs", pointer))
        .num_columns(3)
        .show(ui, |ui| {
            for (i, pair) in list.iter().enumerate() {
                for field in ["key", "value"] {
                    let mut text = pair
                        .get(field)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if ui
                        .add(
                            egui::TextEdit::singleline(&mut text)
                                .id_salt((pointer, i, field))
                                .hint_text(field)
                                .desired_width(if field == "key" { 120.0 } else { f32::INFINITY }),
                        )
                        .changed()
                    {
                        out.push(Command::SetField {
                            pointer: format!("{pointer}/{i}/{field}"),
                            value: Some(Value::String(text)),
                        });
                    }
                }
                if ui.small_button("✖").clicked() {
                    out.push(Command::SetField {
                        pointer: format!("{pointer}/{i}"),
                        value: None,
                    });
                }
                ui.end_row();
            }
        });
}

/// The custom HTTP action form.
fn action_form(
    ui: &mut egui::Ui,
    state: &AppState,
    def: &str,
    resource: &Value,
    out: &mut Vec<Command>,
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
                            out.push(Command::SetField {
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
                    out.push(Command::SetField {
                        pointer: f("url"),
                        value: None,
                    });
                    out.push(Command::SetField {
                        pointer: f("path"),
                        value: Some(json!("/api/v2/")),
                    });
                }
                if ui.radio(uses_url, "url").clicked() && !uses_url {
                    out.push(Command::SetField {
                        pointer: f("path"),
                        value: None,
                    });
                    out.push(Command::SetField {
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
    pairs_ui(ui, "Headers", &f("headers"), value.get("headers"), out);
    ui.add_space(6.0);
    pairs_ui(ui, "Query", &f("query"), value.get("query"), out);
    ui.add_space(6.0);
    let label = ui.label(RichText::new("requestBody").strong());
    let mut text = value
        .get("requestBody")
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default();
    let resp = ui
        .add(
            egui::TextEdit::multiline(&mut text)
                .id_salt(f("requestBody"))
                .code_editor()
                .desired_rows(6)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if resp.changed() {
        if text.trim().is_empty() {
            out.push(Command::SetField {
                pointer: f("requestBody"),
                value: None,
            });
        } else {
            out.push(Command::SetJson {
                pointer: f("requestBody"),
                text,
            });
        }
    }
    if let Some((p, e)) = &state.json_error
        && *p == f("requestBody")
    {
        ui.colored_label(RED, format!("Not saved, the JSON does not parse: {e}"));
    }
}

/// The job spec form: event source and type from the catalog, the flow from the bundle.
fn job_spec_form(
    ui: &mut egui::Ui,
    state: &AppState,
    props: &str,
    resource: &Value,
    out: &mut Vec<Command>,
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
                            out.push(Command::SetField {
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
                            out.push(Command::SetField {
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
                            out.push(Command::SetField {
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

/// JSON text as coloured runs: keys, strings, numbers, literals, punctuation; the line
/// `error_line` (1-based) gets a red background.
pub fn highlight_json(
    ui: &egui::Ui,
    text: &str,
    error_line: Option<usize>,
) -> egui::text::LayoutJob {
    let dark = ui.visuals().dark_mode;
    let (key, string, number, literal, punct) = if dark {
        (
            Color32::from_rgb(0x93, 0xc5, 0xfd),
            Color32::from_rgb(0x86, 0xef, 0xac),
            Color32::from_rgb(0xfd, 0xba, 0x74),
            Color32::from_rgb(0xc4, 0xb5, 0xfd),
            Color32::from_gray(0xb0),
        )
    } else {
        (
            Color32::from_rgb(0x1d, 0x4e, 0xd8),
            Color32::from_rgb(0x15, 0x80, 0x3d),
            Color32::from_rgb(0xc2, 0x41, 0x0c),
            Color32::from_rgb(0x6d, 0x28, 0xd9),
            Color32::from_gray(0x50),
        )
    };
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let mut job = egui::text::LayoutJob::default();
    let mut line = 1usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    let push = |job: &mut egui::text::LayoutJob, s: &str, colour: Color32, line: usize| {
        let mut format = egui::TextFormat::simple(font.clone(), colour);
        if error_line == Some(line) {
            format.background = RED.gamma_multiply(0.35);
        }
        job.append(s, 0.0, format);
    };
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let colour;
        if c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            // A string followed by a colon is a key.
            let rest = text.get(i..).unwrap_or("");
            colour = if rest.trim_start_matches([' ', '\t']).starts_with(':') {
                key
            } else {
                string
            };
        } else if c == b'-' || c.is_ascii_digit() {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || b"+-.".contains(&bytes[i]))
            {
                i += 1;
            }
            colour = number;
        } else if c.is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            colour = literal;
        } else {
            // Punctuation and whitespace, up to the next token; one char at a time keeps UTF-8 whole.
            let ch_len = text
                .get(i..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
            i += ch_len;
            colour = punct;
        }
        i = i.min(bytes.len());
        while !text.is_char_boundary(i) {
            i += 1;
        }
        let piece = text.get(start..i).unwrap_or("");
        push(&mut job, piece, colour, line);
        line += piece.matches('\n').count();
    }
    job
}
