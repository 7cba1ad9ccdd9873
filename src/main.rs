//! `zis-studio`: the desktop app (no arguments, or a bundle path) and its command line.

use clap::Parser as _;
use std::process::ExitCode;
use zis_studio::cli::{Cli, Command};

/// mimalloc: parsing and validating a bundle is allocation-bound, and mimalloc takes about a
/// quarter off the 1 MB benchmark compared with the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,usvg=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Some(Command::Validate(args)) => zis_studio::cli::validate(&args),
        Some(Command::Fmt(args)) => zis_studio::cli::fmt(&args),
        Some(Command::Codes) => zis_studio::cli::codes(),
        Some(Command::Serve(args)) => zis_studio::local::serve(&args, cli.data.as_deref()),
        Some(Command::Send(args)) => zis_studio::local::send(&args, cli.data.as_deref()),
        Some(Command::Queue { json }) => zis_studio::local::queue(cli.data.as_deref(), json),
        Some(Command::Executions) => zis_studio::local::executions(cli.data.as_deref()),
        Some(Command::Deploy(args)) => zis_studio::deploy::command(&args, cli.data.as_deref()),
        Some(Command::Pull(args)) => zis_studio::deploy::pull(&args, cli.data.as_deref()),
        Some(Command::Login(args)) => zis_studio::deploy::login(&args, cli.data.as_deref()),
        Some(Command::Export(args)) => zis_studio::export::command(&args),
        Some(Command::Test { paths, junit }) => {
            zis_studio::flowtest::command(&paths, junit.as_deref())
        }
        Some(Command::Integration(cmd)) => {
            zis_studio::local::integration(&cmd, cli.data.as_deref())
        }
        None => match zis_studio::gui::run(cli.bundle, cli.data) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("zis-studio: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
