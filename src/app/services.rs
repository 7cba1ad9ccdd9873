//! The local service stores as the window shows them, for the open bundle's integration:
//! configs, links, connections (secrets masked), inbound webhooks (credentials shown once),
//! and the local server, started and stopped from the window. Every operation is a short
//! SQLite statement on the data folder's database; lists are read again after each change.

use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use zis_engine::actions::{LinkObject, LinkQuery};
use zis_services::db::{ConnectionKind, Db};
use zis_services::dispatch::DispatchSettings;
use zis_services::server::{self, Running};

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

/// The running local server.
pub struct Server(pub Running);

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Server({})", self.0.base_url)
    }
}

/// What the Services view shows.
#[derive(Debug, Default)]
pub struct Services {
    /// The integration shown.
    pub integration: String,
    /// Configs (`{scope, config, ...}`).
    pub configs: Vec<Value>,
    /// Connections, masked, by kind.
    pub connections: Value,
    /// The link type listed.
    pub link_type: String,
    /// Links of that type.
    pub links: Vec<Value>,
    /// The link types the integration has links of.
    pub link_types: Vec<String>,
    /// Inbound webhooks (passwords masked).
    pub webhooks: Vec<Value>,
    /// The webhook just created, with its password (shown once).
    pub new_webhook: Option<Value>,
    /// The last error.
    pub error: Option<String>,
    /// The local server, when started from the window.
    pub server: Option<Server>,
}

/// The base URL webhooks are shown with: the running server's, else the default port's.
pub fn base_url(services: &Services) -> String {
    services.server.as_ref().map_or_else(
        || format!("http://127.0.0.1:{}", zis_services::DEFAULT_PORT),
        |s| s.0.base_url.clone(),
    )
}

impl Services {
    fn db(path: &Path) -> Result<Db, String> {
        Db::open(path).map_err(|e| e.to_string())
    }

    /// Reads every list again for `integration`.
    pub fn reload(&mut self, db_path: &Path, integration: &str) {
        self.integration = integration.to_string();
        let result = (|| -> Result<(), String> {
            let db = Self::db(db_path)?;
            let s = |e: zis_services::db::ServiceError| e.to_string();
            self.configs = db.configs(integration, "*").map_err(s)?;
            self.connections = db.connections_public(integration).map_err(s)?;
            self.webhooks = db.webhooks(integration, &base_url(self)).map_err(s)?;
            self.link_types = db.link_types(integration).map_err(s)?;
            if self.link_type.is_empty()
                && let Some(first) = self.link_types.first()
            {
                self.link_type.clone_from(first);
            }
            self.links = if self.link_type.is_empty() {
                Vec::new()
            } else {
                let q = LinkQuery {
                    link_type: self.link_type.clone(),
                    left: None,
                    right: None,
                    page_size: 100,
                    after: None,
                };
                let (links, _) = db.query_links(integration, &q).map_err(s)?;
                links
                    .into_iter()
                    .map(|l| serde_json::to_value(l).unwrap_or(Value::Null))
                    .collect()
            };
            Ok(())
        })();
        self.error = result.err();
    }

