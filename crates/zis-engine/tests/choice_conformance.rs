//! Choice semantics against AWS: the asl_cases.jsonl machines made only of Pass, Choice,
//! Succeed and Fail states (no intrinsics, no context object) are run with a minimal
//! loop over the engine's data flow and Choice evaluation, and compared with what AWS
//! recorded. The real stepper replaces this loop; the data flow and rules are the engine's.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use zis_engine::model::{Bundle, FlowDefinition, StateKind};
use zis_engine::run::{StatesError, choice, dataflow};
use zis_engine::validate::Mode;

fn run(def: &FlowDefinition<'_>, input: &Value) -> Result<Value, StatesError> {
    let mut data = input.clone();
    let mut current = def.start_at.unwrap();
    for _ in 0..1000 {
        let state = def.state(current).unwrap();
        let effective = dataflow::select_path(&state.input_path, &data, None)?;
        let next = match &state.kind {
            StateKind::Pass { result } => {
                let params = match state.parameters {
                    Some(t) => dataflow::render(t, &effective, None, Mode::Asl)?,
                    None => effective.clone(),
                };
                let r = result.cloned().unwrap_or(params);
                dataflow::check_size(state.name, &r, dataflow::ASL_PAYLOAD_LIMIT)?;
                let placed = dataflow::place_result(&state.result_path, data.clone(), r)?;
                data = dataflow::select_path(&state.output_path, &placed, None)?;
                state.next
            }
            StateKind::Choice { choices, default } => {
                let rules = choices.as_deref().unwrap_or(&[]);
                let next = match choice::first_match(rules, &effective)? {
                    Some(i) => rules[i].next,
                    None => *default,
                };
                data = dataflow::select_path(&state.output_path, &effective, None)?;
                Some(next.ok_or_else(|| StatesError {
                    error: "States.NoChoiceMatched".into(),
                    cause: "No Matches!".into(),
                })?)
            }
            StateKind::Succeed { .. } => {
                return dataflow::select_path(&state.output_path, &effective, None);
            }
            StateKind::Fail { error, cause } => {
                return Err(StatesError {
                    error: error.unwrap_or("null").into(),
                    cause: cause.unwrap_or("null").into(),
                });
            }
            other => panic!("unexpected state type {}", other.type_name()),
        };
        match next {
            Some(n) => current = n,
            None => return Ok(data),
        }
    }
    panic!("too many transitions");
}

#[test]
fn pass_choice_machines_match_aws() {
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
        if tags
            .iter()
            .any(|t| *t == "intrinsic" || *t == "context_object")
        {
            continue;
        }
        let def_value = &row["definition"];
        let wrapped = json!({"resources": {"f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": def_value}}}});
        let (bundle, _) = Bundle::from_value(&wrapped);
        let (_, def) = bundle.flows().next().unwrap();
        let simple = def.states().iter().all(|s| {
            matches!(
                s.kind,
                StateKind::Pass { .. }
                    | StateKind::Choice { .. }
                    | StateKind::Succeed { .. }
                    | StateKind::Fail { .. }
            ) && [
                "ResultSelector",
                "ErrorPath",
                "CausePath",
                "Assign",
                "Output",
                "QueryLanguage",
            ]
            .iter()
            .all(|k| !s.keys.contains(k))
        });
        if !simple {
            continue;
        }
        tried += 1;
        let got = run(def, &row["input"]);
        let expected = &row["expected"];
        let good = match (&got, expected.get("output")) {
            (Ok(v), Some(out)) => json_eq(v, out),
            (Err(e), None) => expected["error"].as_str().unwrap_or("null") == e.error,
            _ => false,
        };
        if good {
            ok += 1;
        } else {
            wrong.push(format!("{}: got {got:?}, expected {expected}", row["id"]));
        }
    }
    println!("asl_cases Pass/Choice/Succeed/Fail machines: {ok}/{tried} match AWS");
    for w in wrong.iter().take(10) {
        println!("  differs: {w}");
    }
    assert!(tried > 300);
    assert_eq!(ok, tried);
}

/// JSON equality where 1 equals 1.0.
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
