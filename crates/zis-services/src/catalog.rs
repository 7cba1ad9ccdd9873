//! The event catalog (zis-facts.md section 6): the native events a job spec can subscribe
//! to, and a sample ZIS envelope for each, so a flow can be started on a realistic event.

use serde_json::{Value, json};

/// One event type of the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventType {
    /// Job spec `event_source`: `support` or `sunshine`.
    pub source: &'static str,
    /// Job spec `event_type`, e.g. `ticket.TicketCreated`.
    pub event_type: &'static str,
    /// The human label ZIS puts in the payload's `type`.
    pub label: &'static str,
}

macro_rules! events {
    ($($source:literal $ty:literal $label:literal;)*) => {
        /// Every native event type, in documentation order.
        pub const EVENTS: &[EventType] = &[$(EventType { source: $source, event_type: $ty, label: $label },)*];
    };
}

events! {
    "support" "ticket.AgentAssignmentChanged" "Agent Assignment Changed";
    "support" "ticket.AttachmentLinkedToComment" "Attachment Linked To Comment";
    "support" "ticket.AttachmentRedactedFromComment" "Attachment Redacted From Comment";
    "support" "ticket.BrandChanged" "Brand Changed";
    "support" "ticket.CommentAdded" "Comment Created";
    "support" "ticket.CommentMadePrivate" "Comment Made Private";
    "support" "ticket.CommentRedacted" "Comment Redacted";
    "support" "ticket.CustomFieldChanged" "Custom Field Changed";
    "support" "ticket.DescriptionChanged" "Description Changed";
    "support" "ticket.CcsChanged" "Email CCs Changed";
    "support" "ticket.ExternalIdChanged" "External ID Changed";
    "support" "ticket.FollowersChanged" "Followers Changed";
    "support" "ticket.TicketFormChanged" "Form Changed";
    "support" "ticket.GroupAssignmentChanged" "Group Assignment Changed";
    "support" "ticket.OrganizationChanged" "Organization Changed";
    "support" "ticket.PriorityChanged" "Priority Changed";
    "support" "ticket.ProblemLinkChanged" "Problem Link Changed";
    "support" "ticket.RequesterChanged" "Requester Changed";
    "support" "ticket.StatusChanged" "Status Changed";
    "support" "ticket.SubjectChanged" "Subject Changed";
    "support" "ticket.SubmitterChanged" "Submitter Changed";
    "support" "ticket.TagsChanged" "Tags Changed";
    "support" "ticket.TaskDueAtChanged" "Task Due At Changed";
    "support" "ticket.TicketCreated" "Ticket Created";
    "support" "ticket.MarkedAsSpam" "Marked As Spam";
    "support" "ticket.TicketMerged" "Ticket Merged";
    "support" "ticket.TicketPermanentlyDeleted" "Ticket Permanently Deleted";
    "support" "ticket.TicketSoftDeleted" "Ticket Soft Deleted";
    "support" "ticket.TicketTypeChanged" "Ticket Type Changed";
    "support" "ticket.TicketUndeleted" "Ticket Undeleted";
    "support" "user.UserIsActiveChanged" "Active Status Changed";
    "support" "user.UserAliasChanged" "Alias Changed";
    "support" "user.CustomFieldChanged" "Custom Field Changed";
    "support" "user.CustomRoleChanged" "Custom Role Changed";
    "support" "user.UserDefaultGroupChanged" "Default Group Changed";
    "support" "user.UserDetailsChanged" "Details Changed";
    "support" "user.ExternalIdChanged" "External ID Changed";
    "support" "user.UserGroupAdded" "Group Membership Added";
    "support" "user.UserGroupRemoved" "Group Membership Removed";
    "support" "user.UserIdentityChanged" "Identity Changed";
    "support" "user.UserIdentityCreated" "Identity Created";
    "support" "user.UserIdentityRemoved" "Identity Removed";
    "support" "user.LastLoginChanged" "Last Login Changed";
    "support" "user.UserNameChanged" "Name Changed";
    "support" "user.UserNotesChanged" "Notes Changed";
    "support" "user.OnlyPrivateCommentsChanged" "Only Private Comments Changed";
    "support" "user.UserOrganizationAdded" "Organization Membership Added";
    "support" "user.UserOrganizationRemoved" "Organization Membership Removed";
    "support" "user.UserPhotoChanged" "Photo Changed";
    "support" "user.UserRoleChanged" "Role Changed";
    "support" "user.TagsChanged" "Tags Changed";
    "support" "user.UserCreated" "User Created";
    "support" "organization.CustomFieldChanged" "Custom Field Changed";
    "support" "organization.OrganizationCreated" "Organization Created";
    "support" "organization.OrganizationDeleted" "Organization Deleted";
    "support" "organization.ExternalIdChanged" "External ID Changed";
    "support" "organization.OrganizationNameChanged" "Name Changed";
    "support" "organization.TagsChanged" "Tags Changed";
    "support" "customobject.CustomObjectRecordCreated" "Custom Object Record Created";
    "support" "customobject.CustomObjectRecordChanged" "Custom Object Record Changed";
    "support" "customobject.CustomObjectRecordDeleted" "Custom Object Record Deleted";
    "sunshine" "customobject.CustomObjectChanged" "Custom Object Changed";
    "sunshine" "customobject.CustomObjectDeleted" "Custom Object Deleted";
    "sunshine" "activity.UserActivityCreated" "User Activity Created";
}

