//! The designer: the explorer, the graph, the inspector and editing through them.

use crate::harness::*;

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
    let mut h = harness_wide(file.clone());
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
        .apply(zis_studio::app::EditCommand::MoveNodes(vec![(
            "PostToSlack".into(),
            [900.0, 400.0],
        )]));
    let sidecar = zis_studio::core::graph::Sidecar::path_for(&file);
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
        .apply(zis_studio::app::EditCommand::MoveNodes(vec![(
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
fn the_view_menu_fits_and_switches_theme() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    assert_eq!(
        h.state().state.theme,
        zis_studio::app::Theme::System,
        "the system's by default"
    );
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
fn palette_connect_form_json_undo_and_save() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut h = harness_wide(file.clone());
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
    // Dropped anywhere on the node (wires come into its top; it has no input pin).
    let to = to_screen(&h, h.state().node_rect("NotUrgent").unwrap().center());
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
        .apply(zis_studio::app::EditCommand::SetField {
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
        .apply(zis_studio::app::EditCommand::SetField {
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

#[test]
fn box_select_then_delete_and_a_wire_dropped_on_empty_space_adds_a_state() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness_wide(file);
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
    // At full size (Fit shows all 60 states small, as names only).
    h.get_by_label("100 %").click();
    h.run_steps(4);
    let whole_before = h.query_all_by_label("next").count();
    assert!(
        whole_before < 20,
        "{whole_before} nodes drawn whole at the start"
    );
    // Pan up by dragging the background beside the chain.
    let t = h.state().graph_transform().unwrap();
    let s00 = h.state().node_rect("S00").unwrap();
    let canvas = h.state().canvas_rect().unwrap();
    let from = egui::pos2((t * s00).right() + 80.0, canvas.bottom() - 80.0);
    drag(&mut h, from, from - egui::vec2(0.0, 400.0));
    h.run_steps(4);
    let t = h.state().graph_transform().unwrap();
    let view =
        t.inverse() * egui::Rect::from_min_size(egui::pos2(300.0, 150.0), egui::vec2(500.0, 300.0));
    // The nodes now in view are whole: each shows its "next" output.
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
fn the_command_palette_runs_a_command_by_name() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    let fits = h.state().state.fit_requests;
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::P,
    );
    h.run();
    h.get_by_label("Command palette");
    // Every command is listed with its keys; typing filters.
    h.get_by_label("Step over F10");
    h.get_by_label("Command palette").type_text("fit");
    h.run();
    assert!(h.query_by_label("Step over F10").is_none());
    h.get_by_label("Fit F").click();
    h.run();
    assert_eq!(h.state().state.fit_requests, fits + 1);
    assert!(h.query_by_label("Command palette").is_none(), "it closes");
}

#[test]
fn panels_can_be_hidden_from_the_view_menu() {
    let mut h = harness(sample("urgent_ticket_to_slack.json"));
    h.run();
    h.get_by_label("Problems (0)");
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Show dock").click();
    h.run();
    assert!(
        h.query_by_label("Problems (0)").is_none(),
        "the dock is hidden"
    );
    assert!(!h.state().panels.dock);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::J);
    h.run();
    h.get_by_label("Problems (0)");
}

#[test]
fn help_lists_every_shortcut_and_the_title_names_the_file() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    assert_eq!(
        zis_studio::ui::window::window_title(&h.state().state),
        "urgent_ticket_to_slack.json — ZIS Studio"
    );
    h.state_mut()
        .state
        .apply(zis_studio::app::EditCommand::SetField {
            pointer: "/description".into(),
            value: Some(serde_json::json!("x")),
        });
    assert!(zis_studio::ui::window::window_title(&h.state().state).starts_with("● "));
    h.get_by_label("Run").click();
    h.run();
    h.get_by_label("Step back Ctrl+F10");
    h.key_press(egui::Key::Escape);
    h.run();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("About ZIS Studio").click();
    h.run();
    h.get_by_label_contains(env!("CARGO_PKG_VERSION"));
    h.key_press(egui::Key::F1);
    h.run();
    assert!(h.query_all_by_label("Keyboard shortcuts").count() >= 1);
    h.get_by_label("Step over");
    h.get_by_label("Ctrl+Shift+Z  or  Ctrl+Y");
}

#[test]
fn every_flow_of_every_sample_and_public_bundle_fits_the_canvas_at_1280x800() {
    let bundles = sample_and_public_bundles();
    let mut flows = 0;
    // 1280×800 as the issue asks, and the small window too.
    for size in [egui::vec2(1280.0, 800.0), egui::vec2(1024.0, 640.0)] {
        for b in &bundles {
            let mut h = harness_sized(b, tempfile::tempdir().unwrap().keep(), size);
            h.run();
            let keys: Vec<String> = h
                .state()
                .state
                .rows
                .iter()
                .filter(|r| r.kind == zis_studio::app::ResourceKind::Flow)
                .map(|r| r.key.clone())
                .collect();
            for key in keys {
                h.state_mut()
                    .state
                    .apply(zis_studio::app::ViewCommand::Select(key.clone()));
                h.run();
                h.run();
                let canvas = h.state().canvas_rect().unwrap();
                // The zoom controls float over the canvas's bottom right: no node under them.
                let controls = ["Zoom out", "Fit all", "Minimap"]
                    .iter()
                    .map(|l| h.get_by_label(l).rect())
                    .fold(egui::Rect::NOTHING, |a, r| a.union(r))
                    .expand(4.0);
                let t = h.state().graph_transform().unwrap();
                let names: Vec<String> = h
                    .state()
                    .state
                    .graph
                    .as_ref()
                    .unwrap()
                    .nodes
                    .iter()
                    .map(|n| n.name.clone())
                    .collect();
                for name in names {
                    let r = t * h.state().node_rect(&name).unwrap();
                    assert!(
                        canvas.expand(1.0).contains_rect(r),
                        "{size:?} {}: {key}: {name} at {r:?} is outside the canvas {canvas:?}",
                        b.display()
                    );
                    assert!(
                        !controls.intersects(r),
                        "{size:?} {}: {key}: {name} at {r:?} is under the zoom controls {controls:?}",
                        b.display()
                    );
                }
                // Every wire as drawn keeps out of every node as drawn.
                let graph = h.state().state.graph.clone().unwrap();
                let paths = h.state().wire_paths().to_vec();
                assert_eq!(paths.len(), graph.edges.len());
                for (e, path) in graph.edges.iter().zip(&paths) {
                    for n in &graph.nodes {
                        let r = h.state().node_rect(&n.name).unwrap();
                        let frame = zis_studio::core::route::Bounds {
                            min: [r.min.x, r.min.y],
                            max: [r.max.x, r.max.y],
                        };
                        assert!(
                            !zis_studio::core::route::crosses(path, &frame),
                            "{size:?} {}: {key}: the wire {} → {} runs through {}: {path:?} {r:?}",
                            b.display(),
                            graph.nodes[e.from].name,
                            graph.nodes[e.to].name,
                            n.name
                        );
                    }
                }
                flows += 1;
            }
        }
    }
    assert!(flows >= 10, "{flows} flows checked");
}

#[test]
fn the_zoom_controls_zoom_out_in_and_back_to_100_percent() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run_steps(3);
    let scale = |h: &Harness<'static, StudioApp>| h.state().graph_transform().unwrap().scaling;
    let fitted = scale(&h);
    h.get_by_label("100 %").click();
    h.run_steps(3);
    assert!((scale(&h) - 1.0).abs() < 1e-3, "{}", scale(&h));
    h.get_by_label("Zoom out").click();
    h.run_steps(3);
    assert!((scale(&h) - 0.8).abs() < 1e-3, "{}", scale(&h));
    for _ in 0..16 {
        h.get_by_label("Zoom out").click();
        h.run_steps(3);
    }
    assert!(
        (scale(&h) - 0.05).abs() < 1e-3,
        "stops at 5 %: {}",
        scale(&h)
    );
    h.get_by_label("5 %");
    h.get_by_label("Zoom in").click();
    h.run_steps(3);
    assert!(scale(&h) > 0.05);
    h.get_by_label("Fit all").click();
    h.run_steps(3);
    h.run_steps(3);
    // Back to about the zoom the flow opened at (now from the drawn frames), every node
    // in view and the flow as large as fits: it spans most of the canvas one way.
    assert!(
        (scale(&h) - fitted).abs() < 0.05 * fitted,
        "{} vs {fitted}",
        scale(&h)
    );
    let t = h.state().graph_transform().unwrap();
    let canvas = h.state().canvas_rect().unwrap();
    let mut all = egui::Rect::NOTHING;
    for n in &h.state().state.graph.as_ref().unwrap().nodes {
        let r = t * h.state().node_rect(&n.name).unwrap();
        assert!(canvas.expand(1.0).contains_rect(r), "{} at {r:?}", n.name);
        all = all.union(r);
    }
    assert!(
        all.width() > 0.75 * canvas.width() || all.height() > 0.75 * canvas.height(),
        "fit leaves the flow small: {all:?} in {canvas:?}"
    );
}

#[test]
fn zoomed_out_far_nodes_show_their_names_large_enough_to_read_and_select_on_click() {
    let mut h = harness(sample("jira_issue_sync.json"));
    // The states table lists the same names.
    h.state_mut().panels.inspector = false;
    h.run_steps(3);
    h.get_by_label("100 %").click();
    h.run_steps(3);
    for _ in 0..6 {
        h.get_by_label("Zoom out").click();
        h.run_steps(3);
    }
    let t = h.state().graph_transform().unwrap();
    assert!(
        t.scaling < zis_studio::ui::graph::FAR,
        "far view: {}",
        t.scaling
    );
    // A long name breaks at its words rather than shrinking below 9 points on screen.
    let name = h.get_by_label("PickTransition");
    let on_screen = t * name.rect();
    assert!(on_screen.height() >= 9.0, "{on_screen:?}");
    // A click with the mouse on the name.
    h.hover_at(on_screen.center());
    h.run_steps(2);
    h.drag_at(on_screen.center());
    h.run_steps(1);
    h.drop_at(on_screen.center());
    h.run_steps(3);
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some("PickTransition")
    );
}

#[test]
fn at_1024x640_1280x800_and_1920x1080_canvas_inspector_and_dock_stay_usable() {
    for (w, hgt) in [(1024.0, 640.0), (1280.0, 800.0), (1920.0, 1080.0)] {
        let mut h = harness_sized(
            &sample("jira_issue_sync.json"),
            tempfile::tempdir().unwrap().keep(),
            egui::vec2(w, hgt),
        );
        h.run_steps(3);
        // The Debugger tab asks the dock for the most room.
        h.get_by_label("Debugger").click();
        h.run_steps(4);
        let canvas = h.state().canvas_rect().unwrap();
        let inspector = h.state().panel_rect("inspector").unwrap();
        let explorer = h.state().panel_rect("explorer").unwrap();
        let dock = h.state().panel_rect("dock").unwrap();
        let at = format!("{w}x{hgt}: canvas {canvas:?}, inspector {inspector:?}, dock {dock:?}");
        assert!(
            canvas.width() >= 0.45 * w && canvas.height() >= 200.0,
            "{at}"
        );
        assert!(
            inspector.width() >= 260.0 && inspector.height() >= 280.0,
            "{at}"
        );
        assert!(explorer.width() >= 160.0, "{at}");
        assert!(
            dock.height() >= 150.0 && dock.height() <= 0.5 * hgt + 1.0,
            "{at}"
        );
        // Nothing overlaps and nothing leaves the window.
        assert!(canvas.bottom() <= dock.top() + 1.0, "{at}");
        assert!(canvas.right() <= inspector.left() + 1.0, "{at}");
        assert!(canvas.left() >= explorer.right() - 1.0, "{at}");
        assert!(dock.bottom() <= hgt && inspector.right() <= w + 1.0, "{at}");
    }
}

#[test]
fn a_click_anywhere_on_a_node_selects_it() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run_steps(3);
    h.get_by_label("100 %").click();
    h.run_steps(3);
    let canvas = h.state().canvas_rect().unwrap();
    let t = h.state().graph_transform().unwrap();
    // A state whose node is in view at 100 %, clicked in its body, not its title.
    let name = h
        .state()
        .state
        .graph
        .as_ref()
        .unwrap()
        .nodes
        .iter()
        .map(|n| n.name.clone())
        .find(|n| {
            h.state()
                .node_rect(n)
                .is_some_and(|r| canvas.contains_rect(t * r))
        })
        .expect("a node in view");
    let r = t * h.state().node_rect(&name).unwrap();
    let at = egui::pos2(r.center().x, r.bottom() - 6.0);
    h.hover_at(at);
    h.run_steps(2);
    h.drag_at(at);
    h.run_steps(1);
    h.drop_at(at);
    h.run_steps(3);
    assert_eq!(
        h.state().state.selected_state.as_deref(),
        Some(name.as_str())
    );
}

#[test]
fn the_minimap_shows_the_flow_moves_the_view_on_click_and_can_be_switched_off() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run_steps(3);
    // The whole flow in view: nothing to find, the minimap stays out of the way.
    assert!(h.query_by_label("Minimap of the flow").is_none());
    h.get_by_label("100 %").click();
    h.run_steps(3);
    let centre = |h: &Harness<'static, StudioApp>| {
        let t = h.state().graph_transform().unwrap();
        t.inverse() * h.state().canvas_rect().unwrap().center()
    };
    let before = centre(&h);
    // A click near the minimap's right edge brings the flow's right end into view.
    let map = h.get_by_label("Minimap of the flow").rect();
    let at = egui::pos2(map.right() - 6.0, map.center().y);
    h.hover_at(at);
    h.run_steps(2);
    h.drag_at(at);
    h.run_steps(1);
    h.drop_at(at);
    h.run_steps(3);
    let after = centre(&h);
    assert!(after.x > before.x + 200.0, "{before:?} -> {after:?}");
    // The click on the minimap selected no state.
    assert_eq!(h.state().state.selected_state, None);
    // Off from its switch in the corner, on again with Ctrl+M.
    h.get_by_label("Minimap").click();
    h.run_steps(3);
    assert!(h.query_by_label("Minimap of the flow").is_none());
    assert!(!h.state().panels.minimap);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::M);
    h.run_steps(3);
    h.get_by_label("Minimap of the flow");
}

