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
            "zis:t:action:broken" => Err(StatesError::http_status(404)),
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
    assert_eq!(events[4].result.as_deref(), Some(&json!("Handled 9")));
    let Status::Succeeded { output } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(
        output["err"],
        json!({"Error": "States.TaskFailed", "Cause": "external action failed due to status code: 404"})
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
    assert_eq!(exec.next_state_definition().unwrap()["Type"], "Map");
    let first = exec.step(&mut actions).unwrap();
    assert_eq!(first.state, "Each");
    assert_eq!(exec.map_path(), ["Each"]);
    // Inside the iteration, the next state is found in the iterator.
    assert_eq!(
        exec.next_state_definition().unwrap()["Result"],
        json!({"ok": true})
    );
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
    assert!(exec.next_state_definition().is_none(), "ended");
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

/// Answers one action with a status code per attempt (200 = success), recording calls.
struct Flaky {
    statuses: Vec<u16>,
    calls: usize,
}

impl ActionExecutor for Flaky {
    fn execute(&mut self, action: &str, _parameters: &Value) -> Result<Value, StatesError> {
        if action != "zis:t:action:post" {
            return Ok(json!({"ok": action}));
        }
        let status = self.statuses.get(self.calls).copied().unwrap_or(200);
        self.calls += 1;
        match status {
            200 => Ok(json!({"posted": true})),
            s => Err(StatesError::http_status(s)),
        }
    }
}

fn retry_flow(catch: bool) -> Value {
    let mut post = json!({"Type": "Action", "ActionName": "zis:t:action:post", "ResultPath": "$.post", "Next": "Done"});
    if catch {
        post["Catch"] =
            json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}]);
    }
    json!({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.prepared", "Next": "Post"},
        "Post": post,
        "Done": {"Type": "Succeed"}}})
}

#[test]
fn retryable_errors_restart_the_flow_from_start_at_up_to_three_times() {
    // 503, 429, 500, then success: three retries, the fourth attempt succeeds.
    let mut exec = Execution::new(
        retry_flow(false),
        envelope(json!({"id": 1})),
        Settings::zis(),
    )
    .unwrap();
    let mut actions = Flaky {
        statuses: vec![503, 429, 500],
        calls: 0,
    };
    let events = exec.run(&mut actions);
    let trail: Vec<(u32, &str, bool)> = events
        .iter()
        .map(|e| (e.attempt, e.state.as_str(), e.retried))
        .collect();
    assert_eq!(
        trail,
        [
            (1, "Prepare", false),
            (1, "Post", true),
            (2, "Prepare", false),
            (2, "Post", true),
            (3, "Prepare", false),
            (3, "Post", true),
            (4, "Prepare", false),
            (4, "Post", false),
            (4, "Done", false),
        ]
    );
    // Every attempt starts from the original input, and the transition count restarts.
    assert_eq!(*events[2].input, envelope(json!({"id": 1})));
    assert_eq!(events[2].transitions, 1);
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
    assert_eq!(exec.attempt(), 4);

    // Four 503s: the retries run out and the flow fails with the last error.
    let mut exec = Execution::new(retry_flow(false), envelope(json!({})), Settings::zis()).unwrap();
    let mut actions = Flaky {
        statuses: vec![503; 4],
        calls: 0,
    };
    exec.run(&mut actions);
    assert_eq!(actions.calls, 4);
    let Status::Failed { cause, .. } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(cause, "external action failed due to status code: 503");
}

