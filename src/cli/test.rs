//! `zis-studio test`: runs `*.tests.json` files through [`crate::core::flowtest`], prints
//! each test and a summary, and writes JUnit XML; with `--fuzz N`, fuzzes bundles' flows
//! ([`crate::core::fuzz`]).

use crate::core::flowtest::{collect, junit, run_file_with};
use std::path::{Path, PathBuf};

/// `zis-studio test`: prints each test and `N passed, M failed`; exit 1 when any failed.
pub fn command(
    paths: &[PathBuf],
    junit_path: Option<&Path>,
    settings: &[String],
) -> std::process::ExitCode {
    let settings = match settings_or_say(settings) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let files = collect(&paths);
    if files.is_empty() {
        eprintln!("no *.tests.json files under {paths:?}");
        return std::process::ExitCode::from(2);
    }
    let mut outcomes = Vec::new();
    for f in &files {
        for o in run_file_with(f, &settings) {
            if o.failures.is_empty() {
                println!("ok    {}  {}", o.file.display(), o.name);
            } else {
                println!("FAIL  {}  {}", o.file.display(), o.name);
                for why in &o.failures {
                    println!("        {why}");
                }
            }
            outcomes.push(o);
        }
    }
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if let Some(p) = junit_path
        && let Err(e) = crate::core::files::write_atomic(p, junit(&outcomes).as_bytes())
    {
        eprintln!("cannot write {}: {e}", p.display());
        return std::process::ExitCode::from(2);
    }
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// `zis-studio test --fuzz N [--seed S] BUNDLE...`: each flow on N variants of its event;
/// exit 1 when a flow fails, 2 when a bundle cannot be read.
pub fn fuzz(
    paths: &[PathBuf],
    runs: usize,
    seed: u64,
    format: super::check::Format,
    settings: &[String],
    data: Option<&Path>,
) -> std::process::ExitCode {
    use crate::core::fuzz::{Options, fuzz_bundle, text};
    let settings = match settings_or_say(settings) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let options = Options {
        runs,
        seed,
        settings,
        data: data.map(crate::core::data_dir::db_path),
    };
    let files = bundles(paths);
    if files.is_empty() {
        eprintln!("no bundles under {paths:?}");
        return std::process::ExitCode::from(2);
    }
    let mut all = Vec::new();
    for p in &files {
        let value: serde_json::Value = match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| format!("line {} column {}: {e}", e.line(), e.column()))
            }) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {}: {e}", p.display());
                return std::process::ExitCode::from(2);
            }
        };
        let (sidecar, warning) = crate::core::sidecar::Sidecar::load(p);
        if let Some(w) = warning {
            eprintln!("warning: {w}");
        }
        all.extend(fuzz_bundle(&value, &sidecar, &options));
    }
    match format {
        super::check::Format::Text => print!("{}", text(&all, seed)),
        super::check::Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"seed": seed, "flows": all}))
                .unwrap_or_default()
        ),
    }
    if all.iter().any(|r| !r.failures.is_empty()) {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}

/// `--setting` arguments as a map; what is wrong said on stderr, exit 2.
fn settings_or_say(
    args: &[String],
) -> Result<std::collections::BTreeMap<String, String>, std::process::ExitCode> {
    super::settings_args(args).map_err(|e| {
        eprintln!("error: {e}");
        std::process::ExitCode::from(2)
    })
}

/// The bundle files `paths` name: files as given; folders (the current one when none is
/// given) searched for `*.json` files holding `resources`, past tests and sidecars.
fn bundles(paths: &[PathBuf]) -> Vec<PathBuf> {
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    crate::core::files::find_files(&roots, &|p, name| {
        name.ends_with(".json")
            && !name.ends_with(".tests.json")
            && !name.ends_with(".zis-studio.json")
            && std::fs::read_to_string(p)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| v.get("resources").is_some_and(serde_json::Value::is_object))
    })
}
