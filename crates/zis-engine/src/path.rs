//! The ASL JSONPath dialect (Jayway style): syntax and the contexts a path may appear in.
//!
//! AWS Step Functions evaluates paths with Jayway JsonPath, so this is not RFC 9535:
//! member names may hold `-` and backslash escapes, filters are written `[?(...)]`, and
//! where a path may stand decides what it may contain ([`PathContext`]):
//! *reference paths* (ResultPath, ItemsPath, Choice `Variable`, `*Path` operands,
//! SecondsPath) name one node with names and non-negative indexes only; *paths* (InputPath,
//! OutputPath, `.$` values) may also use wildcards, slices, unions, filters and `..`;
//! *payload templates* (`.$` values in ASL) may also be intrinsic function calls.

use std::fmt;

/// Where a path string appears, which decides the syntax it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathContext {
    /// InputPath, OutputPath: any path.
    Path,
    /// Choice `Variable`, `*Path` operands, ItemsPath, SecondsPath: a single node.
    Reference,
    /// ResultPath: a single node below `$` (no variables, no context object).
    Result,
    /// A `.$` value in ASL: a path or an intrinsic function call.
    PayloadTemplate,
}

impl PathContext {
    /// The context's name as used in ../shared/conformance/asl_path_validity.jsonl.
    pub fn name(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Reference => "reference_path",
            Self::Result => "result_path",
            Self::PayloadTemplate => "payload_template",
        }
    }
}

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's data.
    Data,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable (ASL only).
    Variable(String),
}

/// One bracket or dot step.
#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    /// `.name` or `['name']`.
    Name(String),
    /// `[3]` (negative counts from the end).
    Index(i64),
    /// `.*` or `[*]`.
    Wildcard,
    /// `['a','b']` or `[0,1]`.
    Union(Vec<Selector>),
    /// `[start:end:step]`.
    Slice {
        /// First index (inclusive).
        start: Option<i64>,
        /// Last index (exclusive).
        end: Option<i64>,
        /// Step (1 when absent).
        step: Option<i64>,
    },
    /// `[?(expr)]`, the expression kept as written.
    Filter(String),
    /// `[(expr)]`, a Jayway script expression kept as written.
    Script(String),
}

/// A step of a path: a child step or a recursive-descent (`..`) step.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// True for `..` steps.
    pub descendant: bool,
    /// What the step selects.
    pub selector: Selector,
}

/// A parsed path.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// Where it starts.
    pub root: Root,
    /// The steps after the root.
    pub segments: Vec<Segment>,
}

impl Path {
    /// True when the path names at most one node (names and single indexes only): Jayway
    /// returns a value for these and a list for the others.
    pub fn is_definite(&self) -> bool {
        self.segments
            .iter()
            .all(|s| !s.descendant && matches!(s.selector, Selector::Name(_) | Selector::Index(_)))
    }

    /// True when the path is a reference path: names and non-negative indexes only.
    pub fn is_reference(&self) -> bool {
        self.segments.iter().all(|s| {
            !s.descendant
                && match s.selector {
                    Selector::Name(_) => true,
                    Selector::Index(i) => i >= 0,
                    _ => false,
                }
        })
    }
}

/// Why a path is not valid.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathError {
    /// What is wrong, for a person.
    pub message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, PathError> {
    Err(PathError {
        message: message.into(),
    })
}

/// Parses a path (not an intrinsic function).
pub fn parse(text: &str) -> Result<Path, PathError> {
    let Some(rest) = text.strip_prefix('$') else {
        return err(format!(
            "a path must start with '$', found '{}'",
            first_char(text)
        ));
    };
    let (root, rest) = if let Some(r) = rest.strip_prefix('$') {
        (Root::Context, r)
    } else {
        let name_len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        if name_len > 0 {
            (
                Root::Variable(rest[..name_len].to_string()),
                &rest[name_len..],
            )
        } else {
            (Root::Data, rest)
        }
    };
    let mut p = Lexer { s: rest, pos: 0 };
    let mut segments = Vec::new();
    while !p.done() {
        segments.push(p.segment()?);
    }
    Ok(Path { root, segments })
}

fn first_char(s: &str) -> String {
    s.chars()
        .next()
        .map_or("nothing".to_string(), |c| c.to_string())
}

