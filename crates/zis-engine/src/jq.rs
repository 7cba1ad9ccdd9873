//! jq programs of `zis:common:transform:Jq`: compile checks (running comes with the engine).
//!
//! Uses jaq (jaq-core, jaq-std, jaq-json) with its standard library, so an undefined
//! function or variable is reported as well as a syntax error.

use jaq_core::load::{Arena, File, Loader, lex, parse};

/// Why a jq program does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JqError {
    /// What is wrong, for a person.
    pub message: String,
    /// Byte offset in the program, when known.
    pub offset: Option<usize>,
}

/// Compiles `code` as a jq program and reports the first problem.
pub fn check(code: &str) -> Result<(), JqError> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs::<jaq_core::data::JustLut<jaq_json::Val>>()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let loader = Loader::new(defs);
    let modules = loader
        .load(&arena, File { code, path: () })
        .map_err(|errs| load_error(code, errs))?;
    jaq_core::Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map(|_| ())
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
                .map_or("module not found".into(), |(path, why)| format!("cannot load module {path}: {why}")),
            offset: None,
        },
        jaq_core::load::Error::Lex(items) => {
            let Some((expect, at)) = items.first() else {
                return JqError { message: "syntax error".into(), offset: None };
            };
            let what = match expect {
                lex::Expect::Delim(d) => format!("closing delimiter for '{d}'"),
                other => lex_expect(other).to_string(),
            };
            found_error(code, &what, at)
        }
        jaq_core::load::Error::Parse(items) => {
            let Some((expect, at)) = items.first() else {
                return JqError { message: "syntax error".into(), offset: None };
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

#[allow(dead_code)]
fn _assert_parse_type(_: parse::Expect<&str>) {}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn compiles_and_reports() {
        assert!(check(".ticket | {id, subject: .subject | ascii_upcase}").is_ok());
        assert!(check(".a // \"x\" | tostring").is_ok());
        let e = check("{a: (.b}").unwrap_err();
        assert!(e.message.contains("syntax error"), "{}", e.message);
        let e = check("nosuchfn(1)").unwrap_err();
        assert!(e.message.contains("undefined filter 'nosuchfn'"), "{}", e.message);
    }
}
