//! `/fake-zendesk/*`: stands in for `https://<subdomain>.zendesk.com` so `path` actions
//! work without a real account. No token: it answers 200 with what it received.

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
    body: Bytes,
) -> ApiResult {
    let received = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
    ok(
        StatusCode::OK,
        json!({"fake_zendesk": true, "method": method.as_str(), "path": format!("/{path}"), "received": received}),
    )
}
