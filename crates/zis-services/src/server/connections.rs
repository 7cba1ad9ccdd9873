//! The Connections API (zis-facts.md 5.2): connections of each kind with their secrets
//! masked in every answer, OAuth clients, and an OAuth connection looked up by name.

use super::api::{
    ApiError, ApiResult, Authorized, JsonBody, Q, bad, fields_of, no_content, not_found, ok,
    string_field,
};
use crate::db::ConnectionKind;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// The kind in a connection path: 404 for a kind ZIS does not have.
fn connection_kind(kind: &str) -> Result<ConnectionKind, ApiError> {
    ConnectionKind::parse(kind).ok_or_else(|| not_found(format!("no connection type '{kind}'")))
}

pub(super) async fn list_connections(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    ok(StatusCode::OK, s.db.connections_public(&integration)?)
}

/// `POST integrations/{integration}/connections/{kind}`: the body's other fields are the
/// kind's data (secrets included), stored as they are.
#[derive(Deserialize)]
pub(super) struct NewConnection {
    #[serde(default, deserialize_with = "string_field")]
    name: Option<String>,
    #[serde(default, deserialize_with = "string_field")]
    allowed_domain: Option<String>,
}

pub(super) async fn create_connection(
    Path((integration, kind)): Path<(String, String)>,
    Authorized(s): Authorized,
    body: JsonBody<NewConnection>,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let kind = connection_kind(&kind)?;
    let mut data = body.value()?;
    let NewConnection {
        name,
        allowed_domain,
    } = fields_of(&data)?;
    if let Value::Object(m) = &mut data {
        m.remove("name");
        m.remove("allowed_domain");
    }
    ok(
        StatusCode::CREATED,
        s.db.put_connection(
            &integration,
            kind,
            &name.unwrap_or_default(),
            &allowed_domain.unwrap_or_default(),
            &data,
        )?,
    )
}

pub(super) async fn show_connection(
    Path((integration, _kind, name)): Path<(String, String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    ok(StatusCode::OK, s.db.connection_public(&integration, &name)?)
}

pub(super) async fn delete_connection(
    Path((integration, kind, name)): Path<(String, String, String)>,
    Authorized(s): Authorized,
) -> ApiResult {
    s.db.delete_connection(&integration, connection_kind(&kind)?, &name)?;
    no_content()
}

/// `POST connections/oauth/clients/{integration}`: the body is the client's data.
pub(super) async fn create_oauth_client(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    ok(
        StatusCode::CREATED,
        json!({"client": s.db.create_oauth_client(&integration, &body.value()?)?}),
    )
}

pub(super) async fn list_oauth_clients(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
) -> ApiResult {
    ok(
        StatusCode::OK,
        json!({"clients": s.db.oauth_clients(&integration)?}),
    )
}

/// `GET connections/{integration}?name=...`.
pub(super) async fn show_oauth_connection(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    let name = q.get("name").ok_or_else(|| bad("name is required"))?;
    ok(StatusCode::OK, s.db.connection_public(&integration, name)?)
}
