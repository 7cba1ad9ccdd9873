//! ZIS built-in actions over store traits (zis-facts.md section 3): LoadConfig, PatchConfig,
//! LoadLinks, CreateLink, PatchLink, DeleteLink and `zis:common:transform:Jq`.
//!
//! The stores are traits so the engine stays free of SQLite: [`memory`] has in-memory
//! stores for tests, and the services crate implements them on its database.
//! [`Builtins`] is an [`ActionExecutor`] that runs the built-ins and hands every other
//! action to an inner executor (custom HTTP actions).

pub mod memory;

// The built-in actions' names live in `model` (a lower layer), so the validator needs
// nothing from this module.
pub use crate::model::BUILTIN_ACTIONS;
pub use crate::run::choice::wildcard_match;

use crate::run::StatesError;
use crate::run::execution::ActionExecutor;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// How PatchConfig merges (zis-facts.md: unconfirmed; RFC 7396 by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeMode {
    /// RFC 7396 JSON Merge Patch: objects merge deeply, `null` deletes, arrays replace.
    #[default]
    MergePatch,
    /// Only top-level keys are replaced.
    Shallow,
}

/// Per-account configs, by scope.
pub trait ConfigStore {
    /// The first config whose scope matches `scope` (`*` is a wildcard), in scope order.
    fn load(&self, scope: &str) -> Result<Option<Value>, StatesError>;
    /// Stores `config` under `scope`, replacing what was there.
    fn save(&mut self, scope: &str, config: Value) -> Result<(), StatesError>;
}

/// One side of a link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkObject {
    /// The object's name (an id, as a string).
    pub name: String,
    /// Free metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// A link between two objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Store-assigned id (also the pagination cursor).
    pub id: String,
    /// The link type.
    pub link_type: String,
    /// Left object.
    pub left_object: LinkObject,
    /// Right object.
    pub right_object: LinkObject,
    /// The account (ZIS answers with it; a store that knows it sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    /// The integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<String>,
    /// Its uuid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// A query over links: names may hold `*` wildcards.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkQuery {
    /// Required link type.
    pub link_type: String,
    /// Left name pattern.
    pub left: Option<String>,
    /// Right name pattern.
    pub right: Option<String>,
    /// Page size (default 20, at most 100).
    pub page_size: usize,
    /// Return links after this id.
    pub after: Option<String>,
    /// Return the page of links before this id.
    pub before: Option<String>,
}

/// Links between objects of two systems.
pub trait LinkStore {
    /// One page of matching links and whether more follow.
    fn query(&self, q: &LinkQuery) -> Result<(Vec<Link>, bool), StatesError>;
    /// Creates a link; an existing (type, left, right) is an error.
    fn create(
        &mut self,
        link_type: &str,
        left: LinkObject,
        right: LinkObject,
    ) -> Result<Link, StatesError>;
    /// Replaces the objects of the link (type, left name, right name).
    fn patch(
        &mut self,
        link_type: &str,
        left: &str,
        right: &str,
        new_left: Option<LinkObject>,
        new_right: Option<LinkObject>,
    ) -> Result<Link, StatesError>;
    /// Deletes the link (type, left name, right name).
    fn delete(&mut self, link_type: &str, left: &str, right: &str) -> Result<(), StatesError>;
}

/// What a multi-output Jq expression gives (zis-facts.md 3: unconfirmed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JqOutputs {
    /// A `States.Runtime` error (the default until ZIS's behaviour is known).
    #[default]
    Error,
    /// The first output.
    First,
    /// Every output, as an array.
    Array,
}

/// Built-in behaviours ZIS does not document, as settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinOptions {
    /// PatchConfig on a scope that does not exist creates it (else a runtime error).
    pub patch_creates_scope: bool,
    /// What a Jq expression with several outputs gives.
    pub jq_outputs: JqOutputs,
    /// CreateLink of a link that exists answers that link (else an error).
    pub duplicate_link_returns_it: bool,
}

impl Default for BuiltinOptions {
    fn default() -> Self {
        Self {
            patch_creates_scope: true,
            jq_outputs: JqOutputs::Error,
            duplicate_link_returns_it: false,
        }
    }
}

/// Runs the built-in actions and passes the others on.
pub struct Builtins<'s> {
    /// Config store.
    pub configs: &'s mut dyn ConfigStore,
    /// Link store.
    pub links: &'s mut dyn LinkStore,
    /// Custom (HTTP) actions.
    pub custom: &'s mut dyn ActionExecutor,
    /// PatchConfig semantics.
    pub merge: MergeMode,
    /// Limits of the Jq transform.
    pub jq: crate::jq::Limits,
    /// The flow's time left (virtual seconds) when the current action started, as the
    /// execution says through [`ActionExecutor::set_time_left`].
    pub time_left: Option<f64>,
    /// Behaviours ZIS does not document.
    pub options: BuiltinOptions,
}

fn param<'v>(p: &'v Value, key: &str) -> Result<&'v Value, StatesError> {
    p.get(key)
        .ok_or_else(|| StatesError::runtime(format!("missing required parameter '{key}'")))
}

fn param_str<'v>(p: &'v Value, key: &str) -> Result<&'v str, StatesError> {
    param(p, key)?
        .as_str()
        .ok_or_else(|| StatesError::runtime(format!("parameter '{key}' must be a string")))
}

