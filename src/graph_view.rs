//! The flow graph in the centre of the window, drawn with egui-snarl from the app's
//! [`FlowGraph`]: one node per state, coloured by type, with its key fact; one output pin
//! per transition, labelled (a Choice rule in readable form, "default", "catch"), wired to
//! its target. Moving a node sends [`Command::MoveNode`] when the pointer is released
//! (positions go to the sidecar file). Clicking a node's name selects the state.

use crate::app::graph::{EdgeKind, FlowGraph};
use crate::app::{AppState, Command};
use crate::gui::state_colour;
use egui::{Color32, RichText, Stroke};
use egui_snarl::ui::{PinInfo, SnarlStyle, SnarlViewer, SnarlWidget, WireStyle};
use egui_snarl::{InPin, NodeId, OutPin, Snarl};

/// What a node shows.
#[derive(Clone, Debug)]
pub struct NodeView {
    name: String,
    type_name: String,
    fact: String,
    start: bool,
    end: bool,
    problems: usize,
    outs: Vec<(String, EdgeKind)>,
}

/// The graph widget's own state: the snarl built from the app's graph.
#[derive(Default)]
pub struct GraphView {
    snarl: Snarl<NodeView>,
    generation: Option<u64>,
    ids: Vec<(NodeId, String)>,
    /// The extent of the graph (estimated node sizes) to fit into view on the next frame.
    fit: Option<egui::Rect>,
    /// The state snarl had selected last frame (a new selection becomes a command once).
    last_selected: Option<String>,
    /// The app's fit counter last seen.
    fits_seen: u64,
}

/// The graph's extent with estimated node sizes, in graph units.
fn extent(graph: &FlowGraph) -> egui::Rect {
    let mut bb = egui::Rect::NOTHING;
    for (i, n) in graph.nodes.iter().enumerate() {
        let outs = graph.edges.iter().filter(|e| e.from == i).count().max(1);
        let min = egui::pos2(n.pos[0], n.pos[1]);
        let size = egui::vec2(
            crate::app::graph::estimated_width(graph, i),
            56.0 + 16.0 * outs as f32,
        );
        bb = bb.union(egui::Rect::from_min_size(min, size));
    }
    bb.expand(30.0)
}

fn edge_colour(kind: EdgeKind) -> Color32 {
    match kind {
        EdgeKind::Next => Color32::from_rgb(0x60, 0xa5, 0xfa),
        EdgeKind::Rule => Color32::from_rgb(0xf5, 0x9e, 0x0b),
        EdgeKind::Default => Color32::from_rgb(0x9c, 0xa3, 0xaf),
        EdgeKind::Catch => Color32::from_rgb(0xef, 0x44, 0x44),
    }
}

impl GraphView {
    fn rebuild(&mut self, graph: &FlowGraph) {
        let mut snarl = Snarl::new();
        let mut ids = Vec::new();
        for (i, n) in graph.nodes.iter().enumerate() {
            let outs = graph
                .edges
                .iter()
                .filter(|e| e.from == i)
                .map(|e| {
                    let label = match e.kind {
                        EdgeKind::Next => "next".to_string(),
                        _ => e.label.clone(),
                    };
                    (label, e.kind)
                })
                .collect();
            let id = snarl.insert_node(
                egui::pos2(n.pos[0], n.pos[1]),
                NodeView {
                    name: n.name.clone(),
                    type_name: n.type_name.clone(),
                    fact: n.fact.clone(),
                    start: n.start,
                    end: n.end,
                    problems: n.problems,
                    outs,
                },
            );
            ids.push((id, n.name.clone()));
        }
        for i in 0..graph.nodes.len() {
            for (pin, e) in graph.edges.iter().filter(|e| e.from == i).enumerate() {
                let from = egui_snarl::OutPinId {
                    node: ids[i].0,
                    output: pin,
                };
                let to = egui_snarl::InPinId {
                    node: ids[e.to].0,
                    input: 0,
                };
                snarl.connect(from, to);
            }
        }
        self.snarl = snarl;
        self.ids = ids;
        self.fit = Some(extent(graph));
    }

