//! The shape of `$` in the window: inference's findings in the Problems list, path fields
//! that complete from the inferred shape, "Fuzz this flow" opening a failing case as a
//! session, and the data view marking values that are not the inferred shape.

use crate::harness::*;
use serde_json::{Value, json};
use zis_studio::app::DebugCommand;

/// Types into the first text field of that label (the state's ResultPath comes before its
/// Catch's).
fn type_first(h: &mut egui_kittest::Harness<'static, StudioApp>, label: &str, text: &str) {
    let role = egui::accesskit::Role::TextInput;
    h.query_all_by_role_and_label(role, label)
        .next()
        .unwrap()
        .focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    h.query_all_by_role_and_label(role, label)
        .next()
        .unwrap()
        .type_text(text);
    h.run();
}

const STATES: &str = "/resources/notify_urgent/properties/definition/States";

/// A path field of a state in the inspector: the state, the field's label, its pointer
/// under the flow's States.
struct Field {
    state: &'static str,
    label: &'static str,
    pointer: &'static str,
}

/// Selects the state, types `typed` into the field, picks the suggestion `pick` and checks
/// the field then holds `expected`.
fn complete(
    h: &mut egui_kittest::Harness<'static, StudioApp>,
    field: &Field,
    typed: &str,
    pick: &str,
    expected: &str,
) {
    h.state_mut()
        .state
        .apply(zis_studio::app::ViewCommand::SelectState(Some(
            field.state.into(),
        )));
    h.run();
    type_first(h, field.label, typed);
    h.get_by_label(pick).click_accesskit();
    h.run();
    assert_eq!(
        value_at(h, &format!("{STATES}/{}", field.pointer)),
        Some(json!(expected))
    );
}

#[test]
fn problems_name_the_event_and_a_path_field_completes_from_the_inferred_shape() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    *v.pointer_mut(&format!("{STATES}/IsUrgent/Choices/0/And/0/Variable"))
        .unwrap() = json!("$.input.ticket_event.ticket.priorty");
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let mut h = harness(file);
    h.run();
    h.get_by_label("Problems (1)");
    h.get_by_label_contains(
        "`$.input.ticket_event.ticket.priorty` is not in a support/ticket.TicketCreated event: `ticket` has `priority`",
    );
    assert!(
        h.state().state.graph.as_ref().is_some_and(|g| g
            .nodes
            .iter()
            .any(|n| n.name == "IsUrgent" && n.problems > 0)),
        "the graph marks the state"
    );
    // ResultPath of LoadSettings completes from `$` as the state receives it.
    let at = Field {
        state: "LoadSettings",
        label: "ResultPath",
        pointer: "LoadSettings/ResultPath",
    };
    complete(&mut h, &at, "$.inp", "input: object", "$.input");
    complete(
        &mut h,
        &at,
        "$.input.ticket_event.ticket.pri",
        "priority: string",
        "$.input.ticket_event.ticket.priority",
    );
    // Hovering the path shows its type and the value the flow's sample event has there.
    h.query_all_by_role_and_label(egui::accesskit::Role::TextInput, "ResultPath")
        .next()
        .unwrap()
        .hover();
    h.run();
    h.run();
    h.get_by_label_contains("$.input.ticket_event.ticket.priority: a string, one of \"low\", \"normal\", \"high\", \"urgent\", may be null\ne.g. \"urgent\"");
}

#[test]
fn fuzz_this_flow_opens_a_failing_case_and_the_data_view_marks_what_inference_did_not_expect() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("planted_bugs.json");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/planted_bugs.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(file);
    h.run();
    h.get_by_label("Debugger").click();
    h.run();
    h.get_by_label("Fuzz this flow").click();
    wait_for_worker(&mut h);
    h.get_by_label("200 variants of support/ticket.TicketCreated: 2 ways to fail");
    h.get_by_label_contains("Weigh failed with States.Runtime");
    h.get_by_label("/ticket_event/ticket/assignee_id = null");
    let weigh = h
        .state()
        .state
        .fuzz
        .as_ref()
        .unwrap()
        .failures
        .iter()
        .position(|f| f.state == "Weigh")
        .unwrap();
    h.get_by_label(&format!("Debug case {}", weigh + 1)).click();
    h.run();
    assert!(h.state().state.debug.is_some());
    assert!(
        h.state().state.debug_payload.as_ref().unwrap()["ticket_event"]["ticket"]["assignee_id"]
            .is_null()
    );
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let last = &s.steps.last().unwrap().event;
    assert_eq!(last.state, "Weigh");
    assert!(last.error.is_some());
    // The case's payload is an event ZIS could send: nothing marked.
    h.state_mut().state.apply(DebugCommand::DebugSelect(0));
    h.run();
    h.get_by_label("Weigh (Action)");
    assert!(
        h.query_by_label_contains("not the inferred shape of $ here")
            .is_none()
    );
    assert!(h.query_by_label_contains("⚠ priority").is_none());

    // A payload the schema does not allow: the data view says where.
    let mut payload = h.state().state.debug_payload.clone().unwrap();
    payload["ticket_event"]["ticket"]["priority"] = json!("archived");
    let state = &mut h.state_mut().state;
    state.apply(DebugCommand::DebugPayload(Some(payload.to_string())));
    state.apply(DebugCommand::DebugStart);
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.state_mut().state.apply(DebugCommand::DebugSelect(0));
    h.run();
    // Clicking the count shows the Before tree, opened down to the marked value.
    h.get_by_label("⚠ 1 value is not the inferred shape of $ here (marked in Before)")
        .click();
    h.run();
    h.get_by_label("⚠ priority: \"archived\"").scroll_to_me();
    h.run();
    h.get_by_label("⚠ priority: \"archived\"").hover();
    h.run();
    h.run();
    h.get_by_label_contains("\"archived\" is not one of");
}

