//! Shape inference through every kind of state: a clean flow gives no finding; one thing
//! broken gives its code at its pointer. Unknown data never gives a finding, and a loop that
//! nests data forever still ends.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::model::FlowDefinition;
use zis_engine::shape::Shape;
use zis_engine::shape::flow::{Env, FlowShapes, ResultOf, infer};
use zis_engine::validate::Code;

fn run(def: &Value, start: Value) -> FlowShapes {
    let (flow, _) = FlowDefinition::from_value(def, "");
    let none = |_: &ResultOf| None;
    let env = Env {
        event: None,
        flow: "f".into(),
        results: &none,
    };
    infer(&flow, Shape::of(&start), &env)
}

fn findings(def: &Value, start: Value) -> Vec<(Code, String)> {
    run(def, start)
        .findings
        .into_iter()
        .map(|d| (d.code, d.pointer))
        .collect()
}

fn map_flow(read: &str) -> Value {
    json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.order.lines",
                 "Parameters": {"line.$": "$$.Map.Item.Value", "currency.$": "$.order.currency"},
                 "Iterator": {"StartAt": "Price", "States": {
                     "Price": {"Type": "Pass", "Parameters": {"p.$": read}, "End": true}}},
                 "ResultPath": "$.priced", "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"first.$": "$.priced[0].p"}, "End": true}}})
}

#[test]
fn a_map_iteration_sees_its_item_through_the_context_and_its_parameters() {
    let start = json!({"order": {"currency": "EUR", "lines": [{"sku": "A", "qty": 1}]}});
    assert_eq!(findings(&map_flow("$.line.sku"), start.clone()), vec![]);
    assert_eq!(
        findings(&map_flow("$.line.skew"), start.clone()),
        vec![(
            Code::PathNotFound,
            "/States/Each/Iterator/States/Price/Parameters/p.$".to_string()
        )]
    );
    let f = run(&map_flow("$.currency"), start.clone());
    let done = &f.states["/States/Done"].input;
    let Shape::Object(o) = done else { panic!() };
    assert_eq!(
        o.fields["priced"].shape,
        Shape::Array(Box::new(Shape::object([("p", Shape::String(None))])))
    );
    let mut not_array = map_flow("$.line.sku");
    not_array["States"]["Each"]["ItemsPath"] = json!("$.order.currency");
    assert_eq!(
        findings(&not_array, start),
        vec![(Code::ItemsNotArray, "/States/Each/ItemsPath".to_string())]
    );
}

fn catch_flow(read: &str) -> Value {
    json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                 "Parameters": {"scope": "s"}, "ResultPath": "$.settings",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "After"}],
                 "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"v.$": read}, "End": true}}})
}

#[test]
fn a_catch_brings_error_and_cause_and_ways_that_differ_make_a_field_optional() {
    let start = json!({"input": {"id": 1}});
    // `$.settings` comes on one way only, `$.error` on the other.
    assert_eq!(
        findings(&catch_flow("$.settings.config"), start.clone()),
        vec![(
            Code::PathMayFail,
            "/States/After/Parameters/v.$".to_string()
        )]
    );
    let f = run(&catch_flow("$.error.Message"), start.clone());
    assert_eq!(f.findings.len(), 1);
    // On no way does the error have `Message`: that outweighs `error` being optional.
    assert_eq!(f.findings[0].code, Code::PathNotFound);
    assert_eq!(
        f.findings[0].message,
        "`$.error.Message` cannot resolve here: `error` has no `Message`; it has `Cause`, `Error`"
    );
    assert_eq!(findings(&catch_flow("$.input.id"), start), vec![]);
}

#[test]
fn a_choice_guard_narrows_and_a_comparison_of_another_type_is_found() {
    let flow = |rule: Value| {
        json!({"StartAt": "Ask", "States": {
            "Ask": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Use": {"Type": "Pass", "Parameters": {"n.$": "$.maybe.name"}, "End": true},
            "No": {"Type": "Succeed"}}})
    };
    // `maybe` is null on one way in: reading into it is reported unless guarded.
    let start = json!({"maybe": null, "count": 3});
    let unguarded = flow(json!({"Variable": "$.count", "NumericGreaterThan": 1, "Next": "Use"}));
    assert_eq!(
        findings(&unguarded, start.clone()),
        vec![(Code::PathMayFail, "/States/Use/Parameters/n.$".to_string())]
    );
    let guarded = flow(json!({"Variable": "$.maybe", "IsNull": false, "Next": "Use"}));
    assert_eq!(findings(&guarded, start.clone()), vec![]);
    let wrong = flow(json!({"Variable": "$.count", "BooleanEquals": true, "Next": "No"}));
    assert_eq!(
        findings(&wrong, start),
        vec![(
            Code::ChoiceType,
            "/States/Ask/Choices/0/BooleanEquals".to_string()
        )]
    );
}

#[test]
fn unknown_data_never_gives_a_finding_and_a_nesting_loop_ends() {
    let jq = json!({"StartAt": "T", "States": {
        "T": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
              "Parameters": {"expr": ".", "data.$": "$"}, "ResultPath": "$.out", "Next": "R"},
        "R": {"Type": "Pass", "Parameters": {"x.$": "$.out.anything.at.all"}, "End": true}}});
    assert_eq!(findings(&jq, json!({"a": 1})), vec![]);
    let looping = json!({"StartAt": "Nest", "States": {
        "Nest": {"Type": "Pass", "Parameters": {"inner.$": "$"}, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [
            {"Variable": "$.inner", "IsPresent": true, "Next": "Nest"}], "Default": "End"},
        "End": {"Type": "Succeed"}}});
    let f = run(&looping, json!({"a": 1}));
    assert!(f.states.contains_key("/States/End"));
}
