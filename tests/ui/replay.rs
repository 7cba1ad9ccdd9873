//! The debugger tells the truth: a run saved as a test replays whatever was done to it
//! (mocks per attempt, edited results, forks, forced branches, redrives, unsaved edits),
//! mocks apply by specificity, undo leaves debugging settings alone, and the timeline, the
//! stored execution and its exports name every intervention and retry.

use crate::harness::*;
use std::path::{Path, PathBuf};
use zis_engine::run::execution::Status;

/// A flow whose one custom action has no Catch: a 503 restarts the flow from StartAt.
const RETRY_BUNDLE: &str = r#"{"zis_template_version": "2019-10-14", "name": "retry",
  "description": "", "resources": {
  "call": {"type": "ZIS::Action::Http", "properties": {"name": "call",
    "definition": {"method": "GET", "url": "https://example.com/x"}}},
  "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
    "StartAt": "Call", "States": {
      "Call": {"Type": "Action", "ActionName": "zis:retry:action:call",
               "ResultPath": "$.answer", "Next": "Done"},
      "Done": {"Type": "Succeed", "Message": "called"}}}}},
  "job": {"type": "ZIS::JobSpec", "properties": {"name": "job", "event_source": "support",
    "event_type": "ticket.TicketCreated", "flow_name": "zis:retry:flow:flow"}}}}"#;

fn retry_bundle() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("retry.json");
    std::fs::write(&file, RETRY_BUNDLE).unwrap();
    (dir, file)
}

/// A copy of the urgent-ticket sample with this sidecar beside it.
fn sample_with_sidecar(sidecar: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, file) = copy_sample("urgent_ticket_to_slack.json");
    std::fs::write(zis_studio::core::graph::Sidecar::path_for(&file), sidecar).unwrap();
    (dir, file)
}

/// Saves the ended session as a test named `name` through the window.
fn save_as_test(
    h: &mut egui_kittest::Harness<'static, zis_studio::ui::window::StudioApp>,
    name: &str,
) {
    type_into(h, "Test name", name);
    h.get_by_label("Save as test").click_accesskit();
    h.run();
}

/// Runs the bundle's test file headless as `zis-studio test` does: every test passes.
fn replays(bundle: &Path) -> serde_json::Value {
    let tests = zis_studio::core::flowtest::file_for(bundle);
    let text = std::fs::read_to_string(&tests).unwrap_or_else(|e| panic!("{e}: no test file"));
    let outcomes = zis_studio::core::flowtest::run_file(&tests);
    assert!(!outcomes.is_empty());
    for o in &outcomes {
        assert!(
            o.failures.is_empty(),
            "{}: {:?}\n{text}",
            o.name,
            o.failures
        );
    }
    serde_json::from_str(&text).unwrap()
}

fn ended(h: &egui_kittest::Harness<'static, zis_studio::ui::window::StudioApp>) -> Status {
    h.state().state.debug.as_ref().unwrap().status().clone()
}

