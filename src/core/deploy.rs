//! `zis-studio deploy`: a bundle to a ZIS account (or the local `serve`), the way a careful
//! person would do it by hand with the Registry API (zis-facts.md 5.1): validate first, show
//! the plan (integration to create; resources new, changed and removed since the newest
//! uploaded bundle; job specs to install and, when asked, stale ones to uninstall; configs to
//! push), ask unless `--yes`, then create the integration if missing, upload the bundle,
//! install its job specs (every time: re-uploads orphan installs), uninstall the stale ones
//! and push configs. `zis-studio pull` goes the other way: an integration's bundles (the
//! newest upload of each name) and its job specs, downloaded into a folder.

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use crate::core::accounts::Account;

/// Signs in and lists the account's integrations: their number.
pub fn check(account: &Account) -> Result<usize> {
    Ok(integrations(&Client::for_account(account)?)?.len())
}

/// The account's integrations.
fn integrations(client: &Client) -> Result<Vec<Value>> {
    let list = client.expect(
        reqwest::Method::GET,
        &zis("/registry/integrations"),
        None,
        &[200],
    )?;
    Ok(list["integrations"].as_array().cloned().unwrap_or_default())
}

/// An integration's uploaded bundles, oldest first (name and uuid of each).
fn bundle_list(client: &Client, integration: &str) -> Result<Vec<Value>> {
    let list = client.expect(
        reqwest::Method::GET,
        &zis(&format!("/registry/{integration}/bundles?page[size]=100")),
        None,
        &[200],
    )?;
    Ok(list["bundles"].as_array().cloned().unwrap_or_default())
}

/// The newest upload of each bundle name of an integration: name → uuid.
pub fn newest_bundles(
    client: &Client,
    integration: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    let mut newest = std::collections::BTreeMap::new();
    for b in &bundle_list(client, integration)? {
        if let (Some(name), Some(uuid)) = (b["name"].as_str(), b["uuid"].as_str()) {
            newest.insert(name.to_string(), uuid.to_string());
        }
    }
    Ok(newest)
}

/// One uploaded bundle.
pub fn fetch_bundle(client: &Client, integration: &str, uuid: &str) -> Result<Value> {
    let bundle = client.expect(
        reqwest::Method::GET,
        &zis(&format!("/registry/{integration}/bundles/{uuid}")),
        None,
        &[200],
    )?;
    Ok(bundle.get("bundle").cloned().unwrap_or(bundle))
}

/// A bundle name as a file name.
pub fn file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.json")
}

/// A Registry client.
pub struct Client {
    base: String,
    auth: String,
    http: reqwest::blocking::Client,
}

impl Client {
    /// A client signed in to an account.
    pub fn for_account(account: &Account) -> Result<Self> {
        Self::new(&account.base_url, account.authorization())
    }

    /// A client for `base` (no trailing slash) with the `Authorization` header `auth`.
    pub fn new(base: &str, auth: String) -> Result<Self> {
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            auth,
            http: reqwest::blocking::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()?,
        })
    }

    fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, Value)> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .header("Authorization", &self.auth);
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().with_context(|| format!("{method} {url}"))?;
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value))
    }

    /// Sends a request and returns its JSON answer; a status not in `ok` is an error
    /// naming the request and the answer.
    pub fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        ok: &[u16],
    ) -> Result<Value> {
        let (status, value) = self.send(method.clone(), path, body)?;
        if ok.contains(&status) {
            Ok(value)
        } else {
            bail!("{method} {path}: HTTP {status}: {value}")
        }
    }
}

/// What a deploy will do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The integration key.
    pub integration: String,
    /// It does not exist yet.
    pub create_integration: bool,
    /// Resource keys not in the newest uploaded bundle.
    pub new: Vec<String>,
    /// Resource keys whose definition differs.
    pub changed: Vec<String>,
    /// Resource keys the newest uploaded bundle had and this one lacks.
    pub removed: Vec<String>,
    /// Job specs to install.
    pub install: Vec<String>,
    /// Installed job specs to uninstall.
    pub uninstall: Vec<String>,
    /// Config scopes to push.
    pub configs: Vec<String>,
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Plan for integration {}:", self.integration)?;
        if self.create_integration {
            writeln!(f, "  create the integration")?;
        }
        writeln!(f, "  upload the bundle")?;
        for (what, list) in [
            ("new", &self.new),
            ("changed", &self.changed),
            ("removed", &self.removed),
        ] {
            for k in list {
                writeln!(f, "    {what:8} {k}")?;
            }
        }
        if self.new.is_empty() && self.changed.is_empty() && self.removed.is_empty() {
            writeln!(
                f,
                "    (no resource differs from the newest uploaded bundle)"
            )?;
        }
        for j in &self.install {
            writeln!(f, "  install   {j}")?;
        }
        for j in &self.uninstall {
            writeln!(f, "  uninstall {j}")?;
        }
        for c in &self.configs {
            writeln!(f, "  config    {c}")?;
        }
        Ok(())
    }
}

