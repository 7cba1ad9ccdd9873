//! Jayway filter expressions: `@.a == 1`, `@.b`, `!(@.c < 2) && @.d != 'x'`.

use serde_json::Value;
use std::cmp::Ordering;

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Exists(Vec<String>),
    Compare(Operand, Op, Operand),
}

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Operand {
    Current(Vec<String>),
    Literal(Value),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Parses a filter body (what stands inside `[?( ... )]`); `None` when not understood.
pub(super) fn parse(src: &str) -> Option<Filter> {
    let tokens = lex(src)?;
    let mut p = Parser { t: &tokens, i: 0 };
    let f = p.or()?;
    (p.i == tokens.len()).then_some(f)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    At(Vec<String>),
    Lit(Value),
    Op(Op),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn lex(src: &str) -> Option<Vec<Tok>> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\n' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '&' if c.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2;
            }
            '|' if c.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2;
            }
            '!' if c.get(i + 1) == Some(&'=') => {
                out.push(Tok::Op(Op::Ne));
                i += 2;
            }
            '!' => {
                out.push(Tok::Not);
                i += 1;
            }
            '=' if c.get(i + 1) == Some(&'=') => {
                out.push(Tok::Op(Op::Eq));
                i += 2;
            }
            '<' | '>' => {
                let eq = c.get(i + 1) == Some(&'=');
                out.push(Tok::Op(match (ch, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                }));
                i += if eq { 2 } else { 1 };
            }
            '@' => {
                i += 1;
                let mut names = Vec::new();
                while c.get(i) == Some(&'.') || c.get(i) == Some(&'[') {
                    if c[i] == '.' {
                        i += 1;
                        let start = i;
                        while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '-')
                        {
                            i += 1;
                        }
                        names.push(c[start..i].iter().collect());
                    } else {
                        i += 1;
                        let q = *c.get(i)?;
                        if q != '\'' && q != '"' {
                            return None;
                        }
                        i += 1;
                        let start = i;
                        while i < c.len() && c[i] != q {
                            i += 1;
                        }
                        names.push(c[start..i].iter().collect());
                        i += 2; // the quote and ']'
                    }
                }
                out.push(Tok::At(names));
            }
            '\'' | '"' => {
                let q = ch;
                i += 1;
                let mut s = String::new();
                while i < c.len() && c[i] != q {
                    if c[i] == '\\' {
                        i += 1;
                    }
                    if let Some(x) = c.get(i) {
                        s.push(*x);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Lit(Value::String(s)));
            }
            _ => {
                let start = i;
                while i < c.len()
                    && !matches!(c[i], ' ' | ')' | '(' | '=' | '!' | '<' | '>' | '&' | '|')
                {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                let word: String = c[start..i].iter().collect();
                let lit = match word.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    w => serde_json::from_str::<serde_json::Number>(w)
                        .map(Value::Number)
                        .unwrap_or_else(|_| Value::String(w.to_string())),
                };
                out.push(Tok::Lit(lit));
            }
        }
    }
    Some(out)
}

struct Parser<'t> {
    t: &'t [Tok],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn or(&mut self) -> Option<Filter> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.i += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }
    fn and(&mut self) -> Option<Filter> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.i += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Some(left)
    }
    fn unary(&mut self) -> Option<Filter> {
        match self.peek()? {
            Tok::Not => {
                self.i += 1;
                Some(Filter::Not(Box::new(self.unary()?)))
            }
            Tok::Open => {
                self.i += 1;
                let f = self.or()?;
                (self.peek() == Some(&Tok::Close)).then_some(())?;
                self.i += 1;
                Some(f)
            }
            _ => self.comparison(),
        }
    }
    fn operand(&mut self) -> Option<Operand> {
        let op = match self.peek()? {
            Tok::At(p) => Operand::Current(p.clone()),
            Tok::Lit(v) => Operand::Literal(v.clone()),
            _ => return None,
        };
        self.i += 1;
        Some(op)
    }
    fn comparison(&mut self) -> Option<Filter> {
        let left = self.operand()?;
        if let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            self.i += 1;
            let right = self.operand()?;
            return Some(Filter::Compare(left, op, right));
        }
        match left {
            Operand::Current(p) => Some(Filter::Exists(p)),
            Operand::Literal(v) => Some(if v.as_bool() == Some(true) {
                Filter::Exists(Vec::new())
            } else {
                Filter::Not(Box::new(Filter::Exists(Vec::new())))
            }),
        }
    }
}

fn lookup<'v>(node: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(node, |n, k| n.as_object()?.get(k))
}

impl Filter {
    /// True when `node` passes the filter.
    pub(super) fn test(&self, node: &Value) -> bool {
        match self {
            Self::Or(a, b) => a.test(node) || b.test(node),
            Self::And(a, b) => a.test(node) && b.test(node),
            Self::Not(a) => !a.test(node),
            Self::Exists(p) => lookup(node, p).is_some(),
            Self::Compare(l, op, r) => {
                let value = |o: &Operand| match o {
                    Operand::Current(p) => lookup(node, p).cloned(),
                    Operand::Literal(v) => Some(v.clone()),
                };
                let (Some(a), Some(b)) = (value(l), value(r)) else {
                    return false;
                };
                let ord = match (&a, &b) {
                    (Value::Number(x), Value::Number(y)) => x
                        .as_f64()
                        .zip(y.as_f64())
                        .and_then(|(x, y)| x.partial_cmp(&y)),
                    (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                    _ => (a == b).then_some(Ordering::Equal),
                };
                match op {
                    Op::Eq => ord == Some(Ordering::Equal),
                    Op::Ne => ord != Some(Ordering::Equal),
                    Op::Lt => ord == Some(Ordering::Less),
                    Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                    Op::Gt => ord == Some(Ordering::Greater),
                    Op::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                }
            }
        }
    }
}
