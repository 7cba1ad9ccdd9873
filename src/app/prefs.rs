//! What the window remembers between runs that is not window geometry (eframe keeps that):
//! recent files and the theme, in `preferences.json` in the data folder.

use super::Theme;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// Reads the preferences of a data folder; missing or unreadable ones are the defaults.
    pub fn load(data_dir: &Path) -> Self {
        std::fs::read_to_string(data_dir.join(FILE))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Writes them to the data folder.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(data_dir.join(FILE), text + "\n")
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
        let back = Prefs::load(dir.path());
        assert_eq!(back, p);
        assert_eq!(back.recent.len(), MAX_RECENT);
        assert!(back.recent[0].ends_with("b5.json"));
        assert!(back.recent[1].ends_with("b11.json"));
    }
}
