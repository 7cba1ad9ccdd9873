//! Logging: everything at the `RUST_LOG` level (default: warnings) to stderr, and warnings
//! and errors also to `zis-studio.log` in the data folder, so what went wrong in the window
//! can be read after it closed. The file is opened on the first warning (a run without
//! warnings creates nothing) and started afresh (the old one kept as `.log.1`) past 5 MiB.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The log file's name in the data folder.
pub const LOG_FILE: &str = "zis-studio.log";
/// Past this size the log starts afresh.
pub const MAX_LOG: u64 = 5 * 1024 * 1024;

/// The log file of a data folder.
pub fn log_path(data_dir: &Path) -> PathBuf {
    data_dir.join(LOG_FILE)
}

/// A file opened on the first write.
#[derive(Debug)]
pub struct LazyFile {
    path: PathBuf,
    file: Mutex<Option<std::fs::File>>,
}

impl LazyFile {
    /// A log file at `path`, not opened yet.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            file: Mutex::new(None),
        }
    }

    fn open(&self) -> std::io::Result<std::fs::File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if std::fs::metadata(&self.path).is_ok_and(|m| m.len() > MAX_LOG) {
            let mut old = self.path.clone().into_os_string();
            old.push(".1");
            std::fs::rename(&self.path, old)?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
    }
}

impl std::io::Write for &LazyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut guard = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(self.open()?);
        }
        match guard.as_mut() {
            Some(f) => f.write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let mut guard = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Sets up logging for the process: stderr, and the data folder's log file for warnings
/// and errors (the chosen folder, else the platform's default one).
pub fn init(data: Option<&Path>) {
    let stderr_filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,usvg=error"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(stderr_filter);
    let dir = data
        .map(Path::to_path_buf)
        .or_else(crate::core::data_dir::default_dir);
    let file = dir.map(|d| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Arc::new(LazyFile::new(log_path(&d))))
            .with_filter(tracing_subscriber::EnvFilter::new("warn,usvg=error"))
    });
    // A second init (tests) keeps the first subscriber.
    let _already = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn the_log_file_is_made_on_first_write_and_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = log_path(dir.path());
        let f = LazyFile::new(path.clone());
        assert!(!path.exists());
        (&f).write_all(b"one\n").unwrap();
        (&f).write_all(b"two\n").unwrap();
        (&f).flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
    }
}
