//! Where local stores live: the platform's data directory unless `--data DIR` says otherwise.

use anyhow::Context as _;
use std::path::{Path, PathBuf};

/// The default data folder, e.g. `~/.local/share/zis-studio` on Linux.
pub fn default_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("com", "ZIS Studio", "zis-studio")
        .map(|d| d.data_dir().to_path_buf())
}

/// Resolves and creates the data folder.
pub fn prepare(chosen: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match chosen {
        Some(d) => d.to_path_buf(),
        None => {
            default_dir().context("no home directory to put the data folder in; pass --data DIR")?
        }
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    Ok(dir)
}

/// The local stores' database file name in a data folder.
pub const DB_FILE: &str = "zis-studio.sqlite";

/// The local stores' database of a data folder.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DB_FILE)
}
