//! `zis-studio deploy`: a bundle to a ZIS account (or the local `serve`), the way a careful
//! person would do it by hand with the Registry API (zis-facts.md 5.1): validate first, show
//! the plan (integration to create; resources new, changed and removed since the newest
//! uploaded bundle; job specs to install and, when asked, stale ones to uninstall; configs to
//! push), ask unless `--yes`, then create the integration if missing, upload the bundle,
//! install its job specs (every time: re-uploads orphan installs), uninstall the stale ones
//! and push configs. `zis-studio pull` goes the other way: an integration's bundles (the
//! newest upload of each name) and its job specs, downloaded into a folder.

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_engine::validate::{self, Options};

pub use crate::app::accounts::{self, Account};

/// Which account, and how to sign in (shared by `deploy` and `pull`).
#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    /// The Zendesk subdomain (`https://<subdomain>.zendesk.com`).
    #[arg(long)]
    pub subdomain: Option<String>,
    /// The token: a ZIS OAuth access token (Bearer), or an API token with `--email`
    /// (default: the one `zis-studio login` saved for this account).
    #[arg(long, env = "ZIS_TOKEN")]
    pub token: Option<String>,
    /// Use basic auth with this admin's email and the API token.
    #[arg(long)]
    pub email: Option<String>,
    /// Another base URL (the local `zis-studio serve`, a proxy).
    #[arg(long)]
    pub base_url: Option<String>,
}

/// Arguments of `deploy`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The bundle file.
    pub bundle: PathBuf,
    /// The account.
    #[command(flatten)]
    pub account: AccountArgs,
    /// The integration key (default: the one the bundle's references name).
    #[arg(long)]
    pub integration: Option<String>,
    /// Uninstall the integration's installed job specs this bundle no longer has.
    #[arg(long)]
    pub uninstall_stale: bool,
    /// Push these configs: a JSON file `{"scope": {config}, ...}`.
    #[arg(long)]
    pub configs: Option<PathBuf>,
    /// Do not ask before changing anything.
    #[arg(long)]
    pub yes: bool,
}

/// Arguments of `pull`.
#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// The account.
    #[command(flatten)]
    pub account: AccountArgs,
    /// The integration key.
    #[arg(long)]
    pub integration: String,
    /// Where to write the files (default: the current folder).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
}

/// The account the arguments name, its token from `--token` or else from the saved
/// accounts in the data folder.
pub fn account(a: &AccountArgs, data: Option<&Path>) -> Result<Account> {
    let base = accounts::base_url(a.subdomain.as_deref(), a.base_url.as_deref())
        .ok_or_else(|| anyhow!("name the account with --subdomain (or --base-url)"))?;
    let saved = crate::data_dir::prepare(data)
        .ok()
        .and_then(|d| accounts::find(&d, &base));
    let (token, email) = match (&a.token, saved) {
        (Some(t), _) => (t.clone(), a.email.clone()),
        (None, Some(s)) => (s.token, a.email.clone().or(s.email)),
        (None, None) => bail!(
            "no token for {base}: pass --token (or ZIS_TOKEN), or save one with `zis-studio login`"
        ),
    };
    Ok(Account {
        base_url: base,
        email,
        token,
    })
}

/// The base URL and a client signed in to it.
fn connect(a: &AccountArgs, data: Option<&Path>) -> Result<(String, Client)> {
    let account = account(a, data)?;
    let client = Client::for_account(&account)?;
    Ok((account.base_url, client))
}

/// Arguments of `login`.
#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// The account.
    #[command(flatten)]
    pub account: AccountArgs,
    /// Forget the saved token instead.
    #[arg(long)]
    pub forget: bool,
}

/// `zis-studio login`: checks the token against the account, then saves it in the data
/// folder (readable by you only); `--forget` removes it.
pub fn login(args: &LoginArgs, data: Option<&Path>) -> ExitCode {
    let result = (|| -> Result<String> {
        let dir = crate::data_dir::prepare(data)?;
        if args.forget {
            let base = accounts::base_url(
                args.account.subdomain.as_deref(),
                args.account.base_url.as_deref(),
            )
            .ok_or_else(|| anyhow!("name the account with --subdomain (or --base-url)"))?;
            return Ok(if accounts::forget(&dir, &base)? {
                format!("forgot the token for {base}")
            } else {
                format!("no token was saved for {base}")
            });
        }
        let account = account(&args.account, data)?;
        let n = check(&account)?;
        accounts::save(&dir, &account)?;
        Ok(format!(
            "signed in to {} ({n} integration(s)); token saved in {}",
            account.base_url,
            accounts::file(&dir).display()
        ))
    })();
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

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

/// `zis-studio pull`: the newest upload of each bundle name as `<name>.json`, and the job
/// specs as `<integration>.job_specs.json`.
pub fn pull(args: &PullArgs, data: Option<&Path>) -> ExitCode {
    let result = (|| -> Result<()> {
        let (base, client) = connect(&args.account, data)?;
        let i = &args.integration;
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        let newest = newest_bundles(&client, i)?;
        if newest.is_empty() {
            println!("{i} has no bundles on {base}");
        }
        for (name, uuid) in &newest {
            let bundle = fetch_bundle(&client, i, uuid)?;
            let path = args.out.join(file_name(name));
            std::fs::write(&path, zis_engine::json::write::canonical(&bundle))
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!("bundle {name} ({uuid}) -> {}", path.display());
        }
        let specs = client.expect(
            reqwest::Method::GET,
            &zis(&format!("/registry/{i}/job_specs?page[size]=100")),
            None,
            &[200],
        )?;
        let path = args.out.join(format!("{i}.job_specs.json"));
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&specs["job_specs"])? + "\n",
        )?;
        let n = specs["job_specs"].as_array().map_or(0, Vec::len);
        println!("{n} job spec(s) -> {}", path.display());
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
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

    fn expect(
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

fn zis(path: &str) -> String {
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

/// `zis-studio deploy`.
pub fn command(args: &DeployArgs, data: Option<&Path>) -> ExitCode {
    match run(args, data) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &DeployArgs, data: Option<&Path>) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.bundle)
        .with_context(|| format!("cannot read {}", args.bundle.display()))?;
    let diagnostics = validate::validate_bundle_text(&text, Options::default());
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        for d in &errors {
            eprintln!(
                "{}:{}:{}: error[{}]: {}",
                args.bundle.display(),
                d.line,
                d.column,
                d.code.id(),
                d.message
            );
        }
        eprintln!("not deployed: the bundle has {} error(s)", errors.len());
        return Ok(ExitCode::FAILURE);
    }
    let bundle: Value = serde_json::from_str(&text)?;
    let integration = args
        .integration
        .clone()
        .unwrap_or_else(|| crate::app::resources::integration_key(&bundle));
    let (base, client) = connect(&args.account, data)?;
    let configs: serde_json::Map<String, Value> = match &args.configs {
        Some(p) => serde_json::from_str(
            &std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
        )
        .with_context(|| format!("{} must be a JSON object of scope: config", p.display()))?,
        None => serde_json::Map::new(),
    };
    let plan = plan(
        &client,
        &integration,
        &bundle,
        args.uninstall_stale,
        &configs,
    )?;
    print!("{plan}");
    if !args.yes {
        print!("Deploy to {base}? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("not deployed");
            return Ok(ExitCode::FAILURE);
        }
    }
    apply(
        &client,
        &plan,
        &text,
        &configs,
        &mut |line| println!("{line}"),
        &std::sync::atomic::AtomicBool::new(false),
    )?;
    println!("deployed {} to {base}", args.bundle.display());
    Ok(ExitCode::SUCCESS)
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