    /// Draws the selected flow's graph and collects commands.
    pub fn show(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(graph) = &state.graph else {
            return;
        };
        if self.generation != Some(state.graph_generation) {
            self.rebuild(graph);
            self.generation = Some(state.graph_generation);
        }
        if self.fits_seen != state.fit_requests {
            self.fits_seen = state.fit_requests;
            self.fit = Some(extent(graph));
        }
        ui.horizontal(|ui| {
            if ui
                .button("Fit")
                .on_hover_text("Fit the whole flow into view (F)")
                .clicked()
            {
                out.push(Command::Fit);
            }
            let running = matches!(state.run, Some(crate::app::run::RunState::Running(_)));
            let run_label = if running { "Running…" } else { "Run (F5)" };
            if ui
                .add_enabled(!running, egui::Button::new(run_label))
                .on_hover_text("Run this flow on its job spec's sample event (F5)")
                .clicked()
            {
                out.push(Command::Run);
            }
            if ui
                .button("Auto layout")
                .on_hover_text("Lay the flow out again from left to right (Ctrl+L)")
                .clicked()
            {
                out.push(Command::AutoLayout);
            }
            ui.label(
                RichText::new(
                    "drag nodes to arrange them · Ctrl+scroll to zoom · double-click to re-centre",
                )
                .weak(),
            );
        });
        if ui.input(|i| i.key_pressed(egui::Key::F5)) {
            out.push(Command::Run);
        }
        if ui.input(|i| i.modifiers.command && i.key_pressed(egui::Key::L)) {
            out.push(Command::AutoLayout);
        }
        if ui.input(|i| i.key_pressed(egui::Key::F) && !i.modifiers.any())
            && !ui.ctx().egui_wants_keyboard_input()
        {
            self.fit = Some(extent(graph));
        }
        let fit = self
            .fit
            .take()
            .map(|bb| (bb, ui.available_rect_before_wrap()));
        let result = state.run_result();
        let failed = result.and_then(|r| match r.status {
            zis_engine::run::execution::Status::Failed { .. } => {
                r.events.last().map(|e| e.state.as_str())
            }
            _ => None,
        });
        let mut viewer = Viewer {
            out,
            selected: state.selected_state.as_deref(),
            fit,
            visits: result.map(|r| &r.visits),
            failed,
        };
        let style = SnarlStyle {
            collapsible: Some(false),
            header_drag_space: Some(egui::Vec2::ZERO),
            ..SnarlStyle::new()
        };
        let id = egui::Id::new(("flow_graph", &graph.flow));
        SnarlWidget::new()
            .id(id)
            .style(style)
            .show(&mut self.snarl, &mut viewer, ui);
        // A click on a node selects it in snarl; one selected node is the selected state.
        let selected = match egui_snarl::ui::get_selected_nodes(id, ui.ctx()).as_slice() {
            [node] => self
                .ids
                .iter()
                .find(|(i, _)| i == node)
                .map(|(_, n)| n.clone()),
            _ => None,
        };
        if let Some(name) = &selected
            && state.selected_state.as_ref() != Some(name)
            && self.last_selected.as_ref() != Some(name)
        {
            out.push(Command::SelectState(Some(name.clone())));
        }
        self.last_selected = selected;
        // Positions are committed when the pointer is released. `ids` is in the order of
        // `graph.nodes` (both come from `rebuild`).
        if !ui.input(|i| i.pointer.any_down()) {
            for ((id, name), g) in self.ids.iter().zip(&graph.nodes) {
                let Some(node) = self.snarl.get_node_info(*id) else {
                    continue;
                };
                let pos = [node.pos.x, node.pos.y];
                if (pos[0] - g.pos[0]).abs() > 0.5 || (pos[1] - g.pos[1]).abs() > 0.5 {
                    out.push(Command::MoveNode {
                        state: name.clone(),
                        pos,
                    });
                }
            }
        }
    }
}

struct Viewer<'a> {
    out: &'a mut Vec<Command>,
    selected: Option<&'a str>,
    /// Graph extent and screen rect to fit it into, once.
    fit: Option<(egui::Rect, egui::Rect)>,
    /// Visits per state in the last run.
    visits: Option<&'a std::collections::HashMap<String, usize>>,
    /// The state the last run failed in.
    failed: Option<&'a str>,
}

