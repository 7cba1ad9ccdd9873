//! One way to run a flow, nothing leaked: a flow that copies an OAuth connection's access
//! token into its output and into a Fail cause runs from a window session, through the
//! dispatcher and as a flow test, all on one data folder; then every table (except the
//! connection's own row) and every other file of the folder is searched for the token.

use crate::app::{AppState, DebugCommand};
use serde_json::{Value, json};
use std::path::Path;
use zis_services::db::{ConnectionKind, Db};
use zis_services::dispatch::{self, DispatchSettings};

const TOKEN: &str = "tok-3f9a2c7e-SECRET";

fn bundle() -> Value {
    json!({
      "zis_template_version": "2019-10-14",
      "name": "leak",
      "resources": {
        "leak_flow": {"type": "ZIS::Flow", "properties": {"name": "leak_flow", "definition": {
          "StartAt": "Choose",
          "States": {
            "Choose": {"Type": "Choice",
              "Choices": [{"Variable": "$.input.fail", "BooleanEquals": true, "Next": "Boom"}],
              "Default": "Copy"},
            "Copy": {"Type": "Pass",
              "Parameters": {"token.$": "$.connections.zendesk.access_token"}, "End": true},
            "Boom": {"Type": "Fail", "Error": "Leak",
              "Cause": "the token is {{$.connections.zendesk.access_token}}"}
          }}}},
        "leak_job": {"type": "ZIS::JobSpec", "properties": {"name": "leak_job",
          "event_source": "acme", "event_type": "poke", "flow_name": "zis:acme:flow:leak_flow"}}
      }
    })
}

/// Every text of every row of every table, but the connection's own row.
fn table_hits(db_path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db_path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(tables.contains(&"executions".to_string()), "{tables:?}");
    let mut hits = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Text(b)
                            | rusqlite::types::ValueRef::Blob(b) => {
                                String::from_utf8_lossy(b).to_string()
                            }
                            other => format!("{other:?}"),
                        })
                    })
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .unwrap();
        for row in rows {
            let row = row.unwrap();
            let own = t == "connections" && row.iter().any(|c| c == "zendesk");
            if !own && row.iter().any(|c| c.contains(TOKEN)) {
                hits.push(format!("{t}: {row:?}"));
            }
        }
    }
    hits
}

/// Every file of the folder but the database itself, searched byte for byte.
fn file_hits(dir: &Path) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("zis-studio.sqlite")
            {
                let bytes = std::fs::read(&p).unwrap();
                if String::from_utf8_lossy(&bytes).contains(TOKEN) {
                    hits.push(p.display().to_string());
                }
            }
        }
    }
    hits
}

fn executions(db_path: &Path) -> usize {
    Db::open(db_path).unwrap().executions(100).unwrap().len()
}

#[test]
fn a_token_copied_into_output_and_cause_is_stored_nowhere() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let db_path = crate::core::data_dir::db_path(data.path());
    {
        let db = Db::open(&db_path).unwrap();
        db.create_integration("acme", "").unwrap();
        db.put_connection(
            "acme",
            ConnectionKind::Oauth,
            "zendesk",
            "",
            &json!({"access_token": TOKEN}),
        )
        .unwrap();
    }
    let bundle_path = files.path().join("leak.json");
    std::fs::write(
        &bundle_path,
        serde_json::to_string_pretty(&bundle()).unwrap(),
    )
    .unwrap();

    // 1. The window: a session to the end on each branch, recorded when it ends.
    let mut state = AppState::new(data.path().to_path_buf());
    state.open(&bundle_path);
    for fail in [false, true] {
        state.apply(DebugCommand::DebugEvent("acme".into(), "poke".into()));
        state.apply(DebugCommand::DebugPayload(Some(
            json!({"fail": fail}).to_string(),
        )));
        state.apply(DebugCommand::Run);
        let s = state.debug.as_mut().unwrap();
        s.wait();
        let got = format!("{:?}", s.status());
        assert!(got.contains(TOKEN), "the run itself sees the token: {got}");
        state.debug.as_mut().unwrap().record_now(&db_path).unwrap();
    }
    assert_eq!(executions(&db_path), 2);

    // 2. The dispatcher: the bundle uploaded, its job spec installed, two events.
    {
        let db = Db::open(&db_path).unwrap();
        db.upload_bundle("acme", &bundle()).unwrap();
        db.set_installed("zis:acme:job_spec:leak_job", true)
            .unwrap();
        let settings = DispatchSettings::default();
        for fail in [false, true] {
            dispatch::accept(
                &db,
                &settings,
                None,
                "acme",
                "poke",
                &json!({"fail": fail}),
                "test",
            )
            .unwrap();
        }
        let delivered = dispatch::drain(&db, &settings).unwrap();
        assert_eq!(
            delivered.iter().map(|d| d.executions.len()).sum::<usize>(),
            2
        );
    }
    assert_eq!(executions(&db_path), 4);

    // 3. Flow tests on the same folder (their connection holds the same token).
    for fail in [false, true] {
        let t: crate::core::flowtest::FlowTest = serde_json::from_value(json!({
            "name": format!("fail {fail}"),
            "flow": "leak_flow",
            "event": {"type": "acme/poke", "payload": {"fail": fail}},
            "connections": {"zendesk": TOKEN},
            "expect": {"status": "succeeded", "output": {"$.token": "not the token"}}
        }))
        .unwrap();
        let outcome =
            crate::core::flowtest::run_test_in(Some(data.path()), &bundle_path, &bundle(), &t);
        assert!(
            !outcome.failures.is_empty(),
            "the expectations are wrong on purpose"
        );
        for f in &outcome.failures {
            assert!(!f.contains(TOKEN), "a failure message shows the token: {f}");
        }
    }
    assert_eq!(executions(&db_path), 6);

    // Window state files too (preferences, sidecar, recovery copies).
    state.tick();
    assert_eq!(table_hits(&db_path), Vec::<String>::new());
    assert_eq!(file_hits(data.path()), Vec::<String>::new());
    assert_eq!(file_hits(files.path()), Vec::<String>::new());
}
