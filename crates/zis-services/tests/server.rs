//! The local ZIS server on 127.0.0.1 with a real SQLite file: the REST API's shapes and
//! status codes, inbound webhooks end to end, and the dispatcher's guarantees (nothing
//! accepted is lost, fault injection, disabled integrations, queue figures).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};
use zis_services::server;

const SHIPMENT: &str = include_str!("../../../sample_bundles/shipment_updates.json");

struct Api {
    _dir: tempfile::TempDir,
    _db: Arc<Db>,
    running: server::Running,
    client: Client,
    token: String,
}

impl Api {
    fn start(settings: DispatchSettings) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("zis.sqlite")).unwrap());
        let token = server::api_token(dir.path()).unwrap();
        let running = server::start(db.clone(), token.clone(), 0, settings).unwrap();
        Api {
            _dir: dir,
            _db: db,
            running,
            client: Client::new(),
            token,
        }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    fn wait_for_executions(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, body) = self.call("GET", "/api/local/executions", None);
            let list = body["executions"].as_array().cloned().unwrap_or_default();
            if list.len() >= n || Instant::now() > deadline {
                return list;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

const ZIS: &str = "/api/services/zis";

fn shipping(api: &Api) -> Value {
    let (s, _) = api.call(
        "POST",
        &format!("{ZIS}/registry/acme_shipping"),
        Some(json!({"description": "Shipping"})),
    );
    assert_eq!(s, 201);
    let bundle: Value = serde_json::from_str(SHIPMENT).unwrap();
    let (s, up) = api.call(
        "POST",
        &format!("{ZIS}/registry/acme_shipping/bundles"),
        Some(bundle),
    );
    assert_eq!(s, 201, "{up}");
    let (s, _) = api.call("POST", &format!("{ZIS}/registry/job_specs/install?job_spec_name=zis:acme_shipping:job_spec:shipment_update_job"), None);
    assert_eq!(s, 204);
    let (s, _) = api.call("POST", &format!("{ZIS}/integrations/acme_shipping/connections/oauth"),
        Some(json!({"name": "zendesk", "access_token": "zd-oauth-secret-1", "allowed_domain": "acme.zendesk.com"})));
    assert_eq!(s, 201);
    let (s, _) = api.call("POST", &format!("{ZIS}/integrations/acme_shipping/configs"),
        Some(json!({"scope": "shipping_settings", "config": {"late_after_hours": 24, "recheck_seconds": 30}})));
    assert_eq!(s, 201);
    let (s, hook) = api.call(
        "POST",
        &format!("{ZIS}/inbound_webhooks/generic/acme_shipping"),
        Some(json!({"source_system": "shipco", "event_type": "shipment_update"})),
    );
    assert_eq!(s, 201, "{hook}");
    hook["data"].clone()
}

#[test]
fn the_api_needs_its_token_and_answers_json_errors() {
    let api = Api::start(DispatchSettings::default());
    let resp = api
        .client
        .get(api.url(&format!("{ZIS}/registry/integrations")))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["errors"][0]["code"], "Unauthorized");

    let (s, body) = api.call(
        "POST",
        &format!("{ZIS}/registry/acme"),
        Some(json!({"description": "x"})),
    );
    assert_eq!(s, 201);
    assert!(
        body["zendesk_oauth_client"]["secret"]
            .as_str()
            .unwrap()
            .len()
            > 8,
        "shown once"
    );
    let (s, _) = api.call("POST", &format!("{ZIS}/registry/acme"), None);
    assert_eq!(s, 409);
    let (s, list) = api.call("GET", &format!("{ZIS}/registry/integrations"), None);
    assert_eq!(s, 200);
    assert_eq!(
        list["integrations"][0]["zendesk_oauth_client"]["secret"],
        "*****"
    );
    let (s, _) = api.call("GET", &format!("{ZIS}/registry/nope/bundles"), None);
    assert_eq!(s, 404);

    // An invalid bundle: 422 with the validator's diagnostics, where they are.
    let bad = json!({"zis_template_version": "2019-10-14", "name": "b", "resources": {
        "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {"StartAt": "Missing", "States": {}}}}}});
    let (s, body) = api.call("POST", &format!("{ZIS}/registry/acme/bundles"), Some(bad));
    assert_eq!(s, 422, "{body}");
    let start_at = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "E012")
        .expect("the StartAt error");
    assert_eq!(
        start_at["source"]["pointer"],
        "/resources/f/properties/definition/StartAt"
    );
    assert_eq!(start_at["source"]["line"], 1);
    assert!(start_at["source"]["column"].as_u64().unwrap() > 1);

    // Job spec install of a name that does not exist.
    let (s, _) = api.call(
        "POST",
        &format!("{ZIS}/registry/job_specs/install?job_spec_name=zis:acme:job_spec:nope"),
        None,
    );
    assert_eq!(s, 404);
}

#[test]
fn configs_links_connections_and_webhooks() {
    let api = Api::start(DispatchSettings::default());
    api.call("POST", &format!("{ZIS}/registry/acme"), None);
    let cfg = format!("{ZIS}/integrations/acme/configs");
    assert_eq!(
        api.call(
            "POST",
            &cfg,
            Some(json!({"scope": "shop:eu", "config": {"a": {"x": 1, "y": 2}}}))
        )
        .0,
        201
    );
    assert_eq!(
        api.call(
            "POST",
            &cfg,
            Some(json!({"scope": "shop:eu", "config": {}}))
        )
        .0,
        409
    );
    assert_eq!(
        api.call(
            "POST",
            &cfg,
            Some(json!({"scope": "shop:us", "config": {}}))
        )
        .0,
        201
    );
    let (s, found) = api.call("GET", &format!("{cfg}?filter[scope]=shop:*"), None);
    assert_eq!((s, found["configs"].as_array().unwrap().len()), (200, 2));
    let (s, merged) = api.call(
        "PATCH",
        &format!("{cfg}/shop:eu"),
        Some(json!({"config": {"a": {"y": null, "z": 3}}})),
    );
    assert_eq!(s, 200);
    assert_eq!(merged["config"]["config"], json!({"a": {"x": 1, "z": 3}}));
    let (s, put) = api.call(
        "PUT",
        &format!("{cfg}/shop:eu"),
        Some(json!({"config": {"b": 1}})),
    );
    assert_eq!((s, &put["config"]["config"]), (200, &json!({"b": 1})));
    assert_eq!(api.call("DELETE", &format!("{cfg}/shop:eu"), None).0, 204);
    assert_eq!(api.call("DELETE", &format!("{cfg}/shop:eu"), None).0, 404);

    let links = format!("{ZIS}/links/acme");
    let link = json!({"link_type": "t2i", "left_object": {"name": "101"}, "right_object": {"name": "SUP-1", "metadata": {"p": 1}}});
    assert_eq!(api.call("POST", &links, Some(link.clone())).0, 201);
    assert_eq!(api.call("POST", &links, Some(link)).0, 409);
    let (s, q) = api.call(
        "GET",
        &format!("{links}?link_type=t2i&left_object_name=10*"),
        None,
    );
    assert_eq!(s, 200);
    assert_eq!(q["links"][0]["right_object"]["metadata"], json!({"p": 1}));
    assert_eq!(
        api.call("GET", &format!("{links}?link_type=t2i"), None).0,
        400
    );
    let key = "link_type=t2i&left_object_name=101&right_object_name=SUP-1";
    let (s, p) = api.call(
        "PATCH",
        &format!("{links}?{key}"),
        Some(json!({"right_object": {"name": "SUP-2"}})),
    );
    assert_eq!(
        (s, &p["link"]["right_object"]["name"]),
        (200, &json!("SUP-2"))
    );
    assert_eq!(
        api.call(
            "DELETE",
            &format!("{links}?link_type=t2i&left_object_name=101&right_object_name=SUP-2"),
            None
        )
        .0,
        204
    );

    let conns = format!("{ZIS}/integrations/acme/connections");
    let (s, c) = api.call("POST", &format!("{conns}/api_key"), Some(json!({"name": "shop", "header_name": "X-Key", "api_key": "k-secret-99", "allowed_domain": "shop.example"})));
    assert_eq!(s, 201);
    assert_eq!(c["api_key"]["api_key"], "*****");
    let (_, all) = api.call("GET", &format!("{conns}/all"), None);
    assert_eq!(all["api_key"][0]["name"], "shop");
    assert!(!all.to_string().contains("k-secret-99"));
    assert_eq!(
        api.call("DELETE", &format!("{conns}/api_key/shop"), None).0,
        204
    );
    assert_eq!(
        api.call("DELETE", &format!("{conns}/api_key/shop"), None).0,
        404
    );

    let (s, hook) = api.call(
        "POST",
        &format!("{ZIS}/inbound_webhooks/generic/acme"),
        Some(json!({"source_system": "s", "event_type": "t"})),
    );
    assert_eq!(s, 201);
    let uuid = hook["data"]["uuid"].as_str().unwrap().to_string();
    assert_ne!(hook["data"]["password"], "*****", "shown once");
    let (_, shown) = api.call(
        "GET",
        &format!("{ZIS}/inbound_webhooks/generic/acme/{uuid}"),
        None,
    );
    assert_eq!(shown["data"]["password"], "*****");
    assert_eq!(
        api.call(
            "DELETE",
            &format!("{ZIS}/inbound_webhooks/generic/acme/{uuid}"),
            None
        )
        .0,
        204
    );
}

#[test]
fn an_inbound_webhook_runs_its_flow_and_secrets_stay_out_of_the_history() {
    let api = Api::start(DispatchSettings::default());
    let hook = shipping(&api);
    let path = hook["path"].as_str().unwrap().to_string();
    let (user, password) = (
        hook["username"].as_str().unwrap(),
        hook["password"].as_str().unwrap(),
    );
    let body = json!({"ticket_id": 812, "state": "late", "delay_hours": 30, "signed": false});
    let resp = api.client.post(&path).json(&body).send().unwrap();
    assert_eq!(resp.status().as_u16(), 401, "no credentials");
    let resp = api
        .client
        .post(&path)
        .basic_auth(user, Some("wrong"))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let big = json!({"blob": "x".repeat(210 * 1024)});
    let resp = api
        .client
        .post(&path)
        .basic_auth(user, Some(password))
        .json(&big)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let resp = api
        .client
        .post(&path)
        .basic_auth(user, Some(password))
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);

    let execs = api.wait_for_executions(1);
    assert_eq!(execs.len(), 1, "{execs:?}");
    let e = &execs[0];
    assert_eq!(e["status"], "succeeded", "{e}");
    assert_eq!(e["flow"], "zis:acme_shipping:flow:shipment_update");
    assert!(e["delay_secs"].as_f64().unwrap() >= 0.0);
    let (_, detail) = api.call("GET", &format!("/api/local/executions/{}", e["id"]), None);
    let history = detail["history"].to_string();
    assert!(history.contains("Late"), "took the Late branch: {history}");
    assert!(
        !history.contains("zd-oauth-secret-1"),
        "the OAuth token is masked"
    );
    assert!(history.contains("*****"));
    // The flow's PatchConfig wrote to the database.
    let (_, cfg) = api.call(
        "GET",
        &format!("{ZIS}/integrations/acme_shipping/configs/shipping_settings"),
        None,
    );
    assert_eq!(cfg["config"]["config"]["last_state"], "late");
    let (_, q) = api.call("GET", "/api/local/queue", None);
    assert_eq!(
        (q["pending"].as_u64(), q["done"].as_u64()),
        (Some(0), Some(1)),
        "{q}"
    );
    assert!(q["median_delay_secs"].is_number());
}

#[test]
fn accepted_events_survive_a_crash_and_run_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zis.sqlite");
    let settings = DispatchSettings::default();
    {
        let db = Db::open(&path).unwrap();
        db.create_integration("acme_shipping", "").unwrap();
        db.upload_bundle("acme_shipping", &serde_json::from_str(SHIPMENT).unwrap())
            .unwrap();
        db.set_installed("zis:acme_shipping:job_spec:shipment_update_job", true)
            .unwrap();
        let input = json!({"ticket_id": null, "state": "in_transit"});
        dispatch::accept(
            &db,
            &settings,
            Some("acme_shipping"),
            "shipco",
            "shipment_update",
            &input,
            "test",
        )
        .unwrap();
        dispatch::accept(
            &db,
            &settings,
            Some("acme_shipping"),
            "shipco",
            "shipment_update",
            &input,
            "test",
        )
        .unwrap();
        // A worker claims the first event and the process dies before it finishes.
        let claimed = db.claim_next(false).unwrap().unwrap();
        assert_eq!(claimed.state, "running");
    }
    // After a restart both events are there; the interrupted one runs again.
    let db = Db::open(&path).unwrap();
    assert_eq!(db.queue_stats().unwrap().running, 1);
    assert_eq!(db.requeue_interrupted().unwrap(), 1);
    let delivered = dispatch::drain(&db, &settings).unwrap();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|d| d.state == "done" && d.executions.len() == 1),
        "{delivered:?}"
    );
    let stats = db.queue_stats().unwrap();
    assert_eq!((stats.pending, stats.running, stats.done), (0, 0, 2));
}

