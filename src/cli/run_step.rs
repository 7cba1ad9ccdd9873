//! The parts of `zis-studio run` after the run starts: stepping from the terminal, the
//! report (one JSON object, secrets masked) and its text form.

use crate::core::debug::{Env, Go, Session, StoreSnapshot};
use anyhow::Result;
use serde_json::{Value, json};
use std::io::{BufRead as _, Write as _};
use zis_engine::run::execution::Status;
use zis_services::db::Db;

/// `--step`: Enter steps, `c` continues (to a breakpoint or the end), `b STATE` sets a
/// breakpoint, `p PATH` prints a JSONPath of the data the next state gets, `q` quits. The
/// end of input continues to the end.
pub fn interactive(s: &mut Session, mut env: Env) -> Result<()> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = std::io::stderr();
    while s.status() == &Status::Running {
        let next = s.next_state().unwrap_or("?").to_string();
        write!(
            out,
            "[{}] paused before {next}  (Enter step · c continue · b STATE · p PATH · q quit) > ",
            s.steps.len()
        )?;
        out.flush()?;
        let line = match lines.next() {
            Some(l) => l?,
            None => "c".to_string(),
        };
        let line = line.trim();
        match line.split_once(' ').unwrap_or((line, "")) {
            ("", _) => {
                s.go(Go::Step, env.clone());
                s.wait();
                if let Some(step) = s.steps.last() {
                    let e = &step.event;
                    let to = e.next.as_deref().unwrap_or("end");
                    writeln!(out, "  {}. {} -> {to}", s.steps.len(), e.state)?;
                }
            }
            ("c", _) => {
                s.go(Go::Continue, env.clone());
                s.wait();
                if let Some(why) = &s.stopped_by {
                    writeln!(out, "  stopped: {why}")?;
                }
            }
            ("b", state) if !state.is_empty() => {
                env.breakpoints
                    .states
                    .entry(env.flow.clone())
                    .or_default()
                    .insert(state.trim().to_string());
                writeln!(out, "  breakpoint on {}", state.trim())?;
            }
            ("p", path) if !path.is_empty() => {
                let data = s.next_data().cloned().unwrap_or(Value::Null);
                match zis_engine::run::dataflow::eval_path(path.trim(), &data, None) {
                    Ok(v) => writeln!(
                        out,
                        "  {}",
                        serde_json::to_string_pretty(&v).unwrap_or_default()
                    )?,
                    Err(e) => writeln!(out, "  {}: {}", e.error, e.cause)?,
                }
            }
            ("q", _) => break,
            _ => writeln!(out, "  ? Enter, c, b STATE, p PATH or q")?,
        }
    }
    Ok(())
}

/// The run as one object (see `RunFormat::Json`), every secret the store holds masked.
pub fn report(s: &Session, db_path: &std::path::Path) -> Result<Value> {
    let secrets = Db::open(db_path)
        .and_then(|d| d.secrets(&s.integration))
        .unwrap_or_default();
    let status = zis_services::runner::mask_status(s.status(), &secrets);
    let steps: Vec<Value> = s
        .steps
        .iter()
        .map(|st| {
            let e = &st.event;
            json!({
                "state": e.state,
                "type": e.state_type,
                "attempt": e.attempt,
                "input": e.input,
                "after_input_path": e.after_input_path,
                "after_parameters": e.after_parameters,
                "result": e.result,
                "after_result_selector": e.after_result_selector,
                "after_result_path": e.after_result_path,
                "output": e.output,
                "next": e.next,
                "error": e.error,
                "caught": e.caught,
                "retried": e.retried,
            })
        })
        .collect();
    let http_calls: Vec<Value> = s
        .steps
        .iter()
        .flat_map(|st| &st.http)
        .map(|x| {
            json!({
                "action": x.action,
                "method": x.method,
                "url": x.url,
                "headers": x.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
                "body": x.body,
                "status": x.status,
                "response": x.response,
                "mocked": x.mocked,
            })
        })
        .collect();
    let logs: Vec<Value> = s
        .log_lines()
        .into_iter()
        .map(|(level, text)| json!({"level": level, "text": text}))
        .collect();
    let store = StoreSnapshot::read(db_path, &s.integration);
    let links: Vec<Value> = store
        .links
        .iter()
        .map(|(t, l, r)| json!({"link_type": t, "left": l, "right": r}))
        .collect();
    let (name, output, error, cause) = match &status {
        Status::Succeeded { output } => ("succeeded", output.clone(), Value::Null, Value::Null),
        Status::Failed { error, cause } => ("failed", Value::Null, json!(error), json!(cause)),
        Status::Running => ("stopped", Value::Null, Value::Null, json!(s.stopped_by)),
    };
    let report = json!({
        "status": name,
        "output": output,
        "error": error,
        "cause": cause,
        "transitions": s.steps.last().map_or(0, |st| st.event.transitions),
        "attempts": s.now.attempt(),
        "states": s.steps.iter().map(|st| st.event.state.as_str()).collect::<Vec<_>>(),
        "steps": steps,
        "http_calls": http_calls,
        "logs": logs,
        "store": {"configs": store.configs, "links": links},
    });
    Ok(Db::redact(&report, &secrets))
}

/// A line per step, the HTTP calls, then the outcome.
pub fn print_text(report: &Value) {
    for (i, st) in report["steps"].as_array().into_iter().flatten().enumerate() {
        let to = match (&st["error"], st["next"].as_str()) {
            (Value::Object(err), _) if st["caught"] != true && st["retried"] != true => format!(
                "✖ {}: {}",
                err.get("error").and_then(Value::as_str).unwrap_or("?"),
                err.get("cause").and_then(Value::as_str).unwrap_or("")
            ),
            (Value::Object(err), _) if st["retried"] == true => format!(
                "✖ {} (the flow restarts from StartAt)",
                err.get("error").and_then(Value::as_str).unwrap_or("?")
            ),
            (Value::Object(err), Some(n)) => format!(
                "caught {} -> {n}",
                err.get("error").and_then(Value::as_str).unwrap_or("?")
            ),
            (_, Some(n)) => format!("-> {n}"),
            _ => "end".to_string(),
        };
        let attempt = if st["attempt"].as_u64().unwrap_or(1) > 1 {
            format!("  (attempt {})", st["attempt"])
        } else {
            String::new()
        };
        println!(
            "{:>3}. {}  {to}{attempt}",
            i + 1,
            st["state"].as_str().unwrap_or("?")
        );
    }
    for x in report["http_calls"].as_array().into_iter().flatten() {
        println!(
            "     {} {} -> {}{}",
            x["method"].as_str().unwrap_or("?"),
            x["url"].as_str().unwrap_or("?"),
            x["status"],
            if x["mocked"] == true { " (mocked)" } else { "" }
        );
    }
    match report["status"].as_str() {
        Some("succeeded") => println!("succeeded: {}", report["output"]),
        Some("failed") => println!(
            "failed: {}: {}",
            report["error"].as_str().unwrap_or("?"),
            report["cause"].as_str().unwrap_or("")
        ),
        _ => println!("stopped: {}", report["cause"]),
    }
}
