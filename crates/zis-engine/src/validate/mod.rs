//! The validator: every problem of a bundle (or an ASL definition) in one pass.
//!
//! Checks follow ../shared/docs/zis-facts.md section 9: hard errors where ZIS would reject
//! the bundle or the flow would fail, warnings where it is allowed but suspicious. Each
//! [`Diagnostic`] has a stable [`Code`], a message, the JSON pointer of the value at fault
//! and, when the source text is known, its line and column.
//!
//! [`Mode::Zis`] (the default) applies the ZIS subset of the States Language;
//! [`Mode::Asl`] turns the ZIS-only rules off and full Amazon States Language rules on,
//! which lets the conformance suite check the shared machinery against AWS.

mod asl;
mod bundle;
mod codes;
mod flow;
mod jsonata;

pub use asl::is_rfc3339;
pub use codes::{Code, Severity};

use crate::json::{self, LineIndex, Spanned};
use crate::model::{Bundle, FlowDefinition, ShapeIssue};
use serde::Serialize;
use serde_json::Value;

/// Which language rules apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// ZIS flows: the ZIS subset with Action states.
    #[default]
    Zis,
    /// Amazon States Language, as AWS Step Functions accepts it.
    Asl,
}

/// Validator settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The language rules.
    pub mode: Mode,
    /// ASL mode: validate as an Express state machine (no `.sync` or `.waitForTaskToken`).
    pub express: bool,
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code.
    #[serde(serialize_with = "ser_code")]
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, for a person.
    pub message: String,
    /// JSON pointer of the value at fault (`""` for the whole document).
    pub pointer: String,
    /// 1-based line, 0 when no source text is known.
    pub line: usize,
    /// 1-based column in characters, 0 when no source text is known.
    pub column: usize,
}

fn ser_code<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.id())
}

impl Diagnostic {
    /// A diagnostic with no position yet.
    pub fn new(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            pointer: pointer.into(),
            line: 0,
            column: 0,
        }
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Collects diagnostics during a pass.
#[derive(Default)]
pub(crate) struct Sink {
    pub items: Vec<Diagnostic>,
}

impl Sink {
    pub fn push(&mut self, code: Code, pointer: impl Into<String>, message: impl Into<String>) {
        self.items.push(Diagnostic::new(code, pointer, message));
    }

    fn shape(&mut self, issue: ShapeIssue) {
        let field = issue
            .pointer
            .rsplit('/')
            .next()
            .unwrap_or("")
            .replace("~1", "/")
            .replace("~0", "~");
        self.push(
            Code::WrongType,
            issue.pointer,
            format!("\"{field}\" must be {}", issue.expected),
        );
    }
}

/// Validates bundle text: JSON syntax first, then everything else; positions filled in.
pub fn validate_bundle_text(text: &str, options: Options) -> Vec<Diagnostic> {
    check_text(text, |value, sink| bundle::check(value, options, sink))
}

/// Validates a state machine definition given as text (ASL mode or a bare ZIS flow).
pub fn validate_definition_text(text: &str, options: Options) -> Vec<Diagnostic> {
    check_text(text, |value, sink| {
        check_definition_value(value, options, sink)
    })
}

/// Validates a parsed bundle value; positions are filled in when `tree` is given.
pub fn validate_bundle_value(value: &Value, options: Options) -> Vec<Diagnostic> {
    let mut sink = Sink::default();
    bundle::check(value, options, &mut sink);
    finish(sink.items)
}

/// Validates a parsed definition value.
pub fn validate_definition_value(value: &Value, options: Options) -> Vec<Diagnostic> {
    let mut sink = Sink::default();
    check_definition_value(value, options, &mut sink);
    finish(sink.items)
}

fn check_definition_value(value: &Value, options: Options, sink: &mut Sink) {
    if !value.is_object() {
        sink.push(
            Code::NotAnObject,
            "",
            "a state machine definition must be a JSON object",
        );
        return;
    }
    let mut reader = crate::model::reader_for_definition();
    let def = FlowDefinition::read(&mut reader, value, "");
    for issue in std::mem::take(&mut reader.issues) {
        sink.shape(issue);
    }
    flow::check_machine(&def, value, options, &flow::Refs::default(), sink);
}

fn check_text(text: &str, check: impl FnOnce(&Value, &mut Sink)) -> Vec<Diagnostic> {
    let json::Parsed {
        tree,
        value,
        has_duplicates,
    } = match json::parse(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let lines = LineIndex::new(text);
            let pos = lines.line_col(text, e.offset);
            return vec![Diagnostic {
                line: pos.line,
                column: pos.column,
                ..Diagnostic::new(Code::JsonSyntax, "", e.message)
            }];
        }
    };
    let mut sink = Sink::default();
    if has_duplicates {
        duplicate_keys(text, &tree, &mut Vec::new(), &mut sink);
    }
    check(&value, &mut sink);
    let mut items = finish(sink.items);
    locate(&mut items, text, &tree);
    items
}

