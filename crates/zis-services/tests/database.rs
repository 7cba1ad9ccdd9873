//! The SQLite database on a real file: migrations, persistence across opens, secrets that
//! never come back out, wildcard configs, link pagination, and the engine's built-in
//! actions reading and writing it through a flow.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::actions::{LinkObject, LinkQuery};
use zis_engine::run::execution::Status;
use zis_services::db::{ConnectionKind, Db, ServiceError};
use zis_services::dispatch::{self, DispatchSettings};

fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    (dir, db)
}

#[test]
fn schema_is_migrated_and_data_survives_reopening() {
    let (dir, db) = db();
    assert_eq!(db.schema_version().unwrap(), 4);
    db.create_integration("acme", "test").unwrap();
    db.put_config("acme", "settings", &json!({"a": 1})).unwrap();
    drop(db);
    let again = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    assert_eq!(again.schema_version().unwrap(), 4);
    assert_eq!(
        again.config("acme", "settings").unwrap().unwrap()["config"],
        json!({"a": 1})
    );
    let mode: String = rusqlite_journal_mode(&dir.path().join("zis.sqlite"));
    assert_eq!(mode, "wal");
    assert!(matches!(
        again.create_integration("acme", "twice"),
        Err(ServiceError::Conflict(_))
    ));
}

fn rusqlite_journal_mode(path: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_newer_schema_is_refused_without_touching_it() {
    let (dir, db) = db();
    db.create_integration("acme", "kept").unwrap();
    drop(db);
    let path = dir.path().join("zis.sqlite");
    // Pretend a newer ZIS Studio wrote this file.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    let Err(e) = Db::open(&path) else {
        panic!("opened a newer schema")
    };
    assert!(e.to_string().contains("newer"), "{e}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (version, desc): (i64, String) = conn
        .query_row(
            "SELECT (SELECT version FROM schema_version), description FROM integrations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version, desc.as_str()), (99, "kept"));
}

#[test]
fn secrets_stay_in_the_database() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    let shown = db
        .put_connection(
            "acme",
            ConnectionKind::BearerToken,
            "slack",
            "slack.com",
            &json!({"token": "xoxb-very-secret"}),
        )
        .unwrap();
    assert_eq!(shown["bearer_token"]["token"], "*****");
    assert_eq!(shown["bearer_token"]["allowed_domain"], "slack.com");
    let all = db.connections_public("acme").unwrap();
    assert_eq!(all["bearer_token"][0]["token"], "*****");
    assert!(!all.to_string().contains("xoxb-very-secret"));
    // The executor can read it.
    let c = db.connection("acme", "slack").unwrap().unwrap();
    assert_eq!(c.data["token"], "xoxb-very-secret");
    // Names are unique across kinds.
    let e = db
        .put_connection(
            "acme",
            ConnectionKind::ApiKey,
            "slack",
            "",
            &json!({"api_key": "k", "header_name": "X-Key"}),
        )
        .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e}");
    // Bad names and missing secrets are refused.
    assert!(
        db.put_connection(
            "acme",
            ConnectionKind::BearerToken,
            "x",
            "",
            &json!({"token": "t"})
        )
        .is_err()
    );
    assert!(
        db.put_connection(
            "acme",
            ConnectionKind::BasicAuth,
            "jira",
            "",
            &json!({"username": "u"})
        )
        .is_err()
    );
    // Redaction masks substrings and keys too.
    let secrets = db.secrets("acme").unwrap();
    let red = Db::redact(
        &json!({"h": "Bearer xoxb-very-secret", "xoxb-very-secret": 1}),
        &secrets,
    );
    assert_eq!(red, json!({"h": "Bearer *****", "*****": 1}));
}

#[test]
fn configs_match_wildcards_and_links_paginate() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    db.create_config("acme", "shop:eu", &json!({"n": 1}))
        .unwrap();
    db.create_config("acme", "shop:us", &json!({"n": 2}))
        .unwrap();
    db.create_config("acme", "other", &json!({})).unwrap();
    let found: Vec<String> = db
        .configs("acme", "shop:*")
        .unwrap()
        .iter()
        .map(|c| c["scope"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found, ["shop:eu", "shop:us"]);
    assert!(matches!(
        db.create_config("acme", "other", &json!({})),
        Err(ServiceError::Conflict(_))
    ));
    for i in 0..25 {
        db.create_link(
            "acme",
            "ticket_issue",
            &LinkObject {
                name: format!("{i}"),
                metadata: None,
            },
            &LinkObject {
                name: format!("SUP-{i}"),
                metadata: Some(json!({"i": i})),
            },
        )
        .unwrap();
    }
    let mut q = LinkQuery {
        link_type: "ticket_issue".into(),
        left: Some("*".into()),
        right: None,
        page_size: 10,
        after: None,
        before: None,
    };
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let (links, more) = db.query_links("acme", &q).unwrap();
        seen += links.len();
        pages += 1;
        if !more {
            break;
        }
        q.after = links.last().map(|l| l.id.clone());
    }
    assert_eq!((seen, pages), (25, 3));
    let q = LinkQuery {
        link_type: "ticket_issue".into(),
        left: None,
        right: Some("SUP-1*".into()),
        page_size: 100,
        after: None,
        before: None,
    };
    assert_eq!(db.query_links("acme", &q).unwrap().0.len(), 11);
}

