//! `/api/local/*`: what ZIS itself has no API for — the queue's figures, events injected
//! and listed, stored executions with their histories, and enabling or disabling an
//! integration.

use super::api::{
    ApiResult, Authorized, JsonBody, bad, not_found, ok, string_field, unprocessable, value_field,
};
use crate::{catalog, dispatch};
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

pub(super) async fn queue(Authorized(s): Authorized) -> ApiResult {
    ok(
        StatusCode::OK,
        serde_json::to_value(s.db.queue_stats()?).unwrap_or(Value::Null),
    )
}

/// `POST /api/local/events`: without an `input`, the catalog's sample for the event type.
#[derive(Deserialize)]
pub(super) struct NewEvent {
    #[serde(default, deserialize_with = "string_field")]
    event_source: Option<String>,
    #[serde(default, deserialize_with = "string_field")]
    event_type: Option<String>,
    #[serde(default, deserialize_with = "value_field")]
    input: Option<Value>,
    #[serde(default, deserialize_with = "string_field")]
    integration: Option<String>,
}

pub(super) async fn inject_event(Authorized(s): Authorized, body: JsonBody<NewEvent>) -> ApiResult {
    let NewEvent {
        event_source,
        event_type,
        input,
        integration,
    } = body.fields()?;
    let source = event_source.ok_or_else(|| bad("event_source is required"))?;
    let event_type = event_type.ok_or_else(|| bad("event_type is required"))?;
    let input = match input {
        Some(i) => i,
        None => catalog::find(&source, &event_type)
            .map(catalog::sample_input)
            .ok_or_else(|| {
                unprocessable(format!(
                    "{source}/{event_type} is not in the event catalog; give an input"
                ))
            })?,
    };
    let ids = dispatch::accept(
        &s.db,
        &s.dispatch,
        integration.as_deref(),
        &source,
        &event_type,
        &input,
        "api",
    )?;
    ok(StatusCode::ACCEPTED, json!({"accepted": ids}))
}

pub(super) async fn list_events(Authorized(s): Authorized) -> ApiResult {
    ok(StatusCode::OK, json!({"events": s.db.events(100)?}))
}

pub(super) async fn list_executions(Authorized(s): Authorized) -> ApiResult {
    ok(StatusCode::OK, json!({"executions": s.db.executions(100)?}))
}

pub(super) async fn show_execution(Path(id): Path<i64>, Authorized(s): Authorized) -> ApiResult {
    let (history, output) = s.db.execution_history(id)?;
    ok(
        StatusCode::OK,
        json!({"id": id, "history": history, "output": output}),
    )
}

/// `POST /api/local/integrations/{integration}/enable` (or `disable`).
pub(super) async fn enable_integration(
    Path((integration, action)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    let enabled = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return Err(not_found(format!("no action '{action}'"))),
    };
    s.db.set_enabled(&integration, enabled)?;
    ok(
        StatusCode::OK,
        json!({"integration": integration, "enabled": enabled}),
    )
}
