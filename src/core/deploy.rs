//! `zis-studio deploy`: a bundle to a ZIS account (or the local `serve`), the way a careful
//! person would do it by hand with the Registry API (zis-facts.md 5.1): validate first, show
//! the plan (integration to create; resources new, changed and removed since the newest
//! uploaded bundle; job specs to install and, when asked, stale ones to uninstall; configs to
//! push), ask unless `--yes`, then create the integration if missing, upload the bundle,
//! install its job specs (every time: re-uploads orphan installs), uninstall the stale ones
//! and push configs. `zis-studio pull` goes the other way: an integration's bundles (the
//! newest upload of each name) and its job specs, downloaded into a folder.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::core::accounts::Account;

/// Signs in and lists the account's integrations: their number.
pub fn check(account: &Account) -> Result<usize> {
    Ok(integrations(&Client::for_account(account)?)?.len())
}

/// Every item of a paged list (`{key: [...], "meta": {"has_more", "after"}}`), following
/// `page[after]` to the end (at most 1,000 pages).
pub fn list_all(client: &Client, path: &str, key: &str) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{path}{sep}page[size]=100");
        if let Some(a) = &after {
            url.push_str("&page[after]=");
            url.extend(a.bytes().map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            }));
        }
        let page = client.expect(reqwest::Method::GET, &url, None, &[200])?;
        out.extend(page[key].as_array().cloned().unwrap_or_default());
        let more = page["meta"]["has_more"].as_bool().unwrap_or(false);
        let next = match &page["meta"]["after"] {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match next {
            Some(n) if more && after.as_ref() != Some(&n) => after = Some(n),
            _ => return Ok(out),
        }
    }
    Ok(out)
}

/// The account's integrations (every page).
fn integrations(client: &Client) -> Result<Vec<Value>> {
    list_all(client, &zis("/registry/integrations"), "integrations")
}

/// An integration's uploaded bundles (every page), in the API's order.
fn bundle_list(client: &Client, integration: &str) -> Result<Vec<Value>> {
    list_all(
        client,
        &zis(&format!("/registry/{integration}/bundles")),
        "bundles",
    )
}

/// An integration's job specs (every page), their names fully qualified.
pub fn job_specs(client: &Client, integration: &str) -> Result<Vec<Value>> {
    let mut specs = list_all(
        client,
        &zis(&format!("/registry/{integration}/job_specs")),
        "job_specs",
    )?;
    for j in &mut specs {
        if let Some(n) = j["name"].as_str() {
            j["name"] = Value::String(qualified_job_spec(n, integration));
        }
    }
    Ok(specs)
}

/// A job spec name as the install path takes it: `zis:<integration>:job_spec:<name>`,
/// whether the API listed it short (`<name>`) or qualified.
pub fn qualified_job_spec(name: &str, integration: &str) -> String {
    if name.starts_with("zis:") {
        name.to_string()
    } else {
        format!("zis:{integration}:job_spec:{name}")
    }
}

/// The newest upload of a list of bundles: the highest `version` when the API gives one,
/// else the last in the list (the API lists oldest first).
fn newest<'a>(list: impl Iterator<Item = &'a Value>) -> Option<&'a Value> {
    let mut best: Option<&Value> = None;
    for b in list {
        let newer = match (
            best.and_then(|x| x["version"].as_i64()),
            b["version"].as_i64(),
        ) {
            (Some(old), Some(new)) => new >= old,
            _ => true,
        };
        if newer {
            best = Some(b);
        }
    }
    best
}

