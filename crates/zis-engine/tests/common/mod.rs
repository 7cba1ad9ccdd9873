//! Helpers shared by the engine's integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` next to the workspace, if present; otherwise prints why the caller skips.
pub fn shared(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join(what).exists() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: {} not found (../shared is absent on a plain clone; CI has it)",
            dir.join(what).display()
        );
        None
    }
}

/// Reads a JSON-lines file.
pub fn jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
