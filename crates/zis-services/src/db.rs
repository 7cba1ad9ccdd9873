//! The local ZIS database: one SQLite file (WAL) holding the Registry (integrations,
//! bundles with their versions, job specs and whether each is installed), connections of
//! every kind with their secrets, configs, links, inbound webhooks, the event queue and
//! executions with their histories.
//!
//! Secrets (connection tokens, passwords, API keys, OAuth client secrets, webhook
//! passwords) live only in this file. Everything that leaves it for a person (API
//! responses, histories, errors) goes through [`Db::redact`] or shows `*****`.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// What went wrong in a store operation; the server maps each kind to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 422 (or 400): the request is understood but wrong.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
}

/// Result of a store operation.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Schema migrations, applied in order; the `schema_version` table records how many ran.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE integrations (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  oauth_client_id INTEGER NOT NULL,
  oauth_secret TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE bundles (
  uuid TEXT PRIMARY KEY,
  integration TEXT NOT NULL REFERENCES integrations(name),
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  template_version TEXT NOT NULL DEFAULT '',
  json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (integration, name, version)
);
CREATE TABLE job_specs (
  name TEXT PRIMARY KEY,
  integration TEXT NOT NULL,
  uuid TEXT NOT NULL,
  bundle_uuid TEXT NOT NULL,
  event_source TEXT NOT NULL,
  event_type TEXT NOT NULL,
  flow_name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  installed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE connections (
  integration TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('oauth', 'bearer_token', 'basic_auth', 'api_key')),
  allowed_domain TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (integration, name)
);
CREATE TABLE oauth_clients (
  uuid TEXT PRIMARY KEY,
  integration TEXT NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE configs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  integration TEXT NOT NULL,
  scope TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (integration, scope)
);
CREATE TABLE links (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  integration TEXT NOT NULL,
  link_type TEXT NOT NULL,
  left_name TEXT NOT NULL,
  left_metadata TEXT,
  right_name TEXT NOT NULL,
  right_metadata TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (integration, link_type, left_name, right_name)
);
CREATE TABLE inbound_webhooks (
  uuid TEXT PRIMARY KEY,
  integration TEXT NOT NULL,
  source_system TEXT NOT NULL,
  event_type TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL,
  password TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  integration TEXT,
  event_source TEXT NOT NULL,
  event_type TEXT NOT NULL,
  input TEXT NOT NULL,
  origin TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'skipped')),
  accepted_at REAL NOT NULL,
  not_before REAL NOT NULL,
  started_at REAL,
  finished_at REAL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_pending ON events (state, not_before);
CREATE TABLE executions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER,
  integration TEXT NOT NULL,
  job_spec TEXT NOT NULL,
  flow TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT,
  cause TEXT,
  output TEXT,
  history TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  started_at REAL NOT NULL,
  finished_at REAL NOT NULL,
  delay_secs REAL NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
"#];

/// The database: a connection behind a mutex (SQLite serialises writers anyway; every
/// operation here is short).
pub struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// Seconds since the Unix epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// `YYYY-MM-DDThh:mm:ssZ` for Unix seconds (UTC).
pub fn rfc3339(secs: f64) -> String {
    let s = secs.max(0.0) as i64;
    let (days, rem) = (s.div_euclid(86_400), s.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn stamp() -> String {
    rfc3339(now())
}

fn to_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

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

/// A queued event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    /// Queue id.
    pub id: i64,
    /// The integration it was sent to (inbound webhooks), or none (native events).
    pub integration: Option<String>,
    /// Event source.
    pub event_source: String,
    /// Event type.
    pub event_type: String,
    /// The event's `input` (what a flow sees under `$.input`).
    pub input: Value,
    /// Where it came from: `cli`, `api`, `webhook:<uuid>`, `gui`.
    pub origin: String,
    /// pending, running, done or skipped.
    pub state: String,
    /// When it was accepted (Unix seconds).
    pub accepted_at: f64,
    /// When its flows started.
    pub started_at: Option<f64>,
    /// Why it was skipped, or what ran.
    pub note: String,
}

/// A stored execution (its history is loaded on demand).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExecutionRow {
    /// Id.
    pub id: i64,
    /// The event that started it.
    pub event_id: Option<i64>,
    /// Integration.
    pub integration: String,
    /// The job spec that matched.
    pub job_spec: String,
    /// The flow it ran.
    pub flow: String,
    /// The event type.
    pub event_type: String,
    /// succeeded or failed.
    pub status: String,
    /// The error, when it failed.
    pub error: Option<String>,
    /// The cause, when it failed.
    pub cause: Option<String>,
    /// Attempts (1 + retries).
    pub attempts: u32,
    /// Start (Unix seconds).
    pub started_at: f64,
    /// End.
    pub finished_at: f64,
    /// Seconds from the event's acceptance to the flow's start.
    pub delay_secs: f64,
}

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

