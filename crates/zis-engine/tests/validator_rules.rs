//! One test per validator rule: take a clean sample bundle, break one thing, and check that
//! the expected code is reported at the expected pointer and line.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::document::Document;
use zis_engine::validate::{self, Diagnostic, Mode, Options};

const FLOW: &str = "/resources/notify_urgent/properties/definition";

fn sample() -> Document {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../sample_bundles/urgent_ticket_to_slack.json"
    );
    Document::parse(std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Applies `edit` to the sample, validates the saved text, and returns the diagnostics.
fn broken(edit: impl FnOnce(&mut Value)) -> Vec<Diagnostic> {
    let mut doc = sample();
    assert!(validate::validate_bundle_text(doc.saved_text(), Options::default()).is_empty());
    edit(doc.value_mut());
    validate::validate_bundle_text(&doc.render(), Options::default())
}

fn state<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    v.pointer_mut(&format!("{FLOW}/States/{name}")).unwrap()
}

#[track_caller]
fn has(found: &[Diagnostic], code: &str, pointer: &str) -> Diagnostic {
    match found
        .iter()
        .find(|d| d.code.id() == code && d.pointer == pointer)
    {
        Some(d) => {
            assert!(d.line > 0 && d.column > 0);
            assert!(!d.message.is_empty());
            d.clone()
        }
        None => panic!(
            "expected {code} at {pointer}, found:\n{}",
            found
                .iter()
                .map(|d| format!("{} {} {}", d.code.id(), d.pointer, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn json_syntax_error_has_a_position() {
    let found = validate::validate_bundle_text(
        "{\n  \"name\": \"x\",\n  \"resources\": {,}\n}",
        Options::default(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].code.id(), found[0].line, found[0].column),
        ("E001", 3, 17)
    );
}

#[test]
fn template_version_and_types() {
    let found = broken(|v| {
        v.as_object_mut()
            .unwrap()
            .shift_remove("zis_template_version");
        v["resources"]["x"] = json!({"type": "ZIS::Connection", "properties": {"name": "x"}});
    });
    has(&found, "E003", "");
    has(&found, "E006", "/resources/x/type");
    let found = broken(|v| v["zis_template_version"] = json!("2019-02-28"));
    has(&found, "W001", "/zis_template_version");
}

#[test]
fn references_between_resources() {
    let found = broken(|v| {
        v["resources"]["notify_urgent_job"]["properties"]["flow_name"] =
            json!("zis:acme_slack:flow:nope");
        state(v, "PostToSlack")["ActionName"] = json!("zis:acme_slack:action:missing");
        state(v, "LoadSettings")["ActionName"] = json!("zis:common:action:LoadConfigs");
    });
    has(
        &found,
        "E008",
        "/resources/notify_urgent_job/properties/flow_name",
    );
    has(
        &found,
        "E009",
        &format!("{FLOW}/States/PostToSlack/ActionName"),
    );
    has(
        &found,
        "E009",
        &format!("{FLOW}/States/LoadSettings/ActionName"),
    );
    let found = broken(|v| {
        state(v, "PostToSlack")["ActionName"] = json!("zis:other_key:action:post_slack_message")
    });
    has(
        &found,
        "E010",
        &format!("{FLOW}/States/PostToSlack/ActionName"),
    );
    let found = broken(|v| {
        v["resources"]["notify_urgent_job"]["properties"]["flow_name"] = json!("notify_urgent")
    });
    has(
        &found,
        "E011",
        "/resources/notify_urgent_job/properties/flow_name",
    );
}

#[test]
fn transitions_and_reachability() {
    let found = broken(|v| {
        state(v, "BuildMessage")["Next"] = json!("Nowhere");
        state(v, "IsUrgent")["Default"] = json!("Nobody");
    });
    let d = has(&found, "E012", &format!("{FLOW}/States/BuildMessage/Next"));
    assert!(d.message.contains("Nowhere"));
    has(&found, "E012", &format!("{FLOW}/States/IsUrgent/Default"));
    has(&found, "W015", &format!("{FLOW}/States/NotUrgent"));
    let found = broken(|v| v.pointer_mut(FLOW).unwrap()["StartAt"] = json!("Missing"));
    has(&found, "E012", &format!("{FLOW}/StartAt"));
    let found = broken(|v| {
        state(v, "BuildMessage")["End"] = json!(true);
        state(v, "PostToSlack")["End"] = json!(false);
        state(v, "LoadSettings")
            .as_object_mut()
            .unwrap()
            .shift_remove("Next");
        state(v, "Notified")["Next"] = json!("NotUrgent");
    });
    has(&found, "E016", &format!("{FLOW}/States/BuildMessage"));
    has(&found, "E015", &format!("{FLOW}/States/PostToSlack/End"));
    has(&found, "E017", &format!("{FLOW}/States/LoadSettings"));
    has(&found, "E036", &format!("{FLOW}/States/Notified/Next"));
}

#[test]
fn no_terminal_state() {
    let v = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}});
    let found = validate::validate_definition_value(&v, Options::default());
    assert!(found.iter().any(|d| d.code.id() == "E014"));
}

#[test]
fn unsupported_states_and_operators() {
    let found = broken(|v| {
        state(v, "UseDefaultSettings")["Type"] = json!("Task");
        state(v, "NotUrgent")["Type"] = json!("Parallel");
        state(v, "IsUrgent")["Choices"][1] =
            json!({"Variable": "$.x", "StringMatches": "ur*", "Next": "BuildMessage"});
        state(v, "IsUrgent")["Choices"][0]["And"][0] = json!({"Variable": "$.x", "IsString": true});
    });
    has(
        &found,
        "E018",
        &format!("{FLOW}/States/UseDefaultSettings/Type"),
    );
    has(&found, "E018", &format!("{FLOW}/States/NotUrgent/Type"));
    has(
        &found,
        "E021",
        &format!("{FLOW}/States/IsUrgent/Choices/1/StringMatches"),
    );
    has(
        &found,
        "E021",
        &format!("{FLOW}/States/IsUrgent/Choices/0/And/0/IsString"),
    );
    let found = broken(|v| {
        state(v, "IsUrgent")["Choices"][1] =
            json!({"Variable": "$.x", "TimestampEqualsPath": "$.y", "Next": "BuildMessage"})
    });
    has(
        &found,
        "E021",
        &format!("{FLOW}/States/IsUrgent/Choices/1/TimestampEqualsPath"),
    );
    let found = broken(|v| {
        state(v, "IsUrgent")["Choices"][1] =
            json!({"Variable": "$.x", "NumericEquals": "1", "Next": "BuildMessage"})
    });
    has(
        &found,
        "E022",
        &format!("{FLOW}/States/IsUrgent/Choices/1/NumericEquals"),
    );
    let found = broken(|v| state(v, "UseDefaultSettings")["Type"] = json!("Sleep"));
    has(
        &found,
        "E019",
        &format!("{FLOW}/States/UseDefaultSettings/Type"),
    );
}

fn state_insert(v: &mut Value, name: &str, body: Value) {
    v.pointer_mut(&format!("{FLOW}/States"))
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(name.into(), body);
}

#[test]
fn catch_rules() {
    let found = broken(|v| {
        state(v, "PostToSlack")["Catch"][0]["ErrorEquals"] = json!(["States.TaskFailed"]);
        state(v, "UseDefaultSettings")["Catch"] =
            json!([{"ErrorEquals": ["States.ALL"], "Next": "SlackFailed"}]);
    });
    has(
        &found,
        "E023",
        &format!("{FLOW}/States/PostToSlack/Catch/0/ErrorEquals"),
    );
    has(
        &found,
        "E024",
        &format!("{FLOW}/States/UseDefaultSettings/Catch"),
    );
    let found = broken(|v| {
        state(v, "PostToSlack")["Catch"][0]
            .as_object_mut()
            .unwrap()
            .shift_remove("ResultPath");
    });
    has(
        &found,
        "W011",
        &format!("{FLOW}/States/PostToSlack/Catch/0"),
    );
}

#[test]
fn map_and_wait_rules() {
    let found = broken(|v| {
        state_insert(
            v,
            "Loop",
            json!({"Type": "Map", "MaxConcurrency": 2, "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Next": "NotUrgent"}}}, "End": true}),
        );
        state(v, "UseDefaultSettings")["Next"] = json!("Loop");
        state_insert(
            v,
            "Pause",
            json!({"Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z", "End": true}),
        );
        state_insert(
            v,
            "Pause2",
            json!({"Type": "Wait", "Seconds": 0, "SecondsPath": "$.s", "End": true}),
        );
    });
    has(&found, "E025", &format!("{FLOW}/States/Loop"));
    has(
        &found,
        "E025",
        &format!("{FLOW}/States/Loop/MaxConcurrency"),
    );
    let d = has(
        &found,
        "E012",
        &format!("{FLOW}/States/Loop/Iterator/States/I/Next"),
    );
    assert!(d.message.contains("outside"), "{}", d.message);
    has(&found, "E026", &format!("{FLOW}/States/Pause"));
    has(&found, "E026", &format!("{FLOW}/States/Pause2"));
    has(&found, "E026", &format!("{FLOW}/States/Pause2/Seconds"));
}

