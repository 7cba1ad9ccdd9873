//! One test (at least) per command group, through `AppState::apply` only.

use super::{copy_sample, state_on};
use crate::app::*;
use serde_json::json;

const SLACK: &str = "urgent_ticket_to_slack.json";

#[test]
fn file_open_edit_save_writes_only_the_edit_and_new_asks_first() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    let pointer = "/resources/notify_urgent/properties/definition/States/IsUrgent/Comment";
    s.apply(EditCommand::SetField {
        pointer: pointer.into(),
        value: Some(json!("checked by a test")),
    });
    assert!(s.modified);
    s.apply(FileCommand::New);
    assert_eq!(
        s.prompt,
        Some(Pending::New),
        "unsaved changes are asked about"
    );
    s.apply(FileCommand::Answer(PromptAnswer::Cancel));
    s.apply(FileCommand::Save);
    assert!(!s.modified, "{:?}", s.message);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("checked by a test"));
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back.pointer(pointer), Some(&json!("checked by a test")));
}

#[test]
fn edit_then_undo_and_redo() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(ViewCommand::Select("notify_urgent".into()));
    let before = s.states.len();
    s.apply(EditCommand::AddState {
        type_name: "Pass".into(),
        action: None,
        pos: [0.0, 0.0],
        from: None,
    });
    assert_eq!(s.states.len(), before + 1);
    s.apply(EditCommand::Undo);
    assert_eq!(s.states.len(), before);
    s.apply(EditCommand::Redo);
    assert_eq!(s.states.len(), before + 1);
}

#[test]
fn view_selects_finds_and_fits() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(ViewCommand::SelectState(Some("IsUrgent".into())));
    assert_eq!(s.selected_state.as_deref(), Some("IsUrgent"));
    s.apply(ViewCommand::Find("PostToSlack".into()));
    assert!(
        s.find_hits
            .iter()
            .any(|h| h.state.as_deref() == Some("PostToSlack"))
    );
    let fits = s.fit_requests;
    s.apply(ViewCommand::Fit);
    assert_eq!(s.fit_requests, fits + 1);
    s.warn("look");
    s.apply(ViewCommand::DismissWarning(0));
    assert!(s.warnings.is_empty());
}

#[test]
fn debug_steps_one_state_then_runs_to_the_end() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(DebugCommand::DebugStart);
    let first = s.debug.as_ref().unwrap().next_state().map(str::to_string);
    assert!(first.is_some());
    s.apply(DebugCommand::DebugGo(crate::core::debug::Go::Step));
    s.debug.as_mut().unwrap().wait();
    assert_eq!(s.debug.as_ref().unwrap().steps.len(), 1);
    assert_eq!(
        s.debug.as_ref().unwrap().steps[0].event.state,
        first.unwrap()
    );
    s.apply(DebugCommand::DebugStepBack);
    assert!(s.debug.as_ref().unwrap().steps.is_empty());
    s.apply(DebugCommand::DebugStop);
    assert!(s.debug.is_none());
}

#[test]
fn breakpoints_and_mocks_go_to_the_sidecar_file() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(BreakpointCommand::ToggleBreakpoint(Some("IsUrgent".into())));
    s.apply(BreakpointCommand::SetMock {
        action: "zis:acme_slack:action:post_slack_message".into(),
        attempt: None,
        outcome: Some(crate::core::debug::MockOutcome::Status(503)),
    });
    let (back, warning) = crate::core::graph::Sidecar::load(&path);
    assert_eq!(warning, None);
    assert!(back.breakpoints.has("notify_urgent", "IsUrgent"));
    assert_eq!(back.mocks.len(), 1);
}

#[test]
fn stores_put_a_config_and_refuse_bad_json() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(StoresCommand::ReloadServices);
    s.apply(StoresCommand::PutConfig {
        scope: "settings".into(),
        text: r##"{"channel": "#urgent"}"##.into(),
    });
    assert_eq!(s.services.error, None);
    assert!(s.services.configs.iter().any(|c| c["scope"] == "settings"));
    s.apply(StoresCommand::PutConfig {
        scope: "broken".into(),
        text: "{nope".into(),
    });
    let err = s.services.error.clone().unwrap();
    assert!(err.starts_with("the config does not parse: 1:2"), "{err}");
}

#[test]
fn executions_list_a_recorded_window_run() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(DebugCommand::Run);
    s.debug.as_mut().unwrap().wait();
    let db = s.db_path();
    s.debug.as_mut().unwrap().record_now(&db).unwrap();
    s.apply(ExecutionsCommand::RefreshExecutions);
    while s.executions.poll() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(s.executions.rows.len(), 1, "{:?}", s.executions.error);
    let id = s.executions.rows[0].id;
    s.apply(ExecutionsCommand::OpenExecution(id));
    let opened = s.executions.opened.as_ref().unwrap();
    assert!(!opened.history.is_empty());
    assert!(
        opened.event_input.is_some(),
        "the window's event is kept for a re-run"
    );
}

#[test]
fn remote_refuses_to_deploy_a_bundle_with_errors() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(RemoteCommand::ShowRemote(Some(
        remote::RemoteWindow::Deploy,
    )));
    assert_eq!(s.remote.window, Some(remote::RemoteWindow::Deploy));
    // Break the bundle: a Next to a state that does not exist.
    s.apply(EditCommand::SetField {
        pointer: "/resources/notify_urgent/properties/definition/StartAt".into(),
        value: Some(json!("Nowhere")),
    });
    s.apply(RemoteCommand::PlanDeploy(
        remote::DeployRequest {
            account: crate::core::accounts::Account {
                base_url: "http://127.0.0.1:9".into(),
                email: None,
                token: "t".into(),
            },
            integration: "acme".into(),
            uninstall_stale: false,
            push_configs: false,
        },
        false,
    ));
    let err = s.remote.error.clone().unwrap();
    assert!(err.starts_with("not deployed: the bundle has"), "{err}");
    assert!(!s.remote.is_busy(), "nothing was sent");
}

#[test]
fn the_windows_jq_limits_apply_to_its_runs() {
    let bombs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jq_bombs/jq_bombs.json");
    let (_data, mut s) = state_on(&bombs);
    s.jq_limits.time = std::time::Duration::from_millis(300);
    s.apply(DebugCommand::DebugPayload(Some(
        r#"{"expr": "last(repeat(1))"}"#.into(),
    )));
    s.apply(DebugCommand::Run);
    s.debug.as_mut().unwrap().wait();
    let cause = s.debug.as_ref().unwrap().steps[0]
        .event
        .error
        .clone()
        .unwrap()
        .cause;
    assert_eq!(cause, "jq: ran longer than 0.3 s");
}

#[test]
fn opening_a_bundle_resets_the_debuggers_event_payload_and_rerun() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(DebugCommand::DebugEvent(
        "support".into(),
        "ticket.TicketCreated".into(),
    ));
    s.apply(DebugCommand::DebugPayload(Some(
        r#"{"ticket": {"id": 1}}"#.into(),
    )));
    s.rerun_of = Some(Vec::new());
    s.apply(DebugCommand::DebugStart);
    s.message = Some("the open bundle has no flow notify_urgent".into());
    let (_dir2, other) = copy_sample("order_lookup.json");
    s.apply(FileCommand::Open(other));
    assert_eq!(s.debug_event, None);
    assert_eq!(s.debug_payload, None);
    assert!(s.rerun_of.is_none() && s.debug.is_none());
    assert_eq!(s.message, None, "no stale message");
}
