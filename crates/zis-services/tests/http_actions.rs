//! Custom HTTP actions against a real HTTP server on 127.0.0.1: templating, every
//! connection kind, allowed_domain, JSON / empty / non-JSON answers, non-2xx errors with
//! their retry class (and the engine's retries), timeouts, and masked exchanges.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use zis_engine::run::execution::{ActionExecutor, Status};
use zis_services::db::{ConnectionKind, Db};
use zis_services::dispatch::{self, DispatchSettings};
use zis_services::http::{HttpActions, HttpSettings};

type Seen = Arc<Mutex<Vec<Value>>>;

async fn answer(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let body_json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let hdrs: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Value::String(v.to_str().unwrap_or("").to_string()),
            )
        })
        .collect();
    seen.lock().unwrap().push(json!({"method": method.as_str(), "path": format!("/{path}"), "query": uri.query(), "headers": hdrs, "body": body_json}));
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["status", code, ..] => {
            let code: u16 = code.parse().unwrap();
            (
                StatusCode::from_u16(code).unwrap(),
                axum::Json(json!({"error": "nope"})),
            )
                .into_response()
        }
        ["flaky", ..] => {
            // 503 twice, then 200.
            let n = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|r| r["path"].as_str().unwrap_or("").starts_with("/flaky"))
                .count();
            if n <= 2 {
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            } else {
                axum::Json(json!({"ok": true, "attempt": n})).into_response()
            }
        }
        ["empty", ..] => StatusCode::NO_CONTENT.into_response(),
        ["huge", ..] => "z".repeat(3 * 1024 * 1024).into_response(),
        ["text", ..] => "plain words".into_response(),
        ["slow", ..] => {
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            axum::Json(json!({})).into_response()
        }
        _ => axum::Json(json!({"echo": path, "id": 42})).into_response(),
    }
}

/// A real server on 127.0.0.1; returns its base URL and what it received.
fn api() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/{*path}", any(answer))
        .with_state(seen.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

fn setup() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme", "").unwrap();
    (dir, db)
}

fn bundle(actions: Value) -> Value {
    let mut resources = serde_json::Map::new();
    for (name, def) in actions.as_object().unwrap() {
        resources.insert(
            name.clone(),
            json!({"type": "ZIS::Action::Http", "properties": {"name": name, "definition": def}}),
        );
    }
    json!({"zis_template_version": "2019-10-14", "name": "b", "resources": resources})
}

#[test]
fn requests_are_templated_and_authenticated_by_connection_kind() {
    let (base, seen) = api();
    let (_dir, db) = setup();
    db.put_connection(
        "acme",
        ConnectionKind::BearerToken,
        "bearer",
        "127.0.0.1",
        &json!({"token": "tok-123456"}),
    )
    .unwrap();
    db.put_connection(
        "acme",
        ConnectionKind::BasicAuth,
        "basic",
        "127.0.0.1",
        &json!({"username": "bot", "password": "pw-123456"}),
    )
    .unwrap();
    db.put_connection(
        "acme",
        ConnectionKind::ApiKey,
        "keyed",
        "127.0.0.1",
        &json!({"api_key": "key-123456", "header_name": "X-Shop-Key"}),
    )
    .unwrap();
    db.put_connection(
        "acme",
        ConnectionKind::Oauth,
        "zendesk",
        "",
        &json!({"access_token": "oauth-123456"}),
    )
    .unwrap();
    db.put_connection(
        "acme",
        ConnectionKind::BearerToken,
        "elsewhere",
        "api.example.com",
        &json!({"token": "tok-999999"}),
    )
    .unwrap();
    let b = bundle(json!({
        "post": {"method": "POST", "url": format!("{base}/items/{{{{$.id}}}}"), "connectionName": "bearer",
                 "headers": [{"key": "X-Trace", "value": "t-{{$.id}}"}],
                 "query": [{"key": "q", "value": "{{$.term}}"}],
                 "requestBody": {"text": "Ticket {{$.id}}", "whole.$": "$.payload", "n": 1}},
        "basic": {"method": "GET", "url": format!("{base}/b"), "connectionName": "basic"},
        "keyed": {"method": "GET", "url": format!("{base}/k"), "connectionName": "keyed"},
        "zendesk": {"method": "PUT", "path": "/api/v2/tickets/{{$.id}}.json", "connectionName": "zendesk"},
        "wrong_host": {"method": "GET", "url": format!("{base}/w"), "connectionName": "elsewhere"}
    }));
    let settings = HttpSettings {
        zendesk_base_url: format!("{base}/zd"),
        ..HttpSettings::default()
    };
    let mut http = HttpActions::new(&db, "acme", &b, settings).unwrap();
    let params = json!({"id": 7, "term": "a b", "payload": {"k": [1, 2]}});
    let out = http.execute("zis:acme:action:post", &params).unwrap();
    assert_eq!(out, json!({"echo": "items/7", "id": 42}));
    http.execute("zis:acme:action:basic", &params).unwrap();
    http.execute("zis:acme:action:keyed", &params).unwrap();
    let out = http.execute("zis:acme:action:zendesk", &params).unwrap();
    assert_eq!(out["echo"], "zd/api/v2/tickets/7.json");
    let e = http
        .execute("zis:acme:action:wrong_host", &params)
        .unwrap_err();
    assert!(
        e.cause.contains("may only be used on api.example.com"),
        "{}",
        e.cause
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "the wrong-host call never left");
    assert_eq!(seen[0]["method"], "POST");
    assert_eq!(seen[0]["query"], "q=a+b");
    assert_eq!(seen[0]["headers"]["x-trace"], "t-7");
    assert_eq!(seen[0]["headers"]["authorization"], "Bearer tok-123456");
    assert_eq!(
        seen[0]["body"],
        json!({"text": "Ticket 7", "whole": {"k": [1, 2]}, "n": 1})
    );
    assert_eq!(
        seen[1]["headers"]["authorization"],
        "Basic Ym90OnB3LTEyMzQ1Ng=="
    );
    assert_eq!(seen[2]["headers"]["x-shop-key"], "key-123456");
    assert_eq!(seen[3]["headers"]["authorization"], "Bearer oauth-123456");
    assert_eq!(seen[3]["method"], "PUT");

    // The exchanges kept for the debugger show no secret.
    let kept = serde_json::to_string(&http.exchanges).unwrap();
    for secret in [
        "tok-123456",
        "pw-123456",
        "key-123456",
        "oauth-123456",
        "Ym90OnB3",
    ] {
        assert!(!kept.contains(secret), "{secret} leaked: {kept}");
    }
    assert_eq!(http.exchanges[0].status, Some(200));
}

