//! `zis-studio run` as a process: mocks by successive call (the request still rendered, no
//! connection needed, delays on the flow's clock), fixtures in the store, the JSON report,
//! the data folder's executions, stepping from stdin, and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Command, Stdio};

const BUNDLE: &str = r#"{"zis_template_version": "2019-10-14", "name": "acme", "description": "",
  "resources": {
  "get_ticket": {"type": "ZIS::Action::Http", "properties": {"name": "get_ticket",
    "definition": {"method": "GET", "url": "https://api.example.com/tickets/{{$.id}}",
      "connectionName": "api", "headers": [{"key": "X-Region", "value": "{{$.region}}"}]}}},
  "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
    "StartAt": "Load", "States": {
      "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
        "Parameters": {"scope": "settings"}, "ResultPath": "$.settings", "Next": "Get"},
      "Get": {"Type": "Action", "ActionName": "zis:acme:action:get_ticket",
        "Parameters": {"id.$": "$.input.ticket_event.ticket.id", "region.$": "$.settings.config.region"},
        "ResultPath": "$.ticket", "Next": "Done"},
      "Done": {"Type": "Succeed", "Message": "fetched {{$.ticket.subject}}"}}}}},
  "job": {"type": "ZIS::JobSpec", "properties": {"name": "job", "event_source": "support",
    "event_type": "ticket.TicketCreated", "flow_name": "zis:acme:flow:flow"}}}}"#;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn zis(args: &[&str], stdin: Option<&str>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut i = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            i.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn files(dir: &std::path::Path, mocks: Value, fixtures: Value) -> (String, String, String) {
    let (b, m, f) = (
        dir.join("b.json"),
        dir.join("mocks.json"),
        dir.join("fixtures.json"),
    );
    std::fs::write(&b, BUNDLE).unwrap();
    std::fs::write(&m, mocks.to_string()).unwrap();
    std::fs::write(&f, fixtures.to_string()).unwrap();
    let s = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
    (s(b), s(m), s(f))
}

fn settings() -> Value {
    json!({"configs": [{"scope": "settings", "config": {"region": "eu"}}]})
}

