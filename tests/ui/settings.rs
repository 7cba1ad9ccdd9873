//! Run › Settings…: the settings for behaviours ZIS does not document, per bundle and per
//! data folder, reach the runs.

use crate::harness::*;
use zis_engine::run::execution::Status;

/// One custom action without a Catch, mocked to answer 503: retried as the settings say.
const BUNDLE: &str = r#"{"zis_template_version": "2019-10-14", "name": "retry",
  "description": "", "resources": {
  "call": {"type": "ZIS::Action::Http", "properties": {"name": "call",
    "definition": {"method": "GET", "url": "https://example.com/x"}}},
  "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
    "StartAt": "Call", "States": {
      "Call": {"Type": "Action", "ActionName": "zis:retry:action:call", "Next": "Done"},
      "Done": {"Type": "Succeed"}}}}},
  "job": {"type": "ZIS::JobSpec", "properties": {"name": "job", "event_source": "support",
    "event_type": "ticket.TicketCreated", "flow_name": "zis:retry:flow:flow"}}}}"#;

#[test]
fn settings_for_the_bundle_and_the_data_folder_reach_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("retry.json");
    std::fs::write(&file, BUNDLE).unwrap();
    let data = tempfile::tempdir().unwrap().keep();
    let mut h = harness_in(&file, data.clone());
    h.run();
    h.state_mut()
        .state
        .apply(zis_studio::app::BreakpointCommand::SetMock {
            action: "zis:retry:action:call".into(),
            attempt: None,
            outcome: Some(zis_studio::core::debug::MockOutcome::Status(503)),
        });
    let attempts = |h: &mut egui_kittest::Harness<'static, zis_studio::ui::window::StudioApp>| {
        h.state_mut()
            .state
            .apply(zis_studio::app::DebugCommand::DebugStop);
        h.key_press(egui::Key::F5);
        wait_for_worker(h);
        let s = h.state().state.debug.as_ref().unwrap();
        assert!(matches!(s.status(), Status::Failed { .. }));
        s.now.attempt()
    };
    assert_eq!(attempts(&mut h), 4, "three retries by default");
    // The data folder: one retry.
    h.get_by_label("Run").click();
    h.run();
    h.get_by_label("Settings…").click();
    h.run();
    type_into(&mut h, "retries for the data folder", "1");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        h.state().state.message.as_deref(),
        Some("retries = 1 for the data folder")
    );
    assert_eq!(attempts(&mut h), 2);
    // This bundle's value wins: none.
    type_into(&mut h, "retries for this bundle", "0");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(attempts(&mut h), 1);
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("\"retries\": \"0\""), "{sidecar}");
    // A bad value is refused with the reason, nothing stored.
    type_into(&mut h, "retries for this bundle", "many");
    h.key_press(egui::Key::Enter);
    h.run();
    let message = h.state().state.message.clone().unwrap_or_default();
    assert!(message.starts_with("not set: retries:"), "{message}");
    assert_eq!(h.state().state.sidecar.settings["retries"], "0");
}

#[test]
fn the_services_dock_sets_where_path_actions_go() {
    let data = tempfile::tempdir().unwrap().keep();
    let mut h = harness_in(&sample("urgent_ticket_to_slack.json"), data.clone());
    h.run();
    h.get_by_label("Services").click();
    h.run();
    type_into(&mut h, "Zendesk base URL", "https://acme.zendesk.com");
    h.key_press(egui::Key::Enter);
    h.run();
    let db = zis_services::db::Db::open(&data.join("zis-studio.sqlite")).unwrap();
    let stored = zis_services::settings::load(&db).unwrap();
    assert_eq!(stored["zendesk_base_url"], "https://acme.zendesk.com");
    // Not a URL: refused, nothing stored.
    type_into(&mut h, "Zendesk base URL", "acme");
    h.key_press(egui::Key::Enter);
    h.run();
    let message = h.state().state.message.clone().unwrap_or_default();
    assert!(message.contains("is not an http(s) URL"), "{message}");
    let stored = zis_services::settings::load(&db).unwrap();
    assert_eq!(stored["zendesk_base_url"], "https://acme.zendesk.com");
}
