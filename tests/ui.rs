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
    harness_in(&path, tempfile::tempdir().unwrap().keep())
}

/// The window on `path` with its stores in the data folder `data`.
fn harness_in(path: &std::path::Path, data: PathBuf) -> Harness<'static, StudioApp> {
    let mut state = AppState::new(data);
    state.open(path);
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

/// Steps frames until the debugger's worker is back.
fn wait_for_worker(h: &mut Harness<'static, StudioApp>) {
    let started = std::time::Instant::now();
    h.step();
    while h.state().state.running() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the run did not come back"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
}

// ---- The designer: editing through the window -------------------------------------------

fn copy_sample(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::copy(sample(name), &file).unwrap();
    (dir, file)
}

fn value_at(h: &Harness<'static, StudioApp>, pointer: &str) -> Option<serde_json::Value> {
    h.state()
        .state
        .document
        .as_ref()
        .unwrap()
        .value()
        .pointer(pointer)
        .cloned()
}

const SLACK_FLOW: &str = "/resources/notify_urgent/properties/definition/States";

/// Widgets in the graph report rectangles in graph units: this puts them on the screen.
fn to_screen(h: &Harness<'static, StudioApp>, p: egui::Pos2) -> egui::Pos2 {
    h.state().graph_transform().expect("a graph on screen") * p
}

/// A node's input pin in graph units: left of the "in" label under its title.
fn input_pin_of(h: &Harness<'static, StudioApp>, state: &str) -> egui::Pos2 {
    let ins: Vec<egui::Rect> = h
        .query_all_by_label("in")
        .chain(h.query_all_by_label_contains("in ×"))
        .map(|n| n.rect())
        .collect();
    for title in h.query_all_by_label(state).map(|n| n.rect()) {
        if let Some(label) = ins.iter().find(|r| {
            r.top() >= title.top()
                && r.top() - title.top() < 40.0
                && (r.left() - title.left()).abs() < 40.0
        }) {
            let frame = h.state().node_rect(state).expect("the node's frame");
            return egui::pos2(frame.left(), label.center().y);
        }
    }
    panic!("no input row under {state}: {ins:?}");
}

/// Focuses the field labelled `label`, selects what it holds and types `text` over it.
fn type_into(h: &mut Harness<'static, StudioApp>, label: &str, text: &str) {
    use egui::accesskit::Role;
    let role = [Role::MultilineTextInput, Role::PasswordInput]
        .into_iter()
        .find(|r| h.query_by_role_and_label(*r, label).is_some())
        .unwrap_or(Role::TextInput);
    h.get_by_role_and_label(role, label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run();
}

/// Presses at `from` and moves to `to` in steps, the button still down.
fn press_and_move(h: &mut Harness<'static, StudioApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(2);
    h.drag_at(from);
    h.run_steps(2);
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.run_steps(2);
    }
}

/// Presses at `from`, moves to `to` in steps, releases there.
fn drag(h: &mut Harness<'static, StudioApp>, from: egui::Pos2, to: egui::Pos2) {
    press_and_move(h, from, to);
    h.drop_at(to);
    h.run_steps(3);
}