/// The catalog entry for a source and type, if native.
pub fn find(source: &str, event_type: &str) -> Option<&'static EventType> {
    EVENTS
        .iter()
        .find(|e| e.source == source && e.event_type == event_type)
}

/// Settings for building sample envelopes.
#[derive(Clone, Debug)]
pub struct Account {
    /// `account_id`.
    pub account_id: u64,
    /// `subdomain`.
    pub subdomain: String,
    /// `integration_key`.
    pub integration_key: String,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            account_id: 4_455_667,
            subdomain: "acme".into(),
            integration_key: "acme_app".into(),
        }
    }
}

fn meta(version: &str) -> Value {
    json!({"version": version, "occurred_at": "2024-02-01T10:15:00Z", "ref": "7-55501",
           "sequence": {"id": "9F0C2B7A41D3", "position": 1, "total": 1}})
}

fn ticket() -> Value {
    json!({"id": 812, "created_at": "2024-01-30T08:00:00Z", "updated_at": "2024-02-01T10:15:00Z",
           "type": "incident", "priority": "urgent", "status": "open", "requester_id": 9001,
           "submitter_id": 9001, "assignee_id": 77, "organization_id": 501, "group_id": 31,
           "brand_id": 4, "form_id": 12, "external_id": null, "tags": ["vip", "billing"],
           "via": {"channel": "email"}})
}

/// The `input` of a native event: one family object with `meta`, `type`, the entity and
/// event-specific fields.
pub fn sample_input(event: &EventType) -> Value {
    let (family, entity) = event
        .event_type
        .split_once('.')
        .unwrap_or(("ticket", event.event_type));
    let mut body = json!({"meta": meta("1.0"), "type": event.label});
    match (event.source, family) {
        ("support", "ticket") => {
            body["ticket"] = ticket();
            match entity {
                "CommentAdded" | "CommentMadePrivate" | "CommentRedacted" => {
                    body["comment"] = json!({"id": 5501, "body": "Where is my order #1234 ?",
                        "is_public": entity != "CommentMadePrivate",
                        "author": {"id": 9001, "is_staff": false, "name": "Ada Customer"}});
                }
                "AttachmentLinkedToComment" | "AttachmentRedactedFromComment" => {
                    body["attachment"] = json!({"id": 7701, "content_url": "https://acme.zendesk.com/attachments/token/x/?name=invoice.pdf",
                        "content_type": "application/pdf", "filename": "invoice.pdf", "is_public": true});
                    body["comment"] = json!({"id": 5501});
                }
                "TagsChanged" => {
                    body["tags_added"] = json!(["billing"]);
                    body["tags_removed"] = json!(["new"]);
                }
                "CustomFieldChanged" => {
                    body["custom_field"] =
                        json!({"id": 360001, "title": "Order number", "field_type": "text"});
                }
                _ => {}
            }
            changed(&mut body, "ticket", entity);
            json!({"ticket_event": body})
        }
        ("support", "user") => {
            body["user"] = json!({"id": 9001, "external_id": null, "role": "end-user", "email": "ada@example.com",
                "created_at": "2023-05-01T09:00:00Z", "updated_at": "2024-02-01T10:15:00Z",
                "organization_id": 501, "default_group_id": null});
            if entity == "CustomFieldChanged" {
                body["custom_field"] =
                    json!({"id": 360101, "title": "Plan", "field_type": "dropdown"});
            }
            changed(&mut body, "user", entity);
            json!({"user_event": body})
        }
        ("support", "organization") => {
            body["organization"] = json!({"id": 501, "name": "Acme Corp", "external_id": null, "group_id": 31,
                "shared_comments": false, "shared_tickets": false,
                "created_at": "2022-01-01T00:00:00Z", "updated_at": "2024-02-01T10:15:00Z"});
            if entity == "CustomFieldChanged" {
                body["custom_field"] =
                    json!({"id": 360201, "title": "Tier", "field_type": "tagger"});
            }
            changed(&mut body, "organization", entity);
            json!({"organization_event": body})
        }
        ("support", "customobject") => {
            body["meta"] = meta("2.0");
            body["custom_object_record"] = json!({"account_id": 4_455_667, "custom_object_key": "car",
                "external_id": null, "id": "01HPZ8Y1W3K9F6V2T5Q7R4M0XN", "name": "Car 1",
                "custom_object_fields": {"make": "Volvo"}, "created_at": "2024-02-01T10:15:00Z",
                "created_by_user_id": "77", "updated_at": "2024-02-01T10:15:00Z", "updated_by_user_id": "77"});
            json!({"custom_object_event": body})
        }
        ("sunshine", "customobject") => {
            if entity == "CustomObjectDeleted" {
                body["object_id"] = json!("c-1");
            } else {
                body["custom_object"] = json!({"account_id": "4455667", "object_type": "car", "id": "c-1",
                    "external_id": null, "attributes": {"make": "Volvo"},
                    "created_at": "2024-02-01T10:15:00Z", "updated_at": "2024-02-01T10:15:00Z"});
            }
            json!({"custom_object_event": body})
        }
        _ => {
            body["user_activity"] = json!({"created_at": "2024-02-01T10:15:00Z", "description": "Viewed pricing",
                "id": "a-1", "namespace": "web", "profile_id": "p-1", "properties": {}, "source": "web",
                "type": "page_view", "user_id": "9001"});
            json!({"activity_event": body})
        }
    }
}

