//! The engine's speed (issue 16): the 554 AWS-recorded cases without intrinsic functions or
//! the context object (the same 554 `../shared/bench` feeds aws-local-stepfunctions) as one
//! batch, compiled once and run many times, with and without full history; and a realistic
//! 12-state ZIS flow (LoadConfig, a Choice, a Jq transform, a Map over 50 items, a custom
//! action, PatchConfig).
//!
//! `cargo bench -p zis-engine --bench engine` prints criterion's estimates (the median is
//! the middle figure of `time: [low median high]`; `thrpt` is executions per second), then
//! a summary: executions/s of the batch with compile excluded, compile time per definition,
//! the ratio of a run with history to a plain run, and the memory a 250-transition history
//! holds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The app's allocator (see src/main.rs), so the figures are the app's.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;
use zis_engine::actions::memory::{MemoryConfigs, MemoryLinks};
use zis_engine::actions::{Builtins, MergeMode};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Compiled, Execution, HistoryEvent, Settings};

struct NoActions;
impl ActionExecutor for NoActions {
    fn execute(&mut self, action: &str, _: &Value) -> Result<Value, StatesError> {
        Err(StatesError::runtime(format!("no action {action} here")))
    }
}

/// A custom action that answers at once (the HTTP call is the services crate's business).
struct Echo;
impl ActionExecutor for Echo {
    fn execute(&mut self, _: &str, parameters: &Value) -> Result<Value, StatesError> {
        Ok(json!({"ok": true, "ticket": parameters.get("ticket_id").cloned()}))
    }
}

/// The 554 cases: (definition, input); empty (with a note) without `../shared`.
fn cases() -> Vec<(Value, Value)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/asl_cases.jsonl");
    let Ok(text) = std::fs::read_to_string(&file) else {
        println!(
            "SKIPPED the AWS cases: {} not found (../shared is absent on a plain clone)",
            file.display()
        );
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|row| {
            !row["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "intrinsic" || t == "context_object")
        })
        .map(|row| (row["definition"].clone(), row["input"].clone()))
        .collect()
}

/// A realistic ZIS flow of 12 states.
pub fn realistic() -> (Value, Value) {
    let definition = json!({
        "StartAt": "LoadSettings",
        "States": {
            "LoadSettings": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                "Parameters": {"scope": "settings"}, "ResultPath": "$.settings", "Next": "IsEnabled"},
            "IsEnabled": {"Type": "Choice", "Choices": [
                {"Variable": "$.settings.config.enabled", "BooleanEquals": false, "Next": "Disabled"}],
                "Default": "Summarise"},
            "Summarise": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                "Parameters": {"expr": "{id: .ticket.id, tags: [.ticket.tags[] | ascii_downcase], n: (.ticket.comments | length)}",
                    "data.$": "$.input.ticket_event"}, "ResultPath": "$.summary", "Next": "Defaults"},
            "Defaults": {"Type": "Pass", "Result": {"team": "support", "priority": "normal"},
                "ResultPath": "$.defaults", "Next": "EachComment"},
            "EachComment": {"Type": "Map", "ItemsPath": "$.input.ticket_event.ticket.comments",
                "ResultPath": "$.checked", "Next": "Route",
                "Iterator": {"StartAt": "Check", "States": {
                    "Check": {"Type": "Choice", "Choices": [
                        {"Variable": "$.public", "BooleanEquals": true, "Next": "Public"}], "Default": "Private"},
                    "Public": {"Type": "Pass", "Parameters": {"id.$": "$.id", "kind": "public"}, "End": true},
                    "Private": {"Type": "Pass", "Parameters": {"id.$": "$.id", "kind": "private"}, "End": true}}}},
            "Route": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$.input.ticket_event.ticket.priority", "StringEquals": "urgent"},
                         {"Variable": "$.summary.n", "NumericGreaterThan": 10}], "Next": "Notify"}],
                "Default": "Notify"},
            "Notify": {"Type": "Action", "ActionName": "zis:bench:action:notify",
                "Parameters": {"ticket_id.$": "$.input.ticket_event.ticket.id",
                    "note": "Ticket {{$.input.ticket_event.ticket.id}} has {{$.summary.n}} comments"},
                "ResultPath": "$.notified", "Next": "Remember",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}]},
            "Remember": {"Type": "Action", "ActionName": "zis:common:action:PatchConfig",
                "Parameters": {"scope": "settings", "config": {"last_ticket.$": "$.input.ticket_event.ticket.id"}},
                "ResultPath": null, "Next": "Done"},
            "Done": {"Type": "Succeed", "Message": "Notified about {{$.input.ticket_event.ticket.id}}"},
            "Disabled": {"Type": "Succeed", "Message": "Disabled"},
            "Failed": {"Type": "Fail", "Error": "NotifyFailed", "Cause": "{{$.error.Cause}}"},
            "Unused": {"Type": "Pass", "End": true}
        }
    });
    let comments: Vec<Value> = (0..50)
        .map(|i| json!({"id": i, "public": i % 3 != 0, "body": format!("comment {i}")}))
        .collect();
    let input = json!({"input": {"ticket_event": {"ticket": {
        "id": 4321, "priority": "urgent", "tags": ["Billing", "VIP", "Refund"], "comments": comments}}}});
    (definition, input)
}

