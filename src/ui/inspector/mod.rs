//! The inspector: a form for the selected state (every field of its type, Parameters with a
//! `.$` toggle per value, a Choice rule builder, a Catch editor) or for the selected custom
//! action or job spec, and a JSON tab with the raw definition, highlighted and editable.
//! Both send commands that edit the same bundle value, so they stay in sync; JSON that does
//! not parse keeps the user's text and shows the error in place.

mod json_tab;
mod paths;
mod resources;
mod rules;
mod state_form;

pub use crate::ui::json_editor::highlight_json;
use resources::{action_form, job_spec_form};
use rules::{catch_ui, rules_ui};
use state_form::pairs_ui;

use crate::app::{
    AppState, Command, Commands, DebugCommand, EditCommand, ResourceKind, ViewCommand,
};
use crate::ui::theme::state_colour;
use egui::RichText;
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

use crate::ui::theme::red;

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
        RichText::new(name).strong().color(red())
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
        Some(list) => EditCommand::SetField {
            pointer: format!("{pointer}/{}", list.len()),
            value: Some(item),
        }
        .into(),
        None => EditCommand::SetField {
            pointer: pointer.to_string(),
            value: Some(Value::Array(vec![item])),
        }
        .into(),
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
    out: &mut Commands,
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
    let (resp, picked) = paths::assist(ui, resp, &text, paths::shapes_for(state, pointer));
    if let Some(new) = picked {
        out.push(EditCommand::SetField {
            pointer: pointer.to_string(),
            value: Some(Value::String(new)),
        });
    } else if resp.changed() {
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
        out.push(EditCommand::SetField {
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
    out: &mut Commands,
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
        out.push(EditCommand::SetField {
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
    out: &mut Commands,
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
                out.push(EditCommand::SetField {
                    pointer: pointer.to_string(),
                    value: None,
                });
                out.push(EditCommand::SetField {
                    pointer: end.to_string(),
                    value: Some(Value::Bool(true)),
                });
            }
            if end_pointer.is_none() && ui.selectable_label(current.is_none(), "(none)").clicked() {
                out.push(EditCommand::SetField {
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
                        out.push(EditCommand::SetField {
                            pointer: end.to_string(),
                            value: None,
                        });
                    }
                    out.push(EditCommand::SetField {
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
    pub fn state_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
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

    /// The form for a custom action or a job spec (the selected non-flow resource).
    pub fn resource_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
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
                        out.push(DebugCommand::DebugJobSpec(key.clone()));
                    }
                }
                _ => {
                    ui.label("No form for this resource type; use the JSON tab.");
                }
            });
    }
}