#[test]
fn other_4xx_are_not_retried_and_caught_errors_are_retried_before_the_catch() {
    let mut exec = Execution::new(retry_flow(false), envelope(json!({})), Settings::zis()).unwrap();
    let mut actions = Flaky {
        statuses: vec![404],
        calls: 0,
    };
    exec.run(&mut actions);
    assert_eq!(actions.calls, 1, "a 404 is not retried");
    assert!(matches!(exec.status(), Status::Failed { .. }));

    // ZIS (zis-facts.md 7): a retryable error in a state with a Catch is retried first;
    // the Catch takes it on the last attempt.
    let mut exec = Execution::new(retry_flow(true), envelope(json!({})), Settings::zis()).unwrap();
    let mut actions = Flaky {
        statuses: vec![503; 4],
        calls: 0,
    };
    let events = exec.run(&mut actions);
    assert_eq!(actions.calls, 4);
    assert!(
        events
            .last()
            .is_some_and(|e| e.state == "Done" && e.attempt == 4)
    );
    assert!(events.iter().any(|e| e.caught && e.attempt == 4));
    let Status::Succeeded { output } = exec.status() else {
        panic!()
    };
    assert_eq!(
        output["err"]["Cause"],
        "external action failed due to status code: 503"
    );

    // The other order, as a setting: a caught error is not retried.
    let settings = Settings {
        retry_before_catch: false,
        ..Settings::zis()
    };
    let mut exec = Execution::new(retry_flow(true), envelope(json!({})), settings).unwrap();
    let mut actions = Flaky {
        statuses: vec![503],
        calls: 0,
    };
    let events = exec.run(&mut actions);
    assert_eq!(actions.calls, 1, "a caught 503 is not retried");
    assert!(events[1].caught);
}

#[test]
fn a_snapshot_resumes_with_edited_data_or_an_edited_definition() {
    let def = json!({"StartAt": "Load", "States": {
        "Load": {"Type": "Pass", "Result": {"status": "open"}, "ResultPath": "$.ticket", "Next": "Solved?"},
        "Solved?": {"Type": "Choice", "Choices": [{"Variable": "$.ticket.status", "StringEquals": "solved", "Next": "Close"}], "Default": "Skip"},
        "Close": {"Type": "Succeed", "Message": "closed"},
        "Skip": {"Type": "Succeed", "Message": "skipped"}}});
    let mut exec = Execution::new(def.clone(), envelope(json!({})), Settings::zis()).unwrap();
    let mut actions = Scripted::default();
    exec.step(&mut actions).unwrap();
    let snapshot = exec.clone();
    let (state, data) = snapshot.next_state().unwrap();
    assert_eq!(state, "Solved?");
    assert_eq!(data["ticket"]["status"], "open");

    // The original goes on to Skip.
    let rest = exec.run(&mut actions);
    assert_eq!(rest.last().unwrap().state, "Skip");

    // A fork with edited data takes the other branch.
    let mut fork = snapshot.clone();
    let mut edited = fork.next_state().unwrap().1.clone();
    edited["ticket"]["status"] = json!("solved");
    fork.set_data(edited).unwrap();
    let rest = fork.run(&mut actions);
    assert_eq!(rest.last().unwrap().state, "Close");
    assert_eq!(
        rest.last().unwrap().result.as_deref(),
        Some(&json!("closed"))
    );

    // A fork on an edited definition continues on it.
    let mut fork = snapshot.clone();
    let mut new_def = def.clone();
    new_def["States"]["Solved?"]["Choices"][0]["StringEquals"] = json!("open");
    fork.set_definition(new_def).unwrap();
    let rest = fork.run(&mut actions);
    assert_eq!(rest.last().unwrap().state, "Close");

    // An edit that removes the state the execution stands in is refused.
    let mut fork = snapshot.clone();
    let mut broken = def;
    broken["States"].as_object_mut().unwrap().remove("Solved?");
    let e = fork.set_definition(broken).unwrap_err();
    assert!(e.cause.contains("Solved?"), "{}", e.cause);
    assert_eq!(fork.next_state().unwrap().0, "Solved?");
}

#[test]
fn single_placeholder_typing_is_a_setting() {
    let def = json!({"StartAt": "A", "States": {"A": {"Type": "Action", "ActionName": "zis:t:action:echo",
        "Parameters": {"id.$": "{{$.input.id}}", "text.$": "id {{$.input.id}}"}, "End": true}}});
    let mut actions = Scripted::default();
    let mut exec =
        Execution::new(def.clone(), envelope(json!({"id": 7})), Settings::zis()).unwrap();
    exec.run(&mut actions);
    assert_eq!(actions.calls[0].1, json!({"id": "7", "text": "id 7"}));
    let settings = Settings {
        single_placeholder_keeps_type: true,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def, envelope(json!({"id": 7})), settings).unwrap();
    exec.run(&mut actions);
    assert_eq!(actions.calls[1].1, json!({"id": 7, "text": "id 7"}));
}