    /// Runs a change against the database, then reads the lists again.
    pub fn change(
        &mut self,
        db_path: &Path,
        what: impl FnOnce(&Db, &str) -> Result<Option<Value>, String>,
    ) {
        let integration = self.integration.clone();
        let result = Self::db(db_path).and_then(|db| {
            // The store keys everything by integration; make sure it exists locally.
            if db.require_integration(&integration).is_err() {
                let _ = db.create_integration(&integration, "created by ZIS Studio");
            }
            what(&db, &integration)
        });
        match result {
            Ok(shown) => {
                if shown.is_some() {
                    self.new_webhook = shown;
                }
                self.reload(db_path, &integration);
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Starts the local server on `port` (0: any free port) with its dispatcher.
    pub fn start_server(&mut self, data_dir: &Path, db_path: &Path, port: u16) {
        if self.server.is_some() {
            return;
        }
        let result = (|| -> Result<Running, String> {
            let db = Self::db(db_path)?;
            let token = server::api_token(data_dir).map_err(|e| e.to_string())?;
            server::start(Arc::new(db), token, port, DispatchSettings::default())
                .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))
        })();
        match result {
            Ok(r) => {
                self.server = Some(Server(r));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Stops it.
    pub fn stop_server(&mut self) {
        if let Some(Server(r)) = self.server.take() {
            r.stop();
        }
    }
}

/// Creates a connection from the form, or updates the one of that name in place: an
/// empty secret keeps the stored one (the form never shows it), other fields change.
pub fn create_connection(
    db: &Db,
    integration: &str,
    c: &NewConnection,
) -> Result<Option<Value>, String> {
    let kind = ConnectionKind::parse(&c.kind).ok_or_else(|| format!("unknown kind {}", c.kind))?;
    let stored = db
        .connection(integration, c.name.trim())
        .map_err(|e| e.to_string())?
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
    db.put_connection(integration, kind, &c.name, &c.allowed_domain, &data)
        .map_err(|e| e.to_string())?;
    Ok(None)
}

/// Creates a link.
pub fn create_link(
    db: &Db,
    integration: &str,
    link_type: &str,
    left: &str,
    right: &str,
) -> Result<Option<Value>, String> {
    let obj = |name: &str| LinkObject {
        name: name.to_string(),
        metadata: None,
    };
    db.create_link(integration, link_type, &obj(left), &obj(right))
        .map_err(|e| e.to_string())?;
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
pub fn edit_link(db: &Db, integration: &str, e: &LinkEdit) -> Result<Option<Value>, String> {
    let meta = |text: &str, side: &str| -> Result<Option<Value>, String> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        serde_json::from_str(text).map(Some).map_err(|err| {
            format!(
                "{side} metadata is not JSON: {}:{}: {err}",
                err.line(),
                err.column()
            )
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
    )
    .map_err(|err| err.to_string())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_change_and_the_server_starts_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Services::default();
        s.reload(&db, "acme");
        s.change(&db, |db, i| {
            db.put_config(i, "settings", &json!({"channel": "#x"}))
                .map(|_| None)
                .map_err(|e| e.to_string())
        });
        assert_eq!(s.configs.len(), 1, "{:?}", s.error);
        let c = NewConnection {
            kind: "bearer_token".into(),
            name: "slack".into(),
            secret: "xoxb-secret".into(),
            ..NewConnection::default()
        };
        s.change(&db, |db, i| create_connection(db, i, &c));
        assert!(!s.connections.to_string().contains("xoxb-secret"), "masked");
        assert!(s.connections.to_string().contains("slack"));
        s.link_type = "ticket_issue".into();
        s.change(&db, |db, i| {
            create_link(db, i, "ticket_issue", "1", "JIRA-1")
        });
        assert_eq!(s.links.len(), 1);
        assert_eq!(s.link_types, ["ticket_issue"]);
        // Edited in place: a new right object with metadata.
        s.change(&db, |db, i| {
            edit_link(
                db,
                i,
                &LinkEdit {
                    link_type: "ticket_issue".into(),
                    left: "1".into(),
                    right: "JIRA-1".into(),
                    new_left: "1".into(),
                    new_right: "JIRA-2".into(),
                    right_metadata: r#"{"status": "done"}"#.into(),
                    ..LinkEdit::default()
                },
            )
        });
        assert!(s.error.is_none(), "{:?}", s.error);
        assert_eq!(s.links[0]["right_object"]["name"], "JIRA-2");
        assert_eq!(s.links[0]["right_object"]["metadata"]["status"], "done");
        s.change(&db, |db, i| {
            edit_link(
                db,
                i,
                &LinkEdit {
                    link_type: "ticket_issue".into(),
                    left: "1".into(),
                    right: "JIRA-2".into(),
                    new_left: "1".into(),
                    new_right: "JIRA-2".into(),
                    left_metadata: "{oops".into(),
                    ..LinkEdit::default()
                },
            )
        });
        assert!(
            s.error
                .as_deref()
                .unwrap_or_default()
                .starts_with("left metadata is not JSON: 1:2"),
            "{:?}",
            s.error
        );
        s.start_server(dir.path(), &db, 0);
        let url = base_url(&s);
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        s.change(&db, |db, i| {
            db.create_webhook(i, "carrier", "shipment.updated", &url)
                .map(Some)
                .map_err(|e| e.to_string())
        });
        let hook = s.new_webhook.clone().unwrap();
        assert!(curl_for(&hook).contains(&url));
        assert_eq!(s.webhooks.len(), 1);
        s.stop_server();
        assert!(s.server.is_none());
    }
}
