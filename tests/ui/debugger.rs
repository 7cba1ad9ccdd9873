//! The debugger: sessions, stepping, breakpoints, mocks, forks, saved tests.

use crate::harness::*;

#[test]
fn run_takes_the_flow_through_the_engine_and_marks_the_path() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run();
    h.get_by_label("unlink_deleted").click();
    h.run();
    h.get_by_label("Run (F5)").click();
    wait_for_worker(&mut h);
    let session = h.state().state.debug.as_ref().unwrap();
    assert!(
        matches!(
            session.status(),
            zis_engine::run::execution::Status::Succeeded { .. }
        ),
        "{:?}",
        session.status()
    );
    // With no link in the store the flow goes FindLink → Linked → NoLink.
    let path: Vec<&str> = session
        .steps
        .iter()
        .map(|s| s.event.state.as_str())
        .collect();
    assert_eq!(path, ["FindLink", "Linked", "NoLink"]);
    assert_eq!(session.event, "support/ticket.TicketPermanentlyDeleted");
    h.get_by_label("Last run: succeeded in 3 steps");
    h.get_by_label("path: FindLink > Linked > NoLink");
    assert!(
        h.query_all_by_label("×1").count() >= 3,
        "visit counts on the nodes"
    );
}

#[test]
fn the_debugger_stops_at_a_breakpoint_steps_back_forks_and_mocks() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    // F9 on the selected state sets a breakpoint; it is kept in the sidecar.
    // The list of states has it as a button (and as a Next of another state: a label).
    h.get_by_role_and_label(egui::accesskit::Role::Button, "IsUrgent")
        .click_accesskit();
    h.run();
    h.key_press(egui::Key::F9);
    h.run();
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("IsUrgent"), "{sidecar}");
    assert_eq!(h.state().state.selected_state.as_deref(), Some("IsUrgent"));
    // Run (F5): LoadSettings finds no config (caught), UseDefaultSettings, then the
    // breakpoint before IsUrgent.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.next_state(), Some("IsUrgent"));
    assert_eq!(s.stopped_by.as_deref(), Some("breakpoint on IsUrgent"));
    h.get_by_label_contains("paused before IsUrgent (breakpoint on IsUrgent)");
    // The timeline lists the steps; the data view shows the chosen step's output.
    h.get_by_label_contains("2. UseDefaultSettings");
    h.get_by_label("Before").click();
    h.run();
    // Search the step's data: the matching leaves, by path.
    type_into(&mut h, "Search data", "PRIORITY");
    h.get_by_label("$.input.ticket_event.ticket.priority: \"urgent\"");
    type_into(&mut h, "Search data", "");
    // Right-click a value: copy it (or its path).
    h.get_by_label("subdomain: \"acme\"").click_secondary();
    h.run();
    h.get_by_label("Copy value").click();
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(copied, ["acme"]);
    h.run();
    // Before and after side by side.
    h.get_by_label("Side by side").click();
    h.run();
    h.get_by_label("$ before");
    h.get_by_label("$ after");
    h.get_by_label_contains("1. LoadSettings").click();
    h.run();
    // Its phases side by side: the rendered Parameters beside the input.
    h.get_by_label("Phases").click();
    h.run();
    h.get_by_label("Parameters (rendered)");
    h.get_by_label("scope: \"slack_settings\"");
    h.get_by_label("Diff").click();
    h.run();
    h.get_by_label_contains("+ $.error");
    // The ticket is urgent in the sample: continuing posts to Slack; mock that call to fail
    // with 503 and see the Catch take it.
    // Step over IsUrgent and BuildMessage; paused before PostToSlack, its mock form shows.
    for _ in 0..2 {
        h.key_press(egui::Key::F10);
        wait_for_worker(&mut h);
    }
    assert_eq!(
        h.state().state.debug.as_ref().unwrap().next_state(),
        Some("PostToSlack")
    );
    h.get_by_label("Mock zis:acme_slack:action:post_slack_message");
    // A 404 (not retryable): the Catch takes it at once. (A 503 is retried first.)
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:acme_slack:action:post_slack_message".into(),
            attempt: None,
            outcome: Some(zis_studio::core::debug::MockOutcome::Status(404)),
        });
    h.run();
    assert_eq!(h.state().state.sidecar.mocks.len(), 1);
    h.query_all_by_label("Continue (F5)")
        .last()
        .unwrap()
        .click();
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let states: Vec<&str> = s.steps.iter().map(|s| s.event.state.as_str()).collect();
    assert_eq!(
        states,
        [
            "LoadSettings",
            "UseDefaultSettings",
            "IsUrgent",
            "BuildMessage",
            "PostToSlack",
            "SlackFailed"
        ]
    );
    assert!(s.steps[4].event.caught);
    h.get_by_label_contains("failed: SlackPostFailed");
    // The timeline filtered to the steps that raised an error, then by name.
    h.get_by_label("Errors only").click_accesskit();
    h.run();
    h.get_by_label("3 step(s) hidden by the filter");
    assert!(h.query_by_label_contains("2. UseDefaultSettings").is_none());
    h.get_by_label_contains("5. PostToSlack");
    h.get_by_label("Errors only").click_accesskit();
    type_into(&mut h, "Filter steps", "slack");
    h.get_by_label("4 step(s) hidden by the filter");
    type_into(&mut h, "Filter steps", "");
    // Step back four times (SlackFailed, PostToSlack, BuildMessage, IsUrgent) to before
    // IsUrgent, and fork with a ticket that is not urgent.
    h.get_by_label("Step back (Ctrl+F10)").click();
    h.run();
    for _ in 0..3 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F10);
        h.run();
    }
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.next_state(), Some("IsUrgent"));
    let mut data = s.next_data().unwrap().clone();
    data["input"]["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    type_into(&mut h, "Data for the next state ($)", &data.to_string());
    h.get_by_label("Fork with this data").click();
    h.run();
    h.query_all_by_label("Continue (F5)")
        .last()
        .unwrap()
        .click();
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.steps.last().unwrap().event.state, "NotUrgent");
    assert!(matches!(
        s.status(),
        zis_engine::run::execution::Status::Succeeded { .. }
    ));
}

