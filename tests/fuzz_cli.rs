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
    // One change is enough: a priority no rule takes (null or "low", as the seed picks).
    assert!(
        text.contains("smallest case: /ticket_event/ticket/priority = null")
            || text.contains("smallest case: /ticket_event/ticket/priority = \"low\""),
        "{text}"
    );

    let (code, out) = fuzz(&planted(), dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["seed"], 1);
    let flow = &report["flows"][0];
    assert_eq!(flow["flow"], "triage");
    assert_eq!(flow["event"], "support/ticket.TicketCreated");
    assert_eq!(flow["runs"], 200);
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

/// Only the triage flow and its job spec.
fn triage_only() -> Value {
    let mut b = planted();
    b["resources"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k.starts_with("triage"));
    b
}

#[test]
fn validate_and_a_seeded_fuzz_run_both_find_each_planted_bug() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.json");
    std::fs::write(&file, serde_json::to_string_pretty(&planted()).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["validate", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String)> = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap() >= "W016")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at =
        |flow: &str, rest: &str| format!("/resources/{flow}/properties/definition/States/{rest}");
    assert_eq!(
        found,
        vec![
            (
                "W016".to_string(),
                at("misspelt", "Describe/Parameters/priority.$")
            ),
            (
                "W017".to_string(),
                at("maybe_null", "LoadSettings/Parameters/scope.$")
            ),
            (
                "W018".to_string(),
                at("string_equals", "IsVip/Choices/0/StringEquals")
            ),
        ]
    );
    let (code, out) = fuzz(&planted(), dir.path(), &["--format", "json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let failure = |flow: &str| -> (String, String) {
        let f = report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flow"] == flow)
            .unwrap();
        let first = &f["failures"][0];
        (
            first["state"].as_str().unwrap().to_string(),
            first["error"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        failure("misspelt"),
        ("Describe".into(), "States.Runtime".into())
    );
    assert_eq!(
        failure("maybe_null"),
        ("LoadSettings".into(), "States.Runtime".into())
    );
    assert_eq!(
        failure("string_equals"),
        ("IsVip".into(), "States.NoChoiceMatched".into())
    );
}

#[test]
fn a_flow_that_handles_every_variant_passes_and_a_webhook_without_a_sample_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = triage_only();
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
        text.contains(
            "ok    triage (support/ticket.TicketCreated): the sample and 200 variants, 0 failure groups"
        ),
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

#[test]
fn a_webhook_flow_is_fuzzed_on_the_payload_saved_in_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let file = dir.path().join("shipment_updates.json");
    std::fs::copy(root.join("sample_bundles/shipment_updates.json"), &file).unwrap();
    // An event saved from the debugger's payload editor gives the webhook its shape.
    let sidecar = zis_studio::core::sidecar::Sidecar {
        events: [(
            "delivered".to_string(),
            zis_studio::core::sidecar::SavedEvent {
                source: "shipco".into(),
                event_type: "shipment_update".into(),
                payload: json!({"ticket_id": 812, "state": "delivered", "signed": true, "delay_hours": 0}),
            },
        )]
        .into(),
        ..Default::default()
    };
    sidecar.save(&file).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["test", "--fuzz", "100", "--seed", "3", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flow = &report["flows"][0];
    assert_eq!(flow["event"], "shipco/shipment_update", "{report}");
    assert!(flow.get("skipped").is_none(), "{report}");
    assert_eq!(flow["runs"], 100);
    // Every field of a webhook payload may be absent: some variant drops one the flow needs.
    let absent = flow["failures"].as_array().unwrap().iter().any(|f| {
        f["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().ends_with(" absent"))
    });
    assert!(absent, "{report}");
}

#[test]
fn without_a_path_the_bundles_of_the_current_folder_are_fuzzed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("planted.json"),
        serde_json::to_string_pretty(&planted()).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("planted.tests.json"), "{\"tests\": []}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["test", "--fuzz", "50"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  triage (support/ticket.TicketCreated): the sample and 50 variants"),
        "{text}"
    );
    assert!(
        text.contains("4 flows fuzzed with seed 1, 4 failing"),
        "{text}"
    );
}