/// A ZIS API path under `/api/services/zis`.
pub fn zis(path: &str) -> String {
    format!("/api/services/zis{path}")
}

/// The bundle's job specs by full name.
pub fn job_spec_names(bundle: &Value, integration: &str) -> Vec<String> {
    bundle["resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["type"] == "ZIS::JobSpec")
        .map(|(k, r)| {
            let name = r["properties"]["name"].as_str().unwrap_or(k);
            format!("zis:{integration}:job_spec:{name}")
        })
        .collect()
}

/// Reads the account and works out what a deploy would change.
pub fn plan(
    client: &Client,
    integration: &str,
    bundle: &Value,
    uninstall_stale: bool,
    configs: &serde_json::Map<String, Value>,
) -> Result<Plan> {
    let mut plan = Plan {
        integration: integration.to_string(),
        configs: configs.keys().cloned().collect(),
        install: job_spec_names(bundle, integration),
        ..Plan::default()
    };
    let exists = integrations(client)?
        .iter()
        .any(|i| i["name"] == integration);
    plan.create_integration = !exists;
    let mut old_resources = serde_json::Map::new();
    if exists {
        // The newest upload of a bundle with this name (the list is oldest first), else the
        // newest upload at all.
        let list = bundle_list(client, integration)?;
        let newest = list
            .iter()
            .rev()
            .find(|b| b["name"] == bundle["name"])
            .or(list.last());
        if let Some(uuid) = newest.and_then(|b| b["uuid"].as_str()) {
            let old = fetch_bundle(client, integration, uuid)?;
            old_resources = old["resources"].as_object().cloned().unwrap_or_default();
        }
        if uninstall_stale {
            let specs = client.expect(
                reqwest::Method::GET,
                &zis(&format!("/registry/{integration}/job_specs?page[size]=100")),
                None,
                &[200],
            )?;
            plan.uninstall = specs["job_specs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|j| j["installed"] == true)
                .filter_map(|j| j["name"].as_str().map(str::to_string))
                .filter(|n| !plan.install.contains(n))
                .collect();
        }
    }
    let new = bundle["resources"].as_object().cloned().unwrap_or_default();
    for (k, v) in &new {
        match old_resources.get(k) {
            None => plan.new.push(k.clone()),
            Some(o) if o != v => plan.changed.push(k.clone()),
            Some(_) => {}
        }
    }
    for k in old_resources.keys() {
        if !new.contains_key(k) {
            plan.removed.push(k.clone());
        }
    }
    Ok(plan)
}

/// Carries a plan out, telling `log` each thing done; when `cancel` is set it stops before
/// the next request (what was done stays done).
pub fn apply(
    client: &Client,
    plan: &Plan,
    bundle_text: &str,
    configs: &serde_json::Map<String, Value>,
    log: &mut dyn FnMut(String),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<()> {
    let go_on = || {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            bail!("cancelled: the steps above were done, the rest was not")
        }
        Ok(())
    };
    let i = &plan.integration;
    if plan.create_integration {
        go_on()?;
        client.expect(
            reqwest::Method::POST,
            &zis(&format!("/registry/{i}")),
            Some(json!({"description": "deployed by ZIS Studio"}).to_string()),
            &[200, 201],
        )?;
        log(format!("created integration {i}"));
    }
    go_on()?;
    let uploaded = client.expect(
        reqwest::Method::POST,
        &zis(&format!("/registry/{i}/bundles")),
        Some(bundle_text.to_string()),
        &[200, 201, 204],
    )?;
    log(format!(
        "uploaded the bundle{}",
        uploaded["uuid"]
            .as_str()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    ));
    for j in &plan.install {
        go_on()?;
        client.expect(
            reqwest::Method::POST,
            &zis(&format!("/registry/job_specs/install?job_spec_name={j}")),
            None,
            &[200, 201, 204],
        )?;
        log(format!("installed {j}"));
    }
    for j in &plan.uninstall {
        go_on()?;
        client.expect(
            reqwest::Method::DELETE,
            &zis(&format!("/registry/job_specs/install?job_spec_name={j}")),
            None,
            &[200, 204],
        )?;
        log(format!("uninstalled {j}"));
    }
    for (scope, config) in configs {
        go_on()?;
        client.expect(
            reqwest::Method::PUT,
            &zis(&format!("/integrations/{i}/configs/{scope}")),
            Some(json!({"config": config}).to_string()),
            &[200, 201],
        )?;
        log(format!("pushed config {scope}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_deploy_sends_nothing() {
        // Nothing listens on port 9 here: a request would fail with a connection error.
        let client = Client::new("http://127.0.0.1:9", "Bearer t".into()).unwrap();
        let plan = Plan {
            integration: "acme".into(),
            create_integration: true,
            ..Plan::default()
        };
        let mut log = Vec::new();
        let cancel = std::sync::atomic::AtomicBool::new(true);
        let err = apply(
            &client,
            &plan,
            "{}",
            &Default::default(),
            &mut |l| log.push(l),
            &cancel,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("cancelled"), "{err}");
        assert!(log.is_empty());
    }
}
