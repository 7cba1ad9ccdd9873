//! The dispatcher's batches on a real SQLite file: a batch's executions and its events' ends
//! are committed together, flows are compiled once per uploaded bundle version (a new
//! upload is picked up by the same cache), and claimed events of a failed batch go back to
//! the queue.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings, FlowCache};

fn loadtest_bundle() -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../benches/load/loadtest.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn db_with_noop() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("zis.sqlite")).unwrap();
    db.create_integration("loadtest", "load").unwrap();
    db.upload_bundle("loadtest", &loadtest_bundle()).unwrap();
    db.set_installed("zis:loadtest:job_spec:noop_job", true)
        .unwrap();
    (dir, db)
}

fn queue(db: &Db, n: usize) {
    let settings = DispatchSettings::default();
    for i in 0..n {
        dispatch::accept(
            db,
            &settings,
            Some("loadtest"),
            "loadgen",
            "noop",
            &json!({"ticket_id": i}),
            "test",
        )
        .unwrap();
    }
}

#[test]
fn a_batch_commits_its_executions_with_its_events_ends_oldest_first() {
    let (_dir, db) = db_with_noop();
    queue(&db, 100);
    let settings = DispatchSettings::default();
    let mut cache = FlowCache::default();
    let done = dispatch::run_batch(&db, &settings, &mut cache, 64).unwrap();
    assert_eq!(done.len(), 64);
    let ids: Vec<i64> = done.iter().map(|d| d.event_id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    let stats = db.queue_stats().unwrap();
    assert_eq!((stats.done, stats.pending, stats.running), (64, 36, 0));
    let stored = db.executions(1000).unwrap();
    assert_eq!(stored.len(), 64);
    // Each event's note names its execution by the id it was stored under.
    for d in &done {
        assert_eq!(d.state, "done");
        let [id] = d.executions[..] else {
            panic!("one execution per event: {d:?}")
        };
        assert_eq!(
            d.note,
            format!("zis:loadtest:job_spec:noop_job: execution {id}")
        );
        let row = stored.iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            (row.event_id, row.status.as_str()),
            (Some(d.event_id), "succeeded")
        );
        assert_eq!(db.event(d.event_id).unwrap().unwrap().note, d.note);
    }
    // The rest in the next batch; then none is due.
    assert_eq!(
        dispatch::run_batch(&db, &settings, &mut cache, 64)
            .unwrap()
            .len(),
        36
    );
    assert!(
        dispatch::run_batch(&db, &settings, &mut cache, 64)
            .unwrap()
            .is_empty()
    );
    assert_eq!(db.executions(1000).unwrap().len(), 100);
}

#[test]
fn a_new_upload_is_run_by_a_worker_that_compiled_the_old_one() {
    let (_dir, db) = db_with_noop();
    let settings = DispatchSettings::default();
    let mut cache = FlowCache::default();
    queue(&db, 1);
    dispatch::run_batch(&db, &settings, &mut cache, 64).unwrap();
    let log = |db: &Db| db.executions(1).unwrap()[0].logs[0]["text"].clone();
    assert_eq!(log(&db), json!("Execution Successful"));
    // Version 2 of the bundle: the no-op flow's Succeed now has a Message.
    let mut v2 = loadtest_bundle();
    v2["resources"]["noop"]["properties"]["definition"]["States"]["Done"]["Message"] =
        json!("version 2");
    db.upload_bundle("loadtest", &v2).unwrap();
    db.set_installed("zis:loadtest:job_spec:noop_job", true)
        .unwrap();
    queue(&db, 1);
    dispatch::run_batch(&db, &settings, &mut cache, 64).unwrap();
    assert_eq!(log(&db), json!("version 2"));
}

#[test]
fn claimed_events_can_be_put_back_and_a_deep_queue_is_claimed_from_its_head() {
    let (_dir, db) = db_with_noop();
    queue(&db, 2_000);
    let claimed = db.claim_batch(10, false).unwrap();
    let ids: Vec<i64> = claimed.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=10).collect::<Vec<i64>>());
    assert!(
        claimed
            .iter()
            .all(|e| e.attempts == 1 && e.state == "running")
    );
    assert_eq!(db.queue_stats().unwrap().running, 10);
    db.release(&ids, false).unwrap();
    let stats = db.queue_stats().unwrap();
    assert_eq!((stats.pending, stats.running), (2_000, 0));
    // Claimed again: the attempts count on.
    let again = db.claim_batch(3, false).unwrap();
    assert_eq!(again[0].id, 1);
    assert_eq!(again[0].attempts, 2);
}

#[test]
fn an_event_claimed_before_runs_alone_so_a_crash_spends_only_its_own_attempts() {
    let (_dir, db) = db_with_noop();
    queue(&db, 5);
    assert_eq!(db.claim_batch(64, false).unwrap().len(), 5);
    // The process died during that batch: all five are put back, each claimed once.
    assert_eq!(db.requeue_interrupted().unwrap(), 5);
    for id in 1..=5 {
        let alone = db.claim_batch(64, false).unwrap();
        assert_eq!(alone.len(), 1, "an event claimed before runs alone");
        assert_eq!((alone[0].id, alone[0].attempts), (id, 2));
        let settings = DispatchSettings::default();
        // Run it as a worker would (a batch of one, committed).
        db.release(&[id], true).unwrap();
        let done = dispatch::run_batch(&db, &settings, &mut FlowCache::default(), 64).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].state, "done");
    }
    // Fresh events are claimed together again.
    queue(&db, 3);
    assert_eq!(db.claim_batch(64, false).unwrap().len(), 3);
}

#[test]
fn a_batch_out_of_time_commits_what_it_ran_and_puts_back_the_rest_uncounted() {
    let (_dir, db) = db_with_noop();
    let mut slow = loadtest_bundle();
    slow["resources"]["noop"]["properties"]["definition"] = json!({"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"}, "Done": {"Type": "Succeed"}}});
    db.upload_bundle("loadtest", &slow).unwrap();
    db.set_installed("zis:loadtest:job_spec:noop_job", true)
        .unwrap();
    queue(&db, 3);
    let mut settings = DispatchSettings::default();
    settings.engine.real_time_wait = true;
    let done = dispatch::run_batch(&db, &settings, &mut FlowCache::default(), 64).unwrap();
    assert_eq!(
        done.len(),
        1,
        "one run of a second is past the batch's time"
    );
    let waiting: Vec<_> = [2, 3]
        .iter()
        .map(|id| db.event(*id).unwrap().unwrap())
        .collect();
    assert!(
        waiting
            .iter()
            .all(|e| e.state == "pending" && e.attempts == 0),
        "{waiting:?}"
    );
}
