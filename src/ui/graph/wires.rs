//! The transitions' wires. Routed by [`crate::core::route`] around the node frames of the
//! last frame (estimated before the first), from each output pin (its row measured last
//! frame) into the target's top; routed again only when a frame or a pin moves. The viewer
//! draws them under the nodes (`draw`), with rounded corners and an arrowhead, dashed for a
//! Catch, dimmed when a session did not take them. A wire under the pointer is drawn
//! thicker and its hover names the transition. A wire dragged from a pin and dropped on a
//! node connects it (snarl itself only connects pin to pin).

use crate::app::{Commands, EditCommand};
use crate::core::graph::{EdgeKind, FlowGraph, estimated_height, estimated_pin_y, estimated_width};
use crate::core::route::{Bounds, Point, distance, rounded};
use crate::ui::theme::edge_colour;
use egui::{Color32, Pos2, Stroke};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// How a wire looks this frame.
#[derive(Clone, Copy)]
struct Look {
    colour: Color32,
    went: bool,
    dashed: bool,
}

/// The routed wires of the shown flow and what the pointer does with them.
#[derive(Default)]
pub(super) struct Wires {
    /// Each edge's route in graph units, in the order of `FlowGraph::edges`.
    paths: Vec<Vec<Point>>,
    looks: Vec<Look>,
    /// What the routes were made from (frames, pins, edges), hashed.
    key: u64,
    /// Output rows' middles below their node's top, measured: (state, output) → offset.
    pins: HashMap<(String, usize), f32>,
    /// The wire under the pointer last frame.
    hovered: Option<usize>,
    /// The output a drag started on: (node index, output index).
    dragging: Option<(usize, usize)>,
}

/// A node's frame: last frame's, else estimated from its position.
fn frame(graph: &FlowGraph, rects: &HashMap<String, egui::Rect>, i: usize) -> Bounds {
    let n = &graph.nodes[i];
    match rects.get(&n.name) {
        Some(r) => Bounds {
            min: [r.min.x, r.min.y],
            max: [r.max.x, r.max.y],
        },
        None => Bounds::new(n.pos, [estimated_width(graph, i), estimated_height(n)]),
    }
}

impl Wires {
    /// Each edge's route (graph units).
    pub(super) fn paths(&self) -> &[Vec<Point>] {
        &self.paths
    }