#[test]
fn a_missing_result_path_names_what_it_replaces_in_a_map_iteration() {
    let found = broken(|v| {
        state_insert(
            v,
            "Each",
            json!({"Type": "Map", "ItemsPath": "$.input.ticket_event.ticket.tags",
                   "Iterator": {"StartAt": "Load", "States": {"Load": {
                       "Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                       "Parameters": {"scope": "s"}, "End": true,
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
                       "Failed": {"Type": "Fail"}}},
                   "ResultPath": "$.each", "End": true}),
        );
        state(v, "UseDefaultSettings")["Next"] = json!("Each");
    });
    let inner = format!("{FLOW}/States/Each/Iterator/States/Load");
    for d in [
        has(&found, "W006", &inner),
        has(&found, "W011", &format!("{inner}/Catch/0")),
    ] {
        assert!(
            d.message.contains("the whole item this iteration works on")
                && !d.message.contains("$.input"),
            "{}",
            d.message
        );
    }
    let found = broken(|v| {
        state(v, "PostToSlack")
            .as_object_mut()
            .unwrap()
            .shift_remove("ResultPath");
    });
    let d = has(&found, "W006", &format!("{FLOW}/States/PostToSlack"));
    assert!(d.message.contains("including $.input"), "{}", d.message);
}

#[test]
fn paths_and_dollar_values() {
    let found = broken(|v| {
        state(v, "PostToSlack")["ResultPath"] = json!("$.items[*]");
        state(v, "IsUrgent")["Choices"][1]["Variable"] = json!("$..priority");
        state(v, "PostToSlack")["Parameters"]["text.$"] = json!("hello");
        state(v, "PostToSlack")["Parameters"]["channel"] = json!("{{$.message.channel}}");
    });
    has(
        &found,
        "E028",
        &format!("{FLOW}/States/PostToSlack/ResultPath"),
    );
    has(
        &found,
        "E028",
        &format!("{FLOW}/States/IsUrgent/Choices/1/Variable"),
    );
    has(
        &found,
        "E029",
        &format!("{FLOW}/States/PostToSlack/Parameters/text.$"),
    );
    has(
        &found,
        "E031",
        &format!("{FLOW}/States/PostToSlack/Parameters/channel"),
    );
    has(
        &found,
        "W010",
        &format!("{FLOW}/States/PostToSlack/Parameters/channel"),
    );
    let found = broken(|v| state(v, "PostToSlack")["Parameters"]["text.$"] = json!("Hi {{$.a"));
    has(
        &found,
        "E044",
        &format!("{FLOW}/States/PostToSlack/Parameters/text.$"),
    );
}

#[test]
fn jq_expression_must_compile() {
    let found = broken(|v| state(v, "BuildMessage")["Parameters"]["expr"] = json!("{channel: .a"));
    let d = has(
        &found,
        "E030",
        &format!("{FLOW}/States/BuildMessage/Parameters/expr"),
    );
    assert!(d.message.contains("syntax"), "{}", d.message);
    let found = broken(|v| state(v, "LoadSettings")["Parameters"] = json!({}));
    has(
        &found,
        "E043",
        &format!("{FLOW}/States/LoadSettings/Parameters"),
    );
}

#[test]
fn http_action_fields() {
    let def = "/resources/post_slack_message/properties/definition";
    let found = broken(|v| {
        let d = v.pointer_mut(def).unwrap();
        d["method"] = json!("post");
        d["path"] = json!("/api/v2/x");
        d["headers"] = json!({"Content-Type": "application/json"});
        d["queryParams"] = json!([]);
    });
    has(&found, "E033", &format!("{def}/method"));
    has(&found, "E034", &format!("{def}/path"));
    has(&found, "E035", &format!("{def}/headers"));
    has(&found, "W004", &format!("{def}/queryParams"));
    let found = broken(|v| {
        v.pointer_mut(def)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .shift_remove("url");
    });
    has(&found, "E034", def);
}

#[test]
fn all_problems_in_one_pass() {
    let found = broken(|v| {
        state(v, "BuildMessage")["Next"] = json!("Nowhere");
        state(v, "PostToSlack")["Catch"][0]["ErrorEquals"] = json!(["X"]);
        v["resources"]["notify_urgent_job"]["properties"]["flow_name"] =
            json!("zis:acme_slack:flow:nope");
    });
    let codes: Vec<&str> = found
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.id())
        .collect();
    for c in ["E012", "E023", "E008"] {
        assert!(codes.contains(&c), "{codes:?}");
    }
}

