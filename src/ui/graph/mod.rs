//! The flow graph in the centre of the window, drawn with egui-snarl from the app's
//! [`FlowGraph`]: one node per state, coloured by type, with its key fact; one output pin
//! per transition, labelled (a Choice rule in readable form, "default", "catch"), and free
//! outputs ("end", "+ rule", "+ catch") to drag from. Snarl draws the nodes and the wire
//! being dragged; the transitions' wires are ours (`wires.rs`): routed around the nodes by
//! [`crate::core::route`] from each pin into the target's top, drawn under the nodes, with
//! a hover that names the transition. Editing goes through commands: dragging an output
//! onto a node connects it, right-clicking its pin disconnects it, dropping it on empty
//! space offers new states to connect, right-clicking the background is the palette,
//! right-clicking a node offers its actions. Moving nodes sends [`EditCommand::MoveNodes`] when the pointer is released (positions
//! go to the sidecar file). Clicking a node's name selects the state; Shift+drag box-selects.

mod add_menu;
pub mod minimap;
mod viewer;
mod wires;

pub use add_menu::palette_ui;
pub use viewer::FAR;
use viewer::Viewer;

use crate::app::{AppState, Commands, DebugCommand, EditCommand, ViewCommand};
use crate::core::edit::{Port, STATE_TYPES};
use crate::core::graph::{EdgeKind, FlowGraph};
use crate::ui::theme::{edge_colour, state_colour};
use egui::{Color32, RichText, Stroke};
use egui_snarl::ui::{AnyPins, PinInfo, SnarlStyle, SnarlViewer, SnarlWidget, WireStyle};
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
    outs: Vec<(String, EdgeKind, Port, String)>,
    /// Its estimated width in graph units.
    width: f32,
    /// Its estimated height in graph units.
    height: f32,
    /// Where each output leads (state names).
    targets: Vec<Option<String>>,
}

impl NodeView {
    /// The rows of its body: the type, the key fact if any, a Map's open button.
    fn body_rows(&self) -> usize {
        1 + usize::from(!self.fact.is_empty()) + usize::from(self.type_name == "Map")
    }
}

/// What the mouse does on the canvas (the hint above it and Help › Keyboard shortcuts).
pub const MOUSE: &[(&str, &str)] = &[
    ("Connect two states", "drag an output onto a state"),
    (
        "Add a state after another",
        "drag an output into empty space",
    ),
    ("The states to add", "right-click on empty space"),
    ("Select several states", "Shift+drag"),
    ("Zoom around the pointer", "Ctrl+scroll"),
    ("Move the view", "drag empty space, or scroll"),
];

/// The graph widget's own state: the snarl built from the app's graph.
#[derive(Default)]
pub struct GraphView {
    snarl: Snarl<NodeView>,
    generation: Option<u64>,
    ids: Vec<(NodeId, String)>,
    /// The extent of the graph (estimated node sizes) to fit into view on the next frame.
    fit: Option<egui::Rect>,
    /// The states snarl had selected last frame (a new selection becomes a command once).
    last_selected: Vec<String>,
    /// The flow last fitted (a rebuild after an edit keeps the view).
    fitted: Option<String>,
    /// The centre of what the graph showed last frame, in graph units (new states go there).
    view_centre: Option<egui::Pos2>,
    /// Graph-to-screen transform of the last frame.
    pub transform: Option<egui::emath::TSTransform>,
    /// Each state's node frame in the last frame, in graph units.
    pub node_rects: std::collections::HashMap<String, egui::Rect>,
    /// The states each state has an edge with.
    neighbours: std::collections::HashMap<String, Vec<String>>,
    /// The app's fit counter last seen.
    fits_seen: u64,
    /// A zoom asked for by the zoom controls, for the next frame.
    zoom_request: Option<f32>,
    /// The debugger's next state last brought into view.
    followed: Option<String>,
    /// The last fit, applied again while the canvas settles (until the user touches it).
    refit: Option<egui::Rect>,
    /// The canvas's rectangle on screen in the last frame.
    pub canvas: Option<egui::Rect>,
    /// A point of the flow the minimap asked to bring to the centre, for the next frame.
    centre_request: Option<egui::Pos2>,
    /// The transitions' wires, routed (see `wires.rs`).
    wires: wires::Wires,
}

/// The height kept clear along the canvas's bottom for the zoom controls when fitting.
const ZOOM_STRIP: f32 = 46.0;