#[test]
fn wait_can_take_real_time() {
    let def =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0.2, "End": true}}});
    let started = std::time::Instant::now();
    let mut exec = Execution::new(def.clone(), envelope(json!({})), Settings::zis()).unwrap();
    exec.run(&mut Scripted::default());
    assert!(started.elapsed().as_secs_f64() < 0.2, "virtual by default");
    let settings = Settings {
        real_time_wait: true,
        ..Settings::zis()
    };
    let started = std::time::Instant::now();
    let mut exec = Execution::new(def, envelope(json!({})), settings).unwrap();
    let events = exec.run(&mut Scripted::default());
    assert!(started.elapsed().as_secs_f64() >= 0.2);
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
    assert_eq!(events.len(), 1);
}

#[test]
fn a_step_stops_at_each_phase_and_calls_its_action_once() {
    use zis_engine::run::execution::Phase;
    let def = json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Action", "ActionName": "zis:t:action:get_user",
                "Parameters": {"id.$": "$.input.id"}, "ResultPath": "$.user", "Next": "Call"},
        "Call": {"Type": "Action", "ActionName": "zis:t:action:broken", "Parameters": {},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}],
                 "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let mut exec = Execution::new(def, envelope(json!({"id": 7})), Settings::zis()).unwrap();
    let mut actions = Scripted::default();
    // Before Parameters and before the action: nothing is called.
    let stop = exec.step_to(Phase::BeforeParameters, &mut actions).unwrap();
    assert_eq!(
        stop.event.after_input_path.as_ref().unwrap()["input"]["id"],
        7
    );
    assert!(stop.event.after_parameters.is_none());
    let stop = exec.step_to(Phase::BeforeAction, &mut actions).unwrap();
    assert_eq!(
        stop.event.after_parameters.as_deref(),
        Some(&json!({"id": 7}))
    );
    assert!(stop.event.result.is_none() && stop.event.next.is_none());
    assert!(actions.calls.is_empty());
    assert!(exec.held_result().is_none());
    // After the result: called once, the answer held; ResultPath not applied yet.
    let stop = exec.step_to(Phase::AfterResult, &mut actions).unwrap();
    assert_eq!(stop.event.result.as_ref().unwrap()["user"]["id"], 7);
    assert!(stop.event.after_result_path.is_none());
    assert_eq!(actions.calls.len(), 1);
    let stop = exec.step_to(Phase::AfterResultPath, &mut actions).unwrap();
    assert_eq!(
        stop.event.after_result_path.as_ref().unwrap()["user"]["user"]["vip"],
        true
    );
    assert_eq!(actions.calls.len(), 1, "the held answer is used");
    assert_eq!(
        exec.next_state().unwrap().0,
        "Get",
        "the execution has not moved"
    );
    // What if the action had returned something else: the step uses the edited answer.
    exec.set_held_result(json!({"user": {"id": 8, "vip": false}}))
        .unwrap();
    let event = exec.step(&mut actions).unwrap();
    assert_eq!(actions.calls.len(), 1);
    assert_eq!(event.output.as_ref().unwrap()["user"]["user"]["id"], 8);
    assert!(exec.held_result().is_none());
    // A failing action: the stop after the result shows the error; the step then takes the
    // Catch with that same error, without calling again.
    let stop = exec.step_to(Phase::AfterResult, &mut actions).unwrap();
    assert_eq!(
        stop.event.error.as_ref().unwrap().error,
        "States.TaskFailed"
    );
    assert_eq!(actions.calls.len(), 2);
    let event = exec.step(&mut actions).unwrap();
    assert!(event.caught);
    assert_eq!(event.next.as_deref(), Some("Done"));
    assert_eq!(actions.calls.len(), 2);
    // A Succeed has no result phase.
    assert!(exec.step_to(Phase::AfterResult, &mut actions).is_none());
    assert!(
        exec.step_to(Phase::BeforeParameters, &mut actions)
            .is_some()
    );
}