/// Reports repeated keys; pointers are only built for objects that have duplicates.
fn duplicate_keys<'t>(
    text: &'t str,
    node: &'t Spanned,
    path: &mut Vec<std::borrow::Cow<'t, str>>,
    sink: &mut Sink,
) {
    match &node.kind {
        json::Kind::Object(obj) => {
            if obj.has_duplicates {
                let base: String = path
                    .iter()
                    .map(|t| format!("/{}", json::pointer::escape(t)))
                    .collect();
                let mut seen = std::collections::HashSet::new();
                for m in &obj.members {
                    let key = m.key(text);
                    if !seen.insert(key.clone()) {
                        sink.push(
                            Code::DuplicateKey,
                            json::pointer::push(&base, &key),
                            format!("key \"{key}\" occurs more than once; the last one wins"),
                        );
                    }
                }
            }
            for m in &obj.members {
                if matches!(m.value.kind, json::Kind::Object(_) | json::Kind::Array(_)) {
                    path.push(m.key(text));
                    duplicate_keys(text, &m.value, path, sink);
                    path.pop();
                }
            }
        }
        json::Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if matches!(item.kind, json::Kind::Object(_) | json::Kind::Array(_)) {
                    path.push(std::borrow::Cow::Owned(i.to_string()));
                    duplicate_keys(text, item, path, sink);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// Sorts errors first, then by pointer, and drops exact repeats.
fn finish(mut items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    items.dedup();
    items
}

/// Fills in line and column from the pointer (the nearest existing ancestor when needed).
pub fn locate(items: &mut [Diagnostic], text: &str, tree: &Spanned) {
    if items.is_empty() {
        return;
    }
    let lines = LineIndex::new(text);
    for d in items.iter_mut() {
        if d.line != 0 {
            continue;
        }
        let mut pointer = d.pointer.as_str();
        let offset = loop {
            if let Some(node) = tree.find(text, pointer) {
                break node.span.start;
            }
            if pointer.is_empty() {
                break tree.span.start;
            }
            pointer = json::pointer::parent(pointer);
        };
        let pos = lines.line_col(text, offset);
        d.line = pos.line;
        d.column = pos.column;
    }
    items.sort_by_key(|a| (a.line, a.column, a.code));
}

/// Counts of errors and warnings.
pub fn counts(items: &[Diagnostic]) -> (usize, usize) {
    let errors = items.iter().filter(|d| d.is_error()).count();
    (errors, items.len() - errors)
}

/// The typed bundle plus its shape diagnostics; used by [`bundle::check`].
pub(crate) fn read_bundle<'a>(value: &'a Value, sink: &mut Sink) -> Bundle<'a> {
    let (bundle, issues) = Bundle::from_value(value);
    for issue in issues {
        sink.shape(issue);
    }
    bundle
}
