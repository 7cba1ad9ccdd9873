//! `zis-studio run`: one flow of a bundle on one event, headless, through the same session
//! the window's debugger uses (stores, HTTP actions, jq in worker processes).
//!
//! - `--event FILE` is `$.input`; the envelope is added: `integration_key` from the job spec
//!   that names the flow (else `local`), `account_id` 4455667 and `subdomain` `acme`, and
//!   `connections` from the store's OAuth connections. `--input FILE` is the whole `$`.
//!   Neither: the job spec's event type's catalog sample.
//! - `--mocks FILE`: `{"<ActionName>": [{"status", "body", "delay_secs"}, {"error":
//!   "timeout"}, …]}`, the answers to successive calls of a custom action (across retries,
//!   the last repeating); the request is still rendered, so a mocked action needs no
//!   connection; `delay_secs` is time on the flow's clock.
//! - `--fixtures FILE`: configs, links and connections (each kind with the fields the REST
//!   API takes) loaded into the store first.
//! - `--data DIR` (the global option) runs on that folder's store and records the run (it
//!   shows in the window's Executions dock); without it, a fresh temporary store.
//! - `--setting NAME=VALUE` over the data folder's and the bundle's settings.
//! - `--step`: Enter steps, `c` continues, `b STATE` sets a breakpoint, `p PATH` prints a
//!   JSONPath of the data, `q` quits.
//!
//! Exit 0 when the flow succeeded, 1 when it failed, 2 on bad input (with what and where).

use crate::core::debug::{Breakpoints, Env, Go, Session};
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_engine::run::execution::Status;
use zis_services::db::{ConnectionKind, Db};
use zis_services::http::ResponseMock;

/// Output format of `run`.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum RunFormat {
    /// A line per step, then the outcome.
    #[default]
    Text,
    /// One object: status, output, error, cause, transitions, attempts, steps, HTTP
    /// calls, log lines and the store afterwards.
    Json,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The bundle file.
    pub bundle: PathBuf,
    /// The flow's resource key (or its name).
    #[arg(long)]
    pub flow: String,
    /// The event: the `input` part of `$` (the envelope is added), a JSON file.
    #[arg(long, conflicts_with = "input")]
    pub event: Option<PathBuf>,
    /// The whole starting `$`, a JSON file.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Mocked answers of custom actions, a JSON file (see the module doc).
    #[arg(long)]
    pub mocks: Option<PathBuf>,
    /// Configs, links and connections to load into the store first, a JSON file.
    #[arg(long)]
    pub fixtures: Option<PathBuf>,
    /// A setting, over the data folder's and the bundle's (repeatable).
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
    /// Step through the flow from the terminal.
    #[arg(long)]
    pub step: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: RunFormat,
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
}

