//! The flow graph in the centre of the window, drawn with egui-snarl from the app's
//! [`FlowGraph`]: one node per state, coloured by type, with its key fact; one output pin
//! per transition, labelled (a Choice rule in readable form, "default", "catch"), wired to
//! its target, and free outputs ("end", "+ rule", "+ catch") to drag from. Editing goes
//! through commands: dragging an output onto a node connects it, dragging it off (or
//! right-clicking its pin) disconnects it, dropping it on empty space offers new states to
//! connect, right-clicking the background is the palette, right-clicking a node offers its
//! actions. Moving nodes sends [`Command::MoveNodes`] when the pointer is released (positions
//! go to the sidecar file). Clicking a node's name selects the state; Shift+drag box-selects.

use crate::app::edit::{Port, STATE_TYPES};
use crate::app::graph::{EdgeKind, FlowGraph};
use crate::app::{AppState, Command};
use crate::gui::state_colour;
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
    outs: Vec<(String, EdgeKind, Port)>,
    /// Where each output leads (state names).
    targets: Vec<Option<String>>,
}

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
}

/// The graph's extent with estimated node sizes, in graph units.
fn extent(graph: &FlowGraph) -> egui::Rect {
    let mut bb = egui::Rect::NOTHING;
    for (i, n) in graph.nodes.iter().enumerate() {
        let min = egui::pos2(n.pos[0], n.pos[1]);
        let size = egui::vec2(
            crate::app::graph::estimated_width(graph, i),
            crate::app::graph::estimated_height(n),
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
        for n in &graph.nodes {
            let outs = n
                .ports
                .iter()
                .map(|p| (p.label.clone(), p.kind, p.port))
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
                    targets,
                },
            );
            ids.push((id, n.name.clone()));
        }
        for e in &graph.edges {
            let from = egui_snarl::OutPinId {
                node: ids[e.from].0,
                output: e.port,
            };
            let to = egui_snarl::InPinId {
                node: ids[e.to].0,
                input: 0,
            };
            snarl.connect(from, to);
        }
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
        }
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
                n.pos[0] + crate::app::graph::estimated_width(graph, i) + 60.0,
                n.pos[1],
            ];
        }
        let right = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| n.pos[0] + crate::app::graph::estimated_width(graph, i))
            .fold(0.0_f32, f32::max);
        [right + 60.0, 0.0]
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
            let running = state.running();
            let paused = state
                .debug
                .as_ref()
                .is_some_and(|s| s.next_state().is_some());
            let run_label = if running {
                "Running…"
            } else if paused {
                "Continue (F5)"
            } else {
                "Run (F5)"
            };
            if ui
                .add_enabled(!running, egui::Button::new(run_label))
                .on_hover_text(
                    "Run this flow on its job spec's sample event to a breakpoint or the end (F5)",
                )
                .clicked()
            {
                out.push(Command::Run);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step (F10)"))
                .on_hover_text("Run one state (a Map runs as one step; F11 steps into it)")
                .clicked()
            {
                out.push(Command::DebugGo(crate::app::debug::Go::StepOver));
            }
            if ui
                .button("Auto layout")
                .on_hover_text("Lay the flow out again from left to right (Ctrl+L)")
                .clicked()
            {
                out.push(Command::AutoLayout);
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
                    out.push(Command::MapLevel(0));
                }
                for (i, m) in state.map_path.iter().enumerate() {
                    ui.label(">");
                    if i + 1 == state.map_path.len() {
                        ui.label(RichText::new(format!("{m} iterator")).strong());
                    } else if ui.link(m).clicked() {
                        out.push(Command::MapLevel(i + 1));
                    }
                }
            });
        }
        ui.label(
            RichText::new(
                "drag an output onto a state to connect it, into empty space to add one · right-click for the palette · Shift+drag to box-select · Ctrl+scroll to zoom",
            )
            .weak()
            .small(),
        );
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
        let session = state.debug.as_ref();
        let visits = session.map(crate::app::debug::Session::visits);
        let durations = session.map(crate::app::debug::Session::durations);
        let failed = session.and_then(|s| match s.status() {
            zis_engine::run::execution::Status::Failed { .. } => {
                s.steps.last().map(|e| e.event.state.as_str())
            }
            _ => None,
        });
        let current = session
            .filter(|s| s.busy.is_none())
            .and_then(crate::app::debug::Session::next_state);
        // Edges the session took: (from, to).
        let taken: Option<std::collections::HashSet<(String, String)>> = session.map(|s| {
            s.steps
                .iter()
                .filter_map(|st| Some((st.event.state.clone(), st.event.next.clone()?)))
                .collect()
        });
        let view_rect = ui.available_rect_before_wrap();
        let mut viewer = Viewer {
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
            taken: taken.as_ref(),
            durations: durations.as_ref(),
        };
        let style = SnarlStyle {
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
        self.node_rects = std::mem::take(&mut viewer.rects);
        // Snarl's selection (click, Ctrl+click, Shift+drag box) becomes the app's when it changes.
        let selected: Vec<String> = egui_snarl::ui::get_selected_nodes(id, ui.ctx())
            .iter()
            .filter_map(|node| self.ids.iter().find(|(i, _)| i == node))
            .map(|(_, n)| n.clone())
            .collect();
        if selected != self.last_selected {
            if !selected.is_empty() {
                out.push(Command::SelectStates(selected.clone()));
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
                out.push(Command::MoveNodes(moves));
            }
        }
    }
}

