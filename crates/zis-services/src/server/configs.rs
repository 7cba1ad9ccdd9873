//! The Config API (zis-facts.md 5.3): configs by scope, found by a scope pattern, created,
//! replaced, merged (RFC 7396 or shallow, as the dispatcher's settings say) and deleted.

use super::ServerState;
use super::api::{
    ApiError, ApiResult, Authorized, JsonBody, Q, bad, no_content, not_found, ok, page,
    string_field, value_field,
};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use zis_engine::actions::{MergeMode, merge_patch};

/// `POST integrations/{integration}/configs`.
#[derive(Deserialize)]
pub(super) struct NewConfig {
    #[serde(default, deserialize_with = "string_field")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "value_field")]
    config: Option<Value>,
}

/// `PUT` and `PATCH integrations/{integration}/configs/{scope}`.
#[derive(Deserialize)]
pub(super) struct ConfigBody {
    #[serde(default, deserialize_with = "value_field")]
    config: Option<Value>,
}

/// The body's `config` (any JSON value, `null` too): 400 without it.
fn required_config(config: Option<Value>) -> Result<Value, ApiError> {
    config.ok_or_else(|| bad("config is required"))
}

/// The stored config of a scope: 404 without it.
fn stored_config(s: &ServerState, integration: &str, scope: &str) -> Result<Value, ApiError> {
    s.db.config(integration, scope)?
        .ok_or_else(|| not_found(format!("config '{scope}' not found")))
}

/// `GET integrations/{integration}/configs?filter[scope]=...` (`*` wildcards).
pub(super) async fn show_configs(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    let scope = q
        .get("filter[scope]")
        .ok_or_else(|| bad("filter[scope] is required"))?;
    ok(
        StatusCode::OK,
        page(s.db.configs(&integration, scope)?, "configs", &q),
    )
}

pub(super) async fn create_config(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody<NewConfig>,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let NewConfig { scope, config } = body.fields()?;
    let scope = scope.ok_or_else(|| bad("scope is required"))?;
    let config = required_config(config)?;
    ok(
        StatusCode::CREATED,
        json!({"config": s.db.create_config(&integration, &scope, &config)?}),
    )
}

pub(super) async fn show_config(
    Path((integration, scope)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    let c = stored_config(&s, &integration, &scope)?;
    ok(StatusCode::OK, json!({"config": c}))
}

pub(super) async fn put_config(
    Path((integration, scope)): Path<(String, String)>,
    Authorized(s): Authorized,
    body: JsonBody<ConfigBody>,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let config = required_config(body.fields()?.config)?;
    ok(
        StatusCode::OK,
        json!({"config": s.db.put_config(&integration, &scope, &config)?}),
    )
}

pub(super) async fn patch_config(
    Path((integration, scope)): Path<(String, String)>,
    Authorized(s): Authorized,
    body: JsonBody<ConfigBody>,
) -> ApiResult {
    let patch = required_config(body.fields()?.config)?;
    let current = stored_config(&s, &integration, &scope)?;
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

pub(super) async fn delete_config(
    Path((integration, scope)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.delete_config(&integration, &scope)?;
    no_content()
}
