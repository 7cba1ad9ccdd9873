//! jq programs of `zis:common:transform:Jq`: compile checks and running.
//!
//! Uses jaq (jaq-core, jaq-std, jaq-json) with its standard library, so an undefined
//! function or variable is reported as well as a syntax error. jq compatibility comes in
//! two layers: `compat.jq` (definitions that shadow jaq's where jq behaves differently, and
//! the jq builtins jaq lacks) and the vendored jaq-json (`vendor/jaq-json`: assignment into
//! null creates objects and arrays, array padding, fractional indices). Results cross back
//! as jq prints them: NaN as null, infinities as the largest finite numbers.

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Pattern, Term};
use jaq_core::load::{Arena, File, Loader, lex, parse};
use jaq_core::path::Part;
use std::collections::HashSet;
use std::sync::OnceLock;

/// jaq's core, std and JSON definitions and then ours (`compat.jq` and `builtins`), parsed
/// once per process.
fn prelude() -> &'static [parse::Def<&'static str>] {
    static DEFS: OnceLock<Vec<parse::Def<&'static str>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let compat = jaq_core::load::parse(COMPAT, |p| p.defs()).unwrap_or_default();
        // jaq defines `nan` as `0 / 0` and `infinite` as `1 / 0`; in jq (and here) dividing
        // by zero is an error, so these two come first in a form that does not divide.
        let numbers = jaq_core::load::parse(NUMBERS, |p| p.defs()).unwrap_or_default();
        let std = jaq_std::defs().filter(|d| !matches!(d.name, "nan" | "infinite"));
        let mut defs: Vec<_> = jaq_core::defs()
            .chain(numbers)
            .chain(std)
            .chain(jaq_json::defs())
            .chain(compat)
            .collect();
        let builtins = jaq_core::load::parse(builtins_def(&defs), |p| p.defs());
        defs.extend(builtins.unwrap_or_default());
        defs
    })
}

/// `nan` and `infinite` without a division (`1e1000` reads as the infinite float).
const NUMBERS: &str = "def infinite: 1e1000 + 0; def nan: infinite - infinite;";

/// jq behaviour that jaq leaves out or does differently, as jq definitions.
const COMPAT: &str = include_str!("compat.jq");