/// Queue figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueStats {
    /// Events accepted and not yet started.
    pub pending: u64,
    /// Events whose flows are running.
    pub running: u64,
    /// Events done.
    pub done: u64,
    /// Events skipped (no installed job spec, or the integration disabled).
    pub skipped: u64,
    /// Age in seconds of the oldest pending event.
    pub oldest_pending_secs: Option<f64>,
    /// Median delay from acceptance to flow start over the last 100 executions.
    pub median_delay_secs: Option<f64>,
    /// Largest such delay.
    pub max_delay_secs: Option<f64>,
}

const MASK: &str = "*****";

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                ServiceError::Invalid(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT version FROM schema_version", [], |r| r.get(0))?)
    }

    // ---- settings ----

    /// A stored setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    // ---- registry ----

    /// Creates an integration with its OAuth client; 409 when it exists.
    pub fn create_integration(&self, name: &str, description: &str) -> Result<Value> {
        valid_name("integration", name)?;
        let conn = self.conn();
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM integrations WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
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
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT name, description, oauth_client_id, enabled FROM integrations ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| {
            let name: String = r.get(0)?;
            Ok(json!({"name": name, "description": r.get::<_, String>(1)?, "jwt_public_key": "",
                      "enabled": r.get::<_, bool>(3)?,
                      "zendesk_oauth_client": {"id": r.get::<_, i64>(2)?, "identifier": format!("zis_{name}"), "secret": MASK}}))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// 404 unless the integration exists.
    pub fn require_integration(&self, name: &str) -> Result<()> {
        let exists: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM integrations WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!(
                "integration '{name}' not found"
            )))
        }
    }

    /// Enables or disables an integration: while disabled its events are recorded as
    /// skipped and no flow runs.
    pub fn set_enabled(&self, integration: &str, enabled: bool) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE integrations SET enabled = ?2 WHERE name = ?1",
            params![integration, enabled],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "integration '{integration}' not found"
            )));
        }
        Ok(())
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
        let name = bundle
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ServiceError::Invalid("the bundle has no name".into()))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM integrations WHERE name = ?1)",
            [integration],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(ServiceError::NotFound(format!(
                "integration '{integration}' not found"
            )));
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
                declared.push(js_name);
            }
        }
        // Job specs of this integration from earlier bundles of the same name that this
        // upload no longer declares: still installed ones keep firing (zis-facts.md 5.1).
        let mut stale = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT j.name, j.installed FROM job_specs j JOIN bundles b ON b.uuid = j.bundle_uuid
                 WHERE j.integration = ?1 AND b.name = ?2 AND j.bundle_uuid <> ?3",
            )?;
            let rows = stmt.query_map(params![integration, name, uuid], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
            })?;
            for row in rows {
                let (js, installed) = row?;
                if installed {
                    stale.push(js);
                }
            }
        }
        tx.commit()?;
        Ok(
            json!({"uuid": uuid, "name": name, "version": version, "integration": integration,
                  "job_specs": declared, "stale_installed_job_specs": stale}),
        )
    }

    /// One page of an integration's bundles (newest version of each name last).
    pub fn bundles(&self, integration: &str) -> Result<Vec<Value>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT uuid, name, description, version, template_version, created_at FROM bundles
             WHERE integration = ?1 ORDER BY name, version",
        )?;
        let rows = stmt.query_map([integration], |r| {
            Ok(json!({"uuid": r.get::<_, String>(0)?, "name": r.get::<_, String>(1)?,
                      "description": r.get::<_, String>(2)?, "version": r.get::<_, i64>(3)?,
                      "zis_template_version": r.get::<_, String>(4)?, "created_at": r.get::<_, String>(5)?,
                      "integration": integration}))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT name, integration, uuid, bundle_uuid, event_source, event_type, flow_name, description, installed
             FROM job_specs WHERE {filter} ORDER BY name"
        ))?;
        let rows = stmt.query_map(p, |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Installs or uninstalls a job spec by its full name.
    pub fn set_installed(&self, job_spec: &str, installed: bool) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE job_specs SET installed = ?2 WHERE name = ?1",
            params![job_spec, installed],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "job spec '{job_spec}' not found"
            )));
        }
        Ok(())
    }

    // ---- connections ----

    /// Creates or replaces a connection. `data` holds the kind's fields, secrets included.
    pub fn put_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
        allowed_domain: &str,
        data: &Value,
    ) -> Result<Value> {
        if !(3..=64).contains(&name.len())
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ServiceError::Invalid(format!(
                "connection name '{name}' must be 3 to 64 characters of A-Z, a-z, 0-9, _ and -"
            )));
        }
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
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT name, kind, allowed_domain, data, created_at, updated_at FROM connections
             WHERE integration = ?1 ORDER BY name",
        )?;
        let rows = stmt.query_map([integration], |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deletes a connection of a kind (404 when absent).
    pub fn delete_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
    ) -> Result<()> {
        let n = self.conn().execute(
            "DELETE FROM connections WHERE integration = ?1 AND kind = ?2 AND name = ?3",
            params![integration, kind.as_str(), name],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "connection '{name}' not found"
            )));
        }
        Ok(())
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
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT uuid, name, data, created_at, updated_at FROM oauth_clients WHERE integration = ?1 ORDER BY created_at",
        )?;
        let rows = stmt.query_map([integration], |r| {
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
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

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
        let mut stmt = conn.prepare("SELECT data FROM oauth_clients WHERE integration = ?1")?;
        for data in stmt.query_map([integration], |r| r.get::<_, String>(0))? {
            if let Some(s) = to_json(&data?).get("client_secret").and_then(Value::as_str) {
                out.push(s.to_string());
            }
        }
        let mut stmt =
            conn.prepare("SELECT password FROM inbound_webhooks WHERE integration = ?1")?;
        for p in stmt.query_map([integration], |r| r.get::<_, String>(0))? {
            out.push(p?);
        }
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

    // ---- configs ----

    /// Creates a config; 409 when the scope exists.
    pub fn create_config(&self, integration: &str, scope: &str, config: &Value) -> Result<Value> {
        let now = stamp();
        let r = self.conn().execute(
            "INSERT INTO configs (integration, scope, config, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![integration, scope, config.to_string(), now],
        );
        conflict_on_duplicate(r, || {
            format!("a config with scope '{scope}' already exists")
        })?;
        self.config(integration, scope)?
            .ok_or_else(|| ServiceError::NotFound(scope.to_string()))
    }

    /// Replaces (or creates) a config.
    pub fn put_config(&self, integration: &str, scope: &str, config: &Value) -> Result<Value> {
        let now = stamp();
        self.conn().execute(
            "INSERT INTO configs (integration, scope, config, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (integration, scope) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            params![integration, scope, config.to_string(), now],
        )?;
        self.config(integration, scope)?
            .ok_or_else(|| ServiceError::NotFound(scope.to_string()))
    }

    /// The config object with this exact scope.
    pub fn config(&self, integration: &str, scope: &str) -> Result<Option<Value>> {
        Ok(self
            .configs(integration, scope)?
            .into_iter()
            .find(|c| c["scope"] == scope))
    }

    /// Config objects whose scope matches `pattern` (`*` wildcards), in scope order.
    pub fn configs(&self, integration: &str, pattern: &str) -> Result<Vec<Value>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, scope, config, created_at, updated_at FROM configs WHERE integration = ?1 ORDER BY scope",
        )?;
        let rows = stmt.query_map([integration], |r| {
            Ok(json!({"id": r.get::<_, i64>(0)?, "scope": r.get::<_, String>(1)?,
                      "config": to_json(&r.get::<_, String>(2)?), "created_at": r.get::<_, String>(3)?,
                      "updated_at": r.get::<_, String>(4)?, "integration": integration}))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if zis_engine::actions::wildcard_match(
                pattern,
                row["scope"].as_str().unwrap_or_default(),
            ) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Deletes a config (404 when absent).
    pub fn delete_config(&self, integration: &str, scope: &str) -> Result<()> {
        let n = self.conn().execute(
            "DELETE FROM configs WHERE integration = ?1 AND scope = ?2",
            params![integration, scope],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "config '{scope}' not found"
            )));
        }
        Ok(())
    }

    // ---- links ----

    /// The link types an integration has links of, in order.
    pub fn link_types(&self, integration: &str) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT link_type FROM links WHERE integration = ?1 ORDER BY link_type",
        )?;
        let rows = stmt.query_map([integration], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// Creates a link; 409 when (type, left, right) exists.
    pub fn create_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &zis_engine::actions::LinkObject,
        right: &zis_engine::actions::LinkObject,
    ) -> Result<zis_engine::actions::Link> {
        let now = stamp();
        let meta = |m: &Option<Value>| m.as_ref().map(Value::to_string);
        let r = self.conn().execute(
            "INSERT INTO links (integration, link_type, left_name, left_metadata, right_name, right_metadata, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![integration, link_type, left.name, meta(&left.metadata), right.name, meta(&right.metadata), now],
        );
        conflict_on_duplicate(r, || {
            format!(
                "a link {link_type} from '{}' to '{}' already exists",
                left.name, right.name
            )
        })?;
        self.find_link(integration, link_type, &left.name, &right.name)?
            .ok_or_else(|| ServiceError::NotFound("link".into()))
    }

    fn find_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
    ) -> Result<Option<zis_engine::actions::Link>> {
        let q = zis_engine::actions::LinkQuery {
            link_type: link_type.into(),
            left: Some(left.into()),
            right: Some(right.into()),
            page_size: 100,
            after: None,
        };
        Ok(self
            .query_links(integration, &q)?
            .0
            .into_iter()
            .find(|l| l.left_object.name == left && l.right_object.name == right))
    }

    /// One page of links: names may hold `*`; cursor pagination by id.
    pub fn query_links(
        &self,
        integration: &str,
        q: &zis_engine::actions::LinkQuery,
    ) -> Result<(Vec<zis_engine::actions::Link>, bool)> {
        use zis_engine::actions::{Link, LinkObject, wildcard_match};
        let after: i64 = q.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
        let size = q.page_size.clamp(1, 100);
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, link_type, left_name, left_metadata, right_name, right_metadata FROM links
             WHERE integration = ?1 AND link_type = ?2 AND id > ?3 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![integration, q.link_type, after], |r| {
            let meta = |t: Option<String>| t.map(|t| to_json(&t));
            Ok(Link {
                id: r.get::<_, i64>(0)?.to_string(),
                link_type: r.get(1)?,
                left_object: LinkObject {
                    name: r.get(2)?,
                    metadata: meta(r.get(3)?),
                },
                right_object: LinkObject {
                    name: r.get(4)?,
                    metadata: meta(r.get(5)?),
                },
            })
        })?;
        let mut out = Vec::new();
        let mut more = false;
        for row in rows {
            let link = row?;
            let ok = q
                .left
                .as_deref()
                .is_none_or(|p| wildcard_match(p, &link.left_object.name))
                && q.right
                    .as_deref()
                    .is_none_or(|p| wildcard_match(p, &link.right_object.name));
            if !ok {
                continue;
            }
            if out.len() == size {
                more = true;
                break;
            }
            out.push(link);
        }
        Ok((out, more))
    }

    /// Replaces the objects of a link.
    pub fn patch_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
        new_left: Option<&zis_engine::actions::LinkObject>,
        new_right: Option<&zis_engine::actions::LinkObject>,
    ) -> Result<zis_engine::actions::Link> {
        let current = self
            .find_link(integration, link_type, left, right)?
            .ok_or_else(|| {
                ServiceError::NotFound(format!("no {link_type} link from '{left}' to '{right}'"))
            })?;
        let l = new_left.cloned().unwrap_or(current.left_object);
        let r = new_right.cloned().unwrap_or(current.right_object);
        let meta = |m: &Option<Value>| m.as_ref().map(Value::to_string);
        self.conn().execute(
            "UPDATE links SET left_name = ?2, left_metadata = ?3, right_name = ?4, right_metadata = ?5, updated_at = ?6 WHERE id = ?1",
            params![current.id.parse::<i64>().unwrap_or(0), l.name, meta(&l.metadata), r.name, meta(&r.metadata), stamp()],
        )?;
        self.find_link(integration, link_type, &l.name, &r.name)?
            .ok_or_else(|| ServiceError::NotFound("link".into()))
    }

    /// Deletes a link (404 when absent).
    pub fn delete_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
    ) -> Result<()> {
        let n = self.conn().execute(
            "DELETE FROM links WHERE integration = ?1 AND link_type = ?2 AND left_name = ?3 AND right_name = ?4",
            params![integration, link_type, left, right],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "no {link_type} link from '{left}' to '{right}'"
            )));
        }
        Ok(())
    }

    // ---- inbound webhooks ----

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
            .ok_or_else(|| ServiceError::NotFound(format!("inbound webhook '{uuid}' not found")))
    }

    /// Every inbound webhook of an integration (passwords masked).
    pub fn webhooks(&self, integration: &str, base_url: &str) -> Result<Vec<Value>> {
        let uuids: Vec<String> = {
            let conn = self.conn();
            let mut stmt = conn.prepare(
                "SELECT uuid FROM inbound_webhooks WHERE integration = ?1 ORDER BY created_at",
            )?;
            let rows = stmt.query_map([integration], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        uuids
            .iter()
            .map(|u| self.webhook(integration, u, base_url))
            .collect()
    }

    /// Deletes an inbound webhook.
    pub fn delete_webhook(&self, integration: &str, uuid: &str) -> Result<()> {
        let n = self.conn().execute(
            "DELETE FROM inbound_webhooks WHERE integration = ?1 AND uuid = ?2",
            params![integration, uuid],
        )?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!(
                "inbound webhook '{uuid}' not found"
            )));
        }
        Ok(())
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

    // ---- event queue ----

    /// Accepts an event: it is in the queue (committed) when this returns.
    pub fn enqueue(
        &self,
        integration: Option<&str>,
        source: &str,
        event_type: &str,
        input: &Value,
        origin: &str,
        delay_secs: f64,
    ) -> Result<i64> {
        let t = now();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO events (integration, event_source, event_type, input, origin, accepted_at, not_before)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![integration, source, event_type, input.to_string(), origin, t, t + delay_secs.max(0.0)],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Records an event that ran outside the queue (the window's debugger): stored as
    /// done, so the dispatcher never takes it, and re-runnable like any other.
    pub fn record_event(
        &self,
        integration: Option<&str>,
        source: &str,
        event_type: &str,
        input: &Value,
        origin: &str,
    ) -> Result<i64> {
        let t = now();
        let conn = self.conn();
        conn.execute(
            "INSERT INTO events (integration, event_source, event_type, input, origin, state, accepted_at, not_before, started_at, finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'done', ?6, ?6, ?6, ?6)",
            params![integration, source, event_type, input.to_string(), origin, t],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Claims the next due event (pending → running), or none. `shuffle` picks a random
    /// due event instead of the oldest.
    pub fn claim_next(&self, shuffle: bool) -> Result<Option<EventRow>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let order = if shuffle { "RANDOM()" } else { "id" };
        let id: Option<i64> = tx
            .query_row(
                &format!("SELECT id FROM events WHERE state = 'pending' AND not_before <= ?1 ORDER BY {order} LIMIT 1"),
                [now()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE events SET state = 'running', started_at = ?2 WHERE id = ?1",
            params![id, now()],
        )?;
        let row = event_row(&tx, id)?;
        tx.commit()?;
        Ok(row)
    }

    /// Events left `running` by a process that died go back to `pending` (at-least-once).
    pub fn requeue_interrupted(&self) -> Result<usize> {
        Ok(self.conn().execute(
            "UPDATE events SET state = 'pending', started_at = NULL WHERE state = 'running'",
            [],
        )?)
    }

    /// Marks an event done or skipped, with a note.
    pub fn finish_event(&self, id: i64, state: &str, note: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE events SET state = ?2, finished_at = ?3, note = ?4 WHERE id = ?1",
            params![id, state, now(), note],
        )?;
        Ok(())
    }

    /// One event.
    pub fn event(&self, id: i64) -> Result<Option<EventRow>> {
        event_row(&self.conn(), id)
    }

    /// The newest events first.
    pub fn events(&self, limit: usize) -> Result<Vec<EventRow>> {
        let ids: Vec<i64> = {
            let conn = self.conn();
            let mut stmt = conn.prepare("SELECT id FROM events ORDER BY id DESC LIMIT ?1")?;
            let rows = stmt.query_map([limit as i64], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Vec::new();
        for id in ids {
            if let Some(e) = self.event(id)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Queue depth and start delays.
    pub fn queue_stats(&self) -> Result<QueueStats> {
        let conn = self.conn();
        let mut stats = QueueStats::default();
        let mut stmt = conn.prepare("SELECT state, COUNT(*) FROM events GROUP BY state")?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })? {
            let (state, n) = row?;
            match state.as_str() {
                "pending" => stats.pending = n,
                "running" => stats.running = n,
                "done" => stats.done = n,
                "skipped" => stats.skipped = n,
                _ => {}
            }
        }
        let oldest: Option<f64> = conn.query_row(
            "SELECT MIN(accepted_at) FROM events WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        stats.oldest_pending_secs = oldest.map(|t| (now() - t).max(0.0));
        let mut stmt =
            conn.prepare("SELECT delay_secs FROM executions ORDER BY id DESC LIMIT 100")?;
        let mut delays: Vec<f64> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        delays.sort_by(f64::total_cmp);
        stats.median_delay_secs = delays.get(delays.len() / 2).copied();
        stats.max_delay_secs = delays.last().copied();
        Ok(stats)
    }

    // ---- executions ----

    /// Stores a finished execution with its history (the caller redacts secrets).
    #[allow(clippy::too_many_arguments)]
    pub fn store_execution(
        &self,
        event_id: Option<i64>,
        job_spec: &JobSpecRow,
        event_type: &str,
        status: &zis_engine::run::execution::Status,
        history: &Value,
        attempts: u32,
        started_at: f64,
        delay_secs: f64,
    ) -> Result<i64> {
        use zis_engine::run::execution::Status;
        let (name, error, cause, output) = match status {
            Status::Succeeded { output } => ("succeeded", None, None, Some(output.to_string())),
            Status::Failed { error, cause } => {
                ("failed", Some(error.clone()), Some(cause.clone()), None)
            }
            Status::Running => ("running", None, None, None),
        };
        let conn = self.conn();
        conn.execute(
            "INSERT INTO executions (event_id, integration, job_spec, flow, event_type, status, error, cause, output, history, attempts, started_at, finished_at, delay_secs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![event_id, job_spec.integration, job_spec.name, job_spec.flow_name, event_type, name, error, cause, output,
                    history.to_string(), attempts, started_at, now(), delay_secs],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// The newest executions first.
    pub fn executions(&self, limit: usize) -> Result<Vec<ExecutionRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, event_id, integration, job_spec, flow, event_type, status, error, cause, attempts, started_at, finished_at, delay_secs
             FROM executions ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ExecutionRow {
                id: r.get(0)?,
                event_id: r.get(1)?,
                integration: r.get(2)?,
                job_spec: r.get(3)?,
                flow: r.get(4)?,
                event_type: r.get(5)?,
                status: r.get(6)?,
                error: r.get(7)?,
                cause: r.get(8)?,
                attempts: r.get(9)?,
                started_at: r.get(10)?,
                finished_at: r.get(11)?,
                delay_secs: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An execution's history (the list of history events) and output.
    pub fn execution_history(&self, id: i64) -> Result<(Value, Option<Value>)> {
        self.conn()
            .query_row(
                "SELECT history, output FROM executions WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        to_json(&r.get::<_, String>(0)?),
                        r.get::<_, Option<String>>(1)?.map(|o| to_json(&o)),
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| ServiceError::NotFound(format!("execution {id} not found")))
    }
}

/// A uniqueness violation as a 409 with `what`; other database errors as they are.
fn conflict_on_duplicate(
    r: rusqlite::Result<usize>,
    what: impl FnOnce() -> String,
) -> Result<usize> {
    match r {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(ServiceError::Conflict(what()))
        }
        other => Ok(other?),
    }
}

fn event_row(conn: &Connection, id: i64) -> Result<Option<EventRow>> {
    Ok(conn
        .query_row(
            "SELECT id, integration, event_source, event_type, input, origin, state, accepted_at, started_at, note FROM events WHERE id = ?1",
            [id],
            |r| {
                Ok(EventRow {
                    id: r.get(0)?,
                    integration: r.get(1)?,
                    event_source: r.get(2)?,
                    event_type: r.get(3)?,
                    input: to_json(&r.get::<_, String>(4)?),
                    origin: r.get(5)?,
                    state: r.get(6)?,
                    accepted_at: r.get(7)?,
                    started_at: r.get(8)?,
                    note: r.get(9)?,
                })
            },
        )
        .optional()?)
}

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

fn valid_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ServiceError::Invalid(format!(
            "{what} name '{name}' must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -"
        )));
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx: Transaction<'_> = conn.transaction()?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let version: Option<i64> = tx
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()?;
    let done = match version {
        Some(v) => v,
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
            0
        }
    };
    if done > MIGRATIONS.len() as i64 {
        return Err(ServiceError::Invalid(format!(
            "the database has schema version {done}, newer than this ZIS Studio knows ({}); nothing was changed",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        tx.execute_batch(sql)?;
        tx.execute("UPDATE schema_version SET version = ?1", [i as i64 + 1])?;
    }
    tx.commit()?;
    Ok(())
}
