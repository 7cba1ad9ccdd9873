//! `zis-studio serve`: an HTTP server on 127.0.0.1 (tokio + axum) with the ZIS REST paths
//! of zis-facts.md section 5, the inbound-webhook ingest endpoint, a fake Zendesk for
//! `path` actions, and a few local endpoints (`/api/local/...`) for the queue, executions
//! and injected events.
//!
//! The management API needs `Authorization: Bearer <token>`, a token `serve` creates in
//! the data folder (file `api_token`, mode 0600) and prints. The ingest endpoint needs the
//! webhook's Basic credentials instead. Errors are JSON: `{"errors": [{"code", "title"}]}`.

use crate::db::{ConnectionKind, Db, ServiceError};
use crate::dispatch::{self, DispatchSettings};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use zis_engine::actions::{LinkObject, LinkQuery, MergeMode, merge_patch};
use zis_engine::validate::{self, Options};

/// What the server shares between requests.
pub struct ServerState {
    /// The database.
    pub db: Arc<Db>,
    /// The management API's bearer token.
    pub token: String,
    /// `http://127.0.0.1:<port>`, for the webhook URLs it hands out.
    pub base_url: String,
    /// Delivery settings for accepted events.
    pub dispatch: DispatchSettings,
}

/// The largest request body accepted (ZIS recommends at most 200 KB for webhooks).
pub const BODY_LIMIT: usize = 200 * 1024;

type Shared = Arc<ServerState>;
type Q = Query<HashMap<String, String>>;

struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = match self.0 {
            StatusCode::NOT_FOUND => "NotFound",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::UNAUTHORIZED => "Unauthorized",
            StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
            StatusCode::UNPROCESSABLE_ENTITY => "UnprocessableEntity",
            StatusCode::BAD_REQUEST => "BadRequest",
            _ => "InternalError",
        };
        let body = json!({"errors": [{"code": code, "title": self.1}]});
        (self.0, axum::Json(body)).into_response()
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let status = match &e {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError(status, e.to_string())
    }
}

type ApiResult = Result<Response, ApiError>;

fn ok(status: StatusCode, body: Value) -> ApiResult {
    Ok((status, axum::Json(body)).into_response())
}

fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

fn authorize(s: &ServerState, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if given == s.token {
        Ok(())
    } else {
        Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "a valid 'Authorization: Bearer <token>' header is required (the token is in the data folder's api_token file)".into(),
        ))
    }
}

fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("the body is not JSON: {e}")))
}

fn page(items: Vec<Value>, key: &str, q: &HashMap<String, String>) -> Value {
    let size = q
        .get("page[size]")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let start = q
        .get("page[after]")
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0);
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let end = start + slice.len();
    json!({key: slice, "meta": {"has_more": end < total,
        "after": if end < total { Value::String(end.to_string()) } else { Value::Null },
        "before": if start > 0 { Value::String(start.to_string()) } else { Value::Null }}})
}

