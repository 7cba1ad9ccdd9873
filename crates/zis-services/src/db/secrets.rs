//! Secrets and redaction: every secret stored for an integration (connection tokens,
//! passwords and API keys, OAuth client secrets, webhook passwords, the integration's own
//! client secret), and [`Db::redact`], which masks them wherever they appear in a value.

use super::{Db, MASK, Result, query_all, to_json};
use rusqlite::OptionalExtension;
use serde_json::Value;

impl Db {
    /// Every secret stored for an integration (connections, OAuth clients, webhooks and
    /// the integration's own client secret), for [`Db::redact`].
    pub fn secrets(&self, integration: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for c in self.connections(integration)? {
            for f in c.kind.secret_fields() {
                if let Some(s) = c.data.get(*f).and_then(Value::as_str) {
                    out.push(s.to_string());
                }
            }
        }
        let conn = self.conn();
        let clients: Vec<String> = query_all(
            &conn,
            "SELECT data FROM oauth_clients WHERE integration = ?1",
            [integration],
            |r| r.get(0),
        )?;
        for data in clients {
            if let Some(s) = to_json(&data).get("client_secret").and_then(Value::as_str) {
                out.push(s.to_string());
            }
        }
        out.extend(query_all(
            &conn,
            "SELECT password FROM inbound_webhooks WHERE integration = ?1",
            [integration],
            |r| r.get::<_, String>(0),
        )?);
        if let Some(s) = conn
            .query_row(
                "SELECT oauth_secret FROM integrations WHERE name = ?1",
                [integration],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        {
            out.push(s);
        }
        out.retain(|s| s.len() >= 4);
        Ok(out)
    }

    /// `value` with every occurrence of a secret (whole strings and substrings, keys
    /// included) replaced by `*****`.
    pub fn redact(value: &Value, secrets: &[String]) -> Value {
        let clean = |s: &str| {
            let mut s = s.to_string();
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    s = s.replace(secret.as_str(), MASK);
                }
            }
            s
        };
        match value {
            Value::String(s) => Value::String(clean(s)),
            Value::Array(a) => Value::Array(a.iter().map(|v| Self::redact(v, secrets)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (clean(k), Self::redact(v, secrets)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}
