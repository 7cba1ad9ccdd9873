//! Shape inference through every kind of state: a clean flow gives no finding; one thing
//! broken gives its code at its pointer. Unknown data never gives a finding, and a loop that
//! nests data forever still ends.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::{Value, json};
use zis_engine::model::FlowDefinition;
use zis_engine::run::execution::Settings;
use zis_engine::shape::Shape;
use zis_engine::shape::flow::{Env, FlowShapes, ResultOf, infer};
use zis_engine::validate::Code;

fn run(def: &Value, start: Value) -> FlowShapes {
    infer_on(def, Shape::of(&start), Settings::zis())
}

/// Inference of a flow from a start shape, no action result known.
fn infer_on(def: &Value, start: Shape, settings: Settings) -> FlowShapes {
    let (flow, _) = FlowDefinition::from_value(def, "");
    let none = |_: &ResultOf| None;
    let env = Env {
        event: None,
        flow: "f".into(),
        settings,
        results: &none,
    };
    infer(&flow, start, &env)
}

fn findings(def: &Value, start: Value) -> Vec<(Code, String)> {
    run(def, start)
        .findings
        .into_iter()
        .map(|d| (d.code, d.pointer))
        .collect()
}

/// A state that reads `path` (an Action's Parameters are evaluated in ZIS; a Pass's are
/// not, by default).
fn reading(key: &str, path: &str, next: Option<&str>) -> Value {
    let mut s = json!({"Type": "Action", "ActionName": "zis:common:transform:Jq",
                       "Parameters": {"expr": ".", format!("{key}.$"): path},
                       "ResultPath": format!("$.{key}_out")});
    match next {
        Some(n) => s["Next"] = json!(n),
        None => s["End"] = json!(true),
    }
    s
}

fn map_flow(read: &str) -> Value {
    json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.order.lines",
                 "Iterator": {"StartAt": "Price", "States": {
                     "Price": {"Type": "Pass", "Result": {"p": "x"}, "ResultPath": "$.price",
                               "Next": "Read"},
                     "Read": reading("p", read, None)}},
                 "ResultPath": "$.priced", "Next": "Done"},
        "Done": reading("first", "$.priced[0].price.p", None)}})
}

#[test]
fn a_map_iteration_sees_its_item_and_the_map_result_is_the_array_of_their_outputs() {
    let start = json!({"order": {"currency": "EUR", "lines": [{"sku": "A", "qty": 1}]}});
    assert_eq!(findings(&map_flow("$.sku"), start.clone()), vec![]);
    assert_eq!(
        findings(&map_flow("$.skew"), start.clone()),
        vec![(
            Code::PathNotFound,
            "/States/Each/Iterator/States/Read/Parameters/p.$".to_string()
        )]
    );
    // The iteration sees its item only, not the Map's data.
    assert_eq!(
        findings(&map_flow("$.order.currency"), start.clone()).len(),
        1
    );
    let f = run(&map_flow("$.qty"), start.clone());
    let done = &f.states["/States/Done"].input;
    let Shape::Object(o) = done else { panic!() };
    let Shape::Array(item) = &o.fields["priced"].shape else {
        panic!()
    };
    let Shape::Object(item) = item.as_ref() else {
        panic!()
    };
    // The Pass `Result` is a literal: its string keeps its value.
    assert_eq!(
        item.fields["price"].shape,
        Shape::object([("p", Shape::one_of(&["x"]))])
    );
    assert!(item.fields.contains_key("sku") && item.fields.contains_key("p_out"));
    let mut not_array = map_flow("$.sku");
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
        "After": reading("v", read, None)}})
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
            "Use": reading("n", "$.maybe.name", None),
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
        "R": reading("x", "$.out.anything.at.all", None)}});
    assert_eq!(findings(&jq, json!({"a": 1})), vec![]);
    let looping = json!({"StartAt": "Nest", "States": {
        "Nest": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                 "Parameters": {"expr": ".", "inner.$": "$"}, "ResultPath": "$.inner",
                 "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [
            {"Variable": "$.inner.done", "IsPresent": false, "Next": "Nest"}], "Default": "End"},
        "End": {"Type": "Succeed"}}});
    let f = run(&looping, json!({"a": 1}));
    assert!(f.states.contains_key("/States/End"));
}

