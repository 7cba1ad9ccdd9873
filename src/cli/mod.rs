//! The CLI layer: the clap definitions of `zis-studio` here, one file per command family.
//! Commands call into [`crate::core`] (and the crates); nothing here imports the app or UI
//! layers, and with no subcommand `main` opens the window instead.
//!
//! | module | commands |
//! |---|---|
//! | [`check`] | `validate`, `fmt`, `codes` |
//! | [`local`] | `serve`, `send`, `queue`, `executions`, `integration` |
//! | [`run`], [`run_step`] | `run` (mocks, fixtures, settings, stepping, the JSON report) |
//! | [`test`] | `test` |
//! | [`export`] | `export` |
//! | [`deploy`] | `deploy`, `pull`, `login` |
//! | [`events`] | `events list`, `events sample`, `inject` |

pub mod check;
pub mod deploy;
pub mod events;
pub mod export;
pub mod local;
pub mod run;
pub mod run_step;
pub mod test;

pub use check::{FmtArgs, Format, ValidateArgs};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// ZIS Studio: design, run, debug and test Zendesk Integration Services bundles.
#[derive(Debug, Parser)]
#[command(name = "zis-studio", version, about)]
pub struct Cli {
    /// What to do; without a subcommand the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A bundle to open in the app (default: a sample bundle).
    pub bundle: Option<PathBuf>,
    /// The data folder for local stores (default: the platform's data directory).
    #[arg(long, global = true)]
    pub data: Option<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check bundles and print every problem, like a compiler.
    Validate(ValidateArgs),
    /// Rewrite bundles in the canonical format (two-space indent).
    Fmt(FmtArgs),
    /// List every diagnostic code with its severity and title.
    Codes,
    /// Run the local ZIS server (REST API, inbound webhooks, dispatcher) on 127.0.0.1.
    Serve(local::ServeArgs),
    /// Accept an event into the local queue (a catalog type, or an input file).
    Send(local::SendArgs),
    /// Show the event queue's depth and the delay from acceptance to flow start.
    Queue {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the newest executions.
    Executions,
    /// Deploy a bundle to a ZIS account: validate, show the plan, then upload and install.
    /// Exit codes: 0 deployed (or planned with --dry-run), 2 invalid bundle, 3 declined (or
    /// no terminal and no --yes), 4 the token was refused, 5 a network or API error.
    Deploy(deploy::DeployArgs),
    /// Export a flow's graph as SVG, or an execution on its sample event as an HTML report.
    Export(export::ExportArgs),
    /// Check a token against a ZIS account and save it in the data folder (0600), so
    /// `deploy` and `pull` and the window need no `--token`; `--forget` removes it.
    Login(deploy::LoginArgs),
    /// Download an integration's bundles and job specs from a ZIS account.
    Pull(deploy::PullArgs),
    /// Run one flow on one event, headless; exit 0 when it succeeded, 1 when it failed.
    Run(run::RunArgs),
    /// Run flow tests (`*.tests.json` next to bundles) and print `N passed, M failed`.
    Test {
        /// Test files, or folders searched for `*.tests.json` (default: the current folder).
        paths: Vec<PathBuf>,
        /// Also write a JUnit XML report here.
        #[arg(long, conflicts_with = "fuzz")]
        junit: Option<PathBuf>,
        /// A setting for every test, over each test file's `settings` (repeatable; see
        /// `zis_services::settings` and the README).
        #[arg(long = "setting", value_name = "NAME=VALUE")]
        settings: Vec<String>,
        /// Fuzz instead: run each flow a job spec starts on N generated variants of its
        /// event; the paths are bundle files or folders holding them (default: the current
        /// folder).
        #[arg(long, value_name = "N")]
        fuzz: Option<usize>,
        /// The fuzzer's seed (the same seed gives the same variants).
        #[arg(long, default_value_t = 1, requires = "fuzz")]
        seed: u64,
        /// Output format of `--fuzz`.
        #[arg(long, value_enum, default_value_t, requires = "fuzz")]
        format: check::Format,
    },
    /// Enable or disable an integration.
    #[command(subcommand)]
    Integration(local::IntegrationCommand),
    /// The event catalog: `list`, or `sample SOURCE/TYPE [--set PATH=VALUE]...`.
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Queue a simulated event in the data folder, or send it to a running `serve`.
    Inject(events::InjectArgs),
}

/// `--setting NAME=VALUE` arguments as a map, each name and value checked.
pub fn settings_args(
    args: &[String],
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut out = std::collections::BTreeMap::new();
    for a in args {
        let (name, value) = zis_services::settings::parse_assignment(a)?;
        zis_services::settings::check(&name, &value)?;
        out.insert(name, value);
    }
    Ok(out)
}

/// Runs a subcommand and returns its exit code.
pub fn run(command: Command, data: Option<&std::path::Path>) -> ExitCode {
    match command {
        Command::Validate(args) => check::validate(&args, data),
        Command::Fmt(args) => check::fmt(&args),
        Command::Codes => check::codes(),
        Command::Serve(args) => local::serve(&args, data),
        Command::Send(args) => local::send(&args, data),
        Command::Queue { json } => local::queue(data, json),
        Command::Executions => local::executions(data),
        Command::Deploy(args) => deploy::command(&args, data),
        Command::Pull(args) => deploy::pull(&args, data),
        Command::Login(args) => deploy::login(&args, data),
        Command::Export(args) => export::command(&args),
        Command::Run(args) => run::command(&args, data),
        Command::Test {
            paths,
            fuzz: Some(runs),
            seed,
            format,
            settings,
            ..
        } => test::fuzz(&paths, runs, seed, format, &settings, data),
        Command::Test {
            paths,
            junit,
            settings,
            ..
        } => test::command(&paths, junit.as_deref(), &settings),
        Command::Integration(cmd) => local::integration(&cmd, data),
        Command::Events(cmd) => events::events(&cmd),
        Command::Inject(args) => events::inject(&args, data),
    }
}
