//! `zis-studio run`: one flow of a bundle on one event, headless, through the same session
//! the window's debugger uses (stores of the data folder, real HTTP actions, jq in worker
//! processes); the steps and the outcome as text or JSON; exit 0 when the flow succeeded, 1
//! when it failed, 2 when it could not start. The run is recorded in the data folder's
//! executions (secrets masked). Mocks, fixtures, settings and stepping come with the
//! headless-run issue.

use crate::core::debug::{Breakpoints, Env, Go, Session};
use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_engine::run::execution::Status;

/// Output format of `run`.
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum RunFormat {
    /// A line per step, then the outcome.
    #[default]
    Text,
    /// `{"status", "output" | "error" + "cause", "states"}`.
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
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: RunFormat,
    /// A setting, over the data folder's and the bundle's (repeatable).
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
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
    let dir = crate::core::data_dir::prepare(data)?;
    let db = crate::core::data_dir::db_path(&dir);
    let payload = args.event.as_deref().map(read_json).transpose()?;
    // Settings: the data folder's, the bundle's (its sidecar), then the command line's.
    let cli = super::settings_args(&args.settings).map_err(anyhow::Error::msg)?;
    let stored = zis_services::db::Db::open(&db)
        .and_then(|d| zis_services::settings::load(&d))
        .unwrap_or_default();
    let (sidecar, _) = crate::core::sidecar::Sidecar::load(&args.bundle);
    let mut settings = stored;
    settings.extend(sidecar.settings);
    settings.extend(cli);
    let engine = zis_services::settings::resolve(&[&settings])
        .map_err(anyhow::Error::msg)?
        .engine;
    let mut s = Session::start_with(&db, &bundle, &key, None, payload, engine)?;
    if let Some(input) = &args.input {
        s.set_data(read_json(input)?)?;
    }
    s.go(
        Go::Continue,
        Env {
            calls: Default::default(),
            settings,
            db_path: db.clone(),
            bundle: bundle.clone(),
            integration: s.integration.clone(),
            flow: key.clone(),
            mocks: Vec::new(),
            breakpoints: Breakpoints::default(),
            pause: std::sync::Arc::default(),
            jq: zis_services::runner::jq_limits(),
        },
    );
    s.wait();
    if let Err(e) = s.record_now(&db) {
        eprintln!("warning: the run was not recorded: {e}");
    }
    // What is printed goes to terminals and CI logs: the store's secrets are masked.
    let secrets = zis_services::db::Db::open(&db)
        .and_then(|d| d.secrets(&s.integration))
        .unwrap_or_default();
    let status = zis_services::runner::mask_status(s.status(), &secrets);
    let states: Vec<&str> = s.steps.iter().map(|st| st.event.state.as_str()).collect();
    let (code, report) = match &status {
        Status::Succeeded { output } => (
            ExitCode::SUCCESS,
            json!({"status": "succeeded", "output": output, "states": states}),
        ),
        Status::Failed { error, cause } => (
            ExitCode::FAILURE,
            json!({"status": "failed", "error": error, "cause": cause, "states": states}),
        ),
        Status::Running => (
            ExitCode::FAILURE,
            json!({"status": "stopped", "stopped_by": s.stopped_by, "states": states}),
        ),
    };
    match args.format {
        RunFormat::Json => println!("{report}"),
        RunFormat::Text => {
            for (i, st) in s.steps.iter().enumerate() {
                let e = &st.event;
                let to = match (&e.error, &e.next) {
                    (Some(err), _) if !e.caught => {
                        let cause = zis_services::db::Db::redact(&json!(err.cause), &secrets);
                        format!("✖ {}: {}", err.error, cause.as_str().unwrap_or_default())
                    }
                    (Some(err), Some(n)) => format!("caught {} -> {n}", err.error),
                    (_, Some(n)) => format!("-> {n}"),
                    _ => "end".to_string(),
                };
                println!("{:>3}. {}  {to}", i + 1, e.state);
            }
            match &status {
                Status::Succeeded { output } => println!("succeeded: {output}"),
                Status::Failed { error, cause } => println!("failed: {error}: {cause}"),
                Status::Running => {
                    println!("stopped: {}", s.stopped_by.clone().unwrap_or_default())
                }
            }
        }
    }
    Ok(code)
}
