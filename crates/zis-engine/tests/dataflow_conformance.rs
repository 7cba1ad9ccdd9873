//! The per-state data flow against AWS recordings: asl_task_io_cases.jsonl (Parameters,
//! ResultSelector, ResultPath, OutputPath around a recorded task result).
//! (asl_test_state_cases.jsonl runs whole, phase by phase, in test_state_conformance.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use zis_engine::model::PathField;
use zis_engine::run::dataflow::{place_result, render, select_path};
use zis_engine::validate::Mode;

fn field<'a>(state: &'a Value, key: &str) -> PathField<'a> {
    match state.get(key) {
        None => PathField::Absent,
        Some(Value::Null) => PathField::Null,
        Some(v) => PathField::Path(v.as_str().unwrap()),
    }
}

/// Runs one Task-like state around a given result; returns (effective parameters, output).
fn run(state: &Value, input: &Value, result: &Value) -> Result<(Value, Value), String> {
    let context = json!({"Execution": {"Input": input}});
    let ctx = Some(&context);
    let effective =
        select_path(&field(state, "InputPath"), input, ctx).map_err(|e| e.to_string())?;
    let params = match state.get("Parameters") {
        Some(t) => render(t, &effective, ctx, Mode::Asl).map_err(|e| e.to_string())?,
        None => effective.clone(),
    };
    let selected = match state.get("ResultSelector") {
        Some(t) => render(t, result, ctx, Mode::Asl).map_err(|e| e.to_string())?,
        None => result.clone(),
    };
    let placed = place_result(&field(state, "ResultPath"), input.clone(), selected)
        .map_err(|e| e.to_string())?;
    let output =
        select_path(&field(state, "OutputPath"), &placed, ctx).map_err(|e| e.to_string())?;
    Ok((params, output))
}

#[test]
fn task_io_cases_match_aws() {
    let Some(shared) = common::shared("conformance/asl_task_io_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_task_io_cases.jsonl"));
    let mut ok = 0;
    for row in &rows {
        match run(&row["state"], &row["input"], &row["task_result"]) {
            Ok((params, output))
                if params == row["effective_parameters"] && output == row["expected_output"] =>
            {
                ok += 1
            }
            other => println!("  differs: {}: {:?}", row["id"], other),
        }
    }
    println!(
        "asl_task_io_cases: {ok}/{} match AWS (parameters and output)",
        rows.len()
    );
    assert_eq!(ok, rows.len());
}
