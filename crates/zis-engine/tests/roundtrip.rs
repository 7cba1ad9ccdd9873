//! Lossless round-trip on real bundles: load then save gives back the same bytes, canonical
//! files stay canonical, and an edit to one state changes only that state's lines.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::{Value, json};
use std::path::PathBuf;
use zis_engine::document::Document;
use zis_engine::json::write;

fn bundles() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample_bundles");
    let mut dirs = vec![samples];
    if let Some(shared) = common::shared("public_bundles") {
        dirs.push(shared.join("public_bundles"));
    }
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
            // Sidecars (`<bundle>.zis-studio.json`) and flow tests are ZIS Studio's files, not bundles.
            .filter(|f| {
                let name = f.to_string_lossy();
                !name.ends_with(".zis-studio.json") && !name.ends_with(".tests.json")
            })
        {
            out.push((
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&f).unwrap(),
            ));
        }
    }
    assert!(out.len() >= 4, "expected the sample bundles at least");
    out
}

/// Lines [first, last] (0-based, inclusive) that the value at `pointer` spans in `text`.
fn line_range(doc: &Document, text: &str, pointer: &str) -> (usize, usize) {
    let start = doc.line_col(pointer).unwrap().line - 1;
    let parsed = zis_engine::json::parse(text).unwrap();
    let node = parsed.tree.find(text, pointer).unwrap();
    let end = text[..node.span.end].lines().count() - 1;
    (start, end)
}

/// Asserts that `new` differs from `old` only inside lines [first, last] of `old`.
fn assert_changed_only_within(old: &str, new: &str, first: usize, last: usize, what: &str) {
    let o: Vec<&str> = old.lines().collect();
    let n: Vec<&str> = new.lines().collect();
    assert_eq!(
        o[..first],
        n[..first],
        "{what}: lines before the state changed"
    );
    let tail = o.len() - (last + 1);
    assert!(n.len() >= tail);
    assert_eq!(
        o[last + 1..],
        n[n.len() - tail..],
        "{what}: lines after the state changed"
    );
    assert_ne!(old, new, "{what}: the edit changed nothing");
}

#[test]
fn unchanged_bundles_come_back_byte_for_byte() {
    for (name, text) in bundles() {
        let doc = Document::parse(text.clone()).unwrap();
        assert!(!doc.is_modified());
        assert_eq!(doc.render(), text, "{name}");
        // The canonical form is stable and also round-trips byte for byte.
        let canonical = write::canonical(doc.value());
        let again = Document::parse(canonical.clone()).unwrap();
        assert_eq!(again.render(), canonical, "{name} (canonical)");
        assert_eq!(
            write::canonical(again.value()),
            canonical,
            "{name}: canonical is a fixed point"
        );
        // Same value, same key order everywhere.
        assert_eq!(
            serde_json::to_string(again.value()).unwrap(),
            serde_json::to_string(doc.value()).unwrap()
        );
    }
}

fn first_state(value: &Value) -> (String, String) {
    let resources = value["resources"].as_object().unwrap();
    for (key, res) in resources {
        if res["type"] == "ZIS::Flow" {
            let states = res["properties"]["definition"]["States"]
                .as_object()
                .unwrap();
            let name = states.keys().next().unwrap().clone();
            let p = format!(
                "/resources/{}/properties/definition/States/{}",
                zis_engine::json::pointer::escape(key),
                zis_engine::json::pointer::escape(&name)
            );
            return (p, name);
        }
    }
    panic!("no flow");
}

#[test]
fn editing_one_field_changes_only_that_states_lines() {
    for (name, text) in bundles() {
        let (pointer, state) = first_state(&Document::parse(text.clone()).unwrap().value().clone());
        let doc = Document::parse(text.clone()).unwrap();
        let (first, last) = line_range(&doc, &text, &pointer);

        // 1. Change an existing scalar: exactly one line differs.
        let mut edit = doc.clone();
        let field = ["Type", "Next", "ActionName"]
            .into_iter()
            .find(|f| edit.value().pointer(&format!("{pointer}/{f}")).is_some())
            .unwrap();
        let old_value = edit
            .value()
            .pointer(&format!("{pointer}/{field}"))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        assert!(edit.set(
            &format!("{pointer}/{field}"),
            json!(format!("{old_value}Edited"))
        ));
        let saved = edit.render();
        let changed: Vec<_> = text
            .lines()
            .zip(saved.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(
            changed.len(),
            1,
            "{name}: one field edit changed {} lines",
            changed.len()
        );
        assert_eq!(saved.lines().count(), text.lines().count());
        assert_changed_only_within(&text, &saved, first, last, &name);

        // 2. Add a field to the state: only that state's lines change.
        let mut edit = doc.clone();
        edit.value_mut()
            .pointer_mut(&pointer)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("Comment".into(), json!(format!("edited {state}")));
        let saved = edit.render();
        assert_changed_only_within(&text, &saved, first, last, &name);
        let reparsed = Document::parse(saved.clone()).unwrap();
        assert_eq!(
            reparsed.value(),
            edit.value(),
            "{name}: saved text parses to the edited value"
        );

        // 3. Remove a field from the state.
        let mut edit = doc.clone();
        let obj = edit
            .value_mut()
            .pointer_mut(&pointer)
            .unwrap()
            .as_object_mut()
            .unwrap();
        let removable = obj.keys().find(|k| *k != "Type").cloned().unwrap();
        obj.shift_remove(&removable);
        let saved = edit.render();
        assert_changed_only_within(&text, &saved, first, last, &name);
        assert_eq!(Document::parse(saved).unwrap().value(), edit.value());
    }
}

#[test]
fn saving_then_editing_again_uses_the_new_baseline() {
    let (_, text) = bundles().into_iter().next().unwrap();
    let mut doc = Document::parse(text).unwrap();
    doc.set("/name", json!("renamed"));
    let saved = doc.render();
    doc.mark_saved(saved.clone()).unwrap();
    assert!(!doc.is_modified());
    assert_eq!(doc.render(), saved);
}
