//! Syntax of ASL intrinsic function calls (`States.Format('{}', $.x)`), for ASL mode.
//!
//! ZIS does not support intrinsic functions; ASL mode only checks that a call is well
//! formed: a known name, arguments that are quoted strings, numbers, `null`, booleans,
//! paths or nested calls, and numeric arguments where a function needs numbers.

use super::{PathError, err};

/// Every intrinsic function name Step Functions knows, with its arity range.
const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("Format", 1, usize::MAX),
    ("StringToJson", 1, 1),
    ("JsonToString", 1, 1),
    ("Array", 0, usize::MAX),
    ("ArrayPartition", 2, 2),
    ("ArrayContains", 2, 2),
    ("ArrayRange", 3, 3),
    ("ArrayGetItem", 2, 2),
    ("ArrayLength", 1, 1),
    ("ArrayUnique", 1, 1),
    ("Base64Encode", 1, 1),
    ("Base64Decode", 1, 1),
    ("Hash", 2, 2),
    ("JsonMerge", 3, 3),
    ("MathRandom", 2, 3),
    ("MathAdd", 2, 2),
    ("StringSplit", 2, 2),
    ("UUID", 0, 0),
];

#[derive(Debug, PartialEq)]
enum Arg {
    Str,
    Num,
    Literal,
    Path,
    Call,
}

/// Checks an intrinsic function call.
pub fn check(text: &str) -> Result<(), PathError> {
    let mut p = Parser {
        s: text.trim(),
        pos: 0,
    };
    p.call()?;
    p.ws();
    if p.pos < p.s.len() {
        return err("unexpected text after the intrinsic function call");
    }
    Ok(())
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }
    fn ws(&mut self) {
        while self.rest().starts_with(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn call(&mut self) -> Result<(), PathError> {
        let s = self.s;
        let Some(after) = s[self.pos..].strip_prefix("States.") else {
            return err("an intrinsic function starts with 'States.'");
        };
        let len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let name = &after[..len];
        let Some(&(_, min, max)) = FUNCTIONS.iter().find(|(n, _, _)| *n == name) else {
            return err(format!("States.{name} is not an intrinsic function"));
        };
        self.pos += "States.".len() + len;
        self.ws();
        if !self.rest().starts_with('(') {
            return err(format!("expected '(' after States.{name}"));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.ws();
        if self.rest().starts_with(')') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                args.push(self.arg()?);
                self.ws();
                if self.rest().starts_with(',') {
                    self.pos += 1;
                } else if self.rest().starts_with(')') {
                    self.pos += 1;
                    break;
                } else {
                    return err(format!("expected ',' or ')' in States.{name}(...)"));
                }
            }
        }
        if args.len() < min || args.len() > max {
            return err(format!(
                "States.{name} does not take {} arguments",
                args.len()
            ));
        }
        let numeric = matches!(name, "MathAdd" | "MathRandom" | "ArrayRange");
        if numeric && args.iter().any(|a| *a == Arg::Str || *a == Arg::Literal) {
            return err(format!("States.{name} takes numbers or paths, not strings"));
        }
        if name == "Format" && args.first() != Some(&Arg::Str) && args.first() != Some(&Arg::Path) {
            return err("States.Format needs a format string first");
        }
        Ok(())
    }

    fn arg(&mut self) -> Result<Arg, PathError> {
        let rest = self.rest();
        if rest.starts_with("States.") {
            self.call()?;
            return Ok(Arg::Call);
        }
        if rest.starts_with('\'') {
            self.pos += 1;
            loop {
                let Some(c) = self.rest().chars().next() else {
                    return err("a string argument is not closed");
                };
                self.pos += c.len_utf8();
                match c {
                    '\\' => {
                        let Some(e) = self.rest().chars().next() else {
                            return err("a string argument is not closed");
                        };
                        if !matches!(e, '\'' | '{' | '}' | '\\') {
                            return err(format!("illegal escape '\\{e}' in an intrinsic string"));
                        }
                        self.pos += e.len_utf8();
                    }
                    '\'' => return Ok(Arg::Str),
                    _ => {}
                }
            }
        }
        if rest.starts_with('$') {
            let end = self.path_end();
            super::parse(&self.s[self.pos..end])?;
            self.pos = end;
            return Ok(Arg::Path);
        }
        for word in ["null", "true", "false"] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(Arg::Literal);
            }
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+')))
            .unwrap_or(rest.len());
        if len > 0 && rest[..len].parse::<f64>().is_ok() {
            self.pos += len;
            return Ok(Arg::Num);
        }
        err("expected an argument: a 'string', a number, null, a path or an intrinsic call")
    }

    /// End of a path argument: the next top-level ',' or ')'.
    fn path_end(&self) -> usize {
        let mut depth = 0i32;
        let mut quote = None;
        for (i, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(' | '[') => depth += 1,
                (None, ']') => depth -= 1,
                (None, ')') if depth > 0 => depth -= 1,
                (None, ')' | ',') if depth == 0 => return self.pos + i,
                _ => {}
            }
        }
        self.s.len()
    }
}