#[test]
fn the_debugger_forces_a_branch_and_evaluates_watches_and_the_playground() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Start").click();
    h.run();
    assert!(
        h.query_all_by_label_contains("paused before LoadSettings")
            .count()
            >= 1
    );
    // Two steps over: LoadSettings (caught: no config), UseDefaultSettings.
    for _ in 0..2 {
        h.key_press(egui::Key::F10);
        wait_for_worker(&mut h);
    }
    assert_eq!(
        h.state().state.debug.as_ref().unwrap().next_state(),
        Some("IsUrgent")
    );
    // A watch shows its value on the current data.
    type_into(&mut h, "Watch", "$.input.ticket_event.ticket.priority");
    h.get_by_label("Add watch").click();
    h.run();
    h.get_by_label("$.input.ticket_event.ticket.priority = \"urgent\"");
    // The playground renders a template on the same data.
    type_into(
        &mut h,
        "Path, {{ }} template or Parameters JSON",
        "#{{$.input.ticket_event.ticket.id}}",
    );
    h.get_by_label_contains("= \"#");
    // The ticket is urgent, but forcing the Default branch goes to NotUrgent.
    h.get_by_label("Go to NotUrgent").click_accesskit();
    h.run();
    h.query_all_by_label("Continue (F5)")
        .last()
        .unwrap()
        .click();
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let states: Vec<&str> = s.steps.iter().map(|s| s.event.state.as_str()).collect();
    assert_eq!(
        states,
        [
            "LoadSettings",
            "UseDefaultSettings",
            "IsUrgent",
            "NotUrgent"
        ]
    );
    h.get_by_label("succeeded in 4 steps");
}

