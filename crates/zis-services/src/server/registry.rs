//! The Registry API (zis-facts.md 5.1): integrations, bundle uploads (validated first, and
//! every qualified name must belong to the integration), bundles, job specs and their
//! install and uninstall.

use super::api::{
    ApiResult, Authorized, JsonBody, Q, bad, no_content, ok, page, string_field, unprocessable,
};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use zis_engine::validate::{self, Options};

/// `POST registry/{integration}`.
#[derive(Deserialize)]
pub(super) struct NewIntegration {
    #[serde(default, deserialize_with = "string_field")]
    description: Option<String>,
}

pub(super) async fn create_integration(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody<NewIntegration>,
) -> ApiResult {
    let NewIntegration { description } = body.fields()?;
    ok(
        StatusCode::CREATED,
        s.db.create_integration(&integration, &description.unwrap_or_default())?,
    )
}

pub(super) async fn list_integrations(q: Q, Authorized(s): Authorized) -> ApiResult {
    ok(
        StatusCode::OK,
        page(s.db.integrations()?, "integrations", &q),
    )
}

/// `POST registry/{integration}/bundles`: 422 with the validator's errors (code, message,
/// pointer, line and column) when the bundle has any.
pub(super) async fn upload_bundle(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let diagnostics = validate::validate_bundle_text(&body.text(), Options::default());
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        let body = json!({"errors": errors.iter().map(|d| json!({
            "code": d.code.id(), "title": d.message, "source": {"pointer": d.pointer, "line": d.line, "column": d.column}
        })).collect::<Vec<_>>()});
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response());
    }
    let bundle = body.value()?;
    // Every qualified name in the bundle must belong to this integration.
    let text_names = bundle.to_string();
    let foreign = text_names
        .split("\"zis:")
        .skip(1)
        .filter_map(|rest| rest.split(':').next())
        .find(|i| *i != integration && *i != "common");
    if let Some(other) = foreign {
        return Err(unprocessable(format!(
            "the bundle refers to integration '{other}' but is uploaded to '{integration}'"
        )));
    }
    ok(
        StatusCode::CREATED,
        s.db.upload_bundle_with(&integration, &bundle, s.dispatch.keep_job_specs_on_upload)?,
    )
}

pub(super) async fn list_bundles(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    ok(
        StatusCode::OK,
        page(s.db.bundles(&integration)?, "bundles", &q),
    )
}

pub(super) async fn show_bundle(
    Path((integration, uuid)): Path<(String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    ok(StatusCode::OK, s.db.bundle(&integration, &uuid)?)
}

pub(super) async fn list_job_specs(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let specs: Vec<Value> =
        s.db.job_specs(&integration)?
            .into_iter()
            .map(|j| serde_json::to_value(j).unwrap_or(Value::Null))
            .collect();
    ok(StatusCode::OK, page(specs, "job_specs", &q))
}

/// `POST registry/job_specs/install?job_spec_name=...`.
pub(super) async fn install(Query(q): Q, auth: Authorized) -> ApiResult {
    set_installed(&q, auth, true)
}

/// `DELETE registry/job_specs/install?job_spec_name=...`.
pub(super) async fn uninstall(Query(q): Q, auth: Authorized) -> ApiResult {
    set_installed(&q, auth, false)
}

fn set_installed(
    q: &std::collections::HashMap<String, String>,
    Authorized(s): Authorized,
    installed: bool,
) -> ApiResult {
    let name = q
        .get("job_spec_name")
        .ok_or_else(|| bad("job_spec_name is required"))?;
    s.db.set_installed(name, installed)?;
    no_content()
}
