//! File commands: open, new, save, save as, close with the unsaved-changes question, and
//! exports of the shown graph and the debugger's run.

use super::error::{AppError, AppResult};
use super::*;

/// File commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum FileCommand {
    /// Open a bundle file (asks first when there are unsaved changes).
    Open(PathBuf),
    /// Start a new, empty bundle (asks first when there are unsaved changes).
    New,
    /// Write the bundle to its file.
    Save,
    /// Write the bundle to another file, which becomes its file.
    SaveAs(PathBuf),
    /// The window is closing (asks first when there are unsaved changes).
    RequestClose,
    /// The answer to the unsaved-changes question.
    Answer(PromptAnswer),
    /// Write the shown graph (tinted with the debugger's path) as an image.
    ExportGraph(PathBuf, GraphFormat),
    /// Write the debugger's execution as a self-contained HTML report.
    ExportReport(PathBuf),
    /// The file changed on disk: read it again, dropping unsaved changes.
    ReloadFromDisk,
    /// The file changed on disk: keep the window's version (Save writes it over).
    KeepMine,
    /// Restore the recovery copy offered at start.
    RestoreRecovery,
    /// Delete the recovery copy offered at start.
    DiscardRecovery,
}

impl AppState {
    /// Applies one file command.
    pub(crate) fn apply_file(&mut self, command: FileCommand) {
        match command {
            FileCommand::Open(path) => self.ask_then(Pending::Open(path)),
            FileCommand::New => self.ask_then(Pending::New),
            FileCommand::Save => {
                self.save();
            }
            FileCommand::SaveAs(path) => {
                self.save_as(&path);
            }
            FileCommand::RequestClose => self.ask_then(Pending::Close),
            FileCommand::Answer(answer) => self.answer(answer),
            FileCommand::ReloadFromDisk => self.reload_from_disk(),
            FileCommand::KeepMine => self.keep_mine(),
            FileCommand::RestoreRecovery => self.restore_recovery(),
            FileCommand::DiscardRecovery => self.discard_recovery(),
            FileCommand::ExportGraph(path, format) => {
                let exported = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.export_graph(&path, format)
                }))
                .unwrap_or_else(|panic| {
                    Err(AppError::refused(format!(
                        "the export crashed: {}",
                        crate::core::debug::panic_text(panic.as_ref())
                    )))
                });
                self.message = Some(match exported {
                    Ok(()) => format!("graph exported to {}", path.display()),
                    Err(e) => format!("not exported: {e}"),
                });
            }
            FileCommand::ExportReport(path) => {
                let written = match (&self.graph, &self.debug) {
                    (Some(g), Some(s)) => {
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            crate::core::export::session_report(g, s)
                        }))
                        .map_err(|panic| {
                            AppError::refused(format!(
                                "the export crashed: {}",
                                crate::core::debug::panic_text(panic.as_ref())
                            ))
                        })
                        .and_then(|report| {
                            crate::core::files::write_atomic(&path, report.as_bytes()).map_err(
                                |source| AppError::File {
                                    action: "write",
                                    path: path.clone(),
                                    source,
                                },
                            )
                        })
                    }
                    _ => Err(AppError::refused("start a run in the Debugger first")),
                };
                self.message = Some(match written {
                    Ok(()) => format!("report exported to {}", path.display()),
                    Err(e) => format!("not exported: {e}"),
                });
            }
        }
    }

    /// Opens a bundle now (no question asked); a syntax error keeps the file name and shows
    /// the problem.
    pub fn open(&mut self, path: &Path) {
        self.path = Some(path.to_path_buf());
        let (sidecar, warning) = Sidecar::load(path);
        self.sidecar = sidecar;
        if let Some(w) = warning {
            self.warn(w);
        }
        self.selected = None;
        self.map_path.clear();
        self.document = None;
        self.open_error = None;
        self.undo.clear();
        self.redo.clear();
        self.modified = false;
        self.json_error = None;
        self.find_hits.clear();
        // The debugger starts afresh on the opened bundle: its event, payload and re-run.
        self.debug = None;
        self.debug_event = None;
        self.debug_payload = None;
        self.rerun_of = None;
        self.comparison = None;
        self.message = None;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.open_error = Some(format!("cannot read {}: {e}", path.display()));
                self.diagnostics.clear();
                self.rows.clear();
                self.states.clear();
                self.graph = None;
                return;
            }
        };
        self.prefs.touch(path);
        self.save_prefs();
        self.load_text(text, Some(path));
        self.remember_disk();
    }

    pub(crate) fn load_text(&mut self, text: String, path: Option<&Path>) {
        (self.diagnostics, self.shapes) =
            crate::core::shapes::validate_text_with(&text, &self.sidecar, &self.run_settings());
        match Document::parse(text) {
            Ok(doc) => self.document = Some(doc),
            Err(e) => {
                let name = path.map_or("new bundle".into(), |p| p.display().to_string());
                self.open_error = Some(format!("{name}:{e}"));
            }
        }
        self.rows = self.build_rows();
        let first = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow)
            .or(self.rows.first())
            .map(|r| r.key.clone());
        self.select(first);
    }

    /// Starts a new bundle from [`NEW_BUNDLE`], not saved anywhere yet.
    pub fn new_bundle(&mut self) {
        self.path = None;
        self.sidecar = Sidecar::default();
        self.document = None;
        self.open_error = None;
        self.undo.clear();
        self.redo.clear();
        self.map_path.clear();
        self.selected = None;
        self.load_text(NEW_BUNDLE.to_string(), None);
        self.modified = true;
    }

    pub(crate) fn ask_then(&mut self, pending: Pending) {
        if self.modified {
            self.prompt = Some(pending);
        } else {
            self.proceed(pending);
        }
    }

    pub(crate) fn proceed(&mut self, pending: Pending) {
        match pending {
            Pending::Open(path) => self.open(&path),
            Pending::New => self.new_bundle(),
            Pending::Close => self.close_now = true,
        }
    }

    pub(crate) fn answer(&mut self, answer: PromptAnswer) {
        let Some(pending) = self.prompt.take() else {
            return;
        };
        match answer {
            PromptAnswer::Cancel => {}
            PromptAnswer::Discard => {
                self.drop_recovery();
                self.proceed(pending);
            }
            PromptAnswer::Save => {
                if self.path.is_none() {
                    // The window asks for a file name; the pending action waits for it.
                    self.prompt = Some(pending);
                    self.want_save_as = true;
                } else if self.save() {
                    self.proceed(pending);
                }
            }
        }
    }

    /// Writes the bundle to its file: only the edited parts of the text change. `false` (and
    /// a message) when it cannot.
    pub fn save(&mut self) -> bool {
        let Some(path) = self.path.clone() else {
            self.want_save_as = true;
            return false;
        };
        self.save_as(&path)
    }

    /// Writes the bundle to `path`, which becomes its file.
    pub fn save_as(&mut self, path: &Path) -> bool {
        if self.document.is_none() {
            return false;
        }
        let same_file = self.path.as_deref() == Some(path);
        if same_file && self.check_disk() {
            self.message = Some(format!(
                "not saved: {} changed on disk since it was opened; choose Reload or Keep mine first",
                path.display()
            ));
            return false;
        }
        let Some(doc) = &mut self.document else {
            return false;
        };
        let text = doc.render();
        if let Err(e) = crate::core::files::write_atomic(path, text.as_bytes()) {
            self.message = Some(format!("cannot save {}: {e}", path.display()));
            return false;
        }
        if let Err(e) = doc.mark_saved(text) {
            self.message = Some(format!("saved, but cannot read it back: {e}"));
        }
        let moved = !same_file;
        self.drop_recovery();
        self.path = Some(path.to_path_buf());
        self.remember_disk();
        if moved {
            self.save_sidecar();
        }
        self.modified = false;
        self.want_save_as = false;
        self.prefs.touch(path);
        self.save_prefs();
        self.message = Some(format!("saved {}", path.display()));
        self.revalidate();
        if let Some(pending) = self.prompt.take() {
            self.proceed(pending);
        }
        true
    }

    pub(crate) fn save_prefs(&self) {
        if let Err(e) = self.prefs.save(&self.data_dir) {
            tracing::warn!("cannot write preferences: {e}");
        }
    }

    /// The shown graph as an image, with the debugger's path on it when the session runs
    /// this flow.
    pub(crate) fn export_graph(
        &self,
        path: &std::path::Path,
        format: GraphFormat,
    ) -> AppResult<()> {
        let graph = self
            .graph
            .as_ref()
            .ok_or_else(|| AppError::refused("no flow is shown"))?;
        let (visits, taken) = match &self.debug {
            Some(s) if s.flow == graph.flow => (s.visits(), crate::core::export::path_taken(s)),
            _ => Default::default(),
        };
        let svg = crate::core::export::svg(graph, &visits, &taken);
        let bytes = match format {
            GraphFormat::Svg => svg.into_bytes(),
            GraphFormat::Png => crate::core::export::png(&svg, 2.0)?,
        };
        crate::core::files::write_atomic(path, &bytes).map_err(|source| AppError::File {
            action: "write",
            path: path.to_path_buf(),
            source,
        })
    }
}
