//! The session against a real data folder: steps, breakpoints, mocks, fork, rewind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn bundle() -> Value {
    json!({"name": "t", "resources": {
        "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
            "StartAt": "A", "States": {
                "A": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.a", "Next": "Load"},
                "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                         "Parameters": {"scope": "s"}, "ResultPath": "$.cfg", "Next": "B",
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
                "B": {"Type": "Pass", "End": true},
                "Caught": {"Type": "Fail", "Error": "Caught", "Cause": "mocked"}}}}},
        "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "event_source": "support",
              "event_type": "ticket.TicketCreated", "flow_name": "zis:t:flow:f"}}}})
}

fn env(dir: &std::path::Path) -> Env {
    Env {
        db_path: dir.join("zis-studio.sqlite"),
        bundle: bundle(),
        integration: "t".into(),
        flow: "f".into(),
        mocks: Vec::new(),
        breakpoints: Breakpoints::default(),
        pause: std::sync::Arc::default(),
        jq: zis_services::runner::jq_limits(),
        calls: Default::default(),
        responses: Default::default(),
        settings: Default::default(),
    }
}

#[test]
fn steps_back_forks_and_stops_at_breakpoints() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
    assert_eq!(s.event, "support/ticket.TicketCreated");
    assert_eq!(s.next_state(), Some("A"));
    s.go(Go::Step, env(dir.path()));
    s.wait();
    assert_eq!(s.steps.len(), 1);
    assert_eq!(s.next_state(), Some("Load"));
    assert_eq!(s.next_data().unwrap()["a"], json!({"n": 1}));
    // Step back, fork with edited data.
    s.step_back();
    assert_eq!(s.next_state(), Some("A"));
    s.set_data(json!({"edited": true})).unwrap();
    let mut e = env(dir.path());
    e.breakpoints.toggle("f", "B");
    e.mocks.push(Mock {
        action: "zis:common:action:LoadConfig".into(),
        attempt: None,
        call: None,
        outcome: MockOutcome::Body(json!({"config": {"x": 1}})),
    });
    s.go(Go::Continue, e.clone());
    s.wait();
    assert_eq!(s.stopped_by.as_deref(), Some("breakpoint on B"));
    assert_eq!(s.next_data().unwrap()["edited"], true);
    assert_eq!(s.next_data().unwrap()["cfg"], json!({"config": {"x": 1}}));
    // Continuing from the breakpoint goes on to the end.
    s.go(Go::Continue, e);
    s.wait();
    assert!(
        matches!(s.status(), Status::Succeeded { .. }),
        "{:?}",
        s.status()
    );
    assert_eq!(s.visits()["A"], 1);
}

#[test]
fn forcing_a_branch_skips_the_choice() {
    let bundle = json!({"name": "t", "resources": {
        "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
            "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.x", "IsPresent": true, "Next": "Yes"}], "Default": "No"},
                "Yes": {"Type": "Succeed"},
                "No": {"Type": "Fail", "Error": "No", "Cause": "default"}}}}}}});
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut s = Session::start(&db, &bundle, "f", None, None).unwrap();
    assert!(s.force("Nowhere").is_err());
    s.force("Yes").unwrap();
    assert_eq!(s.next_state(), Some("Yes"));
    assert_eq!(s.steps[0].event.next.as_deref(), Some("Yes"));
    let mut e = env(dir.path());
    e.bundle = bundle;
    s.go(Go::Continue, e);
    s.wait();
    assert!(matches!(s.status(), Status::Succeeded { .. }));
    // Stepping back undoes the forced step too.
    s.step_back();
    s.step_back();
    assert_eq!(s.next_state(), Some("C"));
}

#[test]
fn conditions_stop_and_the_log_says_how_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
    let mut e = env(dir.path());
    e.breakpoints.conditions = vec![json!({"Variable": "$.a.n", "NumericEquals": 1})];
    e.mocks.push(Mock {
        action: "zis:common:action:LoadConfig".into(),
        attempt: None,
        call: None,
        outcome: MockOutcome::Body(json!({})),
    });
    s.go(Go::Continue, e.clone());
    s.wait();
    assert_eq!(s.next_state(), Some("Load"), "{:?}", s.stopped_by);
    assert!(s.stopped_by.as_deref().unwrap().starts_with("condition"));
    assert!(s.log_lines().is_empty());
    // Switched off, it is kept but does not stop.
    let id = Breakpoints::condition_id(&e.breakpoints.conditions[0]);
    e.breakpoints.set_enabled(&id, false);
    assert!(e.breakpoints.active_conditions().is_empty());
    assert_eq!(e.breakpoints.conditions.len(), 1);
    e.breakpoints.set_enabled(&id, true);
    e.breakpoints.all_off = true;
    assert!(e.breakpoints.active_conditions().is_empty());
    e.breakpoints.all_off = false;
    e.breakpoints.conditions.clear();
    s.go(Go::Continue, e);
    s.wait();
    assert_eq!(
        s.log_lines(),
        vec![("info", "Execution Successful".to_string())]
    );
}