#[test]
fn the_debugger_runs_on_an_edited_event_payload() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Event payload").click();
    h.run();
    // The catalog's sample for the job spec's event type, made not urgent.
    let mut payload = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    payload["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    let long = "word ".repeat(60);
    payload["ticket_event"]["ticket"]["description"] = serde_json::json!(long);
    type_into(&mut h, "Payload JSON ($.input)", &payload.to_string());
    h.get_by_label("Use this payload").click_accesskit();
    h.run();
    h.get_by_label("payload: custom");
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.steps.last().unwrap().event.state, "NotUrgent");
    assert_eq!(
        s.input["input"]["ticket_event"]["ticket"]["priority"],
        "low"
    );
    // A long string folds behind an expander and opens whole.
    type_into(&mut h, "Search data", "description");
    h.get_by_label_contains("(300 characters)")
        .click_accesskit();
    h.run();
    h.get_by_label_contains(&"word ".repeat(30));
    type_into(&mut h, "Search data", "");
    // Saved under a name (in the sidecar), it runs again after the payload changed.
    type_into(&mut h, "Event name", "low priority");
    h.get_by_label("Save as named event").click_accesskit();
    h.run();
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("low priority"), "{sidecar}");
    h.get_by_label("payload: custom");
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugPayload(None));
    h.run();
    h.get_by_label("Use low priority").click_accesskit();
    h.run();
    h.get_by_label("Start").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.steps.last().unwrap().event.state, "NotUrgent");
}

#[test]
fn a_conditional_breakpoint_stops_and_the_integration_log_shows_the_end() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    // Stop as soon as the settings exist (after UseDefaultSettings).
    type_into(
        &mut h,
        "Condition",
        r#"{"Variable": "$.settings.config.channel", "IsPresent": true}"#,
    );
    h.get_by_label("Add condition").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.next_state(), Some("IsUrgent"));
    assert!(
        s.stopped_by.as_deref().unwrap().starts_with("condition"),
        "{:?}",
        s.stopped_by
    );
    // Without it the run goes to its end: no "slack" connection here, so Catch → SlackFailed.
    // (The list is in the debugger's scrolled right column: clicked through accessibility.)
    h.get_by_label("Remove this condition").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Integration log (as ZIS would write it)");
    h.get_by_label_contains("error  SlackPostFailed");
}

#[test]
fn a_session_runs_on_a_recorded_event_or_from_a_job_spec() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let data = tempfile::tempdir().unwrap();
    // The store received a (not urgent) ticket event, e.g. through `zis-studio send`.
    let db = zis_services::db::Db::open(&data.path().join("zis-studio.sqlite")).unwrap();
    let mut input = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    input["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    let ids = zis_services::dispatch::accept(
        &db,
        &zis_services::dispatch::DispatchSettings::default(),
        None,
        "support",
        "ticket.TicketCreated",
        &input,
        "cli",
    )
    .unwrap();
    drop(db);
    let mut h = harness_in(&file, data.path().to_path_buf());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("or a recorded one").click();
    h.run();
    h.get_by_label(&format!("#{} support/ticket.TicketCreated (cli)", ids[0]))
        .click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.steps.last().unwrap().event.state, "NotUrgent");
    // From the job spec's form: its flow is shown and a session starts on its event type.
    h.get_by_label("notify_urgent_job").click();
    h.run();
    h.get_by_label("Debug this job spec's flow").click();
    h.run();
    assert_eq!(h.state().state.selected.as_deref(), Some("notify_urgent"));
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.event, "support/ticket.TicketCreated");
    assert_eq!(s.next_state(), Some("LoadSettings"));
}