/// `def builtins: [...]`: every public `name/arity` of the prelude and the natives.
fn builtins_def(defs: &[parse::Def<&'static str>]) -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let natives = jaq_core::funs::<Data>()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs())
            .map(|(name, binds, _)| (name, binds.len()));
        let mut names: Vec<String> = defs
            .iter()
            .map(|d| (d.name, d.args.len()))
            .chain(natives)
            .filter(|(name, _)| !name.starts_with('_') && !name.starts_with('@'))
            .map(|(name, arity)| format!("\"{name}/{arity}\""))
            .collect();
        names.sort();
        names.dedup();
        names.push("\"builtins/0\"".into());
        format!("def builtins: [{}];", names.join(","))
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
    /// A constant object key that is not a string (`{(0): 1}`), with its token when known.
    bad_key: Option<(&'static str, Option<&'s str>)>,
}

/// What a constant object key is, when it is not a string.
fn constant_non_string<'s>(t: &Term<&'s str>) -> Option<(&'static str, Option<&'s str>)> {
    match t {
        Term::Num(n) => Some(("number", Some(*n))),
        Term::Call(name @ ("true" | "false"), args) if args.is_empty() => {
            Some(("boolean", Some(*name)))
        }
        Term::Call(name @ "null", args) if args.is_empty() => Some(("null", Some(*name))),
        Term::Arr(_) => Some(("array", None)),
        Term::Obj(_) => Some(("object", None)),
        _ => None,
    }
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
                    if self.bad_key.is_none() {
                        self.bad_key = constant_non_string(k);
                    }
                    self.term(k);
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
                        if self.bad_key.is_none() {
                            self.bad_key = constant_non_string(k);
                        }
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
    if usage.unsure || usage.bad_key.is_some() {
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

/// What jq rejects before running and jaq accepts: module directives (a ZIS transform is a
/// single program) and constant object keys that are not strings.
fn static_error(code: &str) -> Option<JqError> {
    let first_word = first_word(code);
    if matches!(first_word, "module" | "import" | "include") {
        return Some(JqError {
            message: format!("'{first_word}': modules are not available in a ZIS jq transform"),
            offset: Some(jaq_core::load::span(code, first_word).start),
        });
    }
    let term = jaq_core::load::parse(code, |p| p.term())?;
    let mut usage = Usage::default();
    usage.term(&term);
    let (kind, token) = usage.bad_key?;
    let text = token.map_or(String::new(), |t| format!(" ({t})"));
    Some(JqError {
        message: format!("Cannot use {kind}{text} as object key"),
        offset: token.map(|t| jaq_core::load::span(code, t).start),
    })
}

/// The first word of a program after whitespace and `#` comments (a slice of `code`).
fn first_word(code: &str) -> &str {
    let mut rest = code;
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix('#') {
            Some(comment) => rest = comment.split_once('\n').map_or("", |(_, r)| r),
            None => break,
        }
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Limits a jq program runs within (the `zis:common:transform:Jq` action's settings).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Wall time a program may take (the action also stops at the flow's deadline).
    pub time: std::time::Duration,
    /// Memory the program's process may hold, in MB (enforced by a [`Runner`] that runs
    /// programs in a process it can watch and kill; in this process only time is bounded).
    pub memory_mb: u64,
}

impl Default for Limits {
    /// 10 s and 512 MB.
    fn default() -> Self {
        Self {
            time: std::time::Duration::from_secs(10),
            memory_mb: 512,
        }
    }
}

/// Runs jq programs somewhere a program that recurses forever, loops forever or builds
/// gigabytes cannot take the caller's process down (zis-services' worker processes). Set
/// once per process with [`set_runner`]; without one, [`run_limited`] runs in this process.
pub trait Runner: Send + Sync {
    /// Runs `code` on `input` within `limits`: every output, or the error (a compile error,
    /// the program's own, or a limit reached: "jq: ran longer than 10 s").
    fn run(
        &self,
        code: &str,
        input: &serde_json::Value,
        limits: &Limits,
    ) -> Result<Vec<serde_json::Value>, JqError>;
}

static RUNNER: OnceLock<Box<dyn Runner>> = OnceLock::new();

/// Sets the process's jq runner; `false` when one was set already (it stays).
pub fn set_runner(runner: Box<dyn Runner>) -> bool {
    RUNNER.set(runner).is_ok()
}

/// True when a [`Runner`] was set.
pub fn has_runner() -> bool {
    RUNNER.get().is_some()
}

/// Runs `code` on `input` within `limits`: through the process's [`Runner`] when one is
/// set; else on a thread of this process, abandoned (left to finish on its own) when it
/// passes the time limit, so the caller never hangs.
pub fn run_limited(
    code: &str,
    input: &serde_json::Value,
    limits: &Limits,
) -> Result<Vec<serde_json::Value>, JqError> {
    if let Some(r) = RUNNER.get() {
        return r.run(code, input, limits);
    }
    let filter = compiled(code)?;
    let (tx, rx) = std::sync::mpsc::channel();
    let input_owned = input.clone();
    let spawned = std::thread::Builder::new()
        .name("jq".into())
        .stack_size(JQ_STACK)
        .spawn(move || {
            let _ignored = tx.send(run_filter(&filter, &input_owned));
        });
    if let Err(e) = spawned {
        return Err(JqError {
            message: format!("cannot start the jq thread: {e}"),
            offset: None,
        });
    }
    match rx.recv_timeout(limits.time) {
        Ok((out, None)) => Ok(out),
        Ok((_, Some(e))) => Err(e),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(time_error(limits.time)),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(JqError {
            message: "the jq program failed inside the jq engine".into(),
            offset: None,
        }),
    }
}

/// "ran longer than N s".
pub fn time_error(limit: std::time::Duration) -> JqError {
    JqError {
        message: format!("ran longer than {} s", fmt_secs(limit.as_secs_f64())),
        offset: None,
    }
}

fn fmt_secs(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// Runs `code` on `input` on this thread (no thread of its own, no limits): what a jq
/// worker process does with a request; a stack overflow ends that process.
///
/// Programs are compiled once per thread and kept (up to [`CACHED_PROGRAMS`]): a flow runs
/// the same few programs over and over, and compiling one (the standard library with it)
/// costs far more than running it on an event.
pub fn run_here(code: &str, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, JqError> {
    match run_filter(&*compiled(code)?, input) {
        (out, None) => Ok(out),
        (_, Some(e)) => Err(e),
    }
}

/// `code` compiled, from this thread's cache of programs (compiled and kept when new).
fn compiled(code: &str) -> Result<std::sync::Arc<jaq_core::Filter<Data>>, JqError> {
    thread_local! {
        static PROGRAMS: std::cell::RefCell<std::collections::HashMap<String, std::sync::Arc<jaq_core::Filter<Data>>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(f) = PROGRAMS.with(|p| p.borrow().get(code).cloned()) {
        return Ok(f);
    }
    let f = std::sync::Arc::new(compile(code)?);
    PROGRAMS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= CACHED_PROGRAMS {
            p.clear();
        }
        p.insert(code.to_string(), std::sync::Arc::clone(&f));
    });
    Ok(f)
}

/// Compiled programs [`run_here`] keeps per thread.
pub const CACHED_PROGRAMS: usize = 256;

/// Runs `code` on `input` and returns every output, or the first error (compile or run).
///
/// Values cross into jaq through their JSON text, so numbers and strings arrive exactly.
pub fn run(code: &str, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, JqError> {
    match run_until_error(code, input) {
        (out, None) => Ok(out),
        (_, Some(e)) => Err(e),
    }
}

/// Runs `code` on `input` and returns the outputs it gave before the first error, and that
/// error (a compile error comes with no outputs). This is how jq's own test runner reads a
/// program: a trailing error after the expected outputs is not a failure.
pub fn run_until_error(
    code: &str,
    input: &serde_json::Value,
) -> (Vec<serde_json::Value>, Option<JqError>) {
    let filter = match compiled(code) {
        Ok(f) => f,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let filter = &*filter;
    // jaq recurses on the native stack (deep values, recursive definitions): run it on a
    // thread whose stack is reserved large and committed only as it is touched.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("jq".into())
            .stack_size(JQ_STACK)
            .spawn_scoped(scope, || run_filter(filter, input))
            .map_or_else(
                |e| {
                    let message = format!("cannot start the jq thread: {e}");
                    (
                        Vec::new(),
                        Some(JqError {
                            message,
                            offset: None,
                        }),
                    )
                },
                |thread| {
                    thread.join().unwrap_or_else(|_| {
                        let message = "the jq program failed inside the jq engine".to_string();
                        (
                            Vec::new(),
                            Some(JqError {
                                message,
                                offset: None,
                            }),
                        )
                    })
                },
            )
    })
}

/// Stack reserved for a jq run (virtual memory; only what is used is committed).
const JQ_STACK: usize = 512 << 20;

/// How deep a jq result may nest before it is refused (jq refuses 10,000 levels when
/// parsing; the bundle parser stops at 256).
pub const MAX_RESULT_DEPTH: usize = 1_000;

fn run_filter(
    filter: &jaq_core::Filter<Data>,
    input: &serde_json::Value,
) -> (Vec<serde_json::Value>, Option<JqError>) {
    let mut out = Vec::new();
    let error = run_into(filter, input, &mut out).err();
    (out, error)
}

fn run_into(
    filter: &jaq_core::Filter<Data>,
    input: &serde_json::Value,
    out: &mut Vec<serde_json::Value>,
) -> Result<(), JqError> {
    use jaq_core::{Ctx, Vars, unwrap_valr};
    let text = input.to_string();
    let val = jaq_json::read::parse_single(text.as_bytes()).map_err(|e| JqError {
        message: format!("cannot read the input: {e}"),
        offset: None,
    })?;
    let ctx = Ctx::<Data>::new(&filter.lut, Vars::new([]));
    for item in filter.id.run((ctx, val)).map(unwrap_valr) {
        let v = item.map_err(|e| {
            let text = e.to_string();
            // `error("text")` reads better without JSON quotes.
            let message = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::String(s)) => s,
                _ => text,
            };
            JqError {
                message,
                offset: None,
            }
        })?;
        let json = to_json(&v, 0).ok_or_else(|| JqError {
            message: format!("the result nests deeper than {MAX_RESULT_DEPTH} levels"),
            offset: None,
        })?;
        out.push(json);
    }
    Ok(())
}

/// A jaq value as JSON, the way jq prints it: NaN as null, infinities as the largest finite
/// numbers, byte strings as text, non-string object keys as their JSON text. `None` when it
/// nests deeper than [`MAX_RESULT_DEPTH`].
fn to_json(v: &jaq_json::Val, depth: usize) -> Option<serde_json::Value> {
    use jaq_json::{Num, Val};
    use serde_json::Value;
    if depth > MAX_RESULT_DEPTH {
        return None;
    }
    let float = |f: f64| {
        if f.is_nan() {
            Value::Null
        } else {
            let f = f.clamp(f64::MIN, f64::MAX);
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
    };
    Some(match v {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(Num::Int(i)) => Value::from(*i as i64),
        Val::Num(n @ (Num::BigInt(_) | Num::Dec(_))) => {
            let text = n.to_string();
            match serde_json::from_str::<serde_json::Number>(&text) {
                Ok(num) => Value::Number(num),
                Err(_) => float(text.parse().unwrap_or(f64::NAN)),
            }
        }
        Val::Num(Num::Float(f)) => float(*f),
        Val::BStr(b) | Val::TStr(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        Val::Arr(a) => Value::Array(
            a.iter()
                .map(|x| to_json(x, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Val::Obj(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Val::BStr(b) | Val::TStr(b) => String::from_utf8_lossy(b).into_owned(),
                        other => other.to_string(),
                    };
                    Some((key, to_json(v, depth + 1)?))
                })
                .collect::<Option<_>>()?,
        ),
    })
}

/// The data jaq runs on: JSON values with a lookup table.
type Data = jaq_core::data::JustLut<jaq_json::Val>;

/// Loads `code` with jaq's prelude and compiles it (the exact error when it fails).
fn compile(code: &str) -> Result<jaq_core::Filter<Data>, JqError> {
    if let Some(e) = static_error(code) {
        return Err(e);
    }
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
    fn jq_semantics_that_zis_flows_rely_on() {
        let one = |code: &str, input: serde_json::Value| {
            let out = run(code, &input).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(out.len(), 1, "{code}");
            out.into_iter().next().unwrap()
        };
        use serde_json::json;
        assert_eq!(one(".a = 1", json!(null)), json!({"a": 1}));
        assert_eq!(
            one(".ticket.tags[1] = \"x\"", json!({})),
            json!({"ticket": {"tags": [null, "x"]}})
        );
        assert_eq!(one(".[3] = 1", json!([0])), json!([0, null, null, 1]));
        assert_eq!(one(".a += 1", json!({})), json!({"a": 1}));
        assert_eq!(one("del(.a.b)", json!({"x": 1})), json!({"x": 1}));
        assert_eq!(one("[.[] | tonumber]", json!(["1", ".5"])), json!([1, 0.5]));
        assert_eq!(
            one("[1, null, \"a\"] | join(\"-\")", json!(null)),
            json!("1--a")
        );
        assert!(run(".[-1] = 1", &json!([])).is_err());
        assert!(run("1 / .", &json!(0)).is_err());
        assert!(check("{(0): 1}").is_err());
        assert!(check("import \"x\" as x; .").is_err());
        // Deep values do not overflow the stack; results nested too deep are refused.
        let deep = run("reduce range(5000) as $_ (0; [.]) | flatten", &json!(null)).unwrap();
        assert_eq!(deep, vec![json!([0])]);
        let e = run("reduce range(5000) as $_ (0; [.])", &json!(null)).unwrap_err();
        assert!(e.message.contains("deeper than"), "{}", e.message);
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
