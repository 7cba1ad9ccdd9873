//! The Inbound Webhooks API (zis-facts.md 5.5) and the ingest endpoint: a webhook's
//! Basic credentials (not the bearer token) let a body in, which becomes an event.

use super::Shared;
use super::api::{
    ApiError, ApiResult, Authorized, JsonBody, no_content, not_found, ok, string_field,
};
use crate::db::IngestTarget;
use crate::dispatch;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

/// `POST inbound_webhooks/generic/{integration}`: both fields are required (422).
#[derive(Deserialize)]
pub(super) struct NewWebhook {
    #[serde(default, deserialize_with = "string_field")]
    source_system: Option<String>,
    #[serde(default, deserialize_with = "string_field")]
    event_type: Option<String>,
}

pub(super) async fn create_webhook(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody<NewWebhook>,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let NewWebhook {
        source_system,
        event_type,
    } = body.fields()?;
    let hook = s.db.create_webhook(
        &integration,
        &source_system.unwrap_or_default(),
        &event_type.unwrap_or_default(),
        &s.base_url,
    )?;
    ok(StatusCode::CREATED, json!({"data": hook}))
}

pub(super) async fn list_webhooks(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
) -> ApiResult {
    ok(
        StatusCode::OK,
        json!({"data": s.db.webhooks(&integration, &s.base_url)?}),
    )
}

pub(super) async fn show_webhook(
    Path((integration, uuid)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    ok(
        StatusCode::OK,
        json!({"data": s.db.webhook(&integration, &uuid, &s.base_url)?}),
    )
}

pub(super) async fn delete_webhook(
    Path((integration, uuid)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.delete_webhook(&integration, &uuid)?;
    no_content()
}

/// The ingest endpoint: the webhook's Basic credentials; the body (JSON, at most 200 KB)
/// becomes the event's `input`; the event is committed to the queue before the answer.
pub(super) async fn ingest(
    State(s): State<Shared>,
    h: HeaderMap,
    Path(token): Path<String>,
    body: JsonBody,
) -> ApiResult {
    let Some(hook) = s.db.webhook_by_token(&token)? else {
        return Err(not_found("no inbound webhook at this path"));
    };
    let IngestTarget {
        uuid,
        integration,
        source_system: source,
        event_type,
        username: user,
        password,
    } = hook;
    let given = h
        .get(header::AUTHORIZATION)
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
    dispatch::accept(
        &s.db,
        &s.dispatch,
        Some(&integration),
        &source,
        &event_type,
        &body.value()?,
        &format!("webhook:{uuid}"),
    )?;
    // Committed to the queue. ZIS's answer body is unconfirmed (zis-facts.md 5.5): empty.
    Ok(StatusCode::OK.into_response())
}
