//! GUI-free tests of [`crate::app::AppState`]: at least one per command group, the files
//! it writes against the real file system, and secrets against a real data folder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod disk;
mod groups;
mod secrets;

use crate::app::AppState;
use std::path::{Path, PathBuf};

/// A sample bundle copied into a fresh folder: (folder, bundle path).
pub(super) fn copy_sample(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_bundles")
        .join(name);
    let to = dir.path().join(name);
    std::fs::copy(from, &to).unwrap();
    (dir, to)
}

/// A state with its own data folder, the bundle open.
pub(super) fn state_on(bundle: &Path) -> (tempfile::TempDir, AppState) {
    let data = tempfile::tempdir().unwrap();
    let mut s = AppState::new(data.path().to_path_buf());
    s.open(bundle);
    assert!(s.document.is_some(), "{:?}", s.open_error);
    (data, s)
}
