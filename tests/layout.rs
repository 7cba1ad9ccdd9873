//! The layout and the wire router on every flow (and Map iterator) of every sample and
//! public bundle: top to bottom, no two states overlapping, no wire through a state.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use zis_studio::core::graph::{FlowGraph, build, estimated_boxes, estimated_pin_y, routes};
use zis_studio::core::route::crosses;

fn bundles() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("sample_bundles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".json") && !n.ends_with(".tests.json") && !n.ends_with(".zis-studio.json")
        })
        .collect();
    match std::fs::read_dir(root.join("../shared/public_bundles")) {
        Ok(entries) => out.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json")),
        ),
        Err(_) => eprintln!("skipped the public bundles: ../shared/public_bundles is absent"),
    }
    out.sort();
    out
}

/// Every flow definition and Map iterator in a bundle, with a name.
fn definitions(bundle: &Value) -> Vec<(String, Value)> {
    fn iterators(name: &str, def: &Value, out: &mut Vec<(String, Value)>) {
        out.push((name.to_string(), def.clone()));
        if let Some(states) = def["States"].as_object() {
            for (s, v) in states {
                if v["Type"] == "Map" {
                    iterators(&format!("{name} > {s}"), &v["Iterator"], out);
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Some(resources) = bundle["resources"].as_object() {
        for (k, r) in resources {
            if r["type"] == "ZIS::Flow" {
                iterators(k, &r["properties"]["definition"], &mut out);
            }
        }
    }
    out
}

fn graph(def: &Value) -> FlowGraph {
    let (flow, _) = zis_engine::model::FlowDefinition::from_value(def, "");
    build("f", &flow, &HashMap::new())
}

#[test]
fn every_flow_of_every_bundle_is_laid_out_top_to_bottom_with_no_wire_through_a_state() {
    let mut flows = 0;
    for file in bundles() {
        let text = std::fs::read_to_string(&file).unwrap();
        let Ok(bundle) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for (name, def) in definitions(&bundle) {
            let g = graph(&def);
            if g.nodes.is_empty() {
                continue;
            }
            flows += 1;
            let at = format!("{} {name}", file.display());
            let boxes = estimated_boxes(&g);
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    let apart = a.max[0] <= b.min[0]
                        || b.max[0] <= a.min[0]
                        || a.max[1] <= b.min[1]
                        || b.max[1] <= a.min[1];
                    assert!(apart, "{at}: {a:?} and {b:?} overlap");
                }
            }
            // Loops aside, transitions go down.
            let down = g
                .edges
                .iter()
                .filter(|e| g.nodes[e.to].pos[1] > g.nodes[e.from].pos[1])
                .count();
            assert!(
                down * 4 >= g.edges.len() * 3,
                "{at}: only {down} of {} edges go down",
                g.edges.len()
            );
            let wires = routes(&g, &boxes, |n, p| estimated_pin_y(&g.nodes[n], p));
            assert_eq!(wires.len(), g.edges.len());
            for (e, path) in g.edges.iter().zip(&wires) {
                for (k, b) in boxes.iter().enumerate() {
                    assert!(
                        !crosses(path, b),
                        "{at}: the wire {} → {} passes through {}: {path:?}",
                        g.nodes[e.from].name,
                        g.nodes[e.to].name,
                        g.nodes[k].name
                    );
                }
                for s in path.windows(2) {
                    assert!(
                        s[0][0] == s[1][0] || s[0][1] == s[1][1],
                        "{at}: a slanted segment {path:?}"
                    );
                }
            }
        }
    }
    eprintln!("{flows} flows and iterators laid out and routed");
    assert!(flows >= 4);
}
