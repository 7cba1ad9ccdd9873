//! Shape inference on real bundles: no finding on a path that resolves when the flow runs
//! on its catalog sample (the good public bundles are the check against false alarms), and
//! planted bugs found by `validate` with their codes at their pointers.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use zis_engine::actions::memory::MemoryLinks;
use zis_engine::actions::{Builtins, MergeMode};
use zis_engine::model::{Bundle, QualifiedName, ResourceBody};
use zis_engine::run::StatesError;
use zis_engine::run::dataflow::eval_path;
use zis_engine::run::execution::{ActionExecutor, Execution, Settings};
use zis_engine::template;
use zis_engine::validate::Code;
use zis_services::catalog::{self, Account};
use zis_studio::core::fuzz::EmptyConfigs;
use zis_studio::core::shapes;
use zis_studio::core::sidecar::Sidecar;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bundles() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("sample_bundles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".json") && !n.ends_with(".tests.json") && !n.ends_with(".zis-studio.json")
        })
        .collect();
    match std::fs::read_dir(root().join("../shared/public_bundles")) {
        Ok(entries) => out.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json")),
        ),
        Err(_) => eprintln!("skipped the public bundles: ../shared/public_bundles is absent"),
    }
    out.sort();
    out
}

/// Custom actions answer their sidecar sample, else `{}`.
struct Samples<'s>(&'s Sidecar);

impl ActionExecutor for Samples<'_> {
    fn execute(&mut self, action: &str, _: &Value) -> Result<Value, StatesError> {
        Ok(self
            .0
            .action_samples
            .get(action)
            .cloned()
            .unwrap_or(json!({})))
    }
}