impl SnarlViewer<NodeView> for Viewer<'_> {
    fn title(&mut self, node: &NodeView) -> String {
        node.name.clone()
    }

    fn current_transform(
        &mut self,
        to_global: &mut egui::emath::TSTransform,
        _snarl: &mut Snarl<NodeView>,
    ) {
        if let Some((bb, rect)) = self.fit.take()
            && bb.is_finite()
            && rect.width() > 50.0
            && rect.height() > 50.0
        {
            let scale = (rect.size() / bb.size()).min_elem().clamp(0.7, 1.25);
            let mut translation = rect.center().to_vec2() - bb.center().to_vec2() * scale;
            // Too wide to fit at a readable zoom: show the flow from its start.
            if bb.width() * scale > rect.width() {
                translation.x = rect.left() - bb.left() * scale;
            }
            *to_global = egui::emath::TSTransform::new(translation, scale);
        }
    }

    fn node_frame(
        &mut self,
        default: egui::Frame,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        snarl: &Snarl<NodeView>,
    ) -> egui::Frame {
        let n = &snarl[node];
        let colour = state_colour(&n.type_name);
        let width = if self.selected == Some(n.name.as_str()) {
            3.0
        } else {
            1.5
        };
        let mut frame = default.stroke(Stroke::new(width, colour));
        if self.visits.is_some_and(|v| v.contains_key(&n.name)) {
            frame.fill = frame.fill.lerp_to_gamma(colour, 0.28);
        }
        if self.failed == Some(n.name.as_str()) {
            frame = frame.stroke(Stroke::new(3.0, Color32::from_rgb(0xef, 0x44, 0x44)));
        }
        frame
    }

    fn show_header(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) {
        let n = &snarl[node];
        let colour = state_colour(&n.type_name);
        ui.horizontal(|ui| {
            ui.add_space(6.0);
            if n.start {
                ui.label(RichText::new("▶").color(Color32::from_rgb(0x22, 0xc5, 0x5e)))
                    .on_hover_text("StartAt");
            }
            let name = ui.add(
                egui::Label::new(RichText::new(&n.name).strong().color(colour))
                    .extend()
                    .sense(egui::Sense::click()),
            );
            if name.clicked() {
                self.out.push(Command::SelectState(Some(n.name.clone())));
            }
            if n.end {
                ui.label(RichText::new("■").color(Color32::from_rgb(0x9c, 0xa3, 0xaf)))
                    .on_hover_text("ends the flow");
            }
            if let Some(count) = self.visits.and_then(|v| v.get(&n.name)) {
                ui.label(RichText::new(format!("×{count}")).strong())
                    .on_hover_text("times the last run entered this state");
            }
            if n.problems > 0 {
                ui.label(
                    RichText::new(format!("⚠ {}", n.problems))
                        .color(Color32::from_rgb(0xef, 0x44, 0x44)),
                )
                .on_hover_text("problems found by the validator in this state");
            }
        });
    }

    fn inputs(&mut self, _node: &NodeView) -> usize {
        1
    }

    fn show_input(
        &mut self,
        _pin: &InPin,
        _ui: &mut egui::Ui,
        _snarl: &mut Snarl<NodeView>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        PinInfo::circle().with_fill(Color32::from_rgb(0x9c, 0xa3, 0xaf))
    }

    fn outputs(&mut self, node: &NodeView) -> usize {
        node.outs.len()
    }

    fn show_output(
        &mut self,
        pin: &OutPin,
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        let (label, kind) = snarl[pin.id.node]
            .outs
            .get(pin.id.output)
            .cloned()
            .unwrap_or_else(|| (String::new(), EdgeKind::Next));
        let colour = edge_colour(kind);
        let shown = crate::app::graph::clip(&label);
        let resp = ui.add(egui::Label::new(RichText::new(&shown).color(colour)).extend());
        if shown != label {
            resp.on_hover_text(label);
        }
        let style = match kind {
            EdgeKind::Catch | EdgeKind::Default => WireStyle::AxisAligned { corner_radius: 8.0 },
            _ => WireStyle::Bezier5,
        };
        PinInfo::triangle()
            .with_fill(colour)
            .with_wire_color(colour)
            .with_wire_style(style)
    }

    fn has_body(&mut self, _node: &NodeView) -> bool {
        true
    }

    fn show_body(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) {
        let n = &snarl[node];
        ui.vertical(|ui| {
            ui.add(
                egui::Label::new(RichText::new(&n.type_name).color(state_colour(&n.type_name)))
                    .extend(),
            );
            if !n.fact.is_empty() {
                let shown = crate::app::graph::clip(&n.fact);
                let resp = ui.add(egui::Label::new(RichText::new(&shown).monospace()).extend());
                if shown != n.fact {
                    resp.on_hover_text(&n.fact);
                }
            }
        });
    }

    // Editing wires comes with the designer's editing commands; until then the graph is a
    // faithful view and refuses changes that would leave the bundle behind.
    fn connect(&mut self, _from: &OutPin, _to: &InPin, _snarl: &mut Snarl<NodeView>) {}

    fn disconnect(&mut self, _from: &OutPin, _to: &InPin, _snarl: &mut Snarl<NodeView>) {}

    fn drop_outputs(&mut self, _pin: &OutPin, _snarl: &mut Snarl<NodeView>) {}

    fn drop_inputs(&mut self, _pin: &InPin, _snarl: &mut Snarl<NodeView>) {}
}
