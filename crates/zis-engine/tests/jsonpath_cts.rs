//! The path evaluator on the RFC 9535 compliance suite, restricted to what the ASL
//! (Jayway) dialect shares with RFC 9535: name, index, wildcard, slice, union and
//! descendant selectors, no filters or functions. Jayway returns one value for a definite
//! path and an error when it finds nothing, where RFC 9535 returns a node list; the test
//! maps one to the other and prints the agreement. Escapes inside quoted names differ on
//! purpose: Jayway (and AWS, see test_escape_sequence_parsing in asl_cases.jsonl) only
//! unescapes the quote itself, so the RFC's `\n`, `\u263A`... cases are not expected to agree.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::Value;
use zis_engine::path::{self, eval::Roots};

#[test]
fn shared_subset_of_rfc9535_agrees() {
    let Some(shared) = common::shared("conformance/jsonpath_cts.json") else {
        return;
    };
    let suite: Value = serde_json::from_str(
        &std::fs::read_to_string(shared.join("conformance/jsonpath_cts.json")).unwrap(),
    )
    .unwrap();
    let (mut tried, mut agree) = (0, 0);
    let mut wrong = Vec::new();
    for t in suite["tests"].as_array().unwrap() {
        let selector = t["selector"].as_str().unwrap();
        if t.get("invalid_selector").is_some()
            || t.get("result").is_none()
            || selector.contains('?')
            || selector.contains('(')
        {
            continue;
        }
        let Ok(p) = path::parse(selector) else {
            continue;
        };
        tried += 1;
        let expected = t["result"].as_array().unwrap();
        let got = p.evaluate(
            Roots {
                data: &t["document"],
                context: None,
            },
            selector,
        );
        let ok = match (&got, p.is_definite()) {
            (Ok(v), true) => expected.len() == 1 && &expected[0] == v,
            (Err(_), true) => expected.is_empty(),
            (Ok(Value::Array(items)), false) => items == expected,
            _ => false,
        };
        if ok {
            agree += 1;
        } else {
            wrong.push(format!(
                "{} `{selector}`: expected {:?}, got {:?}",
                t["name"], expected, got
            ));
        }
    }
    println!("RFC 9535 shared subset: {agree}/{tried} agree");
    for w in wrong.iter().take(15) {
        println!("  differs: {w}");
    }
    assert!(tried > 100, "the subset should be substantial ({tried})");
    let escapes = wrong
        .iter()
        .filter(|w| w.contains("escaped") || w.contains("surrogate"))
        .count();
    println!(
        "  of the {} that differ, {escapes} are RFC escape sequences in quoted names",
        wrong.len()
    );
    assert_eq!(
        agree + escapes,
        tried,
        "every difference should be an escape sequence"
    );
}