/// The newest upload of each bundle name of an integration: name → uuid.
pub fn newest_bundles(
    client: &Client,
    integration: &str,
) -> Result<std::collections::BTreeMap<String, String>> {
    let list = bundle_list(client, integration)?;
    let mut names: Vec<&str> = list.iter().filter_map(|b| b["name"].as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = std::collections::BTreeMap::new();
    for name in names {
        if let Some(uuid) =
            newest(list.iter().filter(|b| b["name"] == name)).and_then(|b| b["uuid"].as_str())
        {
            out.insert(name.to_string(), uuid.to_string());
        }
    }
    Ok(out)
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

/// A request the Registry did not answer as hoped, typed so the command line can choose an
/// exit code; every one names the request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An answer with another status (the API's error body kept).
    #[error("{method} {path}: HTTP {status}: {body}")]
    Status {
        /// The method.
        method: String,
        /// The path.
        path: String,
        /// The status.
        status: u16,
        /// The answer's body.
        body: String,
    },
    /// No answer: the network, a timeout.
    #[error("{method} {path}: {message}")]
    Network {
        /// The method.
        method: String,
        /// The path.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl ApiError {
    /// True when the request may have been carried out anyway (no answer, or a 5xx).
    pub fn ambiguous(&self) -> bool {
        match self {
            ApiError::Network { .. } => true,
            ApiError::Status { status, .. } => *status >= 500,
        }
    }

    /// True for 401 and 403.
    pub fn unauthorized(&self) -> bool {
        matches!(
            self,
            ApiError::Status {
                status: 401 | 403,
                ..
            }
        )
    }
}

/// Attempts of a read-only request on 429, 5xx or no answer.
pub const READ_ATTEMPTS: u32 = 5;

/// A Registry client: 10 s to connect, 60 s per request; read-only requests retried.
pub struct Client {
    base: String,
    auth: String,
    http: reqwest::blocking::Client,
    /// The first wait before a retry (doubled each time; `Retry-After` wins when given).
    pub backoff: std::time::Duration,
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
                .connect_timeout(std::time::Duration::from_secs(10))
                .timeout(std::time::Duration::from_secs(60))
                .build()?,
            backoff: std::time::Duration::from_millis(500),
        })
    }

    /// One request, no retry: the status and the answer (JSON, else its text).
    fn send_once(
        &self,
        method: &reqwest::Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<(u16, Value, Option<std::time::Duration>), ApiError> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .header("Authorization", &self.auth);
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().map_err(|e| ApiError::Network {
            method: method.to_string(),
            path: path.to_string(),
            message: e.without_url().to_string(),
        })?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| std::time::Duration::from_secs_f64(s.min(30.0)));
        let text = resp.text().unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, value, retry_after))
    }

    /// Sends a request and returns its JSON answer; a status not in `ok` is an
    /// [`ApiError`] naming the request and the API's error body. GET requests are retried on
    /// 429, 5xx and no answer, up to [`READ_ATTEMPTS`] times, waiting `Retry-After` or a
    /// doubling backoff; other methods are sent once (the caller re-reads the state after an
    /// ambiguous failure).
    pub fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        ok: &[u16],
    ) -> Result<Value> {
        Ok(self.call(&method, path, body.as_deref(), ok)?)
    }

    /// [`Client::expect`] with its error typed.
    pub fn call(
        &self,
        method: &reqwest::Method,
        path: &str,
        body: Option<&str>,
        ok: &[u16],
    ) -> Result<Value, ApiError> {
        let retry = *method == reqwest::Method::GET;
        let mut wait = self.backoff;
        let mut attempt = 1;
        loop {
            let answer = self.send_once(method, path, body);
            let (again, after) = match &answer {
                Ok((status, _, after)) => (*status == 429 || *status >= 500, *after),
                Err(_) => (true, None),
            };
            if retry && again && attempt < READ_ATTEMPTS {
                std::thread::sleep(after.unwrap_or(wait));
                wait *= 2;
                attempt += 1;
                continue;
            }
            let (status, value, _) = answer?;
            if ok.contains(&status) {
                return Ok(value);
            }
            return Err(ApiError::Status {
                method: method.to_string(),
                path: path.to_string(),
                status,
                body: match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                },
            });
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

impl Plan {
    /// The plan as JSON (for `deploy --format json`).
    pub fn to_json(&self) -> Value {
        json!({
            "integration": self.integration,
            "create_integration": self.create_integration,
            "resources": {"new": self.new, "changed": self.changed, "removed": self.removed},
            "install": self.install,
            "uninstall": self.uninstall,
            "configs": self.configs,
        })
    }
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
        let newest = newest(list.iter().filter(|b| b["name"] == bundle["name"]))
            .or_else(|| newest(list.iter()));
        if let Some(uuid) = newest.and_then(|b| b["uuid"].as_str()) {
            let old = fetch_bundle(client, integration, uuid)?;
            old_resources = old["resources"].as_object().cloned().unwrap_or_default();
        }
        if uninstall_stale {
            plan.uninstall = job_specs(client, integration)?
                .iter()
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
    // How many uploads there were, to tell after a lost answer whether this one landed.
    let before = bundle_list(client, i).ok().map(|l| l.len());
    match client.call(
        &reqwest::Method::POST,
        &zis(&format!("/registry/{i}/bundles")),
        Some(bundle_text),
        &[200, 201, 204],
    ) {
        Ok(uploaded) => {
            log(format!(
                "uploaded the bundle{}",
                uploaded["uuid"]
                    .as_str()
                    .or_else(|| uploaded["bundle"]["uuid"].as_str())
                    .map(|u| format!(" ({u})"))
                    .unwrap_or_default()
            ));
            // ZIS leaves a re-uploaded bundle's job specs uninstalled: they are installed
            // again below.
            let left: Vec<&str> = uploaded["uninstalled_job_specs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !left.is_empty() {
                log(format!(
                    "the upload left {} uninstalled (as ZIS does): installing again",
                    left.join(", ")
                ));
            }
        }
        // No answer or a 5xx: the upload may have happened. Look before deciding.
        Err(e) if e.ambiguous() => {
            let after = bundle_list(client, i).ok().map(|l| l.len());
            if matches!((before, after), (Some(b), Some(a)) if a > b) {
                log(format!(
                    "uploaded the bundle (the answer was lost: {e}; the bundle list shows it)"
                ));
            } else {
                return Err(e.into());
            }
        }
        Err(e) => return Err(e.into()),
    }
    for j in &plan.install {
        go_on()?;
        match client.call(
            &reqwest::Method::POST,
            &zis(&format!("/registry/job_specs/install?job_spec_name={j}")),
            None,
            &[200, 201, 204],
        ) {
            Ok(_) => log(format!("installed {j}")),
            Err(e) if e.ambiguous() => {
                let installed = job_specs(client, i).is_ok_and(|specs| {
                    specs
                        .iter()
                        .any(|s| s["name"] == j.as_str() && s["installed"] == true)
                });
                if installed {
                    log(format!(
                        "installed {j} (the answer was lost: {e}; the job spec list shows it installed)"
                    ));
                } else {
                    return Err(e.into());
                }
            }
            Err(e) => return Err(e.into()),
        }
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