/// The router: every route of the server.
pub fn router(state: Shared) -> Router {
    let zis = "/api/services/zis";
    Router::new()
        .route(
            &format!("{zis}/registry/integrations"),
            get(list_integrations),
        )
        .route(
            &format!("{zis}/registry/job_specs/install"),
            post(install).delete(uninstall),
        )
        .route(
            &format!("{zis}/registry/{{integration}}"),
            post(create_integration),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/bundles"),
            post(upload_bundle).get(list_bundles),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/bundles/{{uuid}}"),
            get(show_bundle),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/job_specs"),
            get(list_job_specs),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/all"),
            get(list_connections),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/{{kind}}"),
            post(create_connection),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/{{kind}}/{{name}}"),
            get(show_connection).delete(delete_connection),
        )
        .route(
            &format!("{zis}/connections/oauth/clients/{{integration}}"),
            post(create_oauth_client).get(list_oauth_clients),
        )
        .route(
            &format!("{zis}/connections/{{integration}}"),
            get(show_oauth_connection),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/configs"),
            get(show_configs).post(create_config),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/configs/{{scope}}"),
            get(show_config)
                .put(put_config)
                .patch(patch_config)
                .delete(delete_config),
        )
        .route(
            &format!("{zis}/links/{{integration}}"),
            get(query_links)
                .post(create_link)
                .patch(patch_link)
                .delete(delete_link),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/ingest/{{token}}"),
            post(ingest),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/{{integration}}"),
            post(create_webhook).get(list_webhooks),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/{{integration}}/{{uuid}}"),
            get(show_webhook).delete(delete_webhook),
        )
        .route("/api/local/queue", get(queue))
        .route("/api/local/events", post(inject_event).get(list_events))
        .route("/api/local/executions", get(list_executions))
        .route("/api/local/executions/{id}", get(show_execution))
        .route(
            "/api/local/integrations/{integration}/{action}",
            post(enable_integration),
        )
        .route("/fake-zendesk/{*path}", any(fake_zendesk))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

// ---- registry ----

async fn create_integration(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    let b = json_body(&body)?;
    let desc = b
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    ok(
        StatusCode::CREATED,
        s.db.create_integration(&integration, desc)?,
    )
}

async fn list_integrations(State(s): State<Shared>, h: HeaderMap) -> ApiResult {
    authorize(&s, &h)?;
    ok(
        StatusCode::OK,
        json!({"integrations": s.db.integrations()?}),
    )
}

async fn upload_bundle(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let diagnostics = validate::validate_bundle_text(&text, Options::default());
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        let body = json!({"errors": errors.iter().map(|d| json!({
            "code": d.code.id(), "title": d.message, "source": {"pointer": d.pointer, "line": d.line, "column": d.column}
        })).collect::<Vec<_>>()});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
    }
    let bundle = json_body(&body)?;
    // Every qualified name in the bundle must belong to this integration.
    let text_names = bundle.to_string();
    let foreign = text_names
        .split("\"zis:")
        .skip(1)
        .filter_map(|rest| rest.split(':').next())
        .find(|i| *i != integration && *i != "common");
    if let Some(other) = foreign {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the bundle refers to integration '{other}' but is uploaded to '{integration}'"
            ),
        ));
    }
    ok(
        StatusCode::CREATED,
        s.db.upload_bundle(&integration, &bundle)?,
    )
}

async fn list_bundles(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    ok(
        StatusCode::OK,
        page(s.db.bundles(&integration)?, "bundles", &q),
    )
}

async fn show_bundle(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, uuid)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    ok(StatusCode::OK, s.db.bundle(&integration, &uuid)?)
}

async fn list_job_specs(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let specs: Vec<Value> =
        s.db.job_specs(&integration)?
            .into_iter()
            .map(|j| serde_json::to_value(j).unwrap_or(Value::Null))
            .collect();
    ok(StatusCode::OK, page(specs, "job_specs", &q))
}

async fn install(State(s): State<Shared>, h: HeaderMap, Query(q): Q) -> ApiResult {
    authorize(&s, &h)?;
    let name = q
        .get("job_spec_name")
        .ok_or_else(|| bad("job_spec_name is required"))?;
    s.db.set_installed(name, true)?;
    no_content()
}

async fn uninstall(State(s): State<Shared>, h: HeaderMap, Query(q): Q) -> ApiResult {
    authorize(&s, &h)?;
    let name = q
        .get("job_spec_name")
        .ok_or_else(|| bad("job_spec_name is required"))?;
    s.db.set_installed(name, false)?;
    no_content()
}

// ---- connections ----

async fn list_connections(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    ok(StatusCode::OK, s.db.connections_public(&integration)?)
}

async fn create_connection(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, kind)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let kind = ConnectionKind::parse(&kind).ok_or_else(|| {
        ApiError(
            StatusCode::NOT_FOUND,
            format!("no connection type '{kind}'"),
        )
    })?;
    let b = json_body(&body)?;
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let domain = b
        .get("allowed_domain")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut data = b.clone();
    if let Value::Object(m) = &mut data {
        m.remove("name");
        m.remove("allowed_domain");
    }
    ok(
        StatusCode::CREATED,
        s.db.put_connection(&integration, kind, &name, &domain, &data)?,
    )
}

async fn show_connection(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, _kind, name)): Path<(String, String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    ok(StatusCode::OK, s.db.connection_public(&integration, &name)?)
}

