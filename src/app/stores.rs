//! The local service stores as the window shows them, for the open bundle's integration:
//! configs, links, connections (secrets masked), inbound webhooks (credentials shown once),
//! and the local server, started and stopped from the window. Every operation is a short
//! SQLite statement on the data folder's database; lists are read again after each change.

use super::error::{AppError, AppResult, parse_json};
use crate::core::stores::FormError;
pub use crate::core::stores::{
    LinkEdit, NewConnection, create_connection, create_link, curl_for, edit_link,
};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use zis_engine::actions::LinkQuery;
use zis_services::db::Db;
use zis_services::dispatch::DispatchSettings;
use zis_services::server::{self, Running};

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
    fn db(path: &Path) -> AppResult<Db> {
        Ok(Db::open(path)?)
    }

    /// Reads every list again for `integration`.
    pub fn reload(&mut self, db_path: &Path, integration: &str) {
        self.integration = integration.to_string();
        let result = (|| -> AppResult<()> {
            let db = Self::db(db_path)?;
            self.configs = db.configs(integration, "*")?;
            self.connections = db.connections_public(integration)?;
            self.webhooks = db.webhooks(integration, &base_url(self))?;
            self.link_types = db.link_types(integration)?;
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
                    before: None,
                };
                let (links, _) = db.query_links(integration, &q)?;
                links
                    .into_iter()
                    .map(|l| serde_json::to_value(l).unwrap_or(Value::Null))
                    .collect()
            };
            Ok(())
        })();
        self.error = result.err().map(|e| e.to_string());
    }

    /// Runs a change against the database, then reads the lists again.
    pub fn change(
        &mut self,
        db_path: &Path,
        what: impl FnOnce(&Db, &str) -> AppResult<Option<Value>>,
    ) {
        let integration = self.integration.clone();
        let result = Self::db(db_path).and_then(|db| {
            // The store keys everything by integration; make sure it exists locally.
            if db.require_integration(&integration).is_err() {
                db.create_integration(&integration, "created by ZIS Studio")?;
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
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Starts the local server on `port` (0: any free port) with its dispatcher and the
    /// data folder's settings.
    pub fn start_server(
        &mut self,
        data_dir: &Path,
        db_path: &Path,
        port: u16,
        data_settings: &std::collections::BTreeMap<String, String>,
    ) {
        if self.server.is_some() {
            return;
        }
        let result = (|| -> AppResult<Running> {
            let db = Self::db(db_path)?;
            let token = server::api_token(data_dir).map_err(|source| AppError::File {
                action: "read",
                path: data_dir.join("api_token"),
                source,
            })?;
            // The data folder's settings (Run › Settings…) apply to the flows it runs.
            let settings = zis_services::settings::resolve(&[data_settings])
                .unwrap_or_else(|_| DispatchSettings::default());
            server::start(Arc::new(db), token, port, settings)
                .map_err(|e| AppError::refused(format!("cannot listen on 127.0.0.1:{port}: {e}")))
        })();
        match result {
            Ok(r) => {
                self.server = Some(Server(r));
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Stops it.
    pub fn stop_server(&mut self) {
        if let Some(Server(r)) = self.server.take() {
            r.stop();
        }
    }
}

use super::*;

/// Stores commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum StoresCommand {
    /// Read the local stores of the bundle's integration again.
    ReloadServices,
    /// Set (or with `None` clear) a setting (`zis_services::settings`) for this bundle (in
    /// its sidecar) or for the data folder (in its database).
    SetSetting {
        /// The setting's name.
        name: String,
        /// Its value as text.
        value: Option<String>,
        /// This bundle only (else the data folder).
        bundle: bool,
    },
    /// Create or replace a config.
    PutConfig {
        /// Its scope.
        scope: String,
        /// Its JSON text.
        text: String,
    },
    /// Delete a config.
    DeleteConfig(String),
    /// Create a connection.
    CreateConnection(NewConnection),
    /// Delete a connection (kind, name).
    DeleteConnection(String, String),
    /// List links of this type.
    ShowLinks(String),
    /// Create a link (type, left name, right name).
    CreateLink(String, String, String),
    /// Delete a link (type, left name, right name).
    DeleteLink(String, String, String),
    /// Change a link's objects in place.
    EditLink(LinkEdit),
    /// Create an inbound webhook (source system, event type).
    CreateWebhook(String, String),
    /// Delete an inbound webhook by id.
    DeleteWebhook(String),
    /// Start the local server on a port (0: any free one).
    StartServer(u16),
    /// Stop it.
    StopServer,
}

impl AppState {
    /// Applies one stores command.
    pub(crate) fn apply_stores(&mut self, command: StoresCommand) {
        match command {
            StoresCommand::ReloadServices => {
                let (db, key) = (self.db_path(), self.integration_key());
                self.services.reload(&db, &key);
            }
            StoresCommand::SetSetting {
                name,
                value,
                bundle,
            } => self.set_setting(&name, value, bundle),
            StoresCommand::PutConfig { scope, text } => {
                let db = self.db_path();
                match parse_json(&text) {
                    Ok(v) => self.services.change(&db, |d, i| {
                        d.put_config(i, scope.trim(), &v)?;
                        Ok(None)
                    }),
                    Err(e) => {
                        self.services.error = Some(format!("the config does not parse: {e}"));
                    }
                }
            }
            StoresCommand::DeleteConfig(scope) => {
                let db = self.db_path();
                self.services.change(&db, |d, i| {
                    d.delete_config(i, &scope)?;
                    Ok(None)
                });
            }
            StoresCommand::CreateConnection(c) => {
                let db = self.db_path();
                self.services
                    .change(&db, |d, i| Ok(create_connection(d, i, &c)?));
            }
            StoresCommand::DeleteConnection(kind, name) => {
                let db = self.db_path();
                self.services.change(&db, |d, i| {
                    let kind = zis_services::db::ConnectionKind::parse(&kind)
                        .ok_or_else(|| FormError::UnknownKind(kind.clone()))?;
                    d.delete_connection(i, kind, &name)?;
                    Ok(None)
                });
            }
            StoresCommand::ShowLinks(link_type) => {
                let (db, key) = (self.db_path(), self.integration_key());
                self.services.link_type = link_type;
                self.services.reload(&db, &key);
            }
            StoresCommand::CreateLink(t, l, r) => {
                let db = self.db_path();
                self.services.link_type.clone_from(&t);
                self.services
                    .change(&db, |d, i| Ok(create_link(d, i, &t, &l, &r)?));
            }
            StoresCommand::DeleteLink(t, l, r) => {
                let db = self.db_path();
                self.services.change(&db, |d, i| {
                    d.delete_link(i, &t, &l, &r)?;
                    Ok(None)
                });
            }
            StoresCommand::EditLink(e) => {
                let db = self.db_path();
                self.services.change(&db, |d, i| Ok(edit_link(d, i, &e)?));
            }
            StoresCommand::CreateWebhook(source, event_type) => {
                let db = self.db_path();
                let url = base_url(&self.services);
                self.services.change(&db, |d, i| {
                    d.create_webhook(i, source.trim(), event_type.trim(), &url)
                        .map(Some)
                        .map_err(AppError::from)
                });
            }
            StoresCommand::DeleteWebhook(id) => {
                let db = self.db_path();
                self.services.change(&db, |d, i| {
                    d.delete_webhook(i, &id)?;
                    Ok(None)
                });
            }
            StoresCommand::StartServer(port) => {
                let db = self.db_path();
                let dir = self.data_dir.clone();
                self.services
                    .start_server(&dir, &db, port, &self.data_settings);
                let key = self.integration_key();
                self.services.reload(&db, &key);
            }
            StoresCommand::StopServer => self.services.stop_server(),
        }
    }
}

impl AppState {
    /// Sets a setting after checking its value; the status bar says what happened.
    fn set_setting(&mut self, name: &str, value: Option<String>, bundle: bool) {
        let value = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(Err(e)) = value
            .as_deref()
            .map(|v| zis_services::settings::check(name, v))
        {
            self.message = Some(format!("not set: {e}"));
            return;
        }
        let scope = if bundle {
            "this bundle"
        } else {
            "the data folder"
        };
        if bundle {
            match &value {
                Some(v) => {
                    self.sidecar.settings.insert(name.to_string(), v.clone());
                }
                None => {
                    self.sidecar.settings.remove(name);
                }
            }
            self.save_sidecar();
        } else {
            let stored = zis_services::db::Db::open(&self.db_path())
                .and_then(|db| zis_services::settings::store(&db, name, value.as_deref()));
            if let Err(e) = stored {
                self.message = Some(format!("not set: cannot write the data folder: {e}"));
                return;
            }
            match &value {
                Some(v) => self.data_settings.insert(name.to_string(), v.clone()),
                None => self.data_settings.remove(name),
            };
        }
        self.message = Some(match value {
            Some(v) => format!("{name} = {v} for {scope}"),
            None => format!("{name} back to its default for {scope}"),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stores_change_and_the_server_starts_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("zis-studio.sqlite");
        let mut s = Services::default();
        s.reload(&db, "acme");
        s.change(&db, |db, i| {
            db.put_config(i, "settings", &json!({"channel": "#x"}))
                .map(|_| None)
                .map_err(AppError::from)
        });
        assert_eq!(s.configs.len(), 1, "{:?}", s.error);
        let c = NewConnection {
            kind: "bearer_token".into(),
            name: "slack".into(),
            secret: "xoxb-secret".into(),
            ..NewConnection::default()
        };
        s.change(&db, |db, i| Ok(create_connection(db, i, &c)?));
        assert!(!s.connections.to_string().contains("xoxb-secret"), "masked");
        assert!(s.connections.to_string().contains("slack"));
        s.link_type = "ticket_issue".into();
        s.change(&db, |db, i| {
            Ok(create_link(db, i, "ticket_issue", "1", "JIRA-1")?)
        });
        assert_eq!(s.links.len(), 1);
        assert_eq!(s.link_types, ["ticket_issue"]);
        // Edited in place: a new right object with metadata.
        s.change(&db, |db, i| {
            Ok(edit_link(
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
            )?)
        });
        assert!(s.error.is_none(), "{:?}", s.error);
        assert_eq!(s.links[0]["right_object"]["name"], "JIRA-2");
        assert_eq!(s.links[0]["right_object"]["metadata"]["status"], "done");
        s.change(&db, |db, i| {
            Ok(edit_link(
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
            )?)
        });
        assert!(
            s.error
                .as_deref()
                .unwrap_or_default()
                .starts_with("left metadata is not JSON: 1:2"),
            "{:?}",
            s.error
        );
        s.start_server(dir.path(), &db, 0, &Default::default());
        let url = base_url(&s);
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        s.change(&db, |db, i| {
            db.create_webhook(i, "carrier", "shipment.updated", &url)
                .map(Some)
                .map_err(AppError::from)
        });
        let hook = s.new_webhook.clone().unwrap();
        assert!(curl_for(&hook).contains(&url));
        assert_eq!(s.webhooks.len(), 1);
        s.stop_server();
        assert!(s.server.is_none());
    }
}