#[test]
fn asl_mode_turns_zis_rules_off() {
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Retry": [{"ErrorEquals": ["States.Timeout"]}], "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringMatches": "a*", "Next": "W"}], "Default": "W"},
        "W": {"Type": "Wait", "Timestamp": "2024-01-01T00:00:00Z", "End": true}}});
    let asl = validate::validate_definition_value(
        &def,
        Options {
            mode: Mode::Asl,
            express: false,
        },
    );
    assert!(asl.iter().all(|d| !d.is_error()), "{asl:?}");
    let zis = validate::validate_definition_value(&def, Options::default());
    for code in ["E018", "E021", "E026"] {
        assert!(zis.iter().any(|d| d.code.id() == code), "{code} in {zis:?}");
    }
}

#[test]
fn big_bundles_are_checked_in_parallel_with_the_same_findings() {
    let doc = sample();
    let mut v = doc.value().clone();
    let resources = v["resources"].as_object_mut().unwrap();
    let flow = resources["notify_urgent"].clone();
    for i in 0..70 {
        let mut f = flow.clone();
        f["properties"]["name"] = json!(format!("copy_{i}"));
        if i == 37 {
            f["properties"]["definition"]["States"]["BuildMessage"]["Next"] = json!("Nowhere");
        }
        resources.insert(format!("copy_{i}"), f);
    }
    let text = serde_json::to_string_pretty(&v).unwrap();
    let first = validate::validate_bundle_text(&text, Options::default());
    assert_eq!(
        first,
        validate::validate_bundle_text(&text, Options::default()),
        "deterministic"
    );
    has(
        &first,
        "E012",
        "/resources/copy_37/properties/definition/States/BuildMessage/Next",
    );
    // Every copy is a flow no job spec starts.
    assert_eq!(first.iter().filter(|d| d.code.id() == "W013").count(), 70);
}

#[test]
fn duplicate_json_keys_are_reported_where_they_stand() {
    let text = "{\n  \"zis_template_version\": \"2019-10-14\",\n  \"name\": \"a\",\n  \"name\": \"b\",\n  \"resources\": {}\n}\n";
    let found = validate::validate_bundle_text(text, Options::default());
    let d = has(&found, "W007", "/name");
    assert_eq!(d.line, 4, "points at the repeated key, whose value wins");
}