#[test]
fn built_in_actions_use_the_database() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    db.create_config(
        "acme",
        "settings",
        &json!({"keep": true, "nested": {"a": 1, "b": 2}}),
    )
    .unwrap();
    let bundle = json!({"zis_template_version": "2019-10-14", "name": "b", "resources": {}});
    let def = json!({"StartAt": "Load", "States": {
        "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig", "Parameters": {"scope": "settings"}, "ResultPath": "$.cfg", "Next": "Patch"},
        "Patch": {"Type": "Action", "ActionName": "zis:common:action:PatchConfig",
                  "Parameters": {"scope": "settings", "config": {"nested": {"b": null, "c.$": "$.input.c"}}}, "ResultPath": null, "Next": "Link"},
        "Link": {"Type": "Action", "ActionName": "zis:common:action:CreateLink",
                 "Parameters": {"link_type": "t2i", "left_object": {"name.$": "$.input.ticket"}, "right_object": {"name": "SUP-1"}}, "ResultPath": "$.link", "Next": "Find"},
        "Find": {"Type": "Action", "ActionName": "zis:common:action:LoadLinks",
                 "Parameters": {"link_type": "t2i", "left_object_name": "7*"}, "ResultPath": "$.found", "End": true}}});
    let input = dispatch::flow_input(
        &db,
        &Default::default(),
        "acme",
        &json!({"c": 3, "ticket": "77"}),
    )
    .unwrap();
    let (status, events, _) = dispatch::run_flow(
        &db,
        &DispatchSettings::default(),
        "acme",
        &bundle,
        def,
        input,
    );
    let Status::Succeeded { output } = status else {
        panic!("{status:?} {events:?}")
    };
    assert_eq!(output["cfg"]["config"]["keep"], json!(true), "{output}");
    assert_eq!(output["found"]["links"][0]["right_object"]["name"], "SUP-1");
    // PatchConfig merged into the stored row (RFC 7396: null deletes).
    let stored = db.config("acme", "settings").unwrap().unwrap();
    assert_eq!(
        stored["config"],
        json!({"keep": true, "nested": {"a": 1, "c": 3}})
    );
    let links: Value = serde_json::to_value(
        db.query_links(
            "acme",
            &LinkQuery {
                link_type: "t2i".into(),
                left: Some("77".into()),
                right: None,
                page_size: 20,
                after: None,
                before: None,
            },
        )
        .unwrap()
        .0,
    )
    .unwrap();
    assert_eq!(links[0]["left_object"]["name"], "77");
}