async fn delete_connection(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, kind, name)): Path<(String, String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    let kind = ConnectionKind::parse(&kind).ok_or_else(|| {
        ApiError(
            StatusCode::NOT_FOUND,
            format!("no connection type '{kind}'"),
        )
    })?;
    s.db.delete_connection(&integration, kind, &name)?;
    no_content()
}

async fn create_oauth_client(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let b = json_body(&body)?;
    ok(
        StatusCode::CREATED,
        json!({"client": s.db.create_oauth_client(&integration, &b)?}),
    )
}

async fn list_oauth_clients(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
) -> ApiResult {
    authorize(&s, &h)?;
    ok(
        StatusCode::OK,
        json!({"clients": s.db.oauth_clients(&integration)?}),
    )
}

async fn show_oauth_connection(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    let name = q.get("name").ok_or_else(|| bad("name is required"))?;
    ok(StatusCode::OK, s.db.connection_public(&integration, name)?)
}

// ---- configs ----

async fn show_configs(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    let scope = q
        .get("filter[scope]")
        .ok_or_else(|| bad("filter[scope] is required"))?;
    ok(
        StatusCode::OK,
        page(s.db.configs(&integration, scope)?, "configs", &q),
    )
}

async fn create_config(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let b = json_body(&body)?;
    let scope = b
        .get("scope")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("scope is required"))?;
    let config = b
        .get("config")
        .cloned()
        .ok_or_else(|| bad("config is required"))?;
    ok(
        StatusCode::CREATED,
        json!({"config": s.db.create_config(&integration, scope, &config)?}),
    )
}

async fn show_config(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, scope)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    let c = s
        .db
        .config(&integration, &scope)?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("config '{scope}' not found")))?;
    ok(StatusCode::OK, json!({"config": c}))
}

async fn put_config(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, scope)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let b = json_body(&body)?;
    let config = b
        .get("config")
        .cloned()
        .ok_or_else(|| bad("config is required"))?;
    ok(
        StatusCode::OK,
        json!({"config": s.db.put_config(&integration, &scope, &config)?}),
    )
}

async fn patch_config(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, scope)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    let b = json_body(&body)?;
    let patch = b
        .get("config")
        .cloned()
        .ok_or_else(|| bad("config is required"))?;
    let current = s
        .db
        .config(&integration, &scope)?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("config '{scope}' not found")))?;
    let mut merged = current["config"].clone();
    match s.dispatch.merge {
        MergeMode::MergePatch => merge_patch(&mut merged, &patch),
        MergeMode::Shallow => {
            if let (Value::Object(m), Value::Object(p)) = (&mut merged, &patch) {
                for (k, v) in p {
                    m.insert(k.clone(), v.clone());
                }
            }
        }
    }
    ok(
        StatusCode::OK,
        json!({"config": s.db.put_config(&integration, &scope, &merged)?}),
    )
}

async fn delete_config(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, scope)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.delete_config(&integration, &scope)?;
    no_content()
}

// ---- links ----

fn link_json(l: &zis_engine::actions::Link, integration: &str) -> Value {
    json!({"id": l.id, "link_type": l.link_type, "left_object": l.left_object, "right_object": l.right_object, "integration": integration})
}

fn link_key(q: &HashMap<String, String>) -> Result<(String, String, String), ApiError> {
    let get = |k: &str| {
        q.get(k)
            .cloned()
            .ok_or_else(|| bad(format!("{k} is required")))
    };
    Ok((
        get("link_type")?,
        get("left_object_name")?,
        get("right_object_name")?,
    ))
}

async fn query_links(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    let link_type = q
        .get("link_type")
        .ok_or_else(|| bad("link_type is required"))?;
    let left = q.get("left_object_name").cloned();
    let right = q.get("right_object_name").cloned();
    if left.is_none() && right.is_none() {
        return Err(bad("left_object_name or right_object_name is required"));
    }
    let query = LinkQuery {
        link_type: link_type.clone(),
        left,
        right,
        page_size: q
            .get("page[size]")
            .and_then(|p| p.parse().ok())
            .unwrap_or(20),
        after: q.get("page[after]").cloned(),
    };
    let (links, more) = s.db.query_links(&integration, &query)?;
    let after = if more {
        links.last().map(|l| Value::String(l.id.clone()))
    } else {
        None
    };
    ok(
        StatusCode::OK,
        json!({"links": links.iter().map(|l| link_json(l, &integration)).collect::<Vec<_>>(),
        "meta": {"has_more": more, "after": after, "before": Value::Null}}),
    )
}

