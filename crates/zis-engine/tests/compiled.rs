//! Compile once, run many (issue 16): executions share one `Compiled`, a run without
//! history ends exactly as a run with it, and history phases that leave the data as it
//! was share one snapshot instead of holding copies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use std::sync::Arc;
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Compiled, Execution, Settings};

struct Echo;
impl ActionExecutor for Echo {
    fn execute(&mut self, _: &str, p: &Value) -> Result<Value, StatesError> {
        Ok(json!({"echo": p}))
    }
}

fn outcome(compiled: &Arc<Compiled>, input: &Value, settings: &Settings, record: bool) -> String {
    let mut exec = Execution::start(Arc::clone(compiled), input.clone(), settings.clone());
    exec.set_recording(record);
    let steps = exec.run_to_end(&mut Echo);
    format!("{steps} steps: {:?}", exec.status())
}

#[test]
fn executions_share_the_compiled_definition_and_end_alike_without_history() {
    let compiled = Compiled::new(json!({"StartAt": "Load", "States": {
        "Load": {"Type": "Action", "ActionName": "zis:a:action:x", "Parameters": {"id.$": "$.id"}, "ResultPath": "$.loaded", "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.seen", "Next": "Route",
            "Iterator": {"StartAt": "Seen", "States": {"Seen": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": true}}}},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.id", "NumericGreaterThan": 5, "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Succeed", "Message": "big {{$.id}}"},
        "Small": {"Type": "Fail", "Error": "Small", "Cause": "{{$.id}} is small"}}}))
    .unwrap();
    let settings = Settings::zis();
    for input in [
        json!({"id": 9, "items": [1, 2, 3]}),
        json!({"id": 1, "items": []}),
    ] {
        assert_eq!(
            outcome(&compiled, &input, &settings, true),
            outcome(&compiled, &input, &settings, false)
        );
    }
    // Two executions hold the same compiled definition, not copies of it.
    let a = Execution::start(Arc::clone(&compiled), json!({}), settings.clone());
    let b = Execution::start(Arc::clone(&compiled), json!({}), settings);
    assert!(Arc::ptr_eq(a.compiled(), b.compiled()));
    assert_eq!(Arc::strong_count(&compiled), 3);
}

#[test]
fn every_aws_case_ends_alike_with_and_without_history() {
    let Some(shared) = common::shared("conformance/asl_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_cases.jsonl"));
    let mut tried = 0;
    for row in rows.iter().filter(|r| {
        !r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "intrinsic" || t == "context_object")
    }) {
        let compiled = Compiled::new(row["definition"].clone()).unwrap();
        let settings = Settings::asl();
        assert_eq!(
            outcome(&compiled, &row["input"], &settings, true),
            outcome(&compiled, &row["input"], &settings, false),
            "{}",
            row["id"]
        );
        tried += 1;
    }
    println!("{tried} AWS cases end alike with and without history");
    assert_eq!(tried, 554);
}

#[test]
fn phases_that_change_nothing_share_one_snapshot() {
    let compiled = Compiled::new(json!({"StartAt": "Keep", "States": {
        "Keep": {"Type": "Pass", "Next": "Add"},
        "Add": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.added", "End": true}}}))
    .unwrap();
    let mut exec = Execution::start(compiled, json!({"a": [1, 2, 3]}), Settings::asl());
    let events = exec.run(&mut Echo);
    let keep = &events[0];
    for phase in [
        &keep.after_input_path,
        &keep.after_parameters,
        &keep.result,
        &keep.after_result_selector,
        &keep.after_result_path,
        &keep.output,
    ] {
        assert!(Arc::ptr_eq(phase.as_ref().unwrap(), &keep.input));
    }
    // A phase that changes the data has its own snapshot, and the output shares it.
    let add = &events[1];
    assert_eq!(*add.input, json!({"a": [1, 2, 3]}));
    let placed = add.after_result_path.as_ref().unwrap();
    assert_eq!(**placed, json!({"a": [1, 2, 3], "added": {"x": 1}}));
    assert!(!Arc::ptr_eq(placed, &add.input));
    assert!(Arc::ptr_eq(placed, add.output.as_ref().unwrap()));
    // Serialised as plain values.
    let text = serde_json::to_value(add).unwrap();
    assert_eq!(text["output"], json!({"a": [1, 2, 3], "added": {"x": 1}}));
}

#[test]
fn data_over_the_limit_fails_at_the_first_state_with_or_without_history() {
    let compiled = Compiled::new(json!({"StartAt": "Keep", "States": {
        "Keep": {"Type": "Pass", "Next": "Call"},
        "Call": {"Type": "Action", "ActionName": "zis:a:action:x", "End": true}}}))
    .unwrap();
    let mut settings = Settings::zis();
    settings.payload_limit = Some(1_000);
    settings.retries = 0;
    let big = json!({"text": "x".repeat(2_000)});
    for record in [true, false] {
        let mut exec = Execution::start(Arc::clone(&compiled), big.clone(), settings.clone());
        exec.set_recording(record);
        exec.run_to_end(&mut Echo);
        match exec.status() {
            zis_engine::run::execution::Status::Failed { error, cause } => {
                assert_eq!(error, "States.DataLimitExceeded");
                assert!(cause.contains("'Keep'"), "{cause}");
            }
            other => panic!("over the limit, yet {other:?}"),
        }
    }
    // Within the limit the same flow runs through.
    let small = json!({"text": "x"});
    assert!(outcome(&compiled, &small, &settings, false).contains("Succeeded"));
}