#[test]
fn fault_injection_and_disabled_integrations() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme_shipping", "").unwrap();
    db.upload_bundle("acme_shipping", &serde_json::from_str(SHIPMENT).unwrap())
        .unwrap();
    db.set_installed("zis:acme_shipping:job_spec:shipment_update_job", true)
        .unwrap();
    let input = json!({"ticket_id": null});

    let twice = DispatchSettings {
        deliver_twice: true,
        shuffle: true,
        ..DispatchSettings::default()
    };
    let ids = dispatch::accept(
        &db,
        &twice,
        None,
        "shipco",
        "shipment_update",
        &input,
        "test",
    )
    .unwrap();
    assert_eq!(ids.len(), 2);
    let delivered = dispatch::drain(&db, &twice).unwrap();
    assert_eq!(
        delivered.iter().map(|d| d.executions.len()).sum::<usize>(),
        2,
        "each copy ran the flow"
    );

    let delayed = DispatchSettings {
        delay_secs: 30.0,
        ..DispatchSettings::default()
    };
    dispatch::accept(
        &db,
        &delayed,
        None,
        "shipco",
        "shipment_update",
        &input,
        "test",
    )
    .unwrap();
    assert!(
        dispatch::drain(&db, &delayed).unwrap().is_empty(),
        "not due yet"
    );
    assert_eq!(db.queue_stats().unwrap().pending, 1);

    db.set_enabled("acme_shipping", false).unwrap();
    let plain = DispatchSettings::default();
    dispatch::accept(
        &db,
        &plain,
        None,
        "shipco",
        "shipment_update",
        &input,
        "test",
    )
    .unwrap();
    let d = dispatch::drain(&db, &plain).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].state, "skipped");
    assert!(d[0].note.contains("disabled"), "{}", d[0].note);
    db.set_enabled("acme_shipping", true).unwrap();
    dispatch::accept(
        &db,
        &plain,
        None,
        "shipco",
        "shipment_update",
        &input,
        "test",
    )
    .unwrap();
    assert_eq!(dispatch::drain(&db, &plain).unwrap()[0].state, "done");

    // An event no job spec listens to is recorded as skipped.
    dispatch::accept(
        &db,
        &plain,
        None,
        "support",
        "ticket.TicketCreated",
        &json!({}),
        "test",
    )
    .unwrap();
    let d = dispatch::drain(&db, &plain).unwrap();
    assert_eq!(d[0].state, "skipped");
    assert!(d[0].note.contains("no installed job spec"));
}