#[test]
fn palette_connect_form_json_undo_and_save() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut h = harness(file.clone());
    h.run();
    // A new state from the palette is added, selected and shown in the inspector.
    h.get_by_label("+ Pass").click();
    h.run();
    assert_eq!(h.state().state.selected_state.as_deref(), Some("Pass"));
    h.get_by_label("Pass  (Pass)");
    assert!(h.state().state.modified);
    h.get_by_label("• modified");
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/Pass")),
        Some(serde_json::json!({"Type": "Pass", "End": true}))
    );
    // Connect it by dragging its free "end" output onto NotUrgent's input.
    let end = h.get_by_label("end").rect();
    let pass = h.state().node_rect("Pass").expect("the new node on screen");
    let from = to_screen(&h, egui::pos2(pass.right(), end.center().y));
    let to = to_screen(&h, input_pin_of(&h, "NotUrgent"));
    eprintln!(
        "from {from:?} to {to:?} t {:?} end {end:?}",
        h.state().graph_transform()
    );
    drag(&mut h, from, to);
    eprintln!(
        "after t {:?} pos {:?}",
        h.state().graph_transform(),
        h.state()
            .state
            .graph
            .as_ref()
            .unwrap()
            .nodes
            .iter()
            .find(|n| n.name == "Pass")
            .unwrap()
            .pos
    );
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/Pass")),
        Some(serde_json::json!({"Type": "Pass", "Next": "NotUrgent"}))
    );
    // A field of the form changes the bundle, and the JSON tab shows it.
    type_into(&mut h, "Comment", "checks the ticket");
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/Pass/Comment")),
        Some(serde_json::json!("checks the ticket"))
    );
    h.get_by_label("JSON").click();
    h.run();
    let json = h.get_by_label("Definition JSON").value().unwrap();
    assert!(
        json.contains("\"Comment\": \"checks the ticket\""),
        "{json}"
    );
    // Undo takes the whole typed comment back; the JSON follows.
    h.get_by_label("Edit").click();
    h.run();
    h.get_by_label("Undo Ctrl+Z").click();
    h.run();
    assert_eq!(value_at(&h, &format!("{SLACK_FLOW}/Pass/Comment")), None);
    let json = h.get_by_label("Definition JSON").value().unwrap();
    assert!(!json.contains("Comment"), "{json}");
    // Typing a Next that names no state: the JSON is taken, and the validator reacts.
    type_into(
        &mut h,
        "Definition JSON",
        r#"{"Type": "Pass", "Next": "Nowhere"}"#,
    );
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/Pass/Next")),
        Some(serde_json::json!("Nowhere"))
    );
    h.get_by_label_contains("validator ✖ 1 error");
    // JSON that does not parse keeps the text and says where.
    h.get_by_label("Definition JSON").focus();
    h.run();
    h.get_by_label("Definition JSON").type_text(",");
    h.run();
    h.get_by_label_contains("Not saved, the JSON does not parse: 1:");
    h.get_by_label("Form").click();
    h.run();
    // Save writes only the new state: every original line is still there, in order.
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::SetField {
            pointer: format!("{SLACK_FLOW}/Pass/Next"),
            value: Some(serde_json::json!("NotUrgent")),
        });
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(!h.state().state.modified);
    let saved = std::fs::read_to_string(&file).unwrap();
    let mut saved_lines = saved.lines();
    for line in original.lines() {
        assert!(
            saved_lines.any(|s| s == line),
            "line {line:?} was lost:\n{saved}"
        );
    }
    assert!(saved.contains("\"Pass\": {"), "{saved}");
    h.get_by_label_contains("validator ✔ 0 errors");
}

#[test]
fn delete_copy_paste_rename_and_find() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // Select NotUrgent in the states list and delete it with the Delete key.
    h.query_all_by_label("NotUrgent")
        .next()
        .unwrap()
        .click_accesskit();
    h.run();
    h.key_press(egui::Key::Delete);
    h.run();
    assert_eq!(value_at(&h, &format!("{SLACK_FLOW}/NotUrgent")), None);
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/IsUrgent/Default")),
        None,
        "the edge into it went"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/IsUrgent/Default")),
        Some(serde_json::json!("NotUrgent"))
    );
    // Copy and paste: the copy is renamed and keeps its reference.
    h.query_all_by_label("BuildMessage")
        .next()
        .unwrap()
        .click_accesskit();
    h.run();
    h.event(egui::Event::Copy);
    h.run();
    h.event(egui::Event::Paste(String::new()));
    h.run();
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/BuildMessage_2/Next")),
        Some(serde_json::json!("PostToSlack"))
    );
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some("BuildMessage_2")
    );
    // Pasting again renames again; undo takes it back.
    h.event(egui::Event::Paste(String::new()));
    h.run();
    assert!(value_at(&h, &format!("{SLACK_FLOW}/BuildMessage_3")).is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    // Rename through the form: references follow.
    type_into(&mut h, "State name", "Compose");
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(value_at(&h, &format!("{SLACK_FLOW}/Compose")).is_some());
    assert!(value_at(&h, &format!("{SLACK_FLOW}/BuildMessage_2")).is_none());
    // Find reaches text in every flow; a hit selects its state.
    type_into(&mut h, "Find", "chat.postMessage");
    h.get_by_label_contains("1 found");
    type_into(&mut h, "Find", "slackfailed");
    h.get_by_label_contains("state SlackFailed").click();
    h.run();
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some("SlackFailed")
    );
}