    /// Routes the wires again if a frame, a pin or an edge changed, and sets their looks:
    /// with a session shown, the transitions it did not take are dimmed.
    pub(super) fn update(
        &mut self,
        graph: &FlowGraph,
        rects: &HashMap<String, egui::Rect>,
        taken: Option<&HashSet<(String, String)>>,
    ) {
        let boxes: Vec<Bounds> = (0..graph.nodes.len())
            .map(|i| frame(graph, rects, i))
            .collect();
        let pin_y = |n: usize, p: usize| {
            self.pins
                .get(&(graph.nodes[n].name.clone(), p))
                .copied()
                .unwrap_or_else(|| estimated_pin_y(&graph.nodes[n], p))
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for b in &boxes {
            for v in [b.min[0], b.min[1], b.max[0], b.max[1]] {
                ((v * 2.0).round() as i64).hash(&mut h);
            }
        }
        for e in &graph.edges {
            (e.from, e.to, e.port).hash(&mut h);
            ((pin_y(e.from, e.port) * 2.0).round() as i64).hash(&mut h);
        }
        let key = h.finish();
        if key != self.key || self.paths.len() != graph.edges.len() {
            self.paths = crate::core::graph::routes(graph, &boxes, pin_y);
            self.key = key;
        }
        self.looks = graph
            .edges
            .iter()
            .map(|e| {
                let colour = edge_colour(e.kind);
                let went = taken.is_some_and(|t| {
                    t.contains(&(
                        graph.nodes[e.from].name.clone(),
                        graph.nodes[e.to].name.clone(),
                    ))
                });
                Look {
                    colour: if taken.is_some() && !went {
                        colour.gamma_multiply(0.25)
                    } else {
                        colour
                    },
                    went,
                    dashed: e.kind == EdgeKind::Catch,
                }
            })
            .collect();
    }

    /// Keeps the output rows measured this frame (absolute y in graph units) as offsets
    /// below their node's top; rows not drawn this frame keep their last measure.
    pub(super) fn measured(
        &mut self,
        rects: &HashMap<String, egui::Rect>,
        pins: HashMap<(String, usize), f32>,
    ) {
        for ((name, port), y) in pins {
            if let Some(r) = rects.get(&name) {
                self.pins.insert((name, port), y - r.top());
            }
        }
    }

    /// Draws the wires in view (graph units; `scale` is the zoom, so lines stay at least
    /// a pixel and a half wide on screen).
    pub(super) fn draw(&self, painter: &egui::Painter, viewport: egui::Rect, scale: f32) {
        let scale = scale.max(0.01);
        for (k, path) in self.paths.iter().enumerate() {
            let Some(look) = self.looks.get(k) else {
                continue;
            };
            let bb = path.iter().fold(egui::Rect::NOTHING, |r, p| {
                r.union(egui::Rect::from_min_max(
                    Pos2::new(p[0], p[1]),
                    Pos2::new(p[0], p[1]),
                ))
            });
            if !bb.expand(10.0).intersects(viewport) {
                continue;
            }
            let mut width: f32 = if look.went { 3.0 } else { 1.6 };
            if self.hovered == Some(k) {
                width *= 1.8;
            }
            let width = width.max(1.5 / scale);
            let stroke = Stroke::new(width, look.colour);
            let points: Vec<Pos2> = rounded(path, 10.0)
                .into_iter()
                .map(|p| Pos2::new(p[0], p[1]))
                .collect();
            if look.dashed {
                painter.extend(egui::Shape::dashed_line(
                    &points,
                    stroke,
                    7.0 / scale.min(1.0),
                    4.0 / scale.min(1.0),
                ));
            } else {
                painter.add(egui::Shape::line(points, stroke));
            }
            if let Some(end) = path.last() {
                let size = (7.0_f32).max(6.0 / scale);
                let tip = Pos2::new(end[0], end[1]);
                painter.add(egui::Shape::convex_polygon(
                    vec![
                        tip,
                        tip + egui::vec2(size * 0.6, -size),
                        tip + egui::vec2(-size * 0.6, -size),
                    ],
                    look.colour,
                    Stroke::NONE,
                ));
            }
        }
    }

    /// The wire under the pointer (away from nodes): drawn thicker next frame, its
    /// transition named in a tooltip.
    pub(super) fn hover(
        &mut self,
        ui: &egui::Ui,
        canvas: egui::Rect,
        graph: &FlowGraph,
        transform: Option<egui::emath::TSTransform>,
        rects: &HashMap<String, egui::Rect>,
    ) {
        let before = self.hovered;
        self.hovered = None;
        let (Some(t), Some(at)) = (transform, ui.input(|i| i.pointer.hover_pos())) else {
            return;
        };
        if !canvas.contains(at) || ui.input(|i| i.pointer.any_down()) {
            return;
        }
        let p = t.inverse() * at;
        if rects.values().any(|r| r.contains(p)) {
            return;
        }
        let reach = 6.0 / t.scaling.max(0.01);
        self.hovered = self
            .paths
            .iter()
            .enumerate()
            .map(|(k, path)| (k, distance(path, [p.x, p.y])))
            .filter(|(_, d)| *d <= reach)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k);
        if let Some(e) = self.hovered.and_then(|k| graph.edges.get(k)) {
            let from = &graph.nodes[e.from];
            let port = from.ports.get(e.port);
            let what = port
                .map(|p| {
                    if p.hover.is_empty() {
                        &p.label
                    } else {
                        &p.hover
                    }
                })
                .cloned()
                .unwrap_or_default();
            let text = format!("{} -> {}: {what}", from.name, graph.nodes[e.to].name);
            egui::Tooltip::always_open(
                ui.ctx().clone(),
                ui.layer_id(),
                ui.id().with("wire_hover"),
                egui::PopupAnchor::Pointer,
            )
            .show(|ui| ui.label(text));
        }
        if self.hovered != before {
            ui.ctx().request_repaint();
        }
    }

    /// A drag from an output pin dropped on a node connects that output to it (snarl
    /// offers its own menu when the drop is on empty space).
    pub(super) fn drop_on_node(
        &mut self,
        ui: &egui::Ui,
        graph: &FlowGraph,
        rects: &HashMap<String, egui::Rect>,
        transform: Option<egui::emath::TSTransform>,
        out: &mut Commands,
    ) {
        let Some(t) = transform else {
            self.dragging = None;
            return;
        };
        let (pressed, released, down, at) = ui.input(|i| {
            (
                i.pointer.primary_pressed(),
                i.pointer.primary_released(),
                i.pointer.primary_down(),
                i.pointer.interact_pos().or(i.pointer.latest_pos()),
            )
        });
        let Some(at) = at.map(|p| t.inverse() * p) else {
            return;
        };
        if pressed {
            let reach = 10.0 / t.scaling.max(0.01);
            self.dragging = graph.nodes.iter().enumerate().find_map(|(i, n)| {
                let r = rects.get(&n.name)?;
                (0..n.ports.len()).find_map(|p| {
                    let y = r.top() + self.pins.get(&(n.name.clone(), p)).copied()?;
                    ((at - Pos2::new(r.right(), y)).length() <= reach).then_some((i, p))
                })
            });
        }
        if released && let Some((i, p)) = self.dragging.take() {
            let from = &graph.nodes[i];
            let onto = graph
                .nodes
                .iter()
                .enumerate()
                .find(|(j, n)| *j != i && rects.get(&n.name).is_some_and(|r| r.contains(at)));
            if let (Some((_, to)), Some(port)) = (onto, from.ports.get(p)) {
                out.push(EditCommand::Connect {
                    from: from.name.clone(),
                    port: port.port,
                    to: to.name.clone(),
                });
            }
        }
        if !down && !released {
            self.dragging = None;
        }
    }
}
