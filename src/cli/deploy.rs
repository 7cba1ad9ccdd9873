//! `zis-studio deploy`, `pull` and `login`: the arguments, the prompt and the output around
//! the Registry client of [`crate::core::deploy`].

use crate::core::accounts::{self, Account};
use crate::core::deploy::{Client, apply, check, fetch_bundle, file_name, newest_bundles, plan};
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_engine::validate::{self, Options};

/// Which account, and how to sign in (shared by `deploy` and `pull`).
#[derive(Debug, clap::Args)]
pub struct AccountArgs {
    /// The Zendesk subdomain (`https://<subdomain>.zendesk.com`).
    #[arg(long)]
    pub subdomain: Option<String>,
    /// The token: a ZIS OAuth access token (Bearer), or an API token with `--email`
    /// (default: the one `zis-studio login` saved for this account).
    #[arg(long, env = "ZIS_TOKEN", hide_env_values = true)]
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
    /// Print the plan and change nothing (exit 0).
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of the plan and the outcome.
    #[arg(long, value_enum, default_value_t)]
    pub format: DeployFormat,
}

/// Output format of `deploy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DeployFormat {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object: `{"plan": {...}, "outcome": "deployed" | "planned" | ..., "log": [...]}`.
    Json,
}

/// `deploy`'s exit codes (also in `--help` and the README).
pub mod exit {
    /// Deployed, or the plan printed with `--dry-run`.
    pub const OK: u8 = 0;
    /// The bundle is invalid, or a file named on the command line cannot be read (nothing
    /// was sent).
    pub const INVALID: u8 = 2;
    /// Not confirmed: the answer was not yes, or no terminal to ask and no `--yes`.
    pub const DECLINED: u8 = 3;
    /// No token, or the account refused it (401 or 403).
    pub const AUTH: u8 = 4;
    /// The network or the API failed (the error names the request).
    pub const API: u8 = 5;
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
    let saved = crate::core::data_dir::prepare(data)
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
        let dir = crate::core::data_dir::prepare(data)?;
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
            crate::core::files::write_atomic(
                &path,
                zis_engine::json::write::canonical(&bundle).as_bytes(),
            )
            .with_context(|| format!("cannot write {}", path.display()))?;
            println!("bundle {name} ({uuid}) -> {}", path.display());
        }
        let specs = crate::core::deploy::job_specs(&client, i)?;
        let path = args.out.join(format!("{i}.job_specs.json"));
        crate::core::files::write_atomic(
            &path,
            (serde_json::to_string_pretty(&specs)? + "\n").as_bytes(),
        )?;
        let n = specs.len();
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

/// `zis-studio deploy`.
pub fn command(args: &DeployArgs, data: Option<&Path>) -> ExitCode {
    match run(args, data) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = match e.downcast_ref::<crate::core::deploy::ApiError>() {
                Some(api) if api.unauthorized() => exit::AUTH,
                Some(_) => exit::API,
                // No token saved or given: an authentication problem too.
                None if format!("{e}").starts_with("no token") => exit::AUTH,
                // A file that cannot be read or is not what it must be.
                None => exit::INVALID,
            };
            if args.format == DeployFormat::Json {
                println!(
                    "{}",
                    json!({"outcome": "error", "error": format!("{e:#}"), "exit": code})
                );
            }
            ExitCode::from(code)
        }
    }
}

fn run(args: &DeployArgs, data: Option<&Path>) -> Result<ExitCode> {
    let json_out = args.format == DeployFormat::Json;
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
        if json_out {
            println!(
                "{}",
                json!({"outcome": "invalid", "errors": errors.len(), "exit": exit::INVALID})
            );
        }
        return Ok(ExitCode::from(exit::INVALID));
    }
    let bundle: Value = serde_json::from_str(&text)?;
    let integration = args
        .integration
        .clone()
        .unwrap_or_else(|| crate::core::resources::integration_key(&bundle));
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
    let report = |outcome: &str, log: &[String], code: u8| {
        println!(
            "{}",
            json!({"outcome": outcome, "base_url": base, "plan": plan.to_json(), "log": log, "exit": code})
        );
    };
    if !json_out {
        print!("{plan}");
    }
    if args.dry_run {
        if json_out {
            report("planned", &[], exit::OK);
        } else {
            println!("dry run: nothing was changed");
        }
        return Ok(ExitCode::from(exit::OK));
    }
    if !args.yes {
        use std::io::IsTerminal as _;
        // JSON output is for machines: there is no one to ask.
        if json_out || !std::io::stdin().is_terminal() {
            eprintln!(
                "not deployed: there is no terminal to ask on; pass --yes to deploy without asking (or --dry-run to see the plan only)"
            );
            if json_out {
                report("declined", &[], exit::DECLINED);
            }
            return Ok(ExitCode::from(exit::DECLINED));
        }
        print!("Deploy to {base}? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("not deployed");
            return Ok(ExitCode::from(exit::DECLINED));
        }
    }
    let mut log = Vec::new();
    apply(
        &client,
        &plan,
        &text,
        &configs,
        &mut |line| {
            if !json_out {
                println!("{line}");
            }
            log.push(line);
        },
        &std::sync::atomic::AtomicBool::new(false),
    )?;
    if json_out {
        report("deployed", &log, exit::OK);
    } else {
        println!("deployed {} to {base}", args.bundle.display());
    }
    Ok(ExitCode::from(exit::OK))
}
