//! Changes to the local stores made from a form (the Services dock) or a flow test's
//! set-up: connections (an empty secret keeps the stored one), links, and the curl command
//! for an inbound webhook. Plain functions over [`Db`]; no egui, no app state.

use serde_json::{Value, json};
use zis_engine::actions::LinkObject;
use zis_services::db::{ConnectionKind, Db, ServiceError};

/// Why a store form was refused.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The connection kind is not one of the four.
    #[error("unknown kind {0}")]
    UnknownKind(String),
    /// Link metadata that is not JSON.
    #[error("{side} metadata is not JSON: {line}:{column}: {message}")]
    Metadata {
        /// `left` or `right`.
        side: &'static str,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The store refused.
    #[error(transparent)]
    Store(#[from] ServiceError),
}

/// A connection to create (the kinds' fields, secrets included).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NewConnection {
    /// `bearer_token`, `basic_auth`, `api_key` or `oauth`.
    pub kind: String,
    /// Its name (3 to 64 characters).
    pub name: String,
    /// The host it may be used on (empty: any).
    pub allowed_domain: String,
    /// The token, password, API key or OAuth access token.
    pub secret: String,
    /// The basic-auth user, or the API key's header name.
    pub user_or_header: String,
}

/// Creates a connection from the form, or updates the one of that name in place: an
/// empty secret keeps the stored one (the form never shows it), other fields change.
pub fn create_connection(
    db: &Db,
    integration: &str,
    c: &NewConnection,
) -> Result<Option<Value>, FormError> {
    let kind =
        ConnectionKind::parse(&c.kind).ok_or_else(|| FormError::UnknownKind(c.kind.clone()))?;
    let stored = db
        .connection(integration, c.name.trim())?
        .filter(|old| old.kind == kind);
    let secret = match (&stored, c.secret.is_empty()) {
        (Some(old), true) => kind
            .secret_fields()
            .first()
            .and_then(|f| old.data.get(*f))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => c.secret.clone(),
    };
    let mut data = match kind {
        ConnectionKind::BearerToken => json!({"token": secret}),
        ConnectionKind::BasicAuth => json!({"username": c.user_or_header, "password": secret}),
        ConnectionKind::ApiKey => json!({"header_name": c.user_or_header, "api_key": secret}),
        ConnectionKind::Oauth => json!({"access_token": secret}),
    };
    // An OAuth connection keeps its refresh token and other stored fields.
    if let (Some(old), Value::Object(new)) = (&stored, &mut data)
        && let Value::Object(old) = &old.data
    {
        for (k, v) in old {
            new.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    db.put_connection(integration, kind, &c.name, &c.allowed_domain, &data)?;
    Ok(None)
}

/// Creates a link.
pub fn create_link(
    db: &Db,
    integration: &str,
    link_type: &str,
    left: &str,
    right: &str,
) -> Result<Option<Value>, FormError> {
    let obj = |name: &str| LinkObject {
        name: name.to_string(),
        metadata: None,
    };
    db.create_link(integration, link_type, &obj(left), &obj(right))?;
    Ok(None)
}

/// A link changed in the Services dock: which one, and its new objects.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinkEdit {
    /// Its type.
    pub link_type: String,
    /// Its left object's name now.
    pub left: String,
    /// Its right object's name now.
    pub right: String,
    /// The new left name.
    pub new_left: String,
    /// The new left metadata as JSON (empty: none).
    pub left_metadata: String,
    /// The new right name.
    pub new_right: String,
    /// The new right metadata as JSON (empty: none).
    pub right_metadata: String,
}

/// Changes a link's objects in place.
pub fn edit_link(db: &Db, integration: &str, e: &LinkEdit) -> Result<Option<Value>, FormError> {
    let meta = |text: &str, side: &'static str| -> Result<Option<Value>, FormError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        serde_json::from_str(text)
            .map(Some)
            .map_err(|err| FormError::Metadata {
                side,
                line: err.line(),
                column: err.column(),
                message: err.to_string(),
            })
    };
    let left = LinkObject {
        name: e.new_left.trim().to_string(),
        metadata: meta(&e.left_metadata, "left")?,
    };
    let right = LinkObject {
        name: e.new_right.trim().to_string(),
        metadata: meta(&e.right_metadata, "right")?,
    };
    db.patch_link(
        integration,
        &e.link_type,
        &e.left,
        &e.right,
        Some(&left),
        Some(&right),
    )?;
    Ok(None)
}

/// The curl command that posts a test body to a webhook (its credentials as given).
pub fn curl_for(webhook: &Value) -> String {
    format!(
        "curl -u '{}:{}' -H 'Content-Type: application/json' -d '{{\"hello\": \"world\"}}' {}",
        webhook["username"].as_str().unwrap_or(""),
        webhook["password"].as_str().unwrap_or(""),
        webhook["path"].as_str().unwrap_or("")
    )
}