#[test]
fn answers_and_errors() {
    let (base, _seen) = api();
    let (_dir, db) = setup();
    let b = bundle(json!({
        "e404": {"method": "GET", "url": format!("{base}/status/404")},
        "e503": {"method": "GET", "url": format!("{base}/status/503")},
        "e429": {"method": "GET", "url": format!("{base}/status/429")},
        "empty": {"method": "DELETE", "url": format!("{base}/empty")},
        "text": {"method": "GET", "url": format!("{base}/text")},
        "slow": {"method": "GET", "url": format!("{base}/slow")},
        "nowhere": {"method": "GET", "url": "http://127.0.0.1:9/x"},
        "strict": {"method": "POST", "url": format!("{base}/ok"), "requestBody": {"v.$": "$.id"}}
    }));
    let settings = HttpSettings {
        timeout_secs: 0.5,
        ..HttpSettings::default()
    };
    let mut http = HttpActions::new(&db, "acme", &b, settings.clone()).unwrap();
    let p = json!({"id": 1});
    let e = http.execute("zis:acme:action:e404", &p).unwrap_err();
    assert_eq!(e.cause, "external action failed due to status code: 404");
    assert!(!e.retryable);
    assert!(
        http.execute("zis:acme:action:e503", &p)
            .unwrap_err()
            .retryable
    );
    assert!(
        http.execute("zis:acme:action:e429", &p)
            .unwrap_err()
            .retryable
    );
    assert_eq!(
        http.execute("zis:acme:action:empty", &p).unwrap(),
        json!({})
    );
    assert_eq!(
        http.execute("zis:acme:action:text", &p).unwrap(),
        json!("plain words")
    );
    let e = http.execute("zis:acme:action:slow", &p).unwrap_err();
    assert!(e.retryable && e.error == "States.Timeout", "{e:?}");
    let e = http.execute("zis:acme:action:nowhere", &p).unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(
        http.execute("zis:acme:action:strict", &p).is_ok(),
        "both forms work by default"
    );
    let strict = HttpSettings {
        strict_request_body: true,
        ..settings
    };
    let mut http = HttpActions::new(&db, "acme", &b, strict).unwrap();
    let e = http.execute("zis:acme:action:strict", &p).unwrap_err();
    assert!(
        e.cause.contains("Error Resolving JSON Params"),
        "{}",
        e.cause
    );
    let e = http.execute("zis:acme:action:missing", &p).unwrap_err();
    assert!(
        e.cause.contains("no custom action 'missing'"),
        "{}",
        e.cause
    );
}