#[test]
fn a_finished_run_is_saved_as_a_flow_test_that_passes() {
    let (dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    type_into(
        &mut h,
        "Test name",
        "no slack connection: the Catch fails the flow",
    );
    h.get_by_label("Save as test").click();
    h.run();
    let tests = dir.path().join("urgent_ticket_to_slack.tests.json");
    let text = std::fs::read_to_string(&tests).unwrap();
    assert!(text.contains("no slack connection"), "{text}");
    // It names the actions called, without their parameters.
    assert!(
        text.contains("\"action\": \"zis:acme_slack:action:post_slack_message\""),
        "{text}"
    );
    // The saved test passes when run headless.
    let outcomes = zis_studio::core::flowtest::run_file(&tests);
    assert_eq!(outcomes.len(), 1);
    assert!(
        outcomes[0].failures.is_empty(),
        "{:?}",
        outcomes[0].failures
    );
}

#[test]
fn the_debugger_stops_inside_a_step_and_goes_on_with_an_edited_result() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "PostToSlack")
        .click_accesskit();
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Stop inside PostToSlack:");
    h.get_by_label("before the action").click_accesskit();
    h.run();
    h.get_by_label("after the result (before ResultPath)")
        .click_accesskit();
    h.run();
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("before_action"), "{sidecar}");
    // Run: it stops inside PostToSlack with its Parameters rendered, nothing sent yet.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("paused in PostToSlack, before the action");
    let s = h.state().state.debug.as_ref().unwrap();
    let p = s.partial.as_ref().unwrap();
    assert!(p.stop.event.after_parameters.is_some());
    assert!(p.stop.event.result.is_none());
    assert!(s.now.held_result().is_none());
    h.get_by_label("Inside PostToSlack: before the action");
    // Step back leaves the step: paused before PostToSlack; running again stops inside.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F10);
    h.run();
    assert!(h.state().state.debug.as_ref().unwrap().partial.is_none());
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("paused in PostToSlack, before the action");
    // Continue: the action runs (no Slack connection here, so it fails) and it stops after.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label_contains("paused in PostToSlack, after the result (before ResultPath)");
    // The status bar says the same: inside the step, not before it.
    h.get_by_label_contains(
        "Paused in PostToSlack, after the result (before ResultPath), after 4 steps — F5 continues",
    );
    h.get_by_label_contains("The action failed:");
    // What if Slack had answered? Go on with an edited result: the flow succeeds with it.
    type_into(
        &mut h,
        "The action's result",
        r#"{"ok": true, "ts": "1.5"}"#,
    );
    h.get_by_label("Go on with this result").click_accesskit();
    h.run();
    assert_eq!(
        h.state().state.message.as_deref(),
        Some("the step goes on with the edited result")
    );
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert!(
        matches!(
            s.status(),
            zis_engine::run::execution::Status::Succeeded { .. }
        ),
        "{:?}",
        s.status()
    );
    let post = s
        .steps
        .iter()
        .find(|st| st.event.state == "PostToSlack")
        .unwrap();
    assert_eq!(
        post.event.result.as_deref(),
        Some(&serde_json::json!({"ok": true, "ts": "1.5"}))
    );
    assert!(!post.event.caught);
    // The step keeps the HTTP attempt made before the stop (none: no connection) and the
    // action ran once: one PostToSlack step.
    assert_eq!(
        s.steps
            .iter()
            .filter(|st| st.event.state == "PostToSlack")
            .count(),
        1
    );
}

#[test]
fn breakpoints_are_switched_off_and_on_without_losing_them() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "IsUrgent")
        .click_accesskit();
    h.run();
    h.key_press(egui::Key::F9);
    h.get_by_label("Debugger").click();
    h.run();
    // Switched off: the run goes past IsUrgent; the breakpoint stays listed.
    h.get_by_label("before IsUrgent").click_accesskit();
    h.run();
    assert!(
        !h.state()
            .state
            .sidecar
            .breakpoints
            .stops_at("notify_urgent", "IsUrgent")
    );
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert_ne!(
        h.state().state.debug.as_ref().unwrap().status(),
        &zis_engine::run::execution::Status::Running
    );
    h.get_by_label("before IsUrgent");
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(
        sidecar.contains("state:notify_urgent:IsUrgent"),
        "{sidecar}"
    );
    // On again, but every breakpoint off at once: still no stop.
    h.get_by_label("before IsUrgent").click_accesskit();
    h.run();
    h.get_by_label("Breakpoints active").click_accesskit();
    h.run();
    h.get_by_label("Start").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert_ne!(
        h.state().state.debug.as_ref().unwrap().status(),
        &zis_engine::run::execution::Status::Running
    );
    // All on: it stops before IsUrgent again.
    h.get_by_label("Breakpoints active").click_accesskit();
    h.run();
    h.get_by_label("Start").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    assert_eq!(
        h.state().state.debug.as_ref().unwrap().next_state(),
        Some("IsUrgent")
    );
}