#[test]
fn a_mocked_error_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
    let mut e = env(dir.path());
    e.mocks.push(Mock {
        action: "zis:common:action:LoadConfig".into(),
        attempt: None,
        call: None,
        // Not retryable: the Catch takes it at once.
        outcome: MockOutcome::Status(404),
    });
    e.breakpoints.on_error = true;
    s.go(Go::Continue, e.clone());
    s.wait();
    assert_eq!(s.stopped_by.as_deref(), Some("an error"));
    let last = &s.steps.last().unwrap().event;
    assert_eq!(last.state, "Load");
    assert!(last.caught);
    assert_eq!(s.next_state(), Some("Caught"));
    e.breakpoints.on_error = false;
    s.go(Go::Continue, e);
    s.wait();
    assert_eq!(
        s.status(),
        &Status::Failed {
            error: "Caught".into(),
            cause: "mocked".into()
        }
    );
}

#[test]
fn pause_abandons_a_step_that_takes_too_long_and_keeps_the_steps_before() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut b = bundle();
    b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "Sleep"},
        "Sleep": {"Type": "Wait", "Seconds": 30, "Next": "B"},
        "B": {"Type": "Succeed"}}});
    let mut settings = DispatchSettings::default().engine;
    settings.real_time_wait = true;
    let mut s = Session::start_with(&db, &b, "f", None, None, settings).unwrap();
    let mut e = env(dir.path());
    e.bundle = b;
    s.go(Go::Continue, e.clone());
    // The first step arrives while the worker sleeps in the Wait.
    let started = std::time::Instant::now();
    while s.steps.is_empty() {
        assert!(s.poll(), "the worker ended early");
        assert!(started.elapsed().as_secs() < 10, "no step came");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(s.next_state(), Some("Sleep"));
    s.request_pause();
    s.wait();
    assert!(
        started.elapsed().as_secs() < 10,
        "Pause waited for the 30 s Wait"
    );
    assert_eq!(s.steps.len(), 1);
    assert_eq!(
        s.next_state(),
        Some("Sleep"),
        "the session stays before the Wait"
    );
    assert!(
        s.stopped_by
            .as_deref()
            .unwrap_or_default()
            .contains("Sleep was abandoned"),
        "{:?}",
        s.stopped_by
    );
    assert!(s.busy.is_none());
}

#[test]
fn breakpoints_inside_a_map_iterator_stop_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut b = bundle();
    b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.out", "End": true,
                 "Iterator": {"StartAt": "Double", "States": {
                     "Double": {"Type": "Pass", "Result": 2, "ResultPath": "$.d", "End": true}}}}}});
    let payload = json!({"items": [{"n": 1}, {"n": 2}]});
    let mut s = Session::start(&db, &b, "f", None, Some(payload)).unwrap();
    let mut e = env(dir.path());
    e.bundle = b;
    // Keyed as the iterator's graph keys them.
    e.breakpoints.toggle("f/Each", "Double");
    s.go(Go::Continue, e.clone());
    s.wait();
    assert_eq!(s.stopped_by.as_deref(), Some("breakpoint on Double"));
    assert_eq!(s.steps.len(), 1);
    // A phase stop there too, after the first item's step.
    e.breakpoints.toggle("f/Each", "Double");
    e.breakpoints
        .toggle_phase("f/Each", "Double", Phase::AfterResultPath);
    s.go(Go::Continue, e.clone());
    s.wait();
    assert!(s.partial.is_some(), "{:?}", s.stopped_by);
    // The same names at the top level do not stop inside.
    let mut top = e.clone();
    top.breakpoints = Breakpoints::default();
    top.breakpoints.toggle("f", "Double");
    s.go(Go::Continue, top);
    s.wait();
    assert!(
        matches!(s.status(), Status::Succeeded { .. }),
        "{:?}",
        s.status()
    );
}

#[test]
fn step_out_runs_the_rest_of_a_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut b = bundle();
    b["resources"]["f"]["properties"]["definition"] = json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.input.items", "ResultPath": "$.out", "Next": "After",
                 "Iterator": {"StartAt": "One", "States": {
                     "One": {"Type": "Pass", "Next": "Two"},
                     "Two": {"Type": "Pass", "End": true}}}},
        "After": {"Type": "Succeed"}}});
    let payload = json!({"items": [{"n": 1}, {"n": 2}, {"n": 3}]});
    let mut s = Session::start(&db, &b, "f", None, Some(payload)).unwrap();
    let mut e = env(dir.path());
    e.bundle = b;
    // Into the Map, then its first state.
    s.go(Go::Step, e.clone());
    s.wait();
    s.go(Go::Step, e.clone());
    s.wait();
    assert_eq!(s.now.map_path(), ["Each"]);
    assert_eq!(s.next_state(), Some("Two"));
    // Out: the rest of the three items, then paused before After at the top level.
    s.go(Go::StepOut, e.clone());
    s.wait();
    assert_eq!(s.next_state(), Some("After"));
    assert!(s.now.map_path().is_empty());
    assert_eq!(s.steps.len(), 1 + 3 * 2);
    // At the top level it runs to the end.
    s.go(Go::StepOut, e);
    s.wait();
    assert!(matches!(s.status(), Status::Succeeded { .. }));
}

#[test]
fn a_worker_that_panics_ends_the_session_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zis-studio.sqlite");
    let mut s = Session::start(&db, &bundle(), "f", None, None).unwrap();
    s.busy = Some(spawn_worker(|_tx| panic!("boom in a step")));
    s.wait();
    assert!(s.busy.is_none());
    let Status::Failed { error, cause } = s.status() else {
        panic!("{:?}", s.status())
    };
    assert_eq!(error, "ZisStudio.WorkerCrashed");
    assert!(cause.contains("boom in a step"), "{cause}");
    assert!(s.stopped_by.as_deref().unwrap().contains("crashed"));
}