/// `previous` and `current` of a `*Changed` event (zis-facts.md 6.2–6.4), and the entity's
/// own field set to `current` so the sample agrees with itself (a StatusChanged ticket's
/// `status` is its `current`).
fn changed(body: &mut Value, entity_key: &str, event: &str) {
    // (event, previous, current, the entity's field that holds the value)
    let table: &[(&str, &str, Value, Value, Option<&str>)] = &[
        (
            "ticket",
            "AgentAssignmentChanged",
            json!(null),
            json!(77),
            Some("assignee_id"),
        ),
        (
            "ticket",
            "BrandChanged",
            json!(3),
            json!(4),
            Some("brand_id"),
        ),
        (
            "ticket",
            "CustomFieldChanged",
            json!(null),
            json!("1234"),
            None,
        ),
        (
            "ticket",
            "DescriptionChanged",
            json!("Printer jams"),
            json!("Printer jams on page 2"),
            None,
        ),
        ("ticket", "CcsChanged", json!([]), json!([9002]), None),
        (
            "ticket",
            "ExternalIdChanged",
            json!(null),
            json!("ext-812"),
            Some("external_id"),
        ),
        ("ticket", "FollowersChanged", json!([]), json!([78]), None),
        (
            "ticket",
            "TicketFormChanged",
            json!(11),
            json!(12),
            Some("form_id"),
        ),
        (
            "ticket",
            "GroupAssignmentChanged",
            json!(30),
            json!(31),
            Some("group_id"),
        ),
        (
            "ticket",
            "OrganizationChanged",
            json!(500),
            json!(501),
            Some("organization_id"),
        ),
        (
            "ticket",
            "PriorityChanged",
            json!("normal"),
            json!("urgent"),
            Some("priority"),
        ),
        (
            "ticket",
            "ProblemLinkChanged",
            json!(null),
            json!(700),
            None,
        ),
        (
            "ticket",
            "RequesterChanged",
            json!(9000),
            json!(9001),
            Some("requester_id"),
        ),
        (
            "ticket",
            "StatusChanged",
            json!("open"),
            json!("solved"),
            Some("status"),
        ),
        (
            "ticket",
            "SubjectChanged",
            json!("Printer"),
            json!("Printer jams"),
            None,
        ),
        (
            "ticket",
            "SubmitterChanged",
            json!(9000),
            json!(9001),
            Some("submitter_id"),
        ),
        (
            "ticket",
            "TagsChanged",
            json!(["vip", "new"]),
            json!(["vip", "billing"]),
            Some("tags"),
        ),
        (
            "ticket",
            "TaskDueAtChanged",
            json!(null),
            json!("2024-02-09T17:00:00Z"),
            None,
        ),
        (
            "ticket",
            "TicketTypeChanged",
            json!("question"),
            json!("incident"),
            Some("type"),
        ),
        (
            "user",
            "UserIsActiveChanged",
            json!(true),
            json!(false),
            None,
        ),
        ("user", "UserAliasChanged", json!(null), json!("Ada"), None),
        (
            "user",
            "CustomFieldChanged",
            json!("basic"),
            json!("pro"),
            None,
        ),
        (
            "user",
            "CustomRoleChanged",
            json!(null),
            json!(360900),
            None,
        ),
        (
            "user",
            "UserDefaultGroupChanged",
            json!(30),
            json!(31),
            Some("default_group_id"),
        ),
        (
            "user",
            "UserDetailsChanged",
            json!(""),
            json!("Prefers email"),
            None,
        ),
        (
            "user",
            "ExternalIdChanged",
            json!(null),
            json!("crm-9001"),
            Some("external_id"),
        ),
        (
            "user",
            "UserIdentityChanged",
            json!("ada@old.example.com"),
            json!("ada@example.com"),
            Some("email"),
        ),
        (
            "user",
            "LastLoginChanged",
            json!("2024-01-30T08:00:00Z"),
            json!("2024-02-01T10:15:00Z"),
            None,
        ),
        (
            "user",
            "UserNameChanged",
            json!("Ada"),
            json!("Ada Customer"),
            None,
        ),
        ("user", "UserNotesChanged", json!(""), json!("VIP"), None),
        (
            "user",
            "OnlyPrivateCommentsChanged",
            json!(false),
            json!(true),
            None,
        ),
        (
            "user",
            "UserPhotoChanged",
            json!(null),
            json!("https://acme.zendesk.com/photos/9001.png"),
            None,
        ),
        (
            "user",
            "UserRoleChanged",
            json!("end-user"),
            json!("agent"),
            Some("role"),
        ),
        ("user", "TagsChanged", json!([]), json!(["vip"]), None),
        (
            "organization",
            "CustomFieldChanged",
            json!("silver"),
            json!("gold"),
            None,
        ),
        (
            "organization",
            "ExternalIdChanged",
            json!(null),
            json!("crm-501"),
            Some("external_id"),
        ),
        (
            "organization",
            "OrganizationNameChanged",
            json!("Acme"),
            json!("Acme Corp"),
            Some("name"),
        ),
        (
            "organization",
            "TagsChanged",
            json!([]),
            json!(["enterprise"]),
            None,
        ),
    ];
    if let Some((_, _, previous, current, field)) = table
        .iter()
        .find(|(e, name, ..)| *e == entity_key && *name == event)
    {
        body["previous"] = previous.clone();
        body["current"] = current.clone();
        if let Some(f) = field {
            body[entity_key][*f] = current.clone();
        }
    }
}

