//! The stepper on asl_cases.jsonl (AWS recordings), ASL settings, every machine without
//! intrinsic functions or the context object and without Task or Parallel states.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::Value;
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Execution, Settings, Status};

struct NoActions;
impl ActionExecutor for NoActions {
    fn execute(&mut self, action: &str, _: &Value) -> Result<Value, StatesError> {
        Err(StatesError::runtime(format!("no action {action} here")))
    }
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn asl_cases_without_intrinsics_match_aws() {
    let Some(shared) = common::shared("conformance/asl_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_cases.jsonl"));
    let (mut tried, mut ok) = (0, 0);
    let mut wrong = Vec::new();
    for row in &rows {
        let tags: Vec<&str> = row["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let text = row["definition"].to_string();
        if tags
            .iter()
            .any(|t| *t == "intrinsic" || *t == "context_object")
            || text.contains("\"Task\"")
            || text.contains("\"Parallel\"")
        {
            continue;
        }
        tried += 1;
        let mut exec = Execution::new(
            row["definition"].clone(),
            row["input"].clone(),
            Settings::asl(),
        )
        .unwrap();
        let events = exec.run(&mut NoActions);
        let expected = &row["expected"];
        let good = match (exec.status(), expected.get("output")) {
            (Status::Succeeded { output }, Some(out)) => json_eq(output, out),
            (Status::Failed { error, .. }, None) => {
                expected["error"].as_str().unwrap_or("null") == error
            }
            _ => false,
        };
        if good {
            ok += 1;
        } else {
            wrong.push(format!(
                "{} ({} events): got {:?}, expected {}",
                row["id"],
                events.len(),
                exec.status(),
                expected
            ));
        }
    }
    println!("asl_cases (no intrinsics, no $$, no Task/Parallel): {ok}/{tried} match AWS");
    for w in wrong.iter().take(12) {
        println!("  differs: {}", w.chars().take(400).collect::<String>());
    }
    assert!(tried > 500);
    assert_eq!(ok, tried);
}
