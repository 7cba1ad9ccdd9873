//! The JSON editor used wherever JSON is typed (the inspector's JSON tab, the event
//! payload, the next state's data, an action's result, a request body): monospace, syntax
//! colours, line numbers in a gutter (one per line of text, also when a line wraps), and
//! the line of a parse error marked.

use crate::ui::theme::red;
use egui::Color32;

/// A multi-line JSON editor with line numbers and syntax colours, `rows` rows high at
/// least; `error_line` (1-based) gets a red background. Label it with `labelled_by`.
pub fn json_editor(
    ui: &mut egui::Ui,
    text: &mut String,
    id: egui::Id,
    rows: usize,
    error_line: Option<usize>,
) -> egui::Response {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let lines = text.lines().count().max(1);
    let digit = ui.fonts_mut(|f| f.glyph_width(&font, '0'));
    let gutter = digit * lines.to_string().len().max(2) as f32 + 10.0;
    let mut layouter = |ui: &egui::Ui, text: &dyn egui::TextBuffer, wrap: f32| {
        let mut job = highlight_json(ui, text.as_str(), error_line);
        job.wrap.max_width = wrap;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let shown = egui::TextEdit::multiline(text)
        .id_salt(id)
        .code_editor()
        .desired_width(f32::INFINITY)
        .desired_rows(rows)
        .margin(egui::Margin {
            left: (gutter + 6.0) as i8,
            right: 4,
            top: 2,
            bottom: 2,
        })
        .layouter(&mut layouter)
        .show(ui);
    // The numbers: at each row that starts a line of the text.
    let painter = ui.painter_at(shown.response.response.rect);
    let colour = ui.visuals().weak_text_color();
    for (line, y) in line_starts(&shown.galley) {
        painter.text(
            egui::pos2(shown.galley_pos.x - 6.0, shown.galley_pos.y + y),
            egui::Align2::RIGHT_TOP,
            line.to_string(),
            font.clone(),
            colour,
        );
    }
    shown.response.response
}

/// Where each line of the text starts in a laid-out galley: (its 1-based number, the y of
/// its first row). A line that wraps onto several rows is numbered once.
pub fn line_starts(galley: &egui::Galley) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    let mut starts = true;
    for row in &galley.rows {
        if starts {
            out.push((out.len() + 1, row.pos.y));
        }
        starts = row.ends_with_newline;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_line_is_numbered_once() {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let text = format!("{{\n  \"long\": \"{}\",\n  \"b\": 1\n}}", "x".repeat(300));
            let mut job = highlight_json(ui, &text, None);
            job.wrap.max_width = 200.0;
            let galley = ui.fonts_mut(|f| f.layout_job(job));
            let starts = line_starts(&galley);
            assert!(galley.rows.len() > 4, "the long line wraps");
            assert_eq!(starts.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
            assert!(starts.windows(2).all(|w| w[1].1 > w[0].1));
            // Line 3 starts below every row of the wrapped line 2.
            assert!(starts[2].1 - starts[1].1 > 2.0 * (starts[1].1 - starts[0].1));
        });
        output.textures_delta.clear();
    }
}