/// Checks `text` for use in `context`, explaining why it does not fit.
pub fn check(text: &str, context: PathContext) -> Result<(), PathError> {
    if context == PathContext::PayloadTemplate && text.starts_with("States.") {
        return crate::path::intrinsic::check(text);
    }
    let path = parse(text)?;
    match context {
        PathContext::Path | PathContext::PayloadTemplate => Ok(()),
        PathContext::Reference | PathContext::Result => {
            if context == PathContext::Result && path.root != Root::Data {
                return err("a ResultPath must start with '$.' (no variables or context object)");
            }
            if !path.is_reference() {
                return err(
                    "only a reference path is allowed here: names and non-negative indexes (no '*', '..', filters, slices, unions or negative indexes)",
                );
            }
            Ok(())
        }
    }
}

struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn done(&self) -> bool {
        self.pos >= self.s.len()
    }
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn segment(&mut self) -> Result<Segment, PathError> {
        if self.eat('[') {
            let selector = self.bracket()?;
            return Ok(Segment {
                descendant: false,
                selector,
            });
        }
        if !self.eat('.') {
            return err(format!(
                "expected '.' or '[' at '{}'",
                self.rest().chars().take(12).collect::<String>()
            ));
        }
        let descendant = self.eat('.');
        let selector = if self.eat('*') {
            Selector::Wildcard
        } else if descendant && self.eat('[') {
            self.bracket()?
        } else {
            Selector::Name(self.name()?)
        };
        Ok(Segment {
            descendant,
            selector,
        })
    }

    /// A dot-notation member name: up to the next unescaped `.` or `[`.
    fn name(&mut self) -> Result<String, PathError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            match c {
                '.' | '[' => break,
                '\\' => {
                    self.pos += 1;
                    match self.bump() {
                        Some(e) => out.push(e),
                        None => return err("a path cannot end with '\\'"),
                    }
                }
                ']' | '(' | ')' | '\'' | '"' | '?' | '@' | ',' | ':' | '*' | '$' => {
                    return err(format!(
                        "unexpected '{c}' in a member name (escape it with '\\' or use ['...'])"
                    ));
                }
                c if c.is_whitespace() => {
                    return err("member names cannot hold spaces; use ['...']");
                }
                _ => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if out.is_empty() {
            return err("expected a member name after '.'");
        }
        Ok(out)
    }

    fn bracket(&mut self) -> Result<Selector, PathError> {
        self.skip_ws();
        let selector = match self.peek() {
            Some('*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some('?') => {
                self.pos += 1;
                if !self.eat('(') {
                    return err("a filter is written [?(...)]");
                }
                let body = self.balanced()?;
                check_filter(&body)?;
                Selector::Filter(body)
            }
            Some('(') => {
                self.pos += 1;
                Selector::Script(self.balanced()?)
            }
            Some('\'' | '"') => {
                let mut names = vec![Selector::Name(self.quoted()?)];
                loop {
                    self.skip_ws();
                    if !self.eat(',') {
                        break;
                    }
                    self.skip_ws();
                    names.push(Selector::Name(self.quoted()?));
                }
                if names.len() == 1 {
                    names.remove(0)
                } else {
                    Selector::Union(names)
                }
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => self.index_or_slice()?,
            _ => {
                return err(
                    "expected a name in quotes, an index, '*', a slice or a filter inside '[...]'",
                );
            }
        };
        self.skip_ws();
        if !self.eat(']') {
            return err("expected ']'");
        }
        Ok(selector)
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let Some(q) = self.bump() else {
            return err("expected a quoted name");
        };
        if q != '\'' && q != '"' {
            return err("expected a quoted name");
        }
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return err("a quoted name is not closed"),
                // Jayway (and so AWS) unescapes only the quote itself; any other backslash
                // stays in the name (AWS case test_escape_sequence_parsing).
                Some('\\') => match self.peek() {
                    Some(c) if c == q => {
                        self.pos += c.len_utf8();
                        out.push(c);
                    }
                    _ => out.push('\\'),
                },
                Some(c) if c == q => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn int(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_ws();
        let start = self.pos;
        self.eat('-');
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text = &self.s[start..self.pos];
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => err(format!("'{text}' is not an integer")),
        }
    }

    fn index_or_slice(&mut self) -> Result<Selector, PathError> {
        let first = self.int()?;
        self.skip_ws();
        if self.eat(':') {
            let end = self.int()?;
            self.skip_ws();
            let step = if self.eat(':') { self.int()? } else { None };
            if step == Some(0) {
                return err("a slice step cannot be 0");
            }
            return Ok(Selector::Slice {
                start: first,
                end,
                step,
            });
        }
        let Some(first) = first else {
            return err("expected an index");
        };
        let mut items = vec![Selector::Index(first)];
        while self.eat(',') {
            match self.int()? {
                Some(n) => items.push(Selector::Index(n)),
                None => return err("expected an index after ','"),
            }
            self.skip_ws();
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Selector::Union(items)
        })
    }

    /// Text up to the `)` that closes an already opened `(`, quotes respected.
    fn balanced(&mut self) -> Result<String, PathError> {
        let start = self.pos;
        let mut depth = 1;
        let mut quote: Option<char> = None;
        while let Some(c) = self.bump() {
            match (quote, c) {
                (Some(_), '\\') => {
                    self.bump();
                }
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(self.s[start..self.pos - 1].to_string());
                    }
                }
                _ => {}
            }
        }
        err("a '(' in the path is not closed")
    }
}

