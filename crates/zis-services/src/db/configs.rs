//! Configs: one JSON object per (integration, scope), read by exact scope or by a scope
//! pattern with `*` wildcards.

use super::{Db, Result, ServiceError, conflict_on_duplicate, query_all, stamp, to_json};
use rusqlite::params;
use serde_json::{Value, json};

impl Db {
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
        self.written_config(integration, scope)
    }

    /// Replaces (or creates) a config.
    pub fn put_config(&self, integration: &str, scope: &str, config: &Value) -> Result<Value> {
        let now = stamp();
        self.conn().execute(
            "INSERT INTO configs (integration, scope, config, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (integration, scope) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            params![integration, scope, config.to_string(), now],
        )?;
        self.written_config(integration, scope)
    }

    /// The config just written, as the API answers it.
    fn written_config(&self, integration: &str, scope: &str) -> Result<Value> {
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
        let mut rows = query_all(
            &self.conn(),
            "SELECT id, scope, config, created_at, updated_at FROM configs WHERE integration = ?1 ORDER BY scope",
            [integration],
            |r| {
                Ok(
                    json!({"id": r.get::<_, i64>(0)?, "scope": r.get::<_, String>(1)?,
                          "config": to_json(&r.get::<_, String>(2)?), "created_at": r.get::<_, String>(3)?,
                          "updated_at": r.get::<_, String>(4)?, "integration": integration}),
                )
            },
        )?;
        rows.retain(|row| {
            zis_engine::actions::wildcard_match(pattern, row["scope"].as_str().unwrap_or_default())
        });
        Ok(rows)
    }

    /// Deletes a config (404 when absent).
    pub fn delete_config(&self, integration: &str, scope: &str) -> Result<()> {
        self.change_one(
            "DELETE FROM configs WHERE integration = ?1 AND scope = ?2",
            params![integration, scope],
            || format!("config '{scope}' not found"),
        )
    }
}
