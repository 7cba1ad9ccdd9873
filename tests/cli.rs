//! The `zis-studio` binary: validate (text and JSON, exit codes), fmt and codes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zis-studio"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn validate_clean_samples_exits_zero() {
    let samples: Vec<PathBuf> = std::fs::read_dir(root().join("sample_bundles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        // Not the sidecars ZIS Studio writes next to a bundle.
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.ends_with(".zis-studio.json") && !name.ends_with(".tests.json")
        })
        .collect();
    let (code, stdout, stderr) = run(bin().arg("validate").args(&samples));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.matches("0 errors, 0 warnings").count(),
        samples.len(),
        "{stderr}"
    );
}

#[test]
fn validate_reports_like_a_compiler_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("sample_bundles/urgent_ticket_to_slack.json"))
        .unwrap()
        .replace("\"Next\": \"PostToSlack\"", "\"Next\": \"PostToSlak\"");
    let file = dir.path().join("broken.json");
    std::fs::write(&file, &text).unwrap();
    let line = text.lines().position(|l| l.contains("PostToSlak")).unwrap() + 1;
    let column = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("\"PostToSlak\"")
        .unwrap()
        + 1;
    let (code, stdout, _) = run(bin().arg("validate").arg(&file));
    assert_eq!(code, 1);
    let expected = format!(
        "{}:{line}:{column}: error[E012]: there is no state named \"PostToSlak\"",
        file.display()
    );
    assert!(
        stdout.starts_with(&expected),
        "{stdout}\nexpected to start with {expected}"
    );

    let (code, stdout, _) = run(bin().args(["validate", "--format", "json"]).arg(&file));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(v["files"][0]["path"], file.display().to_string());
    assert_eq!(d["code"], "E012");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], line);
    assert_eq!(d["column"], column);
    assert_eq!(
        d["pointer"],
        "/resources/notify_urgent/properties/definition/States/BuildMessage/Next"
    );
    assert!(d["message"].as_str().unwrap().contains("PostToSlak"));
}

#[test]
fn validate_unreadable_file_exits_two() {
    let (code, _, stderr) = run(bin().args(["validate", "/nonexistent/bundle.json"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
    let (code, stdout, _) =
        run(bin().args(["validate", "--format", "json", "/nonexistent/bundle.json"]));
    assert_eq!(code, 2);
    assert!(stdout.contains("\"error\""), "{stdout}");
}

#[test]
fn validate_syntax_error_has_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, "{\n  \"name\": 'x'\n}\n").unwrap();
    let (code, stdout, _) = run(bin().arg("validate").arg(&file));
    assert_eq!(code, 1);
    assert!(stdout.contains(":2:11: error[E001]:"), "{stdout}");
}

#[test]
fn fmt_rewrites_and_check_reports() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.json");
    std::fs::write(&file, "{\"b\":1,   \"a\":[1,{\"c\":null}]}").unwrap();
    let (code, stdout, _) = run(bin().args(["fmt", "--check"]).arg(&file));
    assert_eq!((code, stdout.contains("not formatted")), (1, true));
    let (code, _, _) = run(bin().arg("fmt").arg(&file));
    assert_eq!(code, 0);
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        formatted,
        "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {\n      \"c\": null\n    }\n  ]\n}\n"
    );
    let (code, stdout, _) = run(bin().args(["fmt", "--check"]).arg(&file));
    assert_eq!((code, stdout.as_str()), (0, ""));
    std::fs::write(&file, "{").unwrap();
    let (code, _, stderr) = run(bin().args(["fmt"]).arg(&file));
    assert_eq!(code, 2);
    assert!(stderr.contains("error[E001]"), "{stderr}");
}

#[test]
fn asl_mode_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sm.json");
    std::fs::write(&file, r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:query","End":true}}}"#).unwrap();
    let (code, stdout, _) = run(bin().args(["validate", "--asl"]).arg(&file));
    assert_eq!(code, 1);
    assert!(stdout.contains("error[E039]"), "{stdout}");
    let (code, stdout, _) = run(bin().arg("codes"));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("E012  error    transition to an unknown state"),
        "{stdout}"
    );
}

