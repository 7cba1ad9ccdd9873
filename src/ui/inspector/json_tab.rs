//! The JSON tab: the raw state, highlighted and editable; its text is kept while it
//! parses to the model's value or does not parse.

use super::*;

impl Inspector {
    /// The raw JSON of the value at `pointer`, editable. The text typed is kept while it
    /// parses to the model's value or does not parse at all; an edit made elsewhere (the
    /// form, undo) replaces it.
    pub fn json_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        pointer: &str,
        value: &Value,
        out: &mut Commands,
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
            ui.colored_label(red(), format!("Not saved, the JSON does not parse: {e}"));
        }
        let error_line = error
            .as_deref()
            .and_then(|e| e.split(':').next())
            .and_then(|l| l.parse::<usize>().ok());
        let label = ui.label(RichText::new("Definition JSON").strong());
        egui::ScrollArea::vertical()
            .id_salt("json_scroll")
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                let resp = crate::ui::json_editor::json_editor(
                    ui,
                    &mut self.draft,
                    egui::Id::new(("json", pointer)),
                    12,
                    error_line,
                )
                .labelled_by(label.id);
                if resp.changed() {
                    out.push(EditCommand::SetJson {
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
                    red()
                } else {
                    crate::ui::theme::amber()
                },
                format!("{}: {}", if at.is_empty() { "/" } else { at }, d.message),
            );
        }
    }
}
