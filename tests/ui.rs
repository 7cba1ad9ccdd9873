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
        "sync_status_job",
    ] {
        h.get_by_label(name);
    }
    // create_issue is in the explorer and, as an action's short name, on a node.
    assert!(h.query_all_by_label("create_issue").count() >= 1);
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
    // In the graph and in the inspector's list of states.
    assert_eq!(h.query_all_by_label("Unlink").count(), 2);
}

#[test]
fn the_selected_flow_is_drawn_as_a_graph() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slack.json");
    std::fs::copy(sample("urgent_ticket_to_slack.json"), &file).unwrap();
    let mut h = harness(file.clone());
    h.run();
    let graph = h
        .state()
        .state
        .graph
        .clone()
        .expect("a graph for the selected flow");
    assert_eq!(graph.nodes.len(), 8);
    // Every state is a node on screen, and edges carry their labels.
    for node in &graph.nodes {
        assert!(
            h.query_all_by_label(&node.name).count() >= 1,
            "{}",
            node.name
        );
    }
    h.get_by_label("Fit");
    assert!(h.query_all_by_label_contains("catch").count() >= 1);
    assert!(h.query_all_by_label("default").count() >= 1);
    // Choosing a state in the inspector's list selects it; the inspector shows it and its
    // node is outlined.
    h.get_by_label("▶ LoadSettings").click();
    h.run();
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some("LoadSettings")
    );
    h.get_by_label("LoadSettings  (Action)");
    // A moved node is stored next to the bundle, never in it; Auto layout forgets it.
    let before = std::fs::read(&file).unwrap();
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::MoveNodes(vec![(
            "PostToSlack".into(),
            [900.0, 400.0],
        )]));
    let sidecar = zis_studio::app::graph::Sidecar::path_for(&file);
    let stored = std::fs::read_to_string(&sidecar).unwrap();
    assert!(stored.contains("PostToSlack"), "{stored}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the bundle is untouched"
    );
    h.get_by_label("Auto layout").click();
    h.run();
    let g = h.state().state.graph.clone().unwrap();
    let post = g.nodes.iter().find(|n| n.name == "PostToSlack").unwrap();
    assert_ne!(post.pos, [900.0, 400.0]);
    // Reopening applies the stored layout.
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::MoveNodes(vec![(
            "Notified".into(),
            [1234.0, 56.0],
        )]));
    let mut again = AppState::new(tempfile::tempdir().unwrap().keep());
    again.open(&file);
    let n = again.graph.unwrap();
    assert_eq!(
        n.nodes.iter().find(|x| x.name == "Notified").unwrap().pos,
        [1234.0, 56.0]
    );
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
    // The explorer's entry comes first (the graph also names the action on a node).
    h.query_all_by_label("get_order").next().unwrap().click();
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
    h.get_by_label_contains("Open a bundle to see its flows");
}

#[test]
fn the_view_menu_fits_and_switches_theme() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    assert_eq!(h.state().state.theme, zis_studio::app::Theme::Dark);
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Light theme").click();
    h.run();
    assert_eq!(h.state().state.theme, zis_studio::app::Theme::Light);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    let fits = h.state().state.fit_requests;
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Fit").click();
    h.run();
    assert_eq!(h.state().state.fit_requests, fits + 1);
}

#[test]
fn a_bundle_dropped_on_the_window_opens() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    #[derive(Debug)]
    struct Dropped(PathBuf);
    impl egui::DroppedFile for Dropped {
        fn path(&self) -> &std::path::Path {
            &self.0
        }
        fn bytes(&self) -> Result<Vec<u8>, String> {
            std::fs::read(&self.0).map_err(|e| e.to_string())
        }
    }
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(sample("order_lookup.json"))));
    h.run();
    assert_eq!(
        h.state().state.bundle_name().as_deref(),
        Some("order_lookup")
    );
    h.get_by_label("lookup_order_job");
}

#[test]
fn run_takes_the_flow_through_the_engine_and_marks_the_path() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run();
    h.get_by_label("unlink_deleted").click();
    h.run();
    h.get_by_label("Run (F5)").click();
    // The run happens on a worker thread; frames keep coming until it is back.
    let started = std::time::Instant::now();
    while h.state().state.run_result().is_none() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the run did not come back"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    h.run();
    let result = h.state().state.run_result().unwrap().clone();
    assert!(
        matches!(
            result.status,
            zis_engine::run::execution::Status::Succeeded { .. }
        ),
        "{:?}",
        result.status
    );
    // With no link in the store the flow goes FindLink → Linked → NoLink.
    let path: Vec<&str> = result.events.iter().map(|e| e.state.as_str()).collect();
    assert_eq!(path, ["FindLink", "Linked", "NoLink"]);
    assert_eq!(result.event, "support/ticket.TicketPermanentlyDeleted");
    h.get_by_label("Last run: succeeded in 3 steps");
    h.get_by_label("path: FindLink > Linked > NoLink");
    assert!(
        h.query_all_by_label("×1").count() >= 3,
        "visit counts on the nodes"
    );
}