/// The whole envelope a flow starts with: `{account_id, integration_key, subdomain, input}`.
pub fn envelope(account: &Account, input: Value) -> Value {
    json!({"account_id": account.account_id, "integration_key": account.integration_key,
           "subdomain": account.subdomain, "input": input})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_sample_with_its_family_object() {
        for e in EVENTS {
            let input = sample_input(e);
            let obj = input.as_object().unwrap();
            assert_eq!(obj.len(), 1, "{e:?}");
            let (key, body) = obj.iter().next().unwrap();
            assert!(key.ends_with("_event"), "{key}");
            assert_eq!(body["type"], e.label);
            assert!(body["meta"]["occurred_at"].is_string());
        }
        let env = envelope(
            &Account::default(),
            sample_input(find("support", "ticket.TicketCreated").unwrap()),
        );
        assert_eq!(env["input"]["ticket_event"]["ticket"]["priority"], "urgent");
        assert!(find("support", "ticket.Nope").is_none());
    }

    #[test]
    fn changed_events_carry_previous_and_current_and_agree_with_themselves() {
        for e in EVENTS.iter().filter(|e| e.event_type.ends_with("Changed")) {
            let input = sample_input(e);
            let body = input.as_object().unwrap().values().next().unwrap();
            if e.source == "support" && !e.event_type.starts_with("customobject.") {
                assert!(
                    body.get("previous").is_some() && body.get("current").is_some(),
                    "{} has no previous/current",
                    e.event_type
                );
            }
        }
        let status = sample_input(find("support", "ticket.StatusChanged").unwrap());
        assert_eq!(
            status["ticket_event"]["ticket"]["status"],
            status["ticket_event"]["current"]
        );
        let role = sample_input(find("support", "user.UserRoleChanged").unwrap());
        assert_eq!(role["user_event"]["user"]["role"], "agent");
        for t in [
            "ticket.CustomFieldChanged",
            "user.CustomFieldChanged",
            "organization.CustomFieldChanged",
        ] {
            let v = sample_input(find("support", t).unwrap());
            let body = v.as_object().unwrap().values().next().unwrap();
            assert!(body["custom_field"]["field_type"].is_string(), "{t}");
        }
        let a = sample_input(find("support", "ticket.AttachmentLinkedToComment").unwrap());
        assert!(a["ticket_event"]["attachment"]["content_url"].is_string());
        let d = sample_input(find("sunshine", "customobject.CustomObjectDeleted").unwrap());
        assert_eq!(d["custom_object_event"]["object_id"], "c-1");
        assert!(find("support", "user.UserCreated").is_some());
    }
}
