//! Path fields that know the data: completions from the inferred shape of `$` (and `$$`)
//! as the user types, and a tooltip with what the path finds and a sample value.

use crate::app::AppState;
use crate::core::shapes::{Suggestion, complete, describe};
use zis_engine::json::pointer;
use zis_engine::shape::Shape;
use zis_engine::shape::flow::FlowShapes;

/// What a path field reads: `$`, `$$`, and the flow's starting `$` on its sample event
/// (for tooltips' sample values).
#[derive(Clone, Copy)]
pub(super) struct Reads<'s> {
    data: &'s Shape,
    context: &'s Shape,
    flow: Option<&'s FlowShapes>,
    sidecar: &'s crate::core::sidecar::Sidecar,
}

/// What a path field at `field` reads: the state's input for ResultPath and InputPath, the
/// result for ResultSelector, its data after InputPath for the rest; a custom action's
/// Parameters for its definition.
/// `None` elsewhere.
pub(super) fn shapes_for<'s>(state: &'s AppState, field: &str) -> Option<Reads<'s>> {
    let shapes = state.shapes.as_ref()?;
    let mut p = field;
    while !p.is_empty() {
        let parent = pointer::parent(p);
        if let Some((flow, s)) = shapes
            .flows
            .values()
            .find_map(|f| Some((f, f.states.get(parent)?)))
        {
            let name = p[parent.len()..].trim_start_matches('/');
            let data = match name.split('/').next().unwrap_or(name) {
                "ResultPath" | "InputPath" => &s.input,
                "ResultSelector" => s.result.as_ref().unwrap_or(&s.effective),
                _ => &s.effective,
            };
            return Some(Reads {
                data,
                context: &s.context,
                flow: Some(flow),
                sidecar: &state.sidecar,
            });
        }
        p = parent;
    }
    action_params(state, field).map(|params| Reads {
        data: params,
        context: &UNKNOWN,
        flow: None,
        sidecar: &state.sidecar,
    })
}

static UNKNOWN: Shape = Shape::Unknown;

/// For a field of a custom action's definition: the shape of the Parameters its callers
/// pass (its `$`).
fn action_params<'s>(state: &'s AppState, field: &str) -> Option<&'s Shape> {
    let tokens = pointer::tokens(field)?;
    let [resources, key, props, def, ..] = tokens.as_slice() else {
        return None;
    };
    if (resources.as_str(), props.as_str(), def.as_str())
        != ("resources", "properties", "definition")
    {
        return None;
    }
    let doc = state.document.as_ref()?;
    let name = doc
        .value()
        .pointer(&format!(
            "/resources/{}/properties/name",
            pointer::escape(key)
        ))?
        .as_str()?;
    state.shapes.as_ref()?.flows.values().find_map(|f| {
        f.action_inputs.iter().find_map(|(action, params)| {
            (action.rsplit(':').next() == Some(name)).then_some(params)
        })
    })
}

/// Adds the tooltip and the completion list to a path field (completing what is typed up
/// to the cursor); the field's new text when a completion is picked.
pub(super) fn assist(
    ui: &egui::Ui,
    resp: egui::Response,
    text: &str,
    reads: Option<Reads>,
) -> (egui::Response, Option<String>) {
    let Some(r) = reads else {
        return (resp, None);
    };
    let resp = if resp.hovered() {
        // The flow's sample, built only while the pointer is on the field.
        let sample = r
            .flow
            .and_then(|f| crate::core::shapes::sample_envelope(f, r.sidecar));
        match describe(text, r.data, r.context, sample.as_ref()) {
            Some(tip) => resp.on_hover_text(tip),
            None => resp,
        }
    } else {
        resp
    };
    // What is typed up to the cursor completes; the text after it stays (a placeholder
    // edited in the middle of a Message).
    let state = egui::text_edit::TextEditState::load(ui.ctx(), resp.id);
    let cursor = state
        .as_ref()
        .and_then(|s| cursor_at(s, text))
        .unwrap_or(text.len());
    let (typed, rest) = text.split_at(cursor);
    let picked = completion(ui, &resp, complete(typed, r.data, r.context));
    let picked = picked.map(|p| {
        if !rest.is_empty()
            && let Some(state) = state
        {
            put_cursor(ui, resp.id, state, p.chars().count());
        }
        format!("{p}{rest}")
    });
    (resp, picked)
}

/// The byte index in `text` of a text field's cursor.
fn cursor_at(state: &egui::text_edit::TextEditState, text: &str) -> Option<usize> {
    let range = state.cursor.char_range()?;
    Some(
        text.char_indices()
            .nth(range.primary.index.0)
            .map_or(text.len(), |(i, _)| i),
    )
}

