//! Small widgets the views share: a value as a collapsible JSON tree (copy path, copy value,
//! long strings folded), search results over a value, icon buttons with accessible labels,
//! labelled text and code fields.

use crate::core::diff::child_path;
use crate::core::search::find_in;
use egui::RichText;
use serde_json::Value;

/// A value as one line of at most 80 characters.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(79).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// The leaves matching a search, each a click that copies its path.
pub fn search_results(ui: &mut egui::Ui, value: &Value, query: &str) {
    let found = find_in(value, query, 200);
    if found.is_empty() {
        ui.label(RichText::new(format!("nothing matches \"{}\"", query.trim())).weak());
    }
    for (path, v) in &found {
        leaf(ui, path, v, path);
    }
}

/// A value as a collapsible tree; clicking a leaf copies its JSONPath.
pub fn json_tree(ui: &mut egui::Ui, value: &Value, path: &str, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                node(ui, k, v, &child_path(path, k), depth);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            // Long arrays show their first items; the rest stay folded behind an expander.
            for (i, v) in items.iter().enumerate().take(200) {
                node(ui, &format!("[{i}]"), v, &format!("{path}[{i}]"), depth);
            }
            if items.len() > 200 {
                ui.label(RichText::new(format!("… {} more items", items.len() - 200)).weak());
            }
        }
        other => {
            leaf(ui, "", other, path);
        }
    }
}

fn node(ui: &mut egui::Ui, key: &str, v: &Value, path: &str, depth: usize) {
    let title = match v {
        Value::Object(m) if !m.is_empty() => format!("{key}  {{{}}}", m.len()),
        Value::Array(a) if !a.is_empty() => format!("{key}  [{}]", a.len()),
        _ => return leaf(ui, key, v, path),
    };
    let shown = egui::CollapsingHeader::new(title)
        .id_salt(path)
        .default_open(depth < 1)
        .show(ui, |ui| json_tree(ui, v, path, depth + 1));
    copy_menu(&shown.header_response, path, v);
}

/// Right-click: copy the path, or the value as JSON.
fn copy_menu(resp: &egui::Response, path: &str, v: &Value) {
    resp.context_menu(|ui| {
        if ui.button("Copy path").clicked() {
            ui.ctx().copy_text(path.to_string());
            ui.close();
        }
        if ui.button("Copy value").clicked() {
            let text = match v {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            ui.ctx().copy_text(text);
            ui.close();
        }
    });
}

fn leaf(ui: &mut egui::Ui, key: &str, v: &Value, path: &str) {
    // A long string folds behind an expander; opened, it shows whole (up to 20,000
    // characters, so a huge value cannot stall a frame).
    if let Value::String(full) = v
        && full.chars().count() > 80
    {
        let n = full.chars().count();
        let title = format!(
            "{}{}  ({n} characters)",
            if key.is_empty() {
                String::new()
            } else {
                format!("{key}: ")
            },
            short(v)
        );
        let shown = egui::CollapsingHeader::new(RichText::new(title).monospace())
            .id_salt(("long", path))
            .show(ui, |ui| {
                let text: String = full.chars().take(20_000).collect();
                ui.add(egui::Label::new(RichText::new(text).monospace()).wrap());
                if n > 20_000 {
                    ui.label(RichText::new("… the rest: right-click › Copy value").weak());
                }
            });
        copy_menu(&shown.header_response, path, v);
        return;
    }
    let text = if key.is_empty() {
        short(v)
    } else {
        format!("{key}: {}", short(v))
    };
    let resp = ui
        .add(egui::Label::new(RichText::new(text).monospace()).sense(egui::Sense::click()))
        .on_hover_text(format!(
            "{path}\nclick to copy the path; right-click to copy the value"
        ));
    if resp.clicked() {
        ui.ctx().copy_text(path.to_string());
    }
    copy_menu(&resp, path, v);
}

/// A top-down layout that neither justifies text nor stretches widgets: for columns, whose
/// default layout spreads a wrapped line's letters over the width.
pub fn plain() -> egui::Layout {
    egui::Layout::top_down(egui::Align::Min)
}

/// A small ✖ button whose accessible label (and hover text) says what it removes.
pub fn remove_button(ui: &mut egui::Ui, what: &str) -> bool {
    icon_button(ui, "✖", what)
}

/// A small icon button whose accessible label (and hover text) says what it does.
pub fn icon_button(ui: &mut egui::Ui, icon: &str, what: &str) -> bool {
    let resp = ui.small_button(icon).on_hover_text(what);
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Button, true, what));
    resp.clicked()
}

/// A labelled single-line text field with a hint.
pub fn text_field(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, width: f32) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(l.id);
}
