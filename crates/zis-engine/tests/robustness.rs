//! Arbitrary JSON and arbitrary bytes never panic the parser, the model, the writer or the
//! validator (in both modes).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use proptest::prelude::*;
use serde_json::{Map, Value};
use zis_engine::document::Document;
use zis_engine::validate::{self, Mode, Options};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            "[a-zA-Z$.\\[\\]*?@(){}%:' ]{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "Action",
                "Choice",
                "Pass",
                "Wait",
                "Succeed",
                "Fail",
                "Map",
                "Task",
                "Parallel",
                "$",
                "$.a",
                "$.a[0]",
                "$..x",
                "{{$.a}}",
                "States.ALL",
                "zis:common:transform:Jq",
                "zis:x:action:y",
                ".a | .b",
                "{% 1 %}",
                "2024-01-01T00:00:00Z",
                "ZIS::Flow",
                "ZIS::JobSpec",
                "ZIS::Action::Http",
                "GET",
                "/api",
            ])
            .prop_map(|s| Value::String(s.to_string())),
        ],
    ];
    let keys = prop::sample::select(vec![
        "Type",
        "Next",
        "End",
        "StartAt",
        "States",
        "Choices",
        "Variable",
        "StringEquals",
        "And",
        "Not",
        "Default",
        "Catch",
        "ErrorEquals",
        "ResultPath",
        "Parameters",
        "x.$",
        "expr",
        "ActionName",
        "Iterator",
        "ItemsPath",
        "Seconds",
        "SecondsPath",
        "resources",
        "type",
        "properties",
        "name",
        "definition",
        "flow_name",
        "method",
        "url",
        "path",
        "headers",
        "key",
        "value",
        "zis_template_version",
        "QueryLanguage",
        "Branches",
        "Resource",
    ]);
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

fn exercise(text: &str) {
    for mode in [Mode::Zis, Mode::Asl] {
        let options = Options {
            mode,
            express: mode == Mode::Asl,
        };
        let _ = validate::validate_bundle_text(text, options);
        let _ = validate::validate_definition_text(text, options);
    }
    if let Ok(mut doc) = Document::parse(text) {
        assert_eq!(doc.render(), text);
        let _ = doc.bundle();
        doc.set("", Value::Null);
        let _ = doc.render();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let text = serde_json::to_string_pretty(&v).unwrap();
        exercise(&text);
        // Wrapped as a bundle and as a flow definition too, to reach the deeper checks.
        let bundle = serde_json::json!({"zis_template_version": "2019-10-14", "name": "p",
            "resources": {"f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": v.clone()}}}});
        exercise(&serde_json::to_string(&bundle).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn edits_round_trip(v in arb_json(), w in arb_json()) {
        let text = serde_json::to_string_pretty(&serde_json::json!({"a": v, "b": [1, 2]})).unwrap();
        let mut doc = Document::parse(text).unwrap();
        doc.set("/a", w.clone());
        let saved = doc.render();
        let reparsed = Document::parse(saved).unwrap();
        prop_assert_eq!(reparsed.value(), doc.value());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000);
    let found = validate::validate_bundle_text(&text, Options::default());
    assert_eq!(found[0].code.id(), "E001");
    let nested = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    exercise(&nested);
}