/// The paths written at `pointer` in the bundle: a path, or a string's placeholders.
fn paths_at(bundle: &Value, pointer: &str) -> Vec<String> {
    match bundle.pointer(pointer) {
        Some(Value::String(s)) if template::has_placeholders(s) => template::placeholders(s)
            .unwrap()
            .into_iter()
            .map(|p| p.path.to_string())
            .collect(),
        Some(Value::String(s)) => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

#[test]
fn no_finding_on_a_path_that_resolves_when_the_flow_runs_on_its_catalog_sample() {
    let (mut checked, mut confirmed, mut flows) = (0, 0, 0);
    let mut false_alarms = Vec::new();
    for path in bundles() {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let (sidecar, _) = Sidecar::load(&path);
        let inferred = shapes::infer(&value, &sidecar);
        let (bundle, _) = Bundle::from_value(&value);
        for (res, def) in bundle.flows() {
            let Some(event) = bundle.resources.iter().find_map(|r| match &r.body {
                ResourceBody::JobSpec(j)
                    if QualifiedName::parse(j.flow_name?)?.name == res.name? =>
                {
                    catalog::find(j.event_source?, j.event_type?)
                }
                _ => None,
            }) else {
                continue;
            };
            flows += 1;
            let input = catalog::envelope(&Account::default(), catalog::sample_input(event));
            let definition = value.pointer(&def.pointer).unwrap().clone();
            let mut exec = Execution::new(definition, input, Settings::zis()).unwrap();
            let (mut configs, mut links, mut custom) =
                (EmptyConfigs, MemoryLinks::default(), Samples(&sidecar));
            let mut actions = Builtins {
                configs: &mut configs,
                links: &mut links,
                custom: &mut custom,
                merge: MergeMode::MergePatch,
                options: Default::default(),
                jq: Default::default(),
                time_left: None,
            };
            let history = exec.run(&mut actions);
            for finding in &inferred.flows[res.key].findings {
                // The state the finding is in, and the field (the data it reads is the
                // state's input after InputPath for these).
                let Some(rest) = finding
                    .pointer
                    .strip_prefix(&format!("{}/States/", def.pointer))
                else {
                    continue;
                };
                let (state, field) = rest.split_once('/').unwrap_or((rest, ""));
                let reads_input = [
                    "Parameters",
                    "Choices",
                    "ItemsPath",
                    "SecondsPath",
                    "Message",
                ]
                .iter()
                .any(|f| field.starts_with(f));
                if !reads_input {
                    continue;
                }
                let owner = finding.pointer.rsplit_once('/').map_or("", |(p, _)| p);
                let texts = if finding.code == Code::ChoiceType {
                    paths_at(&value, &format!("{owner}/Variable"))
                } else {
                    paths_at(&value, &finding.pointer)
                };
                for e in history
                    .iter()
                    .filter(|e| e.state == state && e.frames.is_empty())
                {
                    checked += 1;
                    let data = e.after_input_path.as_deref().unwrap_or(&e.input);
                    let resolves = texts.iter().all(|t| eval_path(t, data, None).is_ok());
                    let op = finding.pointer.rsplit('/').next().unwrap_or("");
                    let wrong_type = texts.first().is_some_and(|t| {
                        let v = eval_path(t, data, None).unwrap_or(Value::Null);
                        (op.starts_with("String") && !v.is_string())
                            || (op.starts_with("Numeric") && !v.is_number())
                            || (op.starts_with("Boolean") && !v.is_boolean())
                    });
                    if finding.code == Code::ChoiceType {
                        if wrong_type {
                            confirmed += 1;
                        } else {
                            false_alarms.push(format!("{}: {finding:?}", path.display()));
                        }
                    } else if resolves {
                        false_alarms.push(format!("{}: {finding:?} on {data}", path.display()));
                    } else {
                        confirmed += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{flows} flows run on their catalog samples; {checked} findings met by the run, {confirmed} confirmed by it"
    );
    // The good public bundles whose flows run clean have no finding at all.
    for name in [
        "tsanetgit__Zendesk__tsanet_connect_bundle.json",
        "tylercarty-cloud__survey-launcher__zis_bundle.json",
    ] {
        let path = root().join("../shared/public_bundles").join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped {name}: ../shared/public_bundles is absent");
            continue;
        };
        let (found, _) = shapes::validate_text(&text, &Sidecar::default());
        let shape_findings: Vec<_> = found.iter().filter(|d| d.code.id() >= "W016").collect();
        assert!(shape_findings.is_empty(), "{name}: {shape_findings:?}");
    }
    assert!(flows >= 4, "too few flows ran: {flows}");
    assert!(
        false_alarms.is_empty(),
        "false alarms:\n{}",
        false_alarms.join("\n")
    );
}

fn urgent() -> (PathBuf, Value) {
    let path = root().join("sample_bundles/urgent_ticket_to_slack.json");
    let v = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, v)
}

const FLOW: &str = "/resources/notify_urgent/properties/definition/States";

/// Breaks one thing in a clean sample; the finding's code at its pointer, and its message.
fn planted(pointer: &str, new: Value) -> Vec<(String, String, String)> {
    let (_, mut v) = urgent();
    *v.pointer_mut(pointer).unwrap() = new;
    let text = serde_json::to_string_pretty(&v).unwrap();
    let (found, shapes) = shapes::validate_text(&text, &Sidecar::default());
    assert!(shapes.is_some());
    found
        .into_iter()
        .filter(|d| d.code.id().starts_with("W01") && d.code.id() >= "W016")
        .map(|d| {
            assert!(d.line > 0, "no position: {d:?}");
            (d.code.id().to_string(), d.pointer, d.message)
        })
        .collect()
}

#[test]
fn the_clean_sample_has_no_finding_and_each_planted_bug_is_found_at_its_pointer() {
    let (_, v) = urgent();
    let text = serde_json::to_string_pretty(&v).unwrap();
    let (clean, _) = shapes::validate_text(&text, &Sidecar::default());
    assert!(clean.iter().all(|d| d.code.id() < "W016"), "{clean:?}");

    // A misspelt field.
    let at = format!("{FLOW}/IsUrgent/Choices/0/And/0/Variable");
    let found = planted(&at, json!("$.input.ticket_event.ticket.priorty"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("W016", at.as_str())
    );
    assert_eq!(
        found[0].2,
        "`$.input.ticket_event.ticket.priorty` is not in a support/ticket.TicketCreated event: `ticket` has `priority`"
    );

    // A path into a field that may be null.
    let at = format!("{FLOW}/LoadSettings/Parameters");
    let found = planted(
        &at,
        json!({"scope.$": "slack_settings_{{$.input.ticket_event.ticket.external_id.system}}"}),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "W017");
    assert_eq!(found[0].1, format!("{at}/scope.$"));
    assert!(
        found[0]
            .2
            .contains("`$.input.ticket_event.ticket.external_id` may be null in a support/ticket.TicketCreated event"),
        "{}",
        found[0].2
    );

    // A number compared with StringEquals.
    let at = format!("{FLOW}/IsUrgent/Choices/1");
    let found = planted(
        &at,
        json!({"Variable": "$.input.ticket_event.ticket.requester_id", "StringEquals": "9001", "Next": "BuildMessage"}),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "W018");
    assert_eq!(found[0].1, format!("{at}/StringEquals"));
    assert!(found[0].2.contains("is a number"), "{}", found[0].2);

    // A Map over something that is not an array.
    let at = format!("{FLOW}/NotUrgent");
    let found = planted(
        &at,
        json!({"Type": "Map", "ItemsPath": "$.input.ticket_event.ticket.id", "Iterator": {
            "StartAt": "E", "States": {"E": {"Type": "Succeed"}}}, "End": true}),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("W019", format!("{at}/ItemsPath").as_str())
    );
}

/// `zis-studio [global] validate --format json FILE`: the findings of one code.
fn validated(global: &[&str], file: &std::path::Path, code: &str) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(global)
        .args(["validate", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .cloned()
        .collect()
}

#[test]
fn validate_prints_the_findings_with_positions_and_reads_webhook_samples_from_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = urgent();
    *v.pointer_mut(&format!("{FLOW}/IsUrgent/Choices/0/And/0/Variable"))
        .unwrap() = json!("$.input.ticket_event.ticket.priorty");
    // The job spec now names an inbound webhook: unknown without a sample, so silent.
    v["resources"]["notify_urgent_job"]["properties"]["event_source"] = json!("shopco");
    v["resources"]["notify_urgent_job"]["properties"]["event_type"] = json!("order_update");
    let file = dir.path().join("b.json");
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let run = || validated(&[], &file, "W016");
    assert!(
        run().is_empty(),
        "an unknown webhook payload gave a finding"
    );
    let sidecar = Sidecar {
        event_samples: [(
            "shopco/order_update".to_string(),
            json!({"order": {"id": 7}}),
        )]
        .into(),
        ..Sidecar::default()
    };
    sidecar.save(&file).unwrap();
    let found = run();
    assert!(!found.is_empty());
    assert!(found[0]["line"].as_u64().unwrap() > 0);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("is not in a shopco/order_update webhook event: `input` has no `ticket_event`; it has `order`"),
        "{found:?}"
    );
}

#[test]
fn validate_follows_the_data_folder_s_settings_then_the_bundle_s_then_setting() {
    // `note` is set on one way only; a placeholder that finds nothing fails only with
    // missing_placeholder=error (ZIS's default).
    let dir = tempfile::tempdir().unwrap();
    let bundle = json!({"zis_template_version": "2019-10-14", "name": "notes", "resources": {
        "job": {"type": "ZIS::JobSpec", "properties": {"name": "job", "event_source": "support",
                "event_type": "ticket.TicketCreated", "flow_name": "zis:notes:flow:f"}},
        "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
            "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.input.ticket_event.ticket.status",
                      "StringEquals": "new", "Next": "Tag"}], "Default": "Done"},
                "Tag": {"Type": "Pass", "Result": "first", "ResultPath": "$.note", "Next": "Done"},
                "Done": {"Type": "Succeed", "Message": "note={{$.note}}"}}}}}}});
    let file = dir.path().join("notes.json");
    std::fs::write(&file, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let data = dir.path().join("data");
    let warnings = |extra: &[&str]| validated(extra, &file, "W017").len();
    let data_arg = data.to_str().unwrap();
    assert_eq!(warnings(&[]), 1);
    assert_eq!(warnings(&["--data", data_arg]), 1);
    assert!(
        !data.exists(),
        "validating created a data folder that was not there"
    );
    std::fs::create_dir_all(&data).unwrap();
    let db = zis_services::db::Db::open(&data.join("zis-studio.sqlite")).unwrap();
    zis_services::settings::store(&db, "missing_placeholder", Some("empty")).unwrap();
    drop(db);
    assert_eq!(
        warnings(&["--data", data_arg]),
        0,
        "the data folder's setting"
    );
    assert_eq!(warnings(&[]), 1, "without --data the folder is not read");
    let override_ = [
        "--data",
        data_arg,
        "validate",
        "--setting",
        "missing_placeholder=error",
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(override_)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("warning[W017]"),
        "--setting wins over the data folder's"
    );
    let sidecar = Sidecar {
        settings: [("missing_placeholder".to_string(), "error".to_string())].into(),
        ..Sidecar::default()
    };
    sidecar.save(&file).unwrap();
    assert_eq!(
        warnings(&["--data", data_arg]),
        1,
        "the bundle's setting wins"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_zis-studio"))
        .args(["validate", "--setting", "missing_placeholder=maybe"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing_placeholder"));
}
