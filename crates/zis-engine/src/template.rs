//! ZIS `{{$.path}}` placeholders in strings.
//!
//! A `.$` value is either a bare path (its result keeps its JSON type) or a string holding
//! one or more `{{$.path}}` placeholders (the result is a string). Custom action definitions
//! also use placeholders in plain strings.

use crate::path::{self, PathContext, PathError};

/// One `{{ ... }}` placeholder found in a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// Byte range of the whole `{{ ... }}` in the string.
    pub range: std::ops::Range<usize>,
    /// The path inside, trimmed.
    pub path: &'a str,
}

/// The placeholders of `s`, in order; an unclosed `{{` is an error.
pub fn placeholders(s: &str) -> Result<Vec<Placeholder<'_>>, PathError> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = s[from..].find("{{").map(|i| i + from) {
        let Some(close) = s[open + 2..].find("}}").map(|i| i + open + 2) else {
            return Err(PathError {
                message: format!("'{{{{' at byte {open} is never closed with '}}}}'"),
            });
        };
        out.push(Placeholder {
            range: open..close + 2,
            path: s[open + 2..close].trim(),
        });
        from = close + 2;
    }
    Ok(out)
}

/// [`placeholders`], from where the running definition found them ahead when it did
/// ([`path::template_spans`]); scanned now otherwise.
pub fn placeholders_shared(s: &str) -> Result<Vec<Placeholder<'_>>, PathError> {
    match path::template_spans(s) {
        Some(spans) => Ok(spans
            .iter()
            .map(|(range, p)| Placeholder {
                range: range.clone(),
                path: &s[p.clone()],
            })
            .collect()),
        None => placeholders(s),
    }
}

/// True when `s` holds at least one `{{`.
pub fn has_placeholders(s: &str) -> bool {
    s.contains("{{")
}

/// Checks every placeholder of `s`: each must hold a valid path.
pub fn check(s: &str) -> Result<usize, PathError> {
    let found = placeholders(s)?;
    for p in &found {
        path::check(p.path, PathContext::Path).map_err(|e| PathError {
            message: format!("placeholder '{{{{{}}}}}': {}", p.path, e.message),
        })?;
    }
    Ok(found.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn finds_placeholders() {
        let s = "/api/v2/tickets/{{$.ticket_id}}.json?x={{ $.a[0] }}";
        let p = placeholders(s).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].path, "$.a[0]");
        assert_eq!(check(s), Ok(2));
        assert!(check("{{$.a").is_err());
        assert!(check("{{ nope }}").is_err());
    }
}
