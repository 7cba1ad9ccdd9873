//! The shared harness: the window on a bundle with a data folder, and helpers that drive
//! it (typing, dragging, waiting for the debugger's worker).

pub use egui_kittest::{Harness, kittest::Queryable};
pub use std::path::PathBuf;
pub use zis_studio::app::AppState;
pub use zis_studio::ui::window::StudioApp;

pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample_bundles")
        .join(name)
}

pub fn harness(path: PathBuf) -> Harness<'static, StudioApp> {
    harness_in(&path, tempfile::tempdir().unwrap().keep())
}

/// The window on `path` with its stores in the data folder `data`. jq programs go to
/// worker processes of the built binary, as in the app.
pub fn harness_in(path: &std::path::Path, data: PathBuf) -> Harness<'static, StudioApp> {
    harness_sized(path, data, egui::vec2(1280.0, 800.0))
}

/// The window on `path` at 1600×1000, where the sample flows fit at a zoom that draws
/// every node whole (pins, labels, badges); at 1280×800 some fit in the far view.
pub fn harness_wide(path: PathBuf) -> Harness<'static, StudioApp> {
    harness_sized(
        &path,
        tempfile::tempdir().unwrap().keep(),
        egui::vec2(1600.0, 1000.0),
    )
}

/// The window on `path` at `size` points.
pub fn harness_sized(
    path: &std::path::Path,
    data: PathBuf,
    size: egui::Vec2,
) -> Harness<'static, StudioApp> {
    zis_engine::jq::set_runner(Box::new(zis_services::jq_worker::WorkerPool::of_binary(
        PathBuf::from(env!("CARGO_BIN_EXE_zis-studio")),
    )));
    let mut state = AppState::new(data);
    state.open(path);
    Harness::builder()
        .with_size(size)
        .with_max_steps(16)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.show(ui),
            StudioApp::new(state),
        )
}

/// Steps frames until the debugger's worker is back.
pub fn wait_for_worker(h: &mut Harness<'static, StudioApp>) {
    let started = std::time::Instant::now();
    h.step();
    while h.state().state.running() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the run did not come back"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
}

pub fn copy_sample(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::copy(sample(name), &file).unwrap();
    (dir, file)
}

pub fn value_at(h: &Harness<'static, StudioApp>, pointer: &str) -> Option<serde_json::Value> {
    h.state()
        .state
        .document
        .as_ref()
        .unwrap()
        .value()
        .pointer(pointer)
        .cloned()
}

pub const SLACK_FLOW: &str = "/resources/notify_urgent/properties/definition/States";

/// Widgets in the graph report rectangles in graph units: this puts them on the screen.
pub fn to_screen(h: &Harness<'static, StudioApp>, p: egui::Pos2) -> egui::Pos2 {
    h.state().graph_transform().expect("a graph on screen") * p
}

/// Focuses the field labelled `label`, selects what it holds and types `text` over it.
pub fn type_into(h: &mut Harness<'static, StudioApp>, label: &str, text: &str) {
    use egui::accesskit::Role;
    let role = [Role::MultilineTextInput, Role::PasswordInput]
        .into_iter()
        .find(|r| h.query_by_role_and_label(*r, label).is_some())
        .unwrap_or(Role::TextInput);
    h.get_by_role_and_label(role, label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run();
}

/// Presses at `from` and moves to `to` in steps, the button still down.
pub fn press_and_move(h: &mut Harness<'static, StudioApp>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.run_steps(2);
    h.drag_at(from);
    h.run_steps(2);
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.run_steps(2);
    }
}

/// Presses at `from`, moves to `to` in steps, releases there.
pub fn drag(h: &mut Harness<'static, StudioApp>, from: egui::Pos2, to: egui::Pos2) {
    press_and_move(h, from, to);
    h.drop_at(to);
    h.run_steps(3);
}
