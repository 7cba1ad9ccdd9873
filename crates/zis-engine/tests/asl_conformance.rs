//! The validator's ASL mode against AWS: asl_validation_cases.jsonl (all 26 AWS-recorded
//! rows must agree, at least 95% of all 138), every definition of asl_cases.jsonl (each ran
//! on AWS) must be accepted, and asl_path_validity.jsonl per context.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use serde_json::Value;
use zis_engine::path::{self, PathContext};
use zis_engine::validate::{self, Mode, Options};

fn asl(express: bool) -> Options {
    Options {
        mode: Mode::Asl,
        express,
    }
}

fn definition_errors(def: &Value, express: bool) -> Vec<validate::Diagnostic> {
    let text = match def {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap(),
    };
    validate::validate_definition_text(&text, asl(express))
        .into_iter()
        .filter(|d| d.is_error())
        .collect()
}

#[test]
fn validation_cases_agree_with_aws() {
    let Some(shared) = common::shared("conformance/asl_validation_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_validation_cases.jsonl"));
    let (mut aws, mut aws_ok, mut all_ok) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for row in &rows {
        let id = row["id"].as_str().unwrap();
        let expected = row["valid"].as_bool().unwrap();
        let express = id.to_lowercase().contains("express");
        let errors = definition_errors(&row["definition"], express);
        let agrees = errors.is_empty() == expected;
        let is_aws = row["oracle"].as_str().unwrap_or("").starts_with("AWS");
        aws += usize::from(is_aws);
        aws_ok += usize::from(is_aws && agrees);
        all_ok += usize::from(agrees);
        if !agrees {
            let first = errors
                .first()
                .map(|d| format!("{} {} at {}", d.code.id(), d.message, d.pointer))
                .unwrap_or_default();
            disagreements.push(format!("{id} (expected valid={expected}) {first}"));
        }
    }
    let pct = 100.0 * all_ok as f64 / rows.len() as f64;
    println!(
        "ASL validation: AWS-recorded rows {aws_ok}/{aws} agree; all rows {all_ok}/{} = {pct:.1}%",
        rows.len()
    );
    for d in &disagreements {
        println!("  disagree: {d}");
    }
    assert_eq!(aws, 26);
    assert_eq!(aws_ok, aws, "every AWS-recorded row must agree");
    assert!(pct >= 95.0, "agreement {pct:.1}% is under 95%");
}

#[test]
fn every_definition_that_ran_on_aws_is_accepted() {
    let Some(shared) = common::shared("conformance/asl_cases.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_cases.jsonl"));
    let mut rejected = Vec::new();
    for row in &rows {
        let errors = definition_errors(&row["definition"], false);
        if let Some(e) = errors.first() {
            rejected.push(format!(
                "{}: {} {} at {}",
                row["id"],
                e.code.id(),
                e.message,
                e.pointer
            ));
        }
    }
    println!(
        "asl_cases.jsonl: {}/{} definitions accepted",
        rows.len() - rejected.len(),
        rows.len()
    );
    for r in rejected.iter().take(20) {
        println!("  rejected: {r}");
    }
    assert!(
        rejected.is_empty(),
        "{} definitions that ran on AWS were rejected",
        rejected.len()
    );
}

#[test]
fn path_validity_per_context() {
    let Some(shared) = common::shared("conformance/asl_path_validity.jsonl") else {
        return;
    };
    let rows = common::jsonl(&shared.join("conformance/asl_path_validity.jsonl"));
    let contexts = [
        PathContext::Path,
        PathContext::Reference,
        PathContext::Result,
        PathContext::PayloadTemplate,
    ];
    let (mut total, mut ok) = (0, 0);
    let mut wrong = Vec::new();
    for row in &rows {
        let p = row["path"].as_str().unwrap();
        let valid_in: Vec<&str> = row["valid_in"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for ctx in contexts {
            total += 1;
            let expected = valid_in.contains(&ctx.name());
            let got = path::check(p, ctx).is_ok();
            if got == expected {
                ok += 1;
            } else {
                wrong.push(format!("{p:?} in {}: expected {expected}", ctx.name()));
            }
        }
    }
    println!("asl_path_validity: {ok}/{total} (path, context) pairs agree");
    assert!(wrong.is_empty(), "disagreements:\n{}", wrong.join("\n"));
}
