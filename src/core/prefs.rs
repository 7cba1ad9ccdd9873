//! What the window remembers between runs that is not window geometry (eframe keeps that):
//! recent files and the theme, in `preferences.json` in the data folder.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The window's colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Theme {
    /// The system's (the default; dark when the system does not say).
    #[default]
    System,
    /// Dark.
    Dark,
    /// Light.
    Light,
}

/// The file name in the data folder.
pub const FILE: &str = "preferences.json";
/// How many recent files are kept.
pub const MAX_RECENT: usize = 10;

/// Remembered choices.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Prefs {
    /// Recently opened or saved bundles, newest first.
    #[serde(default)]
    pub recent: Vec<PathBuf>,
    /// The theme last chosen.
    #[serde(default)]
    pub theme: Theme,
}

impl Prefs {
    /// Reads the preferences of a data folder; missing ones are the defaults, and a file
    /// that does not parse is moved aside (`preferences.json.broken`) with the warning
    /// returned, so the next save does not overwrite it silently.
    pub fn load(data_dir: &Path) -> (Self, Option<String>) {
        crate::core::files::read_json(&data_dir.join(FILE))
            .or_default_with_warning("preferences file")
    }

    /// Writes them to the data folder.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::core::files::write_atomic(&data_dir.join(FILE), (text + "\n").as_bytes())
    }

    /// Puts `path` first in the recent list.
    pub fn touch(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(MAX_RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_persist_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Prefs::default();
        for i in 0..12 {
            p.touch(&dir.path().join(format!("b{i}.json")));
        }
        p.touch(&dir.path().join("b5.json"));
        p.theme = Theme::Light;
        p.save(dir.path()).unwrap();
        let back = Prefs::load(dir.path()).0;
        assert_eq!(back, p);
        assert_eq!(back.recent.len(), MAX_RECENT);
        assert!(back.recent[0].ends_with("b5.json"));
        assert!(back.recent[1].ends_with("b11.json"));
    }
}
