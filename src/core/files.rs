//! How ZIS Studio writes and reads its own files, so a crash or a bad file never costs the
//! user their work:
//!
//! - [`write_atomic`] writes a temporary file in the same folder, syncs it, then renames it
//!   over the target: a reader (or a crash) sees the old file or the new one, never half of
//!   one. [`write_private`] does the same with mode 0600 from the first byte (tokens).
//! - [`read_json`] reads a file of ours: missing is [`Loaded::Missing`]; one that does not
//!   parse is moved aside to `<name>.broken` (never overwritten by the next save) and
//!   reported as [`Loaded::Broken`] so the caller can say so.
//! - [`Stamp`] remembers a file's modification time and length, to notice a change made by
//!   another program (an editor, `git pull`).

use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

pub use zis_services::fsio::{write_atomic, write_private};

/// A file of ours, read.
#[derive(Debug, PartialEq)]
pub enum Loaded<T> {
    /// It parsed.
    Ok(T),
    /// There is no such file.
    Missing,
    /// It did not parse (or could not be read); it was moved to `moved_to`.
    Broken {
        /// Where the unreadable file is now.
        moved_to: PathBuf,
        /// Why it could not be read.
        error: String,
    },
}

impl<T: Default> Loaded<T> {
    /// The value, or the default when missing or broken; with a warning for a broken file.
    pub fn or_default_with_warning(self, what: &str) -> (T, Option<String>) {
        match self {
            Loaded::Ok(v) => (v, None),
            Loaded::Missing => (T::default(), None),
            Loaded::Broken { moved_to, error } => (
                T::default(),
                Some(format!(
                    "the {what} could not be read ({error}); it was moved to {} and a new one started",
                    moved_to.display()
                )),
            ),
        }
    }
}

/// The files under `paths` that `keep` wants (given its path and file name): files as
/// given; folders searched down, past hidden folders, `target` and `node_modules`, in name
/// order.
pub fn find_files(paths: &[PathBuf], keep: &dyn Fn(&Path, &str) -> bool) -> Vec<PathBuf> {
    fn walk(dir: &Path, keep: &dyn Fn(&Path, &str) -> bool, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    walk(&p, keep, out);
                }
            } else if keep(&p, &name) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, keep, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// The name a broken file is moved to: `<name>.broken` (`.broken.2`, ... when taken).
pub fn broken_path(path: &Path) -> PathBuf {
    let mut n = 1;
    loop {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(if n == 1 {
            ".broken".to_string()
        } else {
            format!(".broken.{n}")
        });
        let candidate = path.with_file_name(name);
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

/// Reads a JSON file of ours; one that does not parse is moved aside (see the module doc).
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Loaded<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return move_aside(path, e.to_string()),
    };
    match serde_json::from_str(&text) {
        Ok(v) => Loaded::Ok(v),
        Err(e) => move_aside(
            path,
            format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()),
        ),
    }
}

fn move_aside<T>(path: &Path, error: String) -> Loaded<T> {
    let to = broken_path(path);
    match std::fs::rename(path, &to) {
        Ok(()) => {
            tracing::warn!("{error}; moved to {}", to.display());
            Loaded::Broken {
                moved_to: to,
                error,
            }
        }
        Err(e) => {
            tracing::error!("{error}; cannot move it aside: {e}");
            Loaded::Broken {
                moved_to: path.to_path_buf(),
                error: format!("{error} (and it could not be moved aside: {e})"),
            }
        }
    }
}

/// A file's modification time and length when it was last read or written by us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
}

impl Stamp {
    /// The stamp of a file now (`None` when it cannot be read).
    pub fn of(path: &Path) -> Option<Self> {
        let m = std::fs::metadata(path).ok()?;
        Some(Self {
            modified: m.modified().ok(),
            len: m.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails, the folder and its content stay.
        let p = dir.path().join("taken");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("inside"), "x").unwrap();
        assert!(write_atomic(&p, b"new").is_err());
        assert_eq!(std::fs::read_to_string(p.join("inside")).unwrap(), "x");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_private_write_is_0600() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("accounts.json");
        write_private(&p, b"{}").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_broken_file_is_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, "{not json").unwrap();
        let loaded: Loaded<serde_json::Value> = read_json(&p);
        let Loaded::Broken { moved_to, error } = loaded else {
            panic!("not broken: {loaded:?}")
        };
        assert!(error.contains("1:2"), "{error}");
        assert!(!p.exists());
        assert_eq!(std::fs::read_to_string(&moved_to).unwrap(), "{not json");
        assert!(moved_to.to_string_lossy().ends_with("x.json.broken"));
        // A second broken file does not overwrite the first.
        std::fs::write(&p, "[").unwrap();
        let Loaded::<serde_json::Value>::Broken {
            moved_to: second, ..
        } = read_json(&p)
        else {
            panic!()
        };
        assert_ne!(second, moved_to);
        assert_eq!(std::fs::read_to_string(&moved_to).unwrap(), "{not json");
        assert!(matches!(
            read_json::<serde_json::Value>(&p),
            Loaded::Missing
        ));
    }
}