#[test]
fn step_out_at_the_top_level_runs_to_the_end() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Start").click();
    wait_for_worker(&mut h);
    h.get_by_label("Step out (Shift+F11)");
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F11);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_ne!(s.status(), &zis_engine::run::execution::Status::Running);
    assert_eq!(s.steps.len(), 6, "not a single step: the whole flow");
}

#[test]
fn pause_leaves_a_long_real_time_wait() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sleepy.json");
    std::fs::write(
        &file,
        serde_json::json!({"zis_template_version": "2019-10-14", "name": "sleepy",
            "resources": {
                "nap": {"type": "ZIS::Flow", "properties": {"name": "nap", "definition": {
                    "StartAt": "A", "States": {
                        "A": {"Type": "Pass", "Next": "Sleep"},
                        "Sleep": {"Type": "Wait", "Seconds": 30, "Next": "B"},
                        "B": {"Type": "Succeed"}}}}},
                "nap_job": {"type": "ZIS::JobSpec", "properties": {"name": "nap_job",
                    "event_source": "support", "event_type": "ticket.TicketCreated",
                    "flow_name": "zis:sleepy:flow:nap"}}}})
        .to_string(),
    )
    .unwrap();
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Real-time waits").click_accesskit();
    h.run();
    h.key_press(egui::Key::F5);
    // The Pass step shows while the worker sleeps in the Wait.
    let started = std::time::Instant::now();
    while h
        .state()
        .state
        .debug
        .as_ref()
        .is_none_or(|s| s.steps.is_empty())
    {
        assert!(started.elapsed().as_secs() < 10, "no step came");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.get_by_label("Pause").click();
    while h.state().state.running() {
        assert!(
            started.elapsed().as_secs() < 10,
            "Pause waited for the Wait"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.next_state(), Some("Sleep"));
    assert_eq!(s.steps.len(), 1);
    h.get_by_label_contains("the step in Sleep was abandoned");
}

#[test]
fn a_jq_bomb_in_a_debugging_session_ends_the_step_not_the_window() {
    let bombs =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jq_bombs/jq_bombs.json");
    let mut h = harness(bombs);
    h.run();
    h.state_mut().state.jq_limits = zis_engine::jq::Limits {
        time: std::time::Duration::from_secs(2),
        memory_mb: 128,
    };
    // Unsaved edits that must survive.
    h.state_mut()
        .state
        .apply(zis_studio::app::EditCommand::SetField {
            pointer: "/description".into(),
            value: Some(serde_json::json!("edited, not saved")),
        });
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugPayload(Some(
            r#"{"expr": "def f: [f]; f"}"#.into(),
        )));
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let path: Vec<&str> = s.steps.iter().map(|st| st.event.state.as_str()).collect();
    assert_eq!(path, ["Transform", "Caught", "Done"]);
    let err = s.steps[0].event.error.clone().unwrap();
    assert_eq!(
        err.cause,
        "jq: recursion deeper than its 64 MB stack allows"
    );
    h.get_by_label_contains("Last run: succeeded");
    assert!(h.state().state.modified, "the unsaved edit is still there");
    // An endless loop and a memory bomb end at their limits the same way.
    for (expr, cause) in [
        ("last(repeat(1))", "jq: ran longer than 2 s"),
        (
            "reduce range(40) as $i (\"x\"; . + .) | length",
            "jq: used more than 128 MB",
        ),
    ] {
        h.state_mut()
            .state
            .apply(zis_studio::app::DebugCommand::DebugPayload(Some(
                serde_json::json!({ "expr": expr }).to_string(),
            )));
        h.key_press(egui::Key::F5);
        wait_for_worker(&mut h);
        let s = h.state().state.debug.as_ref().unwrap();
        assert_eq!(s.steps[0].event.error.as_ref().unwrap().cause, cause);
        assert_eq!(s.steps.last().unwrap().event.state, "Done");
    }
    // The next run works (the dead worker was replaced).
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugPayload(Some(
            r#"{"expr": ".expr | length"}"#.into(),
        )));
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let path: Vec<&str> = s.steps.iter().map(|st| st.event.state.as_str()).collect();
    assert_eq!(path, ["Transform", "Done"]);
}