#[test]
fn unsaved_changes_are_asked_about_on_open_and_quit() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let (_dir2, other) = copy_sample("jira_issue_sync.json");
    let mut h = harness(file.clone());
    h.run();
    h.get_by_label("+ Wait").click();
    h.run();
    // File › Open… asks for a path (no system dialog in tests), then about the changes.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open… Ctrl+O").click();
    h.run();
    type_into(&mut h, "File path", other.to_str().unwrap());
    h.get_by_label("Open file").click();
    h.run();
    h.get_by_label("Unsaved changes");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(h.state().state.path.as_deref(), Some(file.as_path()));
    assert!(h.state().state.modified, "nothing was lost");
    // Quit: Save writes the file first, then the window may close.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Quit").click();
    h.run();
    h.get_by_label("Save").click();
    h.run();
    assert!(h.state().state.close_now);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("\"Wait\": {"), "{saved}");
    // Opening from the recent list: the other file was never opened, the first is there.
    let recent = &h.state().state.prefs.recent;
    assert!(
        recent[0].ends_with("urgent_ticket_to_slack.json"),
        "{recent:?}"
    );
}

#[test]
fn a_map_iterator_opens_as_a_nested_graph() {
    let (_dir, file) = copy_sample("order_lookup.json");
    let mut h = harness(file);
    h.run();
    // Choose the Map in the list of states, then open its iterator from the inspector.
    h.query_all_by_label("FormatLines")
        .next()
        .unwrap()
        .click_accesskit();
    h.run();
    h.get_by_label("Open FormatLines iterator ▶").click();
    h.run();
    let g = h.state().state.graph.clone().unwrap();
    assert_eq!(g.nodes.len(), 1);
    assert_eq!(g.nodes[0].name, "FormatLine");
    assert_eq!(h.state().state.map_path, ["FormatLines"]);
    // Editing inside the iterator edits the nested definition.
    h.get_by_label("+ Succeed").click();
    h.run();
    assert!(
        value_at(
            &h,
            "/resources/lookup_order/properties/definition/States/FormatLines/Iterator/States/Succeed"
        )
        .is_some()
    );
    h.get_by_label_contains("◀").click();
    h.run();
    assert!(h.state().state.map_path.is_empty());
    assert!(h.state().state.graph.as_ref().unwrap().nodes.len() > 1);
}

#[test]
fn clicking_a_problem_selects_its_state_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    let text = std::fs::read_to_string(sample("urgent_ticket_to_slack.json"))
        .unwrap()
        .replace("\"Next\": \"PostToSlack\"", "\"Next\": \"PostToSlak\"");
    std::fs::write(&file, text).unwrap();
    let mut h = harness(file);
    h.run();
    h.query_all_by_label_contains("PostToSlak")
        .next()
        .unwrap()
        .click();
    h.run();
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some("BuildMessage")
    );
    assert_eq!(
        h.state().state.focus_field.as_deref(),
        Some(format!("{SLACK_FLOW}/BuildMessage/Next").as_str())
    );
    // The node carries a problem badge and the form lists the finding in place.
    assert!(h.query_all_by_label("⚠ 1").count() >= 1);
    // Choosing the right target in the form's Next fixes it.
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::SetField {
            pointer: format!("{SLACK_FLOW}/BuildMessage/Next"),
            value: Some(serde_json::json!("PostToSlack")),
        });
    h.run();
    h.get_by_label("validator ✔ 0 errors, 0 warnings");
}

#[test]
fn the_explorer_adds_renames_and_deletes_resources() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Add action").click();
    h.run();
    assert_eq!(h.state().state.selected.as_deref(), Some("new_action"));
    // The custom action form: method and path.
    type_into(&mut h, "path", "/api/v2/users/me.json");
    assert_eq!(
        value_at(&h, "/resources/new_action/properties/definition/path"),
        Some(serde_json::json!("/api/v2/users/me.json"))
    );
    // Renaming the flow (right-click › Rename, type, Enter) updates the job spec that runs it.
    h.get_by_label("notify_urgent").click_secondary();
    h.run();
    h.get_by_label("Rename").click();
    h.run();
    type_into(&mut h, "New name", "notify_fast");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(
        value_at(&h, "/resources/notify_urgent_job/properties/flow_name"),
        Some(serde_json::json!("zis:acme_slack:flow:notify_fast"))
    );
    h.get_by_label("notify_urgent_job").click();
    h.run();
    h.get_by_label("event_type");
    // It is unused, so the validator warns, and its explorer row says so.
    h.get_by_label("new_action  ⚠ 1").click_secondary();
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    assert_eq!(value_at(&h, "/resources/new_action"), None);
}

// ---- Round trip: every public and sample bundle, edited through the window ----------------

