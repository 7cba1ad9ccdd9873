//! The local REST API under arbitrary requests (proptest): every route template with
//! arbitrary path segments, query strings, methods, bodies (JSON of any shape, or bytes
//! that are not JSON) and with or without the token. The server never answers 500 (no route
//! documents one) and keeps answering.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use zis_services::db::Db;
use zis_services::dispatch::DispatchSettings;
use zis_services::server;

const TOKEN: &str = "fuzz-token";

struct Fixture {
    base: String,
    http: reqwest::blocking::Client,
    _running: server::Running,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
        db.create_integration("acme", "").unwrap();
        let running =
            server::start(Arc::new(db), TOKEN.into(), 0, DispatchSettings::default()).unwrap();
        Fixture {
            base: running.base_url.clone(),
            http: reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap(),
            _running: running,
            _dir: dir,
        }
    })
}

const ROUTES: &[&str] = &[
    "/api/services/zis/registry/integrations",
    "/api/services/zis/registry/job_specs/install",
    "/api/services/zis/registry/{}",
    "/api/services/zis/registry/{}/bundles",
    "/api/services/zis/registry/{}/bundles/{}",
    "/api/services/zis/registry/{}/job_specs",
    "/api/services/zis/integrations/{}/connections/all",
    "/api/services/zis/integrations/{}/connections/{}",
    "/api/services/zis/integrations/{}/connections/{}/{}",
    "/api/services/zis/connections/oauth/clients/{}",
    "/api/services/zis/connections/{}",
    "/api/services/zis/integrations/{}/configs",
    "/api/services/zis/integrations/{}/configs/{}",
    "/api/services/zis/links/{}",
    "/api/services/zis/inbound_webhooks/generic/ingest/{}",
    "/api/services/zis/inbound_webhooks/generic/{}",
    "/api/services/zis/inbound_webhooks/generic/{}/{}",
    "/api/local/queue",
    "/api/local/events",
    "/api/local/executions",
    "/api/local/executions/{}",
    "/api/local/integrations/{}/{}",
    "/fake-zendesk/{}",
];

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("acme".to_string()),
        Just("oauth".to_string()),
        Just("bearer_token".to_string()),
        Just("enable".to_string()),
        Just("1".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999".to_string()),
        Just("%00".to_string()),
        Just("%2e%2e".to_string()),
        Just("..".to_string()),
        "[a-zA-Z0-9_:*.-]{0,70}",
        "\\PC{0,12}".prop_map(|s| urlencode(&s)),
    ]
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,20}".prop_map(Value::String),
        prop_oneof![
            Just("name"),
            Just("description"),
            Just("scope"),
            Just("config"),
            Just("link_type"),
            Just("left_object"),
            Just("right_object"),
            Just("token"),
            Just("event_type"),
            Just("source_system"),
            Just("zis_template_version"),
            Just("resources")
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("name".to_string()),
                        Just("scope".to_string()),
                        Just("config".to_string()),
                        Just("link_type".to_string()),
                        Just("left_object".to_string()),
                        Just("right_object".to_string()),
                        Just("metadata".to_string()),
                        Just("resources".to_string()),
                        Just("token".to_string()),
                        Just("event_type".to_string()),
                        Just("source_system".to_string()),
                        Just("data".to_string()),
                        "[a-z_]{1,10}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::None),
        json_value().prop_map(Body::Json),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_request_gets_a_500_or_stops_the_server(
        route in prop::sample::select(ROUTES),
        segs in prop::collection::vec(segment(), 3),
        method in prop::sample::select(&["GET", "POST", "PUT", "PATCH", "DELETE"][..]),
        query in prop::option::of("[a-z_\\[\\]=&*%0-9]{0,30}"),
        body in body(),
        authed in any::<bool>(),
    ) {
        let f = fixture();
        let mut path = route.to_string();
        for s in &segs {
            path = path.replacen("{}", s, 1);
        }
        let mut url = format!("{}{path}", f.base);
        if let Some(q) = &query {
            url.push('?');
            url.push_str(q);
        }
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = f.http.request(m, &url);
        if authed {
            req = req.bearer_auth(TOKEN);
        }
        req = match &body {
            Body::None => req,
            Body::Json(v) => req.header("content-type", "application/json").body(v.to_string()),
            Body::Bytes(b) => req.header("content-type", "application/json").body(b.clone()),
        };
        let status = req.send().map(|r| r.status().as_u16());
        // A URL reqwest refuses to send never reached the server.
        if let Ok(status) = status {
            prop_assert!(status != 500, "{method} {url} {body:?} -> 500");
        }
        let alive = f
            .http
            .get(format!("{}/api/local/queue", f.base))
            .bearer_auth(TOKEN)
            .send()
            .map(|r| r.status().as_u16());
        prop_assert_eq!(alive.ok(), Some(200), "the server stopped answering after {} {}", method, url);
    }
}
