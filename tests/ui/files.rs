//! Files: open, drop, save with the unsaved-changes question, preferences, exports.

use crate::harness::*;

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

#[test]
fn a_bundle_changed_on_disk_offers_reload_and_keep_mine() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let theirs = std::fs::read_to_string(&file)
        .unwrap()
        .replace("IsUrgent", "IsItUrgent");
    std::fs::write(&file, &theirs).unwrap();
    assert!(h.state_mut().state.check_disk());
    h.run();
    h.get_by_label_contains("changed on disk");
    h.get_by_label("Keep mine");
    h.get_by_label("Reload").click();
    h.run();
    assert!(h.state().state.warnings.is_empty());
    assert!(
        h.query_all_by_label("IsItUrgent").count() >= 1,
        "the file's version is shown"
    );
}

#[test]
fn unsaved_changes_left_by_a_crash_are_offered_at_start() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let data = tempfile::tempdir().unwrap().keep();
    {
        let mut s = AppState::new(data.clone());
        s.open(&file);
        s.apply(zis_studio::app::EditCommand::SetField {
            pointer: "/resources/notify_urgent/properties/definition/Comment".into(),
            value: Some(serde_json::json!("recovered")),
        });
        s.write_recovery();
    }
    let mut h = harness_in(&file, data);
    h.state_mut().state.offer_recovery();
    h.run();
    h.get_by_label("Unsaved changes were recovered");
    h.get_by_label("Restore").click();
    h.run();
    let v = h.state().state.document.as_ref().unwrap().value().clone();
    assert_eq!(
        v.pointer("/resources/notify_urgent/properties/definition/Comment"),
        Some(&serde_json::json!("recovered"))
    );
    assert!(h.state().state.modified);
}
