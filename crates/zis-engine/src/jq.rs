//! jq programs of `zis:common:transform:Jq`: compile checks (running comes with the engine).
//!
//! Uses jaq (jaq-core, jaq-std, jaq-json) with its standard library, so an undefined
//! function or variable is reported as well as a syntax error.

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Pattern, Term};
use jaq_core::load::{Arena, File, Loader, lex, parse};
use jaq_core::path::Part;
use std::collections::HashSet;
use std::sync::OnceLock;

/// jaq's core, std and JSON definitions, parsed once per process.
fn prelude() -> &'static [parse::Def<&'static str>] {
    static DEFS: OnceLock<Vec<parse::Def<&'static str>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .collect()
    })
}

/// Why a jq program does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JqError {
    /// What is wrong, for a person.
    pub message: String,
    /// Byte offset in the program, when known.
    pub offset: Option<usize>,
}

/// Every (name, arity) that jaq defines: definitions and native filters.
fn known_filters() -> &'static HashSet<(&'static str, usize)> {
    static KNOWN: OnceLock<HashSet<(&'static str, usize)>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let natives = jaq_core::funs::<Data>()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .map(|(name, binds, _)| (name, binds.len()));
        prelude()
            .iter()
            .map(|d| (d.name, d.args.len()))
            .chain(natives)
            .collect()
    })
}

/// Names a program defines or binds anywhere, and the ones it uses.
#[derive(Default)]
struct Usage<'s> {
    calls: Vec<(&'s str, usize)>,
    defined: HashSet<(&'s str, usize)>,
    vars: Vec<&'s str>,
    bound: HashSet<&'s str>,
    unsure: bool,
}

impl<'s> Usage<'s> {
    fn term(&mut self, t: &Term<&'s str>) {
        match t {
            Term::Id | Term::Recurse | Term::Num(_) => {}
            Term::Break(label) => self.vars.push(label),
            Term::Str(fmt, parts) => {
                self.unsure |= fmt.is_some();
                for part in parts {
                    if let StrPart::Term(t) = part {
                        self.term(t);
                    }
                }
            }
            Term::Arr(inner) => {
                if let Some(t) = inner {
                    self.term(t);
                }
            }
            Term::Obj(entries) => {
                for (k, v) in entries {
                    match (k, v) {
                        // `{id}` and `{id: ...}`: a bare word key is a string, not a call.
                        (Term::Call(_, args), _) if args.is_empty() => {}
                        _ => self.term(k),
                    }
                    if let Some(v) = v {
                        self.term(v);
                    }
                }
            }
            Term::Neg(t) => self.term(t),
            Term::BinOp(l, op, r) => {
                if let BinaryOp::Pipe(Some(p)) = op {
                    self.pattern(p);
                }
                self.term(l);
                self.term(r);
            }
            Term::Label(label, t) => {
                self.bound.insert(label);
                self.term(t);
            }
            Term::Fold(_, init, p, updates) => {
                self.pattern(p);
                self.term(init);
                for u in updates {
                    self.term(u);
                }
            }
            Term::TryCatch(t, c) => {
                self.term(t);
                if let Some(c) = c {
                    self.term(c);
                }
            }
            Term::IfThenElse(branches, otherwise) => {
                for (c, t) in branches {
                    self.term(c);
                    self.term(t);
                }
                if let Some(e) = otherwise {
                    self.term(e);
                }
            }
            Term::Def(defs, t) => {
                for d in defs {
                    self.defined.insert((d.name, d.args.len()));
                    for a in &d.args {
                        match a.strip_prefix('$') {
                            Some(v) => {
                                self.bound.insert(v);
                            }
                            None => {
                                self.defined.insert((a, 0));
                            }
                        }
                    }
                    self.term(&d.body);
                }
                self.term(t);
            }
            Term::Call(name, args) => {
                self.calls.push((name, args.len()));
                for a in args {
                    self.term(a);
                }
            }
            Term::Var(v) => self.vars.push(v.strip_prefix('$').unwrap_or(v)),
            Term::Path(t, path) => {
                self.term(t);
                for (part, _) in &path.0 {
                    match part {
                        Part::Index(i) => self.term(i),
                        Part::Range(a, b) => {
                            for x in [a, b].into_iter().flatten() {
                                self.term(x);
                            }
                        }
                    }
                }
            }
        }
    }

    fn pattern(&mut self, p: &Pattern<&'s str>) {
        match p {
            Pattern::Var(v) => {
                self.bound.insert(v.strip_prefix('$').unwrap_or(v));
            }
            Pattern::Arr(items) => {
                for i in items {
                    self.pattern(i);
                }
            }
            Pattern::Obj(entries) => {
                for (k, v) in entries {
                    if let Term::Var(name) = k {
                        self.bound.insert(name.strip_prefix('$').unwrap_or(name));
                    } else {
                        self.term(k);
                    }
                    self.pattern(v);
                }
            }
        }
    }
}

/// The fast path: the program parses, and every filter and variable it uses is defined by
/// jaq or by the program itself. It cannot tell scopes apart, so when it says yes the full
/// compile would too except for a definition used outside its scope; when it is unsure the
/// caller compiles.
fn quick_ok(code: &str) -> bool {
    let Some(term) = jaq_core::load::parse(code, |p| p.term()) else {
        return false;
    };
    let mut usage = Usage::default();
    usage.term(&term);
    if usage.unsure {
        return false;
    }
    let known = known_filters();
    usage
        .calls
        .iter()
        .all(|c| known.contains(c) || usage.defined.contains(c))
        && usage.vars.iter().all(|v| usage.bound.contains(v))
}

/// Compiles `code` as a jq program and reports the first problem.
pub fn check(code: &str) -> Result<(), JqError> {
    if quick_ok(code) {
        return Ok(());
    }
    compile(code).map(|_| ())
}

/// Runs `code` on `input` and returns every output, or the first error (compile or run).
///
/// Values cross into jaq through their JSON text, so numbers and strings arrive exactly.
pub fn run(code: &str, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, JqError> {
    use jaq_core::{Ctx, Vars, unwrap_valr};
    let filter = compile(code)?;
    let text = input.to_string();
    let val = jaq_json::read::parse_single(text.as_bytes()).map_err(|e| JqError {
        message: format!("cannot read the input: {e}"),
        offset: None,
    })?;
    let ctx = Ctx::<Data>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for item in filter.id.run((ctx, val)).map(unwrap_valr) {
        let v = item.map_err(|e| JqError {
            message: e.to_string(),
            offset: None,
        })?;
        let json: serde_json::Value =
            serde_json::from_str(&v.to_string()).map_err(|e| JqError {
                message: format!("the result is not JSON ({e}): {v}"),
                offset: None,
            })?;
        out.push(json);
    }
    Ok(out)
}

/// The data jaq runs on: JSON values with a lookup table.
type Data = jaq_core::data::JustLut<jaq_json::Val>;

/// Loads `code` with jaq's prelude and compiles it (the exact error when it fails).
fn compile(code: &str) -> Result<jaq_core::Filter<Data>, JqError> {
    let defs = prelude().iter().cloned();
    let funs = jaq_core::funs::<Data>()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let modules = Loader::new(defs)
        .load(&arena, File { code, path: () })
        .map_err(|errs| load_error(code, errs))?;
    jaq_core::Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errs| {
            let first = errs.into_iter().flat_map(|(_, e)| e).next();
            match first {
                Some((name, undefined)) => JqError {
                    message: format!("undefined {} '{name}'", undefined.as_str()),
                    offset: Some(jaq_core::load::span(code, name).start),
                },
                None => JqError {
                    message: "the program does not compile".into(),
                    offset: None,
                },
            }
        })
}

fn load_error(code: &str, errs: jaq_core::load::Errors<&str, ()>) -> JqError {
    let Some((_, err)) = errs.into_iter().next() else {
        return JqError {
            message: "the program does not load".into(),
            offset: None,
        };
    };
    match err {
        jaq_core::load::Error::Io(items) => JqError {
            message: items
                .first()
                .map_or("module not found".into(), |(path, why)| {
                    format!("cannot load module {path}: {why}")
                }),
            offset: None,
        },
        jaq_core::load::Error::Lex(items) => {
            let Some((expect, at)) = items.first() else {
                return JqError {
                    message: "syntax error".into(),
                    offset: None,
                };
            };
            let what = match expect {
                lex::Expect::Delim(d) => format!("closing delimiter for '{d}'"),
                other => lex_expect(other).to_string(),
            };
            found_error(code, &what, at)
        }
        jaq_core::load::Error::Parse(items) => {
            let Some((expect, at)) = items.first() else {
                return JqError {
                    message: "syntax error".into(),
                    offset: None,
                };
            };
            found_error(code, expect.as_str(), at)
        }
    }
}

fn lex_expect(e: &lex::Expect<&str>) -> &'static str {
    match e {
        lex::Expect::Digit => "digit",
        lex::Expect::Ident => "identifier",
        lex::Expect::Escape => "string escape sequence",
        lex::Expect::Unicode => "4-digit hexadecimal code point",
        _ => "token",
    }
}