#[test]
fn the_graph_follows_the_debugger_into_a_map_and_to_the_next_state() {
    let (_dir, file) = copy_sample("order_lookup.json");
    let mut h = harness(file);
    h.run();
    for (action, body) in [
        (
            "zis:acme_shop:action:get_order",
            serde_json::json!({"id": "1234", "line_items": [{"quantity": 2, "title": "Mug"}]}),
        ),
        (
            "zis:acme_shop:action:add_internal_note",
            serde_json::json!({}),
        ),
    ] {
        h.state_mut()
            .state
            .apply(zis_studio::app::BreakpointCommand::SetMock {
                action: action.into(),
                attempt: None,
                outcome: Some(zis_studio::core::debug::MockOutcome::Body(body)),
            });
    }
    // Full size: most of the flow is out of view.
    h.get_by_label("100 %").click();
    h.run_steps(3);
    let in_view = |h: &Harness<'static, StudioApp>, state: &str| {
        let t = h.state().graph_transform().unwrap();
        let r = t * h.state().node_rect(state).unwrap();
        h.state().canvas_rect().unwrap().contains_rect(r)
    };
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugStart);
    // Step (F11 steps into a Map) until the next state is inside the Map.
    for _ in 0..6 {
        let before = (
            h.state().state.map_path.clone(),
            h.state().graph_transform().unwrap().scaling,
        );
        h.key_press(egui::Key::F11);
        wait_for_worker(&mut h);
        h.run_steps(3);
        let next = h
            .state()
            .state
            .debug
            .as_ref()
            .unwrap()
            .next_state()
            .map(str::to_string);
        if let Some(next) = next {
            assert!(in_view(&h, &next), "{next} is brought into view");
            // Brought into view in the same graph, the zoom kept (an iterator's graph
            // opens fitted).
            let zoom = h.state().graph_transform().unwrap().scaling;
            if h.state().state.map_path == before.0 {
                assert!((zoom - before.1).abs() < 1e-3, "the zoom changed to {zoom}");
            }
        }
        if h.state().state.map_path == ["FormatLines"] {
            break;
        }
    }
    assert_eq!(
        h.state().state.map_path,
        ["FormatLines"],
        "stepping into the Map opens its iterator"
    );
    h.get_by_label("FormatLine");
    // Step out: back to the flow.
    h.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F11);
    wait_for_worker(&mut h);
    h.run_steps(3);
    assert!(
        h.state().state.map_path.is_empty(),
        "stepping out goes back out"
    );
    // A failed run shows its failing state: the note action answers 500 from now on.
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:acme_shop:action:add_internal_note".into(),
            attempt: None,
            outcome: Some(zis_studio::core::debug::MockOutcome::Error {
                error: "Boom".into(),
                cause: "no".into(),
            }),
        });
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugStart);
    h.get_by_label("100 %").click();
    h.run_steps(3);
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.run_steps(3);
    let s = h.state().state.debug.as_ref().unwrap();
    assert!(matches!(
        s.status(),
        zis_engine::run::execution::Status::Failed { .. }
    ));
    let failing = s.steps.last().unwrap().event.state.clone();
    assert!(
        in_view(&h, &failing),
        "the failing state {failing} is in view"
    );
}

#[test]
fn results_are_toasts_that_fade_errors_stay_and_the_status_bar_tells_the_session() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    h.get_by_label("Press F5 to run notify_urgent on a sample event");
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugStart);
    h.run();
    h.get_by_label_contains("Paused before LoadSettings after 0 steps — F5 continues, F10 steps");
    // A refusal stays until dismissed.
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugSetData("{oops".into()));
    h.run();
    h.get_by_label_contains("the data was not changed: 1:2");
    h.run_steps(400);
    h.get_by_label_contains("the data was not changed: 1:2");
    h.get_by_label("Dismiss this message").click();
    h.run();
    assert!(
        h.query_by_label_contains("the data was not changed")
            .is_none()
    );
    // A result fades.
    h.state_mut()
        .state
        .apply(zis_studio::app::DebugCommand::DebugSetData("{}".into()));
    h.run();
    h.get_by_label_contains("forked");
    h.run_steps(400);
    assert!(
        h.query_by_label_contains("forked").is_none(),
        "gone after a few seconds"
    );
}