fn run_with(def: &Value, start: Value, settings: Settings) -> Vec<Code> {
    infer_on(def, Shape::of(&start), settings)
        .findings
        .into_iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn inference_follows_what_the_runtime_applies() {
    // ZIS ignores InputPath (and OutputPath, ResultSelector, a Pass's Parameters) unless
    // asl_io_fields is on; a Pass's Result wins over its Parameters.
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "InputPath": "$.a", "Result": {"b": 2},
              "Parameters": {"c.$": "$.nope"}, "ResultPath": "$.x", "Next": "R"},
        "R": reading("v", "$.a.k", None)}});
    let start = json!({"a": {"k": 1}});
    assert_eq!(run_with(&def, start.clone(), Settings::zis()), vec![]);
    let mut asl_io = Settings::zis();
    asl_io.asl_io_fields = true;
    // With ASL's I/O fields the Pass's InputPath still feeds only its own reading (it has a
    // Result): R sees `$` with `a`.
    assert_eq!(run_with(&def, start.clone(), asl_io.clone()), vec![]);
    let reads_input_path = json!({"StartAt": "R", "States": {
        "R": {"Type": "Action", "ActionName": "zis:common:transform:Jq", "InputPath": "$.a",
              "Parameters": {"expr": ".", "v.$": "$.a.k"}, "End": true}}});
    assert_eq!(
        run_with(&reads_input_path, start.clone(), Settings::zis()),
        vec![]
    );
    assert_eq!(
        run_with(&reads_input_path, start.clone(), asl_io),
        vec![Code::PathNotFound]
    );
    // A Succeed Message that is a bare path is read.
    let message =
        json!({"StartAt": "S", "States": {"S": {"Type": "Succeed", "Message": "$.a.kk"}}});
    assert_eq!(
        run_with(&message, start.clone(), Settings::zis()),
        vec![Code::PathNotFound]
    );
    // Placeholders that find nothing render empty with missing_placeholder=empty: only a
    // field no way has is still reported, and `may be absent` is not.
    let optional = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.a.k", "NumericEquals": 1, "Next": "W"}],
              "Default": "R"},
        "W": {"Type": "Pass", "Result": 1, "ResultPath": "$.w", "Next": "R"},
        "R": {"Type": "Succeed", "Message": "w={{$.w}}"}}});
    assert_eq!(
        run_with(&optional, start.clone(), Settings::zis()),
        vec![Code::PathMayFail]
    );
    let mut empty = Settings::zis();
    empty.missing_placeholder = zis_engine::run::dataflow::MissingPlaceholder::Empty;
    assert_eq!(run_with(&optional, start, empty), vec![]);
}

#[test]
fn a_rule_that_was_false_narrows_the_rules_after_it_and_not_swaps() {
    let start = json!({"a": {"k": 1}});
    // `opt` is there on one way in only.
    let flow = |choices: Value| {
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [{"Variable": "$.a.k", "NumericEquals": 1, "Next": "S"}],
                  "Default": "C"},
            "S": {"Type": "Pass", "Result": {"k": "v"}, "ResultPath": "$.opt", "Next": "C"},
            "C": {"Type": "Choice", "Choices": choices, "Default": "D"},
            "D": {"Type": "Succeed"}}})
    };
    let guarded_first = flow(json!([
        {"Variable": "$.opt", "IsPresent": false, "Next": "D"},
        {"Variable": "$.opt.k", "StringEquals": "v", "Next": "D"}]));
    assert_eq!(findings(&guarded_first, start.clone()), vec![]);
    let unguarded = flow(json!([{"Variable": "$.opt.k", "StringEquals": "v", "Next": "D"}]));
    assert_eq!(
        findings(&unguarded, start.clone()),
        vec![(
            Code::PathMayFail,
            "/States/C/Choices/0/Variable".to_string()
        )]
    );
    let not_absent = flow(json!([
        {"And": [{"Not": {"Variable": "$.opt", "IsPresent": false}},
                 {"Variable": "$.opt.k", "StringEquals": "v"}], "Next": "D"}]));
    assert_eq!(findings(&not_absent, start), vec![]);
}