fn public_bundles() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/public_bundles");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipped the public bundles: {} is absent (CI always has it)",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn editing_any_bundle_through_the_window_changes_only_the_edited_state() {
    let mut files = public_bundles();
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_bundles");
    let mut own: Vec<PathBuf> = std::fs::read_dir(samples)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().contains("zis-studio")
                && !p.to_string_lossy().ends_with(".tests.json")
        })
        .collect();
    own.sort();
    files.extend(own);
    let mut edited = 0;
    for source in &files {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(source.file_name().unwrap());
        std::fs::copy(source, &file).unwrap();
        let original = std::fs::read_to_string(&file).unwrap();
        let mut h = harness(file.clone());
        h.run();
        let first = h.state().state.states.first().map(|s| s.name.clone());
        let Some(state) = first else {
            // Nothing to edit (no flow, or a file that does not open): saving writes it back
            // byte for byte.
            h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
            h.run();
            assert_eq!(
                std::fs::read_to_string(&file).unwrap(),
                original,
                "{}",
                source.display()
            );
            eprintln!("{}: no state to edit, saved unchanged", source.display());
            continue;
        };
        // Choose the state in the inspector's list and give it a comment through the form.
        h.query_all_by_label(&state)
            .next()
            .unwrap()
            .click_accesskit();
        h.run();
        assert_eq!(
            h.state().state.selected_state.as_deref(),
            Some(state.as_str())
        );
        type_into(&mut h, "Comment", "edited in ZIS Studio");
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
        h.run();
        assert!(!h.state().state.modified, "{}", source.display());
        let saved = std::fs::read_to_string(&file).unwrap();
        // The value is the original plus the comment...
        let pointer = h.state().state.state_pointer(&state).unwrap();
        let mut expected: serde_json::Value = serde_json::from_str(&original).unwrap();
        expected
            .pointer_mut(&pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("Comment".into(), "edited in ZIS Studio".into());
        let got: serde_json::Value = serde_json::from_str(&saved).unwrap();
        assert_eq!(got, expected, "{}", source.display());
        // ...and every byte outside that state's object is the original's.
        let parsed = zis_engine::json::parse(&original).unwrap();
        let span = parsed.tree.find(&original, &pointer).unwrap().span;
        let tail = original.len() - span.end;
        assert_eq!(
            &saved[..span.start],
            &original[..span.start],
            "{}",
            source.display()
        );
        assert_eq!(
            &saved[saved.len() - tail..],
            &original[span.end..],
            "{}",
            source.display()
        );
        let changed = saved.lines().count() as isize - original.lines().count() as isize;
        eprintln!(
            "{}: commented {state}, {changed:+} line(s), outside the state byte-identical",
            source.file_name().unwrap().to_string_lossy()
        );
        edited += 1;
    }
    assert!(edited >= 4, "edited {edited} bundles");
}

#[test]
fn box_select_then_delete_and_a_wire_dropped_on_empty_space_adds_a_state() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // Shift+drag a box around LoadSettings and IsUrgent (the first two layers).
    let a = h.state().node_rect("LoadSettings").unwrap();
    let b = h.state().node_rect("IsUrgent").unwrap();
    let from = to_screen(&h, a.min - egui::vec2(10.0, 10.0));
    let to = to_screen(&h, egui::pos2(b.max.x + 5.0, a.max.y.max(b.max.y) + 5.0));
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::SHIFT));
    drag(&mut h, from, to);
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.run();
    let mut selected = h.state().state.selection.clone();
    selected.sort();
    assert!(
        selected.contains(&"LoadSettings".to_string())
            && selected.contains(&"IsUrgent".to_string()),
        "{selected:?}"
    );
    h.key_press(egui::Key::Delete);
    h.run();
    for name in &selected {
        assert_eq!(
            value_at(&h, &format!("{SLACK_FLOW}/{name}")),
            None,
            "{name}"
        );
    }
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert!(value_at(&h, &format!("{SLACK_FLOW}/IsUrgent")).is_some());
    // Dragging LoadSettings' free "+ catch" output into empty space offers the palette; a
    // Fail chosen there is added and caught into.
    let node = h.state().node_rect("LoadSettings").unwrap();
    let free = h
        .query_all_by_label("+ catch")
        .map(|n| n.rect())
        .find(|r| node.contains(r.center()))
        .expect("LoadSettings' + catch output");
    let from = to_screen(&h, egui::pos2(node.right(), free.center().y));
    let empty = to_screen(&h, egui::pos2(node.left() + 20.0, node.bottom() + 150.0));
    // Released without the pointer leaving, so the menu opens where the wire ended.
    press_and_move(&mut h, from, empty);
    h.event(egui::Event::PointerButton {
        pos: empty,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(3);
    h.get_by_label("Connect LoadSettings to a new state");
    // The toolbar has a "+ Fail" too; the menu's is drawn last.
    h.query_all_by_label("+ Fail").last().unwrap().click();
    h.run();
    let catch = value_at(&h, &format!("{SLACK_FLOW}/LoadSettings/Catch")).unwrap();
    let last = catch.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["Next"], "Fail", "{catch}");
    assert_eq!(
        value_at(&h, &format!("{SLACK_FLOW}/Fail/Type")),
        Some(serde_json::json!("Fail"))
    );
}

