//! The sample bundles' flows run end to end on catalog events, with the built-in actions on
//! in-memory stores and custom HTTP actions answered by a script (real HTTP comes with the
//! services issue).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::actions::memory::{MemoryConfigs, MemoryLinks};
use zis_engine::actions::{Builtins, MergeMode};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Execution, Settings, Status};
use zis_services::catalog::{self, Account};

fn flow(bundle: &str, name: &str) -> Value {
    let path = format!(
        "{}/../../sample_bundles/{bundle}",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["resources"][name]["properties"]["definition"].clone()
}

#[derive(Default)]
struct Http {
    calls: Vec<(String, Value)>,
}

impl ActionExecutor for Http {
    fn execute(&mut self, action: &str, params: &Value) -> Result<Value, StatesError> {
        self.calls.push((action.to_string(), params.clone()));
        match action {
            "zis:acme_jira:action:create_issue" => Ok(json!({"id": "10001", "key": "SUP-1"})),
            "zis:acme_jira:action:transition_issue" => Ok(json!({})),
            "zis:acme_slack:action:post_slack_message" => Ok(json!({"ok": true})),
            other => Err(StatesError::runtime(format!("unexpected action {other}"))),
        }
    }
}

fn run(
    def: Value,
    input: Value,
    configs: &mut MemoryConfigs,
    links: &mut MemoryLinks,
    http: &mut Http,
) -> (Status, Vec<String>) {
    let mut exec = Execution::new(def, input, Settings::zis()).unwrap();
    let mut actions = Builtins {
        configs,
        links,
        custom: http,
        merge: MergeMode::MergePatch,
        options: Default::default(),
        jq: Default::default(),
        time_left: None,
    };
    let events = exec.run(&mut actions);
    (
        exec.status().clone(),
        events.iter().map(|e| e.state.clone()).collect(),
    )
}

#[test]
fn jira_sync_creates_then_moves_the_issue() {
    let account = Account {
        integration_key: "acme_jira".into(),
        ..Account::default()
    };
    let event = catalog::find("support", "ticket.StatusChanged").unwrap();
    let input = catalog::envelope(&account, catalog::sample_input(event));
    let (mut configs, mut links, mut http) = (
        MemoryConfigs::default(),
        MemoryLinks::default(),
        Http::default(),
    );

    let (status, path) = run(
        flow("jira_issue_sync.json", "sync_status"),
        input.clone(),
        &mut configs,
        &mut links,
        &mut http,
    );
    assert_eq!(
        path,
        [
            "FindLink",
            "HasIssue",
            "CreateIssue",
            "LinkIssue",
            "Created"
        ],
        "{status:?}"
    );
    assert!(matches!(status, Status::Succeeded { .. }), "{status:?}");
    assert_eq!(links.links.len(), 1);
    assert_eq!(links.links[0].left_object.name, "zendesk:ticket:812");
    assert_eq!(links.links[0].right_object.name, "SUP-1");
    assert_eq!(http.calls[0].1, json!({"ticket_id": 812}));

    // The second status change finds the link and moves the issue ("solved" → transition 31).
    let (status, path) = run(
        flow("jira_issue_sync.json", "sync_status"),
        input,
        &mut configs,
        &mut links,
        &mut http,
    );
    assert_eq!(
        path,
        [
            "FindLink",
            "HasIssue",
            "PickTransition",
            "DoneTransition",
            "MoveIssue",
            "RecordStatus",
            "Moved"
        ],
        "{status:?}"
    );
    assert_eq!(
        http.calls[1].1,
        json!({"issue_key": "SUP-1", "transition_id": "31"})
    );
    assert_eq!(
        links.links[0].right_object.metadata,
        Some(json!({"status": "solved"}))
    );

    // Deleting the ticket removes the link.
    let deleted = catalog::envelope(
        &account,
        catalog::sample_input(catalog::find("support", "ticket.TicketPermanentlyDeleted").unwrap()),
    );
    let (status, path) = run(
        flow("jira_issue_sync.json", "unlink_deleted"),
        deleted,
        &mut configs,
        &mut links,
        &mut http,
    );
    assert_eq!(path, ["FindLink", "Linked", "Unlink"], "{status:?}");
    assert!(links.links.is_empty());
}

#[test]
fn urgent_ticket_reaches_slack_with_a_jq_built_message() {
    let account = Account {
        integration_key: "acme_slack".into(),
        ..Account::default()
    };
    let input = catalog::envelope(
        &account,
        catalog::sample_input(catalog::find("support", "ticket.TicketCreated").unwrap()),
    );
    let (mut configs, mut links, mut http) = (
        MemoryConfigs::default(),
        MemoryLinks::default(),
        Http::default(),
    );
    // No config stored: LoadConfig fails, Catch falls back to the defaults.
    let (status, path) = run(
        flow("urgent_ticket_to_slack.json", "notify_urgent"),
        input,
        &mut configs,
        &mut links,
        &mut http,
    );
    assert_eq!(
        path,
        [
            "LoadSettings",
            "UseDefaultSettings",
            "IsUrgent",
            "BuildMessage",
            "PostToSlack",
            "Notified"
        ],
        "{status:?}"
    );
    assert_eq!(
        http.calls[0].1,
        json!({"channel": "#support-urgent", "text": ":rotating_light: Urgent ticket #812 (tags: vip, billing)"})
    );
}

#[test]
fn patch_config_merges_as_rfc7396() {
    let mut configs = MemoryConfigs::default();
    configs
        .configs
        .insert("s".into(), json!({"a": {"b": 1, "c": 2}, "d": [1], "e": 1}));
    let (mut links, mut http) = (MemoryLinks::default(), Http::default());
    let mut b = Builtins {
        configs: &mut configs,
        links: &mut links,
        custom: &mut http,
        merge: MergeMode::MergePatch,
        options: Default::default(),
        jq: Default::default(),
        time_left: None,
    };
    b.execute(
        "zis:common:action:PatchConfig",
        &json!({"scope": "s", "config": {"a": {"c": null, "x": 3}, "d": [2], "e": null}}),
    )
    .unwrap();
    assert_eq!(
        configs.configs["s"],
        json!({"a": {"b": 1, "x": 3}, "d": [2]})
    );
    let mut b = Builtins {
        configs: &mut configs,
        links: &mut links,
        custom: &mut http,
        merge: MergeMode::Shallow,
        options: Default::default(),
        jq: Default::default(),
        time_left: None,
    };
    b.execute(
        "zis:common:action:PatchConfig",
        &json!({"scope": "s", "config": {"a": {"z": 1}}}),
    )
    .unwrap();
    assert_eq!(configs.configs["s"], json!({"a": {"z": 1}, "d": [2]}));
    let loaded = Builtins {
        configs: &mut configs,
        links: &mut links,
        custom: &mut http,
        merge: MergeMode::MergePatch,
        options: Default::default(),
        jq: Default::default(),
        time_left: None,
    }
    .execute("zis:common:action:LoadConfig", &json!({"scope": "*"}))
    .unwrap();
    assert_eq!(loaded, json!({"config": {"a": {"z": 1}, "d": [2]}}));
}