#[test]
fn parameter_rows_use_the_panel_width_and_long_values_get_a_multi_line_editor() {
    use egui::accesskit::Role;
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run_steps(3);
    h.state_mut()
        .state
        .apply(zis_studio::app::ViewCommand::SelectState(Some(
            "BuildMessage".into(),
        )));
    h.run_steps(3);
    let inspector = h.state().panel_rect("inspector").unwrap();
    // The jq program is long: a wrapped editor of its own, the inspector's width.
    let expr = h.get_by_role_and_label(Role::TextInput, "expr").rect();
    assert!(
        expr.width() >= 0.8 * inspector.width(),
        "{expr:?} in {inspector:?}"
    );
    assert!(expr.height() >= 60.0, "several rows: {expr:?}");
    // A short value takes the rest of its row.
    let data = h.get_by_role_and_label(Role::TextInput, "data.$").rect();
    assert!(
        data.width() >= 0.4 * inspector.width(),
        "{data:?} in {inspector:?}"
    );
    type_into(&mut h, "data.$", "$.input");
    h.run_steps(2);
    let at = "/resources/notify_urgent/properties/definition/States/BuildMessage/Parameters";
    assert_eq!(
        value_at(&h, &format!("{at}/data.$")),
        Some(serde_json::json!("$.input"))
    );
    h.get_by_label("Remove data.$").click();
    h.run_steps(2);
    assert_eq!(value_at(&h, &format!("{at}/data.$")), None);
    assert!(value_at(&h, &format!("{at}/expr")).is_some());
}

