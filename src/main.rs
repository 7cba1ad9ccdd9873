//! `zis-studio`: the desktop app (no arguments, or a bundle path) and its command line.

use clap::Parser as _;
use std::process::ExitCode;
use zis_studio::cli::Cli;

/// mimalloc: parsing and validating a bundle is allocation-bound, and mimalloc takes about a
/// quarter off the 1 MB benchmark compared with the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A jq worker (see zis_services::jq_worker) does nothing else.
    if std::env::args().nth(1).as_deref() == Some(zis_services::jq_worker::WORKER_ARG) {
        return zis_services::jq_worker::serve_stdio();
    }
    let cli = Cli::parse();
    // Every jq program of every flow this process runs goes to worker processes.
    if let Ok(exe) = std::env::current_exe() {
        zis_engine::jq::set_runner(Box::new(zis_services::jq_worker::WorkerPool::of_binary(
            exe,
        )));
    }
    zis_studio::core::logging::init(cli.data.as_deref());
    match cli.command {
        Some(command) => zis_studio::cli::run(command, cli.data.as_deref()),
        None => match zis_studio::ui::window::run(cli.bundle, cli.data) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("zis-studio: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
