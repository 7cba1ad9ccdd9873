//! The Registry: integrations (each with its OAuth client and an enabled flag), bundles
//! stored as numbered versions of a name, and the job specs they declare with whether
//! each is installed.

use super::{
    Db, MASK, Result, ServiceError, integration_exists, no_integration, query_all, stamp, to_json,
    valid_name,
};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

/// A job spec of the registry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobSpecRow {
    /// `zis:<integration>:job_spec:<name>`.
    pub name: String,
    /// Its integration.
    pub integration: String,
    /// Stable id.
    pub uuid: String,
    /// The bundle that declared it.
    pub bundle_uuid: String,
    /// Event source, e.g. `support`.
    pub event_source: String,
    /// Event type, e.g. `ticket.TicketCreated`.
    pub event_type: String,
    /// `zis:<integration>:flow:<name>`.
    pub flow_name: String,
    /// Description.
    pub description: String,
    /// Whether it receives events.
    pub installed: bool,
}

impl Db {
    /// Creates an integration with its OAuth client; 409 when it exists.
    pub fn create_integration(&self, name: &str, description: &str) -> Result<Value> {
        valid_name("integration", name, 1)?;
        let conn = self.conn();
        if integration_exists(&conn, name)? {
            return Err(ServiceError::Conflict(format!(
                "integration '{name}' already exists"
            )));
        }
        let client_id: i64 = conn.query_row(
            "SELECT COALESCE(MAX(oauth_client_id), 360000000000) + 1 FROM integrations",
            [],
            |r| r.get(0),
        )?;
        let secret = uuid::Uuid::new_v4().simple().to_string();
        conn.execute(
            "INSERT INTO integrations (name, description, oauth_client_id, oauth_secret, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, description, client_id, secret, stamp()],
        )?;
        // The secret is shown once, at creation, as ZIS does.
        Ok(
            json!({"name": name, "description": description, "jwt_public_key": "",
                  "zendesk_oauth_client": {"id": client_id, "identifier": format!("zis_{name}"), "secret": secret}}),
        )
    }

    /// Every integration (the OAuth client secret masked).
    pub fn integrations(&self) -> Result<Vec<Value>> {
        query_all(
            &self.conn(),
            "SELECT name, description, oauth_client_id, enabled FROM integrations ORDER BY name",
            [],
            |r| {
                let name: String = r.get(0)?;
                Ok(
                    json!({"name": name, "description": r.get::<_, String>(1)?, "jwt_public_key": "",
                          "enabled": r.get::<_, bool>(3)?,
                          "zendesk_oauth_client": {"id": r.get::<_, i64>(2)?, "identifier": format!("zis_{name}"), "secret": MASK}}),
                )
            },
        )
    }

