//! `deploy` and `pull` against two witnesses: the local `serve` (105 uploads: the newest
//! comes back, the plan diffs against it) and a minimal fake of the Registry built only from
//! the request and response shapes of zis-facts.md 5.1, in the variants the digest leaves
//! open (job spec names short or qualified; 200 or 201 on upload; a show-bundle answer with
//! or without a wrapper; opaque page cursors), with a busy API (503 with `Retry-After`) on
//! reads. Also `--dry-run`, `--format json`, the exit codes and the prompt without a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use zis_studio::core::deploy::{Client, fetch_bundle, newest_bundles, plan};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---- The local server: 105 uploads ------------------------------------------------------

#[test]
fn after_105_uploads_pull_and_the_plan_see_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let db = zis_services::db::Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("acme_jira", "").unwrap();
    let mut bundle: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("sample_bundles/jira_issue_sync.json")).unwrap(),
    )
    .unwrap();
    for n in 1..=105 {
        bundle["description"] = json!(format!("upload {n}"));
        db.upload_bundle("acme_jira", &bundle).unwrap();
    }
    let running = zis_services::server::start(
        Arc::new(db),
        "tok".into(),
        0,
        zis_services::dispatch::DispatchSettings::default(),
    )
    .unwrap();
    let client = Client::new(&running.base_url, "Bearer tok".into()).unwrap();
    let newest = newest_bundles(&client, "acme_jira").unwrap();
    let uuid = &newest["jira_issue_sync"];
    let fetched = fetch_bundle(&client, "acme_jira", uuid).unwrap();
    assert_eq!(fetched["description"], "upload 105");
    // The plan compares with upload 105: identical, nothing differs.
    let p = plan(&client, "acme_jira", &bundle, false, &Default::default()).unwrap();
    assert!(
        p.new.is_empty() && p.changed.is_empty() && p.removed.is_empty(),
        "{p:?}"
    );
    bundle["description"] = json!("upload 104");
    let p = plan(&client, "acme_jira", &bundle, false, &Default::default()).unwrap();
    assert!(
        p.changed.is_empty(),
        "the description is not a resource: {p:?}"
    );
}

// ---- A fake Registry from the documented shapes ------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Variant {
    /// Job spec names listed short (`name`) instead of qualified.
    short_names: bool,
    /// The upload's status.
    upload_status: u16,
    /// The show-bundle answer wrapped in `{"bundle": ...}`.
    wrapped: bool,
    /// The upload is stored but its answer is a 502 (an ambiguous failure).
    lose_upload_answer: bool,
}

#[derive(Default)]
struct Fake {
    integrations: Vec<String>,
    bundles: Vec<(String, Value)>,
    installed: Vec<String>,
    uninstalled: Vec<String>,
    reads: u32,
}

type Shared = (Arc<Mutex<Fake>>, Variant);

fn authorized(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer good")
}

/// One page with an opaque cursor (`c<offset>`); every third read answers 503 first.
fn paged(fake: &mut Fake, items: Vec<Value>, key: &str, q: &HashMap<String, String>) -> Response {
    fake.reads += 1;
    if fake.reads % 3 == 1 {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", "0")],
            "busy",
        )
            .into_response();
    }
    let size = q
        .get("page[size]")
        .and_then(|s| s.parse().ok())
        .unwrap_or(20usize)
        .min(100);
    let start = q
        .get("page[after]")
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0usize);
    let end = (start + size).min(items.len());
    let more = end < items.len();
    axum::Json(json!({key: items[start..end], "meta": {
        "has_more": more, "after": if more { json!(format!("c{end}")) } else { Value::Null }, "before": null}}))
    .into_response()
}