#[test]
fn the_theme_and_recent_files_persist_in_the_data_folder() {
    let (_dir, file) = copy_sample("order_lookup.json");
    let data = tempfile::tempdir().unwrap();
    let mut h = harness_in(&file, data.path().to_path_buf());
    h.run();
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Light theme").click();
    h.run();
    // A later start reads both back.
    let again = AppState::new(data.path().to_path_buf());
    assert_eq!(again.theme, zis_studio::app::Theme::Light);
    assert!(again.prefs.recent[0].ends_with("order_lookup.json"));
    // File › Open recent lists the file.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Open recent").click();
    h.run();
    assert!(h.query_all_by_label_contains("order_lookup.json").count() >= 1);
}

#[test]
fn states_copied_in_one_flow_paste_into_another() {
    let (_dir, file) = copy_sample("jira_issue_sync.json");
    let mut h = harness(file);
    h.run();
    // CreateIssue (sync_status) leads to LinkIssue and catches into JiraFailed.
    h.query_all_by_label("CreateIssue")
        .next()
        .unwrap()
        .click_accesskit();
    h.run();
    h.event(egui::Event::Copy);
    h.run();
    h.get_by_label("unlink_deleted").click();
    h.run();
    h.event(egui::Event::Paste(String::new()));
    h.run();
    let pasted = value_at(
        &h,
        "/resources/unlink_deleted/properties/definition/States/CreateIssue",
    )
    .expect("pasted into the other flow");
    // unlink_deleted has no LinkIssue: that Next became End; its references to states it
    // has are kept.
    assert_eq!(pasted["End"], true, "{pasted}");
    assert!(pasted.get("Next").is_none(), "{pasted}");
}

// ---- The debugger -------------------------------------------------------------------------

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
        std::fs::read_to_string(zis_studio::app::graph::Sidecar::path_for(&file)).unwrap();
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
    h.get_by_label("Fail with status").click_accesskit();
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

// ---- Executions ---------------------------------------------------------------------------