#[test]
fn ways_joined_before_a_choice_are_told_apart_again() {
    // An Action's Next brings `cfg`, its Catch brings `err`; the Choice sends each way on
    // alone, so neither branch is told its field may be absent.
    let flow = |good: &str| {
        json!({"StartAt": "Load", "States": {
            "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                     "Parameters": {"scope": "s"}, "ResultPath": "$.cfg", "Next": "Check",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err",
                                "Next": "Check"}]},
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.err", "IsPresent": true, "Next": "Bad"}], "Default": "Good"},
            "Good": reading("c", good, None),
            "Bad": reading("e", "$.err.Cause", None)}})
    };
    assert_eq!(findings(&flow("$.cfg.config"), json!({"a": 1})), vec![]);
    // The Default way never has `err`: reading it there cannot resolve.
    assert_eq!(
        findings(&flow("$.err.Cause"), json!({"a": 1})),
        vec![(
            Code::PathNotFound,
            "/States/Good/Parameters/c.$".to_string()
        )]
    );
    // Through a state between the join and the Choice, the ways stay apart.
    let mut through = flow("$.cfg.config");
    through["States"]["Load"]["Next"] = json!("Note");
    through["States"]["Load"]["Catch"][0]["Next"] = json!("Note");
    through["States"]["Note"] =
        json!({"Type": "Pass", "Result": 1, "ResultPath": "$.note", "Next": "Check"});
    assert_eq!(findings(&through, json!({"a": 1})), vec![]);
}

#[test]
fn a_guard_through_an_array_index_narrows_the_item() {
    let flow = |guard: &str| {
        json!({"StartAt": "L", "States": {
            "L": {"Type": "Action", "ActionName": "zis:common:action:LoadLinks",
                  "Parameters": {"link_type": "t"}, "ResultPath": "$.found", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [
                {"Variable": guard, "IsPresent": true, "Next": "Use"}], "Default": "Done"},
            "Use": reading("m", "$.found.links[0].right_object.metadata.k", None),
            "Done": {"Type": "Succeed"}}})
    };
    assert_eq!(
        findings(&flow("$.found.links[0].right_object.metadata"), json!({})),
        vec![]
    );
    // A guard on something else leaves the item's optional `metadata` as it was.
    assert_eq!(
        findings(&flow("$.found.meta"), json!({})),
        vec![(Code::PathMayFail, "/States/Use/Parameters/m.$".to_string())]
    );
}