/// The graph's extent with estimated node sizes, in graph units.
fn extent(graph: &FlowGraph) -> egui::Rect {
    (0..graph.nodes.len())
        .fold(egui::Rect::NOTHING, |bb, i| {
            bb.union(estimated_rect(graph, i))
        })
        .expand(30.0)
}

/// Node `i`'s frame from its position and estimated size, in graph units.
fn estimated_rect(graph: &FlowGraph, i: usize) -> egui::Rect {
    let n = &graph.nodes[i];
    egui::Rect::from_min_size(
        egui::pos2(n.pos[0], n.pos[1]),
        egui::vec2(
            crate::core::graph::estimated_width(graph, i),
            crate::core::graph::estimated_height(n),
        ),
    )
}

impl GraphView {
    fn rebuild(&mut self, graph: &FlowGraph) {
        let mut snarl = Snarl::new();
        let mut ids = Vec::new();
        for (i, n) in graph.nodes.iter().enumerate() {
            let outs = n
                .ports
                .iter()
                .map(|p| (p.label.clone(), p.kind, p.port, p.hover.clone()))
                .collect();
            let targets = n
                .ports
                .iter()
                .map(|p| p.target.map(|t| graph.nodes[t].name.clone()))
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
                    width: crate::core::graph::estimated_width(graph, i),
                    height: crate::core::graph::estimated_height(n),
                    targets,
                },
            );
            ids.push((id, n.name.clone()));
        }
        // No snarl wires: the transitions are drawn routed by `wires.rs`; snarl only draws
        // the wire being dragged from a pin.
        self.snarl = snarl;
        self.ids = ids;
        let mut neighbours: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for e in &graph.edges {
            let (a, b) = (&graph.nodes[e.from].name, &graph.nodes[e.to].name);
            neighbours.entry(a.clone()).or_default().push(b.clone());
            neighbours.entry(b.clone()).or_default().push(a.clone());
        }
        self.neighbours = neighbours;
        if self.fitted.as_ref() != Some(&graph.flow) {
            self.fitted = Some(graph.flow.clone());
            self.fit = Some(extent(graph));
            // Another flow's frames must not shape this one's wires.
            self.node_rects.clear();
            self.wires = wires::Wires::default();
        }
    }

    /// The transitions' wires routed for the last frame (graph units).
    pub fn wire_paths(&self) -> &[Vec<[f32; 2]>] {
        self.wires.paths()
    }

    /// The minimap, when it is on and part of the flow is out of view: a click on it
    /// centres the view there next frame.
    fn minimap_ui(
        &mut self,
        ui: &egui::Ui,
        canvas: egui::Rect,
        graph: &FlowGraph,
        state: &AppState,
    ) {
        let Some(t) = self.transform else {
            return;
        };
        let dots: Vec<minimap::Dot> = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| minimap::Dot {
                rect: self
                    .node_rects
                    .get(&n.name)
                    .copied()
                    .unwrap_or_else(|| estimated_rect(graph, i)),
                colour: crate::ui::theme::state_colour(&n.type_name),
                selected: state.selected_state.as_deref() == Some(n.name.as_str()),
            })
            .collect();
        // With the whole flow in view there is nothing to find: the minimap steps aside
        // rather than cover nodes.
        let view = t.inverse() * canvas;
        if dots.iter().all(|d| view.contains_rect(d.rect)) {
            return;
        }
        let id = egui::Id::new(("minimap", &graph.flow));
        if let Some(p) = minimap::show(ui.ctx(), id, canvas, &dots, view) {
            self.centre_request = Some(p);
            ui.ctx().request_repaint();
        }
    }

    /// A plain click anywhere on a node selects its state (snarl itself selects by the
    /// title only). Buttons inside the node still work: they select their state as well.
    /// Clicks on anything drawn over the canvas (menus, windows) are not the canvas's.
    fn click_on_node(&self, ui: &egui::Ui, canvas: egui::Rect, out: &mut Commands) {
        let Some(t) = self.transform else { return };
        let click = ui.input(|i| {
            (i.pointer.primary_clicked() && i.modifiers.is_none())
                .then(|| i.pointer.interact_pos())
                .flatten()
        });
        let Some(at) = click.filter(|p| canvas.contains(*p)) else {
            return;
        };
        if ui
            .ctx()
            .layer_id_at(at)
            .is_some_and(|l| l.order != egui::Order::Background)
        {
            return;
        }
        if let Some((name, _)) = self.node_rects.iter().find(|(_, r)| (t * **r).contains(at)) {
            out.push(ViewCommand::SelectState(Some(name.clone())));
        }
    }

    /// The zoom controls in the canvas's bottom-right corner: −, the zoom, +, 100 %, Fit,
    /// and the minimap's switch.
    fn zoom_controls_ui(
        &mut self,
        ui: &mut egui::Ui,
        canvas: egui::Rect,
        graph: &FlowGraph,
        minimap: &mut bool,
    ) {
        let scale = self.transform.map_or(1.0, |t| t.scaling);
        egui::Area::new(egui::Id::new(("zoom_controls", &graph.flow)))
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .fixed_pos(canvas.right_bottom() - egui::vec2(8.0, 8.0))
            .order(egui::Order::Foreground)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if crate::ui::widgets::icon_button(ui, "−", "Zoom out") {
                            self.zoom_request = Some(scale / 1.25);
                            self.refit = None;
                        }
                        ui.label(format!("{:.0} %", scale * 100.0));
                        if crate::ui::widgets::icon_button(ui, "+", "Zoom in") {
                            self.zoom_request = Some(scale * 1.25);
                            self.refit = None;
                        }
                        if ui.small_button("100 %").clicked() {
                            self.zoom_request = Some(1.0);
                            self.refit = None;
                        }
                        if ui.small_button("Fit all").clicked() {
                            self.fit = Some(extent(graph));
                        }
                        ui.toggle_value(minimap, "Minimap")
                            .on_hover_text("Show the whole flow small in this corner");
                    });
                });
            });
    }

    /// Where the palette puts a new state: right of the selected one, else right of the flow.
    fn new_state_pos(graph: &FlowGraph, selected: Option<&str>) -> [f32; 2] {
        if let Some((i, n)) = graph
            .nodes
            .iter()
            .enumerate()
            .find(|(_, n)| Some(n.name.as_str()) == selected)
        {
            return [
                n.pos[0] + crate::core::graph::estimated_width(graph, i) + 60.0,
                n.pos[1],
            ];
        }
        let right = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| n.pos[0] + crate::core::graph::estimated_width(graph, i))
            .fold(0.0_f32, f32::max);
        [right + 60.0, 0.0]
    }

    /// Draws the selected flow's graph and collects commands.
    /// `minimap` is whether the minimap shows (kept in the window's `Panels`; its switch in
    /// the zoom controls flips it).
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        out: &mut Commands,
        minimap: &mut bool,
    ) {
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
        // The toolbar wraps rather than run past the canvas (the palette's last buttons
        // used to be cut off, and the canvas measured wider than it is).
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Fit")
                .on_hover_text(crate::ui::commands::with_keys(
                    "Fit the whole flow into view",
                    "Fit",
                ))
                .clicked()
            {
                out.push(ViewCommand::Fit);
            }
            let running = state.running();
            let paused = state
                .debug
                .as_ref()
                .is_some_and(|s| s.next_state().is_some());
            let run_label = if running {
                "Running…".to_string()
            } else if paused {
                crate::ui::commands::with_keys("Continue", "Run / Continue")
            } else {
                crate::ui::commands::with_keys("Run", "Run / Continue")
            };
            if ui
                .add_enabled(!running, egui::Button::new(run_label))
                .on_hover_text(crate::ui::commands::with_keys(
                    "Run this flow on its job spec's sample event to a breakpoint or the end",
                    "Run / Continue",
                ))
                .clicked()
            {
                out.push(DebugCommand::Run);
            }
            if ui
                .add_enabled(
                    !running,
                    egui::Button::new(crate::ui::commands::with_keys("Step", "Step over")),
                )
                .on_hover_text("Run one state (a Map runs as one step; F11 steps into it)")
                .clicked()
            {
                out.push(DebugCommand::DebugGo(crate::core::debug::Go::StepOver));
            }
            if ui
                .button("Auto layout")
                .on_hover_text(crate::ui::commands::with_keys(
                    "Lay the flow out again from top to bottom",
                    "Auto layout",
                ))
                .clicked()
            {
                out.push(EditCommand::AutoLayout);
            }
            ui.separator();
            let pos = self
                .view_centre
                .map(|c| [c.x - 60.0, c.y - 40.0])
                .unwrap_or_else(|| Self::new_state_pos(graph, state.selected_state.as_deref()));
            palette_ui(ui, state, pos, None, out);
        });
        if !state.map_path.is_empty() {
            ui.horizontal(|ui| {
                let flow = state.selected.clone().unwrap_or_default();
                if ui
                    .link(format!("◀ {flow}"))
                    .on_hover_text("Back to the flow")
                    .clicked()
                {
                    out.push(ViewCommand::MapLevel(0));
                }
                for (i, m) in state.map_path.iter().enumerate() {
                    ui.label(">");
                    if i + 1 == state.map_path.len() {
                        ui.label(RichText::new(format!("{m} iterator")).strong());
                    } else if ui.link(m).clicked() {
                        out.push(ViewCommand::MapLevel(i + 1));
                    }
                }
            });
        }
        // The hint shows when it fits on one line; a narrow canvas keeps its height (the
        // same words are in Help › Keyboard shortcuts).
        let hint = RichText::new(
            "drag an output onto a state to connect it, into empty space to add one · right-click for the palette · Shift+drag to box-select · Ctrl+scroll to zoom",
        )
        .weak()
        .small();
        let width = egui::WidgetText::from(hint.clone())
            .into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Small,
            )
            .size()
            .x;
        if width <= ui.available_width() {
            ui.label(hint);
        }
        // Keys (F5, F, Ctrl+L...) are the window's, from `ui::commands::TABLE`.
        // A fit holds while the window settles (panels take their sizes over the first
        // frames): until the user touches the canvas, a canvas that changed size fits again.
        let canvas_now = ui.available_rect_before_wrap().intersect(ui.clip_rect());
        if let Some(bb) = self.fit {
            self.refit = Some(bb);
        }
        let touched = ui.input(|i| {
            i.pointer.any_down()
                || i.smooth_scroll_delta != egui::Vec2::ZERO
                || i.zoom_delta() != 1.0
        }) && ui.rect_contains_pointer(canvas_now);
        if touched {
            self.refit = None;
        }
        if self.canvas != Some(canvas_now) {
            // Another frame until the panels have their sizes.
            ui.ctx().request_repaint();
            if self.fit.is_none()
                && let Some(bb) = self.refit
            {
                self.fit = Some(bb);
            }
        }
        // The nodes' real frames when every one was drawn (text measures differ from the
        // estimate); the canvas less the zoom controls' strip along its bottom.
        let fit = self.fit.take().map(|bb| {
            let drawn = graph
                .nodes
                .iter()
                .map(|n| self.node_rects.get(&n.name).copied())
                .try_fold(egui::Rect::NOTHING, |bb, r| r.map(|r| bb.union(r)));
            let bb = drawn.map_or(bb, |d| d.expand(30.0));
            (bb, canvas_now.with_max_y(canvas_now.max.y - ZOOM_STRIP))
        });
        let session = state.debug.as_ref();
        let visits = session.map(crate::core::debug::Session::visits);
        let durations = session.map(crate::core::debug::Session::durations);
        let failed = session.and_then(|s| match s.status() {
            zis_engine::run::execution::Status::Failed { .. } => {
                s.steps.last().map(|e| e.event.state.as_str())
            }
            _ => None,
        });
        let current = session
            .filter(|s| s.busy.is_none())
            .and_then(crate::core::debug::Session::next_state);
        // Edges the session took: (from, to).
        let taken: Option<std::collections::HashSet<(String, String)>> = session.map(|s| {
            s.steps
                .iter()
                .filter_map(|st| Some((st.event.state.clone(), st.event.next.clone()?)))
                .collect()
        });
        let view_rect = canvas_now;
        // The graph follows the debugger: a next state out of view comes to the centre (the
        // zoom kept); a failed run's failing state likewise.
        let follow = current.or(failed).map(str::to_string);
        let mut centre_on = None;
        if follow != self.followed {
            if let (Some(name), Some(t)) = (&follow, self.transform)
                && let Some(r) = self.node_rects.get(name)
                && !(t.inverse() * view_rect).contains_rect(*r)
            {
                centre_on = Some((r.center(), view_rect));
            }
            self.followed = follow;
        }
        if let Some(p) = self.centre_request.take() {
            centre_on = Some((p, view_rect));
            self.refit = None;
        }
        self.wires.update(graph, &self.node_rects, taken.as_ref());
        self.wires
            .drop_on_node(ui, graph, &self.node_rects, self.transform, out);
        let mut viewer = Viewer {
            wires: &self.wires,
            out,
            state,
            transform: None,
            rects: std::collections::HashMap::new(),
            visible: self
                .transform
                .map(|t| (t.inverse() * view_rect).expand(80.0)),
            previous: &self.node_rects,
            neighbours: &self.neighbours,
            fit,
            visits: visits.as_ref(),
            failed,
            current,
            durations: durations.as_ref(),
            zoom: self.zoom_request.take().map(|z| (z, view_rect)),
            far: false,
            centre_on,
            pins: std::collections::HashMap::new(),
        };
        let style = SnarlStyle {
            min_scale: Some(viewer::MIN_SCALE),
            collapsible: Some(false),
            header_drag_space: Some(egui::Vec2::ZERO),
            node_layout: Some(egui_snarl::ui::NodeLayout::sandwich()),
            pin_placement: Some(egui_snarl::ui::PinPlacement::Edge),
            ..SnarlStyle::new()
        };
        let id = egui::Id::new(("flow_graph", &graph.flow));
        SnarlWidget::new()
            .id(id)
            .style(style)
            .show(&mut self.snarl, &mut viewer, ui);
        if let Some(t) = viewer.transform {
            self.view_centre = Some(t.inverse() * view_rect.center());
        }
        self.transform = viewer.transform;
        self.canvas = Some(view_rect);
        let pins = std::mem::take(&mut viewer.pins);
        self.node_rects = std::mem::take(&mut viewer.rects);
        self.wires.measured(&self.node_rects, pins);
        self.wires
            .hover(ui, view_rect, graph, self.transform, &self.node_rects);
        self.zoom_controls_ui(ui, view_rect, graph, minimap);
        if *minimap {
            self.minimap_ui(ui, view_rect, graph, state);
        }
        self.click_on_node(ui, view_rect, out);
        // Snarl's selection (click, Ctrl+click, Shift+drag box) becomes the app's when it changes.
        let selected: Vec<String> = egui_snarl::ui::get_selected_nodes(id, ui.ctx())
            .iter()
            .filter_map(|node| self.ids.iter().find(|(i, _)| i == node))
            .map(|(_, n)| n.clone())
            .collect();
        if selected != self.last_selected {
            if !selected.is_empty() {
                out.push(ViewCommand::SelectStates(selected.clone()));
            }
            self.last_selected = selected;
        }
        // Positions are committed when the pointer is released. `ids` is in the order of
        // `graph.nodes` (both come from `rebuild`).
        if !ui.input(|i| i.pointer.any_down()) {
            let moves: Vec<(String, [f32; 2])> = self
                .ids
                .iter()
                .zip(&graph.nodes)
                .filter_map(|((id, name), g)| {
                    let node = self.snarl.get_node_info(*id)?;
                    let pos = [node.pos.x, node.pos.y];
                    ((pos[0] - g.pos[0]).abs() > 0.5 || (pos[1] - g.pos[1]).abs() > 0.5)
                        .then(|| (name.clone(), pos))
                })
                .collect();
            if !moves.is_empty() {
                out.push(EditCommand::MoveNodes(moves));
            }
        }
    }
}

