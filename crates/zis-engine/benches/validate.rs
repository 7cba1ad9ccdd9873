//! Parse and validate a generated bundle of about 1 MB (issue 2 target: under 20 ms).
//!
//! `cargo bench -p zis-engine --bench validate` prints criterion's estimates; the median is
//! the middle figure of `time: [low median high]`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};

/// The app's allocator (see src/main.rs), so the figures are the app's;
/// `--features system-alloc` measures with the system allocator instead.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::{Map, Value, json};
use std::hint::black_box;
use zis_engine::document::Document;
use zis_engine::validate::{self, Options};

/// A realistic bundle: `flows` flows of 24 states each (every state type, Jq transforms with
/// distinct expressions, Choice rules, a Map), one custom action and one job spec per flow.
pub fn generate(flows: usize) -> String {
    let mut resources = Map::new();
    for f in 0..flows {
        let mut states = Map::new();
        states.insert("Load".into(), json!({"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
            "Parameters": {"scope.$": format!("settings:{{{{$.input.ticket_event.ticket.id}}}}:{f}")}, "ResultPath": "$.settings", "Next": "S0"}));
        for i in 0..20 {
            let next = if i == 19 {
                "Route".to_string()
            } else {
                format!("S{}", i + 1)
            };
            let state = match i % 5 {
                0 => json!({"Type": "Action", "ActionName": "zis:common:transform:Jq",
                    "Parameters": {"expr": format!("{{id: .ticket.id, step: {i}, flow: {f}, tags: [.ticket.tags[] | ascii_downcase], label: (\"f{f}s{i}-\" + (.ticket.status // \"new\"))}}"), "data.$": "$.input.ticket_event"},
                    "ResultPath": format!("$.step{i}"), "Next": next}),
                1 => json!({"Type": "Action", "ActionName": format!("zis:bench:action:call_{f}"),
                    "Parameters": {"ticket_id.$": "$.input.ticket_event.ticket.id", "note.$": format!("Step {i} of {{{{$.input.ticket_event.ticket.id}}}}")},
                    "ResultPath": format!("$.call{i}"), "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}], "Next": next}),
                2 => {
                    json!({"Type": "Pass", "Result": {"step": i, "flow": f, "text": "x".repeat(120)}, "ResultPath": format!("$.pass{i}"), "Next": next})
                }
                3 => json!({"Type": "Wait", "Seconds": 1, "Next": next}),
                _ => {
                    json!({"Type": "Map", "ItemsPath": "$.input.ticket_event.ticket.custom_fields", "ResultPath": format!("$.map{i}"), "Next": next,
                    "Iterator": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "Result": {"seen": true}, "ResultPath": "$.seen", "End": true}}}})
                }
            };
            states.insert(format!("S{i}"), state);
        }
        states.insert("Route".into(), json!({"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.input.ticket_event.ticket.priority", "StringEquals": "urgent"},
                     {"Not": {"Variable": "$.settings.config.muted", "BooleanEquals": true}}], "Next": "Done"},
            {"Variable": "$.input.ticket_event.ticket.group_id", "NumericEqualsPath": "$.settings.config.group", "Next": "Done"},
            {"Variable": "$.input.ticket_event.ticket.assignee_id", "IsNull": true, "Next": "Failed"}], "Default": "Done"}));
        states.insert("Done".into(), json!({"Type": "Succeed", "Message": format!("Flow {f} done for {{{{$.input.ticket_event.ticket.id}}}}")}));
        states.insert(
            "Failed".into(),
            json!({"Type": "Fail", "Error": "BenchFailed", "Cause": "{{$.error.Cause}}"}),
        );
        resources.insert(
            format!("flow_{f}"),
            json!({"type": "ZIS::Flow", "properties": {"name": format!("flow_{f}"),
            "definition": {"StartAt": "Load", "States": Value::Object(states)}}}),
        );
        resources.insert(format!("call_{f}"), json!({"type": "ZIS::Action::Http", "properties": {"name": format!("call_{f}"), "definition": {
            "method": "PUT", "path": "/api/v2/tickets/{{$.ticket_id}}.json", "connectionName": "zendesk",
            "headers": [{"key": "Content-Type", "value": "application/json"}],
            "requestBody": {"ticket": {"comment": {"body": "{{$.note}}", "public": false}}}}}}));
        resources.insert(format!("job_{f}"), json!({"type": "ZIS::JobSpec", "properties": {"name": format!("job_{f}"),
            "event_source": "support", "event_type": "ticket.TicketCreated", "flow_name": format!("zis:bench:flow:flow_{f}")}}));
    }
    let bundle = json!({"zis_template_version": "2019-10-14", "name": "bench", "description": "generated", "resources": Value::Object(resources)});
    serde_json::to_string_pretty(&bundle).unwrap_or_default()
}

/// Flows needed for about `bytes` of text.
pub fn flows_for(bytes: usize) -> usize {
    let one = generate(1).len();
    bytes.div_ceil(one)
}

fn bench(c: &mut Criterion) {
    let text = generate(flows_for(1_000_000));
    let errors = validate::counts(&validate::validate_bundle_text(&text, Options::default())).0;
    println!(
        "generated bundle: {} bytes, {} validator errors",
        text.len(),
        errors
    );
    assert_eq!(errors, 0, "the generated bundle must be valid");
    let mut group = c.benchmark_group("bundle_1mb");
    group.sample_size(20);
    group.bench_function("parse", |b| {
        b.iter(|| Document::parse(black_box(text.as_str())).map(|d| d.value().is_object()))
    });
    group.bench_function("parse_and_validate", |b| {
        b.iter(|| validate::validate_bundle_text(black_box(&text), Options::default()).len())
    });
    group.bench_function("serde_json_from_str_for_comparison", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(&text)).map(|v| v.is_object()))
    });
    group.bench_function("spanned_parse_only", |b| {
        b.iter(|| zis_engine::json::parse(black_box(&text)).map(|p| p.tree.span.end))
    });
    group.bench_function("validate_parsed_value", |b| {
        let value: Value = serde_json::from_str(&text).unwrap();
        b.iter(|| validate::validate_bundle_value(black_box(&value), Options::default()).len())
    });
    group.bench_function("save_unchanged", |b| {
        let doc = Document::parse(text.as_str()).unwrap();
        b.iter(|| doc.render().len())
    });
    group.finish();
    c.bench_function("jq_check_one_expression", |b| {
        b.iter(|| {
            zis_engine::jq::check(black_box(
                "{id: .ticket.id, tags: [.ticket.tags[] | ascii_downcase]}",
            ))
            .is_ok()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