    /// 404 unless the integration exists.
    pub fn require_integration(&self, name: &str) -> Result<()> {
        if integration_exists(&self.conn(), name)? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(no_integration(name)))
        }
    }

    /// Enables or disables an integration: while disabled its events are recorded as
    /// skipped and no flow runs.
    pub fn set_enabled(&self, integration: &str, enabled: bool) -> Result<()> {
        self.change_one(
            "UPDATE integrations SET enabled = ?2 WHERE name = ?1",
            params![integration, enabled],
            || no_integration(integration),
        )
    }

    /// Whether an integration is enabled (`None`: it does not exist).
    pub fn is_enabled(&self, integration: &str) -> Result<Option<bool>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT enabled FROM integrations WHERE name = ?1",
                [integration],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Stores an uploaded bundle as the next version of its name and registers its job
    /// specs (not installed; an upload keeps installs of job specs it still declares, and
    /// reports those it no longer declares as stale). The caller validates first.
    pub fn upload_bundle(&self, integration: &str, bundle: &Value) -> Result<Value> {
        self.upload_bundle_with(integration, bundle, false)
    }

    /// [`Db::upload_bundle`]; a re-uploaded bundle's job specs are left uninstalled, as
    /// practitioners observe (zis-facts.md 5.1), unless `keep_installed` (the
    /// `reupload_keeps_job_specs` setting). The answer lists them in `uninstalled_job_specs`.
    pub fn upload_bundle_with(
        &self,
        integration: &str,
        bundle: &Value,
        keep_installed: bool,
    ) -> Result<Value> {
        let name = bundle
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ServiceError::Invalid("the bundle has no name".into()))?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !integration_exists(&tx, integration)? {
            return Err(ServiceError::NotFound(no_integration(integration)));
        }
        let version: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM bundles WHERE integration = ?1 AND name = ?2",
            params![integration, name],
            |r| r.get(0),
        )?;
        let uuid = uuid::Uuid::new_v4().to_string();
        let text =
            serde_json::to_string(bundle).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        tx.execute(
            "INSERT INTO bundles (uuid, integration, name, version, description, template_version, json, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                uuid,
                integration,
                name,
                version,
                bundle.get("description").and_then(Value::as_str).unwrap_or_default(),
                bundle.get("zis_template_version").and_then(Value::as_str).unwrap_or_default(),
                text,
                stamp()
            ],
        )?;
        let mut declared = Vec::new();
        let mut uninstalled = Vec::new();
        if let Some(resources) = bundle.get("resources").and_then(Value::as_object) {
            for (key, res) in resources {
                if res.get("type").and_then(Value::as_str) != Some("ZIS::JobSpec") {
                    continue;
                }
                let props = res.get("properties").cloned().unwrap_or(Value::Null);
                let field = |k: &str| {
                    props
                        .get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let js_name = format!("zis:{integration}:job_spec:{}", {
                    let n = field("name");
                    if n.is_empty() { key.clone() } else { n }
                });
                tx.execute(
                    "INSERT INTO job_specs (name, integration, uuid, bundle_uuid, event_source, event_type, flow_name, description)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                     ON CONFLICT (name) DO UPDATE SET bundle_uuid = excluded.bundle_uuid,
                       event_source = excluded.event_source, event_type = excluded.event_type,
                       flow_name = excluded.flow_name, description = excluded.description",
                    params![
                        js_name,
                        integration,
                        uuid::Uuid::new_v4().to_string(),
                        uuid,
                        field("event_source"),
                        field("event_type"),
                        field("flow_name"),
                        field("description")
                    ],
                )?;
                if !keep_installed {
                    let was: bool = tx
                        .query_row(
                            "SELECT installed FROM job_specs WHERE name = ?1",
                            [&js_name],
                            |r| r.get(0),
                        )
                        .unwrap_or(false);
                    if was {
                        tx.execute(
                            "UPDATE job_specs SET installed = 0 WHERE name = ?1",
                            [&js_name],
                        )?;
                        uninstalled.push(js_name.clone());
                    }
                }
                declared.push(js_name);
            }
        }
        // Job specs of this integration from earlier bundles of the same name that this
        // upload no longer declares: still installed ones keep firing (zis-facts.md 5.1).
        let stale: Vec<String> = query_all(
            &tx,
            "SELECT j.name FROM job_specs j JOIN bundles b ON b.uuid = j.bundle_uuid
             WHERE j.integration = ?1 AND b.name = ?2 AND j.bundle_uuid <> ?3 AND j.installed <> 0",
            params![integration, name, uuid],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(
            json!({"uuid": uuid, "name": name, "version": version, "integration": integration,
                  "job_specs": declared, "stale_installed_job_specs": stale,
                  "uninstalled_job_specs": uninstalled}),
        )
    }

    /// One page of an integration's bundles (newest version of each name last).
    pub fn bundles(&self, integration: &str) -> Result<Vec<Value>> {
        query_all(
            &self.conn(),
            "SELECT uuid, name, description, version, template_version, created_at FROM bundles
             WHERE integration = ?1 ORDER BY name, version",
            [integration],
            |r| {
                Ok(
                    json!({"uuid": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                          "description": r.get::<_, String>(2)?, "version": r.get::<_, i64>(3)?,
                          "zis_template_version": r.get::<_, String>(4)?, "created_at": r.get::<_, String>(5)?,
                          "integration": integration}),
                )
            },
        )
    }

    /// A stored bundle's JSON.
    pub fn bundle(&self, integration: &str, uuid: &str) -> Result<Value> {
        let text: Option<String> = self
            .conn()
            .query_row(
                "SELECT json FROM bundles WHERE integration = ?1 AND uuid = ?2",
                params![integration, uuid],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| to_json(&t))
            .ok_or_else(|| ServiceError::NotFound(format!("bundle '{uuid}' not found")))
    }

    /// A number that changes whenever a bundle of the integration is stored or removed:
    /// what a cache of its flows (and of the latest action definitions) is keyed by.
    pub fn bundle_generation(&self, integration: &str) -> Result<(i64, i64)> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM bundles WHERE integration = ?1",
            [integration],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The newest bundle of an integration that holds resource `key` of `type_name`.
    pub fn resource(&self, integration: &str, type_name: &str, key: &str) -> Result<Option<Value>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT json FROM bundles WHERE integration = ?1 ORDER BY created_at DESC, version DESC",
        )?;
        let texts = stmt.query_map([integration], |r| r.get::<_, String>(0))?;
        for text in texts {
            let bundle = to_json(&text?);
            if let Some(res) = bundle.get("resources").and_then(|r| r.get(key))
                && res.get("type").and_then(Value::as_str) == Some(type_name)
            {
                return Ok(Some(res.clone()));
            }
        }
        Ok(None)
    }

    /// An integration's job specs.
    pub fn job_specs(&self, integration: &str) -> Result<Vec<JobSpecRow>> {
        self.job_specs_where("integration = ?1", [integration])
    }

    /// The installed job specs for an event, over every enabled integration.
    pub fn matching_job_specs(&self, source: &str, event_type: &str) -> Result<Vec<JobSpecRow>> {
        self.job_specs_where(
            "installed = 1 AND event_source = ?1 AND event_type = ?2",
            [source, event_type],
        )
    }

    fn job_specs_where<P: rusqlite::Params>(&self, filter: &str, p: P) -> Result<Vec<JobSpecRow>> {
        query_all(
            &self.conn(),
            &format!(
                "SELECT name, integration, uuid, bundle_uuid, event_source, event_type, flow_name, description, installed
                 FROM job_specs WHERE {filter} ORDER BY name"
            ),
            p,
            |r| {
                Ok(JobSpecRow {
                    name: r.get(0)?,
                    integration: r.get(1)?,
                    uuid: r.get(2)?,
                    bundle_uuid: r.get(3)?,
                    event_source: r.get(4)?,
                    event_type: r.get(5)?,
                    flow_name: r.get(6)?,
                    description: r.get(7)?,
                    installed: r.get(8)?,
                })
            },
        )
    }

    /// The integration's custom HTTP actions, by resource key, each as the last uploaded
    /// bundle that has it defines it.
    pub fn latest_actions(&self, integration: &str) -> Result<Vec<(String, Value)>> {
        let texts: Vec<String> = query_all(
            &self.conn(),
            "SELECT json FROM bundles WHERE integration = ?1 ORDER BY created_at, rowid",
            [integration],
            |r| r.get(0),
        )?;
        let mut by_name: Vec<(String, Value)> = Vec::new();
        for text in texts {
            let Ok(b) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            for (key, r) in b["resources"].as_object().into_iter().flatten() {
                if r["type"] != "ZIS::Action::Http" {
                    continue;
                }
                let name = r
                    .pointer("/properties/name")
                    .and_then(Value::as_str)
                    .unwrap_or(key);
                by_name.retain(|(k, v)| {
                    v.pointer("/properties/name")
                        .and_then(Value::as_str)
                        .unwrap_or(k)
                        != name
                });
                by_name.push((key.clone(), r.clone()));
            }
        }
        Ok(by_name)
    }

    /// Installs or uninstalls a job spec by its full name.
    pub fn set_installed(&self, job_spec: &str, installed: bool) -> Result<()> {
        self.change_one(
            "UPDATE job_specs SET installed = ?2 WHERE name = ?1",
            params![job_spec, installed],
            || format!("job spec '{job_spec}' not found"),
        )
    }
}
