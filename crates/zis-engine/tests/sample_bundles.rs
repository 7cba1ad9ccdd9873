//! The sample bundles validate clean and together cover every state type, every built-in
//! action, each connection style and both trigger kinds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use zis_engine::document::Document;
use zis_engine::model::{ResourceBody, StateKind, resource_type};
use zis_engine::validate::{self, Options};

fn samples() -> Vec<(String, Document)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sample_bundles");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        // Not the sidecars ZIS Studio writes next to a bundle.
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.ends_with(".zis-studio.json") && !name.ends_with(".tests.json")
        })
        .map(|p| {
            (
                p.display().to_string(),
                Document::parse(std::fs::read_to_string(&p).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn samples_validate_clean_and_cover_the_language() {
    let samples = samples();
    assert!(samples.len() >= 4);
    let (mut types, mut actions, mut connections, mut sources) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let mut manual_bearer = false;
    for (path, doc) in &samples {
        let found = validate::validate_bundle_text(doc.saved_text(), Options::default());
        assert!(found.is_empty(), "{path}: {found:?}");
        let (bundle, _) = doc.bundle();
        for (_, def) in bundle.flows() {
            for s in def.all_states() {
                types.insert(s.kind.type_name());
                if let StateKind::Action {
                    action_name: Some(a),
                } = &s.kind
                {
                    actions.insert(a.to_string());
                }
            }
        }
        for res in &bundle.resources {
            match &res.body {
                ResourceBody::HttpAction(Some(a)) => {
                    if let Some(c) = &a.connection_name {
                        connections.insert(c.to_string());
                    }
                    manual_bearer |= a.headers.iter().any(|h| h.key == "Authorization");
                }
                ResourceBody::JobSpec(j) => {
                    sources.insert(j.event_source.unwrap_or_default().to_string());
                }
                _ => {}
            }
        }
        assert!(bundle.resources_of(resource_type::JOB_SPEC).count() >= 1);
    }
    for t in ["Action", "Choice", "Pass", "Wait", "Succeed", "Fail", "Map"] {
        assert!(types.contains(t), "no sample uses a {t} state");
    }
    for a in [
        "LoadConfig",
        "PatchConfig",
        "LoadLinks",
        "CreateLink",
        "PatchLink",
        "DeleteLink",
    ] {
        assert!(
            actions.contains(&format!("zis:common:action:{a}")),
            "no sample uses {a}"
        );
    }
    assert!(actions.contains("zis:common:transform:Jq"));
    // zendesk: OAuth; slack: bearer token; jira: basic auth; shop: API key (see each flow's Comment).
    for c in ["zendesk", "slack", "jira", "shop"] {
        assert!(connections.contains(c), "no action uses the {c} connection");
    }
    assert!(
        manual_bearer,
        "one action authenticates with $.connections.<name>.access_token"
    );
    assert!(
        sources.contains("support"),
        "a native Zendesk event trigger"
    );
    assert!(
        sources.iter().any(|s| s != "support" && s != "sunshine"),
        "an inbound webhook trigger"
    );
}
