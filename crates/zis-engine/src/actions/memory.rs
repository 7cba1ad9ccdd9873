//! In-memory stores for tests and for running without a database.

use super::{ConfigStore, Link, LinkObject, LinkQuery, LinkStore, wildcard_match};
use crate::run::StatesError;
use serde_json::Value;
use std::collections::BTreeMap;

/// Configs in a sorted map (so wildcard look-ups are deterministic).
#[derive(Clone, Debug, Default)]
pub struct MemoryConfigs {
    /// Scope → config.
    pub configs: BTreeMap<String, Value>,
}

impl ConfigStore for MemoryConfigs {
    fn load(&self, scope: &str) -> Result<Option<Value>, StatesError> {
        Ok(self
            .configs
            .iter()
            .find(|(s, _)| wildcard_match(scope, s))
            .map(|(_, v)| v.clone()))
    }
    fn save(&mut self, scope: &str, config: Value) -> Result<(), StatesError> {
        self.configs.insert(scope.to_string(), config);
        Ok(())
    }
}

/// Links in creation order.
#[derive(Clone, Debug, Default)]
pub struct MemoryLinks {
    /// Every link.
    pub links: Vec<Link>,
    next_id: u64,
}

impl MemoryLinks {
    fn find(&self, link_type: &str, left: &str, right: &str) -> Option<usize> {
        self.links.iter().position(|l| {
            l.link_type == link_type && l.left_object.name == left && l.right_object.name == right
        })
    }
}

impl LinkStore for MemoryLinks {
    fn query(&self, q: &LinkQuery) -> Result<(Vec<Link>, bool), StatesError> {
        let start = match &q.after {
            Some(after) => self
                .links
                .iter()
                .position(|l| &l.id == after)
                .map_or(0, |i| i + 1),
            None => 0,
        };
        let matching: Vec<&Link> = self.links[start.min(self.links.len())..]
            .iter()
            .filter(|l| {
                l.link_type == q.link_type
                    && q.left
                        .as_deref()
                        .is_none_or(|p| wildcard_match(p, &l.left_object.name))
                    && q.right
                        .as_deref()
                        .is_none_or(|p| wildcard_match(p, &l.right_object.name))
            })
            .collect();
        let size = q.page_size.max(1);
        Ok((
            matching.iter().take(size).map(|l| (*l).clone()).collect(),
            matching.len() > size,
        ))
    }

    fn create(
        &mut self,
        link_type: &str,
        left: LinkObject,
        right: LinkObject,
    ) -> Result<Link, StatesError> {
        if self.find(link_type, &left.name, &right.name).is_some() {
            return Err(StatesError::runtime(format!(
                "a {link_type} link between {} and {} already exists",
                left.name, right.name
            )));
        }
        self.next_id += 1;
        let link = Link {
            id: format!("link-{:06}", self.next_id),
            link_type: link_type.into(),
            left_object: left,
            right_object: right,
            account_id: None,
            integration: None,
            uuid: None,
            created_at: None,
            updated_at: None,
        };
        self.links.push(link.clone());
        Ok(link)
    }

    fn patch(
        &mut self,
        link_type: &str,
        left: &str,
        right: &str,
        new_left: Option<LinkObject>,
        new_right: Option<LinkObject>,
    ) -> Result<Link, StatesError> {
        let i = self.find(link_type, left, right).ok_or_else(|| {
            StatesError::runtime(format!("no {link_type} link between {left} and {right}"))
        })?;
        let link = &mut self.links[i];
        if let Some(l) = new_left {
            link.left_object = l;
        }
        if let Some(r) = new_right {
            link.right_object = r;
        }
        Ok(link.clone())
    }

    fn delete(&mut self, link_type: &str, left: &str, right: &str) -> Result<(), StatesError> {
        let i = self.find(link_type, left, right).ok_or_else(|| {
            StatesError::runtime(format!("no {link_type} link between {left} and {right}"))
        })?;
        self.links.remove(i);
        Ok(())
    }
}
