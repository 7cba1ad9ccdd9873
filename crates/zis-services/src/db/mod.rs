//! The local ZIS database: one SQLite file (WAL) holding the Registry (integrations,
//! bundles with their versions, job specs and whether each is installed), connections of
//! every kind with their secrets, configs, links, inbound webhooks, the event queue and
//! executions with their histories.
//!
//! Secrets (connection tokens, passwords, API keys, OAuth client secrets, webhook
//! passwords) live only in this file. Everything that leaves it for a person (API
//! responses, histories, errors) goes through [`Db::redact`] or shows `*****`.
//!
//! This file holds [`Db`] itself (opening, the schema and its migrations) and the helpers
//! every store uses; each store is an `impl Db` block of its own:
//!
//! | module | store |
//! |---|---|
//! | `registry` | integrations, bundles, job specs ([`JobSpecRow`]) |
//! | `connections` | connections ([`ConnectionKind`], [`StoredConnection`]) and OAuth clients |
//! | `configs` | configs by scope |
//! | `links` | links |
//! | `webhooks` | inbound webhooks ([`IngestTarget`]) |
//! | `events` | the event queue ([`EventRow`], [`QueueStats`]) |
//! | `executions` | executions and their histories ([`ExecutionRow`]) |
//! | `settings` | settings |
//! | `secrets` | every stored secret of an integration, and [`Db::redact`] |

mod configs;
mod connections;
mod events;
mod executions;
mod links;
mod registry;
mod secrets;
mod settings;
mod webhooks;

pub use connections::{ConnectionKind, StoredConnection};
pub use events::{EventRow, QueueStats};
pub use executions::{ExecutionRow, Finished, NewExecution};
pub use registry::JobSpecRow;
pub use webhooks::IngestTarget;

use rusqlite::{Connection, OptionalExtension, Params, Row, Transaction};
use serde_json::Value;
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
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
CREATE TABLE events_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  integration TEXT,
  event_source TEXT NOT NULL,
  event_type TEXT NOT NULL,
  input TEXT NOT NULL,
  origin TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'skipped', 'failed')),
  accepted_at REAL NOT NULL,
  not_before REAL NOT NULL,
  started_at REAL,
  finished_at REAL,
  note TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_v2 (id, integration, event_source, event_type, input, origin, state, accepted_at, not_before, started_at, finished_at, note)
  SELECT id, integration, event_source, event_type, input, origin, state, accepted_at, not_before, started_at, finished_at, note FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_pending ON events (state, not_before);
"#,
    // The integration-log lines ZIS would write for a run (zis-facts.md 8).
    "ALTER TABLE executions ADD COLUMN logs TEXT NOT NULL DEFAULT '[]';",
    // The claim walks pending events in id order: with an index on (state, not_before)
    // SQLite sorted the whole backlog for every claim, so a deep queue drained slower.
    "DROP INDEX events_pending; CREATE INDEX events_claim ON events (state, id);",
];

/// The database: a connection behind a mutex (SQLite serialises writers anyway; every
/// operation here is short). Several may be open on one file (the server's, one per
/// dispatcher worker, the window's): every write transaction begins IMMEDIATE, taking the
/// write lock up front and waiting its turn (busy timeout 5 s), so none fails to upgrade a
/// read it began while another connection wrote.
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

/// Now, as `YYYY-MM-DDThh:mm:ssZ` (the `created_at` and `updated_at` columns).
fn stamp() -> String {
    rfc3339(now())
}

/// A stored JSON column as a value (`null` if the text does not parse).
fn to_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// What the API shows in place of a secret.
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

    /// Runs a statement that must change one row (a DELETE or an UPDATE by key); when it
    /// changes none, the answer is `NotFound` with `not_found`'s message.
    fn change_one(
        &self,
        sql: &str,
        params: impl Params,
        not_found: impl FnOnce() -> String,
    ) -> Result<()> {
        if self.conn().execute(sql, params)? == 0 {
            return Err(ServiceError::NotFound(not_found()));
        }
        Ok(())
    }

    /// Runs an INSERT and answers the new row's id.
    fn insert(&self, sql: &str, params: impl Params) -> Result<i64> {
        let conn = self.conn();
        conn.execute(sql, params)?;
        Ok(conn.last_insert_rowid())
    }
}

/// Every row of a query, each read by `read`.
fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// Whether an integration of this name exists.
fn integration_exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM integrations WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )?)
}

/// The not-found message for an integration.
fn no_integration(name: &str) -> String {
    format!("integration '{name}' not found")
}

/// `Invalid` unless `name` is `min_len` to 64 characters of A-Z, a-z, 0-9, `_` and `-`.
fn valid_name(what: &str, name: &str, min_len: usize) -> Result<()> {
    if !(min_len..=64).contains(&name.len())
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ServiceError::Invalid(format!(
            "{what} name '{name}' must be {min_len} to 64 characters of A-Z, a-z, 0-9, _ and -"
        )));
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    // Up to date (every open but the first): a read, no write lock. Each dispatcher worker
    // and each refresh of the window's lists opens the database.
    let current: Option<i64> = conn
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .optional()
        .unwrap_or(None);
    if current == Some(MIGRATIONS.len() as i64) {
        return Ok(());
    }
    let tx: Transaction<'_> =
        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
