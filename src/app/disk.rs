//! The open bundle and the disk: noticing when another program (an editor, `git pull`)
//! changed the file, refusing to save over such a change until the user chooses Reload or
//! Keep mine, and keeping a recovery copy of unsaved work in the data folder (restored at
//! the next start if the app died). [`AppState::tick`] runs both on a schedule; the window
//! calls it every frame.
//!
//! Polling the file's modification time and length once a second was chosen over an OS
//! watcher (notify): it is one `stat` for one file, it also sees an editor's or git's
//! replace-by-rename (which ends an inotify watch on the old file), and it behaves the same
//! on every file system and in tests.

use super::*;
use crate::core::files::Stamp;
use crate::core::recovery::{self, Recovery};
use std::time::{Duration, Instant};

/// How often the file is looked at.
pub const DISK_CHECK: Duration = Duration::from_secs(1);
/// How often a recovery copy is written while there are unsaved changes.
pub const RECOVERY_EVERY: Duration = Duration::from_secs(5);

/// What the app knows of the open file on disk.
#[derive(Debug, Default)]
pub struct Disk {
    /// The file's stamp when it was last opened, saved, reloaded or kept.
    pub stamp: Option<Stamp>,
    /// The file changed on disk since: the window asks Reload or Keep mine.
    pub changed: bool,
    /// A recovery copy from an earlier run, offered for restoring.
    pub offered: Option<Recovery>,
    last_check: Option<Instant>,
    last_recovery: Option<Instant>,
    /// The text last written as the recovery copy (not written again unchanged).
    recovery_text: Option<String>,
}

impl AppState {
    /// Runs the disk checks that are due: the file changed by another program, and the
    /// recovery copy of unsaved changes.
    pub fn tick(&mut self) {
        let now = Instant::now();
        if self.disk.last_check.is_none_or(|t| now - t >= DISK_CHECK) {
            self.disk.last_check = Some(now);
            self.check_disk();
        }
        if self
            .disk
            .last_recovery
            .is_none_or(|t| now - t >= RECOVERY_EVERY)
        {
            self.disk.last_recovery = Some(now);
            self.write_recovery();
        }
    }

    /// Notes the open file's stamp as ours (after open, save, reload, keep mine).
    pub(crate) fn remember_disk(&mut self) {
        self.disk.stamp = self.path.as_deref().and_then(Stamp::of);
        self.disk.changed = false;
    }

    /// Looks at the open file: true (and the question raised) when it changed on disk since
    /// it was opened or last saved.
    pub fn check_disk(&mut self) -> bool {
        let Some(path) = &self.path else { return false };
        if self.disk.changed || self.disk.stamp.is_none() {
            return self.disk.changed;
        }
        if Stamp::of(path) != self.disk.stamp {
            self.disk.changed = true;
            self.warn(format!(
                "{} changed on disk since it was opened or saved: Reload it, or Keep mine",
                path.display()
            ));
        }
        self.disk.changed
    }

    /// Reads the file again, dropping unsaved changes (the user chose Reload).
    pub(crate) fn reload_from_disk(&mut self) {
        self.dismiss_disk_warning();
        if let Some(path) = self.path.clone() {
            self.open(&path);
            self.message = Some(format!("reloaded {}", path.display()));
        }
    }

    /// Keeps the window's version (the user chose Keep mine): the next Save writes it over
    /// the changed file.
    pub(crate) fn keep_mine(&mut self) {
        self.dismiss_disk_warning();
        self.remember_disk();
        self.modified = true;
        self.message = Some("kept your version: Save writes it over the file on disk".into());
    }

    fn dismiss_disk_warning(&mut self) {
        self.warnings.retain(|w| !w.contains("changed on disk"));
        self.disk.changed = false;
    }

    /// Writes (or removes) the recovery copy: written while there are unsaved changes and
    /// the text changed since the last copy; removed when there are none.
    pub fn write_recovery(&mut self) {
        let Some(doc) = &self.document else { return };
        if !self.modified {
            if self.disk.recovery_text.take().is_some() {
                self.drop_recovery();
            }
            return;
        }
        let text = doc.render();
        if self.disk.recovery_text.as_deref() == Some(text.as_str()) {
            return;
        }
        let copy = Recovery {
            path: self.path.clone(),
            saved_at: recovery::now(),
            text: text.clone(),
        };
        match recovery::save(&self.data_dir, &copy) {
            Ok(_) => self.disk.recovery_text = Some(text),
            Err(e) => tracing::warn!("cannot write the recovery copy: {e}"),
        }
    }

    /// Removes the open bundle's recovery copy (saved, or changes discarded).
    pub(crate) fn drop_recovery(&mut self) {
        self.disk.recovery_text = None;
        if let Err(e) = recovery::remove(&self.data_dir, self.path.as_deref()) {
            tracing::warn!("cannot remove the recovery copy: {e}");
        }
    }

    /// Offers the newest recovery copy left by an earlier run, if any.
    pub fn offer_recovery(&mut self) {
        self.disk.offered = recovery::list(&self.data_dir).into_iter().next();
    }

    /// Restores the offered recovery copy: its bundle opens with the recovered text as one
    /// undoable change (unsaved, so the user decides).
    pub(crate) fn restore_recovery(&mut self) {
        let Some(copy) = self.disk.offered.take() else {
            return;
        };
        let value = match super::error::parse_json(&copy.text) {
            Ok(v) => v,
            Err(e) => {
                self.message = Some(format!("the recovery copy does not parse: {e}"));
                return;
            }
        };
        match &copy.path {
            Some(p) if p.exists() => self.open(p),
            Some(p) => {
                self.new_bundle();
                self.path = Some(p.clone());
            }
            None => self.new_bundle(),
        }
        self.edit_value(None, |root| {
            *root = value;
            Ok(())
        });
        self.modified = true;
        self.message = Some(match &copy.path {
            Some(p) => format!("restored the unsaved changes to {}", p.display()),
            None => "restored the unsaved new bundle".into(),
        });
    }

    /// Forgets the offered recovery copy and deletes it.
    pub(crate) fn discard_recovery(&mut self) {
        if let Some(copy) = self.disk.offered.take()
            && let Err(e) = recovery::remove(&self.data_dir, copy.path.as_deref())
        {
            tracing::warn!("cannot remove the recovery copy: {e}");
        }
    }
}