fn job_specs_of(bundle: &Value, integration: &str, short: bool) -> Vec<(String, Value)> {
    bundle["resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["type"] == "ZIS::JobSpec")
        .map(|r| {
            let name = r["properties"]["name"].as_str().unwrap().to_string();
            let full = format!("zis:{integration}:job_spec:{name}");
            (full.clone(), json!({"name": if short { name } else { full }, "event_source": r["properties"]["event_source"],
                "event_type": r["properties"]["event_type"], "flow_name": r["properties"]["flow_name"],
                "integration": integration, "description": "", "uuid": "u"}))
        })
        .collect()
}

fn fake_registry(variant: Variant) -> (String, Arc<Mutex<Fake>>) {
    let state: Arc<Mutex<Fake>> = Arc::default();
    let shared: Shared = (state.clone(), variant);
    let app = Router::new()
        .route("/api/services/zis/registry/integrations", get(
            |State((f, _)): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
                if !authorized(&h) { return StatusCode::UNAUTHORIZED.into_response(); }
                let mut f = f.lock().unwrap();
                let items = f.integrations.iter().map(|n| json!({"name": n, "description": "", "jwt_public_key": "",
                    "zendesk_oauth_client": {"id": 1, "identifier": format!("zis_{n}"), "secret": "s"}})).collect();
                paged(&mut f, items, "integrations", &q)
            }))
        .route("/api/services/zis/registry/job_specs/install", post(
            |State((f, _)): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
                if !authorized(&h) { return StatusCode::UNAUTHORIZED.into_response(); }
                f.lock().unwrap().installed.push(q["job_spec_name"].clone());
                StatusCode::NO_CONTENT.into_response()
            }).delete(
            |State((f, _)): State<Shared>, Query(q): Query<HashMap<String, String>>| async move {
                let mut f = f.lock().unwrap();
                let name = q["job_spec_name"].clone();
                f.installed.retain(|n| *n != name);
                f.uninstalled.push(name);
                StatusCode::NO_CONTENT.into_response()
            }))
        .route("/api/services/zis/registry/{integration}", post(
            |State((f, _)): State<Shared>, Path(i): Path<String>| async move {
                f.lock().unwrap().integrations.push(i.clone());
                (StatusCode::CREATED, axum::Json(json!({"description": "", "jwt_public_key": "",
                    "zendesk_oauth_client": {"id": 1, "identifier": format!("zis_{i}"), "secret": "s"}}))).into_response()
            }))
        .route("/api/services/zis/registry/{integration}/bundles", post(
            |State((f, v)): State<Shared>, Path(_i): Path<String>, body: String| async move {
                let bundle: Value = serde_json::from_str(&body).unwrap();
                let mut f = f.lock().unwrap();
                let uuid = format!("b{}", f.bundles.len() + 1);
                f.bundles.push((uuid.clone(), bundle));
                if v.lose_upload_answer {
                    return (StatusCode::BAD_GATEWAY, "upstream went away").into_response();
                }
                (StatusCode::from_u16(v.upload_status).unwrap(), axum::Json(json!({"uuid": uuid}))).into_response()
            }).get(
            |State((f, _)): State<Shared>, Path(i): Path<String>, Query(q): Query<HashMap<String, String>>| async move {
                let mut f = f.lock().unwrap();
                // The documented fields only: no version, no date; oldest first.
                let items = f.bundles.iter().map(|(u, b)| json!({"uuid": u, "name": b["name"], "integration": i,
                    "description": b["description"], "zendesk_account_id": 1, "zis_template_version": "2019-10-14"})).collect();
                paged(&mut f, items, "bundles", &q)
            }))
        .route("/api/services/zis/registry/{integration}/bundles/{uuid}", get(
            |State((f, v)): State<Shared>, Path((_i, u)): Path<(String, String)>| async move {
                let f = f.lock().unwrap();
                let b = f.bundles.iter().find(|(id, _)| *id == u).map(|(_, b)| b.clone()).unwrap();
                axum::Json(if v.wrapped { json!({"bundle": b}) } else { b }).into_response()
            }))
        .route("/api/services/zis/registry/{integration}/job_specs", get(
            |State((f, v)): State<Shared>, Path(i): Path<String>, Query(q): Query<HashMap<String, String>>| async move {
                let mut f = f.lock().unwrap();
                let mut all: Vec<(String, Value)> = Vec::new();
                for (_, b) in &f.bundles {
                    for (full, mut spec) in job_specs_of(b, &i, v.short_names) {
                        spec["installed"] = json!(f.installed.contains(&full));
                        all.retain(|(n, _)| *n != full);
                        all.push((full, spec));
                    }
                }
                let items = all.into_iter().map(|(_, s)| s).collect();
                paged(&mut f, items, "job_specs", &q)
            }))
        .with_state(shared);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
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
    (base, state)
}