#[test]
fn send_queue_executions_and_integration_work_on_the_data_folder() {
    let data = tempfile::tempdir().unwrap();
    {
        let db = zis_services::db::Db::open(&data.path().join("zis-studio.sqlite")).unwrap();
        db.create_integration("acme_shipping", "").unwrap();
        let bundle: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("sample_bundles/shipment_updates.json")).unwrap(),
        )
        .unwrap();
        db.upload_bundle("acme_shipping", &bundle).unwrap();
        db.set_installed("zis:acme_shipping:job_spec:shipment_update_job", true)
            .unwrap();
        let settings = serde_json::json!({"late_after_hours": 24, "recheck_seconds": 30});
        db.create_config("acme_shipping", "shipping_settings", &settings)
            .unwrap();
    }
    let input = data.path().join("event.json");
    std::fs::write(&input, r#"{"ticket_id": null, "state": "in_transit"}"#).unwrap();
    let send = || {
        run(bin()
            .args(["send", "shipco", "shipment_update", "--run", "--input"])
            .arg(&input)
            .arg("--data")
            .arg(data.path()))
    };
    let (code, stdout, stderr) = send();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("accepted event 1"), "{stdout}");
    assert!(
        stdout.contains("zis:acme_shipping:flow:shipment_update succeeded"),
        "{stdout}"
    );
    let (code, stdout, _) = run(bin().args(["queue", "--json", "--data"]).arg(data.path()));
    assert_eq!(code, 0);
    let stats: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (stats["pending"].as_u64(), stats["done"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(stats["median_delay_secs"].as_f64().unwrap() >= 0.0);

    let (code, stdout, _) = run(bin()
        .args(["integration", "disable", "acme_shipping", "--data"])
        .arg(data.path()));
    assert_eq!(
        (code, stdout.trim()),
        (0, "integration acme_shipping disabled")
    );
    let (_, stdout, _) = send();
    assert!(stdout.contains("skipped"), "{stdout}");
    assert!(stdout.contains("integration disabled"), "{stdout}");
    let (code, stdout, _) = run(bin().args(["executions", "--data"]).arg(data.path()));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    // A type that is not in the catalog needs an input.
    let (code, _, stderr) = run(bin()
        .args(["send", "support", "ticket.Nope", "--data"])
        .arg(data.path()));
    assert_eq!(code, 1);
    assert!(stderr.contains("not in the event catalog"), "{stderr}");
}

#[test]
fn every_sample_bundle_ships_flow_tests_that_pass() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let (code, stdout, stderr) = run(bin()
        .arg("test")
        .arg(root().join("sample_bundles"))
        .arg("--junit")
        .arg(&junit));
    assert_eq!(code, 0, "{stdout}{stderr}");
    // One test file per sample bundle.
    for sample in [
        "urgent_ticket_to_slack",
        "jira_issue_sync",
        "order_lookup",
        "shipment_updates",
    ] {
        assert!(stdout.contains(&format!("{sample}.tests.json")), "{stdout}");
    }
    let passed: usize = stdout
        .lines()
        .last()
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(passed >= 8, "{stdout}");
    assert!(
        stdout.ends_with(&format!("{passed} passed, 0 failed\n")),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(&format!("tests=\"{passed}\" failures=\"0\"")),
        "{xml}"
    );
}

#[test]
fn a_failing_flow_test_says_what_differs_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("sample_bundles/urgent_ticket_to_slack.json"),
        dir.path().join("b.json"),
    )
    .unwrap();
    let tests = dir.path().join("b.tests.json");
    std::fs::write(
        &tests,
        r##"{"bundle": "b.json", "tests": [{
            "name": "wrong on purpose",
            "flow": "notify_urgent",
            "event": {"type": "support/ticket.TicketCreated", "merge": {"ticket_event": {"ticket": {"priority": "low"}}}},
            "expect": {"status": "failed", "states": ["LoadSettings", "UseDefaultSettings", "IsUrgent", "BuildMessage"],
                       "output": {"$.settings.config.channel": "#nope"}}}]}"##,
    )
    .unwrap();
    let junit = dir.path().join("j.xml");
    let (code, stdout, _) = run(bin().arg("test").arg(&tests).arg("--junit").arg(&junit));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("FAIL"), "{stdout}");
    assert!(
        stdout.contains("status: expected failed, got succeeded"),
        "{stdout}"
    );
    assert!(stdout.contains("(they part at step 4)"), "{stdout}");
    assert!(
        stdout.contains(
            "output $.settings.config.channel: expected \"#nope\", got \"#support-urgent\""
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("<failure")
    );
    // Calls with their parameters, and links afterwards.
    std::fs::copy(
        root().join("sample_bundles/jira_issue_sync.json"),
        dir.path().join("j.json"),
    )
    .unwrap();
    let jira = dir.path().join("j.tests.json");
    std::fs::write(
        &jira,
        r##"{"bundle": "j.json", "tests": [{
            "name": "wrong calls and links",
            "flow": "sync_status",
            "mocks": [{"action": "zis:acme_jira:action:create_issue", "body": {"id": "1", "key": "SUP-9"}}],
            "expect": {
              "calls": [{"action": "zis:common:action:LoadLinks"},
                        {"action": "zis:acme_jira:action:create_issue", "parameters": {"ticket_id": "nope"}},
                        {"action": "zis:common:action:CreateLink"}],
              "links": [{"link_type": "ticket_issue", "right": "SUP-1"},
                        {"link_type": "ticket_issue", "right": "SUP-9", "exists": false}]}}]}"##,
    )
    .unwrap();
    let (code, stdout, _) = run(bin().arg("test").arg(&jira));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("call 2 (zis:acme_jira:action:create_issue) parameters: expected them to contain {\"ticket_id\":\"nope\"}, got {\"ticket_id\":"),
        "{stdout}"
    );
    assert!(
        stdout.contains("link ticket_issue * → SUP-1: expected it to exist"),
        "{stdout}"
    );
    assert!(
        stdout.contains("link ticket_issue * → SUP-9: expected it to be gone"),
        "{stdout}"
    );
    // A test file that is not valid says where.
    std::fs::write(&tests, "{\"bundle\": \"b.json\", \"tests\": [}").unwrap();
    let (code, stdout, _) = run(bin().arg("test").arg(&tests));
    assert_eq!(code, 1);
    assert!(stdout.contains("b.tests.json:1:"), "{stdout}");
}