#[test]
fn data_that_grows_past_the_limit_fails_with_a_size_error() {
    // Each round doubles $.d through an action's answer: past 10 MB the state fails.
    let def = json!({"StartAt": "Grow", "States": {
        "Grow": {"Type": "Action", "ActionName": "zis:t:action:double",
                 "Parameters": {"a.$": "$.d", "b.$": "$.d"}, "ResultPath": "$.d", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.never", "IsPresent": true, "Next": "Done"}], "Default": "Grow"},
        "Done": {"Type": "Succeed"}}});
    let mut input = envelope(json!({}));
    input["d"] = json!("x".repeat(1024));
    let mut exec = Execution::new(def, input, Settings::zis()).unwrap();
    let events = exec.run(&mut Scripted::default());
    let Status::Failed { error, cause } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(cause.contains("'Grow'"), "{cause}");
    assert!(
        events.len() < 60,
        "it stops as soon as the data is too big: {}",
        events.len()
    );
}

#[test]
fn a_map_whose_results_pass_the_limit_stops_iterating_and_fails() {
    let def = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.all", "End": true,
                 "Iterator": {"StartAt": "Keep", "States": {"Keep": {"Type": "Pass", "End": true}}}}}});
    let item = "y".repeat(120 * 1024);
    let items: Vec<Value> = (0..100).map(|_| json!(item)).collect();
    let mut exec = Execution::new(def, envelope(json!({"items": items})), Settings::zis()).unwrap();
    let events = exec.run(&mut Scripted::default());
    let Status::Failed { error, .. } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(error, "States.DataLimitExceeded");
    let iterations = events.iter().filter(|e| e.state == "Keep").count();
    assert!(
        iterations < 100,
        "the Map stopped early: {iterations} iterations"
    );
}

/// Every call answers `{}` after `delay` seconds on the flow's clock.
struct Slow {
    delay: f64,
    pending: f64,
}
impl ActionExecutor for Slow {
    fn execute(&mut self, _: &str, _: &Value) -> Result<Value, StatesError> {
        self.pending = self.delay;
        Ok(json!({}))
    }
    fn take_delay_secs(&mut self) -> f64 {
        std::mem::take(&mut self.pending)
    }
}

#[test]
fn time_in_actions_counts_toward_the_flow_limit_and_no_catch_takes_the_timeout() {
    // Five 25-second calls, each state with a Catch: the flow ends at 100 s.
    let mut states = serde_json::Map::new();
    for i in 0..5 {
        let next = if i == 4 {
            json!("Done")
        } else {
            json!(format!("Call{}", i + 1))
        };
        states.insert(
            format!("Call{i}"),
            json!({"Type": "Action", "ActionName": "zis:t:action:slow", "ResultPath": null,
                   "Next": next, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}),
        );
    }
    states.insert("Done".into(), json!({"Type": "Succeed"}));
    states.insert(
        "Caught".into(),
        json!({"Type": "Succeed", "Message": "caught"}),
    );
    let def = json!({"StartAt": "Call0", "States": states});
    let mut exec = Execution::new(def, envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut Slow {
        delay: 25.0,
        pending: 0.0,
    });
    let Status::Failed { error, cause } = exec.status() else {
        panic!("{:?}", exec.status())
    };
    assert_eq!(error, "States.Timeout", "{cause}");
    assert!(
        events.iter().all(|e| e.state != "Caught"),
        "a Catch took the timeout"
    );
    assert_eq!(events.len(), 5, "the fifth call passes 100 s");
}

