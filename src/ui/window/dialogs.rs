//! The window's dialogs: file names (the system's dialog off the UI thread, or a path window
//! when there is none and in tests), the unsaved-changes question, and the questions about
//! the file on disk (changed by another program; a recovery copy from a crash).

use super::StudioApp;
use crate::app::{Command, ExecutionsCommand, FileCommand, Pending, PromptAnswer};
use egui::{Key, RichText};
use std::path::PathBuf;
use std::sync::mpsc;

/// What a file-name question is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open a bundle.
    Open,
    /// Save the bundle under a new name.
    SaveAs,
    /// Export the opened execution.
    ExportExecution,
    /// Open an exported execution.
    ImportExecution,
    /// Export the shown graph as SVG.
    ExportSvg,
    /// Export the shown graph as PNG.
    ExportPng,
    /// Export the debugger's execution as an HTML report.
    ExportReport,
}

impl PathPurpose {
    pub(super) fn command(self, path: PathBuf) -> Command {
        let c: Command = match self {
            Self::Open => FileCommand::Open(path).into(),
            Self::SaveAs => FileCommand::SaveAs(path).into(),
            Self::ExportExecution => ExecutionsCommand::ExportExecution(path).into(),
            Self::ImportExecution => ExecutionsCommand::ImportExecution(path).into(),
            Self::ExportSvg => FileCommand::ExportGraph(path, crate::app::GraphFormat::Svg).into(),
            Self::ExportPng => FileCommand::ExportGraph(path, crate::app::GraphFormat::Png).into(),
            Self::ExportReport => FileCommand::ExportReport(path).into(),
        };
        c
    }

    /// The file type it asks for: filter name, extension, default file name.
    pub(super) fn file_type(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Open | Self::SaveAs => ("ZIS bundle", "json", "bundle.json"),
            Self::ExportExecution | Self::ImportExecution => {
                ("Execution", "json", "execution.json")
            }
            Self::ExportSvg => ("SVG image", "svg", "flow.svg"),
            Self::ExportPng => ("PNG image", "png", "flow.png"),
            Self::ExportReport => ("HTML report", "html", "execution.html"),
        }
    }
}

/// The system dialog at work: what for, since when, and where its answer arrives.
pub(super) type DialogAnswer = mpsc::Receiver<Option<PathBuf>>;

impl StudioApp {
    /// Asks for a file name: the system's dialog off the UI thread, or the path window.
    pub fn ask_path(&mut self, purpose: PathPurpose) {
        let (filter, ext, default_name) = purpose.file_type();
        let default_name = match (&self.state.graph, purpose) {
            (
                Some(g),
                PathPurpose::ExportSvg | PathPurpose::ExportPng | PathPurpose::ExportReport,
            ) => {
                format!("{}.{ext}", g.flow)
            }
            _ => default_name.to_string(),
        };
        if !self.native_dialogs {
            let start = match purpose {
                PathPurpose::Open | PathPurpose::SaveAs => self
                    .state
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                _ => self
                    .state
                    .path
                    .as_ref()
                    .and_then(|p| p.parent())
                    .map(|d| d.join(&default_name).display().to_string())
                    .unwrap_or(default_name),
            };
            self.path_window = Some((purpose, start, None));
            return;
        }
        let (tx, rx) = mpsc::channel();
        let dir = self
            .state
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(std::path::Path::to_path_buf);
        std::thread::spawn(move || {
            let mut d = rfd::FileDialog::new().add_filter(filter, &[ext]);
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            let picked = match purpose {
                PathPurpose::Open | PathPurpose::ImportExecution => d.pick_file(),
                _ => d.set_file_name(default_name).save_file(),
            };
            let _ = tx.send(picked);
        });
        self.dialog = Some((purpose, std::time::Instant::now(), rx));
    }

    pub(super) fn poll_dialog(&mut self) {
        let Some((purpose, started, rx)) = &self.dialog else {
            return;
        };
        let (purpose, started) = (*purpose, *started);
        match rx.try_recv() {
            Ok(Some(path)) => {
                self.dialog = None;
                self.pending.push(purpose.command(path));
            }
            Ok(None) | Err(mpsc::TryRecvError::Disconnected) => {
                self.dialog = None;
                // No dialog could open (no portal, no zenity): ask in the window.
                if started.elapsed() < std::time::Duration::from_millis(400) {
                    self.path_window = Some((
                        purpose,
                        String::new(),
                        Some("No system file dialog is available; type the path.".into()),
                    ));
                } else if self.state.prompt.is_some() {
                    self.pending.push(FileCommand::Answer(PromptAnswer::Cancel));
                }
            }
            Err(mpsc::TryRecvError::Empty) => {}
        }
    }

