//! Designer speed (issue 5): the CPU time of one frame with a generated 300-state flow —
//! the whole window and the graph view alone, in the egui_kittest harness (no GPU, AccessKit
//! on as kittest needs it), and the whole window without AccessKit as eframe draws it when
//! no screen reader is attached — and the time from opening the largest public bundle to
//! its first frame.
//!
//! `cargo bench --bench designer` prints criterion's figures; the targets are under 8 ms a
//! frame (also at 100 % with the minimap drawn) and under 100 ms to the first frame.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::{Harness, kittest::Queryable};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use zis_studio::app::AppState;
use zis_studio::ui::window::StudioApp;

/// A flow of `n` states: Actions in a chain with a Choice every tenth state that skips
/// ahead, a Catch on every fifth, ending in Succeed and Fail.
fn generated_bundle(n: usize) -> Value {
    let mut states = Map::new();
    for i in 0..n {
        let name = format!("S{i:03}");
        let next = format!("S{:03}", i + 1);
        let state = if i == n - 1 {
            json!({"Type": "Succeed"})
        } else if i == n - 2 {
            json!({"Type": "Fail", "Error": "Failed", "Cause": "generated"})
        } else if i % 10 == 9 {
            json!({"Type": "Choice", "Choices": [
                {"Variable": "$.input.n", "NumericGreaterThan": i, "Next": format!("S{:03}", (i + 5).min(n - 1))}
            ], "Default": next})
        } else if i % 5 == 4 {
            json!({"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                   "Parameters": {"scope": "s"}, "ResultPath": "$.r", "Next": next,
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": format!("S{:03}", n - 2)}]})
        } else {
            json!({"Type": "Pass", "Next": next})
        };
        states.insert(name, state);
    }
    json!({"zis_template_version": "2019-10-14", "name": "big", "resources": {
        "big_flow": {"type": "ZIS::Flow", "properties": {"name": "big_flow",
            "definition": {"StartAt": "S000", "States": states}}}}})
}

fn harness(path: &Path) -> Harness<'static, StudioApp> {
    let data = tempfile::tempdir().unwrap().keep();
    let mut state = AppState::new(data);
    state.open(path);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(32)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.show(ui),
            StudioApp::new(state),
        )
}

fn largest_public_bundle() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/public_bundles");
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(
        &file,
        serde_json::to_string_pretty(&generated_bundle(300)).unwrap(),
    )
    .unwrap();
    let mut h = harness(&file);
    h.run_steps(5);
    assert_eq!(h.state().state.graph.as_ref().unwrap().nodes.len(), 300);
    eprintln!(
        "generated flow: 300 states, {} diagnostics",
        h.state().state.diagnostics.len()
    );
    let mut group = c.benchmark_group("designer");
    group.sample_size(30);
    group.bench_function("frame_300_states", |b| {
        b.iter(|| {
            // A pointer move over the graph forces a full frame, as when the user works.
            h.hover_at(egui::pos2(600.0, 400.0));
            h.step();
        })
    });
    // At 100 % part of the flow is out of view, so the minimap shows (issue 14's "also with
    // the minimap on").
    h.get_by_label("100 %").click();
    h.run_steps(5);
    assert!(
        h.query_by_label("Minimap of the flow").is_some(),
        "the minimap is drawn"
    );
    group.bench_function("frame_300_states_at_100_percent_with_minimap", |b| {
        b.iter(|| {
            h.hover_at(egui::pos2(600.0, 400.0));
            h.step();
        })
    });
    // The graph view alone, in the harness (the issue's figure).
    let data = tempfile::tempdir().unwrap().keep();
    let mut state = AppState::new(data);
    state.open(&file);
    let mut g = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(32)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.graph_only(ui),
            StudioApp::new(state),
        );
    g.run_steps(5);
    group.bench_function("graph_view_300_states", |b| {
        b.iter(|| {
            g.hover_at(egui::pos2(600.0, 400.0));
            g.step();
        })
    });
    // The same frame as the app draws it when no screen reader is attached: kittest turns
    // AccessKit on to query widgets; eframe only does when assistive technology asks.
    let data = tempfile::tempdir().unwrap().keep();
    let mut state = AppState::new(data);
    state.open(&file);
    let mut app = StudioApp::new(state);
    let ctx = egui::Context::default();
    let input = |i: u32| egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        events: vec![egui::Event::PointerMoved(egui::pos2(
            600.0,
            400.0 + (i % 2) as f32,
        ))],
        ..Default::default()
    };
    for i in 0..5 {
        let _ = ctx.run_ui(input(i), |ui| app.show(ui));
    }
    let mut i = 0;
    group.bench_function("frame_300_states_without_accesskit", |b| {
        b.iter(|| {
            i += 1;
            ctx.run_ui(input(i), |ui| app.show(ui))
        })
    });
    // What an edit costs before the next frame: the validator and shape inference over
    // the whole bundle (`AppState::revalidate`).
    let text = std::fs::read_to_string(&file).unwrap();
    let sidecar = zis_studio::core::sidecar::Sidecar::default();
    group.bench_function("revalidate_with_shapes_300_states", |b| {
        b.iter(|| zis_studio::core::shapes::validate_text(&text, &sidecar))
    });
    match largest_public_bundle() {
        Some(path) => {
            let text = std::fs::read_to_string(&path).unwrap();
            group.bench_function("revalidate_with_shapes_largest_public_bundle", |b| {
                b.iter(|| zis_studio::core::shapes::validate_text(&text, &sidecar))
            });
            group.sample_size(10);
            group.bench_function("open_largest_public_bundle_first_frame", |b| {
                b.iter(|| {
                    let mut h = harness(&path);
                    h.step();
                    h
                })
            });
        }
        None => eprintln!("skipped the public bundle: ../shared/public_bundles is absent"),
    }
    group.finish();
    executions_dock_during_backlog();
}