#[test]
fn the_rule_labels_of_every_choice_in_every_sample_and_public_bundle_differ_and_are_drawn_whole() {
    use zis_studio::core::edit::Port;
    use zis_studio::core::graph::clip_label;
    let bundles = sample_and_public_bundles();
    let mut choices = 0;
    for b in bundles {
        let mut state = AppState::new(tempfile::tempdir().unwrap().keep());
        state.open(&b);
        let flows: Vec<String> = state
            .rows
            .iter()
            .filter(|r| r.kind == zis_studio::app::ResourceKind::Flow)
            .map(|r| r.key.clone())
            .collect();
        for flow in flows {
            state.apply(zis_studio::app::ViewCommand::Select(flow.clone()));
            let graph = state.graph.as_ref().unwrap();
            // No output label is cut: each is drawn whole.
            for node in &graph.nodes {
                for p in &node.ports {
                    assert_eq!(clip_label(&p.label), p.label, "{}: {flow}", b.display());
                }
            }
            for node in graph.nodes.iter().filter(|n| n.type_name == "Choice") {
                let shown: Vec<String> = node
                    .ports
                    .iter()
                    .filter(|p| matches!(p.port, Port::Rule(_)))
                    .map(|p| clip_label(&p.label))
                    .collect();
                let mut unique = shown.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(
                    unique.len(),
                    shown.len(),
                    "{}: {flow}: {}: {shown:?}",
                    b.display(),
                    node.name
                );
                choices += 1;
            }
        }
    }
    assert!(choices >= 5, "{choices} Choice states checked");
}