/// A red dot (the fonts have no such glyph), for breakpoints.
pub fn breakpoint_dot(ui: &mut egui::Ui) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter()
        .circle_filled(rect.center(), 5.0, Color32::from_rgb(0xef, 0x44, 0x44));
    resp
}

/// A red ring: stops inside the state's step (phase breakpoints).
pub fn phase_ring(ui: &mut egui::Ui) -> egui::Response {
    phase_ring_coloured(ui, Color32::from_rgb(0xef, 0x44, 0x44))
}

/// A ring of a colour (grey: a breakpoint switched off).
fn phase_ring_coloured(ui: &mut egui::Ui, colour: Color32) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter()
        .circle_stroke(rect.center(), 4.5, egui::Stroke::new(2.0, colour));
    resp
}

/// The palette: one button per state type; an Action offers the built-in actions and the
/// bundle's own. `from` connects an output to the new state.
pub fn palette_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pos: [f32; 2],
    from: Option<(String, Port)>,
    out: &mut Vec<Command>,
) {
    let add = |type_name: &str, action: Option<String>| Command::AddState {
        type_name: type_name.into(),
        action,
        pos,
        from: from.clone(),
    };
    ui.menu_button(
        RichText::new("+ Action").color(state_colour("Action")),
        |ui| {
            ui.label(RichText::new("Built-in").weak());
            for a in zis_engine::actions::BUILTIN_ACTIONS {
                let short = a.rsplit(':').next().unwrap_or(a);
                if ui.button(short).on_hover_text(*a).clicked() {
                    out.push(add("Action", Some((*a).to_string())));
                }
            }
            let integration = state.integration_key();
            let custom: Vec<_> = state
                .rows
                .iter()
                .filter(|r| r.kind == crate::app::ResourceKind::Action)
                .collect();
            if !custom.is_empty() {
                ui.separator();
                ui.label(RichText::new("This bundle").weak());
                for r in custom {
                    let full = format!("zis:{integration}:action:{}", r.name);
                    if ui.button(&r.name).on_hover_text(&full).clicked() {
                        out.push(add("Action", Some(full)));
                    }
                }
            }
        },
    );
    for t in STATE_TYPES.iter().filter(|t| **t != "Action") {
        if ui
            .button(RichText::new(format!("+ {t}")).color(state_colour(t)))
            .on_hover_text(format!("Add a {t} state"))
            .clicked()
        {
            out.push(add(t, None));
        }
    }
}

struct Viewer<'a> {
    out: &'a mut Vec<Command>,
    state: &'a AppState,
    /// Graph-to-screen transform snarl used this frame.
    transform: Option<egui::emath::TSTransform>,
    /// Node frames drawn this frame.
    rects: std::collections::HashMap<String, egui::Rect>,
    /// What the graph showed last frame (graph units, with a margin), and the node frames
    /// then: a node wholly outside is drawn as its title only, its rows as empty space.
    visible: Option<egui::Rect>,
    previous: &'a std::collections::HashMap<String, egui::Rect>,
    /// Each state's neighbours, to tell whether any of its wires can be on screen.
    neighbours: &'a std::collections::HashMap<String, Vec<String>>,
    /// Graph extent and screen rect to fit it into, once.
    fit: Option<(egui::Rect, egui::Rect)>,
    /// Visits per state in the last run.
    visits: Option<&'a std::collections::HashMap<String, usize>>,
    /// The state the last run failed in.
    failed: Option<&'a str>,
    /// The state the paused session runs next.
    current: Option<&'a str>,
    /// Edges the session took; the others are dimmed while a session is shown.
    taken: Option<&'a std::collections::HashSet<(String, String)>>,
    /// Milliseconds per state in the session.
    durations: Option<&'a std::collections::HashMap<String, f64>>,
}

