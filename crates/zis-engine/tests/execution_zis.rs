//! The stepper in ZIS mode: Action states through an executor, `{{ }}` templates, Catch
//! with its error object, ResultPath replacing everything by default, Map iterations as
//! steps, the virtual clock, and the 250-transition, 100-second and 100-item limits.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Execution, Settings, Status};

/// Answers actions from a script and records each call.
#[derive(Default)]
struct Scripted {
    calls: Vec<(String, Value)>,
}

impl ActionExecutor for Scripted {
    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError> {
        self.calls.push((action.to_string(), parameters.clone()));
        match action {
            "zis:t:action:get_user" => Ok(json!({"user": {"id": parameters["id"], "vip": true}})),
            "zis:t:action:broken" => Err(StatesError {
                error: "ExternalActionError".into(),
                cause: "external action failed due to status code: 404".into(),
            }),
            other => Ok(json!({"echo": other, "params": parameters})),
        }
    }
}

fn envelope(input: Value) -> Value {
    json!({"account_id": 1, "integration_key": "t", "subdomain": "acme", "input": input})
}

#[test]
fn actions_templates_and_catch() {
    let def = json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Action", "ActionName": "zis:t:action:get_user", "Parameters": {"id.$": "$.input.ticket.requester_id"}, "ResultPath": "$.requester", "Next": "IsVip"},
        "IsVip": {"Type": "Choice", "Choices": [{"Variable": "$.requester.user.vip", "BooleanEquals": true, "Next": "Call"}], "Default": "Done"},
        "Call": {"Type": "Action", "ActionName": "zis:t:action:broken", "Parameters": {"note.$": "VIP {{$.requester.user.id}}"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Status404"}], "ResultPath": "$.r", "Next": "Done"},
        "Status404": {"Type": "Choice", "Choices": [{"Variable": "$.err.Cause", "StringEquals": "external action failed due to status code: 404", "Next": "Done"}], "Default": "Oops"},
        "Oops": {"Type": "Fail", "Error": "Unexpected", "Cause": "{{$.err.Cause}}"},
        "Done": {"Type": "Succeed", "Message": "Handled {{$.input.ticket.id}}"}}});
    let mut exec = Execution::new(
        def,
        envelope(json!({"ticket": {"id": 9, "requester_id": 42}})),
        Settings::zis(),
    )
    .unwrap();
    let mut actions = Scripted::default();
    let events = exec.run(&mut actions);
    let names: Vec<&str> = events.iter().map(|e| e.state.as_str()).collect();
    assert_eq!(names, ["Get", "IsVip", "Call", "Status404", "Done"]);
    assert_eq!(actions.calls[0].1, json!({"id": 42}));
    assert_eq!(actions.calls[1].1, json!({"note": "VIP 42"}));
    assert!(events[2].caught);
    assert_eq!(
        events[2].error.as_ref().unwrap().cause,
        "external action failed due to status code: 404"
    );
    assert_eq!(events[4].result, Some(json!("Handled 9")));
    let Status::Succeeded { output } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(
        output["err"],
        json!({"Error": "ExternalActionError", "Cause": "external action failed due to status code: 404"})
    );
    assert_eq!(
        output["input"]["ticket"]["id"], 9,
        "ResultPath kept $.input"
    );
}

#[test]
fn result_path_defaults_to_replacing_everything() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Action", "ActionName": "zis:t:action:get_user", "Parameters": {"id": 1}, "End": true}}});
    let mut exec = Execution::new(def, envelope(json!({"x": 1})), Settings::zis()).unwrap();
    exec.run(&mut Scripted::default());
    assert_eq!(
        exec.status(),
        &Status::Succeeded {
            output: json!({"user": {"id": 1, "vip": true}})
        }
    );
}

#[test]
fn map_iterations_are_steps_and_stepping_resumes_from_a_clone() {
    let def = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.out", "End": true,
                 "Iterator": {"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.r", "End": true}}}}}});
    let mut exec = Execution::new(
        def,
        envelope(json!({"items": [{"n": 1}, {"n": 2}]})),
        Settings::zis(),
    )
    .unwrap();
    let mut actions = Scripted::default();
    let first = exec.step(&mut actions).unwrap();
    assert_eq!(first.state, "Each");
    let snapshot = exec.clone();
    let second = exec.step(&mut actions).unwrap();
    assert_eq!(
        (second.state.as_str(), second.frames.clone()),
        ("Double", vec![("Each".to_string(), 0)])
    );
    exec.run(&mut actions);
    let Status::Succeeded { output } = exec.status() else {
        panic!()
    };
    assert_eq!(
        output["out"],
        json!([{"n": 1, "r": {"ok": true}}, {"n": 2, "r": {"ok": true}}])
    );
    // The snapshot resumes to the same end.
    let mut again = snapshot;
    again.run(&mut actions);
    assert_eq!(again.status(), exec.status());
}

#[test]
fn zis_limits() {
    let looping = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}});
    let mut exec = Execution::new(looping, envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut Scripted::default());
    assert_eq!(events.len(), 251);
    let Status::Failed { cause, .. } = exec.status() else {
        panic!()
    };
    assert!(cause.contains("250"), "{cause}");

    let waiting = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "W2"}, "W2": {"Type": "Wait", "Seconds": 60, "End": true}}});
    let mut exec = Execution::new(waiting, envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut Scripted::default());
    assert_eq!(events[1].time_secs, 60.0, "virtual clock: no real waiting");
    let Status::Failed { cause, .. } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert!(cause.contains("timed out"), "{cause}");

    let many: Vec<Value> = (0..101).map(|i| json!({"i": i})).collect();
    let map = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.o", "End": true,
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}});
    let mut exec = Execution::new(map, envelope(json!({"items": many})), Settings::zis()).unwrap();
    exec.run(&mut Scripted::default());
    let Status::Failed { cause, .. } = exec.status() else {
        panic!()
    };
    assert!(cause.contains("at most 100"), "{cause}");
}

#[test]
fn zis_ignores_asl_io_fields_and_settings_can_turn_them_on() {
    let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.input", "Result": {"ok": 1}, "ResultPath": "$.r", "OutputPath": "$.r", "End": true}}});
    let mut exec = Execution::new(def.clone(), envelope(json!({"x": 1})), Settings::zis()).unwrap();
    exec.run(&mut Scripted::default());
    let Status::Succeeded { output } = exec.status() else {
        panic!()
    };
    assert_eq!(
        output["input"],
        json!({"x": 1}),
        "InputPath and OutputPath are ignored in ZIS"
    );
    assert_eq!(output["r"], json!({"ok": 1}));
    let settings = Settings {
        asl_io_fields: true,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def, envelope(json!({"x": 1})), settings).unwrap();
    exec.run(&mut Scripted::default());
    assert_eq!(
        exec.status(),
        &Status::Succeeded {
            output: json!({"ok": 1})
        }
    );
}