    pub(super) fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some(pending) = &self.state.prompt else {
            return;
        };
        let what = match pending {
            Pending::Open(p) => format!("before opening {}", p.display()),
            Pending::New => "before starting a new bundle".into(),
            Pending::Close => "before closing".into(),
        };
        let name = self
            .state
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or("the new bundle".into(), |n| n.to_string_lossy().to_string());
        let out = &mut self.pending;
        egui::Modal::new(egui::Id::new("unsaved_prompt")).show(ctx, |ui| {
            ui.set_width(380.0);
            ui.heading("Unsaved changes");
            ui.label(format!("Save the changes to {name} {what}?"));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    out.push(FileCommand::Answer(PromptAnswer::Save));
                }
                if ui.button("Don't save").clicked() {
                    out.push(FileCommand::Answer(PromptAnswer::Discard));
                }
                if ui.button("Cancel").clicked() {
                    out.push(FileCommand::Answer(PromptAnswer::Cancel));
                }
            });
        });
    }

    pub(super) fn path_window_ui(&mut self, ctx: &egui::Context) {
        let Some((purpose, text, note)) = &mut self.path_window else {
            return;
        };
        let purpose = *purpose;
        let (title, action) = match purpose {
            PathPurpose::Open => ("Open bundle", "Open file"),
            PathPurpose::SaveAs => ("Save bundle as", "Save file"),
            PathPurpose::ExportExecution => ("Export execution", "Export"),
            PathPurpose::ImportExecution => ("Import execution", "Import"),
            PathPurpose::ExportSvg => ("Export graph as SVG", "Export"),
            PathPurpose::ExportPng => ("Export graph as PNG", "Export"),
            PathPurpose::ExportReport => ("Export execution report", "Export"),
        };
        let mut done = None;
        let mut close = false;
        egui::Modal::new(egui::Id::new("path_window")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading(title);
            if let Some(n) = note {
                ui.label(RichText::new(n.as_str()).weak());
            }
            let label = ui.label("File path");
            let resp = ui
                .add(egui::TextEdit::singleline(text).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            ui.horizontal(|ui| {
                if (ui.button(action).clicked() || enter) && !text.trim().is_empty() {
                    done = Some(PathBuf::from(text.trim()));
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if let Some(path) = done {
            self.path_window = None;
            self.pending.push(purpose.command(path));
        } else if close {
            self.path_window = None;
            if self.state.prompt.is_some() {
                self.pending.push(FileCommand::Answer(PromptAnswer::Cancel));
            }
        }
    }

    /// The recovery copy an earlier run left: Restore or Discard.
    pub(super) fn recovery_ui(&mut self, ctx: &egui::Context) {
        let Some(copy) = &self.state.disk.offered else {
            return;
        };
        let what = copy
            .path
            .as_ref()
            .map_or("a new bundle".to_string(), |p| p.display().to_string());
        let out = &mut self.pending;
        egui::Modal::new(egui::Id::new("recovery_prompt")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("Unsaved changes were recovered");
            ui.label(format!(
                "ZIS Studio closed with unsaved changes to {what}. Restore them?"
            ));
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Restore").clicked() {
                    out.push(FileCommand::RestoreRecovery);
                }
                if ui.button("Discard").clicked() {
                    out.push(FileCommand::DiscardRecovery);
                }
            });
        });
    }

    /// Help › Keyboard shortcuts (every row of the command table with keys) and About.
    pub(super) fn help_ui(&mut self, ctx: &egui::Context) {
        if self.shortcuts_open {
            let mut open = true;
            egui::Window::new("Keyboard shortcuts")
                .open(&mut open)
                .collapsible(false)
                .show(ctx, |ui| {
                    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                        for e in crate::ui::commands::TABLE
                            .iter()
                            .filter(|e| !e.keys.is_empty())
                        {
                            ui.label(e.label);
                            let keys: Vec<String> =
                                e.keys.iter().map(crate::ui::commands::key_text).collect();
                            ui.label(RichText::new(keys.join("  or  ")).monospace());
                            ui.end_row();
                        }
                    });
                    ui.separator();
                    ui.label(RichText::new("On the canvas").strong());
                    egui::Grid::new("mouse").striped(true).show(ui, |ui| {
                        for (what, how) in crate::ui::graph::MOUSE {
                            ui.label(*what);
                            ui.label(RichText::new(*how).monospace());
                            ui.end_row();
                        }
                    });
                });
            self.shortcuts_open = open;
        }
        if self.about_open {
            let mut open = true;
            egui::Window::new("About ZIS Studio")
                .open(&mut open)
                .collapsible(false)
                .show(ctx, |ui| {
                    ui.label(format!("ZIS Studio {}", env!("CARGO_PKG_VERSION")));
                    ui.label("Design, run, debug and test Zendesk Integration Services bundles on the desktop.");
                    ui.label(format!("Data folder: {}", self.state.data_dir.display()));
                });
            self.about_open = open;
        }
    }
}