#[test]
fn links_have_zis_s_shape_in_actions_and_page_back_with_before() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    let mut states = serde_json::Map::new();
    for i in 0..3 {
        states.insert(
            format!("Create{i}"),
            json!({"Type": "Action", "ActionName": "zis:common:action:CreateLink",
                   "Parameters": {"link_type": "t", "left_object": {"name": format!("l{i}")},
                                  "right_object": {"name": format!("r{i}"), "metadata": {"n": i}}},
                   "ResultPath": format!("$.created{i}"),
                   "Next": if i == 2 { "Page".to_string() } else { format!("Create{}", i + 1) }}),
        );
    }
    states.insert(
        "Page".into(),
        json!({"Type": "Action", "ActionName": "zis:common:action:LoadLinks",
               "Parameters": {"link_type": "t", "left_object_name": "l*", "page_size": 2},
               "ResultPath": "$.page", "Next": "Back"}),
    );
    states.insert(
        "Back".into(),
        json!({"Type": "Action", "ActionName": "zis:common:action:LoadLinks",
               "Parameters": {"link_type": "t", "left_object_name": "l*", "page_size": 2,
                              "page_before_cursor.$": "$.created2.link.id"},
               "ResultPath": "$.back", "End": true}),
    );
    let def = json!({"StartAt": "Create0", "States": states});
    let input = dispatch::flow_input(&db, &Default::default(), "acme", &json!({})).unwrap();
    let (status, _, _) = dispatch::run_flow(
        &db,
        &DispatchSettings::default(),
        "acme",
        &json!({"resources": {}}),
        def,
        input,
    );
    let Status::Succeeded { output } = status else {
        panic!("{status:?}")
    };
    // CreateLink answers the whole link, as ZIS does.
    let link = &output["created0"]["link"];
    for key in [
        "account_id",
        "integration",
        "link_type",
        "left_object",
        "right_object",
        "uuid",
        "created_at",
        "updated_at",
    ] {
        assert!(!link[key].is_null(), "{key} missing: {link}");
    }
    assert_eq!(link["integration"], "acme");
    assert_ne!(
        output["created0"]["link"]["uuid"],
        output["created1"]["link"]["uuid"]
    );
    // LoadLinks: the links in that shape, a page of two with meta.
    let page = &output["page"];
    assert_eq!(page["links"].as_array().unwrap().len(), 2);
    assert_eq!(page["meta"]["has_more"], true);
    assert!(page["links"][0]["uuid"].is_string());
    // Before the third link: the two before it, in order.
    let back: Vec<&str> = output["back"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["left_object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(back, ["l0", "l1"]);
}

#[test]
fn queued_runs_keep_their_integration_log_lines() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    let bundle = json!({"zis_template_version": "2019-10-14", "name": "b", "description": "",
      "resources": {
        "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
          "StartAt": "Done", "States": {"Done": {"Type": "Succeed", "Message": "ticket {{$.input.ticket_event.ticket.id}} seen"}}}}},
        "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "event_source": "support",
          "event_type": "ticket.TicketCreated", "flow_name": "zis:acme:flow:f"}}}});
    db.upload_bundle("acme", &bundle).unwrap();
    db.set_installed("zis:acme:job_spec:j", true).unwrap();
    let settings = DispatchSettings::default();
    let input = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    dispatch::accept(
        &db,
        &settings,
        None,
        "support",
        "ticket.TicketCreated",
        &input,
        "test",
    )
    .unwrap();
    dispatch::drain(&db, &settings).unwrap();
    let rows = db.executions(10).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0].logs,
        json!([{"level": "info", "text": "ticket 812 seen"}])
    );
}

#[test]
fn a_reupload_leaves_job_specs_uninstalled_and_the_last_action_definition_wins() {
    let (_dir, db) = db();
    db.create_integration("acme", "").unwrap();
    let bundle = |name: &str, url: &str, with_flow: bool| {
        let mut resources = json!({
            "act": {"type": "ZIS::Action::Http", "properties": {"name": "act",
                "definition": {"method": "GET", "url": url}}}});
        if with_flow {
            resources["f"] = json!({"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
                "StartAt": "Call", "States": {"Call": {"Type": "Action",
                  "ActionName": "zis:acme:action:act", "End": true}}}}});
            resources["j"] = json!({"type": "ZIS::JobSpec", "properties": {"name": "j",
                "event_source": "support", "event_type": "ticket.TicketCreated",
                "flow_name": "zis:acme:flow:f"}});
        }
        json!({"zis_template_version": "2019-10-14", "name": name, "description": "", "resources": resources})
    };
    db.upload_bundle("acme", &bundle("main", "http://127.0.0.2:9/first", true))
        .unwrap();
    db.set_installed("zis:acme:job_spec:j", true).unwrap();
    let again = db
        .upload_bundle("acme", &bundle("main", "http://127.0.0.2:9/first", true))
        .unwrap();
    assert_eq!(
        again["uninstalled_job_specs"],
        json!(["zis:acme:job_spec:j"])
    );
    assert!(!db.job_specs("acme").unwrap()[0].installed);
    // The setting keeps them installed.
    db.set_installed("zis:acme:job_spec:j", true).unwrap();
    let kept = db
        .upload_bundle_with(
            "acme",
            &bundle("main", "http://127.0.0.2:9/first", true),
            true,
        )
        .unwrap();
    assert_eq!(kept["uninstalled_job_specs"], json!([]));
    assert!(db.job_specs("acme").unwrap()[0].installed);
    // Another bundle redefines the action: the flow of "main" now calls the new URL.
    db.upload_bundle("acme", &bundle("other", "http://127.0.0.3:9/second", false))
        .unwrap();
    let actions = db.latest_actions("acme").unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(
        actions[0].1["properties"]["definition"]["url"],
        "http://127.0.0.3:9/second"
    );
    let settings = DispatchSettings::default();
    let input = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    dispatch::accept(
        &db,
        &settings,
        None,
        "support",
        "ticket.TicketCreated",
        &input,
        "t",
    )
    .unwrap();
    dispatch::drain(&db, &settings).unwrap();
    let run = &db.executions(1).unwrap()[0];
    // The call went to the second bundle's host.
    let cause = run.cause.clone().unwrap_or_default();
    assert!(cause.contains("127.0.0.3"), "{run:?}");
}
