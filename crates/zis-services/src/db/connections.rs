//! Connections of the four kinds (OAuth, bearer token, basic auth, API key) with their
//! secrets in a JSON column, and OAuth clients. What the API shows has the secrets masked;
//! [`StoredConnection`] with the secrets is for the HTTP executor only.

use super::{Db, MASK, Result, ServiceError, query_all, stamp, to_json, valid_name};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

/// A connection kind, as the ZIS API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// OAuth (an access token from an OAuth client).
    Oauth,
    /// A bearer token.
    BearerToken,
    /// Username and password.
    BasicAuth,
    /// An API key in a named header.
    ApiKey,
}

impl ConnectionKind {
    /// The API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oauth => "oauth",
            Self::BearerToken => "bearer_token",
            Self::BasicAuth => "basic_auth",
            Self::ApiKey => "api_key",
        }
    }

    /// From the API's name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "oauth" => Self::Oauth,
            "bearer_token" => Self::BearerToken,
            "basic_auth" => Self::BasicAuth,
            "api_key" => Self::ApiKey,
            _ => return None,
        })
    }

    /// The fields of this kind that are secrets.
    pub fn secret_fields(self) -> &'static [&'static str] {
        match self {
            Self::Oauth => &["access_token", "refresh_token"],
            Self::BearerToken => &["token"],
            Self::BasicAuth => &["password"],
            Self::ApiKey => &["api_key"],
        }
    }
}

/// A stored connection with its secrets (only for the HTTP executor; never sent out).
#[derive(Clone, Debug)]
pub struct StoredConnection {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ConnectionKind,
    /// The host it may be used on (empty: any).
    pub allowed_domain: String,
    /// Every field, secrets included.
    pub data: Value,
}

