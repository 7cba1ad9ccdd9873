//! The layered layout of a flow's graph, left to right (snarl draws inputs on a node's left
//! and outputs on its right, so wires read left to right):
//!
//! 1. **Layers**: a state's layer is its shortest distance from `StartAt` (breadth first,
//!    so a loop back does not stretch the flow); states nothing reaches go in a last layer.
//! 2. **Order in a layer**: barycentre sweeps (Sugiyama's crossing reduction): four passes
//!    down and up, each sorting a layer by the mean position of its neighbours in the layer
//!    before (or after), which removes most wire crossings.
//! 3. **Placement**: each layer starts after the widest node of the one before; within a
//!    layer a state sits level with the states that lead to it where there is room, else
//!    below its upper neighbour — so the main path is a straight line and branches hang
//!    below it. No two nodes overlap.
//!
//! Pure: positions only, from the estimated node sizes of [`super::graph`].

use super::graph::{FlowGraph, LAYER_GAP, ROW_GAP, estimated_height, estimated_width};
use std::collections::VecDeque;

/// Lays the graph out (see the module doc); every node gets a position.
pub fn layout(graph: &mut FlowGraph) {
    let n = graph.nodes.len();
    if n == 0 {
        return;
    }
    let (layer, order) = layers(graph);
    let count = layer.iter().max().map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for i in order {
        layers[layer[i]].push(i);
    }
    // Neighbours in earlier and later layers (self-loops and same-layer edges do not order).
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &graph.edges {
        if layer[e.from] < layer[e.to] {
            before[e.to].push(e.from);
            after[e.from].push(e.to);
        }
    }
    let mut index = vec![0.0_f32; n];
    let renumber = |layers: &Vec<Vec<usize>>, index: &mut Vec<f32>| {
        for l in layers {
            for (k, &i) in l.iter().enumerate() {
                index[i] = k as f32;
            }
        }
    };
    renumber(&layers, &mut index);
    for _ in 0..4 {
        for l in 1..count {
            sort_by_barycentre(&mut layers[l], &before, &index);
            renumber(&layers, &mut index);
        }
        for l in (0..count.saturating_sub(1)).rev() {
            sort_by_barycentre(&mut layers[l], &after, &index);
            renumber(&layers, &mut index);
        }
    }
    // x: each layer after the widest node of the one before.
    let mut x = 0.0;
    let mut xs = vec![0.0_f32; count];
    for (l, nodes) in layers.iter().enumerate() {
        xs[l] = x;
        let widest = nodes
            .iter()
            .map(|&i| estimated_width(graph, i))
            .fold(0.0_f32, f32::max);
        x += widest + LAYER_GAP;
    }
    // y: level with what leads here where there is room, else below the node above.
    let mut placed = vec![false; n];
    for (l, nodes) in layers.iter().enumerate() {
        let mut bottom = f32::NEG_INFINITY;
        for &i in nodes {
            let from: Vec<f32> = before[i]
                .iter()
                .filter(|&&j| placed[j])
                .map(|&j| graph.nodes[j].pos[1])
                .collect();
            let wanted = if from.is_empty() {
                0.0
            } else {
                from.iter().sum::<f32>() / from.len() as f32
            };
            let y = if bottom.is_finite() {
                wanted.max(bottom + ROW_GAP)
            } else {
                wanted
            };
            graph.nodes[i].pos = [xs[l], y];
            bottom = y + estimated_height(&graph.nodes[i]);
            placed[i] = true;
        }
    }
}

