//! `zis-studio deploy`: a bundle to a ZIS account (or the local `serve`), the way a careful
//! person would do it by hand with the Registry API (zis-facts.md 5.1): validate first, show
//! the plan (integration to create; resources new, changed and removed since the newest
//! uploaded bundle; job specs to install and, when asked, stale ones to uninstall; configs to
//! push), ask unless `--yes`, then create the integration if missing, upload the bundle,
//! install its job specs (every time: re-uploads orphan installs), uninstall the stale ones
//! and push configs. `zis-studio pull` goes the other way: an integration's bundles (the
//! newest upload of each name) and its job specs, downloaded into a folder.

use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine as _;
use serde_json::{Value, json};
use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use zis_engine::validate::{self, Options};

/// Which account, and how to sign in (shared by `deploy` and `pull`).
#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    /// The Zendesk subdomain (`https://<subdomain>.zendesk.com`).
    #[arg(long)]
    pub subdomain: Option<String>,
    /// The token: a ZIS OAuth access token (Bearer), or an API token with `--email`.
    #[arg(long, env = "ZIS_TOKEN")]
    pub token: String,
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

/// The base URL and a client signed in to it.
fn connect(a: &AccountArgs) -> Result<(String, Client)> {
    let base = match (&a.base_url, &a.subdomain) {
        (Some(b), _) => b.clone(),
        (None, Some(s)) => format!("https://{s}.zendesk.com"),
        (None, None) => return Err(anyhow!("name the account with --subdomain (or --base-url)")),
    };
    let token = &a.token;
    let auth = match &a.email {
        Some(email) => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{email}/token:{token}"))
        ),
        None => format!("Bearer {token}"),
    };
    let client = Client::new(&base, auth)?;
    Ok((base, client))
}

/// `zis-studio pull`: the newest upload of each bundle name as `<name>.json`, and the job
/// specs as `<integration>.job_specs.json`.
pub fn pull(args: &PullArgs) -> ExitCode {
    let result = (|| -> Result<()> {
        let (base, client) = connect(&args.account)?;
        let i = &args.integration;
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        let list = client.expect(
            reqwest::Method::GET,
            &zis(&format!("/registry/{i}/bundles?page[size]=100")),
            None,
            &[200],
        )?;
        let mut newest: std::collections::BTreeMap<String, String> = Default::default();
        for b in list["bundles"].as_array().into_iter().flatten() {
            if let (Some(name), Some(uuid)) = (b["name"].as_str(), b["uuid"].as_str()) {
                newest.insert(name.to_string(), uuid.to_string());
            }
        }
        if newest.is_empty() {
            println!("{i} has no bundles on {base}");
        }
        for (name, uuid) in &newest {
            let bundle = client.expect(
                reqwest::Method::GET,
                &zis(&format!("/registry/{i}/bundles/{uuid}")),
                None,
                &[200],
            )?;
            let bundle = bundle.get("bundle").cloned().unwrap_or(bundle);
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
            let path = args.out.join(format!("{safe}.json"));
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
#[derive(Debug, Default, PartialEq)]
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
    let list = client.expect(
        reqwest::Method::GET,
        &zis("/registry/integrations"),
        None,
        &[200],
    )?;
    let exists = list["integrations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|i| i["name"] == integration);
    plan.create_integration = !exists;
    let mut old_resources = serde_json::Map::new();
    if exists {
        let bundles = client.expect(
            reqwest::Method::GET,
            &zis(&format!("/registry/{integration}/bundles?page[size]=100")),
            None,
            &[200],
        )?;
        // The newest upload of a bundle with this name (the list is oldest first), else the
        // newest upload at all.
        let list = bundles["bundles"].as_array().cloned().unwrap_or_default();
        let newest = list
            .iter()
            .rev()
            .find(|b| b["name"] == bundle["name"])
            .or(list.last());
        if let Some(uuid) = newest.and_then(|b| b["uuid"].as_str()) {
            let old = client.expect(
                reqwest::Method::GET,
                &zis(&format!("/registry/{integration}/bundles/{uuid}")),
                None,
                &[200],
            )?;
            let old = old.get("bundle").cloned().unwrap_or(old);
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

/// Carries a plan out.
pub fn apply(
    client: &Client,
    plan: &Plan,
    bundle_text: &str,
    configs: &serde_json::Map<String, Value>,
) -> Result<()> {
    let i = &plan.integration;
    if plan.create_integration {
        client.expect(
            reqwest::Method::POST,
            &zis(&format!("/registry/{i}")),
            Some(json!({"description": "deployed by ZIS Studio"}).to_string()),
            &[200, 201],
        )?;
        println!("created integration {i}");
    }
    let uploaded = client.expect(
        reqwest::Method::POST,
        &zis(&format!("/registry/{i}/bundles")),
        Some(bundle_text.to_string()),
        &[200, 201, 204],
    )?;
    println!(
        "uploaded the bundle{}",
        uploaded["uuid"]
            .as_str()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    );
    for j in &plan.install {
        client.expect(
            reqwest::Method::POST,
            &zis(&format!("/registry/job_specs/install?job_spec_name={j}")),
            None,
            &[200, 201, 204],
        )?;
        println!("installed {j}");
    }
    for j in &plan.uninstall {
        client.expect(
            reqwest::Method::DELETE,
            &zis(&format!("/registry/job_specs/install?job_spec_name={j}")),
            None,
            &[200, 204],
        )?;
        println!("uninstalled {j}");
    }
    for (scope, config) in configs {
        client.expect(
            reqwest::Method::PUT,
            &zis(&format!("/integrations/{i}/configs/{scope}")),
            Some(json!({"config": config}).to_string()),
            &[200, 201],
        )?;
        println!("pushed config {scope}");
    }
    Ok(())
}

/// `zis-studio deploy`.
pub fn command(args: &DeployArgs) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &DeployArgs) -> Result<ExitCode> {
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
    let (base, client) = connect(&args.account)?;
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
    apply(&client, &plan, &text, &configs)?;
    println!("deployed {} to {base}", args.bundle.display());
    Ok(ExitCode::SUCCESS)
}
