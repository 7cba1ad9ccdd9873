//! Going live: deploy to and open from an account.

use crate::harness::*;

#[test]
fn the_window_deploys_to_an_account_and_opens_a_bundle_from_it() {
    // A ZIS account: the project's own server on loopback, with its own store.
    let account_dir = tempfile::tempdir().unwrap();
    let account_db = std::sync::Arc::new(
        zis_services::db::Db::open(&account_dir.path().join("zis.sqlite")).unwrap(),
    );
    let server = zis_services::server::start(
        account_db.clone(),
        "secret-token".into(),
        0,
        zis_services::dispatch::DispatchSettings::default(),
    )
    .unwrap();
    let (dir, file) = copy_sample("jira_issue_sync.json");
    let data = dir.path().join("data");
    let mut h = harness_in(&file, data.clone());
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Deploy to ZIS…").click();
    h.run();
    type_into(&mut h, "Account", &server.base_url);
    type_into(&mut h, "Token", "wrong-token");
    h.get_by_label("Show plan").click();
    wait_for_worker(&mut h);
    h.get_by_label_contains("HTTP 401");
    type_into(&mut h, "Token", "secret-token");
    h.get_by_label("Show plan").click();
    wait_for_worker(&mut h);
    h.get_by_label_contains("create the integration");
    h.get_by_label_contains("new      sync_status");
    h.get_by_label("Deploy").click();
    wait_for_worker(&mut h);
    h.get_by_label("Deployed.");
    // What arrived: the bundle and both job specs, installed.
    let bundles = account_db.bundles("acme_jira").unwrap();
    assert_eq!(bundles.len(), 1, "{bundles:?}");
    let specs = account_db.job_specs("acme_jira").unwrap();
    assert_eq!(specs.iter().filter(|j| j.installed).count(), 2);
    // The token is kept in the data folder, private, and nowhere near the bundle.
    let saved = data.join("accounts.json");
    assert!(
        std::fs::read_to_string(&saved)
            .unwrap()
            .contains("secret-token")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            assert!(!text.contains("secret-token"), "{}", f.display());
        }
    }
    h.get_by_label("Close window").click();
    h.run();
    // Open from the account: the saved account is filled in, the bundle lists and opens.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Open from a ZIS account…").click();
    h.run();
    h.get_by_label("List bundles").click();
    wait_for_worker(&mut h);
    h.get_by_label("Open jira_issue_sync").click();
    wait_for_worker(&mut h);
    h.run();
    let opened = h.state().state.path.clone().unwrap();
    assert!(
        opened.starts_with(data.join("pulled")),
        "{}",
        opened.display()
    );
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        h.state().state.document.as_ref().unwrap().value(),
        &original
    );
    assert!(
        h.query_by_label("List bundles").is_none(),
        "the window closes"
    );
}

#[test]
fn account_work_shows_progress_and_can_be_cancelled() {
    // An account that accepts the connection and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let (_dir, file) = copy_sample("jira_issue_sync.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Deploy to ZIS…").click();
    h.run();
    type_into(&mut h, "Account", &url);
    type_into(&mut h, "Token", "t");
    h.get_by_label("Show plan").click();
    h.run_steps(3);
    h.get_by_label("reading the account…");
    h.get_by_label("Cancel").click();
    h.run_steps(3);
    assert!(!h.state().state.remote.is_busy());
    h.get_by_label("cancelled");
    assert!(h.query_by_label("reading the account…").is_none());
    drop(silent);
}