/// `zis-studio serve` on a free port, stopped when dropped.
struct Serve {
    child: std::process::Child,
    base: String,
    token: String,
    _data: tempfile::TempDir,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Serve {
    use std::io::BufRead as _;
    let data = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["serve", "--port", "0", "--data"])
        .arg(data.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    std::thread::spawn(move || for _ in lines {});
    let base = first.rsplit(' ').next().unwrap().to_string();
    let token = std::fs::read_to_string(data.path().join("api_token"))
        .unwrap()
        .trim()
        .to_string();
    Serve {
        child,
        base,
        token,
        _data: data,
    }
}

fn api(s: &Serve, path: &str) -> serde_json::Value {
    let out = Command::new("curl")
        .args(["-sf", "-H"])
        .arg(format!("Authorization: Bearer {}", s.token))
        .arg(format!("{}{path}", s.base))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

#[test]
fn deploy_plans_uploads_installs_and_cleans_up_on_the_local_server() {
    let s = serve();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("b.json");
    std::fs::copy(root().join("sample_bundles/jira_issue_sync.json"), &bundle).unwrap();
    let configs = dir.path().join("configs.json");
    std::fs::write(&configs, r#"{"jira_settings": {"project": "SUP"}}"#).unwrap();
    let deploy = |extra: &[&str]| {
        let mut cmd = bin();
        cmd.arg("deploy")
            .arg(&bundle)
            .args(["--base-url", &s.base, "--token", &s.token, "--yes"])
            .args(extra);
        run(&mut cmd)
    };
    // First deploy: the integration is created, the bundle uploaded, job specs installed.
    let (code, stdout, stderr) = deploy(&["--configs", configs.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("Plan for integration acme_jira:"),
        "{stdout}"
    );
    assert!(stdout.contains("  create the integration"), "{stdout}");
    assert!(stdout.contains("new      sync_status"), "{stdout}");
    assert!(
        stdout.contains("installed zis:acme_jira:job_spec:sync_status_job"),
        "{stdout}"
    );
    assert!(stdout.contains("pushed config jira_settings"), "{stdout}");
    let specs = api(&s, "/api/services/zis/registry/acme_jira/job_specs");
    let installed: Vec<&str> = specs["job_specs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["installed"] == true)
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(installed.len(), 2, "{specs}");
    let config = api(
        &s,
        "/api/services/zis/integrations/acme_jira/configs/jira_settings",
    );
    assert_eq!(config["config"]["config"]["project"], "SUP", "{config}");
    // Second deploy without one job spec and its flow: the plan shows the change, the stale
    // job spec is uninstalled.
    let mut b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let res = b["resources"].as_object_mut().unwrap();
    res.remove("unlink_deleted_job");
    res.remove("unlink_deleted");
    res["sync_status"]["properties"]["definition"]["States"]["Created"]["Message"] =
        serde_json::json!("created");
    std::fs::write(&bundle, serde_json::to_string_pretty(&b).unwrap()).unwrap();
    let (code, stdout, stderr) = deploy(&["--uninstall-stale"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(!stdout.contains("create the integration"), "{stdout}");
    assert!(stdout.contains("changed  sync_status"), "{stdout}");
    assert!(stdout.contains("removed  unlink_deleted"), "{stdout}");
    assert!(
        stdout.contains("uninstalled zis:acme_jira:job_spec:unlink_deleted_job"),
        "{stdout}"
    );
    // Pull brings the newest upload and the job specs back.
    let out = dir.path().join("pulled");
    let (code, stdout, stderr) = run(bin()
        .args([
            "pull",
            "--base-url",
            &s.base,
            "--token",
            &s.token,
            "--integration",
            "acme_jira",
            "--out",
        ])
        .arg(&out));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let pulled: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("jira_issue_sync.json")).unwrap())
            .unwrap();
    assert_eq!(pulled, b, "the newest upload comes back as deployed");
    let specs = std::fs::read_to_string(out.join("acme_jira.job_specs.json")).unwrap();
    assert!(specs.contains("sync_status_job"), "{specs}");
    // An invalid bundle is not deployed.
    std::fs::write(
        &bundle,
        r#"{"name": "x", "resources": {"f": {"type": "ZIS::Flow"}}}"#,
    )
    .unwrap();
    let (code, _, stderr) = deploy(&[]);
    assert_eq!(code, 2, "an invalid bundle has its own exit code");
    assert!(stderr.contains("not deployed: the bundle has"), "{stderr}");
}

#[test]
fn export_writes_the_graph_as_svg_and_a_run_as_an_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let (svg, html) = (dir.path().join("g.svg"), dir.path().join("r.html"));
    let png = dir.path().join("g.png");
    let (code, stdout, stderr) = run(bin()
        .arg("export")
        .arg(root().join("sample_bundles/jira_issue_sync.json"))
        .args(["--flow", "unlink_deleted", "--svg"])
        .arg(&svg)
        .arg("--png")
        .arg(&png)
        .arg("--html")
        .arg(&html));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for state in ["FindLink", "Linked", "Unlink", "NoLink"] {
        assert!(svg.contains(&format!("<title>{state}</title>")), "{state}");
    }
    // The PNG is the SVG at twice its size.
    let image = resvg::tiny_skia::Pixmap::load_png(&png).unwrap();
    let view: Vec<f32> = svg
        .split("viewBox=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(image.width(), (view[2] * 2.0).ceil() as u32);
    assert_eq!(image.height(), (view[3] * 2.0).ceil() as u32);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("succeeded"), "{html}");
    // The path taken, step by step, with the graph inline.
    assert!(html.contains("1. FindLink → Linked"), "{html}");
    assert!(html.contains("3. NoLink → end"), "{html}");
    assert!(html.contains("<svg"));
}

#[test]
fn login_checks_and_saves_a_private_token_that_pull_then_uses() {
    let s = serve();
    let data = tempfile::tempdir().unwrap();
    let login = |token: &str| {
        run(bin()
            .args(["login", "--base-url", &s.base, "--token", token, "--data"])
            .arg(data.path()))
    };
    let (code, _, stderr) = login("wrong");
    assert_eq!(code, 1);
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    assert!(!data.path().join("accounts.json").exists());
    let (code, stdout, stderr) = login(&s.token);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("token saved in"), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.path().join("accounts.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No --token: the saved one signs pull in.
    let out = tempfile::tempdir().unwrap();
    let pull = || {
        run(bin()
            .args([
                "pull",
                "--base-url",
                &s.base,
                "--integration",
                "nothing_here",
            ])
            .arg("--out")
            .arg(out.path())
            .arg("--data")
            .arg(data.path())
            .env_remove("ZIS_TOKEN"))
    };
    // Signed in (not a 401): the account answers that it has no such integration.
    let (code, _, stderr) = pull();
    assert_eq!(code, 1);
    assert!(
        stderr.contains("HTTP 404") && stderr.contains("integration 'nothing_here' not found"),
        "{stderr}"
    );
    // Forgotten, it is asked for.
    let (code, stdout, _) = run(bin()
        .args(["login", "--base-url", &s.base, "--forget", "--data"])
        .arg(data.path()));
    assert_eq!(code, 0);
    assert!(stdout.contains("forgot the token"), "{stdout}");
    let (code, _, stderr) = pull();
    assert_eq!(code, 1);
    assert!(stderr.contains("no token for"), "{stderr}");
}

#[test]
fn help_never_shows_a_secret_from_the_environment() {
    for sub in ["deploy", "pull", "login"] {
        let (code, stdout, stderr) = run(bin()
            .args([sub, "--help"])
            .env("ZIS_TOKEN", "tok-in-the-environment"));
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("--token"),
            "{sub} --help lists --token:\n{stdout}"
        );
        assert!(
            !stdout.contains("tok-in-the-environment")
                && !stderr.contains("tok-in-the-environment"),
            "{sub} --help shows the token:\n{stdout}"
        );
    }
}