/// Each node's layer (its breadth-first distance from the start; unreached nodes last),
/// and the order the walk reached them in (edges in the order of the state's fields, the
/// unreached ones after): the sweeps' starting order.
fn layers(graph: &FlowGraph) -> (Vec<usize>, Vec<usize>) {
    let n = graph.nodes.len();
    let mut layer = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    if let Some(start) = graph.nodes.iter().position(|s| s.start) {
        layer[start] = 0;
        queue.push_back(start);
    }
    while let Some(i) = queue.pop_front() {
        order.push(i);
        for e in graph.edges.iter().filter(|e| e.from == i) {
            if layer[e.to] == usize::MAX {
                layer[e.to] = layer[i] + 1;
                queue.push_back(e.to);
            }
        }
    }
    let last = layer
        .iter()
        .filter(|l| **l != usize::MAX)
        .max()
        .map_or(0, |m| m + 1);
    for (i, l) in layer.iter_mut().enumerate() {
        if *l == usize::MAX {
            *l = last;
            order.push(i);
        }
    }
    (layer, order)
}

/// Sorts one layer by the mean index of each node's neighbours; a node without any keeps
/// its index (a stable sort keeps ties in their order).
fn sort_by_barycentre(nodes: &mut [usize], neighbours: &[Vec<usize>], index: &[f32]) {
    let key = |i: usize| {
        let ns = &neighbours[i];
        if ns.is_empty() {
            index[i]
        } else {
            ns.iter().map(|&j| index[j]).sum::<f32>() / ns.len() as f32
        }
    };
    nodes.sort_by(|a, b| key(*a).total_cmp(&key(*b)));
}

#[cfg(test)]
mod tests {
    use crate::core::graph::{FlowGraph, build};
    use serde_json::json;
    use std::collections::HashMap;
    use zis_engine::model::FlowDefinition;

    fn graph(def: serde_json::Value) -> FlowGraph {
        let (flow, _) = FlowDefinition::from_value(&def, "");
        build("f", &flow, &HashMap::new())
    }

    /// Wires between adjacent layers that cross: pairs of edges whose ends are in opposite
    /// vertical order.
    fn crossings(g: &FlowGraph) -> usize {
        let y = |i: usize| g.nodes[i].pos[1];
        let x = |i: usize| g.nodes[i].pos[0];
        let mut count = 0;
        for (a, e) in g.edges.iter().enumerate() {
            for f in &g.edges[a + 1..] {
                if x(e.from) == x(f.from) && x(e.to) == x(f.to) && x(e.to) > x(e.from) {
                    let (d1, d2) = (y(e.from) - y(f.from), y(e.to) - y(f.to));
                    if d1 * d2 < 0.0 {
                        count += 1;
                    }
                }
            }
        }
        count
    }

    #[test]
    fn branches_are_ordered_so_that_wires_do_not_cross() {
        // Breadth-first order puts C1 above C2 (B1's first rule), but B2 also leads to C1:
        // B1→C2 and B2→C1 would cross.
        let g = graph(json!({"StartAt": "A", "States": {
            "A": {"Type": "Choice", "Choices": [
                {"Variable": "$.x", "IsPresent": true, "Next": "B1"}], "Default": "B2"},
            "B1": {"Type": "Choice", "Choices": [
                {"Variable": "$.y", "IsPresent": true, "Next": "C1"}], "Default": "C2"},
            "B2": {"Type": "Pass", "Next": "C1"},
            "C1": {"Type": "Succeed"},
            "C2": {"Type": "Succeed"}}}));
        assert_eq!(crossings(&g), 0);
        // The main path is straight: B1 and C2 sit level with A.
        let pos = |n: &str| g.nodes.iter().find(|s| s.name == n).unwrap().pos;
        assert_eq!(pos("A")[1], pos("B1")[1]);
        assert_eq!(pos("B1")[1], pos("C2")[1]);
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
            for b in &g.nodes[i + 1..] {
                let (ha, hb) = (
                    crate::core::graph::estimated_height(a),
                    crate::core::graph::estimated_height(b),
                );
                let same_column = a.pos[0] == b.pos[0];
                let apart = a.pos[1] + ha <= b.pos[1] || b.pos[1] + hb <= a.pos[1];
                assert!(!same_column || apart, "{} and {} overlap", a.name, b.name);
            }
        }
    }
}
