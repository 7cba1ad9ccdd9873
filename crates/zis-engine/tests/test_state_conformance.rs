//! asl_test_state_cases.jsonl: AWS TestState recordings of single states, checked phase by
//! phase against the stepper's history event (input, after InputPath, after Parameters,
//! the result, after ResultSelector, after ResultPath, the output, the next state, the
//! error and cause). Every case runs, or is skipped with its reason from [`SKIPPED`].
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Execution, Settings};

struct NoActions;
impl ActionExecutor for NoActions {
    fn execute(&mut self, action: &str, _: &Value) -> Result<Value, StatesError> {
        Err(StatesError::runtime(format!("no action {action} here")))
    }
}

/// Cases the stepper cannot replay, each with why (matched by the end of the case id).
const SKIPPED: &[(&str, &str)] = &[
    (
        "test_state_map_context_object[ALL]",
        "TestState runs a single state with no execution context, so `$$` is not the context object a flow run has (and ZIS documents no `$$` at all, zis-facts 2.3–2.4)",
    ),
    (
        "test_state_map_context_object[EXECUTION_INPUT]",
        "TestState's `$$.Execution.Input` is not the state's input; in a flow run it is",
    ),
    (
        "test_state_map_context_object[EXECUTION_INPUT_VALUES]",
        "the case was recorded with a context object (`$$.Execution.Input.values`) and an item processor that the row does not hold",
    ),
];

/// The state as a one-state flow: Choice targets become Succeed states.
fn flow_of(state: &Value) -> Value {
    let mut states = serde_json::Map::new();
    let mut s = state.clone();
    if (s["Type"] == "Pass" || s["Type"] == "Map") && s.get("Next").is_some() {
        s.as_object_mut().unwrap().remove("Next");
        s["End"] = json!(true);
    }
    if s["Type"] == "Choice" {
        let mut targets: Vec<String> = s["Choices"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["Next"].as_str().map(str::to_string))
            .collect();
        targets.extend(s["Default"].as_str().map(str::to_string));
        for t in targets {
            states.insert(t, json!({"Type": "Succeed"}));
        }
    }
    states.insert("TheState".into(), s);
    json!({"StartAt": "TheState", "States": states})
}

#[test]
fn every_test_state_case_matches_aws_phase_by_phase() {
    let Some(shared) = common::shared("conformance/asl_test_state_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_test_state_cases.jsonl"));
    let (mut ok, mut skipped) = (0, 0);
    let mut wrong = Vec::new();
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        if let Some((_, why)) = SKIPPED.iter().find(|(end, _)| id.ends_with(end)) {
            println!("  skipped {id}: {why}");
            skipped += 1;
            continue;
        }
        let expected = &row["expected"];
        let mut exec = Execution::new(
            flow_of(&row["state"]),
            row["input"].clone(),
            Settings::asl(),
        )
        .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let event = exec.step(&mut NoActions).unwrap();
        let mut diffs: Vec<String> = Vec::new();
        fn check(diffs: &mut Vec<String>, what: &str, got: Option<&Value>, want: Option<&Value>) {
            if let Some(w) = want
                && got != Some(w)
            {
                diffs.push(format!("{what}: got {got:?}, want {w}"));
            }
        }
        let inspect = &expected["inspectionData"];
        check(
            &mut diffs,
            "input",
            Some(&*event.input),
            inspect.get("input"),
        );
        check(
            &mut diffs,
            "afterInputPath",
            event.after_input_path.as_deref(),
            inspect.get("afterInputPath"),
        );
        check(
            &mut diffs,
            "afterParameters",
            event.after_parameters.as_deref(),
            inspect.get("afterParameters"),
        );
        check(
            &mut diffs,
            "result",
            event.result.as_deref(),
            inspect.get("result"),
        );
        check(
            &mut diffs,
            "afterResultSelector",
            event.after_result_selector.as_deref(),
            inspect.get("afterResultSelector"),
        );
        check(
            &mut diffs,
            "afterResultPath",
            event.after_result_path.as_deref(),
            inspect.get("afterResultPath"),
        );
        match expected["status"].as_str() {
            Some("SUCCEEDED") => {
                if let Some(e) = &event.error {
                    diffs.push(format!("failed: {}: {}", e.error, e.cause));
                }
                // A Choice's output is its input; a Pass's and a Map's is what it passes on.
                check(
                    &mut diffs,
                    "output",
                    event.output.as_deref(),
                    expected.get("output"),
                );
                let next = event.next.as_ref().map(|n| json!(n));
                check(
                    &mut diffs,
                    "nextState",
                    next.as_ref(),
                    expected.get("nextState"),
                );
            }
            Some("FAILED") => match &event.error {
                Some(e) => {
                    check(
                        &mut diffs,
                        "error",
                        Some(&json!(e.error)),
                        expected.get("error"),
                    );
                    check(
                        &mut diffs,
                        "cause",
                        Some(&json!(e.cause)),
                        expected.get("cause"),
                    );
                }
                None => diffs.push("succeeded, AWS failed".into()),
            },
            other => diffs.push(format!("unknown status {other:?}")),
        }
        if diffs.is_empty() {
            ok += 1;
        } else {
            wrong.push(format!("{id}: {}", diffs.join("; ")));
        }
    }
    println!(
        "asl_test_state_cases: {ok} of {} match AWS phase by phase, {skipped} skipped with a reason",
        rows.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(ok + skipped, rows.len());
}