#[test]
fn an_action_s_timeout_seconds_is_enforced_and_catchable() {
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Action", "ActionName": "zis:t:action:slow", "TimeoutSeconds": 10,
                 "Next": "Done", "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TooSlow"}]},
        "Done": {"Type": "Succeed"},
        "TooSlow": {"Type": "Fail", "Error": "TooSlow", "Cause": "the call took too long"}}});
    let settings = Settings {
        retries: 0,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def.clone(), envelope(json!({})), settings.clone()).unwrap();
    let events = exec.run(&mut Slow {
        delay: 12.0,
        pending: 0.0,
    });
    assert_eq!(events[0].error.as_ref().unwrap().error, "States.Timeout");
    assert!(events[0].caught);
    assert!(matches!(exec.status(), Status::Failed { error, .. } if error == "TooSlow"));
    // Within the limit: fine.
    let mut exec = Execution::new(def, envelope(json!({})), settings).unwrap();
    exec.run(&mut Slow {
        delay: 8.0,
        pending: 0.0,
    });
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
}

#[test]
fn a_map_s_item_limit_ends_the_flow_whatever_its_catch() {
    let def = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.input.items",
                 "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                 "Next": "Done", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Succeed"}}});
    let items: Vec<u32> = (0..101).collect();
    let mut exec = Execution::new(def, envelope(json!({"items": items})), Settings::zis()).unwrap();
    let events = exec.run(&mut Slow {
        delay: 0.0,
        pending: 0.0,
    });
    assert!(events.iter().all(|e| e.state != "Caught"));
    assert!(matches!(exec.status(), Status::Failed { cause, .. } if cause.contains("at most 100")));
}

#[test]
fn a_succeed_message_or_fail_cause_that_is_a_path_is_the_value_there() {
    let def = json!({"StartAt": "Done", "States": {
        "Done": {"Type": "Succeed", "Message": "$.summary.text"}}});
    let input = json!({"summary": {"text": "3 tickets merged", "n": 3}});
    let mut exec = Execution::new(def, input.clone(), Settings::zis()).unwrap();
    let events = exec.run(&mut Slow {
        delay: 0.0,
        pending: 0.0,
    });
    assert_eq!(
        events[0].result.as_deref(),
        Some(&json!("3 tickets merged"))
    );
    let def = json!({"StartAt": "No", "States": {
        "No": {"Type": "Fail", "Error": "Bad", "Cause": "$.summary"}}});
    let mut exec = Execution::new(def, input, Settings::zis()).unwrap();
    exec.run(&mut Slow {
        delay: 0.0,
        pending: 0.0,
    });
    let Status::Failed { cause, .. } = exec.status() else {
        panic!()
    };
    assert_eq!(serde_json::from_str::<Value>(cause).unwrap()["n"], 3);
}

#[test]
fn the_last_state_passing_the_flow_s_time_still_times_out() {
    let def = json!({"StartAt": "Slow", "States": {
        "Slow": {"Type": "Action", "ActionName": "zis:t:action:slow", "End": true}}});
    let mut exec = Execution::new(def, envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut Slow {
        delay: 150.0,
        pending: 0.0,
    });
    assert!(
        matches!(exec.status(), Status::Failed { error, .. } if error == "States.Timeout"),
        "{:?}",
        exec.status()
    );
    assert_eq!(events.len(), 1, "no retry");
}

#[test]
fn an_action_timeout_costs_its_timeout_not_the_whole_call() {
    // TimeoutSeconds 5 on a call that would take 150 s: caught after 5 s, the flow goes
    // on well inside its 100 s.
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Action", "ActionName": "zis:t:action:slow", "TimeoutSeconds": 5,
                 "Next": "Done", "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Succeed", "Message": "caught"}}});
    let settings = Settings {
        retry_before_catch: false,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def, envelope(json!({})), settings).unwrap();
    let events = exec.run(&mut Slow {
        delay: 150.0,
        pending: 0.0,
    });
    assert!(
        matches!(exec.status(), Status::Succeeded { .. }),
        "{:?}",
        exec.status()
    );
    assert_eq!(events.last().unwrap().state, "Caught");
    assert!(events.last().unwrap().time_secs <= 5.0 + 1e-9);
}

/// Fails every call after `took` seconds on the flow's clock (a call cut at the deadline).
struct CutShort {
    took: f64,
    pending: f64,
}
impl ActionExecutor for CutShort {
    fn execute(&mut self, _: &str, _: &Value) -> Result<Value, StatesError> {
        self.pending = self.took;
        Err(StatesError::transient(
            "States.Timeout",
            "the request timed out",
        ))
    }
    fn take_delay_secs(&mut self) -> f64 {
        std::mem::take(&mut self.pending)
    }
}