#[test]
fn a_result_kept_from_a_run_tells_inference_what_a_jq_state_returns() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file.clone());
    h.run();
    let post = format!("{STATES}/PostToSlack");
    let message_fields = |h: &egui_kittest::Harness<'static, StudioApp>| -> Option<Vec<String>> {
        let shapes = h.state().state.shapes.as_ref()?;
        match &shapes.state(&post)?.input {
            zis_engine::shape::Shape::Object(o) => match &o.fields.get("message")?.shape {
                zis_engine::shape::Shape::Object(m) => Some(m.fields.keys().cloned().collect()),
                _ => None,
            },
            _ => None,
        }
    };
    assert_eq!(message_fields(&h), None, "a Jq result is unknown before");
    h.get_by_label("Debugger").click();
    h.run();
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let at = h
        .state()
        .state
        .debug
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .position(|s| s.event.state == "BuildMessage")
        .unwrap();
    h.state_mut().state.apply(DebugCommand::DebugSelect(at));
    h.run();
    h.get_by_label("Keep this result as the state's sample")
        .click();
    h.run();
    let sidecar =
        std::fs::read_to_string(zis_studio::core::graph::Sidecar::path_for(&file)).unwrap();
    assert!(sidecar.contains("notify_urgent/BuildMessage"), "{sidecar}");
    assert_eq!(
        message_fields(&h),
        Some(vec!["channel".to_string(), "text".to_string()])
    );
    // Now a misspelt read of the Jq result is found.
    h.state_mut()
        .state
        .apply(zis_studio::app::EditCommand::SetField {
            pointer: format!("{post}/Parameters/text.$"),
            value: Some(json!("$.message.txt")),
        });
    h.run();
    let d: Vec<String> = h
        .state()
        .state
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        d,
        ["`$.message.txt` cannot resolve here: `message` has `text`"]
    );
    h.get_by_label("Problems (1)");
}

#[test]
fn a_message_placeholder_and_a_parameter_path_complete_from_the_inferred_shape() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // A `{{ }}` placeholder in a Succeed Message completes where it is typed.
    let message = Field {
        state: "NotUrgent",
        label: "Message",
        pointer: "NotUrgent/Message",
    };
    complete(
        &mut h,
        &message,
        "Ticket {{$.input.ticket_event.ticket.sta",
        "status: string",
        "Ticket {{$.input.ticket_event.ticket.status",
    );
    // In the middle of the text, what is typed up to the cursor completes and the rest
    // stays.
    type_first(
        &mut h,
        "Message",
        "Ticket {{$.input.ticket_event.ticket.pri}} is not urgent",
    );
    for _ in 0.."}} is not urgent".len() {
        h.key_press(egui::Key::ArrowLeft);
    }
    h.run();
    h.get_by_label("priority: string").click_accesskit();
    h.run();
    assert_eq!(
        value_at(&h, &format!("{STATES}/NotUrgent/Message")),
        Some(json!(
            "Ticket {{$.input.ticket_event.ticket.priority}} is not urgent"
        ))
    );
    // A `.$` value of an Action's Parameters, labelled by its key.
    let data = Field {
        state: "BuildMessage",
        label: "data.$",
        pointer: "BuildMessage/Parameters/data.$",
    };
    complete(
        &mut h,
        &data,
        "$.input.ticket_event.ticket.ta",
        "tags: array",
        "$.input.ticket_event.ticket.tags",
    );
}

#[test]
fn a_path_in_a_rule_condition_completes_in_the_json_editor() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.state_mut()
        .state
        .apply(zis_studio::app::ViewCommand::SelectState(Some(
            "IsUrgent".into(),
        )));
    h.run();
    // The first rule is an And: its condition is edited as JSON.
    type_into(
        &mut h,
        "Condition",
        r#"{"Variable": "$.input.ticket_event.ticket.prio"#,
    );
    h.get_by_label("priority: string").click_accesskit();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::MultilineTextInput, "Condition")
        .type_text(r#"", "StringEquals": "low"}"#);
    h.run();
    assert_eq!(
        value_at(&h, &format!("{STATES}/IsUrgent/Choices/0")),
        Some(json!({"Variable": "$.input.ticket_event.ticket.priority",
                    "StringEquals": "low", "Next": "BuildMessage"}))
    );
}