#[test]
fn an_evaluated_comparison_proves_its_paths_on_both_ways_unless_a_missing_one_is_false() {
    // `note` and `expected` are set on one way only.
    let flow = |rule: Value| {
        json!({"StartAt": "C0", "States": {
            "C0": {"Type": "Choice", "Choices": [
                {"Variable": "$.status", "StringEquals": "open", "Next": "Set"}],
                   "Default": "C"},
            "Set": {"Type": "Pass", "Result": "open", "ResultPath": "$.note", "Next": "C"},
            "C": {"Type": "Choice", "Choices": [rule], "Default": "No"},
            "Yes": {"Type": "Succeed", "Message": "{{$.note}}"},
            "No": {"Type": "Succeed", "Message": "{{$.note}}"}}})
    };
    let start = json!({"status": "new", "other": "open"});
    let on_note = flow(json!({"Variable": "$.note", "StringEquals": "open", "Next": "Yes"}));
    // With choice_missing_variable=error the Choice itself may fail (reported there), and
    // on both ways out `note` was there.
    assert_eq!(
        findings(&on_note, start.clone()),
        vec![(
            Code::PathMayFail,
            "/States/C/Choices/0/Variable".to_string()
        )]
    );
    // With choice_missing_variable=false, a false rule proves nothing where `note` may be
    // missing: No may not find it.
    let mut lenient = Settings::zis();
    lenient.choice_missing_is_false = true;
    let on_note_or_x = flow(json!({"Variable": "$.note", "StringEquals": "x", "Next": "Yes"}));
    assert_eq!(
        run_with(&on_note_or_x, start.clone(), lenient.clone()),
        vec![Code::ChoiceType, Code::PathMayFail],
        "the rule is never true (note is \"open\" where it is there); No may not find it"
    );
    // Where Set wrote `note`, it is "open": the rule is true, so No never has it.
    assert_eq!(
        run_with(&on_note, start.clone(), lenient.clone()),
        vec![Code::PathNotFound]
    );
    // A `*Path` comparison's other path is there on both ways too.
    let on_path = flow(json!({"Variable": "$.other", "StringEqualsPath": "$.note", "Next": "Yes"}));
    assert_eq!(
        findings(&on_path, start.clone()),
        vec![(
            Code::PathMayFail,
            "/States/C/Choices/0/StringEqualsPath".to_string()
        )]
    );
    assert_eq!(
        run_with(&on_path, start, lenient),
        vec![Code::PathMayFail],
        "`other` is surely there, so the rule is evaluated and its Path operand read (it may \
         fail); a way that passes it has `note`"
    );
}

#[test]
fn a_single_placeholder_keeps_its_type_only_when_it_is_the_whole_text() {
    let def = json!({"StartAt": "Post", "States": {
        "Post": {"Type": "Action", "ActionName": "zis:x:action:Post",
                 "Parameters": {"whole.$": "{{$.count}}", "spaced.$": " {{$.count}}"},
                 "ResultPath": "$.posted", "End": true}}});
    let params = |settings: Settings| {
        let f = infer_on(&def, Shape::of(&json!({"count": 3})), settings);
        let Shape::Object(o) = f.action_inputs["zis:x:action:Post"].clone() else {
            panic!("the Parameters are an object")
        };
        (
            o.fields["whole"].shape.clone(),
            o.fields["spaced"].shape.clone(),
        )
    };
    // As the runtime renders it: a text with a space around the placeholder stays a text.
    assert_eq!(
        params(Settings::zis()),
        (Shape::String(None), Shape::String(None))
    );
    let mut keeps = Settings::zis();
    keeps.single_placeholder_keeps_type = true;
    assert_eq!(params(keeps), (Shape::Number, Shape::String(None)));
}

#[test]
fn a_rule_on_a_path_that_never_resolves_does_not_hide_the_flow_after_it() {
    // At runtime this Choice always fails; the states after it are still checked, so
    // fixing the rule does not bring new findings to light one at a time.
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.nope", "StringEquals": "x", "Next": "A"},
            {"And": [{"Variable": "$.nope", "IsPresent": true},
                     {"Variable": "$.count", "NumericEquals": 1}], "Next": "A"}],
              "Default": "B"},
        "A": reading("a", "$.missing_a", None),
        "B": reading("b", "$.missing_b", None)}});
    assert_eq!(
        findings(&def, json!({"count": 1})),
        vec![
            (
                Code::PathNotFound,
                "/States/C/Choices/0/Variable".to_string()
            ),
            (
                Code::PathNotFound,
                "/States/C/Choices/1/And/0/Variable".to_string()
            ),
            (Code::PathNotFound, "/States/A/Parameters/a.$".to_string()),
            (Code::PathNotFound, "/States/B/Parameters/b.$".to_string()),
        ]
    );
}