#[test]
fn a_503_is_retried_by_restarting_the_flow() {
    let (base, seen) = api();
    let (_dir, db) = setup();
    let mut b = bundle(
        json!({"flaky": {"method": "POST", "url": format!("{base}/flaky"), "requestBody": {"n": "{{$.n}}"}}}),
    );
    let def = json!({"StartAt": "Call", "States": {"Call": {"Type": "Action", "ActionName": "zis:acme:action:flaky",
        "Parameters": {"n.$": "$.input.n"}, "ResultPath": "$.r", "End": true}}});
    b["resources"]["f"] =
        json!({"type": "ZIS::Flow", "properties": {"name": "f", "definition": def.clone()}});
    let input = dispatch::flow_input(&db, &Default::default(), "acme", &json!({"n": 5})).unwrap();
    let (status, events, attempts) =
        dispatch::run_flow(&db, &DispatchSettings::default(), "acme", &b, def, input);
    let Status::Succeeded { output } = status else {
        panic!("{status:?}")
    };
    assert_eq!(output["r"]["attempt"], 3);
    assert_eq!(attempts, 3);
    assert_eq!(events.iter().filter(|e| e.retried).count(), 2);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn an_answer_larger_than_the_limit_fails_the_action_instead_of_filling_memory() {
    let (base, _seen) = api();
    let (_dir, db) = setup();
    let b = bundle(json!({"huge": {"method": "GET", "url": format!("{base}/huge")}}));
    let settings = HttpSettings {
        max_response_bytes: 1024 * 1024,
        ..HttpSettings::default()
    };
    let mut http = HttpActions::new(&db, "acme", &b, settings).unwrap();
    let e = http
        .execute("zis:acme:action:huge", &json!({}))
        .unwrap_err();
    assert_eq!(e.error, "States.DataLimitExceeded");
    assert!(e.cause.contains("larger than 1 MB"), "{}", e.cause);
    assert_eq!(http.exchanges.last().unwrap().status, Some(200));
}

#[test]
fn a_path_action_without_credentials_gets_zendesk_s_401_from_the_fake() {
    let dir = tempfile::tempdir().unwrap();
    let server_db = Db::open(&dir.path().join("server.sqlite")).unwrap();
    let running = zis_services::server::start(
        Arc::new(server_db),
        "t".into(),
        0,
        DispatchSettings::default(),
    )
    .unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme", "").unwrap();
    let settings = HttpSettings {
        zendesk_base_url: format!("{}/fake-zendesk", running.base_url),
        ..HttpSettings::default()
    };
    let bundle = |conn: bool| {
        let mut def = json!({"method": "GET", "path": "/api/v2/tickets/1.json"});
        if conn {
            def["connectionName"] = json!("zendesk");
        }
        json!({"resources": {"get": {"type": "ZIS::Action::Http",
            "properties": {"name": "get", "definition": def}}}})
    };
    let mut a = HttpActions::new(&db, "acme", &bundle(false), settings.clone()).unwrap();
    let e = a.execute("zis:acme:action:get", &json!({})).unwrap_err();
    assert_eq!(e.cause, "external action failed due to status code: 401");
    assert_eq!(
        a.exchanges[0].response,
        Some(json!({"error": "Couldn't authenticate you"}))
    );
    // With the account's OAuth connection: answered.
    db.put_connection(
        "acme",
        ConnectionKind::Oauth,
        "zendesk",
        "",
        &json!({"access_token": "tok"}),
    )
    .unwrap();
    let mut a = HttpActions::new(&db, "acme", &bundle(true), settings).unwrap();
    let answer = a.execute("zis:acme:action:get", &json!({})).unwrap();
    assert_eq!(answer["fake_zendesk"], true);
    running.stop();
}

#[test]
fn a_connection_off_its_domain_fails_or_goes_without_its_credential_as_set() {
    let dir = tempfile::tempdir().unwrap();
    let server_db = Db::open(&dir.path().join("server.sqlite")).unwrap();
    let running = zis_services::server::start(
        Arc::new(server_db),
        "t".into(),
        0,
        DispatchSettings::default(),
    )
    .unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme", "").unwrap();
    db.put_connection(
        "acme",
        ConnectionKind::BearerToken,
        "api",
        "other.example.com",
        &json!({"token": "tok"}),
    )
    .unwrap();
    let bundle = json!({"resources": {"get": {"type": "ZIS::Action::Http",
        "properties": {"name": "get", "definition": {"method": "GET",
          "url": format!("{}/fake-zendesk/x", running.base_url), "connectionName": "api"}}}}});
    let mut a = HttpActions::new(&db, "acme", &bundle, HttpSettings::default()).unwrap();
    let e = a.execute("zis:acme:action:get", &json!({})).unwrap_err();
    assert!(
        e.cause.contains("may only be used on other.example.com"),
        "{}",
        e.cause
    );
    let settings = HttpSettings {
        send_without_credential_off_domain: true,
        ..HttpSettings::default()
    };
    let mut a = HttpActions::new(&db, "acme", &bundle, settings).unwrap();
    // Sent, without the token: the fake answers 401.
    let e = a.execute("zis:acme:action:get", &json!({})).unwrap_err();
    assert_eq!(e.cause, "external action failed due to status code: 401");
    assert!(
        a.exchanges[0]
            .headers
            .iter()
            .all(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
    );
    running.stop();
}
