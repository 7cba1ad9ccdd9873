//! The local-services commands: `serve`, `send`, `queue`, `executions`, `integration`.
//! They all work on the database in the data folder (`--data DIR`, else the platform's
//! data directory).

use crate::core::data_dir;
use anyhow::Context as _;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};

/// The database file inside a data folder.
pub use crate::core::data_dir::DB_FILE;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = zis_services::DEFAULT_PORT)]
    pub port: u16,
    /// Fault injection: deliver every accepted event twice.
    #[arg(long)]
    pub deliver_twice: bool,
    /// Fault injection: run due events in random order.
    #[arg(long)]
    pub shuffle: bool,
    /// Fault injection: seconds every event waits before it is due.
    #[arg(long, default_value_t = 0.0)]
    pub delay: f64,
    /// A setting for every flow this server runs, over the data folder's (repeatable).
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
}

/// Arguments of `send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Event source, e.g. `support`.
    pub source: String,
    /// Event type, e.g. `ticket.TicketCreated`.
    pub event_type: String,
    /// A JSON file with the event's input (default: the catalog's sample).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Only this integration's job specs receive it.
    #[arg(long)]
    pub integration: Option<String>,
    /// Run the queue here until it is empty (without a running `serve`).
    #[arg(long)]
    pub run: bool,
}

/// `integration enable|disable KEY`.
#[derive(Debug, Subcommand)]
pub enum IntegrationCommand {
    /// Its events run flows again.
    Enable {
        /// The integration.
        key: String,
    },
    /// Its events are recorded as skipped and no flow runs.
    Disable {
        /// The integration.
        key: String,
    },
}

/// Opens the database of the data folder.
pub fn open_db(data: Option<&Path>) -> anyhow::Result<(PathBuf, Db)> {
    let dir = data_dir::prepare(data)?;
    let db = Db::open(&dir.join(DB_FILE))
        .with_context(|| format!("cannot open the database in {}", dir.display()))?;
    Ok((dir, db))
}

fn finish(r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zis-studio: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `serve`: the local ZIS server until Ctrl-C.
pub fn serve(args: &ServeArgs, data: Option<&Path>) -> ExitCode {
    finish((|| {
        let (dir, db) = open_db(data)?;
        let token = zis_services::server::api_token(&dir)?;
        let cli = super::settings_args(&args.settings).map_err(anyhow::Error::msg)?;
        let stored = zis_services::settings::load(&db)?;
        let mut settings =
            zis_services::settings::resolve(&[&stored, &cli]).map_err(anyhow::Error::msg)?;
        // The fault-injection flags add to the settings of the same name.
        settings.deliver_twice |= args.deliver_twice;
        settings.shuffle |= args.shuffle;
        if args.delay > 0.0 {
            settings.delay_secs = args.delay;
        }
        let running = zis_services::server::start(Arc::new(db), token.clone(), args.port, settings)
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        println!("ZIS Studio local server on {}", running.base_url);
        println!("data folder: {}", dir.display());
        println!(
            "API token:   {token}   (also in {})",
            dir.join("api_token").display()
        );
        println!(
            "Zendesk API token for basic auth: {}   (-u admin@example.com/token:<it>)",
            zis_services::server::basic_api_token(&token)
        );
        println!("Press Ctrl-C to stop.");
        use std::io::Write as _;
        std::io::stdout().flush()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        running.stop();
        Ok(())
    })())
}

/// `send`: accepts an event into the queue (and with `--run`, runs the queue).
pub fn send(args: &SendArgs, data: Option<&Path>) -> ExitCode {
    finish((|| {
        let (_, db) = open_db(data)?;
        let input = match &args.input {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not JSON", path.display()))?
            }
            None => zis_services::catalog::find(&args.source, &args.event_type)
                .map(zis_services::catalog::sample_input)
                .with_context(|| {
                    format!(
                        "{}/{} is not in the event catalog; pass --input FILE",
                        args.source, args.event_type
                    )
                })?,
        };
        let settings = DispatchSettings::default();
        let ids = dispatch::accept(
            &db,
            &settings,
            args.integration.as_deref(),
            &args.source,
            &args.event_type,
            &input,
            "cli",
        )?;
        println!(
            "accepted event {}",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if args.run {
            let deliveries = dispatch::drain(&db, &settings)?;
            let ran: usize = deliveries.iter().map(|d| d.executions.len()).sum();
            let executions = db.executions(ran)?;
            for d in deliveries {
                println!("event {} {}: {}", d.event_id, d.state, d.note);
                for id in d.executions {
                    if let Some(e) = executions.iter().find(|e| e.id == id).cloned() {
                        let why = e.cause.map(|c| format!(" ({c})")).unwrap_or_default();
                        println!("  execution {id}: {} {}{why}", e.flow, e.status);
                    }
                }
            }
        }
        Ok(())
    })())
}

/// `queue`: depth and start delays.
pub fn queue(data: Option<&Path>, json: bool) -> ExitCode {
    finish((|| {
        let (_, db) = open_db(data)?;
        let s = db.queue_stats()?;
        if json {
            println!("{}", serde_json::to_string_pretty(&s)?);
            return Ok(());
        }
        let secs = |v: Option<f64>| v.map_or("-".to_string(), |s| format!("{s:.3} s"));
        println!(
            "pending {}  running {}  done {}  skipped {}",
            s.pending, s.running, s.done, s.skipped
        );
        println!("oldest pending: {}", secs(s.oldest_pending_secs));
        println!(
            "start delay (last 100 executions): median {}, max {}",
            secs(s.median_delay_secs),
            secs(s.max_delay_secs)
        );
        Ok(())
    })())
}

/// `executions`: the newest executions.
pub fn executions(data: Option<&Path>) -> ExitCode {
    finish((|| {
        let (_, db) = open_db(data)?;
        for e in db.executions(50)? {
            let why = e.cause.map(|c| format!("  {c}")).unwrap_or_default();
            println!(
                "{:>5}  {:<9} {:<40} {:<28} delay {:.3} s  attempts {}{why}",
                e.id, e.status, e.flow, e.event_type, e.delay_secs, e.attempts
            );
        }
        Ok(())
    })())
}

/// `integration enable|disable`.
pub fn integration(cmd: &IntegrationCommand, data: Option<&Path>) -> ExitCode {
    finish((|| {
        let (_, db) = open_db(data)?;
        let (key, on) = match cmd {
            IntegrationCommand::Enable { key } => (key, true),
            IntegrationCommand::Disable { key } => (key, false),
        };
        db.set_enabled(key, on)?;
        println!(
            "integration {key} {}",
            if on { "enabled" } else { "disabled" }
        );
        Ok(())
    })())
}