async fn create_link(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let b = json_body(&body)?;
    let link_type = b
        .get("link_type")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("link_type is required"))?;
    let side = |k: &str| -> Result<LinkObject, ApiError> {
        serde_json::from_value(b.get(k).cloned().unwrap_or(Value::Null)).map_err(|e| {
            ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{k} must be {{\"name\", \"metadata\"}}: {e}"),
            )
        })
    };
    let link = s.db.create_link(
        &integration,
        link_type,
        &side("left_object")?,
        &side("right_object")?,
    )?;
    ok(
        StatusCode::CREATED,
        json!({"link": link_json(&link, &integration)}),
    )
}

async fn patch_link(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    let (t, l, r) = link_key(&q)?;
    let b = json_body(&body)?;
    let side = |k: &str| -> Result<Option<LinkObject>, ApiError> {
        b.get(k)
            .map(|v| {
                serde_json::from_value(v.clone())
                    .map_err(|e| ApiError(StatusCode::UNPROCESSABLE_ENTITY, format!("{k}: {e}")))
            })
            .transpose()
    };
    let link = s.db.patch_link(
        &integration,
        &t,
        &l,
        &r,
        side("left_object")?.as_ref(),
        side("right_object")?.as_ref(),
    )?;
    ok(
        StatusCode::OK,
        json!({"link": link_json(&link, &integration)}),
    )
}

async fn delete_link(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    Query(q): Q,
) -> ApiResult {
    authorize(&s, &h)?;
    let (t, l, r) = link_key(&q)?;
    s.db.delete_link(&integration, &t, &l, &r)?;
    no_content()
}

// ---- inbound webhooks ----

async fn create_webhook(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
    body: Bytes,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.require_integration(&integration)?;
    let b = json_body(&body)?;
    let field = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let hook = s.db.create_webhook(
        &integration,
        &field("source_system"),
        &field("event_type"),
        &s.base_url,
    )?;
    ok(StatusCode::CREATED, json!({"data": hook}))
}

async fn list_webhooks(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(integration): Path<String>,
) -> ApiResult {
    authorize(&s, &h)?;
    ok(
        StatusCode::OK,
        json!({"data": s.db.webhooks(&integration, &s.base_url)?}),
    )
}

async fn show_webhook(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, uuid)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    ok(
        StatusCode::OK,
        json!({"data": s.db.webhook(&integration, &uuid, &s.base_url)?}),
    )
}

async fn delete_webhook(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, uuid)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    s.db.delete_webhook(&integration, &uuid)?;
    no_content()
}

/// The ingest endpoint: the webhook's Basic credentials; the body (JSON, at most 200 KB)
/// becomes the event's `input`; the event is committed to the queue before the answer.
async fn ingest(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> ApiResult {
    let Some(hook) = s.db.webhook_by_token(&token)? else {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            "no inbound webhook at this path".into(),
        ));
    };
    let crate::db::IngestTarget {
        uuid,
        integration,
        source_system: source,
        event_type,
        username: user,
        password,
    } = hook;
    let given = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .map(|raw| String::from_utf8_lossy(&raw).into_owned());
    if given.as_deref() != Some(format!("{user}:{password}").as_str()) {
        return Err(ApiError(
            StatusCode::UNAUTHORIZED,
            "the webhook's Basic credentials are required".into(),
        ));
    }
    let input = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?
    };
    dispatch::accept(
        &s.db,
        &s.dispatch,
        Some(&integration),
        &source,
        &event_type,
        &input,
        &format!("webhook:{uuid}"),
    )?;
    // Committed to the queue. ZIS's answer body is unconfirmed (zis-facts.md 5.5): empty.
    Ok(StatusCode::OK.into_response())
}

// ---- local ----

async fn queue(State(s): State<Shared>, h: HeaderMap) -> ApiResult {
    authorize(&s, &h)?;
    ok(
        StatusCode::OK,
        serde_json::to_value(s.db.queue_stats()?).unwrap_or(Value::Null),
    )
}

