//! Recovery copies of unsaved work: while a bundle has unsaved changes the window writes its
//! text every few seconds to `<data>/recovery/<id>.json` (atomically); saving, or choosing
//! not to keep the changes, removes it. At the next start a copy left behind (a crash, a
//! kill) is offered for restoring.

use crate::core::files;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One recovery copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// The bundle's file (`None` for a new bundle never saved).
    pub path: Option<PathBuf>,
    /// When it was written (Unix seconds).
    pub saved_at: f64,
    /// The bundle's text with the unsaved changes.
    pub text: String,
}

/// The folder recovery copies live in.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("recovery")
}

/// The recovery file for a bundle path (or a new bundle).
pub fn file_for(data_dir: &Path, bundle: Option<&Path>) -> PathBuf {
    use std::hash::{Hash as _, Hasher as _};
    let name = match bundle {
        None => "untitled".to_string(),
        Some(p) => {
            let full = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            // A stable name per path (FNV-1a: the same in every run, unlike std's hasher).
            let mut h = Fnv(0xcbf2_9ce4_8422_2325);
            full.hash(&mut h);
            let stem = p
                .file_stem()
                .map_or("bundle".into(), |s| s.to_string_lossy().to_string());
            format!("{stem}-{:016x}", h.finish())
        }
    };
    dir(data_dir).join(format!("{name}.json"))
}

struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Writes the recovery copy of a bundle.
pub fn save(data_dir: &Path, recovery: &Recovery) -> std::io::Result<PathBuf> {
    let file = file_for(data_dir, recovery.path.as_deref());
    std::fs::create_dir_all(dir(data_dir))?;
    let text = serde_json::to_string(recovery).map_err(std::io::Error::other)?;
    files::write_private(&file, text.as_bytes())?;
    Ok(file)
}

/// Removes the recovery copy of a bundle (nothing when there is none).
pub fn remove(data_dir: &Path, bundle: Option<&Path>) -> std::io::Result<()> {
    match std::fs::remove_file(file_for(data_dir, bundle)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Every recovery copy left in the data folder, newest first (unreadable ones are moved
/// aside and skipped).
pub fn list(data_dir: &Path) -> Vec<Recovery> {
    let Ok(entries) = std::fs::read_dir(dir(data_dir)) else {
        return Vec::new();
    };
    let mut found: Vec<Recovery> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| match files::read_json::<Recovery>(&p) {
            files::Loaded::Ok(r) => Some(r),
            _ => None,
        })
        .collect();
    found.sort_by(|a, b| b.saved_at.total_cmp(&a.saved_at));
    found
}

/// Now, in Unix seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_written_listed_and_removed() {
        let data = tempfile::tempdir().unwrap();
        let bundle = data.path().join("b.json");
        std::fs::write(&bundle, "{}").unwrap();
        let r = Recovery {
            path: Some(bundle.clone()),
            saved_at: now(),
            text: "{\"edited\": true}".into(),
        };
        let f = save(data.path(), &r).unwrap();
        assert_eq!(f, file_for(data.path(), Some(&bundle)));
        assert_eq!(list(data.path()), vec![r]);
        remove(data.path(), Some(&bundle)).unwrap();
        assert!(list(data.path()).is_empty());
        remove(data.path(), Some(&bundle)).unwrap();
    }
}