/// Frames of the window with the Executions dock shown while the local server's workers
/// drain a 100,000-event backlog (issue 16: the GUI stays responsive), beside the same
/// frames with an idle server: prints the median, p99 and longest frame of each.
fn executions_dock_during_backlog() {
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use zis_services::{db::Db, dispatch};
    let data = tempfile::tempdir().unwrap();
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample_bundles/urgent_ticket_to_slack.json");
    let mut state = AppState::new(data.path().to_path_buf());
    state.open(&sample);
    let db = Arc::new(Db::open(&state.db_path()).unwrap());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .with_max_steps(32)
        .build_ui_state(
            |ui, app: &mut StudioApp| app.show(ui),
            StudioApp::new(state),
        );
    db.create_integration("loadtest", "load").unwrap();
    let bundle: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/load/loadtest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    db.upload_bundle("loadtest", &bundle).unwrap();
    db.set_installed("zis:loadtest:job_spec:noop_job", true)
        .unwrap();
    let settings = dispatch::DispatchSettings::default();
    h.get_by_label("Executions").click();
    h.run_steps(5);
    // Frames as the user sees them: one every 16 ms, each timed.
    let frames = |h: &mut Harness<'static, StudioApp>, until: &mut dyn FnMut() -> bool| {
        let mut times = Vec::new();
        while !until() && times.len() < 5_000 {
            let t = Instant::now();
            h.hover_at(egui::pos2(600.0 + (times.len() % 2) as f32, 400.0));
            h.step();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::thread::sleep(Duration::from_millis(16));
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        (times.len(), pct(0.5), pct(0.99), times[times.len() - 1])
    };
    let idle_until = Instant::now() + Duration::from_secs(3);
    let idle = frames(&mut h, &mut || Instant::now() > idle_until);
    let n = 100_000;
    for i in 0..n {
        dispatch::accept(
            &db,
            &settings,
            Some("loadtest"),
            "loadgen",
            "noop",
            &json!({"ticket_id": i}),
            "bench",
        )
        .unwrap();
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let started = Instant::now();
    let workers = dispatch::spawn_workers(Arc::clone(&db), settings, Arc::clone(&stop));
    let watcher = Db::open(db.path()).unwrap();
    let busy = frames(&mut h, &mut || {
        watcher
            .queue_stats()
            .map(|q| q.pending + q.running == 0)
            .unwrap_or(true)
    });
    let drained = started.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    println!(
        "summary: window frames with the Executions dock, idle server: {} frames, median {:.2} ms, p99 {:.2} ms, longest {:.2} ms",
        idle.0, idle.1, idle.2, idle.3
    );
    println!(
        "summary: the same while the server drains {n} events ({:.1} s, {:.0}/s): {} frames, median {:.2} ms, p99 {:.2} ms, longest {:.2} ms",
        drained,
        n as f64 / drained,
        busy.0,
        busy.1,
        busy.2,
        busy.3
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
