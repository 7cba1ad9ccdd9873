//! `zis-studio events list|sample` and `zis-studio inject`: the event catalog from the
//! command line, and a simulated event queued in a data folder or sent to a running
//! `serve`.

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zis_services::catalog::{self, EventType};

/// `events …`.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Every native event type with its source and what it means.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: super::run::RunFormat,
    },
    /// Print the generated `input` of an event type (`SOURCE/TYPE`).
    Sample {
        /// The event, e.g. `support/ticket.TicketCreated`.
        event: String,
        /// Set a value: `PATH=VALUE`, PATH a dot path in the input
        /// (`ticket_event.ticket.priority`), VALUE JSON or else text (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Print the schema of an event type's `input` (types, required and nullable fields,
    /// enumerations), as JSON Schema.
    Schema {
        /// The event, e.g. `support/ticket.StatusChanged`.
        event: String,
    },
}

/// Arguments of `inject`.
#[derive(Debug, Args)]
pub struct InjectArgs {
    /// The event, e.g. `support/ticket.TicketCreated`.
    pub event: String,
    /// Set a value in the input: `PATH=VALUE` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// The whole input instead of the catalog's sample, a JSON file.
    #[arg(long)]
    pub payload: Option<PathBuf>,
    /// Send it to a running `zis-studio serve` at this URL instead of the data folder.
    #[arg(long)]
    pub server: Option<String>,
    /// The server's API token (default: the `api_token` file of the data folder).
    #[arg(long, env = "ZIS_STUDIO_TOKEN")]
    pub token: Option<String>,
    /// Only this integration's job specs receive it.
    #[arg(long)]
    pub integration: Option<String>,
}

/// What an event type is, in words.
fn about(e: &EventType) -> String {
    let family = e.event_type.split('.').next().unwrap_or("");
    let what = match family {
        "ticket" => "a ticket",
        "user" => "a user",
        "organization" => "an organization",
        "customobject" => "a custom object",
        "activity" => "a user's activity",
        _ => "an object",
    };
    format!("{}: {what}", e.label)
}

fn find(event: &str) -> Result<&'static EventType> {
    let (source, kind) = event.split_once('/').with_context(|| {
        format!("{event:?}: an event is SOURCE/TYPE, e.g. support/ticket.TicketCreated")
    })?;
    catalog::find(source, kind).with_context(|| {
        format!("{event} is not in the event catalog (zis-studio events list shows it)")
    })
}

/// Sets `PATH=VALUE` assignments in `input`.
pub fn set_values(input: &mut Value, set: &[String]) -> Result<()> {
    for a in set {
        let (path, value) = a
            .split_once('=')
            .with_context(|| format!("{a:?}: --set takes PATH=VALUE"))?;
        let path = path
            .trim()
            .trim_start_matches("$.input.")
            .trim_start_matches("$.");
        let value = serde_json::from_str(value.trim()).unwrap_or(Value::String(value.to_string()));
        let mut at = &mut *input;
        let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            bail!("{a:?}: the path is empty");
        }
        for (i, part) in parts.iter().enumerate() {
            if !at.is_object() {
                bail!("{a:?}: {} is not an object", parts[..i].join("."));
            }
            let obj = at.as_object_mut().context("an object")?;
            if i + 1 == parts.len() {
                obj.insert((*part).to_string(), value.clone());
                break;
            }
            at = obj.entry((*part).to_string()).or_insert_with(|| json!({}));
        }
    }
    Ok(())
}

/// Says on stderr where an event's `input` does not fit its schema (a value set to what
/// ZIS never sends, say); the event is still used.
fn warn_off_schema(e: &EventType, input: &Value) {
    let shape = zis_services::schema::schema(e);
    for why in zis_engine::shape::differences(input, &shape, 5) {
        eprintln!(
            "warning: not a {}/{} event as ZIS sends it: {why}",
            e.source, e.event_type
        );
    }
}