#[test]
fn ctrl_scroll_zooms_around_the_pointer() {
    let mut h = harness(sample("jira_issue_sync.json"));
    h.run_steps(3);
    h.get_by_label("100 %").click();
    h.run_steps(3);
    let canvas = h.state().canvas_rect().unwrap();
    let at = canvas.center() + egui::vec2(-150.0, 60.0);
    let t = h.state().graph_transform().unwrap();
    let under = t.inverse() * at;
    h.hover_at(at);
    h.run_steps(2);
    // Pinch-zoom and Ctrl+scroll both reach the canvas as a zoom.
    h.event(egui::Event::Zoom(0.8));
    h.run_steps(3);
    let t2 = h.state().graph_transform().unwrap();
    assert!(
        t2.scaling < t.scaling * 0.95,
        "{} -> {}",
        t.scaling,
        t2.scaling
    );
    // The point under the pointer stays under it.
    let now = t2 * under;
    assert!((now - at).length() < 2.0, "{at:?} -> {now:?}");
    // The wheel with Ctrl held zooms in the same way.
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, 2.0),
        phase: egui::TouchPhase::Move,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.run_steps(3);
    let t3 = h.state().graph_transform().unwrap();
    assert!(
        t3.scaling > t2.scaling * 1.02,
        "{} -> {}",
        t2.scaling,
        t3.scaling
    );
    let now = t3 * under;
    assert!((now - at).length() < 2.0, "{at:?} -> {now:?}");
}

/// Every sample bundle, then every public one (none without ../shared).
fn sample_and_public_bundles() -> Vec<PathBuf> {
    let mut bundles: Vec<PathBuf> =
        std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_bundles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.to_string_lossy();
                n.ends_with(".json")
                    && !n.ends_with(".tests.json")
                    && !n.ends_with(".zis-studio.json")
            })
            .collect();
    bundles.extend(crate::round_trip::public_bundles());
    bundles
}