#[test]
fn past_the_limit_of_ways_those_a_choice_tells_apart_stay_apart() {
    // Two optional Pass states make 4 ways into an Action; its Next and Catch make 8 into
    // the Choice, more than are kept apart: the ways joined are those most alike.
    let def = json!({"StartAt": "C1", "States": {
        "C1": {"Type": "Choice", "Choices": [
            {"Variable": "$.p", "StringEquals": "urgent", "Next": "P1"}], "Default": "C2"},
        "P1": {"Type": "Pass", "Result": "high", "ResultPath": "$.sev", "Next": "C2"},
        "C2": {"Type": "Choice", "Choices": [
            {"Variable": "$.c", "StringEquals": "email", "Next": "P2"}], "Default": "A"},
        "P2": {"Type": "Pass", "Result": "mail", "ResultPath": "$.src", "Next": "A"},
        "A": {"Type": "Action", "ActionName": "zis:common:action:LoadLinks",
              "Parameters": {"link_type": "t"}, "ResultPath": "$.ll", "Next": "Check",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Check"}]},
        "Check": {"Type": "Choice", "Choices": [
            {"Variable": "$.err", "IsPresent": true, "Next": "Handle"}], "Default": "Use"},
        "Handle": reading("e", "$.err.Cause", None),
        "Use": reading("u", "$.ll.meta.has_more", None)}});
    assert_eq!(findings(&def, json!({"p": "low", "c": "web"})), vec![]);
}

#[test]
fn a_defensive_is_present_on_what_is_never_there_is_said_so_and_hides_nothing() {
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
              "Parameters": {"expr": "."}, "ResultPath": "$.r", "Next": "C",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handle"}]},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.err", "IsPresent": true, "Next": "Handle"}], "Default": "Done"},
        "Handle": reading("e", "$.err.Error", None),
        "Done": {"Type": "Succeed"}}});
    let f = run(&def, json!({"a": 1}));
    let found: Vec<_> = f.findings.iter().map(|d| d.pointer.as_str()).collect();
    assert_eq!(found, ["/States/C/Choices/0/Variable"]);
    assert!(
        f.findings[0]
            .message
            .starts_with("`$.err` is never there at this state: `$` has no `err`"),
        "{}",
        f.findings[0].message
    );
}

#[test]
fn a_map_iterator_judges_its_choice_rules_on_each_input_apart() {
    // One way into the Map brings items without `extra`: there the iterator's rule fails
    // (a finding at the rule); on the join of both, Use is reached only with `extra`.
    let def = json!({"StartAt": "C0", "States": {
        "C0": {"Type": "Choice", "Choices": [
            {"Variable": "$.p", "StringEquals": "urgent", "Next": "PA"}], "Default": "PB"},
        "PA": {"Type": "Pass", "Result": [{"id": 1}], "ResultPath": "$.items", "Next": "M"},
        "PB": {"Type": "Pass", "Result": [{"id": 2, "extra": "x"}], "ResultPath": "$.items",
               "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.out", "End": true,
              "Iterator": {"StartAt": "IC", "States": {
                  "IC": {"Type": "Choice", "Choices": [
                      {"Variable": "$.extra", "StringEquals": "x", "Next": "Use"}],
                         "Default": "Done"},
                  "Use": reading("x", "$.extra", None),
                  "Done": {"Type": "Succeed"}}}}}});
    assert_eq!(
        findings(&def, json!({"p": "low"})),
        vec![(
            Code::PathMayFail,
            "/States/M/Iterator/States/IC/Choices/0/Variable".to_string()
        )]
    );
}

