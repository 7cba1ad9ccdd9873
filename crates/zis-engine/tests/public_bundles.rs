//! The public bundles of ../shared/public_bundles: the four good ones validate with no
//! errors and exactly the warnings listed here; the incode one fails with named codes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use zis_engine::validate::{self, Options};

fn diagnostics(file: &str) -> Option<Vec<(String, String)>> {
    let shared = common::shared("public_bundles")?;
    let text = std::fs::read_to_string(shared.join("public_bundles").join(file)).unwrap();
    let found = validate::validate_bundle_text(&text, Options::default());
    for d in &found {
        println!(
            "{file}:{}:{}: {}[{}] {} ({})",
            d.line,
            d.column,
            if d.is_error() { "error" } else { "warning" },
            d.code.id(),
            d.message,
            d.pointer
        );
        assert!(
            d.line > 0 && d.column > 0,
            "every diagnostic has a position"
        );
    }
    Some(
        found
            .into_iter()
            .map(|d| (d.code.id().to_string(), d.pointer))
            .collect(),
    )
}

fn expect(file: &str, expected: &[(&str, &str)]) {
    let Some(found) = diagnostics(file) else {
        return;
    };
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    assert_eq!(found, expected, "diagnostics of {file}");
}

#[test]
fn tsanet_connect_is_clean() {
    expect("tsanetgit__Zendesk__tsanet_connect_bundle.json", &[]);
}

#[test]
fn survey_launcher_is_clean() {
    expect("tylercarty-cloud__survey-launcher__zis_bundle.json", &[]);
}

#[test]
fn survey_launcher_with_webhook_has_one_unused_action() {
    expect(
        "tylercarty-cloud__survey-launcher__zis_bundle_with_webhook.json",
        &[(
            "W012",
            "/resources/CreateSurveySparrowUniqueLink/properties/name",
        )],
    );
}

#[test]
fn parser_and_visualizer_template_warns_only() {
    expect(
        "sureshungarala__ZIS-Parser-and-Visualizer__bundle.json",
        &[
            (
                "W008",
                "/resources/{{customer-name}}_{{integration-name}}_jobspec/properties/name",
            ),
            (
                "W015",
                "/resources/{{integration-name}}_flow/properties/definition/States/Choice.CheckIfLastCommentAuthorIsSystem",
            ),
            (
                "W008",
                "/resources/Zendesk.GetTicketComments/properties/name",
            ),
        ],
    );
}

#[test]
fn incode_bundle_is_rejected_with_named_codes() {
    let Some(found) = diagnostics("Ryan-Auth0__incode-zendesk-identity-verification__bundle.json")
    else {
        return;
    };
    let errors: Vec<&str> = found
        .iter()
        .filter(|(c, _)| c.starts_with('E'))
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(
        errors,
        ["E007", "E034"],
        "no job spec, and an absolute URL in path"
    );
    assert!(found.contains(&(
        "W002".into(),
        "/resources/update_ticket/properties/schema".into()
    )));
}
