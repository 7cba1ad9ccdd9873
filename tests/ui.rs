//! The window, driven through egui_kittest by its accessible labels.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use egui_kittest::{Harness, kittest::Queryable};
use std::path::PathBuf;
use zis_studio::app::AppState;
use zis_studio::gui::StudioApp;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample_bundles")
        .join(name)
}

fn harness(path: PathBuf) -> Harness<'static, StudioApp> {
    let data = tempfile::tempdir().unwrap().keep();
    let mut state = AppState::new(data);
    state.open(&path);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(16)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.show(ui),
            StudioApp::new(state),
        )
}

#[test]
fn opens_a_sample_and_lists_its_resources() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run();
    h.get_by_label("jira_issue_sync");
    for name in [
        "Flows",
        "Actions",
        "Job specs",
        "unlink_deleted",
        "create_issue",
        "sync_status_job",
    ] {
        h.get_by_label(name);
    }
    // The selected flow's name is in the explorer and in the detail heading.
    assert_eq!(h.query_all_by_label("sync_status").count(), 2);
    // The first flow is selected and its states are listed.
    assert_eq!(h.state().state.selected.as_deref(), Some("sync_status"));
    h.get_by_label("▶ FindLink");
    h.get_by_label("zis:acme_jira:action:transition_issue");
    h.get_by_label("validator ✔ 0 errors, 0 warnings");
}

#[test]
fn clicking_a_resource_selects_it() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run();
    h.get_by_label("unlink_deleted").click();
    h.run();
    assert_eq!(h.state().state.selected.as_deref(), Some("unlink_deleted"));
    h.get_by_label("▶ FindLink");
    h.get_by_label("Unlink");
}

#[test]
fn problems_are_listed_and_reveal_their_resource() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(sample("order_lookup.json"))
        .unwrap()
        .replace("\"Next\": \"AddNote\"", "\"Next\": \"AddNotes\"");
    let file = dir.path().join("broken.json");
    std::fs::write(&file, text).unwrap();
    let mut h = harness(file);
    h.run();
    h.get_by_label("validator ✖ 1 error, 2 warnings");
    assert_eq!(h.query_all_by_label_contains("W015").count(), 2);
    h.get_by_label("get_order").click();
    h.run();
    assert_eq!(h.state().state.selected.as_deref(), Some("get_order"));
    let problem = h.get_by_label_contains("E012");
    problem.click();
    h.run();
    assert_eq!(h.state().state.selected.as_deref(), Some("lookup_order"));
}

#[test]
fn a_file_that_is_not_json_still_opens_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, "{\"name\": }").unwrap();
    let mut h = harness(file);
    h.run();
    h.get_by_label_contains("E001");
    h.get_by_label("Open a bundle to see its flows, actions and job specs.");
}
