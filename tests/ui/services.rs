//! The Services dock: the local stores and server.

use crate::harness::*;

#[test]
fn the_services_view_edits_stores_and_runs_the_local_server() {
    let (_dir, file) = copy_sample("urgent_ticket_to_slack.json");
    let mut h = harness(file);
    h.run();
    h.get_by_label("Services").click();
    h.run();
    h.get_by_label("Integration acme_slack");
    // A config: scope and JSON; the flow's LoadConfig would now find it.
    type_into(&mut h, "Scope", "slack_settings");
    type_into(&mut h, "Config JSON", r##"{"channel": "#vip"}"##);
    h.get_by_label("Save config").click();
    h.run();
    h.get_by_label("channel: \"#vip\"");
    // A bearer-token connection: its secret never shows.
    h.get_by_label("Connections").click();
    h.run();
    type_into(&mut h, "Name", "slack");
    type_into(&mut h, "Token", "xoxb-very-secret");
    h.get_by_label("Create connection").click();
    h.run();
    h.get_by_label("slack  (bearer_token)");
    assert!(h.query_by_label_contains("xoxb-very-secret").is_none());
    // Edited in place: a new allowed domain, the secret left empty is kept.
    h.get_by_label("Edit connection slack").click();
    h.run();
    h.get_by_label("Editing slack");
    type_into(&mut h, "Allowed domain", "slack.com");
    h.get_by_label("Save connection").click();
    h.run();
    {
        let db = zis_services::db::Db::open(&h.state().state.data_dir.join("zis-studio.sqlite"))
            .unwrap();
        let c = db
            .connection(&h.state().state.integration_key(), "slack")
            .unwrap()
            .unwrap();
        assert_eq!(c.allowed_domain, "slack.com");
        assert_eq!(c.data["token"], "xoxb-very-secret");
    }
    h.get_by_label("Create connection");
    // A link.
    h.get_by_label("Links").click();
    h.run();
    type_into(&mut h, "Link type", "ticket_issue");
    type_into(&mut h, "Left", "101");
    type_into(&mut h, "Right", "JIRA-7");
    h.get_by_label("Create link").click();
    h.run();
    h.get_by_label("JIRA-7");
    type_into(&mut h, "Right", "JIRA-8");
    h.get_by_label("Create link").click();
    h.run();
    // The types present are offered; a filter narrows the table.
    h.get_by_role_and_label(egui::accesskit::Role::Button, "ticket_issue");
    type_into(&mut h, "Filter right", "*-8");
    h.run();
    assert!(h.query_by_label("JIRA-7").is_none());
    h.get_by_label("1 of 2 links match the filters");
    type_into(&mut h, "Filter right", "");
    // Edited in place: metadata on the right object.
    h.get_by_label("Edit the link 101 - JIRA-7").click();
    h.run();
    type_into(&mut h, "Right metadata", r#"{"status": "open"}"#);
    h.get_by_label("Save link").click_accesskit();
    h.run();
    assert_eq!(h.state().state.services.error, None);
    h.get_by_label(r#"{"status":"open"}"#);
    // The server on a free port, then an inbound webhook on it with a curl to copy.
    h.state_mut()
        .state
        .apply(zis_studio::app::StoresCommand::StartServer(0));
    h.run();
    let url = h
        .state()
        .state
        .services
        .server
        .as_ref()
        .unwrap()
        .0
        .base_url
        .clone();
    h.get_by_label(&format!("Server on {url}"));
    h.get_by_label("Inbound webhooks").click();
    h.run();
    type_into(&mut h, "Source system", "carrier");
    type_into(&mut h, "Event type", "shipment.updated");
    h.get_by_label("Create webhook").click();
    h.run();
    h.get_by_label("New webhook: its password is shown this once");
    h.get_by_label_contains(&format!(
        "Ingest URL: {url}/api/services/zis/inbound_webhooks"
    ));
    h.get_by_label("Copy curl");
    h.get_by_label("Stop server").click();
    h.run();
    assert!(h.state().state.services.server.is_none());
    h.get_by_label("Start server");
    // Everything is in the data folder's database.
    let db =
        zis_services::db::Db::open(&h.state().state.data_dir.join("zis-studio.sqlite")).unwrap();
    assert_eq!(
        db.config("acme_slack", "slack_settings").unwrap().unwrap()["config"]["channel"],
        "#vip"
    );
}