fn run_plain(compiled: &Arc<Compiled>, input: &Value, settings: &Settings) -> usize {
    let mut exec = Execution::start(Arc::clone(compiled), input.clone(), settings.clone());
    exec.set_recording(false);
    exec.run_to_end(&mut NoActions)
}

fn run_history(compiled: &Arc<Compiled>, input: &Value, settings: &Settings) -> Vec<HistoryEvent> {
    let mut exec = Execution::start(Arc::clone(compiled), input.clone(), settings.clone());
    exec.run(&mut NoActions)
}

fn run_realistic(
    compiled: &Arc<Compiled>,
    input: &Value,
    configs: &mut MemoryConfigs,
    history: bool,
) -> usize {
    let mut links = MemoryLinks::default();
    let mut custom = Echo;
    let mut actions = Builtins {
        configs,
        links: &mut links,
        custom: &mut custom,
        merge: MergeMode::MergePatch,
        jq: Default::default(),
        time_left: None,
        options: Default::default(),
    };
    let mut exec = Execution::start(Arc::clone(compiled), input.clone(), Settings::zis());
    exec.set_recording(history);
    let n = exec.run_to_end(&mut actions);
    assert!(
        matches!(
            exec.status(),
            zis_engine::run::execution::Status::Succeeded { .. }
        ),
        "{:?}",
        exec.status()
    );
    n
}

/// Heap bytes a JSON value holds (strings, arrays, object entries), roughly.
fn value_bytes(v: &Value) -> usize {
    let slot = std::mem::size_of::<Value>();
    match v {
        Value::String(s) => s.capacity(),
        Value::Array(a) => a.capacity() * slot + a.iter().map(value_bytes).sum::<usize>(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| k.capacity() + slot + 3 * 8 + value_bytes(v))
            .sum(),
        _ => 0,
    }
}

/// Bytes a history holds: the events themselves and each data snapshot once (phases that
/// leave the data as it was share their snapshot).
fn history_bytes(h: &[HistoryEvent]) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut bytes = 0;
    for e in h {
        bytes += std::mem::size_of::<HistoryEvent>() + e.state.capacity();
        let phases = [
            Some(&e.input),
            e.after_input_path.as_ref(),
            e.after_parameters.as_ref(),
            e.result.as_ref(),
            e.after_result_selector.as_ref(),
            e.after_result_path.as_ref(),
            e.output.as_ref(),
        ];
        for snap in phases.into_iter().flatten() {
            if seen.insert(Arc::as_ptr(snap)) {
                // The Arc's counts, the value's slot and what it holds.
                bytes += 16 + std::mem::size_of::<Value>() + value_bytes(snap);
            }
        }
    }
    bytes
}