/// `zis-studio run`.
pub fn command(args: &RunArgs, data: Option<&Path>) -> ExitCode {
    match run(args, data) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The mocks file: action → answers.
fn read_mocks(path: &Path) -> Result<HashMap<String, Vec<ResponseMock>>> {
    let v = read_json(path)?;
    let map = v.as_object().with_context(|| {
        format!(
            "{}: the mocks are an object of action → answers",
            path.display()
        )
    })?;
    let mut out = HashMap::new();
    for (action, answers) in map {
        let list: Vec<ResponseMock> =
            serde_json::from_value(answers.clone()).with_context(|| {
                format!(
                    "{}: /{action}: a list of answers {{status, body, delay_secs}} or {{error}}",
                    path.display()
                )
            })?;
        if list.is_empty() {
            bail!("{}: /{action}: no answers", path.display());
        }
        out.insert(action.clone(), list);
    }
    Ok(out)
}

/// Loads the fixtures file into the store of `integration`.
fn load_fixtures(path: &Path, db: &Db, integration: &str) -> Result<()> {
    let v = read_json(path)?;
    let at = |p: &str| format!("{}: {p}", path.display());
    for (i, c) in v["configs"].as_array().into_iter().flatten().enumerate() {
        let scope = c["scope"]
            .as_str()
            .with_context(|| at(&format!("/configs/{i}/scope is missing")))?;
        db.put_config(integration, scope, &c["config"])
            .with_context(|| at(&format!("/configs/{i}")))?;
    }
    for (i, l) in v["links"].as_array().into_iter().flatten().enumerate() {
        let obj = |side: &str| -> Result<zis_engine::actions::LinkObject> {
            let o = &l[side];
            Ok(zis_engine::actions::LinkObject {
                name: o["name"]
                    .as_str()
                    .with_context(|| at(&format!("/links/{i}/{side}/name is missing")))?
                    .to_string(),
                metadata: o.get("metadata").cloned().filter(|m| !m.is_null()),
            })
        };
        let link_type = l["link_type"]
            .as_str()
            .with_context(|| at(&format!("/links/{i}/link_type is missing")))?;
        db.create_link(
            integration,
            link_type,
            &obj("left_object")?,
            &obj("right_object")?,
        )
        .with_context(|| at(&format!("/links/{i}")))?;
    }
    for (i, c) in v["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = c["name"]
            .as_str()
            .with_context(|| at(&format!("/connections/{i}/name is missing")))?;
        let kind = c["kind"]
            .as_str()
            .and_then(ConnectionKind::parse)
            .with_context(|| {
                at(&format!(
                    "/connections/{i}/kind: one of oauth, bearer_token, basic_auth, api_key"
                ))
            })?;
        let domain = c["allowed_domain"].as_str().unwrap_or_default();
        let mut fields = c.clone();
        if let Some(o) = fields.as_object_mut() {
            for k in ["name", "kind", "allowed_domain"] {
                o.remove(k);
            }
        }
        db.put_connection(integration, kind, name, domain, &fields)
            .with_context(|| at(&format!("/connections/{i}")))?;
    }
    Ok(())
}

fn run(args: &RunArgs, data: Option<&Path>) -> Result<ExitCode> {
    let bundle = read_json(&args.bundle)?;
    let resources = bundle
        .get("resources")
        .and_then(Value::as_object)
        .context("the bundle has no resources")?;
    let key = resources
        .iter()
        .find(|(k, r)| {
            r.get("type").and_then(Value::as_str) == Some("ZIS::Flow")
                && (*k == &args.flow
                    || r.pointer("/properties/name").and_then(Value::as_str) == Some(&args.flow))
        })
        .map(|(k, _)| k.clone());
    let Some(key) = key else {
        bail!("the bundle has no flow {}", args.flow);
    };
    // A data folder when given (the run is recorded there), else a fresh store.
    let fresh = tempfile::tempdir()?;
    let dir = match data {
        Some(d) => crate::core::data_dir::prepare(Some(d))?,
        None => fresh.path().to_path_buf(),
    };
    let db = crate::core::data_dir::db_path(&dir);
    let integration = crate::core::trigger::trigger_of(&bundle, &key)
        .map_or_else(|| "local".to_string(), |t| t.0);
    {
        let store = Db::open(&db)?;
        if store.require_integration(&integration).is_err() {
            store.create_integration(&integration, "zis-studio run")?;
        }
        if let Some(f) = &args.fixtures {
            load_fixtures(f, &store, &integration)?;
        }
    }
    let responses = args
        .mocks
        .as_deref()
        .map(read_mocks)
        .transpose()?
        .unwrap_or_default();
    // Settings: the data folder's, the bundle's (its sidecar), then the command line's.
    let cli = super::settings_args(&args.settings).map_err(anyhow::Error::msg)?;
    let stored = Db::open(&db)
        .and_then(|d| zis_services::settings::load(&d))
        .unwrap_or_default();
    let (sidecar, _) = crate::core::sidecar::Sidecar::load(&args.bundle);
    let mut settings = sidecar.settings_over(&stored, &cli);
    // `path` actions go to a fake Zendesk of our own unless a base URL is set (no `serve`
    // needs to run): it answers like Zendesk, 401 without credentials.
    let _fake = if settings.contains_key("zendesk_base_url") {
        None
    } else {
        let fake_db = Db::open(&fresh.path().join("fake-zendesk.sqlite"))?;
        let running = zis_services::server::start(
            std::sync::Arc::new(fake_db),
            "fake".into(),
            0,
            zis_services::dispatch::DispatchSettings::default(),
        )?;
        settings.insert(
            "zendesk_base_url".into(),
            format!("{}/fake-zendesk", running.base_url),
        );
        Some(running)
    };
    let engine = zis_services::settings::resolve(&[&settings])
        .map_err(anyhow::Error::msg)?
        .engine;
    let payload = args.event.as_deref().map(read_json).transpose()?;
    if let (Some(p), Some(path)) = (&payload, &args.event)
        && !p.is_object()
    {
        bail!(
            "{}: the event is the input part of $ (an object like {{\"ticket_event\": …}}), not {}",
            path.display(),
            match p {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                _ => "a scalar",
            }
        );
    }
    let mut s = Session::start_with(&db, &bundle, &key, None, payload, engine)?;
    if let Some(input) = &args.input {
        s.set_data(read_json(input)?)?;
    }
    let env = Env {
        calls: Default::default(),
        responses,
        settings,
        db_path: db.clone(),
        bundle: bundle.clone(),
        integration: s.integration.clone(),
        flow: key.clone(),
        mocks: Vec::new(),
        breakpoints: Breakpoints::default(),
        pause: std::sync::Arc::default(),
        jq: zis_services::runner::jq_limits(),
    };
    if args.step {
        super::run_step::interactive(&mut s, env)?;
    } else {
        s.go(Go::Continue, env);
        s.wait();
    }
    if data.is_some()
        && let Err(e) = s.record_now(&db)
    {
        eprintln!("warning: the run was not recorded: {e}");
    }
    let report = super::run_step::report(&s, &db)?;
    let code = match s.status() {
        Status::Succeeded { .. } => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    };
    match args.format {
        RunFormat::Json => println!("{report}"),
        RunFormat::Text => super::run_step::print_text(&report),
    }
    Ok(code)
}