#[test]
fn a_string_comparison_narrows_an_enumeration_on_each_way() {
    // `s` is set only when priority is urgent; a later test of the same value reads it.
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.priority", "StringEquals": "urgent", "Next": "U"}], "Default": "J"},
        "U": {"Type": "Pass", "Result": "x", "ResultPath": "$.s", "Next": "J"},
        "J": {"Type": "Choice", "Choices": [
            {"Variable": "$.priority", "StringEquals": "urgent", "Next": "K"}], "Default": "E"},
        "K": reading("s", "$.s", None),
        "E": reading("e", "$.s", None)}});
    let priorities = ["low", "normal", "high", "urgent"]
        .map(String::from)
        .to_vec();
    let start = Shape::object([("priority", Shape::String(Some(priorities)))]);
    let found: Vec<_> = infer_on(&def, start.clone(), Settings::zis())
        .findings
        .into_iter()
        .map(|d| (d.code, d.pointer))
        .collect();
    // K is reached only when priority is urgent, where `s` was set; E never has it.
    assert_eq!(
        found,
        vec![(Code::PathNotFound, "/States/E/Parameters/e.$".to_string())]
    );
    // Comparing with a value the enumeration lacks is never true; so is a rule left with
    // no value by the rules before it.
    let never = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.priority", "StringEquals": "critical", "Next": "E"},
            {"Variable": "$.priority", "StringEquals": "low", "Next": "E"},
            {"Variable": "$.priority", "StringEquals": "low", "Next": "E"}], "Default": "E"},
        "E": {"Type": "Succeed"}}});
    let found = infer_on(&never, start, Settings::zis()).findings;
    let at: Vec<_> = found.iter().map(|d| (d.code, d.pointer.as_str())).collect();
    assert_eq!(
        at,
        [
            (Code::ChoiceType, "/States/C/Choices/0/StringEquals"),
            (Code::ChoiceType, "/States/C/Choices/2/StringEquals")
        ]
    );
    assert!(
        found[0].message.starts_with(
            "`StringEquals` compares with \"critical\", but `$.priority` is one of \"low\", \"normal\", \"high\", \"urgent\" here"
        ),
        "{}",
        found[0].message
    );
    // Without an enumeration, "not urgent" is not known on C's Default way: J may send it
    // to K, which may not find `s`. E is still reached only on that way.
    assert_eq!(
        findings(&def, json!({"priority": "low"})),
        vec![
            (Code::PathMayFail, "/States/K/Parameters/s.$".to_string()),
            (Code::PathNotFound, "/States/E/Parameters/e.$".to_string()),
        ]
    );
}

#[test]
fn where_one_way_is_unknown_a_path_is_not_reported_even_if_another_way_lacks_it() {
    // LoadConfig's `config` is unknown; the default the Catch puts there has no
    // `min_prio`. The join is unknown there: no finding (reading each way apart was tried,
    // and gave false alarms where a Choice told the ways apart on a value inference does
    // not narrow, as the BooleanEquals below).
    let flow = |read: Value| {
        json!({"StartAt": "Load", "States": {
            "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                     "Parameters": {"scope": "s"}, "ResultPath": "$.settings", "Next": "Read",
                     "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                "Next": "Default"}]},
            "Default": {"Type": "Pass", "Result": {"config": {"found": false}},
                        "ResultPath": "$.settings", "Next": "Read"},
            "Read": read,
            "Send": reading("m", "$.settings.config.email", None),
            "Done": {"Type": "Succeed"}}})
    };
    assert_eq!(
        findings(
            &flow(reading("m", "$.settings.config.min_prio", None)),
            json!({"a": 1})
        ),
        vec![]
    );
    // The Default way has `found: false` and goes to Done; Send is reached only when a
    // stored config says `found: true`.
    let check = json!({"Type": "Choice", "Choices": [
        {"Variable": "$.settings.config.found", "BooleanEquals": true, "Next": "Send"}],
        "Default": "Done"});
    assert_eq!(findings(&flow(check), json!({"a": 1})), vec![]);
}

#[test]
fn a_flag_the_flow_set_tells_its_ways_apart() {
    // The review's f2: a status flag set by Pass states on the Next and Catch ways, then
    // tested with BooleanEquals; only the failed way has `reason`.
    let flow = |use_reads: &str, done_reads: &str| {
        json!({"StartAt": "Get", "States": {
            "Get": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                    "Parameters": {"expr": "."}, "ResultPath": "$.user", "Next": "Ok",
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.user",
                               "Next": "NotOk"}]},
            "Ok": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.st", "Next": "Check"},
            "NotOk": {"Type": "Pass", "Result": {"ok": false, "reason": "lookup failed"},
                      "ResultPath": "$.st", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.st.ok", "BooleanEquals": true, "Next": "Use"}], "Default": "Done"},
            "Use": reading("u", use_reads, None),
            "Done": reading("d", done_reads, None)}})
    };
    assert_eq!(
        findings(&flow("$.user.id", "$.st.reason"), json!({"a": 1})),
        vec![]
    );
    // The way that reaches Use never has `reason`.
    assert_eq!(
        findings(&flow("$.st.reason", "$.st.reason"), json!({"a": 1})),
        vec![(Code::PathNotFound, "/States/Use/Parameters/u.$".to_string())]
    );
}