#[test]
fn mocks_answer_successive_calls_and_the_report_tells_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (b, m, f) = files(
        dir.path(),
        json!({"get_ticket": [{"status": 503}, {"status": 200, "body": {"subject": "Printer"}, "delay_secs": 2.5}]}),
        json!({"configs": [{"scope": "settings", "config": {"region": "eu"}}],
               "links": [{"link_type": "ticket_issue", "left_object": {"name": "zendesk:1"},
                          "right_object": {"name": "jira:A-1", "metadata": {"k": 1}}}],
               "connections": [{"name": "slack", "kind": "bearer_token", "token": "sekrit-123"},
                               {"name": "zendesk", "kind": "oauth", "access_token": "oauth-456",
                                "allowed_domain": "acme.zendesk.com"}]}),
    );
    let o = zis(
        &[
            "run",
            &b,
            "--flow",
            "flow",
            "--mocks",
            &m,
            "--fixtures",
            &f,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r: Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(r["status"], "succeeded");
    assert_eq!(r["attempts"], 2, "the 503 restarted the flow");
    assert_eq!(r["logs"][0]["text"], "fetched Printer");
    // Both calls are listed, rendered as they would be sent, and marked mocked; no
    // connection named "api" was needed.
    let calls = r["http_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    for c in calls {
        assert_eq!(c["mocked"], true);
        assert_eq!(c["url"], "https://api.example.com/tickets/812");
        assert!(c["headers"].to_string().contains("eu"), "{c}");
    }
    assert_eq!(calls[0]["status"], 503);
    assert_eq!(calls[1]["status"], 200);
    // Each step with its phases; the fixtures are in the store afterwards.
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps.last().unwrap()["state"], "Done");
    assert!(steps.iter().any(|s| s["attempt"] == 2));
    assert!(steps[1]["after_parameters"]["id"].is_number());
    assert_eq!(r["store"]["configs"]["settings"]["region"], "eu");
    assert_eq!(r["store"]["links"][0]["right"], "jira:A-1");
    // The envelope: the job spec's integration, the documented account, and the store's
    // OAuth connections (their tokens masked in what is printed).
    let start = &steps[0]["input"];
    assert_eq!(start["integration_key"], "acme");
    assert_eq!(start["account_id"], 4455667);
    assert_eq!(start["subdomain"], "acme");
    assert!(start["connections"]["zendesk"]["access_token"].is_string());
    assert!(!o.stdout.contains("oauth-456") && !o.stdout.contains("sekrit-123"));
    // The flow's clock: an answer that takes 120 seconds passes the flow's 100.
    let slow = dir.path().join("slow.json");
    std::fs::write(
        &slow,
        json!({"get_ticket": [{"body": {"subject": "late"}, "delay_secs": 120}]}).to_string(),
    )
    .unwrap();
    let o = zis(
        &[
            "run",
            &b,
            "--flow",
            "flow",
            "--mocks",
            slow.to_str().unwrap(),
            "--fixtures",
            &f,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    let r: Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(r["error"], "States.Timeout", "{r}");
}

#[test]
fn a_data_folder_keeps_the_run_and_bad_input_exits_2_with_where() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (b, m, f) = files(
        dir.path(),
        json!({"get_ticket": [{"body": {"subject": "x"}}]}),
        settings(),
    );
    let o = zis(
        &[
            "--data",
            data.to_str().unwrap(),
            "run",
            &b,
            "--flow",
            "flow",
            "--mocks",
            &m,
            "--fixtures",
            &f,
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("(mocked)"), "{}", o.stdout);
    assert!(o.stdout.contains("succeeded"), "{}", o.stdout);
    let o = zis(&["--data", data.to_str().unwrap(), "executions"], None);
    assert!(
        o.stdout.contains("flow"),
        "the run is recorded: {}",
        o.stdout
    );
    // A mocks file that is not JSON: its path, line and column.
    std::fs::write(&m, "{\n  \"get_ticket\": [oops]\n}").unwrap();
    let o = zis(&["run", &b, "--flow", "flow", "--mocks", &m], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("mocks.json:2:"), "{}", o.stderr);
    // A fixture without its kind.
    let f = dir.path().join("bad.json");
    std::fs::write(&f, r#"{"connections": [{"name": "api"}]}"#).unwrap();
    let o = zis(
        &[
            "run",
            &b,
            "--flow",
            "flow",
            "--fixtures",
            f.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("/connections/0/kind"), "{}", o.stderr);
}

#[test]
fn step_reads_commands_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (b, m, f) = files(
        dir.path(),
        json!({"get_ticket": [{"body": {"subject": "x"}}]}),
        settings(),
    );
    let o = zis(
        &[
            "run",
            &b,
            "--flow",
            "flow",
            "--mocks",
            &m,
            "--fixtures",
            &f,
            "--step",
        ],
        Some("p $.input.ticket_event.ticket.id\n\nb Done\nc\nc\n"),
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("paused before Load"), "{}", o.stderr);
    assert!(
        o.stderr.contains("  812"),
        "p prints the value: {}",
        o.stderr
    );
    assert!(o.stderr.contains("1. Load -> Get"), "{}", o.stderr);
    assert!(
        o.stderr.contains("stopped: breakpoint on Done"),
        "{}",
        o.stderr
    );
}

#[test]
fn path_actions_meet_a_fake_zendesk_and_an_event_must_be_an_object() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("z.json");
    std::fs::write(
        &b,
        r#"{"zis_template_version": "2019-10-14", "name": "z", "description": "", "resources": {
      "get": {"type": "ZIS::Action::Http", "properties": {"name": "get",
        "definition": {"method": "GET", "path": "/api/v2/tickets/1.json", "connectionName": "zendesk"}}},
      "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
        "StartAt": "Get", "States": {"Get": {"Type": "Action", "ActionName": "zis:z:action:get",
          "ResultPath": "$.t", "End": true}}}}}}}"#,
    )
    .unwrap();
    let b = b.to_str().unwrap();
    let f = dir.path().join("f.json");
    std::fs::write(
        &f,
        json!({"connections": [{"name": "zendesk", "kind": "oauth", "access_token": "tok",
                                "allowed_domain": "acme.zendesk.com"}]})
        .to_string(),
    )
    .unwrap();
    let o = zis(
        &[
            "run",
            b,
            "--flow",
            "flow",
            "--fixtures",
            f.to_str().unwrap(),
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r: Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(r["output"]["t"]["fake_zendesk"], true);
    assert_eq!(r["http_calls"][0]["status"], 200);
    // An event that is not an object: exit 2, saying what.
    let e = dir.path().join("e.json");
    std::fs::write(&e, "[1, 2]").unwrap();
    let o = zis(
        &["run", b, "--flow", "flow", "--event", e.to_str().unwrap()],
        None,
    );
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("input part of $"), "{}", o.stderr);
}
