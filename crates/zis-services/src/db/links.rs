//! Links: typed pairs of named objects with optional JSON metadata, unique per
//! (type, left, right), queried with `*` wildcards and cursor pages by id.

use super::{Db, Result, ServiceError, conflict_on_duplicate, query_all, stamp, to_json};
use rusqlite::params;
use serde_json::Value;
use zis_engine::actions::{Link, LinkObject, LinkQuery, wildcard_match};

/// How a link object's metadata is stored: its JSON text, or NULL.
fn metadata_text(object: &LinkObject) -> Option<String> {
    object.metadata.as_ref().map(Value::to_string)
}

/// A link's uuid: stable for the store's row (its integration and id), in UUID form.
fn link_uuid(integration: &str, id: i64) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in integration.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h & 0xfff) as u16,
        ((h >> 12) & 0xfff) as u16,
        id
    )
}

impl Db {
    /// The link types an integration has links of, in order.
    pub fn link_types(&self, integration: &str) -> Result<Vec<String>> {
        query_all(
            &self.conn(),
            "SELECT DISTINCT link_type FROM links WHERE integration = ?1 ORDER BY link_type",
            [integration],
            |r| r.get(0),
        )
    }

    /// Creates a link; 409 when (type, left, right) exists.
    pub fn create_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &LinkObject,
        right: &LinkObject,
    ) -> Result<Link> {
        let now = stamp();
        let r = self.conn().execute(
            "INSERT INTO links (integration, link_type, left_name, left_metadata, right_name, right_metadata, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![integration, link_type, left.name, metadata_text(left), right.name, metadata_text(right), now],
        );
        conflict_on_duplicate(r, || {
            format!(
                "a link {link_type} from '{}' to '{}' already exists",
                left.name, right.name
            )
        })?;
        self.written_link(integration, link_type, &left.name, &right.name)
    }

    fn find_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
    ) -> Result<Option<Link>> {
        let q = LinkQuery {
            link_type: link_type.into(),
            left: Some(left.into()),
            right: Some(right.into()),
            page_size: 100,
            before: None,
            after: None,
        };
        Ok(self
            .query_links(integration, &q)?
            .0
            .into_iter()
            .find(|l| l.left_object.name == left && l.right_object.name == right))
    }

    /// The link just written, as the API answers it.
    fn written_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
    ) -> Result<Link> {
        self.find_link(integration, link_type, left, right)?
            .ok_or_else(|| ServiceError::NotFound("link".into()))
    }

    /// One page of links: names may hold `*`; cursor pagination by id.
    pub fn query_links(&self, integration: &str, q: &LinkQuery) -> Result<(Vec<Link>, bool)> {
        let after: i64 = q.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
        let before: Option<i64> = q.before.as_deref().and_then(|b| b.parse().ok());
        let size = q.page_size.clamp(1, 100);
        let conn = self.conn();
        // Before a cursor: the page just before it, newest first, turned back in order.
        let sql = if before.is_some() {
            "SELECT id, link_type, left_name, left_metadata, right_name, right_metadata, created_at, updated_at FROM links
             WHERE integration = ?1 AND link_type = ?2 AND id < ?3 ORDER BY id DESC"
        } else {
            "SELECT id, link_type, left_name, left_metadata, right_name, right_metadata, created_at, updated_at FROM links
             WHERE integration = ?1 AND link_type = ?2 AND id > ?3 ORDER BY id"
        };
        let mut stmt = conn.prepare(sql)?;
        let account = crate::catalog::Account::default().account_id;
        let rows = stmt.query_map(
            params![integration, q.link_type, before.unwrap_or(after)],
            |r| {
                let meta = |t: Option<String>| t.map(|t| to_json(&t));
                let id = r.get::<_, i64>(0)?;
                Ok(Link {
                    id: id.to_string(),
                    link_type: r.get(1)?,
                    left_object: LinkObject {
                        name: r.get(2)?,
                        metadata: meta(r.get(3)?),
                    },
                    right_object: LinkObject {
                        name: r.get(4)?,
                        metadata: meta(r.get(5)?),
                    },
                    account_id: Some(account),
                    integration: Some(integration.to_string()),
                    uuid: Some(link_uuid(integration, id)),
                    created_at: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            },
        )?;
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
        if before.is_some() {
            out.reverse();
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
        new_left: Option<&LinkObject>,
        new_right: Option<&LinkObject>,
    ) -> Result<Link> {
        let current = self
            .find_link(integration, link_type, left, right)?
            .ok_or_else(|| ServiceError::NotFound(no_link(link_type, left, right)))?;
        let l = new_left.cloned().unwrap_or(current.left_object);
        let r = new_right.cloned().unwrap_or(current.right_object);
        self.conn().execute(
            "UPDATE links SET left_name = ?2, left_metadata = ?3, right_name = ?4, right_metadata = ?5, updated_at = ?6 WHERE id = ?1",
            params![current.id.parse::<i64>().unwrap_or(0), l.name, metadata_text(&l), r.name, metadata_text(&r), stamp()],
        )?;
        self.written_link(integration, link_type, &l.name, &r.name)
    }

    /// Deletes a link (404 when absent).
    pub fn delete_link(
        &self,
        integration: &str,
        link_type: &str,
        left: &str,
        right: &str,
    ) -> Result<()> {
        self.change_one(
            "DELETE FROM links WHERE integration = ?1 AND link_type = ?2 AND left_name = ?3 AND right_name = ?4",
            params![integration, link_type, left, right],
            || no_link(link_type, left, right),
        )
    }
}

/// The not-found message for a link.
fn no_link(link_type: &str, left: &str, right: &str) -> String {
    format!("no {link_type} link from '{left}' to '{right}'")
}