#[test]
fn attempt_mocks_apply_by_specificity_replay_and_the_retry_is_named() {
    let (_dir, file) = retry_bundle();
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Start").click();
    wait_for_worker(&mut h);
    // "Every attempt → 503" added first, then "attempt 2 → a body" (the order that used to
    // make all four attempts fail).
    h.get_by_label("Fail with status").click_accesskit();
    h.run();
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:retry:action:call".into(),
            attempt: Some(2),
            outcome: Some(zis_studio::core::debug::MockOutcome::Body(
                serde_json::json!({"id": 7}),
            )),
        });
    h.run();
    h.get_by_label("Applies: attempt 1: 503 · attempt 2: body · attempt 3: 503 · attempt 4: 503");
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert!(
        matches!(ended(&h), Status::Succeeded { .. }),
        "{:?}",
        ended(&h)
    );
    // The timeline names the attempts, the mocks and the restart.
    h.get_by_label_contains("1. Call  ✖ States.TaskFailed  · attempt 1 · mocked: 503");
    h.get_by_label_contains("flow restarted from StartAt (attempt 2 of 4, after States.TaskFailed");
    h.get_by_label_contains("2. Call  -> Done  · attempt 2 · mocked body");
    // The HTTP tab says a mock answered, not that nothing happened.
    h.get_by_label_contains("2. Call").click_accesskit();
    h.run();
    h.get_by_label("HTTP").click();
    h.run();
    h.get_by_label("zis:retry:action:call: mocked body, no request sent");
    // The mock list changed after the run: the test keeps what the run used.
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:retry:action:call".into(),
            attempt: Some(2),
            outcome: None,
        });
    h.run();
    save_as_test(&mut h, "the second attempt answers");
    let file_json = replays(&file);
    let mocks = &file_json["tests"][0]["mocks"];
    assert_eq!(mocks.as_array().unwrap().len(), 2, "{mocks}");
    // The stored run is flagged and its steps say what answered.
    h.get_by_label("Executions").click();
    let started = std::time::Instant::now();
    while h.query_by_label_contains("· interventions").is_none() {
        assert!(
            started.elapsed().as_secs() < 20,
            "the run was not listed as intervened"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    h.get_by_label_contains("· interventions").click();
    h.run();
    h.get_by_label("zis:retry:action:call: mocked: 503");
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("run.json");
    h.get_by_label("Export…").click();
    h.run();
    type_into(&mut h, "File path", export.to_str().unwrap());
    h.get_by_label("Export").click();
    h.run();
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(
        text.contains("\"mocked\"") && text.contains("503"),
        "{text}"
    );
}

#[test]
fn an_edited_result_replays_as_a_mock_for_that_call_and_never_leaks_into_another_session() {
    let (_dir, file) = sample_with_sidecar(
        r#"{"layout": {}, "breakpoints": {"states": {}, "phases": {"notify_urgent": {"PostToSlack": ["after_result"]}}}}"#,
    );
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    // This step's answer: the action failed (no Slack connection here).
    h.get_by_label_contains("The action failed:");
    h.get_by_label_contains("This step's answer is the error above");
    // A draft typed but not used, then a new session: the editor starts from this
    // session's step, not from the draft.
    type_into(&mut h, "The action's result", r#"{"draft": "old"}"#);
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F5);
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let shown = h
        .get_by_label("The action's result")
        .value()
        .unwrap_or_default();
    assert!(!shown.contains("draft"), "{shown}");
    type_into(
        &mut h,
        "The action's result",
        r#"{"ok": true, "ts": "1.5"}"#,
    );
    h.get_by_label("Go on with this result").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert!(
        matches!(ended(&h), Status::Succeeded { .. }),
        "{:?}",
        ended(&h)
    );
    h.get_by_label_contains("PostToSlack  -> Notified  · result edited");
    // The HTML report says so too.
    let graph = h.state().state.graph.clone().unwrap();
    let report =
        zis_studio::core::export::session_report(&graph, h.state().state.debug.as_ref().unwrap());
    assert!(
        report.contains("result edited"),
        "the report hides the edit"
    );
    save_as_test(&mut h, "Slack answers");
    let saved = replays(&file);
    let mocks = saved["tests"][0]["mocks"].to_string();
    assert!(
        mocks.contains("\"call\":1") && mocks.contains("1.5"),
        "{mocks}"
    );
}

#[test]
fn a_fork_and_a_forced_branch_replay() {
    let (_dir, file) = sample_with_sidecar(
        r#"{"layout": {}, "breakpoints": {"states": {"notify_urgent": ["IsUrgent"]}}}"#,
    );
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    // Forced: paused before IsUrgent, go to NotUrgent without its rules.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Go to NotUrgent").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("IsUrgent  -> NotUrgent  · branch forced to NotUrgent");
    save_as_test(&mut h, "forced to NotUrgent");
    // A fork: paused before IsUrgent again, the priority edited to low.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F5);
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let data = h
        .state()
        .state
        .debug
        .as_ref()
        .unwrap()
        .next_data()
        .unwrap()
        .clone();
    let mut low = data.clone();
    low["input"]["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    low["input"]["ticket_event"]["ticket"]["tags"] = serde_json::json!([]);
    type_into(&mut h, "Data for the next state ($)", &low.to_string());
    h.get_by_label("Fork with this data").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("IsUrgent  -> NotUrgent  · data edited (fork)");
    save_as_test(&mut h, "a low priority ticket is not posted");
    let saved = replays(&file);
    let tests = saved["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    assert_eq!(tests[0]["force"][0]["next"], "NotUrgent", "{}", tests[0]);
    assert_eq!(tests[1]["start"]["state"], "IsUrgent", "{}", tests[1]);
    assert_eq!(
        tests[1]["expect"]["states"],
        serde_json::json!(["IsUrgent", "NotUrgent"])
    );
}

#[test]
fn a_redrive_from_a_stored_step_replays() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    let started = std::time::Instant::now();
    while h
        .query_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
        .is_none()
    {
        assert!(started.elapsed().as_secs() < 20, "the run never appeared");
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    h.get_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
        .click();
    h.run();
    for _ in 0..2 {
        h.get_by_label("Next step ▶").click();
        h.run();
    }
    h.get_by_label("Debug from this step").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label_contains("1. IsUrgent  -> BuildMessage  · redrive from step 3");
    save_as_test(&mut h, "from step 3");
    let saved = replays(&file);
    assert_eq!(saved["tests"][0]["start"]["state"], "IsUrgent");
}

#[test]
fn unsaved_edits_are_saved_first_and_old_definitions_are_refused() {
    let (_dir, file) = sample_with_sidecar(
        r#"{"layout": {}, "breakpoints": {"states": {"notify_urgent": ["IsUrgent"]}}}"#,
    );
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    // No step yet: no banner about old definitions.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert!(h.query_by_label_contains("older definition").is_none());
    // An edit to the flow while paused: the steps so far ran on the old definition.
    h.get_by_role_and_label(egui::accesskit::Role::Button, "NotUrgent")
        .click_accesskit();
    h.run();
    type_into(&mut h, "Comment", "edited while paused");
    h.get_by_label_contains("The flow was edited: the 2 step(s) so far ran on the old definition");
    // Going on keeps the marks, and the banner, after more steps.
    h.key_press(egui::Key::F10);
    wait_for_worker(&mut h);
    h.key_press(egui::Key::F10);
    wait_for_worker(&mut h);
    h.get_by_label_contains("2 step(s) ran on an older definition of the flow");
    h.get_by_label_contains("1. LoadSettings  caught States.Runtime -> UseDefaultSettings  · ran on an older definition");
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("2 step(s) ran on an older definition of the flow");
    // Save as test asks to save the bundle first; then refuses: old steps do not replay.
    save_as_test(&mut h, "edited");
    h.get_by_label("The bundle has unsaved changes; a test runs the saved file.");
    h.get_by_label("Save the bundle and the test")
        .click_accesskit();
    h.run();
    assert!(!h.state().state.modified);
    let message = h.state().state.message.clone().unwrap_or_default();
    assert!(message.contains("ran on an older definition"), "{message}");
    // A fresh run on the saved bundle saves and replays.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F5);
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    type_into(&mut h, "Comment", "edited again");
    save_as_test(&mut h, "after the edit");
    h.get_by_label("Save the bundle and the test")
        .click_accesskit();
    h.run();
    let saved = replays(&file);
    assert_eq!(saved["tests"].as_array().unwrap().len(), 1);
}

#[test]
fn undo_never_reverts_a_breakpoint_or_a_mock_with_an_edit() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "PostToSlack")
        .click_accesskit();
    h.run();
    type_into(&mut h, "Comment", "a comment");
    h.key_press(egui::Key::F9);
    h.run();
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:acme_slack:action:post_slack_message".into(),
            attempt: None,
            outcome: Some(zis_studio::core::debug::MockOutcome::Status(503)),
        });
    h.run();
    let key = h.state().state.layout_key();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    let s = &h.state().state;
    assert_eq!(
        value_at(
            &h,
            "/resources/notify_urgent/properties/definition/States/PostToSlack/Comment"
        ),
        None,
        "the comment is undone"
    );
    assert!(
        s.sidecar.breakpoints.has(&key, "PostToSlack"),
        "the breakpoint stays"
    );
    assert_eq!(s.sidecar.mocks.len(), 1, "the mock stays");
}

#[test]
fn switched_off_breakpoints_look_switched_off() {
    let (_dir, file) = sample_with_sidecar(
        r#"{"layout": {}, "breakpoints": {"states": {"notify_urgent": ["IsUrgent", "PostToSlack"]}}}"#,
    );
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    // Each breakpoint has a mark in the list and one on its node.
    assert_eq!(h.query_all_by_label("breakpoint on").count(), 4);
    h.get_by_label("before IsUrgent").click_accesskit();
    h.run();
    assert_eq!(h.query_all_by_label("breakpoint on").count(), 2);
    assert_eq!(h.query_all_by_label("breakpoint off").count(), 2);
    h.get_by_label("Breakpoints active").click_accesskit();
    h.run();
    assert_eq!(h.query_all_by_label("breakpoint on").count(), 0);
    assert_eq!(h.query_all_by_label("breakpoint off").count(), 4);
}
