//! `/fake-zendesk/*`: stands in for `https://<subdomain>.zendesk.com` so `path` actions
//! work without a real account. Like Zendesk, a request without credentials gets 401
//! `Couldn't authenticate you`; with any (the action's connection), 200 with what it
//! received.

use super::api::{ApiResult, ok};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// Any method on any path: `{"fake_zendesk": true, method, path, received}` (`received`
/// is the body's JSON, or `null`).
pub(super) async fn fake_zendesk(
    method: Method,
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ApiResult {
    // As Zendesk answers a request without credentials (a `path` action whose connection
    // is missing, or none named).
    let authorized = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer ") || v.starts_with("Basic "))
        || headers.keys().any(|k| {
            let k = k.as_str();
            k.contains("api-key") || k.contains("api_key") || k.contains("apikey")
        });
    if !authorized {
        return ok(
            StatusCode::UNAUTHORIZED,
            json!({"error": "Couldn't authenticate you"}),
        );
    }
    let received = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    ok(
        StatusCode::OK,
        json!({"fake_zendesk": true, "method": method.as_str(), "path": format!("/{path}"), "received": received}),
    )
}
