//! The layered layout of a flow's graph, top to bottom as Step Functions Workflow Studio
//! draws a state machine. Sugiyama's method, written here rather than taken from
//! rust-sugiyama: that crate returns node coordinates only, while our wire router needs the
//! channels long edges take (we reserve them with dummy nodes), and we want nodes of
//! different widths, the main path kept straight and a result that is the same on every run.
//!
//! 1. **Cycles**: a depth-first walk from `StartAt` (then from any state it missed), taking
//!    a state's transitions in the order of its fields, marks the edges that close a loop;
//!    the layout treats them as pointing the other way.
//! 2. **Layers**: longest path from the start, so every transition goes down at least one
//!    layer and none runs sideways within a layer.
//! 3. **Long edges**: an edge crossing several layers gets a dummy node in each layer it
//!    passes; the dummies take part in ordering and placement, so the gap a long edge (a
//!    Catch to a Fail far below, a loop back) runs through is kept free of states.
//! 4. **Order in a layer**: barycentre sweeps down and up (eight), keeping the order with
//!    the fewest crossings seen.
//! 5. **Placement**: each layer is placed as close as it can be to the mean of its
//!    neighbours' centres, the nodes' widths and gaps respected: a weighted isotonic
//!    regression solved exactly by pool-adjacent-violators, in sweeps down and up. A
//!    state with one parent sits under it, so the main path is a straight column.
//!
//! Pure: positions only, from the estimated node sizes of [`super::graph`]; wires are
//! routed around the placed nodes by [`super::route`].

use super::graph::{FlowGraph, LAYER_GAP, NODE_GAP, estimated_height, estimated_width};

/// The room a long edge takes where it passes a layer.
const DUMMY_WIDTH: f32 = 12.0;
/// Free space beside a dummy.
const DUMMY_GAP: f32 = 24.0;