#[test]
fn runs_from_the_window_are_listed_replayed_exported_and_re_run() {
    let (dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // A run from the window ends up in the store's executions.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    let started = std::time::Instant::now();
    loop {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
        if h.query_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
            .is_some()
        {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "the run never appeared in the list"
        );
    }
    h.run();
    h.get_by_label_contains("queue: 0 pending");
    h.get_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
        .click();
    h.run();
    h.get_by_label("step 1 of 6");
    h.get_by_label("LoadSettings -> UseDefaultSettings");
    h.get_by_label("Next step ▶").click();
    h.run();
    h.get_by_label("UseDefaultSettings -> IsUrgent");
    // The window's run kept its event: re-run it on the bundle as it is, with the same
    // outcome at every step.
    h.get_by_label("Re-run on the current bundle").click();
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    h.run();
    h.get_by_label("The re-run took the same path with the same data.");
    // Export, then import the file back.
    let export = dir.path().join("run.json");
    h.get_by_label("Export…").click();
    h.run();
    type_into(&mut h, "File path", export.to_str().unwrap());
    h.get_by_label("Export").click();
    h.run();
    let text = std::fs::read_to_string(&export).unwrap();
    let mut exported: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(exported["history"].as_array().unwrap().len(), 6);
    // A stored run of a ticket that was not urgent (its event kept), imported and re-run on
    // the current bundle with the same event: the two runs part at step 4.
    // Its first step as recorded, then a ticket whose priority was low.
    let real = exported["history"].as_array().unwrap().clone();
    let mut low = real[1].clone();
    low["output"]["input"]["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    let mut choice = real[2].clone();
    choice["next"] = serde_json::json!("NotUrgent");
    choice["output"] = low["output"].clone();
    choice["input"] = low["output"].clone();
    exported["history"] = serde_json::json!([real[0], low, choice, {"state": "NotUrgent"}]);
    exported["event_input"] = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    let stored = dir.path().join("stored.json");
    std::fs::write(&stored, exported.to_string()).unwrap();
    h.get_by_label("Import…").click();
    h.run();
    type_into(&mut h, "File path", stored.to_str().unwrap());
    h.get_by_label("Import").click();
    h.run();
    h.get_by_label("imported execution");
    h.get_by_label("Re-run on the current bundle").click();
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    h.run();
    h.get_by_label("The runs part at step 4.");
    // From step 2 the outcome differs: the first difference is listed by path.
    h.get_by_label("~ $.output.input.ticket_event.ticket.priority: \"low\" → \"urgent\"");
    // Debug from a chosen step of the stored run: a session paused before that state with
    // the data it had then; the Debugger shows it.
    for _ in 0..2 {
        h.get_by_label("Next step ▶").click_accesskit();
        h.run();
    }
    h.get_by_label("Debug from this step").click_accesskit();
    h.run();
    h.get_by_label_contains("paused before IsUrgent (from step 3 of the stored run)");
    let s = h.state().state.debug.as_ref().unwrap();
    assert!(s.steps.is_empty());
    assert_eq!(
        s.next_data().unwrap()["input"]["ticket_event"]["ticket"]["priority"],
        "low"
    );
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let states: Vec<&str> = s.steps.iter().map(|s| s.event.state.as_str()).collect();
    assert_eq!(states, ["IsUrgent", "NotUrgent"]);
}

// ---- Services -------------------------------------------------------------------------------

#[test]
fn the_services_view_edits_stores_and_runs_the_local_server() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Services").click();
    h.run();
    h.get_by_label("Integration acme_slack");
    // A config: scope and JSON; the flow's LoadConfig would now find it.
    type_into(&mut h, "Scope", "slack_settings");
    type_into(&mut h, "Config JSON", r##"{"channel": "#vip"}"##);
    h.get_by_label("Save config").click();
    h.run();
    h.get_by_label("channel: \"#vip\"");
    // A bearer-token connection: its secret never shows.
    h.get_by_label("Connections").click();
    h.run();
    type_into(&mut h, "Name", "slack");
    type_into(&mut h, "Token", "xoxb-very-secret");
    h.get_by_label("Create connection").click();
    h.run();
    h.get_by_label("slack  (bearer_token)");
    assert!(h.query_by_label_contains("xoxb-very-secret").is_none());
    // Edited in place: a new allowed domain, the secret left empty is kept.
    h.get_by_label("Edit connection slack").click();
    h.run();
    h.get_by_label("Editing slack");
    type_into(&mut h, "Allowed domain", "slack.com");
    h.get_by_label("Save connection").click();
    h.run();
    {
        let db = zis_services::db::Db::open(&h.state().state.data_dir.join("zis-studio.sqlite"))
            .unwrap();
        let c = db
            .connection(&h.state().state.integration_key(), "slack")
            .unwrap()
            .unwrap();
        assert_eq!(c.allowed_domain, "slack.com");
        assert_eq!(c.data["token"], "xoxb-very-secret");
    }
    h.get_by_label("Create connection");
    // A link.
    h.get_by_label("Links").click();
    h.run();
    type_into(&mut h, "Link type", "ticket_issue");
    type_into(&mut h, "Left", "101");
    type_into(&mut h, "Right", "JIRA-7");
    h.get_by_label("Create link").click();
    h.run();
    h.get_by_label("JIRA-7");
    type_into(&mut h, "Right", "JIRA-8");
    h.get_by_label("Create link").click();
    h.run();
    // The types present are offered; a filter narrows the table.
    h.get_by_role_and_label(egui::accesskit::Role::Button, "ticket_issue");
    type_into(&mut h, "Filter right", "*-8");
    h.run();
    assert!(h.query_by_label("JIRA-7").is_none());
    h.get_by_label("1 of 2 links match the filters");
    type_into(&mut h, "Filter right", "");
    // Edited in place: metadata on the right object.
    h.get_by_label("Edit the link 101 - JIRA-7").click();
    h.run();
    type_into(&mut h, "Right metadata", r#"{"status": "open"}"#);
    h.get_by_label("Save link").click_accesskit();
    h.run();
    assert_eq!(h.state().state.services.error, None);
    h.get_by_label(r#"{"status":"open"}"#);
    // The server on a free port, then an inbound webhook on it with a curl to copy.
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::StartServer(0));
    h.run();
    let url = h
        .state()
        .state
        .services
        .server
        .as_ref()
        .unwrap()
        .0
        .base_url
        .clone();
    h.get_by_label(&format!("Server on {url}"));
    h.get_by_label("Inbound webhooks").click();
    h.run();
    type_into(&mut h, "Source system", "carrier");
    type_into(&mut h, "Event type", "shipment.updated");
    h.get_by_label("Create webhook").click();
    h.run();
    h.get_by_label("New webhook: its password is shown this once");
    h.get_by_label_contains(&format!(
        "Ingest URL: {url}/api/services/zis/inbound_webhooks"
    ));
    h.get_by_label("Copy curl");
    h.get_by_label("Stop server").click();
    h.run();
    assert!(h.state().state.services.server.is_none());
    h.get_by_label("Start server");
    // Everything is in the data folder's database.
    let db =
        zis_services::db::Db::open(&h.state().state.data_dir.join("zis-studio.sqlite")).unwrap();
    assert_eq!(
        db.config("acme_slack", "slack_settings").unwrap().unwrap()["config"]["channel"],
        "#vip"
    );
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
    h.get_by_label("Use this payload").click();
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
    h.get_by_label("Save as named event").click();
    h.run();
    let sidecar =
        std::fs::read_to_string(zis_studio::app::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("low priority"), "{sidecar}");
    h.get_by_label("payload: custom");
    h.state_mut()
        .state
        .apply(zis_studio::app::Command::DebugPayload(None));
    h.run();
    h.get_by_label("Use low priority").click();
    h.run();
    h.get_by_label("Start").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    assert_eq!(s.steps.last().unwrap().event.state, "NotUrgent");
}

#[test]
fn nodes_out_of_view_come_back_whole_when_the_view_pans() {
    // A long chain: only its start is in view; the rest is drawn as titles without pins.
    let mut states = serde_json::Map::new();
    for i in 0..60 {
        let next = format!("S{:02}", i + 1);
        let state = if i == 59 {
            serde_json::json!({"Type": "Succeed"})
        } else {
            serde_json::json!({"Type": "Pass", "Next": next})
        };
        states.insert(format!("S{i:02}"), state);
    }
    let bundle = serde_json::json!({"name": "long", "resources": {"f": {"type": "ZIS::Flow",
        "properties": {"name": "f", "definition": {"StartAt": "S00", "States": states}}}}});
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.json");
    std::fs::write(&file, bundle.to_string()).unwrap();
    let mut h = harness(file);
    h.run_steps(4);
    let inputs_before = h.query_all_by_label_contains("in ×1").count();
    assert!(
        inputs_before < 20,
        "{inputs_before} nodes drawn whole at the start"
    );
    // Pan left by dragging the background, well below the nodes.
    let t = h.state().graph_transform().unwrap();
    let s00 = h.state().node_rect("S00").unwrap();
    let from = t * egui::pos2(s00.left() + 300.0, s00.bottom() + 200.0);
    drag(&mut h, from, from - egui::vec2(600.0, 0.0));
    h.run_steps(4);
    let t = h.state().graph_transform().unwrap();
    let view =
        t.inverse() * egui::Rect::from_min_size(egui::pos2(300.0, 150.0), egui::vec2(500.0, 300.0));
    // The nodes now in view are whole: each shows its input row and its "next" output.
    let shown: Vec<String> = (0..60)
        .map(|i| format!("S{i:02}"))
        .filter(|n| h.state().node_rect(n).is_some_and(|r| view.intersects(r)))
        .collect();
    assert!(
        !shown.is_empty() && !shown.contains(&"S00".to_string()),
        "{shown:?}"
    );
    for name in &shown {
        let r = h.state().node_rect(name).unwrap();
        assert!(
            h.query_all_by_label("next")
                .any(|n| r.contains(n.rect().center())),
            "{name} has its output drawn"
        );
    }
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
    let outcomes = zis_studio::flowtest::run_file(&tests);
    assert_eq!(outcomes.len(), 1);
    assert!(
        outcomes[0].failures.is_empty(),
        "{:?}",
        outcomes[0].failures
    );
}

#[test]
fn the_file_menu_exports_the_graph_and_the_run() {
    let (dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // Before any run the report is not offered.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Export").hover();
    h.run();
    assert!(
        egui_kittest::kittest::NodeT::accesskit_node(&h.get_by_label("Execution as HTML report…"))
            .is_disabled()
    );
    let svg = dir.path().join("graph.svg");
    h.get_by_label("Graph as SVG…").click();
    h.run();
    type_into(&mut h, "File path", svg.to_str().unwrap());
    h.get_by_label("Export").click();
    h.run();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<title>IsUrgent</title>"), "{text}");
    // After a run: the PNG and the report carry the path taken.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let png = dir.path().join("graph.png");
    for (item, path) in [
        ("Graph as PNG…", &png),
        ("Execution as HTML report…", &dir.path().join("run.html")),
    ] {
        h.get_by_label("File").click();
        h.run();
        h.get_by_label_contains("Export").hover();
        h.run();
        h.get_by_label(item).click();
        h.run();
        type_into(&mut h, "File path", path.to_str().unwrap());
        h.get_by_label("Export").click();
        h.run();
        h.get_by_label_contains("exported to");
    }
    let image = resvg::tiny_skia::Pixmap::load_png(&png).unwrap();
    assert!(image.width() > 400 && image.height() > 100);
    let html = std::fs::read_to_string(dir.path().join("run.html")).unwrap();
    assert!(
        html.contains("1. LoadSettings → UseDefaultSettings"),
        "{html}"
    );
    assert!(html.contains("failed"), "{html}");
}

// ---- Going live ---------------------------------------------------------------------------

#[test]
fn the_window_deploys_to_an_account_and_opens_a_bundle_from_it() {
    // A ZIS account: the project's own server on loopback, with its own store.
    let account_dir = tempfile::tempdir().unwrap();
    let account_db = std::sync::Arc::new(
        zis_services::db::Db::open(&account_dir.path().join("zis.sqlite")).unwrap(),
    );
    let server = zis_services::server::start(
        account_db.clone(),
        "secret-token".into(),
        0,
        zis_services::dispatch::DispatchSettings::default(),
    )
    .unwrap();
    let (dir, file) = copy_sample("jira_issue_sync.json");
    let data = dir.path().join("data");
    let mut h = harness_in(&file, data.clone());
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Deploy to ZIS…").click();
    h.run();
    type_into(&mut h, "Account", &server.base_url);
    type_into(&mut h, "Token", "wrong-token");
    h.get_by_label("Show plan").click();
    wait_for_worker(&mut h);
    h.get_by_label_contains("HTTP 401");
    type_into(&mut h, "Token", "secret-token");
    h.get_by_label("Show plan").click();
    wait_for_worker(&mut h);
    h.get_by_label_contains("create the integration");
    h.get_by_label_contains("new      sync_status");
    h.get_by_label("Deploy").click();
    wait_for_worker(&mut h);
    h.get_by_label("Deployed.");
    // What arrived: the bundle and both job specs, installed.
    let bundles = account_db.bundles("acme_jira").unwrap();
    assert_eq!(bundles.len(), 1, "{bundles:?}");
    let specs = account_db.job_specs("acme_jira").unwrap();
    assert_eq!(specs.iter().filter(|j| j.installed).count(), 2);
    // The token is kept in the data folder, private, and nowhere near the bundle.
    let saved = data.join("accounts.json");
    assert!(
        std::fs::read_to_string(&saved)
            .unwrap()
            .contains("secret-token")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            assert!(!text.contains("secret-token"), "{}", f.display());
        }
    }
    h.get_by_label("Close window").click();
    h.run();
    // Open from the account: the saved account is filled in, the bundle lists and opens.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open from a ZIS account…").click();
    h.run();
    h.get_by_label("List bundles").click();
    wait_for_worker(&mut h);
    h.get_by_label("Open jira_issue_sync").click();
    wait_for_worker(&mut h);
    h.run();
    let opened = h.state().state.path.clone().unwrap();
    assert!(
        opened.starts_with(data.join("pulled")),
        "{}",
        opened.display()
    );
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        h.state().state.document.as_ref().unwrap().value(),
        &original
    );
    assert!(
        h.query_by_label("List bundles").is_none(),
        "the window closes"
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
        std::fs::read_to_string(zis_studio::app::graph::Sidecar::path_for(&file)).unwrap();
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
        post.event.result,
        Some(serde_json::json!({"ok": true, "ts": "1.5"}))
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
        std::fs::read_to_string(zis_studio::app::graph::Sidecar::path_for(&file)).unwrap();
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
fn account_work_shows_progress_and_can_be_cancelled() {
    // An account that accepts the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let (_dir, file) = copy_sample("jira_issue_sync.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Deploy to ZIS…").click();
    h.run();
    type_into(&mut h, "Account", &url);
    type_into(&mut h, "Token", "t");
    h.get_by_label("Show plan").click();
    h.run_steps(3);
    h.get_by_label("reading the account…");
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert!(!h.state().state.remote.is_busy());
    h.get_by_label("cancelled");
    assert!(h.query_by_label("reading the account…").is_none());
    drop(silent);
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