fn zis(args: &[&str], stdin_terminal: bool) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zis-studio"));
    c.args(args).env_remove("ZIS_TOKEN");
    if !stdin_terminal {
        c.stdin(Stdio::null());
    }
    let data = tempfile::tempdir().unwrap();
    c.arg("--data").arg(data.path());
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_against(variant: Variant) {
    let (base, fake) = fake_registry(variant);
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.json");
    std::fs::copy(root().join("sample_bundles/jira_issue_sync.json"), &full).unwrap();
    let full_s = full.to_str().unwrap();
    let common = ["--base-url", base.as_str(), "--token", "good"];

    // A wrong token: exit 4, the request named.
    let (code, _, stderr) = zis(
        &[
            "deploy",
            full_s,
            "--base-url",
            &base,
            "--token",
            "bad",
            "--yes",
        ],
        true,
    );
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("GET /api/services/zis/registry/integrations") && stderr.contains("401"),
        "{stderr}"
    );

    // --dry-run: the plan as JSON, nothing changed.
    let mut a = vec!["deploy", full_s, "--dry-run", "--format", "json"];
    a.extend(common);
    let (code, stdout, stderr) = zis(&a, true);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["outcome"], "planned");
    assert_eq!(report["plan"]["create_integration"], true);
    assert!(
        fake.lock().unwrap().bundles.is_empty(),
        "a dry run sends nothing"
    );

    // No terminal and no --yes: a clear message, exit 3.
    let mut a = vec!["deploy", full_s];
    a.extend(common);
    let (code, _, stderr) = zis(&a, false);
    assert_eq!(code, 3);
    assert!(stderr.contains("pass --yes"), "{stderr}");

    // Deploy: created, uploaded (200 or 201), both job specs installed.
    let mut a = vec!["deploy", full_s, "--yes", "--format", "json"];
    a.extend(common);
    let (code, stdout, stderr) = zis(&a, true);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["outcome"], "deployed");
    assert_eq!(fake.lock().unwrap().installed.len(), 2);
    assert_eq!(
        fake.lock().unwrap().bundles.len(),
        1,
        "uploaded once, never blindly again"
    );
    if variant.lose_upload_answer {
        assert!(
            report["log"][1]
                .as_str()
                .unwrap()
                .contains("the answer was lost"),
            "{report}"
        );
    }

    // 110 more uploads (more than one page of 100), then one without a job spec and
    // --uninstall-stale: exactly that one is uninstalled, whatever form the list names take.
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    for n in 0..110 {
        let mut b = original.clone();
        b["description"] = json!(format!("upload {n}"));
        fake.lock().unwrap().bundles.push((format!("x{n}"), b));
    }
    let mut smaller = original.clone();
    smaller["resources"]
        .as_object_mut()
        .unwrap()
        .shift_remove("unlink_deleted_job");
    let small = dir.path().join("small.json");
    std::fs::write(&small, serde_json::to_string_pretty(&smaller).unwrap()).unwrap();
    let mut a = vec![
        "deploy",
        small.to_str().unwrap(),
        "--yes",
        "--uninstall-stale",
    ];
    a.extend(common);
    let (code, stdout, stderr) = zis(&a, true);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("uninstall zis:acme_jira:job_spec:unlink_deleted_job"),
        "{stdout}"
    );
    assert_eq!(
        fake.lock().unwrap().uninstalled,
        ["zis:acme_jira:job_spec:unlink_deleted_job"],
        "only the job spec the bundle dropped"
    );

    // pull: the newest upload of the name (the last of every page), job specs qualified.
    let out = dir.path().join("pulled");
    let (code, stdout, stderr) = zis(
        &[
            "pull",
            "--base-url",
            &base,
            "--token",
            "good",
            "--integration",
            "acme_jira",
            "--out",
            out.to_str().unwrap(),
        ],
        true,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let pulled: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("jira_issue_sync.json")).unwrap())
            .unwrap();
    assert_eq!(pulled, smaller, "the newest upload, unwrapped");
    let specs: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("acme_jira.job_specs.json")).unwrap(),
    )
    .unwrap();
    assert!(specs.as_array().unwrap().iter().all(|s| {
        s["name"]
            .as_str()
            .unwrap()
            .starts_with("zis:acme_jira:job_spec:")
    }));
}

#[test]
fn deploy_and_pull_hold_up_against_a_registry_with_short_names_201_and_a_wrapper() {
    run_against(Variant {
        short_names: true,
        upload_status: 201,
        wrapped: true,
        lose_upload_answer: false,
    });
}

#[test]
fn deploy_and_pull_hold_up_against_a_registry_with_qualified_names_200_and_no_wrapper() {
    run_against(Variant {
        short_names: false,
        upload_status: 200,
        wrapped: false,
        lose_upload_answer: true,
    });
}