async fn inject_event(State(s): State<Shared>, h: HeaderMap, body: Bytes) -> ApiResult {
    authorize(&s, &h)?;
    let b = json_body(&body)?;
    let source = b
        .get("event_source")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("event_source is required"))?;
    let event_type = b
        .get("event_type")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("event_type is required"))?;
    let input = match b.get("input") {
        Some(i) => i.clone(),
        None => crate::catalog::find(source, event_type)
            .map(crate::catalog::sample_input)
            .ok_or_else(|| {
                ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{source}/{event_type} is not in the event catalog; give an input"),
                )
            })?,
    };
    let integration = b.get("integration").and_then(Value::as_str);
    let ids = dispatch::accept(
        &s.db,
        &s.dispatch,
        integration,
        source,
        event_type,
        &input,
        "api",
    )?;
    ok(StatusCode::ACCEPTED, json!({"accepted": ids}))
}

async fn list_events(State(s): State<Shared>, h: HeaderMap) -> ApiResult {
    authorize(&s, &h)?;
    ok(StatusCode::OK, json!({"events": s.db.events(100)?}))
}

async fn list_executions(State(s): State<Shared>, h: HeaderMap) -> ApiResult {
    authorize(&s, &h)?;
    ok(StatusCode::OK, json!({"executions": s.db.executions(100)?}))
}

async fn show_execution(State(s): State<Shared>, h: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    authorize(&s, &h)?;
    let (history, output) = s.db.execution_history(id)?;
    ok(
        StatusCode::OK,
        json!({"id": id, "history": history, "output": output}),
    )
}

async fn enable_integration(
    State(s): State<Shared>,
    h: HeaderMap,
    Path((integration, action)): Path<(String, String)>,
) -> ApiResult {
    authorize(&s, &h)?;
    let enabled = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => {
            return Err(ApiError(
                StatusCode::NOT_FOUND,
                format!("no action '{action}'"),
            ));
        }
    };
    s.db.set_enabled(&integration, enabled)?;
    ok(
        StatusCode::OK,
        json!({"integration": integration, "enabled": enabled}),
    )
}

/// Stands in for `https://<subdomain>.zendesk.com` so `path` actions work without a real
/// account: it answers 200 with what it received.
async fn fake_zendesk(
    method: axum::http::Method,
    Path(path): Path<String>,
    body: Bytes,
) -> ApiResult {
    let received = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    ok(
        StatusCode::OK,
        json!({"fake_zendesk": true, "method": method.as_str(), "path": format!("/{path}"), "received": received}),
    )
}

/// The management token in `data_dir/api_token`, created (mode 0600) when missing.
pub fn api_token(data_dir: &std::path::Path) -> std::io::Result<String> {
    let path = data_dir.join("api_token");
    if let Ok(t) = std::fs::read_to_string(&path)
        && !t.trim().is_empty()
    {
        return Ok(t.trim().to_string());
    }
    std::fs::create_dir_all(data_dir)?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    std::fs::write(&path, &token)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(token)
}

/// A running server.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The bound port.
    pub port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stop_worker: Arc<std::sync::atomic::AtomicBool>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the server and the dispatcher.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.stop_worker
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Starts the server on 127.0.0.1:`port` (0: any free port) on its own thread, with the
/// dispatcher's worker; `dispatch.http.zendesk_base_url` is pointed at this server's fake
/// Zendesk unless it was set to something else.
pub fn start(
    db: Arc<Db>,
    token: String,
    port: u16,
    mut dispatch: DispatchSettings,
) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let base_url = format!("http://127.0.0.1:{port}");
    if dispatch.http.zendesk_base_url == crate::http::HttpSettings::default().zendesk_base_url {
        dispatch.http.zendesk_base_url = format!("{base_url}/fake-zendesk");
    }
    let state = Arc::new(ServerState {
        db: db.clone(),
        token,
        base_url: base_url.clone(),
        dispatch: dispatch.clone(),
    });
    let app = router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("server: {e}");
            }
        });
    });
    let stop_worker = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let worker = dispatch::spawn_worker(db, dispatch, stop_worker.clone());
    Ok(Running {
        base_url,
        port,
        shutdown: Some(tx),
        thread: Some(thread),
        stop_worker,
        worker: Some(worker),
    })
}
