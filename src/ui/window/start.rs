//! Starting the window: the default sample, the environment variables for screenshots and
//! demos, and the renderer (wgpu, else OpenGL in a second process).

use super::StudioApp;
use crate::app::{AppState, RemoteCommand, Theme, ViewCommand};
use anyhow::Context as _;
use std::path::PathBuf;

/// The sample bundle opened when no file is named.
pub const DEFAULT_SAMPLE: &str = "sample_bundles/urgent_ticket_to_slack.json";

/// The default sample: next to the working directory, else next to the sources it was built from.
pub fn default_sample() -> PathBuf {
    let local = PathBuf::from(DEFAULT_SAMPLE);
    if local.exists() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_SAMPLE)
}

/// Environment variable that starts the window in the light theme: `ZIS_STUDIO_THEME=light`.
pub const THEME_ENV: &str = "ZIS_STUDIO_THEME";

/// Environment variable naming a state to select at start (screenshots and demos).
pub const SELECT_ENV: &str = "ZIS_STUDIO_SELECT_STATE";

/// Environment variable opening an account window at start: `deploy` or `open`
/// (screenshots and demos).
pub const WINDOW_ENV: &str = "ZIS_STUDIO_WINDOW";

/// Environment variable that picks the renderer: `wgpu` (default) or `glow` (OpenGL).
pub const RENDERER_ENV: &str = "ZIS_STUDIO_RENDERER";

/// Opens the window: `bundle`, or the default sample, with stores in the data folder.
///
/// eframe does not fall back from wgpu to OpenGL by itself, and a failed event loop cannot
/// be made again in the same process, so when wgpu fails the app starts itself once more
/// with `ZIS_STUDIO_RENDERER=glow`.
pub fn run(bundle: Option<PathBuf>, data: Option<PathBuf>) -> anyhow::Result<()> {
    let data_dir = crate::core::data_dir::prepare(data.as_deref())?;
    let mut state = AppState::new(data_dir);
    let path = bundle.unwrap_or_else(default_sample);
    state.open(&path);
    state.offer_recovery();
    if let Ok(t) = std::env::var(THEME_ENV) {
        state.theme = if t.eq_ignore_ascii_case("light") {
            Theme::Light
        } else {
            Theme::Dark
        };
    }
    // For screenshots and demos: start with a state selected in the inspector.
    if let Ok(name) = std::env::var(SELECT_ENV) {
        state.apply(ViewCommand::SelectState(Some(name)));
    }
    match std::env::var(WINDOW_ENV).as_deref() {
        Ok("deploy") => state.apply(RemoteCommand::ShowRemote(Some(
            crate::app::remote::RemoteWindow::Deploy,
        ))),
        Ok("open") => state.apply(RemoteCommand::ShowRemote(Some(
            crate::app::remote::RemoteWindow::Open,
        ))),
        _ => {}
    }
    let forced = std::env::var(RENDERER_ENV).ok();
    let renderer = match forced.as_deref() {
        Some("glow") => eframe::Renderer::Glow,
        _ => eframe::Renderer::Wgpu,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("ZIS Studio")
            .with_inner_size([1280.0, 800.0]),
        renderer,
        ..Default::default()
    };
    let mut slot = Some(state);
    let result = eframe::run_native(
        "zis-studio",
        options,
        Box::new(|_cc| {
            let mut app = StudioApp::new(slot.take().unwrap_or_default());
            app.native_dialogs = true;
            Ok(Box::new(app))
        }),
    );
    let Err(e) = result else { return Ok(()) };
    let message = e.to_string();
    if forced.is_some() || message.contains("X server") || message.contains("Wayland") {
        return Err(anyhow::anyhow!("{message}"))
            .context("cannot open a window (is a display available?)");
    }
    tracing::warn!("the wgpu renderer failed ({message}); starting again with OpenGL");
    let exe =
        std::env::current_exe().context("cannot find the zis-studio executable to restart it")?;
    let status = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(RENDERER_ENV, "glow")
        .status()
        .context("cannot restart zis-studio with OpenGL")?;
    if status.success() {
        Ok(())
    } else {
        anyhow::bail!("zis-studio with OpenGL exited with {status}")
    }
}