fn object(p: &Value, key: &str) -> Result<LinkObject, StatesError> {
    serde_json::from_value(param(p, key)?.clone()).map_err(|e| {
        StatesError::runtime(format!(
            "parameter '{key}' must be {{\"name\": ..., \"metadata\": ...}}: {e}"
        ))
    })
}

/// RFC 7396 JSON Merge Patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.shift_remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

impl ActionExecutor for Builtins<'_> {
    fn set_time_left(&mut self, secs: Option<f64>) {
        self.time_left = secs;
        self.custom.set_time_left(secs);
    }

    fn execute(&mut self, action: &str, p: &Value) -> Result<Value, StatesError> {
        match action {
            "zis:common:action:LoadConfig" => {
                let scope = param_str(p, "scope")?;
                match self.configs.load(scope)? {
                    Some(config) => Ok(json!({ "config": config })),
                    None => Err(StatesError::runtime(format!(
                        "no config found for scope '{scope}'"
                    ))),
                }
            }
            "zis:common:action:PatchConfig" => {
                let scope = param_str(p, "scope")?;
                let patch = param(p, "config")?;
                let mut current = match self.configs.load(scope)? {
                    Some(c) => c,
                    None if self.options.patch_creates_scope => json!({}),
                    None => {
                        return Err(StatesError::runtime(format!(
                            "no config found for scope '{scope}'"
                        )));
                    }
                };
                match self.merge {
                    MergeMode::MergePatch => merge_patch(&mut current, patch),
                    MergeMode::Shallow => {
                        if let (Value::Object(c), Value::Object(pm)) = (&mut current, patch) {
                            for (k, v) in pm {
                                c.insert(k.clone(), v.clone());
                            }
                        } else {
                            current = patch.clone();
                        }
                    }
                }
                self.configs.save(scope, current)?;
                Ok(json!({}))
            }
            "zis:common:action:LoadLinks" => {
                let q = LinkQuery {
                    link_type: param_str(p, "link_type")?.to_string(),
                    left: p
                        .get("left_object_name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    right: p
                        .get("right_object_name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    page_size: p
                        .get("page_size")
                        .and_then(Value::as_u64)
                        .map_or(20, |n| n.clamp(1, 100) as usize),
                    after: p
                        .get("page_after_cursor")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    before: p
                        .get("page_before_cursor")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                };
                if q.left.is_none() && q.right.is_none() {
                    return Err(StatesError::runtime(
                        "LoadLinks needs left_object_name or right_object_name",
                    ));
                }
                let (links, has_more) = self.links.query(&q)?;
                let after = links.last().filter(|_| has_more).map(|l| l.id.clone());
                Ok(
                    json!({"links": links, "meta": {"has_more": has_more, "after": after, "before": links.first().map(|l| l.id.clone())}}),
                )
            }
            "zis:common:action:CreateLink" => {
                let (left, right) = (object(p, "left_object")?, object(p, "right_object")?);
                let link_type = param_str(p, "link_type")?;
                let (l, r) = (left.name.clone(), right.name.clone());
                match self.links.create(link_type, left, right) {
                    Ok(link) => Ok(json!({ "link": link })),
                    Err(e) if self.options.duplicate_link_returns_it => {
                        let q = LinkQuery {
                            link_type: link_type.to_string(),
                            left: Some(l.clone()),
                            right: Some(r.clone()),
                            page_size: 100,
                            after: None,
                            before: None,
                        };
                        let (found, _) = self.links.query(&q)?;
                        found
                            .into_iter()
                            .find(|k| k.left_object.name == l && k.right_object.name == r)
                            .map(|link| json!({ "link": link }))
                            .ok_or(e)
                    }
                    Err(e) => Err(e),
                }
            }
            "zis:common:action:PatchLink" => {
                let new_left = p
                    .get("left_object")
                    .map(|_| object(p, "left_object"))
                    .transpose()?;
                let new_right = p
                    .get("right_object")
                    .map(|_| object(p, "right_object"))
                    .transpose()?;
                let link = self.links.patch(
                    param_str(p, "link_type")?,
                    param_str(p, "left_object_name")?,
                    param_str(p, "right_object_name")?,
                    new_left,
                    new_right,
                )?;
                Ok(json!({ "link": link }))
            }
            "zis:common:action:DeleteLink" => {
                self.links.delete(
                    param_str(p, "link_type")?,
                    param_str(p, "left_object_name")?,
                    param_str(p, "right_object_name")?,
                )?;
                Ok(json!({}))
            }
            "zis:common:transform:Jq" => {
                let expr = param_str(p, "expr")?;
                let data = p.get("data").cloned().unwrap_or(Value::Null);
                let mut limits = self.jq;
                if let Some(left) = self.time_left {
                    let left = std::time::Duration::from_secs_f64(left.max(0.0));
                    limits.time = limits.time.min(left);
                }
                let mut out = crate::jq::run_limited(expr, &data, &limits)
                    .map_err(|e| StatesError::runtime(format!("jq: {e}")))?;
                match (out.len(), self.options.jq_outputs) {
                    (1, _) => Ok(out.remove(0)),
                    (0, _) => Err(StatesError::runtime(
                        "jq: the expression produced no output",
                    )),
                    (_, JqOutputs::First) => Ok(out.remove(0)),
                    (_, JqOutputs::Array) => Ok(Value::Array(out)),
                    (n, JqOutputs::Error) => Err(StatesError::runtime(format!(
                        "jq: the expression produced {n} outputs; ZIS expects one"
                    ))),
                }
            }
            other => self.custom.execute(other, p),
        }
    }
}
