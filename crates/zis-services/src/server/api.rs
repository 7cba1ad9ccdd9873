//! What every handler shares: the JSON error answer ([`ApiError`]), the bearer-token check
//! as an extractor ([`Authorized`]), request bodies read as typed fields ([`JsonBody`]),
//! and pages of a list ([`page`]).

use super::Shared;
use crate::db::ServiceError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::marker::PhantomData;

/// A query string as its parameters.
pub(super) type Q = Query<HashMap<String, String>>;

/// An error answer: the status and `{"errors": [{"code", "title"}]}`.
pub(super) struct ApiError(pub StatusCode, pub String);

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

/// What a handler answers.
pub(super) type ApiResult = Result<Response, ApiError>;

/// A JSON answer with `status`.
pub(super) fn ok(status: StatusCode, body: Value) -> ApiResult {
    Ok((status, axum::Json(body)).into_response())
}

/// 204, no body.
pub(super) fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 400 with `msg`.
pub(super) fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

/// 404 with `msg`.
pub(super) fn not_found(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, msg.into())
}

/// 422 with `msg`.
pub(super) fn unprocessable(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
}

/// A request that carried the management token (`Authorization: Bearer <token>`), with
/// the server's state: a handler that takes it cannot run without the token. Any other
/// request is answered 401.
///
/// Extractors run in the order of the handler's arguments; handlers put this one after
/// their path and query and before the body, so a malformed path or query is still
/// answered first, as when the check was a call inside each handler.
pub(super) struct Authorized(pub Shared);

impl FromRequestParts<Shared> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let bearer = header.strip_prefix("Bearer ") == Some(state.token.as_str());
        // Zendesk API-token basic auth, as setup scripts send it:
        // `-u admin@example.com/token:<the API token serve prints>`.
        let basic = header
            .strip_prefix("Basic ")
            .and_then(|b| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| {
                let (user, token) = pair.split_once(':')?;
                Some(user.ends_with("/token") && token == super::basic_api_token(&state.token))
            })
            .unwrap_or(false);
        if bearer || basic {
            Ok(Self(state.clone()))
        } else {
            Err(ApiError(
                StatusCode::UNAUTHORIZED,
                "a valid 'Authorization: Bearer <token>' header (the data folder's api_token file) or Zendesk API-token basic auth ('email/token:<API token>') is required".into(),
            ))
        }
    }
}

/// A request body (at most [`super::BODY_LIMIT`]) holding the JSON fields `T`.
///
/// The body is buffered by the extractor but parsed only when the handler asks
/// ([`JsonBody::fields`], [`JsonBody::value`]): handlers check the integration, the
/// connection kind or the query first, and those answers come before a body's.
pub(super) struct JsonBody<T = Value> {
    bytes: Bytes,
    fields: PhantomData<fn() -> T>,
}

impl<S: Send + Sync, T> FromRequest<S> for JsonBody<T> {
    type Rejection = BytesRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, BytesRejection> {
        Ok(Self {
            bytes: Bytes::from_request(req, state).await?,
            fields: PhantomData,
        })
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    /// The body as text (invalid UTF-8 replaced).
    pub(super) fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// The body's JSON: `{}` when the body is empty, 400 when it is not JSON.
    pub(super) fn value(&self) -> Result<Value, ApiError> {
        if self.bytes.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.bytes).map_err(|e| bad(format!("the body is not JSON: {e}")))
    }

    /// The body's fields (see [`fields_of`]).
    pub(super) fn fields(&self) -> Result<T, ApiError> {
        fields_of(&self.value()?)
    }
}

/// The fields `T` of a JSON body. Fields are read from an object: any other JSON value
/// has none of them.
pub(super) fn fields_of<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    let object = match body {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    T::deserialize(Value::Object(object)).map_err(|e| bad(format!("the body's fields: {e}")))
}

/// For `#[serde(default, deserialize_with = "string_field")]`: a string field, where any other
/// JSON type counts as absent (so a wrong type gets the same answer as a missing field).
pub(super) fn string_field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        _ => None,
    })
}

/// For `#[serde(default, deserialize_with = "value_field")]`: a field of any JSON value,
/// `null` included (a plain `Option` would read `null` as absent).
pub(super) fn value_field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// One page of `items` under `key`, by the query's `page[size]` (default 20, 1 to 100)
/// and `page[after]` or `page[before]` (offsets into the list, as the cursors this server
/// hands out), with ZIS's `meta` (`has_more`, `after`, `before`).
pub(super) fn page(items: Vec<Value>, key: &str, q: &HashMap<String, String>) -> Value {
    let size = q
        .get("page[size]")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let total = items.len();
    let offset = |k: &str| q.get(k).and_then(|a| a.parse::<usize>().ok());
    let (start, stop) = match (offset("page[after]"), offset("page[before]")) {
        (Some(after), _) => (after.min(total), total),
        // The page that ends just before the cursor.
        (None, Some(before)) => {
            let stop = before.min(total);
            (stop.saturating_sub(size), stop)
        }
        (None, None) => (0, total),
    };
    let slice: Vec<Value> = items
        .into_iter()
        .take(stop)
        .skip(start)
        .take(size)
        .collect();
    let end = start + slice.len();
    json!({key: slice, "meta": {"has_more": end < total,
        "after": if end < total { Value::String(end.to_string()) } else { Value::Null },
        "before": if start > 0 { Value::String(start.to_string()) } else { Value::Null }}})
}
