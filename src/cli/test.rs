//! `zis-studio test`: runs `*.tests.json` files through [`crate::core::flowtest`], prints
//! each test and a summary, and writes JUnit XML.

use crate::core::flowtest::{collect, junit, run_file_with};
use std::path::{Path, PathBuf};

/// `zis-studio test`: prints each test and `N passed, M failed`; exit 1 when any failed.
pub fn command(
    paths: &[PathBuf],
    junit_path: Option<&Path>,
    settings: &[String],
) -> std::process::ExitCode {
    let settings = match super::settings_args(settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
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
