//! The files the app writes and reads, against the real file system: a bundle changed on
//! disk, recovery copies of unsaved work, sidecar and preferences files that do not parse.

use super::{copy_sample, state_on};
use crate::app::*;
use serde_json::json;

const SLACK: &str = "urgent_ticket_to_slack.json";
const COMMENT: &str = "/resources/notify_urgent/properties/definition/States/IsUrgent/Comment";

/// Changes the file as another program would (a later modification time, another length).
fn edit_on_disk(path: &std::path::Path, text: &str) {
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_bundle_changed_on_disk_is_noticed_and_never_overwritten_silently() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    s.apply(EditCommand::SetField {
        pointer: COMMENT.into(),
        value: Some(json!("mine")),
    });
    let theirs = std::fs::read_to_string(&path).unwrap().replace(
        "\"zis_template_version\"",
        "\"description_by_git\": \"theirs\",\n  \"zis_template_version\"",
    );
    edit_on_disk(&path, &theirs);
    assert!(s.check_disk(), "the change is seen");
    assert!(s.warnings.iter().any(|w| w.contains("changed on disk")));
    // Save refuses: their file stays.
    s.apply(FileCommand::Save);
    assert!(
        s.message.as_deref().unwrap().starts_with("not saved"),
        "{:?}",
        s.message
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    // Keep mine: now Save writes the window's version.
    s.apply(FileCommand::KeepMine);
    assert!(s.warnings.is_empty());
    s.apply(FileCommand::Save);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("\"mine\"") && !saved.contains("theirs"),
        "{saved}"
    );
    assert!(
        !s.check_disk(),
        "our own save is not a change by someone else"
    );
}

#[test]
fn reload_takes_the_file_from_disk() {
    let (_dir, path) = copy_sample(SLACK);
    let (_data, mut s) = state_on(&path);
    let theirs = std::fs::read_to_string(&path)
        .unwrap()
        .replace("IsUrgent", "IsItUrgent");
    edit_on_disk(&path, &theirs);
    s.tick();
    assert!(s.disk.changed);
    s.apply(FileCommand::ReloadFromDisk);
    assert!(!s.disk.changed);
    assert!(s.states.iter().any(|st| st.name == "IsItUrgent"));
    assert!(!s.modified);
}

#[test]
fn unsaved_work_survives_a_crash_through_the_recovery_copy() {
    let (_dir, path) = copy_sample(SLACK);
    let data = tempfile::tempdir().unwrap();
    {
        let mut s = AppState::new(data.path().to_path_buf());
        s.open(&path);
        s.apply(EditCommand::SetField {
            pointer: COMMENT.into(),
            value: Some(json!("not saved yet")),
        });
        s.write_recovery();
        // The process dies here: no save, no clean close.
    }
    let copies = crate::core::recovery::list(data.path());
    assert_eq!(copies.len(), 1);
    let mut s = AppState::new(data.path().to_path_buf());
    s.open(&path);
    s.offer_recovery();
    assert!(s.disk.offered.is_some(), "the copy is offered at start");
    s.apply(FileCommand::RestoreRecovery);
    let value = s.document.as_ref().unwrap().value();
    assert_eq!(value.pointer(COMMENT), Some(&json!("not saved yet")));
    assert!(
        s.modified,
        "restored changes are unsaved until the user saves"
    );
    s.apply(FileCommand::Save);
    assert!(
        crate::core::recovery::list(data.path()).is_empty(),
        "saving removes the copy"
    );
}

#[test]
fn discarding_the_offered_copy_deletes_it() {
    let (_dir, path) = copy_sample(SLACK);
    let data = tempfile::tempdir().unwrap();
    let mut s = AppState::new(data.path().to_path_buf());
    s.open(&path);
    s.apply(EditCommand::SetField {
        pointer: COMMENT.into(),
        value: Some(json!("x")),
    });
    s.write_recovery();
    let mut s = AppState::new(data.path().to_path_buf());
    s.offer_recovery();
    s.apply(FileCommand::DiscardRecovery);
    assert!(s.disk.offered.is_none());
    assert!(crate::core::recovery::list(data.path()).is_empty());
}

#[test]
fn a_sidecar_that_does_not_parse_is_moved_aside_with_a_warning() {
    let (dir, path) = copy_sample(SLACK);
    let sidecar = crate::core::graph::Sidecar::path_for(&path);
    std::fs::write(&sidecar, "{\"breakpoints\": {oops").unwrap();
    let (_data, mut s) = state_on(&path);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("sidecar") && w.contains(".broken")),
        "{:?}",
        s.warnings
    );
    let broken = dir.path().join(format!(
        "{}.broken",
        sidecar.file_name().unwrap().to_string_lossy()
    ));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{\"breakpoints\": {oops",
        "the user's file is kept as it was"
    );
    // The next sidecar write does not touch the broken one.
    s.apply(BreakpointCommand::ToggleBreakpoint(Some("IsUrgent".into())));
    assert!(sidecar.exists());
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{\"breakpoints\": {oops"
    );
}

#[test]
fn preferences_that_do_not_parse_are_moved_aside_with_a_warning() {
    let data = tempfile::tempdir().unwrap();
    let prefs = data.path().join(crate::core::prefs::FILE);
    std::fs::write(&prefs, "[1,").unwrap();
    let s = AppState::new(data.path().to_path_buf());
    assert!(
        s.warnings.iter().any(|w| w.contains("preferences")),
        "{:?}",
        s.warnings
    );
    assert_eq!(
        std::fs::read_to_string(data.path().join("preferences.json.broken")).unwrap(),
        "[1,"
    );
}

#[test]
fn warnings_and_failures_shown_to_the_user_reach_the_log_file() {
    // The one test of this process that sets up logging (it is global).
    let data = tempfile::tempdir().unwrap();
    crate::core::logging::init(Some(data.path()));
    tracing::warn!("a warning for the log file");
    tracing::info!("not in the log file");
    let (_dir, path) = copy_sample(SLACK);
    let mut s = AppState::new(data.path().to_path_buf());
    s.open(&path);
    s.apply(StoresCommand::PutConfig {
        scope: "x".into(),
        text: "{oops".into(),
    });
    s.apply(FileCommand::ExportReport(data.path().join("r.html")));
    let log = std::fs::read_to_string(crate::core::logging::log_path(data.path())).unwrap();
    assert!(log.contains("a warning for the log file"), "{log}");
    assert!(!log.contains("not in the log file"), "{log}");
    assert!(log.contains("the config does not parse: 1:2"), "{log}");
    assert!(
        log.contains("not exported: start a run in the Debugger first"),
        "{log}"
    );
}