/// Puts a text field's cursor after `chars` characters.
fn put_cursor(
    ui: &egui::Ui,
    id: egui::Id,
    mut state: egui::text_edit::TextEditState,
    chars: usize,
) {
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::one(
            egui::text::CCursor::new(chars),
        )));
    state.store(ui.ctx(), id);
}

/// The completion list under a focused field (kept open while the pointer is on it, so a
/// click can land); the suggestion picked.
fn completion(ui: &egui::Ui, resp: &egui::Response, list: Vec<Suggestion>) -> Option<String> {
    let id = resp.id.with("path completions");
    let hovered_before = ui.ctx().data(|d| d.get_temp::<bool>(id)).unwrap_or(false);
    if list.is_empty() || !(resp.has_focus() || hovered_before) {
        ui.ctx().data_mut(|d| d.insert_temp(id, false));
        return None;
    }
    let mut picked = None;
    // A new area when the list's length changes, so it sizes to the list again.
    let area = egui::Area::new(id.with(list.len()))
        .order(egui::Order::Foreground)
        .fixed_pos(resp.rect.left_bottom())
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_min_width(resp.rect.width().clamp(160.0, 360.0));
                egui::ScrollArea::vertical()
                    .max_height(220.0)
                    .show(ui, |ui| {
                        for s in list.iter().take(60) {
                            let label = format!("{}: {}", s.name, s.type_name);
                            if ui
                                .add(egui::Button::new(label).frame(false))
                                .on_hover_text(&s.text)
                                .clicked()
                            {
                                picked = Some(s.text.clone());
                            }
                        }
                    });
            });
        });
    let keep = picked.is_none() && area.response.contains_pointer();
    ui.ctx().data_mut(|d| d.insert_temp(id, keep));
    picked
}

/// The string literal being typed at the cursor of a JSON editor: the byte range from just
/// after its opening quote to the cursor, when what is typed there is a path or holds an
/// unclosed `{{`.
fn typed_string(text: &str, cursor: usize) -> Option<std::ops::Range<usize>> {
    let before = text.get(..cursor)?;
    // The last quote before the cursor that is not escaped, with an odd count of quotes
    // before it on its line (so it opens a string).
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut open = None;
    let mut escaped = false;
    for (i, c) in before[line_start..].char_indices() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => {
                open = match open {
                    None => Some(line_start + i + 1),
                    Some(_) => None,
                };
            }
            _ => {}
        }
        escaped = false;
    }
    let start = open?;
    let typed = &text[start..cursor];
    (typed.starts_with('$') || typed.contains("{{")).then_some(start..cursor)
}

/// Completion for the JSON editor whose response is `resp` (rule conditions, request
/// bodies, object values of Parameters): the path in the string at the cursor completes
/// from the inferred shape. True when a completion was picked (`text` holds it).
pub(super) fn assist_json(
    ui: &egui::Ui,
    resp: &egui::Response,
    text: &mut String,
    reads: Option<Reads>,
) -> bool {
    let Some(r) = reads else { return false };
    let Some(state) = egui::text_edit::TextEditState::load(ui.ctx(), resp.id) else {
        return false;
    };
    let Some(cursor) = cursor_at(&state, text) else {
        return false;
    };
    let Some(typed) = typed_string(text, cursor) else {
        completion(ui, resp, Vec::new());
        return false;
    };
    let list = complete(&text[typed.clone()], r.data, r.context);
    let Some(picked) = completion(ui, resp, list) else {
        return false;
    };
    let end = typed.start + picked.len();
    text.replace_range(typed, &picked);
    put_cursor(ui, resp.id, state, text[..end].chars().count());
    true
}

#[cfg(test)]
mod tests {
    use super::typed_string;

    #[test]
    fn the_string_at_the_cursor_is_found_when_it_is_a_path() {
        let t = r#"{"And": [{"Variable": "$.input.ti"#;
        assert_eq!(&t[typed_string(t, t.len()).unwrap()], "$.input.ti");
        let t = r#"{"text": "Ticket {{$.input.id"#;
        assert_eq!(&t[typed_string(t, t.len()).unwrap()], "Ticket {{$.input.id");
        let t = r#"{"Variable": "$.a", "IsPresent": tr"#;
        assert_eq!(typed_string(t, t.len()), None);
        let t = r#"{"a": "say \"$.x"#;
        assert_eq!(typed_string(t, t.len()), None);
    }
}
