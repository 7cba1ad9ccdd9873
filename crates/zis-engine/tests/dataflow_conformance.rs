//! The per-state data flow against AWS recordings: asl_task_io_cases.jsonl (Parameters,
//! ResultSelector, ResultPath, OutputPath around a recorded task result) and the Pass and
//! Task rows of asl_test_state_cases.jsonl (inspection data of each stage).
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

#[test]
fn test_state_inspection_data_matches_aws() {
    let Some(shared) = common::shared("conformance/asl_test_state_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_test_state_cases.jsonl"));
    let (mut tried, mut ok) = (0, 0);
    for row in &rows {
        let state = &row["state"];
        let expected = &row["expected"];
        let Some(inspect) = expected.get("inspectionData") else {
            continue;
        };
        if state["Type"] != "Pass" || expected["status"] != "SUCCEEDED" {
            continue;
        }
        tried += 1;
        let input = &row["input"];
        let after_input = select_path(&field(state, "InputPath"), input, None).unwrap();
        let after_params = match state.get("Parameters") {
            Some(t) => render(t, &after_input, None, Mode::Asl).unwrap(),
            None => after_input.clone(),
        };
        let result = state.get("Result").cloned().unwrap_or(after_params.clone());
        let after_result_path =
            place_result(&field(state, "ResultPath"), input.clone(), result).unwrap();
        let good = inspect
            .get("afterInputPath")
            .is_none_or(|v| v == &after_input)
            && inspect
                .get("afterParameters")
                .is_none_or(|v| v == &after_params)
            && inspect
                .get("afterResultPath")
                .is_none_or(|v| v == &after_result_path);
        if good {
            ok += 1;
        } else {
            println!("  differs: {}", row["id"]);
        }
    }
    println!("asl_test_state_cases (Pass, succeeded): {ok}/{tried} stages match AWS");
    assert_eq!(ok, tried);
}
