//! `--setting NAME=VALUE` on `run`, `test` and a test file's `settings`: the settings for
//! behaviours ZIS does not document reach headless runs, and bad ones are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

/// A Jq transform whose Parameters name a path the event does not have: a missing `{{ }}`
/// placeholder is an error by default, an empty string with `missing_placeholder=empty`.
const BUNDLE: &str = r#"{"zis_template_version": "2019-10-14", "name": "s", "description": "",
  "resources": {
  "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
    "StartAt": "Shape", "States": {
      "Shape": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
        "Parameters": {"data.$": "x{{$.input.nope}}", "expr": "."},
        "ResultPath": "$.out", "End": true}}}}},
  "job": {"type": "ZIS::JobSpec", "properties": {"name": "job", "event_source": "support",
    "event_type": "ticket.TicketCreated", "flow_name": "zis:s:flow:flow"}}}}"#;

fn zis(args: &[&str], data: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `args` with `--format json` and each setting, on a fresh data folder (no store left
/// from a run before): the exit code and the report.
fn run_json(args: &[&str], settings: &[&str]) -> (i32, serde_json::Value) {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    for s in settings {
        args.extend(["--setting", s]);
    }
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = zis(&args, data.path());
    let v = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v)
}

#[test]
fn a_setting_changes_a_headless_run_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("s.json");
    std::fs::write(&bundle, BUNDLE).unwrap();
    let b = bundle.to_str().unwrap();
    let (code, out, err) = zis(
        &["run", b, "--flow", "flow", "--format", "json"],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("States.Runtime"), "{out}");
    let (code, out, err) = zis(
        &[
            "run",
            b,
            "--flow",
            "flow",
            "--format",
            "json",
            "--setting",
            "missing_placeholder=empty",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["output"]["out"], "x");
    let (code, _, err) = zis(
        &[
            "run",
            b,
            "--flow",
            "flow",
            "--setting",
            "missing_placeholder=maybe",
        ],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("missing_placeholder: \"maybe\" is not error or empty"),
        "{err}"
    );
    let (code, _, err) = zis(
        &["run", b, "--flow", "flow", "--setting", "nope=1"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("no setting named \"nope\""), "{err}");
}

#[test]
fn a_test_file_s_settings_and_test_setting_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), BUNDLE).unwrap();
    let tests = dir.path().join("s.tests.json");
    std::fs::write(
        &tests,
        r#"{"bundle": "s.json", "tests": [
          {"name": "empty placeholders", "flow": "flow",
           "settings": {"missing_placeholder": "empty"},
           "expect": {"status": "succeeded", "output": {"$.out": "x"}}}]}"#,
    )
    .unwrap();
    let t = tests.to_str().unwrap();
    let (code, out, err) = zis(&["test", t], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    // The command line's setting wins over the file's.
    let (code, out, _) = zis(
        &["test", t, "--setting", "missing_placeholder=error"],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 failed"), "{out}");
}

#[test]
fn serve_refuses_a_bad_setting_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = zis(
        &["serve", "--port", "0", "--setting", "retries=lots"],
        dir.path(),
    );
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("retries: \"lots\" is not a number"), "{err}");
}

#[test]
fn the_readme_documents_every_setting_with_its_default() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for s in zis_services::settings::SETTINGS {
        let row = format!("| `{}` | {} |", s.name, s.default);
        assert!(readme.contains(&row), "the README has no row {row}");
    }
}

#[test]
fn built_in_behaviours_zis_leaves_open_are_settings() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b.json");
    std::fs::write(
        &bundle,
        r#"{"zis_template_version": "2019-10-14", "name": "b", "description": "", "resources": {
      "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
        "StartAt": "Many", "States": {
          "Many": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
            "Parameters": {"data": [1, 2], "expr": ".[]"}, "ResultPath": "$.many", "Next": "Patch"},
          "Patch": {"Type": "Action", "ActionName": "zis:common:action:PatchConfig",
            "Parameters": {"scope": "fresh", "config": {"a": 1}}, "ResultPath": null, "End": true}}}}}}}"#,
    )
    .unwrap();
    let b = bundle.to_str().unwrap();
    let run = |settings: &[&str]| run_json(&["run", b, "--flow", "flow"], settings);
    let (code, v) = run(&[]);
    assert_eq!(code, 1);
    assert!(v["cause"].as_str().unwrap().contains("2 outputs"), "{v}");
    let (code, v) = run(&["jq_multiple_outputs=array"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["output"]["many"], serde_json::json!([1, 2]));
    assert_eq!(
        v["store"]["configs"]["fresh"]["a"], 1,
        "PatchConfig created the scope"
    );
    let (code, v) = run(&[
        "jq_multiple_outputs=first",
        "patch_config_missing_scope=error",
    ]);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["cause"]
            .as_str()
            .unwrap()
            .contains("no config found for scope 'fresh'"),
        "{v}"
    );
}

#[test]
fn zis_studio_test_takes_the_bundle_s_own_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), BUNDLE).unwrap();
    std::fs::write(
        dir.path().join("s.json.zis-studio.json"),
        r#"{"layout": {}, "settings": {"missing_placeholder": "empty"}}"#,
    )
    .unwrap();
    let tests = dir.path().join("s.tests.json");
    std::fs::write(
        &tests,
        r#"{"bundle": "s.json", "tests": [{"name": "empty by the bundle's setting", "flow": "flow",
           "expect": {"status": "succeeded", "output": {"$.out": "x"}}}]}"#,
    )
    .unwrap();
    let (code, out, err) = zis(&["test", tests.to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn link_and_envelope_behaviours_are_settings() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("l.json");
    std::fs::write(
        &bundle,
        r#"{"zis_template_version": "2019-10-14", "name": "l", "description": "", "resources": {
      "flow": {"type": "ZIS::Flow", "properties": {"name": "flow", "definition": {
        "StartAt": "One", "States": {
          "One": {"Type": "Action", "ActionName": "zis:common:action:CreateLink",
            "Parameters": {"link_type": "t", "left_object": {"name": "a"}, "right_object": {"name": "b"}},
            "ResultPath": "$.one", "Next": "Two"},
          "Two": {"Type": "Action", "ActionName": "zis:common:action:CreateLink",
            "Parameters": {"link_type": "t", "left_object": {"name": "a"}, "right_object": {"name": "b"}},
            "ResultPath": "$.two", "End": true}}}}}}}"#,
    )
    .unwrap();
    let fixtures = dir.path().join("f.json");
    std::fs::write(
        &fixtures,
        r#"{"connections": [{"name": "zendesk", "kind": "oauth", "access_token": "tok-1", "allowed_domain": "acme.zendesk.com"}]}"#,
    )
    .unwrap();
    let (b, f) = (bundle.to_str().unwrap(), fixtures.to_str().unwrap());
    let run =
        |settings: &[&str]| run_json(&["run", b, "--flow", "flow", "--fixtures", f], settings);
    let (code, v) = run(&[]);
    assert_eq!(code, 1, "a duplicate link fails by default: {v}");
    assert!(v["steps"][0]["input"]["connections"]["zendesk"].is_object());
    let (code, v) = run(&["duplicate_link=return_it", "connections_in_input=false"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(
        v["output"]["two"]["link"]["uuid"],
        v["output"]["one"]["link"]["uuid"]
    );
    assert!(v["steps"][0]["input"].get("connections").is_none(), "{v}");
}