#[test]
fn literals_keep_their_values_only_where_the_runtime_leaves_them() {
    // The third review's a3: a literal array with a null item keeps no values (an item's
    // shape cannot say it may be null), so the iteration's Default way is not dropped.
    let with_null = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"items": ["a", null]}, "ResultPath": "$.d",
                 "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.d.items", "ResultPath": "$.res", "Next": "C",
              "Iterator": {"StartAt": "Is", "States": {
                  "Is": {"Type": "Choice", "Choices": [
                      {"Variable": "$", "StringEquals": "a", "Next": "A"}], "Default": "B"},
                  "A": {"Type": "Pass", "Result": {"kind": "a"}, "End": true},
                  "B": {"Type": "Pass", "Result": {"kind": "none"}, "End": true}}}},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.res[1].kind", "StringEquals": "none", "Next": "Yes"}],
              "Default": "Yes"},
        "Yes": {"Type": "Succeed"}}});
    assert_eq!(findings(&with_null, json!({})), vec![]);
    // a1: with asl_io_fields the runtime applies a Pass's ResultSelector to its Result.
    let selected = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Result": {"s": "raw"}, "ResultSelector": {"s": "sel"},
              "ResultPath": "$.r", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.r.s", "StringEquals": "sel", "Next": "Yes"}], "Default": "Yes"},
        "Yes": {"Type": "Succeed"}}});
    let mut io = Settings::zis();
    io.asl_io_fields = true;
    assert_eq!(run_with(&selected, json!({}), io), vec![]);
    // a4: with choice_missing_variable=false a comparison on a field surely there is still
    // evaluated: its false way is narrowed too ("ok" never reaches Other, which reads
    // the Catch's `err`).
    let status = json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                "Parameters": {"expr": "."}, "ResultPath": "$.user", "Next": "Ok",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "E"}]},
        "Ok": {"Type": "Pass", "Result": "ok", "ResultPath": "$.status", "Next": "C"},
        "E": {"Type": "Pass", "Result": "failed", "ResultPath": "$.status", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.status", "StringEquals": "ok", "Next": "Use"}], "Default": "Other"},
        "Use": reading("u", "$.user", None),
        "Other": reading("o", "$.err.Error", None)}});
    let mut lenient = Settings::zis();
    lenient.choice_missing_is_false = true;
    assert_eq!(run_with(&status, json!({}), lenient), vec![]);
    assert_eq!(findings(&status, json!({})), vec![]);
}

#[test]
fn is_null_never_holds_where_the_value_is_surely_not_null() {
    // On the way through S, `p` is "x": `IsNull: false` is true there, so only the other
    // way (where `p` may be null) reaches U0, and it never has `m`.
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.p", "StringEquals": "x", "Next": "S"}], "Default": "B"},
        "S": {"Type": "Pass", "Result": 1, "ResultPath": "$.m", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [
            {"Variable": "$.p", "IsNull": false, "Next": "U1"}], "Default": "U0"},
        "U1": reading("one", "$.m", None),
        "U0": reading("zero", "$.m", None)}});
    let mut start = zis_engine::shape::Obj::default();
    start.fields.insert(
        "p".into(),
        zis_engine::shape::Field {
            shape: Shape::String(None),
            required: true,
            nullable: true,
        },
    );
    let found: Vec<_> = infer_on(&def, Shape::Object(start), Settings::zis())
        .findings
        .into_iter()
        .map(|d| (d.code, d.pointer))
        .collect();
    assert_eq!(
        found,
        vec![
            (Code::PathMayFail, "/States/U1/Parameters/one.$".to_string()),
            (
                Code::PathNotFound,
                "/States/U0/Parameters/zero.$".to_string()
            ),
        ]
    );
}
