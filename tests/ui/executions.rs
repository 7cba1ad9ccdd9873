//! The Executions dock: runs listed, replayed, exported and re-run.

use crate::harness::*;

#[test]
fn runs_from_the_window_are_listed_replayed_exported_and_re_run() {
    let (dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    // A run from the window ends up in the store's executions.
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    let started = std::time::Instant::now();
    loop {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
        if h.query_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
            .is_some()
        {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "the run never appeared in the list"
        );
    }
    h.run();
    h.get_by_label_contains("queue: 0 pending");
    h.get_by_label_contains("notify_urgent  ticket.TicketCreated  failed")
        .click();
    h.run();
    h.get_by_label("step 1 of 6");
    // The integration-log line ZIS would write is kept with the run.
    h.get_by_label_contains("log error: SlackPostFailed");
    h.get_by_label("LoadSettings -> UseDefaultSettings");
    h.get_by_label("Next step ▶").click();
    h.run();
    h.get_by_label("UseDefaultSettings -> IsUrgent");
    // The window's run kept its event: re-run it on the bundle as it is, with the same
    // outcome at every step.
    h.get_by_label("Re-run on the current bundle").click();
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    h.run();
    h.get_by_label("The re-run took the same path with the same data.");
    // Export, then import the file back.
    let export = dir.path().join("run.json");
    h.get_by_label("Export…").click();
    h.run();
    type_into(&mut h, "File path", export.to_str().unwrap());
    h.get_by_label("Export").click();
    h.run();
    let text = std::fs::read_to_string(&export).unwrap();
    let mut exported: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(exported["history"].as_array().unwrap().len(), 6);
    // A stored run of a ticket that was not urgent (its event kept), imported and re-run on
    // the current bundle with the same event: the two runs part at step 4.
    // Its first step as recorded, then a ticket whose priority was low.
    let real = exported["history"].as_array().unwrap().clone();
    let mut low = real[1].clone();
    low["output"]["input"]["ticket_event"]["ticket"]["priority"] = serde_json::json!("low");
    let mut choice = real[2].clone();
    choice["next"] = serde_json::json!("NotUrgent");
    choice["output"] = low["output"].clone();
    choice["input"] = low["output"].clone();
    exported["history"] = serde_json::json!([real[0], low, choice, {"state": "NotUrgent"}]);
    exported["event_input"] = zis_services::catalog::sample_input(
        zis_services::catalog::find("support", "ticket.TicketCreated").unwrap(),
    );
    let stored = dir.path().join("stored.json");
    std::fs::write(&stored, exported.to_string()).unwrap();
    h.get_by_label("Import…").click();
    h.run();
    type_into(&mut h, "File path", stored.to_str().unwrap());
    h.get_by_label("Import").click();
    h.run();
    h.get_by_label("imported execution");
    h.get_by_label("Re-run on the current bundle").click();
    wait_for_worker(&mut h);
    h.get_by_label("Executions").click();
    h.run();
    h.get_by_label("The runs part at step 4.");
    // From step 2 the outcome differs: the first difference is listed by path.
    h.get_by_label("~ $.output.input.ticket_event.ticket.priority: \"low\" -> \"urgent\"");
    // Debug from a chosen step of the stored run: a session paused before that state with
    // the data it had then; the Debugger shows it.
    for _ in 0..2 {
        h.get_by_label("Next step ▶").click_accesskit();
        h.run();
    }
    h.get_by_label("Debug from this step").click_accesskit();
    h.run();
    h.get_by_label_contains("paused before IsUrgent (from step 3 of the stored run)");
    let s = h.state().state.debug.as_ref().unwrap();
    assert!(s.steps.is_empty());
    assert_eq!(
        s.next_data().unwrap()["input"]["ticket_event"]["ticket"]["priority"],
        "low"
    );
    h.key_press(egui::Key::F5);
    wait_for_worker(&mut h);
    let s = h.state().state.debug.as_ref().unwrap();
    let states: Vec<&str> = s.steps.iter().map(|s| s.event.state.as_str()).collect();
    assert_eq!(states, ["IsUrgent", "NotUrgent"]);
}

/// The local server drains a backlog while the Executions dock is shown: the dock's reads
/// run beside the workers (each on its own connection) and it follows the queue down to
/// empty with the runs listed (issue 16; frame times under load: `cargo bench --bench
/// designer`, `executions_dock_during_backlog`).
#[test]
fn the_executions_dock_follows_the_server_through_a_backlog() {
    use std::sync::Arc;
    use zis_services::db::Db;
    use zis_services::dispatch;
    let data = tempfile::tempdir().unwrap();
    let mut h = harness_in(
        &sample("urgent_ticket_to_slack.json"),
        data.path().to_path_buf(),
    );
    h.run();
    let db = Arc::new(Db::open(&h.state().state.db_path()).unwrap());
    db.create_integration("loadtest", "load").unwrap();
    let bundle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/load/loadtest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    db.upload_bundle("loadtest", &bundle).unwrap();
    db.set_installed("zis:loadtest:job_spec:noop_job", true)
        .unwrap();
    let settings = dispatch::DispatchSettings::default();
    for i in 0..600 {
        dispatch::accept(
            &db,
            &settings,
            Some("loadtest"),
            "loadgen",
            "noop",
            &serde_json::json!({"ticket_id": i}),
            "test",
        )
        .unwrap();
    }
    h.get_by_label("Executions").click();
    let wait_for = |h: &mut egui_kittest::Harness<'static, zis_studio::ui::window::StudioApp>,
                    label: &str| {
        let started = std::time::Instant::now();
        while h.query_by_label_contains(label).is_none() {
            h.step();
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(started.elapsed().as_secs() < 60, "never showed {label}");
        }
    };
    wait_for(&mut h, "queue: 600 pending, 0 running, 0 done");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers = dispatch::spawn_workers(Arc::clone(&db), settings, Arc::clone(&stop));
    wait_for(&mut h, "queue: 0 pending, 0 running, 600 done");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    h.run();
    assert!(
        h.query_all_by_label_contains("  noop  noop  succeeded")
            .count()
            > 1
    );
    assert_eq!(db.executions(1000).unwrap().len(), 600);
}
