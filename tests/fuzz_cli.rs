//! `zis-studio test --fuzz`: planted bugs found by a seeded run, each failure group with the
//! smallest failing payload, the same seed giving the same report, and exit 1.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn planted() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/planted_bugs.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const STATES: &str = "/resources/triage/properties/definition/States";

fn fuzz(bundle: &Value, dir: &Path, extra: &[&str]) -> (i32, String) {
    let file = dir.join("b.json");
    std::fs::write(&file, serde_json::to_string_pretty(bundle).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["test", "--fuzz", "200", "--seed", "1"])
        .args(extra)
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_seeded_fuzz_run_finds_the_planted_bugs_with_their_smallest_payloads() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = fuzz(&planted(), dir.path(), &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Weigh failed with States.Runtime"), "{text}");
    assert!(
        text.contains("smallest case: /ticket_event/ticket/assignee_id = null"),
        "{text}"
    );
    assert!(
        text.contains("ByPriority failed with States.NoChoiceMatched"),
        "{text}"
    );
    assert!(
        text.contains("smallest case: /ticket_event/ticket/priority = \"low\""),
        "{text}"
    );

    let (code, out) = fuzz(&planted(), dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["seed"], 1);
    let flow = &report["flows"][0];
    assert_eq!(flow["event"], "support/ticket.TicketCreated");
    assert_eq!(flow["runs"], 201);
    let weigh = flow["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["state"] == "Weigh")
        .unwrap();
    assert_eq!(
        weigh["changes"],
        json!(["/ticket_event/ticket/assignee_id = null"])
    );
    assert!(weigh["payload"]["ticket_event"]["ticket"]["assignee_id"].is_null());
    assert_eq!(
        weigh["payload"]["ticket_event"]["ticket"]["priority"],
        "urgent"
    );
    // The same seed gives the same report.
    assert_eq!(fuzz(&planted(), dir.path(), &["--format", "json"]).1, out);
}

#[test]
fn a_misspelt_field_and_a_number_compared_with_string_equals_fail_on_the_sample_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = planted();
    *b.pointer_mut(&format!("{STATES}/Weigh/Parameters/data/assignee.$"))
        .unwrap() = json!("$.input.ticket_event.ticket.asignee_id");
    let (code, text) = fuzz(&b, dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(text.contains("Weigh failed with States.Runtime"), "{text}");
    assert!(text.contains("asignee_id"), "{text}");
    assert!(
        text.contains("smallest case: the catalog sample itself"),
        "{text}"
    );

    let mut b = planted();
    *b.pointer_mut(&format!("{STATES}/ByPriority/Choices"))
        .unwrap() = json!([
        {"Variable": "$.input.ticket_event.ticket.requester_id", "StringEquals": "9001", "Next": "Done"}
    ]);
    *b.pointer_mut(&format!("{STATES}/Weigh/Parameters/expr"))
        .unwrap() = json!(".assignee");
    let (code, text) = fuzz(&b, dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        text.contains("ByPriority failed with States.NoChoiceMatched"),
        "{text}"
    );
    assert!(
        text.contains("smallest case: the catalog sample itself"),
        "{text}"
    );
}

#[test]
fn a_flow_that_handles_every_variant_passes_and_a_webhook_without_a_sample_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = planted();
    *b.pointer_mut(&format!("{STATES}/Weigh/Parameters/expr"))
        .unwrap() = json!("(.assignee // 0) * 2");
    b.pointer_mut(&format!("{STATES}/ByPriority"))
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("Default".into(), json!("Done"));
    let (code, text) = fuzz(&b, dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("ok    triage (support/ticket.TicketCreated): 201 runs, 0 failure groups"),
        "{text}"
    );

    b["resources"]["triage_job"]["properties"]["event_source"] = json!("shopco");
    let (code, text) = fuzz(&b, dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("skip  triage (shopco/ticket.TicketCreated)"),
        "{text}"
    );
}