/// The graph the layout works on: states and dummies, edges between adjacent layers only.
struct Layered {
    /// Each vertex's layer.
    layer: Vec<usize>,
    /// Each vertex's width.
    width: Vec<f32>,
    /// Whether it is a dummy.
    dummy: Vec<bool>,
    /// Neighbours one layer up and one layer down.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

/// Lays the graph out (see the module doc); every node gets a position.
pub fn layout(graph: &mut FlowGraph) {
    let n = graph.nodes.len();
    if n == 0 {
        return;
    }
    let dag = acyclic_edges(graph);
    let mut layer = longest_path_layers(n, &dag);
    park_unreached(graph, &mut layer);
    let g = with_dummies(graph, &layer, &dag);
    let count = g.layer.iter().max().map_or(0, |m| m + 1);
    let layers = order(&g, count, first_order(&g, graph));
    let centre = place(&g, &layers);
    // y: each layer below the tallest state of the one above.
    let mut y = 0.0;
    let mut top = vec![0.0_f32; count];
    for (l, vs) in layers.iter().enumerate() {
        top[l] = y;
        let tallest = vs
            .iter()
            .filter(|&&v| v < n)
            .map(|&v| estimated_height(&graph.nodes[v]))
            .fold(0.0_f32, f32::max);
        y += tallest + LAYER_GAP;
    }
    let left = (0..g.layer.len())
        .map(|v| centre[v] - g.width[v] / 2.0)
        .fold(f32::INFINITY, f32::min);
    for (i, node) in graph.nodes.iter_mut().enumerate() {
        node.pos = [centre[i] - g.width[i] / 2.0 - left, top[g.layer[i]]];
    }
}

/// The edges as the layout sees them: `(from, to)` with every loop-closing edge turned
/// around and self-loops left out, so they form no cycle.
fn acyclic_edges(graph: &FlowGraph) -> Vec<(usize, usize)> {
    let n = graph.nodes.len();
    let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &graph.edges {
        if e.from != e.to {
            outs[e.from].push(e.to);
        }
    }
    // 0 unvisited, 1 on the walk's path, 2 done.
    let mut mark = vec![0u8; n];
    let mut dag = Vec::new();
    let start = graph.nodes.iter().position(|s| s.start);
    let roots = start.into_iter().chain(0..n);
    for root in roots {
        if mark[root] != 0 {
            continue;
        }
        // Iterative depth-first walk: (vertex, next edge index).
        let mut stack = vec![(root, 0usize)];
        mark[root] = 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&w) = outs[v].get(*k) {
                *k += 1;
                match mark[w] {
                    0 => {
                        dag.push((v, w));
                        mark[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => dag.push((w, v)),
                    _ => dag.push((v, w)),
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    dag
}

/// Each state's layer: the longest path to it from a state nothing leads to.
fn longest_path_layers(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in dag {
        indegree[b] += 1;
        outs[a].push(b);
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &w in &outs[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    layer
}

/// States the start does not reach go below all the others (a flow's parked or
/// forgotten states), keeping their own layers among themselves.
fn park_unreached(graph: &FlowGraph, layer: &mut [usize]) {
    let n = graph.nodes.len();
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = graph
        .nodes
        .iter()
        .position(|s| s.start)
        .into_iter()
        .collect();
    while let Some(v) = stack.pop() {
        if reached[v] {
            continue;
        }
        reached[v] = true;
        stack.extend(graph.edges.iter().filter(|e| e.from == v).map(|e| e.to));
    }
    let below = (0..n)
        .filter(|&v| reached[v])
        .map(|v| layer[v] + 1)
        .max()
        .unwrap_or(0);
    for v in (0..n).filter(|&v| !reached[v]) {
        layer[v] += below;
    }
}

/// The states plus a dummy in every layer a long edge passes.
fn with_dummies(graph: &FlowGraph, layer: &[usize], dag: &[(usize, usize)]) -> Layered {
    let n = graph.nodes.len();
    let mut g = Layered {
        layer: layer.to_vec(),
        width: (0..n).map(|i| estimated_width(graph, i)).collect(),
        dummy: vec![false; n],
        up: vec![Vec::new(); n],
        down: vec![Vec::new(); n],
    };
    for &(a, b) in dag {
        if layer[b] <= layer[a] {
            // From a parked state up into the flow: it does not order or place anything.
            continue;
        }
        let mut prev = a;
        for l in layer[a] + 1..layer[b] {
            let d = g.layer.len();
            g.layer.push(l);
            g.width.push(DUMMY_WIDTH);
            g.dummy.push(true);
            g.up.push(vec![prev]);
            g.down.push(Vec::new());
            g.down[prev].push(d);
            prev = d;
        }
        g.down[prev].push(b);
        g.up[b].push(prev);
    }
    g
}

/// The starting order of each layer: the order a depth-first walk from the start reaches
/// the vertices (a state's transitions in field order), the rest after.
fn first_order(g: &Layered, graph: &FlowGraph) -> Vec<usize> {
    let total = g.layer.len();
    let mut seen = vec![false; total];
    let mut order = Vec::with_capacity(total);
    let start = graph.nodes.iter().position(|s| s.start);
    for root in start.into_iter().chain(0..total) {
        if seen[root] {
            continue;
        }
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            order.push(v);
            for &w in g.down[v].iter().rev() {
                if !seen[w] {
                    stack.push(w);
                }
            }
        }
    }
    order
}

/// Orders each layer by barycentre sweeps, returning the order with the fewest crossings.
fn order(g: &Layered, count: usize, first: Vec<usize>) -> Vec<Vec<usize>> {
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for v in first {
        layers[g.layer[v]].push(v);
    }
    let mut index = vec![0.0_f32; g.layer.len()];
    let renumber = |layers: &Vec<Vec<usize>>, index: &mut Vec<f32>| {
        for l in layers {
            for (k, &v) in l.iter().enumerate() {
                index[v] = k as f32;
            }
        }
    };
    renumber(&layers, &mut index);
    let mut best = layers.clone();
    let mut fewest = crossings(g, &layers, &index);
    for _ in 0..8 {
        for l in 1..count {
            sort_by_barycentre(&mut layers[l], &g.up, &index);
            renumber(&layers, &mut index);
        }
        for l in (0..count.saturating_sub(1)).rev() {
            sort_by_barycentre(&mut layers[l], &g.down, &index);
            renumber(&layers, &mut index);
        }
        let now = crossings(g, &layers, &index);
        if now < fewest {
            fewest = now;
            best = layers.clone();
        }
        if fewest == 0 {
            break;
        }
    }
    best
}

/// Wire crossings between adjacent layers for an order.
fn crossings(g: &Layered, layers: &[Vec<usize>], index: &[f32]) -> usize {
    let mut total = 0;
    for l in layers {
        let mut ends: Vec<(f32, f32)> = l
            .iter()
            .flat_map(|&v| g.down[v].iter().map(move |&w| (index[v], index[w])))
            .collect();
        ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for (k, a) in ends.iter().enumerate() {
            total += ends[k + 1..]
                .iter()
                .filter(|b| b.0 > a.0 && b.1 < a.1)
                .count();
        }
    }
    total
}

/// Sorts one layer by the mean index of each vertex's neighbours; one without any keeps
/// its index (a stable sort keeps ties in their order).
fn sort_by_barycentre(vs: &mut [usize], neighbours: &[Vec<usize>], index: &[f32]) {
    let key = |v: usize| {
        let ns = &neighbours[v];
        if ns.is_empty() {
            index[v]
        } else {
            ns.iter().map(|&w| index[w]).sum::<f32>() / ns.len() as f32
        }
    };
    vs.sort_by(|a, b| key(*a).total_cmp(&key(*b)));
}

/// Each vertex's centre x (see the module doc, step 5).
fn place(g: &Layered, layers: &[Vec<usize>]) -> Vec<f32> {
    let mut centre = vec![0.0_f32; g.layer.len()];
    let gap = |a: usize, b: usize| {
        if g.dummy[a] || g.dummy[b] {
            DUMMY_GAP
        } else {
            NODE_GAP
        }
    };
    // Packed from the left to start with.
    for l in layers {
        let mut x = 0.0;
        for (k, &v) in l.iter().enumerate() {
            if k > 0 {
                x += g.width[l[k - 1]] / 2.0 + gap(l[k - 1], v) + g.width[v] / 2.0;
            }
            centre[v] = x;
        }
    }
    // Down (under the parents), up (over the children), ..., ending down.
    for pass in 0..7 {
        let (use_up, use_down) = (pass % 2 == 0, pass % 2 == 1);
        let order: Vec<usize> = if use_up {
            (0..layers.len()).collect()
        } else {
            (0..layers.len()).rev().collect()
        };
        for l in order {
            let vs = &layers[l];
            let wanted: Vec<(f32, f32)> = vs
                .iter()
                .map(|&v| {
                    let mut ns: Vec<usize> = Vec::new();
                    if use_up {
                        ns.extend(&g.up[v]);
                    }
                    if use_down {
                        ns.extend(&g.down[v]);
                    }
                    if ns.is_empty() {
                        (centre[v], 0.05)
                    } else {
                        let mean = ns.iter().map(|&w| centre[w]).sum::<f32>() / ns.len() as f32;
                        (mean, if g.dummy[v] { 4.0 } else { 1.0 })
                    }
                })
                .collect();
            let seps: Vec<f32> = (1..vs.len())
                .map(|k| g.width[vs[k - 1]] / 2.0 + gap(vs[k - 1], vs[k]) + g.width[vs[k]] / 2.0)
                .collect();
            for (k, x) in pack(&wanted, &seps).into_iter().enumerate() {
                centre[vs[k]] = x;
            }
        }
    }
    centre
}

/// Positions `x` as close as can be to `wanted` (value, weight), least squares, with
/// `x[k+1] - x[k] >= seps[k]`: shifted by the separations before them the bound becomes
/// `y[k+1] >= y[k]`, an isotonic regression, which pool-adjacent-violators solves exactly.
fn pack(wanted: &[(f32, f32)], seps: &[f32]) -> Vec<f32> {
    let mut offset = Vec::with_capacity(wanted.len());
    let mut s = 0.0;
    for k in 0..wanted.len() {
        if k > 0 {
            s += seps[k - 1];
        }
        offset.push(s);
    }
    // Blocks of (weighted sum, weight, count).
    let mut blocks: Vec<(f32, f32, usize)> = Vec::new();
    for (k, &(x, w)) in wanted.iter().enumerate() {
        blocks.push((w * (x - offset[k]), w, 1));
        while blocks.len() > 1 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.0 / a.1 > b.0 / b.1 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(wanted.len());
    for (sum, weight, count) in blocks {
        for _ in 0..count {
            let k = out.len();
            out.push(sum / weight + offset[k]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::core::graph::{FlowGraph, build, estimated_height, estimated_width};
    use serde_json::json;
    use std::collections::HashMap;
    use zis_engine::model::FlowDefinition;

    fn graph(def: serde_json::Value) -> FlowGraph {
        let (flow, _) = FlowDefinition::from_value(&def, "");
        build("f", &flow, &HashMap::new())
    }

    fn pos(g: &FlowGraph, name: &str) -> [f32; 2] {
        g.nodes.iter().find(|s| s.name == name).unwrap().pos
    }

    fn centre_x(g: &FlowGraph, name: &str) -> f32 {
        let i = g.nodes.iter().position(|s| s.name == name).unwrap();
        g.nodes[i].pos[0] + estimated_width(g, i) / 2.0
    }

    /// Wires between adjacent layers that cross: pairs of edges whose ends are in opposite
    /// horizontal order.
    fn crossings(g: &FlowGraph) -> usize {
        let mut count = 0;
        for (a, e) in g.edges.iter().enumerate() {
            for f in &g.edges[a + 1..] {
                let (ey, fy) = (
                    pos(g, &g.nodes[e.from].name)[1],
                    pos(g, &g.nodes[f.from].name)[1],
                );
                let (ety, fty) = (g.nodes[e.to].pos[1], g.nodes[f.to].pos[1]);
                if ey == fy && ety == fty && ety > ey && e.from != f.from && e.to != f.to {
                    let d1 =
                        centre_x(g, &g.nodes[e.from].name) - centre_x(g, &g.nodes[f.from].name);
                    let d2 = centre_x(g, &g.nodes[e.to].name) - centre_x(g, &g.nodes[f.to].name);
                    if d1 * d2 < 0.0 {
                        count += 1;
                    }
                }
            }
        }
        count
    }

    #[test]
    fn the_flow_runs_top_to_bottom_and_the_main_path_is_a_straight_column() {
        let g = graph(json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Succeed"}}}));
        assert!(pos(&g, "A")[1] < pos(&g, "B")[1] && pos(&g, "B")[1] < pos(&g, "C")[1]);
        assert_eq!(centre_x(&g, "A"), centre_x(&g, "B"));
        assert_eq!(centre_x(&g, "B"), centre_x(&g, "C"));
    }

    #[test]
    fn every_transition_goes_down_and_loops_back_are_the_only_ones_going_up() {
        // A loop: Wait → Check → (Choice) back to Wait, or on to Done; a Catch to Failed.
        let g = graph(json!({"StartAt": "Start", "States": {
            "Start": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                "Next": "Wait", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [
                {"Variable": "$.done", "BooleanEquals": false, "Next": "Wait"}],
                "Default": "Done"},
            "Done": {"Type": "Succeed"},
            "Failed": {"Type": "Fail"}}}));
        let up: Vec<(String, String)> = g
            .edges
            .iter()
            .filter(|e| g.nodes[e.to].pos[1] <= g.nodes[e.from].pos[1])
            .map(|e| (g.nodes[e.from].name.clone(), g.nodes[e.to].name.clone()))
            .collect();
        assert_eq!(up, vec![("Check".to_string(), "Wait".to_string())]);
    }

    #[test]
    fn a_long_edge_keeps_its_channel_free_of_states() {
        // A→B→C→D, and a Catch from A straight to D: the states B and C stand beside the
        // catch's channel, not on it.
        let g = graph(json!({"StartAt": "A", "States": {
            "A": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig", "Next": "B",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D"}]},
            "B": {"Type": "Pass", "Next": "C"},
            "C": {"Type": "Pass", "Next": "D"},
            "D": {"Type": "Succeed"}}}));
        let (b, c) = (centre_x(&g, "B"), centre_x(&g, "C"));
        assert_eq!(b, c, "B and C in one column");
        // D is led to by C and by the catch's dummy beside C: it sits between the two, not
        // straight under C as it would if the long edge took no room.
        assert!((centre_x(&g, "D") - c).abs() > 5.0, "D under C: {g:?}");
    }

    #[test]
    fn branches_are_ordered_so_that_wires_do_not_cross() {
        // Depth-first order puts C1 left of C2 (B1's first rule), but B2 also leads to C1:
        // B1→C2 and B2→C1 would cross.
        let g = graph(json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsPresent": true, "Next": "B1"}], "Default": "B2"},
            "B1": {"Type": "Choice", "Choices": [
                {"Variable": "$.y", "IsPresent": true, "Next": "C2"}], "Default": "C1"},
            "B2": {"Type": "Pass", "Next": "C1"},
            "C1": {"Type": "Succeed"},
            "C2": {"Type": "Succeed"}}}));
        assert_eq!(crossings(&g), 0);
    }

    #[test]
    fn no_two_nodes_overlap() {
        let g = graph(json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsPresent": true, "Next": "B"},
                {"Variable": "$.y", "IsPresent": true, "Next": "C"},
                {"Variable": "$.z", "IsPresent": true, "Next": "D"}], "Default": "E"},
            "B": {"Type": "Pass", "Next": "F"}, "C": {"Type": "Pass", "Next": "F"},
            "D": {"Type": "Pass", "Next": "A"}, "E": {"Type": "Fail"},
            "F": {"Type": "Succeed"}}}));
        for (i, a) in g.nodes.iter().enumerate() {
            for (j, b) in g.nodes.iter().enumerate().skip(i + 1) {
                let ra = [
                    a.pos[0],
                    a.pos[1],
                    a.pos[0] + estimated_width(&g, i),
                    a.pos[1] + estimated_height(a),
                ];
                let rb = [
                    b.pos[0],
                    b.pos[1],
                    b.pos[0] + estimated_width(&g, j),
                    b.pos[1] + estimated_height(b),
                ];
                let apart = ra[2] <= rb[0] || rb[2] <= ra[0] || ra[3] <= rb[1] || rb[3] <= ra[1];
                assert!(apart, "{} and {} overlap", a.name, b.name);
            }
        }
    }

    #[test]
    fn pool_adjacent_violators_keeps_the_gaps_and_centres_a_crowd() {
        // Three nodes all wanting x = 0, 10 apart: they centre on 0.
        let x = super::pack(&[(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)], &[10.0, 10.0]);
        assert_eq!(x, vec![-10.0, 0.0, 10.0]);
        // Already apart: unchanged.
        let x = super::pack(&[(0.0, 1.0), (50.0, 1.0)], &[10.0]);
        assert_eq!(x, vec![0.0, 50.0]);
    }
}