fn engine(c: &mut Criterion) {
    let cases = cases();
    let settings = Settings::asl();
    if !cases.is_empty() {
        let mut group = c.benchmark_group("asl_554");
        group.throughput(Throughput::Elements(cases.len() as u64));
        group.bench_function("compile", |b| {
            b.iter(|| {
                for (d, _) in &cases {
                    black_box(Compiled::new(d.clone()).ok());
                }
            })
        });
        let compiled: Vec<(Arc<Compiled>, &Value)> = cases
            .iter()
            .filter_map(|(d, i)| Compiled::new(d.clone()).ok().map(|c| (c, i)))
            .collect();
        group.bench_function("run", |b| {
            b.iter(|| {
                for (c, i) in &compiled {
                    black_box(run_plain(c, i, &settings));
                }
            })
        });
        group.bench_function("run_with_history", |b| {
            b.iter(|| {
                for (c, i) in &compiled {
                    black_box(run_history(c, i, &settings));
                }
            })
        });
        group.finish();
    }
    let (definition, input) = realistic();
    let compiled = Compiled::new(definition).unwrap();
    let mut configs = MemoryConfigs::default();
    configs
        .configs
        .insert("settings".into(), json!({"enabled": true}));
    let mut group = c.benchmark_group("realistic_12_states_map_50");
    group.throughput(Throughput::Elements(1));
    group.bench_function("run", |b| {
        b.iter(|| black_box(run_realistic(&compiled, &input, &mut configs, false)))
    });
    group.bench_function("run_with_history", |b| {
        b.iter(|| black_box(run_realistic(&compiled, &input, &mut configs, true)))
    });
    group.finish();
    summary(&cases, &settings);
}

/// Figures straight from repeated timed passes (what the note quotes beside criterion's).
fn summary(cases: &[(Value, Value)], settings: &Settings) {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    if !cases.is_empty() {
        let t = Instant::now();
        let compiled: Vec<(Arc<Compiled>, &Value)> = cases
            .iter()
            .filter_map(|(d, i)| Compiled::new(d.clone()).ok().map(|c| (c, i)))
            .collect();
        let compile = t.elapsed().as_secs_f64();
        let pass = |history: bool| {
            let t = Instant::now();
            for _ in 0..20 {
                for (c, i) in &compiled {
                    if history {
                        black_box(run_history(c, i, settings));
                    } else {
                        black_box(run_plain(c, i, settings));
                    }
                }
            }
            t.elapsed().as_secs_f64() / 20.0
        };
        // Interleaved, so drift of the machine weighs on both alike.
        let (mut plains, mut histories) = (Vec::new(), Vec::new());
        for _ in 0..21 {
            plains.push(pass(false));
            histories.push(pass(true));
        }
        let (plain, history) = (median(plains), median(histories));
        let n = compiled.len() as f64;
        println!(
            "summary: {} AWS cases: {:.0} executions/s (compile excluded), {:.0}/s with full history ({:.2}x the plain run's time); compile {:.1} µs per definition",
            compiled.len(),
            n / plain,
            n / history,
            history / plain,
            compile / n * 1e6
        );
    }
    // A 250-transition history: a loop of Pass states counting to 250.
    let looped = json!({"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "$.n", "ticket.$": "$.ticket", "log": "one more step"}, "Next": "More"},
        "More": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 0, "Next": "Done"}], "Default": "Count"},
        "Done": {"Type": "Succeed"}}});
    let compiled = Compiled::new(looped).unwrap();
    let input = json!({"n": 1, "ticket": {"id": 1, "subject": "A ticket of a realistic size", "tags": ["a", "b", "c"], "requester": {"id": 9, "email": "someone@example.com"}}});
    let mut exec = Execution::start(compiled, input, Settings::zis());
    let history = exec.run(&mut NoActions);
    println!(
        "summary: a {}-transition history holds about {} KB ({} bytes per step)",
        history.len(),
        history_bytes(&history) / 1024,
        history_bytes(&history) / history.len().max(1)
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = engine
}
criterion_main!(benches);
