//! `zis-studio events list|sample` and `inject`, as processes: the catalog, a sample with
//! values set, and an event queued in a data folder or sent to a running server.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::Value;
use std::process::Command;
use std::sync::Arc;

fn zis(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_catalog_is_listed_and_samples_take_values() {
    let (code, out, _) = zis(&["events", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("support/ticket.TicketCreated"), "{out}");
    let (_, out, _) = zis(&["events", "list", "--format", "json"]);
    let list: Vec<Value> = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(list.len(), zis_services::catalog::EVENTS.len());
    assert!(
        list.iter()
            .all(|e| e["source"].is_string() && e["about"].is_string())
    );
    let (code, out, err) = zis(&[
        "events",
        "sample",
        "support/ticket.PriorityChanged",
        "--set",
        "ticket_event.ticket.priority=\"low\"",
        "--set",
        "ticket_event.ticket.tags=[]",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ticket_event"]["ticket"]["priority"], "low");
    // A value ZIS never sends is set, with a warning from the schema.
    let (code, out, err) = zis(&[
        "events",
        "sample",
        "support/ticket.PriorityChanged",
        "--set",
        "ticket_event.ticket.priority=\"archived\"",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("archived"));
    assert!(
        err.contains("warning: not a support/ticket.PriorityChanged event as ZIS sends it: /ticket_event/ticket/priority: \"archived\" is not one of"),
        "{err}"
    );
    assert_eq!(v["ticket_event"]["ticket"]["tags"], serde_json::json!([]));
    let (code, out, _) = zis(&["events", "schema", "support/ticket.StatusChanged"]);
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&out).unwrap();
    let body = &schema["properties"]["ticket_event"]["properties"];
    assert!(
        body["current"]["enum"]
            .as_array()
            .unwrap()
            .contains(&"solved".into())
    );
    assert_eq!(
        body["ticket"]["properties"]["assignee_id"]["nullable"],
        true
    );
    let (code, _, err) = zis(&["events", "sample", "support/ticket.Nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not in the event catalog"), "{err}");
}

#[test]
fn inject_queues_in_a_data_folder_or_sends_to_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, out, err) = zis(&[
        "--data",
        data,
        "inject",
        "support/ticket.TicketCreated",
        "--set",
        "ticket_event.ticket.priority=low",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"accepted\""), "{out}");
    let db = zis_services::db::Db::open(&dir.path().join("zis-studio.sqlite")).unwrap();
    let events = db.events(10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].input["ticket_event"]["ticket"]["priority"], "low");
    // A running server on 127.0.0.1.
    let sdir = tempfile::tempdir().unwrap();
    let sdb = zis_services::db::Db::open(&sdir.path().join("db.sqlite")).unwrap();
    let running = zis_services::server::start(
        Arc::new(sdb),
        "tok-123".into(),
        0,
        zis_services::dispatch::DispatchSettings::default(),
    )
    .unwrap();
    let (code, out, err) = zis(&[
        "inject",
        "support/ticket.StatusChanged",
        "--server",
        &running.base_url,
        "--token",
        "tok-123",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("accepted"), "{out}");
    let (code, _, err) = zis(&[
        "inject",
        "support/ticket.StatusChanged",
        "--server",
        &running.base_url,
        "--token",
        "wrong",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("401"), "{err}");
    // Scripts that use Zendesk API-token basic auth work against serve too.
    let key = zis_services::server::basic_api_token("tok-123");
    let login = tempfile::tempdir().unwrap();
    let (code, out, err) = zis(&[
        "login",
        "--base-url",
        &running.base_url,
        "--email",
        "admin@example.com",
        "--token",
        &key,
        "--data",
        login.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    running.stop();
}

#[test]
fn a_closed_pipe_is_not_a_crash_and_webhook_types_need_their_payload() {
    use std::io::Read as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["events", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(status.code(), Some(101), "{err}");
    // An inbound webhook's type is not in the catalog: fine with --payload.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wh.json");
    std::fs::write(&p, r#"{"order": 7}"#).unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, out, err) = zis(&[
        "--data",
        data,
        "inject",
        "shopco/order_update",
        "--payload",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("shopco/order_update"), "{out}");
    let (code, _, err) = zis(&["--data", data, "inject", "shopco/order_update"]);
    assert_eq!(code, 2);
    assert!(err.contains("--payload"), "{err}");
}