impl Db {
    /// Creates or replaces a connection. `data` holds the kind's fields, secrets included.
    pub fn put_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
        allowed_domain: &str,
        data: &Value,
    ) -> Result<Value> {
        valid_name("connection", name, 3)?;
        for field in kind.secret_fields() {
            if kind != ConnectionKind::Oauth
                && data
                    .get(*field)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                return Err(ServiceError::Invalid(format!(
                    "a {} connection needs '{field}'",
                    kind.as_str()
                )));
            }
        }
        let conn = self.conn();
        let other: Option<String> = conn
            .query_row(
                "SELECT kind FROM connections WHERE integration = ?1 AND name = ?2",
                params![integration, name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = other
            && other != kind.as_str()
        {
            return Err(ServiceError::Conflict(format!(
                "connection '{name}' already exists as {other}; names are unique across kinds"
            )));
        }
        let now = stamp();
        conn.execute(
            "INSERT INTO connections (integration, name, kind, allowed_domain, data, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT (integration, name) DO UPDATE SET allowed_domain = excluded.allowed_domain,
               data = excluded.data, updated_at = excluded.updated_at",
            params![integration, name, kind.as_str(), allowed_domain, data.to_string(), now],
        )?;
        drop(conn);
        self.connection_public(integration, name)
    }

    /// A connection as the API shows it: secrets masked.
    pub fn connection_public(&self, integration: &str, name: &str) -> Result<Value> {
        let c = self
            .connection(integration, name)?
            .ok_or_else(|| ServiceError::NotFound(format!("connection '{name}' not found")))?;
        Ok(public_connection(&c, integration))
    }

    /// Every connection of an integration, by kind, secrets masked (`connections/all`).
    pub fn connections_public(&self, integration: &str) -> Result<Value> {
        let mut out = json!({"api_key": [], "basic_auth": [], "bearer_token": [], "oauth": [], "meta": {"has_more": false}});
        for c in self.connections(integration)? {
            if let Some(list) = out.get_mut(c.kind.as_str()).and_then(Value::as_array_mut) {
                let shown = public_connection(&c, integration);
                list.push(shown.get(c.kind.as_str()).cloned().unwrap_or(shown));
            }
        }
        Ok(out)
    }

    /// A connection with its secrets, for the HTTP executor.
    pub fn connection(&self, integration: &str, name: &str) -> Result<Option<StoredConnection>> {
        Ok(self
            .connections(integration)?
            .into_iter()
            .find(|c| c.name == name))
    }

    /// Every connection of an integration with secrets, for the HTTP executor.
    pub fn connections(&self, integration: &str) -> Result<Vec<StoredConnection>> {
        query_all(
            &self.conn(),
            "SELECT name, kind, allowed_domain, data, created_at, updated_at FROM connections
             WHERE integration = ?1 ORDER BY name",
            [integration],
            |r| {
                let kind: String = r.get(1)?;
                let mut data = to_json(&r.get::<_, String>(3)?);
                if let Value::Object(m) = &mut data {
                    m.insert("created_at".into(), Value::String(r.get(4)?));
                    m.insert("updated_at".into(), Value::String(r.get(5)?));
                }
                Ok(StoredConnection {
                    name: r.get(0)?,
                    kind: ConnectionKind::parse(&kind).unwrap_or(ConnectionKind::BearerToken),
                    allowed_domain: r.get(2)?,
                    data,
                })
            },
        )
    }

    /// Deletes a connection of a kind (404 when absent).
    pub fn delete_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
    ) -> Result<()> {
        self.change_one(
            "DELETE FROM connections WHERE integration = ?1 AND kind = ?2 AND name = ?3",
            params![integration, kind.as_str(), name],
            || format!("connection '{name}' not found"),
        )
    }

    /// Creates an OAuth client (its secret masked in the answer).
    pub fn create_oauth_client(&self, integration: &str, data: &Value) -> Result<Value> {
        let uuid = uuid::Uuid::new_v4().to_string();
        let name = data
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let now = stamp();
        self.conn().execute(
            "INSERT INTO oauth_clients (uuid, integration, name, data, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![uuid, integration, name, data.to_string(), now],
        )?;
        Ok(self
            .oauth_clients(integration)?
            .into_iter()
            .find(|c| c["uuid"] == uuid.as_str())
            .unwrap_or(Value::Null))
    }

    /// An integration's OAuth clients, secrets masked.
    pub fn oauth_clients(&self, integration: &str) -> Result<Vec<Value>> {
        query_all(
            &self.conn(),
            "SELECT uuid, name, data, created_at, updated_at FROM oauth_clients WHERE integration = ?1 ORDER BY created_at",
            [integration],
            |r| {
                let mut data = to_json(&r.get::<_, String>(2)?);
                if let Value::Object(m) = &mut data {
                    m.insert("uuid".into(), Value::String(r.get(0)?));
                    m.insert("name".into(), Value::String(r.get(1)?));
                    m.insert("integration".into(), Value::String(integration.to_string()));
                    m.insert("created_at".into(), Value::String(r.get(3)?));
                    m.insert("updated_at".into(), Value::String(r.get(4)?));
                    if m.contains_key("client_secret") {
                        m.insert("client_secret".into(), Value::String(MASK.into()));
                    }
                    m.entry("grant_type")
                        .or_insert(Value::String("authorization_code".into()));
                }
                Ok(data)
            },
        )
    }
}

/// A connection as the API shows it: `{<kind>: {...}}` with the secrets masked.
fn public_connection(c: &StoredConnection, integration: &str) -> Value {
    let mut v = c.data.clone();
    if let Value::Object(m) = &mut v {
        for f in c.kind.secret_fields() {
            if m.contains_key(*f) {
                m.insert((*f).to_string(), Value::String(MASK.into()));
            }
        }
        m.insert("name".into(), Value::String(c.name.clone()));
        m.insert(
            "allowed_domain".into(),
            Value::String(c.allowed_domain.clone()),
        );
        m.insert("integration".into(), Value::String(integration.into()));
    }
    json!({ c.kind.as_str(): v })
}