#[test]
fn running_out_of_flow_time_in_a_call_ends_the_flow_without_retry_or_catch() {
    // A Wait of 97 s, then a call cut at the 3 s left: the flow ends, not retried, not
    // caught.
    let def = json!({"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 97, "Next": "Call"},
        "Call": {"Type": "Action", "ActionName": "zis:t:action:x", "Next": "Done",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
        "Done": {"Type": "Succeed"},
        "Caught": {"Type": "Succeed"}}});
    let mut exec = Execution::new(def, envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut CutShort {
        took: 3.0,
        pending: 0.0,
    });
    assert!(
        matches!(exec.status(), Status::Failed { error, .. } if error == "States.Timeout"),
        "{:?}",
        exec.status()
    );
    assert!(
        events.iter().all(|e| e.state != "Caught" && !e.retried),
        "{events:?}"
    );
}

#[test]
fn a_default_action_timeout_is_a_setting() {
    let def = json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Action", "ActionName": "zis:t:action:slow", "End": true}}});
    let settings = Settings {
        default_action_timeout_secs: Some(10.0),
        retries: 0,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def.clone(), envelope(json!({})), settings).unwrap();
    exec.run(&mut Slow {
        delay: 12.0,
        pending: 0.0,
    });
    assert!(matches!(exec.status(), Status::Failed { error, .. } if error == "States.Timeout"));
    // None by default: the 12-second call is fine.
    let mut exec = Execution::new(def, envelope(json!({})), Settings::zis()).unwrap();
    exec.run(&mut Slow {
        delay: 12.0,
        pending: 0.0,
    });
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
}

#[test]
fn a_retry_can_resume_at_the_failing_state_as_a_setting() {
    let settings = Settings {
        retry_resumes: true,
        ..Settings::zis()
    };
    let mut exec = Execution::new(retry_flow(false), envelope(json!({})), settings).unwrap();
    let mut actions = Flaky {
        statuses: vec![503],
        calls: 0,
    };
    let events = exec.run(&mut actions);
    let states: Vec<&str> = events.iter().map(|e| e.state.as_str()).collect();
    assert_eq!(
        states,
        ["Prepare", "Post", "Post", "Done"],
        "Prepare runs once"
    );
    assert!(events[1].retried && events[2].attempt == 2);
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
    // By default the flow restarts from StartAt.
    let mut exec = Execution::new(retry_flow(false), envelope(json!({})), Settings::zis()).unwrap();
    let events = exec.run(&mut Flaky {
        statuses: vec![503],
        calls: 0,
    });
    let states: Vec<&str> = events.iter().map(|e| e.state.as_str()).collect();
    assert_eq!(states, ["Prepare", "Post", "Prepare", "Post", "Done"]);
}

#[test]
fn a_choice_on_a_missing_variable_errs_as_asl_or_is_false_as_set() {
    let def = json!({"StartAt": "Is", "States": {
        "Is": {"Type": "Choice", "Choices": [
            {"Or": [{"Variable": "$.nope", "StringEquals": "x"},
                    {"Variable": "$.here", "StringEquals": "y"}], "Next": "Yes"}],
            "Default": "No"},
        "Yes": {"Type": "Succeed"}, "No": {"Type": "Succeed"}}});
    let input = json!({"here": "y"});
    let mut exec = Execution::new(def.clone(), input.clone(), Settings::zis()).unwrap();
    exec.run(&mut Slow {
        delay: 0.0,
        pending: 0.0,
    });
    assert!(matches!(exec.status(), Status::Failed { error, .. } if error == "States.Runtime"));
    let settings = Settings {
        choice_missing_is_false: true,
        ..Settings::zis()
    };
    let mut exec = Execution::new(def, input, settings).unwrap();
    let events = exec.run(&mut Slow {
        delay: 0.0,
        pending: 0.0,
    });
    assert_eq!(
        events[0].next.as_deref(),
        Some("Yes"),
        "the other branch of the Or holds"
    );
}
