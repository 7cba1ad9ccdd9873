//! Round trip: every public and sample bundle, edited through the window, changes only the
//! edited state.

use crate::harness::*;

pub fn public_bundles() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/public_bundles");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipped the public bundles: {} is absent (CI always has it)",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn editing_any_bundle_through_the_window_changes_only_the_edited_state() {
    let mut files = public_bundles();
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_bundles");
    let mut own: Vec<PathBuf> = std::fs::read_dir(samples)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().contains("zis-studio")
                && !p.to_string_lossy().ends_with(".tests.json")
        })
        .collect();
    own.sort();
    files.extend(own);
    let mut edited = 0;
    for source in &files {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(source.file_name().unwrap());
        std::fs::copy(source, &file).unwrap();
        let original = std::fs::read_to_string(&file).unwrap();
        let mut h = harness(file.clone());
        h.run();
        let first = h.state().state.states.first().map(|s| s.name.clone());
        let Some(state) = first else {
            // Nothing to edit (no flow, or a file that does not open): saving writes it back
            // byte for byte.
            h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
            h.run();
            assert_eq!(
                std::fs::read_to_string(&file).unwrap(),
                original,
                "{}",
                source.display()
            );
            eprintln!("{}: no state to edit, saved unchanged", source.display());
            continue;
        };
        // Choose the state in the inspector's list and give it a comment through the form.
        h.query_all_by_label(&state)
            .next()
            .unwrap()
            .click_accesskit();
        h.run();
        assert_eq!(
            h.state().state.selected_state.as_deref(),
            Some(state.as_str())
        );
        type_into(&mut h, "Comment", "edited in ZIS Studio");
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
        h.run();
        assert!(!h.state().state.modified, "{}", source.display());
        let saved = std::fs::read_to_string(&file).unwrap();
        // The value is the original plus the comment...
        let pointer = h.state().state.state_pointer(&state).unwrap();
        let mut expected: serde_json::Value = serde_json::from_str(&original).unwrap();
        expected
            .pointer_mut(&pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("Comment".into(), "edited in ZIS Studio".into());
        let got: serde_json::Value = serde_json::from_str(&saved).unwrap();
        assert_eq!(got, expected, "{}", source.display());
        // ...and every byte outside that state's object is the original's.
        let parsed = zis_engine::json::parse(&original).unwrap();
        let span = parsed.tree.find(&original, &pointer).unwrap().span;
        let tail = original.len() - span.end;
        assert_eq!(
            &saved[..span.start],
            &original[..span.start],
            "{}",
            source.display()
        );
        assert_eq!(
            &saved[saved.len() - tail..],
            &original[span.end..],
            "{}",
            source.display()
        );
        let changed = saved.lines().count() as isize - original.lines().count() as isize;
        eprintln!(
            "{}: commented {state}, {changed:+} line(s), outside the state byte-identical",
            source.file_name().unwrap().to_string_lossy()
        );
        edited += 1;
    }
    assert!(edited >= 4, "edited {edited} bundles");
}