impl Viewer<'_> {
    /// True when the node was wholly outside the view last frame.
    fn culled(&self, name: &str) -> bool {
        match (self.visible, self.previous.get(name)) {
            (Some(v), Some(r)) => !r.intersects(v),
            _ => false,
        }
    }

    /// True when neither the node nor any wire to or from it can be on screen: the box
    /// around it and each neighbour misses the view. Such a node is drawn without pins
    /// (snarl skips wires whose pins were not drawn; it keeps them).
    fn pinless(&self, name: &str) -> bool {
        let (Some(v), Some(r)) = (self.visible, self.previous.get(name)) else {
            return false;
        };
        if r.intersects(v) {
            return false;
        }
        self.neighbours.get(name).into_iter().flatten().all(|n| {
            self.previous
                .get(n)
                .is_some_and(|o| !r.union(*o).expand(40.0).intersects(v))
        })
    }
}

/// Height of one text row in the graph.
const ROW: f32 = 16.0;

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
        self.transform = Some(*to_global);
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
        let width = if self.state.selected_state.as_deref() == Some(n.name.as_str())
            || self.state.selection.contains(&n.name)
        {
            3.0
        } else {
            1.5
        };
        let mut frame = default.stroke(Stroke::new(width, colour));
        if self.visits.is_some_and(|v| v.contains_key(&n.name)) {
            frame.fill = frame.fill.lerp_to_gamma(colour, 0.28);
        }
        if self.current == Some(n.name.as_str()) {
            frame = frame.stroke(Stroke::new(4.0, Color32::from_rgb(0xfa, 0xcc, 0x15)));
            frame.shadow = egui::Shadow {
                offset: [0, 0],
                blur: 18,
                spread: 2,
                color: Color32::from_rgb(0xfa, 0xcc, 0x15).gamma_multiply(0.6),
            };
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
        if self.culled(&n.name) {
            // Out of view: the title's space only, painted without a widget.
            let galley = ui.painter().layout_no_wrap(
                n.name.clone(),
                egui::TextStyle::Body.resolve(ui.style()),
                colour,
            );
            let at = ui.max_rect().min + egui::vec2(6.0, 0.0);
            ui.set_min_size(galley.size() + egui::vec2(6.0, 0.0));
            ui.painter().galley(at, galley, colour);
            return;
        }
        let key = self.state.layout_key();
        let breakpoint = self.state.sidecar.breakpoints.has(&key, &n.name);
        ui.horizontal(|ui| {
            ui.add_space(6.0);
            if breakpoint {
                if self.state.sidecar.breakpoints.stops_at(&key, &n.name) {
                    breakpoint_dot(ui)
                        .on_hover_text("breakpoint: the debugger stops before this state (F9)");
                } else {
                    phase_ring_coloured(ui, Color32::GRAY)
                        .on_hover_text("breakpoint switched off (Debugger › Breakpoints)");
                }
            }
            let phases = self.state.sidecar.breakpoints.active_phases(&key, &n.name);
            if !phases.is_empty() {
                let words: Vec<&str> = phases.iter().map(|p| p.label()).collect();
                phase_ring(ui).on_hover_text(format!(
                    "the debugger stops inside this state: {}",
                    words.join(", ")
                ));
            } else if !self
                .state
                .sidecar
                .breakpoints
                .phases_of(&key, &n.name)
                .is_empty()
            {
                phase_ring_coloured(ui, Color32::GRAY)
                    .on_hover_text("stops inside this state, switched off");
            }
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
                if ui.input(|i| i.modifiers.command) {
                    let mut sel = self.state.selection.clone();
                    if let Some(at) = sel.iter().position(|s| s == &n.name) {
                        sel.remove(at);
                    } else {
                        sel.push(n.name.clone());
                    }
                    self.out.push(Command::SelectStates(sel));
                } else {
                    self.out.push(Command::SelectState(Some(n.name.clone())));
                }
            }
            if n.end {
                ui.label(RichText::new("■").color(Color32::from_rgb(0x9c, 0xa3, 0xaf)))
                    .on_hover_text("ends the flow");
            }
            if let Some(count) = self.visits.and_then(|v| v.get(&n.name)) {
                let ms = self
                    .durations
                    .and_then(|d| d.get(&n.name))
                    .copied()
                    .unwrap_or(0.0);
                ui.label(RichText::new(format!("×{count}")).strong())
                    .on_hover_text(format!(
                        "the run entered this state {count} time(s), {ms:.1} ms in all"
                    ));
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

    fn inputs(&mut self, node: &NodeView) -> usize {
        usize::from(!self.pinless(&node.name))
    }

    fn show_input(
        &mut self,
        pin: &InPin,
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        let pin_info = PinInfo::circle().with_fill(Color32::from_rgb(0x9c, 0xa3, 0xaf));
        if self.culled(&snarl[pin.id.node].name) {
            ui.set_min_height(ROW);
            return pin_info;
        }
        // How many edges come in: a state nothing leads to is easy to spot.
        let n = pin.remotes.len();
        let text = match n {
            0 => "in".to_string(),
            _ => format!("in ×{n}"),
        };
        ui.add_space(6.0);
        ui.label(RichText::new(text).weak());
        pin_info
    }

    fn outputs(&mut self, node: &NodeView) -> usize {
        if self.pinless(&node.name) {
            0
        } else {
            node.outs.len()
        }
    }

    fn show_output(
        &mut self,
        pin: &OutPin,
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        let (label, kind, port) = snarl[pin.id.node]
            .outs
            .get(pin.id.output)
            .cloned()
            .unwrap_or_else(|| (String::new(), EdgeKind::Next, Port::Next));
        let colour = edge_colour(kind);
        let style = match kind {
            EdgeKind::Catch | EdgeKind::Default => WireStyle::AxisAligned { corner_radius: 8.0 },
            _ => WireStyle::Bezier5,
        };
        let wire = match self.taken {
            Some(taken) => {
                let n = &snarl[pin.id.node];
                let went = n
                    .targets
                    .get(pin.id.output)
                    .cloned()
                    .flatten()
                    .is_some_and(|t| taken.contains(&(n.name.clone(), t)));
                if went {
                    colour
                } else {
                    colour.gamma_multiply(0.25)
                }
            }
            None => colour,
        };
        let pin_info = PinInfo::triangle()
            .with_fill(colour)
            .with_wire_color(wire)
            .with_wire_style(style);
        if self.culled(&snarl[pin.id.node].name) {
            ui.set_min_height(ROW);
            return pin_info;
        }
        let shown = crate::app::graph::clip(&label);
        let free = matches!(port, Port::NewRule | Port::NewCatch) || pin.remotes.is_empty();
        let text = if free {
            RichText::new(&shown)
                .color(colour.gamma_multiply(0.6))
                .italics()
        } else {
            RichText::new(&shown).color(colour)
        };
        // Every output row gets the width of the node's longest label, right-aligned and
        // clear of the pin (snarl's later rows otherwise start where the first one did).
        let longest = snarl[pin.id.node]
            .outs
            .iter()
            .map(|(l, _, _)| crate::app::graph::clip(l).chars().count())
            .max()
            .unwrap_or(4) as f32;
        let width = longest * 7.5 + 10.0;
        let resp = ui
            .allocate_ui_with_layout(
                egui::vec2(width, ROW),
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| {
                    ui.add_space(6.0);
                    ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend))
                },
            )
            .inner;
        if shown != label {
            resp.on_hover_text(label);
        }
        pin_info
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
        if self.culled(&n.name) {
            let rows = 1 + usize::from(!n.fact.is_empty()) + usize::from(n.type_name == "Map");
            // Space without widgets: a culled node costs snarl's frame and pins only.
            ui.set_min_height(ROW * rows as f32);
            return;
        }
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
            if n.type_name == "Map"
                && ui
                    .small_button(format!("Open {} ▶", n.name))
                    .on_hover_text("Show the iterator's states as a graph")
                    .clicked()
            {
                self.out.push(Command::OpenMap(n.name.clone()));
            }
        });
    }

    fn final_node_rect(
        &mut self,
        node: NodeId,
        rect: egui::Rect,
        _ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) {
        if let Some(n) = snarl.get_node(node) {
            self.rects.insert(n.name.clone(), rect);
        }
    }

    fn has_graph_menu(&mut self, _pos: egui::Pos2, _snarl: &mut Snarl<NodeView>) -> bool {
        true
    }

    fn show_graph_menu(
        &mut self,
        pos: egui::Pos2,
        ui: &mut egui::Ui,
        _snarl: &mut Snarl<NodeView>,
    ) {
        ui.label(RichText::new("Add a state").strong());
        let before = self.out.len();
        palette_ui(ui, self.state, [pos.x, pos.y], None, self.out);
        if self.out.len() > before {
            ui.close();
        }
    }

    fn has_dropped_wire_menu(&mut self, src_pins: AnyPins, _snarl: &mut Snarl<NodeView>) -> bool {
        matches!(src_pins, AnyPins::Out(pins) if pins.len() == 1)
    }

    fn show_dropped_wire_menu(
        &mut self,
        pos: egui::Pos2,
        ui: &mut egui::Ui,
        src_pins: AnyPins,
        snarl: &mut Snarl<NodeView>,
    ) {
        let AnyPins::Out([pin]) = src_pins else {
            return;
        };
        let Some(n) = snarl.get_node(pin.node) else {
            return;
        };
        let Some((_, _, port)) = n.outs.get(pin.output) else {
            return;
        };
        ui.label(RichText::new(format!("Connect {} to a new state", n.name)).strong());
        let before = self.out.len();
        palette_ui(
            ui,
            self.state,
            [pos.x, pos.y],
            Some((n.name.clone(), *port)),
            self.out,
        );
        if self.out.len() > before {
            ui.close();
        }
    }

    fn has_node_menu(&mut self, _node: &NodeView) -> bool {
        true
    }

    fn show_node_menu(
        &mut self,
        node: NodeId,
        _inputs: &[InPin],
        _outputs: &[OutPin],
        ui: &mut egui::Ui,
        snarl: &mut Snarl<NodeView>,
    ) {
        let n = &snarl[node];
        let name = n.name.clone();
        let mut chosen = None;
        if !n.start && ui.button("Set as start").clicked() {
            chosen = Some(Command::SetStart(name.clone()));
        }
        if n.type_name == "Map" && ui.button("Open iterator").clicked() {
            chosen = Some(Command::OpenMap(name.clone()));
        }
        if ui.button("Duplicate").clicked() {
            self.out.push(Command::SelectState(Some(name.clone())));
            chosen = Some(Command::Duplicate);
        }
        if ui.button("Delete state").clicked() {
            self.out.push(Command::SelectState(Some(name.clone())));
            chosen = Some(Command::Delete);
        }
        if let Some(c) = chosen {
            self.out.push(c);
            ui.close();
        }
    }

    fn connect(&mut self, from: &OutPin, to: &InPin, snarl: &mut Snarl<NodeView>) {
        let (Some(src), Some(dst)) = (snarl.get_node(from.id.node), snarl.get_node(to.id.node))
        else {
            return;
        };
        if let Some((_, _, port)) = src.outs.get(from.id.output) {
            self.out.push(Command::Connect {
                from: src.name.clone(),
                port: *port,
                to: dst.name.clone(),
            });
        }
    }

    fn disconnect(&mut self, from: &OutPin, _to: &InPin, snarl: &mut Snarl<NodeView>) {
        self.drop_outputs(from, snarl);
    }

    fn drop_outputs(&mut self, pin: &OutPin, snarl: &mut Snarl<NodeView>) {
        let Some(src) = snarl.get_node(pin.id.node) else {
            return;
        };
        if let Some((_, _, port)) = src.outs.get(pin.id.output)
            && !pin.remotes.is_empty()
        {
            self.out.push(Command::Disconnect {
                from: src.name.clone(),
                port: *port,
            });
        }
    }

    fn drop_inputs(&mut self, pin: &InPin, snarl: &mut Snarl<NodeView>) {
        for remote in &pin.remotes {
            if let Some(src) = snarl.get_node(remote.node)
                && let Some((_, _, port)) = src.outs.get(remote.output)
            {
                self.out.push(Command::Disconnect {
                    from: src.name.clone(),
                    port: *port,
                });
            }
        }
    }
}
