//! A strict RFC 8259 JSON parser that records spans.
//!
//! serde_json gives no positions, and the validator and the lossless writer need the span
//! of every value and key, so this small recursive-descent parser exists. Nesting is
//! limited to [`MAX_DEPTH`] so hostile input cannot overflow the stack.

use super::{Kind, Member, Object, Parsed, Span, Spanned};
use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;

/// Why and where JSON text could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What went wrong, for a person.
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
}

/// Parses one JSON value that fills `text` (whitespace allowed around it).
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        duplicates: false,
    };
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Err(p.err("expected a JSON value, found the end of the text"));
    }
    let (tree, value) = p.value()?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(Parsed {
        tree,
        value,
        has_duplicates: p.duplicates,
    })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    duplicates: bool,
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "the end of the text".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("'{c}'"),
        }
    }

    fn value(&mut self) -> Result<(Spanned, Value), ParseError> {
        let start = self.pos;
        let (kind, value) = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => (Kind::Scalar, Value::String(self.string()?)),
            Some(b't') => (Kind::Scalar, self.literal("true", Value::Bool(true))?),
            Some(b'f') => (Kind::Scalar, self.literal("false", Value::Bool(false))?),
            Some(b'n') => (Kind::Scalar, self.literal("null", Value::Null)?),
            Some(b'-' | b'0'..=b'9') => (Kind::Scalar, self.number()?),
            _ => {
                return Err(self.err(format!(
                    "expected a JSON value (object, array, string, number, true, false or null), found {}",
                    self.found()
                )));
            }
        };
        let span = Span {
            start,
            end: self.pos,
        };
        Ok((Spanned { span, kind }, value))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            let end = self.bytes[self.pos..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(self.bytes.len(), |n| self.pos + n);
            let token = self.text.get(self.pos..end).unwrap_or("");
            Err(self.err(format!(
                "unrecognised token '{token}': expected a JSON value (strings need double quotes)"
            )))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!(
                "nesting deeper than {MAX_DEPTH} levels is not supported"
            )));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<(Kind, Value), ParseError> {
        self.enter()?;
        self.pos += 1;
        let mut obj = Object::default();
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok((Kind::Object(obj), Value::Object(map)));
        }
        loop {
            let (key, key_span, tree, value) = self.member()?;
            if map.insert(key, value).is_some() {
                obj.has_duplicates = true;
                self.duplicates = true;
            }
            obj.members.push(Member {
                key_span,
                value: tree,
            });
            if self.member_end()? {
                break;
            }
        }
        self.depth -= 1;
        Ok((Kind::Object(obj), Value::Object(map)))
    }

    /// One `"key": value` member, from its key.
    fn member(&mut self) -> Result<(String, Span, Spanned, Value), ParseError> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            let what = if self.peek() == Some(b'}') {
                "expected a key after ',' (trailing commas are not allowed in JSON)".to_string()
            } else {
                format!("expected a key in double quotes, found {}", self.found())
            };
            return Err(self.err(what));
        }
        let key_start = self.pos;
        let key = self.string()?;
        let key_span = Span {
            start: key_start,
            end: self.pos,
        };
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.err(format!(
                "expected ':' after the key \"{key}\", found {}",
                self.found()
            )));
        }
        self.pos += 1;
        self.skip_ws();
        let (tree, value) = self.value()?;
        Ok((key, key_span, tree, value))
    }

    /// After a member: `,` (more follow, `false`) or `}` (the object ends, `true`).
    fn member_end(&mut self) -> Result<bool, ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.err(format!(
                "expected ',' or '}}' after an object member, found {}",
                self.found()
            ))),
        }
    }

    fn array(&mut self) -> Result<(Kind, Value), ParseError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        let mut values = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok((Kind::Array(items), Value::Array(values)));
        }
        loop {
            self.skip_ws();
            if self.peek() == Some(b']') {
                return Err(self
                    .err("expected a value after ',' (trailing commas are not allowed in JSON)"));
            }
            let (tree, value) = self.value()?;
            items.push(tree);
            values.push(value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err(self.err(format!(
                        "expected ',' or ']' after an array element, found {}",
                        self.found()
                    )));
                }
            }
        }
        self.depth -= 1;
        Ok((Kind::Array(items), Value::Array(values)))
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err("expected a digit in the number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit after the decimal point"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit in the exponent"));
            }
            self.digits();
        }
        let raw = &self.text[start..self.pos];
        if let Ok(n) = raw.parse::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = raw.parse::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        match serde_json::from_str::<Number>(raw) {
            Ok(n) => Ok(Value::Number(n)),
            Err(_) => Err(ParseError {
                message: format!("number {raw} is out of range"),
                offset: start,
            }),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(
                        self.err(format!("{} inside a string must be escaped", self.found()))
                    );
                }
                None => {
                    return Err(ParseError {
                        message: "string is not closed (missing '\"')".to_string(),
                        offset: open,
                    });
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let Some(b) = self.peek() else {
            return Err(self.err("string is not closed (missing '\"')"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(out),
            _ => {
                self.pos -= 1;
                return Err(self.err(format!(
                    "invalid escape '\\{}' in a string",
                    self.found().trim_matches('\'')
                )));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(digits) = digits else {
            return Err(self.err("expected four hex digits after '\\u'"));
        };
        self.pos += 4;
        u32::from_str_radix(digits, 16)
            .map_err(|_| self.err("expected four hex digits after '\\u'"))
    }

    fn unicode_escape(&mut self, out: &mut String) -> Result<(), ParseError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if self.bytes[self.pos..].starts_with(b"\\u") {
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..0xE000).contains(&second) {
                    return Err(self.err("a high surrogate must be followed by a low surrogate"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            } else {
                return Err(self.err("lone high surrogate in a \\u escape"));
            }
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(self.err("lone low surrogate in a \\u escape"));
        } else {
            first
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(self.err("invalid \\u escape")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_values() {
        let text = r#" {"a": [1, "x\u00e9"], "b": null} "#;
        let p = parse(text).unwrap();
        assert_eq!(p.tree.span, Span { start: 1, end: 33 });
        let a = p.tree.find(text, "/a/1").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], r#""x\u00e9""#);
        assert_eq!(p.value, serde_json::json!({"a": [1, "xé"], "b": null}));
        assert_eq!(p.value["a"][1], "xé");
    }

    #[test]
    fn errors_have_offsets() {
        let e = parse("{\"a\": 1,}").unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(e.message.contains("trailing commas"), "{}", e.message);
        assert!(parse("[01]").is_err());
        assert!(parse("\"\\ud800\"").is_err());
        assert!(
            parse(&"[".repeat(MAX_DEPTH + 1))
                .unwrap_err()
                .message
                .contains("nesting")
        );
        assert!(
            parse("not a definition")
                .unwrap_err()
                .message
                .contains("'not'")
        );
        assert!(parse(" ").is_err());
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let p = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(p.value, serde_json::json!({"a":3,"b":2}));
        let Kind::Object(o) = &p.tree.kind else {
            panic!()
        };
        assert!(o.has_duplicates);
        assert_eq!(
            p.tree
                .find(r#"{"a":1,"b":2,"a":3}"#, "/a")
                .unwrap()
                .span
                .start,
            17
        );
    }
}
