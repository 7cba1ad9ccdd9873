//! No flow can take the process down: jq programs that recurse forever, loop forever or
//! build gigabytes, run by the real binary — as flow tests (`zis-studio test`) and in
//! `zis-studio serve` (the server stays up, each bomb is recorded failed with its reason,
//! the next event succeeds) — and a poison event that is not re-run past its bound after a
//! kill and restart.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jq_bombs")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zis-studio"));
    c.env("ZIS_STUDIO_JQ_TIME_LIMIT", "2")
        .env("ZIS_STUDIO_JQ_MEMORY_MB", "128");
    c
}

#[test]
fn jq_bombs_in_flow_tests_are_errors_the_flow_can_catch() {
    let out = bin().arg("test").arg(fixtures()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 passed, 0 failed"), "{stdout}");
}

#[test]
fn jq_bombs_in_run_fail_the_flow_with_the_reason_and_exit_1() {
    let data = tempfile::tempdir().unwrap();
    for (expr, cause) in [
        (
            "def f: [f]; f",
            "jq: recursion deeper than its 64 MB stack allows",
        ),
        ("last(repeat(1))", "jq: ran longer than 2 s"),
        (
            "reduce range(40) as $i (\"x\"; . + .) | length",
            "jq: used more than 128 MB",
        ),
    ] {
        let event = data.path().join("event.json");
        std::fs::write(&event, json!({"expr": expr}).to_string()).unwrap();
        let out = bin()
            .arg("run")
            .arg(fixtures().join("jq_bombs.json"))
            .args(["--flow", "uncaught", "--format", "json", "--event"])
            .arg(&event)
            .arg("--data")
            .arg(data.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["status"], "failed");
        assert_eq!(report["cause"], cause);
    }
    // The process that ran them is fine: a good program runs next, exit 0.
    let event = data.path().join("event.json");
    std::fs::write(&event, json!({"expr": ".expr | length"}).to_string()).unwrap();
    let out = bin()
        .arg("run")
        .arg(fixtures().join("jq_bombs.json"))
        .args(["--flow", "transform", "--format", "json", "--event"])
        .arg(&event)
        .arg("--data")
        .arg(data.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["output"]["out"], 14);
}

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path) -> Serve {
    serve_with(data, "2")
}

fn serve_with(data: &Path, jq_secs: &str) -> Serve {
    let mut child = bin()
        .env("ZIS_STUDIO_JQ_TIME_LIMIT", jq_secs)
        .args(["serve", "--port", "0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("http://127.0.0.1:"), "{first}");
    std::thread::spawn(move || for _ in lines {});
    Serve(child)
}

fn wait_for(db: &Db, n: usize) -> Vec<zis_services::db::ExecutionRow> {
    let start = Instant::now();
    loop {
        let rows = db.executions(100).unwrap();
        if rows.len() >= n || start.elapsed() > Duration::from_secs(90) {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_survives_jq_bombs_and_a_poison_event_is_not_run_forever() {
    let data = tempfile::tempdir().unwrap();
    let db_path = data.path().join("zis-studio.sqlite");
    let db = Db::open(&db_path).unwrap();
    let bundle: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("jq_bombs.json")).unwrap())
            .unwrap();
    db.create_integration("jq_bombs", "").unwrap();
    db.upload_bundle("jq_bombs", &bundle).unwrap();
    db.set_installed("zis:jq_bombs:job_spec:uncaught_job", true)
        .unwrap();
    let mut server = serve(data.path());

    let settings = DispatchSettings::default();
    for expr in [
        "def f: [f]; f",
        "last(repeat(1))",
        "reduce range(40) as $i (\"x\"; . + .) | length",
        ".expr | length",
    ] {
        dispatch::accept(
            &db,
            &settings,
            None,
            "acme",
            "uncaught",
            &json!({"expr": expr}),
            "test",
        )
        .unwrap();
    }
    let rows = wait_for(&db, 4);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(server.0.try_wait().unwrap().is_none(), "the server is up");
    let cause_of = |needle: &str| {
        rows.iter()
            .find(|r| r.cause.as_deref().is_some_and(|c| c.contains(needle)))
            .map(|r| (r.status.clone(), r.error.clone()))
    };
    for needle in [
        "jq: recursion deeper",
        "jq: ran longer than 2 s",
        "jq: used more than 128 MB",
    ] {
        assert_eq!(
            cause_of(needle),
            Some(("failed".into(), Some("States.Runtime".into()))),
            "{needle}: {rows:?}"
        );
    }
    assert!(
        rows.iter().any(|r| r.status == "succeeded"),
        "the next event ran: {rows:?}"
    );

    // A poison event: the server is killed (-9) while the event runs, three times; each
    // start claims it again (the attempt counted before the flow starts). On the next start
    // it is recorded failed, not run again.
    let _ = server.0.kill();
    let _ = server.0.wait();
    let ids = dispatch::accept(
        &db,
        &settings,
        None,
        "acme",
        "uncaught",
        &json!({"expr": "last(repeat(1))"}),
        "test",
    )
    .unwrap();
    for attempt in 1..=3 {
        // A jq time limit long enough that the run is still going when the server dies.
        let mut slow = serve_with(data.path(), "120");
        let started = Instant::now();
        loop {
            let e = db.event(ids[0]).unwrap().unwrap();
            if e.state == "running" && e.attempts == attempt {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "attempt {attempt} never started: {e:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        let _ = slow.0.kill();
        let _ = slow.0.wait();
    }
    let _server = serve(data.path());
    let rows = wait_for(&db, 5);
    let poison = rows
        .iter()
        .find(|r| r.event_id == Some(ids[0]))
        .expect("recorded");
    assert_eq!(poison.status, "failed");
    assert_eq!(poison.error.as_deref(), Some("ZisStudio.PoisonEvent"));
    assert!(
        poison
            .cause
            .as_deref()
            .unwrap()
            .contains("attempted 3 times"),
        "{poison:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let event = db.event(ids[0]).unwrap().unwrap();
    assert_eq!(event.state, "failed");
    assert_eq!(
        db.executions(100)
            .unwrap()
            .iter()
            .filter(|r| r.event_id == Some(ids[0]))
            .count(),
        1,
        "not run again"
    );
}