fn found_error(code: &str, expected: &str, at: &str) -> JqError {
    let offset = jaq_core::load::span(code, at).start;
    let found: String = at.chars().take(12).collect();
    let found = if found.is_empty() {
        "the end of the program".to_string()
    } else {
        format!("'{found}'")
    };
    JqError {
        message: format!("jq syntax error: expected {expected}, found {found}"),
        offset: Some(offset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fast_path_agrees_with_the_compiler() {
        let programs = [
            ".a",
            "{id, name: .n}",
            ".[] | select(.x > 1)",
            "reduce .[] as $x (0; . + $x)",
            "def f($a): $a + 1; f(2)",
            "def g(f): f; g(.a)",
            ". as {a: $x} | $x",
            "$undefined",
            "nosuch",
            "split(\",\"; 1; 2)",
            "\"\\(.a) text\"",
            "label $out | 1, break $out",
            "[.[] | tostring] | join(\",\")",
            "if .a then 1 elif .b then 2 else 3 end",
            "try error catch .",
            "@base64",
            ".a[1:2]",
            "$ENV.HOME",
            "first(.[])",
            "limit(2; .[])",
        ];
        for p in programs {
            assert_eq!(check(p).is_ok(), compile(p).is_ok(), "{p}");
            if quick_ok(p) {
                assert!(
                    compile(p).is_ok(),
                    "fast path accepted what jaq rejects: {p}"
                );
            }
        }
    }

    #[test]
    fn compiles_and_reports() {
        assert!(check(".ticket | {id, subject: .subject | ascii_upcase}").is_ok());
        assert!(check(".a // \"x\" | tostring").is_ok());
        let e = check("{a: (.b}").unwrap_err();
        assert!(e.message.contains("syntax error"), "{}", e.message);
        let e = check("nosuchfn(1)").unwrap_err();
        assert!(
            e.message.contains("undefined filter 'nosuchfn'"),
            "{}",
            e.message
        );
    }
}