#[test]
fn an_event_whose_runs_never_finish_is_recorded_failed_after_its_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme_shipping", "").unwrap();
    db.upload_bundle("acme_shipping", &serde_json::from_str(SHIPMENT).unwrap())
        .unwrap();
    db.set_installed("zis:acme_shipping:job_spec:shipment_update_job", true)
        .unwrap();
    let settings = DispatchSettings::default();
    let ids = dispatch::accept(
        &db,
        &settings,
        None,
        "shipco",
        "shipment_update",
        &json!({}),
        "test",
    )
    .unwrap();
    // Three runs that take the process down: claimed (the attempt is counted), never
    // finished, put back by the next start.
    for n in 1..=3 {
        let claimed = db.claim_next(false).unwrap().unwrap();
        assert_eq!((claimed.id, claimed.attempts), (ids[0], n));
        assert_eq!(db.requeue_interrupted().unwrap(), 1);
    }
    let d = dispatch::run_next(&db, &settings).unwrap().unwrap();
    assert_eq!(d.state, "failed");
    assert!(d.note.contains("attempted 3 times"), "{}", d.note);
    let rows = db.executions(10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].error.as_deref(), Some("ZisStudio.PoisonEvent"));
    assert_eq!(db.event(ids[0]).unwrap().unwrap().state, "failed");
    assert!(
        dispatch::run_next(&db, &settings).unwrap().is_none(),
        "never again"
    );
}

#[test]
fn zendesk_api_token_basic_auth_is_accepted_as_setup_scripts_send_it() {
    let api = Api::start(DispatchSettings::default());
    let key = server::basic_api_token(&api.token);
    let get = |user: &str, pass: &str| {
        api.client
            .get(api.url("/api/services/zis/registry/integrations"))
            .basic_auth(user, Some(pass))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(get("admin@example.com/token", &key), 200);
    assert_eq!(get("admin@example.com/token", "wrong"), 401);
    assert_eq!(
        get("admin@example.com", &key),
        401,
        "a password is not an API token"
    );
    assert_ne!(key, api.token);
}
