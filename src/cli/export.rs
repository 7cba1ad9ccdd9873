//! `zis-studio export`: a flow's graph as SVG or PNG, a run on its sample event as an HTML
//! report, through [`crate::core::export`].

use crate::core::export::{flow_graph, png, sample_run, session_report, svg};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The bundle file.
    pub bundle: std::path::PathBuf,
    /// The flow's resource key (default: the first flow).
    #[arg(long)]
    pub flow: Option<String>,
    /// Write the flow's graph as SVG here.
    #[arg(long)]
    pub svg: Option<std::path::PathBuf>,
    /// Write the flow's graph as PNG here.
    #[arg(long)]
    pub png: Option<std::path::PathBuf>,
    /// Pixels per graph unit of the PNG.
    #[arg(long, default_value_t = 2.0)]
    pub scale: f32,
    /// Run the flow on its job spec's sample event (a fresh data folder) and write an HTML
    /// report of the execution here.
    #[arg(long)]
    pub html: Option<std::path::PathBuf>,
}

/// `zis-studio export`.
pub fn command(args: &ExportArgs) -> std::process::ExitCode {
    let result = (|| -> anyhow::Result<()> {
        use anyhow::Context as _;
        let text = std::fs::read_to_string(&args.bundle)
            .with_context(|| format!("cannot read {}", args.bundle.display()))?;
        let bundle: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", args.bundle.display()))?;
        let (key, graph) = flow_graph(&bundle, args.flow.as_deref())?;
        let plain = svg(&graph, &HashMap::new(), &HashSet::new());
        if let Some(p) = &args.svg {
            crate::core::files::write_atomic(p, plain.as_bytes())?;
            println!("graph of {key} -> {}", p.display());
        }
        if let Some(p) = &args.png {
            crate::core::files::write_atomic(p, &png(&plain, args.scale)?)?;
            println!("graph of {key} as PNG -> {}", p.display());
        }
        if let Some(p) = &args.html {
            let s = sample_run(&bundle, &key)?;
            let report = session_report(&graph, &s);
            crate::core::files::write_atomic(p, report.as_bytes())?;
            println!("report of {key} -> {}", p.display());
        }
        Ok(())
    })();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