/// A line on stdout; false when the reader went away (`| head`), which is not an error.
fn out(line: &str) -> bool {
    use std::io::Write as _;
    writeln!(std::io::stdout().lock(), "{line}").is_ok()
}

fn finish(r: Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `events list|sample`.
pub fn events(cmd: &EventsCommand) -> ExitCode {
    finish((|| {
        match cmd {
            EventsCommand::List { format } => match format {
                super::run::RunFormat::Json => {
                    let list: Vec<Value> = catalog::EVENTS
                        .iter()
                        .map(|e| json!({"source": e.source, "type": e.event_type, "about": about(e)}))
                        .collect();
                    out(&Value::Array(list).to_string());
                }
                super::run::RunFormat::Text => {
                    for e in catalog::EVENTS {
                        let line = format!(
                            "{:<50} {}",
                            format!("{}/{}", e.source, e.event_type),
                            about(e)
                        );
                        if !out(&line) {
                            break;
                        }
                    }
                }
            },
            EventsCommand::Schema { event } => {
                let shape = zis_services::schema::schema(find(event)?);
                out(&serde_json::to_string_pretty(
                    &zis_services::schema::to_json(&shape),
                )?);
            }
            EventsCommand::Sample { event, set } => {
                let e = find(event)?;
                let mut input = catalog::sample_input(e);
                set_values(&mut input, set)?;
                warn_off_schema(e, &input);
                out(&serde_json::to_string_pretty(&input)?);
            }
        }
        Ok(())
    })())
}

/// `inject`: queued in the data folder's database (a running `serve` on that folder runs
/// it), or sent to a server's `POST /api/local/events`.
pub fn inject(args: &InjectArgs, data: Option<&Path>) -> ExitCode {
    finish((|| {
        let (source, kind) = args.event.split_once('/').with_context(|| {
            format!(
                "{:?}: an event is SOURCE/TYPE, e.g. support/ticket.TicketCreated",
                args.event
            )
        })?;
        // A type outside the catalog (an inbound webhook's) needs its payload.
        let e = match (find(&args.event), &args.payload) {
            (Ok(e), _) => Some(e),
            (Err(_), Some(_)) => None,
            (Err(err), None) => return Err(err.context("give its --payload")),
        };
        let mut input = match &args.payload {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                serde_json::from_str(&text).map_err(|err| {
                    anyhow::anyhow!("{}:{}:{}: {err}", p.display(), err.line(), err.column())
                })?
            }
            None => e.map(catalog::sample_input).unwrap_or_default(),
        };
        set_values(&mut input, &args.set)?;
        if let Some(e) = e {
            warn_off_schema(e, &input);
        }
        match &args.server {
            Some(url) => {
                let token = match &args.token {
                    Some(t) => t.clone(),
                    None => {
                        let dir = crate::core::data_dir::prepare(data)?;
                        std::fs::read_to_string(dir.join("api_token"))
                            .context("no --token and no api_token in the data folder")?
                            .trim()
                            .to_string()
                    }
                };
                let body = json!({"event_source": source, "event_type": kind,
                                  "input": input, "integration": args.integration});
                let answer = reqwest::blocking::Client::new()
                    .post(format!("{}/api/local/events", url.trim_end_matches('/')))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .with_context(|| format!("cannot reach {url}"))?;
                let status = answer.status();
                let text = answer.text().unwrap_or_default();
                if !status.is_success() {
                    bail!("{url} answered {status}: {text}");
                }
                out(&text);
            }
            None => {
                let (_, db) = super::local::open_db(data)?;
                // The data folder's settings (delivery faults among them) apply.
                let stored = zis_services::settings::load(&db)?;
                let settings =
                    zis_services::settings::resolve(&[&stored]).map_err(anyhow::Error::msg)?;
                let ids = zis_services::dispatch::accept(
                    &db,
                    &settings,
                    args.integration.as_deref(),
                    source,
                    kind,
                    &input,
                    "cli",
                )?;
                out(&json!({"accepted": ids, "event": format!("{source}/{kind}")}).to_string());
            }
        }
        Ok(())
    })())
}
