//! A bundle file held for editing: its text, its spanned parse and the value being edited.

use crate::json::{self, LineCol, LineIndex, Spanned};
use crate::model::{Bundle, ShapeIssue};
use crate::validate::{self, Diagnostic, Options};
use serde_json::Value;

/// Why a text could not be opened as a document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
}

/// An open bundle (or any JSON file): the saved text and the value being edited.
///
/// Edit through [`Document::value_mut`] or [`Document::set`]; [`Document::render`] writes the
/// edited value back into the saved text, changing only what differs, and
/// [`Document::mark_saved`] makes that text the new baseline.
#[derive(Clone, Debug)]
pub struct Document {
    text: String,
    tree: Spanned,
    lines: LineIndex,
    saved: Value,
    value: Value,
}

impl Document {
    /// Parses `text`.
    pub fn parse(text: impl Into<String>) -> Result<Self, SyntaxError> {
        let text = text.into();
        let parsed = json::parse(&text).map_err(|e| {
            let pos = LineIndex::new(&text).line_col(&text, e.offset);
            SyntaxError {
                message: e.message,
                line: pos.line,
                column: pos.column,
            }
        })?;
        let lines = LineIndex::new(&text);
        Ok(Self {
            text,
            tree: parsed.tree,
            lines,
            value: parsed.value.clone(),
            saved: parsed.value,
        })
    }

    /// The text as last opened or saved.
    pub fn saved_text(&self) -> &str {
        &self.text
    }

    /// The current value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The current value, for editing.
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.value
    }

    /// Replaces the value at a JSON pointer; `false` when the pointer names nothing.
    pub fn set(&mut self, pointer: &str, new: Value) -> bool {
        match self.value.pointer_mut(pointer) {
            Some(slot) => {
                *slot = new;
                true
            }
            None => false,
        }
    }

    /// True when the value differs from the saved text (key order included).
    pub fn is_modified(&self) -> bool {
        !json::same_ordered(&self.saved, &self.value)
    }

    /// The text to save: the saved text with only the edited parts rewritten.
    pub fn render(&self) -> String {
        json::write::splice(&self.text, &self.tree, &self.saved, &self.value)
    }

    /// Makes `text` (normally what [`Document::render`] returned and was written) the baseline.
    pub fn mark_saved(&mut self, text: String) -> Result<(), SyntaxError> {
        let value = std::mem::take(&mut self.value);
        *self = Self::parse(text)?;
        self.value = value;
        Ok(())
    }

    /// Line and column of the value at `pointer` in the saved text.
    pub fn line_col(&self, pointer: &str) -> Option<LineCol> {
        let node = self.tree.find(&self.text, pointer)?;
        Some(self.lines.line_col(&self.text, node.span.start))
    }

    /// The typed bundle view of the current value.
    pub fn bundle(&self) -> (Bundle<'_>, Vec<ShapeIssue>) {
        Bundle::from_value(&self.value)
    }

    /// Validates the current value as a bundle; positions refer to the saved text when the
    /// document is unmodified, and to the rendered text otherwise.
    pub fn validate(&self, options: Options) -> Vec<Diagnostic> {
        if self.is_modified() {
            return validate::validate_bundle_text(&self.render(), options);
        }
        validate::validate_bundle_text(&self.text, options)
    }
}
