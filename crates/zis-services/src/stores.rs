//! The engine's store traits on the database: built-in actions (LoadConfig, PatchConfig,
//! LoadLinks, CreateLink, PatchLink, DeleteLink) read and write SQLite.

use crate::db::{Db, ServiceError};
use zis_engine::actions::{ConfigStore, Link, LinkObject, LinkQuery, LinkStore};
use zis_engine::run::StatesError;

/// One integration's configs and links in the database.
pub struct DbStores<'d> {
    /// The database.
    pub db: &'d Db,
    /// The integration whose data the flow sees.
    pub integration: String,
}

fn runtime(e: ServiceError) -> StatesError {
    StatesError::runtime(e.to_string())
}

impl ConfigStore for DbStores<'_> {
    fn load(&self, scope: &str) -> Result<Option<serde_json::Value>, StatesError> {
        let found = self.db.configs(&self.integration, scope).map_err(runtime)?;
        Ok(found.into_iter().next().map(|c| c["config"].clone()))
    }

    fn save(&mut self, scope: &str, config: serde_json::Value) -> Result<(), StatesError> {
        self.db
            .put_config(&self.integration, scope, &config)
            .map(|_| ())
            .map_err(runtime)
    }
}

impl LinkStore for DbStores<'_> {
    fn query(&self, q: &LinkQuery) -> Result<(Vec<Link>, bool), StatesError> {
        self.db.query_links(&self.integration, q).map_err(runtime)
    }

    fn create(
        &mut self,
        link_type: &str,
        left: LinkObject,
        right: LinkObject,
    ) -> Result<Link, StatesError> {
        self.db
            .create_link(&self.integration, link_type, &left, &right)
            .map_err(runtime)
    }

    fn patch(
        &mut self,
        link_type: &str,
        left: &str,
        right: &str,
        new_left: Option<LinkObject>,
        new_right: Option<LinkObject>,
    ) -> Result<Link, StatesError> {
        self.db
            .patch_link(
                &self.integration,
                link_type,
                left,
                right,
                new_left.as_ref(),
                new_right.as_ref(),
            )
            .map_err(runtime)
    }

    fn delete(&mut self, link_type: &str, left: &str, right: &str) -> Result<(), StatesError> {
        self.db
            .delete_link(&self.integration, link_type, left, right)
            .map_err(runtime)
    }
}
