//! Small widgets the views share: a value as a collapsible JSON tree (copy path, copy value,
//! long strings folded, values marked ⚠ with why), search results over a value, icon buttons with accessible labels,
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
        let at = Place {
            path,
            pointer: "",
            marks: &[],
        };
        leaf(ui, path, v, &at);
    }
}

/// A value as a collapsible tree; clicking a leaf copies its JSONPath.
pub fn json_tree(ui: &mut egui::Ui, value: &Value, path: &str, depth: usize) {
    marked_tree(ui, value, path, "", depth, &[]);
}

/// Values to mark in a tree: each JSON pointer with why (shown as ⚠ and on hover). A node
/// holding a marked value opens.
pub type Marks = [(String, String)];

/// [`json_tree`] with values marked; `pointer` is the JSON pointer of `value`.
pub fn marked_tree(
    ui: &mut egui::Ui,
    value: &Value,
    path: &str,
    pointer: &str,
    depth: usize,
    marks: &Marks,
) {
    let at = Place {
        path,
        pointer,
        marks,
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let ptr = format!("{pointer}/{}", zis_engine::json::pointer::escape(k));
                node(ui, k, v, &at.child(&child_path(path, k), &ptr), depth);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            // Long arrays show their first items; the rest stay folded behind an expander.
            for (i, v) in items.iter().enumerate().take(200) {
                let (p, ptr) = (format!("{path}[{i}]"), format!("{pointer}/{i}"));
                node(ui, &format!("[{i}]"), v, &at.child(&p, &ptr), depth);
            }
            if items.len() > 200 {
                ui.label(RichText::new(format!("… {} more items", items.len() - 200)).weak());
            }
        }
        other => {
            leaf(ui, "", other, &at);
        }
    }
}

/// Where a value sits in a tree, and the marks of the whole tree.
struct Place<'a> {
    path: &'a str,
    pointer: &'a str,
    marks: &'a Marks,
}

impl<'a> Place<'a> {
    fn child<'b>(&self, path: &'b str, pointer: &'b str) -> Place<'b>
    where
        'a: 'b,
    {
        Place {
            path,
            pointer,
            marks: self.marks,
        }
    }

    /// Why this value is marked, every reason on its own line.
    fn why(&self) -> Option<String> {
        let reasons: Vec<&str> = self
            .marks
            .iter()
            .filter(|(p, _)| p == self.pointer)
            .map(|(_, why)| why.as_str())
            .collect();
        (!reasons.is_empty()).then(|| reasons.join("\n"))
    }

    /// True when a value inside this one is marked.
    fn holds_mark(&self) -> bool {
        let prefix = format!("{}/", self.pointer);
        self.marks.iter().any(|(p, _)| p.starts_with(&prefix))
    }
}

fn node(ui: &mut egui::Ui, key: &str, v: &Value, at: &Place, depth: usize) {
    let title = match v {
        Value::Object(m) if !m.is_empty() => format!("{key}  {{{}}}", m.len()),
        Value::Array(a) if !a.is_empty() => format!("{key}  [{}]", a.len()),
        _ => return leaf(ui, key, v, at),
    };
    let why = at.why();
    let title = match &why {
        Some(_) => RichText::new(format!("⚠ {title}")).color(crate::ui::theme::amber()),
        None => RichText::new(title),
    };
    // A node holding a mark has its own open state, open at first: it opens to show the
    // mark even where the user had closed it, and stays as the user leaves it after.
    let marked = at.holds_mark() || why.is_some();
    let shown = egui::CollapsingHeader::new(title)
        .id_salt((at.path, marked))
        .default_open(depth < 1 || marked)
        .show(ui, |ui| {
            marked_tree(ui, v, at.path, at.pointer, depth + 1, at.marks);
        });
    let header = match why {
        Some(w) => shown.header_response.on_hover_text(w),
        None => shown.header_response,
    };
    copy_menu(&header, at.path, v);
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

fn leaf(ui: &mut egui::Ui, key: &str, v: &Value, at: &Place) {
    let path = at.path;
    let why = at.why();
    let mark = |text: String| match &why {
        Some(_) => RichText::new(format!("⚠ {text}"))
            .monospace()
            .color(crate::ui::theme::amber()),
        None => RichText::new(text).monospace(),
    };
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
        let shown = egui::CollapsingHeader::new(mark(title))
            .id_salt(("long", path))
            .show(ui, |ui| {
                let text: String = full.chars().take(20_000).collect();
                ui.add(egui::Label::new(RichText::new(text).monospace()).wrap());
                if n > 20_000 {
                    ui.label(RichText::new("… the rest: right-click › Copy value").weak());
                }
            });
        let header = match &why {
            Some(w) => shown.header_response.on_hover_text(w),
            None => shown.header_response,
        };
        copy_menu(&header, path, v);
        return;
    }
    let text = if key.is_empty() {
        short(v)
    } else {
        format!("{key}: {}", short(v))
    };
    let how = format!("{path}\nclick to copy the path; right-click to copy the value");
    let hover = match &why {
        Some(w) => format!("{w}\n{how}"),
        None => how,
    };
    let resp = ui
        .add(egui::Label::new(mark(text)).sense(egui::Sense::click()))
        .on_hover_text(hover);
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
