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

/// JSON text as coloured runs: keys, strings, numbers, literals, punctuation; the line
/// `error_line` (1-based) gets a red background.
pub fn highlight_json(
    ui: &egui::Ui,
    text: &str,
    error_line: Option<usize>,
) -> egui::text::LayoutJob {
    let dark = ui.visuals().dark_mode;
    let (colours, punct) = if dark {
        (
            crate::core::palette::JSON_DARK,
            crate::ui::theme::PUNCT_DARK,
        )
    } else {
        (
            crate::core::palette::JSON_LIGHT,
            crate::ui::theme::PUNCT_LIGHT,
        )
    };
    let [key, string, number, literal] = colours.map(crate::ui::theme::colour);
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let mut job = egui::text::LayoutJob::default();
    let mut line = 1usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    let push = |job: &mut egui::text::LayoutJob, s: &str, colour: Color32, line: usize| {
        let mut format = egui::TextFormat::simple(font.clone(), colour);
        if error_line == Some(line) {
            format.background = red().gamma_multiply(0.35);
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