/// A red dot (the fonts have no such glyph), for breakpoints.
pub fn breakpoint_dot(ui: &mut egui::Ui) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter()
        .circle_filled(rect.center(), 5.0, crate::ui::theme::red());
    resp
}

/// A breakpoint's mark in lists: a red dot when it stops, a grey ring when it is switched
/// off (or every breakpoint is); named for screen readers ("breakpoint on" / "off").
pub fn breakpoint_mark(ui: &mut egui::Ui, on: bool, phase: bool) -> egui::Response {
    let resp = match (on, phase) {
        (true, false) => breakpoint_dot(ui),
        (true, true) => phase_ring(ui),
        (false, _) => phase_ring_coloured(ui, crate::ui::theme::muted()),
    };
    let name = if on {
        "breakpoint on"
    } else {
        "breakpoint off"
    };
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Label, true, name));
    resp
}

/// A red ring: stops inside the state's step (phase breakpoints).
pub fn phase_ring(ui: &mut egui::Ui) -> egui::Response {
    phase_ring_coloured(ui, crate::ui::theme::red())
}

/// A ring of a colour (grey: a breakpoint switched off).
fn phase_ring_coloured(ui: &mut egui::Ui, colour: Color32) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter()
        .circle_stroke(rect.center(), 4.5, egui::Stroke::new(2.0, colour));
    resp
}
