//! A light check of JSONata expressions (`{% ... %}`), for ASL mode only.
//!
//! ZIS has no JSONata and ZIS Studio does not evaluate it. ASL mode checks what AWS is seen
//! to reject: the exact `{% expr %}` surround, balanced brackets, well-formed numbers,
//! two binary operators in a row, JSONPath syntax inside the surround, and a double quote
//! inside a single-quoted string literal (AWS rejected such a definition in the recorded
//! `test_illegal_escapes` case).

/// Checks a string of a JSONata state; `Ok` when it is not an expression or a valid one.
pub fn check(s: &str) -> Result<(), String> {
    let opens = s.starts_with("{%");
    let closes = s.ends_with("%}");
    if !opens && !closes {
        return Ok(());
    }
    if !(opens && closes) || s.len() < 4 {
        return Err("a JSONata expression must be written \"{% expression %}\"".into());
    }
    let Some(inner) = s.strip_prefix("{% ").and_then(|r| r.strip_suffix(" %}")) else {
        return Err("a JSONata expression needs one space after '{%' and before '%}'".into());
    };
    if inner.trim().is_empty() || inner.starts_with(char::is_whitespace) {
        return Err(
            "a JSONata expression must start right after \"{% \" (no extra spaces or line breaks)"
                .into(),
        );
    }
    expression(inner)
}

fn expression(e: &str) -> Result<(), String> {
    const JSONPATH: &str = "JSONPath syntax is not JSONata; inside {% %} use $states.input...";
    if e.starts_with("$.") || e.starts_with("$[") {
        return Err(JSONPATH.into());
    }
    let chars: Vec<char> = e.chars().collect();
    let mut stack = Vec::new();
    let mut i = 0;
    let mut last_binary = true; // at the start, an operand is expected
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                let q = c;
                i += 1;
                loop {
                    let Some(&d) = chars.get(i) else {
                        return Err("a string literal is not closed".into());
                    };
                    if d == '\\' {
                        i += 2;
                        continue;
                    }
                    if d == q {
                        break;
                    }
                    if q == '\'' && d == '"' {
                        return Err("a double quote inside a JSONata string literal is rejected by AWS (illegal escape)".into());
                    }
                    i += 1;
                }
                last_binary = false;
            }
            '(' | '[' | '{' => {
                stack.push(c);
                last_binary = true;
            }
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(want) {
                    return Err(format!("unbalanced '{c}' in the JSONata expression"));
                }
                last_binary = false;
            }
            '0'..='9' => {
                let start = i;
                while chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.' || *d == 'e' || *d == 'E')
                {
                    i += 1;
                }
                let text: String = chars[start..=i].iter().collect();
                if text.ends_with('.') || text.parse::<f64>().is_err() {
                    return Err(format!("'{text}' is not a number"));
                }
                last_binary = false;
            }
            '+' | '*' | '/' | '%' | '=' | '<' | '>' | '&' | '!' => {
                let regex_start = c == '/' && last_binary;
                if regex_start {
                    // A regular expression literal: skip to the closing '/'.
                    i += 1;
                    while chars.get(i).is_some_and(|d| *d != '/') {
                        if chars[i] == '\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    last_binary = false;
                } else {
                    let two = matches!((c, chars.get(i + 1)), ('<' | '>' | '!', Some('=')));
                    if last_binary && c != '!' {
                        return Err(format!("operator '{c}' has no left operand"));
                    }
                    if two {
                        i += 1;
                    }
                    last_binary = true;
                }
            }
            '@' => return Err(JSONPATH.into()),
            '-' => last_binary = true,
            ':' if chars.get(i + 1) == Some(&'=') => {
                // `$x := value` binds a variable.
                i += 1;
                last_binary = true;
            }
            ',' | ';' | ':' | '?' => last_binary = true,
            c if c.is_whitespace() => {}
            _ => last_binary = false,
        }
        i += 1;
    }
    if let Some(open) = stack.pop() {
        return Err(format!(
            "'{open}' is never closed in the JSONata expression"
        ));
    }
    if last_binary {
        return Err("the JSONata expression ends with an operator".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;
    #[test]
    fn surround_and_syntax() {
        assert!(check("{% 10 %}").is_ok());
        assert!(check("{% $sum($states.input.numbers) %}").is_ok());
        assert!(check("plain").is_ok());
        assert!(check("{%10%}").is_err());
        assert!(check("{% 10 %").is_err());
        assert!(check("{% \n10   %}").is_err());
        assert!(check("{% 10 + * 2 %}").is_err());
        assert!(check("{% 420. %}").is_err());
        assert!(check("{% $sum($x %}").is_err());
        assert!(check("{% $match($x, /^[a-z]+$/) and $y %}").is_ok());
        assert!(check("{% ($e := $a.b; $e & ' ' & $c[x = 'y']) %}").is_ok());
    }
}