/// Filters may test `@` against literals; AWS rejects regex matches and references to other values.
fn check_filter(body: &str) -> Result<(), PathError> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in body.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '$' => {
                    return err(
                        "a filter cannot refer to other values with '$' (not supported by Step Functions)",
                    );
                }
                '~' if prev == '=' => {
                    return err("regular-expression filters ('=~') are not supported");
                }
                _ => {}
            },
        }
        prev = c;
    }
    if body.trim().is_empty() {
        return err("a filter needs an expression");
    }
    Ok(())
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root {
            Root::Data => write!(f, "$")?,
            Root::Context => write!(f, "$$")?,
            Root::Variable(v) => write!(f, "${v}")?,
        }
        for seg in &self.segments {
            if seg.descendant {
                write!(f, "..")?;
            }
            write_selector(f, &seg.selector)?;
        }
        Ok(())
    }
}

fn write_selector(f: &mut fmt::Formatter<'_>, s: &Selector) -> fmt::Result {
    match s {
        Selector::Name(n) => write!(f, "['{}']", n.replace('\'', "\\'")),
        Selector::Index(i) => write!(f, "[{i}]"),
        Selector::Wildcard => write!(f, "[*]"),
        Selector::Union(items) => {
            write!(f, "[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, ",")?;
                }
                match item {
                    Selector::Name(n) => write!(f, "'{}'", n.replace('\'', "\\'"))?,
                    Selector::Index(n) => write!(f, "{n}")?,
                    _ => {}
                }
            }
            write!(f, "]")
        }
        Selector::Slice { start, end, step } => {
            let opt = |v: &Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
            write!(f, "[{}:{}", opt(start), opt(end))?;
            if step.is_some() {
                write!(f, ":{}", opt(step))?;
            }
            write!(f, "]")
        }
        Selector::Filter(body) => write!(f, "[?({body})]"),
        Selector::Script(body) => write!(f, "[({body})]"),
    }
}

mod ahead;
pub mod eval;
pub mod intrinsic;

pub use ahead::{Ahead, Parsed, Spans, ahead, parse_shared, template_spans};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vs_path() {
        assert!(check("$.a.b[0]", PathContext::Reference).is_ok());
        assert!(check("$.a[-1]", PathContext::Reference).is_err());
        assert!(check("$.a[-1]", PathContext::Path).is_ok());
        assert!(check("$.a[*].b", PathContext::Reference).is_err());
        assert!(check("$var.x", PathContext::Reference).is_ok());
        assert!(check("$var.x", PathContext::Result).is_err());
        assert!(check("$.delivery-partner", PathContext::Reference).is_ok());
        assert!(check("..book", PathContext::Path).is_err());
        assert!(check("$.book[?(@.a =~ /x/)]", PathContext::Path).is_err());
        assert!(parse("$.a.b[0]").unwrap().is_definite());
        assert!(!parse("$..a").unwrap().is_definite());
        assert_eq!(
            parse("$.a['b c'][2]").unwrap().to_string(),
            "$['a']['b c'][2]"
        );
    }
}
