//! Inbound webhooks: an ingest token (the last part of the webhook's URL) with its Basic
//! credentials and the event source and type its events get. The password is shown once,
//! at creation; the ingest endpoint reads it back through [`IngestTarget`].

use super::{Db, MASK, Result, ServiceError, query_all, stamp};
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

/// An inbound webhook as the ingest endpoint needs it (credentials included).
#[derive(Clone, Debug)]
pub struct IngestTarget {
    /// The webhook's id.
    pub uuid: String,
    /// Its integration.
    pub integration: String,
    /// The event source of its events.
    pub source_system: String,
    /// The event type of its events.
    pub event_type: String,
    /// Basic-auth user.
    pub username: String,
    /// Basic-auth password.
    pub password: String,
}

impl Db {
    /// Creates an inbound webhook; the answer holds the credentials (shown once).
    pub fn create_webhook(
        &self,
        integration: &str,
        source_system: &str,
        event_type: &str,
        base_url: &str,
    ) -> Result<Value> {
        if source_system.is_empty() || event_type.is_empty() {
            return Err(ServiceError::Invalid(
                "source_system and event_type are required".into(),
            ));
        }
        let uuid = uuid::Uuid::new_v4().to_string();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let username = format!("{integration}_{}", &token[..8]);
        let password = uuid::Uuid::new_v4().simple().to_string();
        self.conn().execute(
            "INSERT INTO inbound_webhooks (uuid, integration, source_system, event_type, token, username, password, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![uuid, integration, source_system, event_type, token, username, password, stamp()],
        )?;
        let mut shown = self.webhook(integration, &uuid, base_url)?;
        shown["password"] = Value::String(password);
        Ok(shown)
    }

    /// An inbound webhook (password masked).
    pub fn webhook(&self, integration: &str, uuid: &str, base_url: &str) -> Result<Value> {
        self.conn()
            .query_row(
                "SELECT uuid, source_system, event_type, token, username FROM inbound_webhooks WHERE integration = ?1 AND uuid = ?2",
                params![integration, uuid],
                |r| {
                    let token: String = r.get(3)?;
                    Ok(json!({"uuid": r.get::<_, String>(0)?, "id": r.get::<_, String>(0)?, "integration": integration,
                              "source_system": r.get::<_, String>(1)?, "event_type": r.get::<_, String>(2)?,
                              "path": format!("{base_url}/api/services/zis/inbound_webhooks/generic/ingest/{token}"),
                              "username": r.get::<_, String>(4)?, "password": MASK}))
                },
            )
            .optional()?
            .ok_or_else(|| ServiceError::NotFound(no_webhook(uuid)))
    }

    /// Every inbound webhook of an integration (passwords masked).
    pub fn webhooks(&self, integration: &str, base_url: &str) -> Result<Vec<Value>> {
        let uuids: Vec<String> = query_all(
            &self.conn(),
            "SELECT uuid FROM inbound_webhooks WHERE integration = ?1 ORDER BY created_at",
            [integration],
            |r| r.get(0),
        )?;
        uuids
            .iter()
            .map(|u| self.webhook(integration, u, base_url))
            .collect()
    }

    /// Deletes an inbound webhook.
    pub fn delete_webhook(&self, integration: &str, uuid: &str) -> Result<()> {
        self.change_one(
            "DELETE FROM inbound_webhooks WHERE integration = ?1 AND uuid = ?2",
            params![integration, uuid],
            || no_webhook(uuid),
        )
    }

    /// The webhook behind an ingest token, with its credentials.
    pub fn webhook_by_token(&self, token: &str) -> Result<Option<IngestTarget>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT uuid, integration, source_system, event_type, username, password FROM inbound_webhooks WHERE token = ?1",
                [token],
                |r| {
                    Ok(IngestTarget {
                        uuid: r.get(0)?,
                        integration: r.get(1)?,
                        source_system: r.get(2)?,
                        event_type: r.get(3)?,
                        username: r.get(4)?,
                        password: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }
}

/// The not-found message for a webhook.
fn no_webhook(uuid: &str) -> String {
    format!("inbound webhook '{uuid}' not found")
}
