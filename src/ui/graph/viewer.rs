//! The egui-snarl viewer: how a node, its pins and menus are drawn, and snarl's hooks
//! (a pin's right-click, dropped wires, menus) turned into commands. Nodes have outputs
//! only: wires come into a node's top (`wires.rs` routes and draws them under the nodes,
//! from `draw_background`), and a wire dragged from a pin connects where it is dropped on
//! a node.

use super::*;
use crate::app::Command;

pub(super) struct Viewer<'a> {
    /// The transitions' wires, drawn under the nodes.
    pub(super) wires: &'a super::wires::Wires,
    /// Each output row's middle drawn this frame (graph units): (state, output) → y.
    pub(super) pins: std::collections::HashMap<(String, usize), f32>,
    pub(super) out: &'a mut Commands,
    pub(super) state: &'a AppState,
    /// Graph-to-screen transform snarl used this frame.
    pub(super) transform: Option<egui::emath::TSTransform>,
    /// Node frames drawn this frame.
    pub(super) rects: std::collections::HashMap<String, egui::Rect>,
    /// What the graph showed last frame (graph units, with a margin), and the node frames
    /// then: a node wholly outside is drawn as its title only, its rows as empty space.
    pub(super) visible: Option<egui::Rect>,
    pub(super) previous: &'a std::collections::HashMap<String, egui::Rect>,
    /// Each state's neighbours, to tell whether any of its wires can be on screen.
    pub(super) neighbours: &'a std::collections::HashMap<String, Vec<String>>,
    /// Graph extent and screen rect to fit it into, once.
    pub(super) fit: Option<(egui::Rect, egui::Rect)>,
    /// Visits per state in the last run.
    pub(super) visits: Option<&'a std::collections::HashMap<String, usize>>,
    /// The state the last run failed in.
    pub(super) failed: Option<&'a str>,
    /// The state the paused session runs next.
    pub(super) current: Option<&'a str>,
    /// Milliseconds per state in the session.
    pub(super) durations: Option<&'a std::collections::HashMap<String, f64>>,
    /// A zoom asked for by the zoom controls: the scale, about the view's centre.
    pub(super) zoom: Option<(f32, egui::Rect)>,
    /// Zoomed out too far for a node's rows: nodes show their name, big, in their colour.
    pub(super) far: bool,
    /// A point of the graph to bring to the view's centre, the zoom kept (the debugger's
    /// next state when it is out of view).
    pub(super) centre_on: Option<(egui::Pos2, egui::Rect)>,
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

impl Viewer<'_> {
    /// A node's header in the far view: the name as large as the node allows, broken at
    /// its words when that makes it larger, in the type's colour; never under 9 points on
    /// screen (a long name then passes the node's edge: it is painted, so the node keeps its
    /// size and the flow still fits), at most 13; with the breakpoint dot and the problem
    /// count; still a click to select.
    fn far_header(&mut self, n: &NodeView, ui: &mut egui::Ui) {
        let colour = state_colour(&n.type_name);
        let scale = self.transform.map_or(1.0, |t| t.scaling).max(0.05);
        let (lines, size) = (1..=4)
            .map(|k| {
                let lines = crate::core::graph::name_lines(&n.name, k);
                let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
                let by_width = n.width / (0.62 * widest.max(4) as f32);
                let by_height = 0.7 * n.height / (1.25 * lines.len().max(1) as f32);
                let size = by_width.min(by_height).min(13.0 / scale);
                (lines, size)
            })
            .fold((Vec::new(), 0.0_f32), |best, next| {
                if next.1 > best.1 + 0.5 { next } else { best }
            });
        let galley = ui.painter().layout_no_wrap(
            lines.join("\n"),
            egui::FontId::proportional(size.max(9.0 / scale)),
            colour,
        );
        // The header takes the body's rows (the far body is empty), so the node keeps
        // the height the layout gave it and never runs into the one below.
        let rows = n.body_rows();
        let room = egui::vec2(
            galley.size().x.min(n.width - 24.0).max(8.0),
            galley.size().y.min(ROW * (rows + 1) as f32).max(8.0),
        );
        let (rect, name) = ui.allocate_exact_size(room, egui::Sense::click());
        // Painted within the node and half the gap beside it, so names never run into
        // each other; the whole name is the hover.
        let node = egui::Rect::from_min_size(
            rect.min - egui::vec2(8.0, 8.0),
            egui::vec2(n.width + crate::core::graph::NODE_GAP / 2.0, n.height),
        );
        ui.painter()
            .with_clip_rect(node.intersect(ui.clip_rect()))
            .galley(rect.min, galley, colour);
        let name = name.on_hover_text(&n.name);
        // A breakpoint stays in view: a red dot on the node's top-left corner.
        let key = self.state.layout_key();
        let bps = &self.state.sidecar.breakpoints;
        if bps.has(&key, &n.name) {
            // Red when it stops, a grey ring when it is switched off.
            let corner = rect.min - egui::vec2(8.0, 8.0);
            let on = bps.stops_at(&key, &n.name);
            if on {
                ui.painter()
                    .circle_filled(corner, 6.0 / scale, crate::ui::theme::red());
            } else {
                ui.painter().circle_stroke(
                    corner,
                    5.0 / scale,
                    Stroke::new(2.0 / scale, crate::ui::theme::muted()),
                );
            }
            let (_, mark) = ui.allocate_exact_size(egui::vec2(1.0, 1.0), egui::Sense::hover());
            let name = if on {
                "breakpoint on"
            } else {
                "breakpoint off"
            };
            mark.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Label, true, name));
        }
        if let Some(count) = self.visits.and_then(|v| v.get(&n.name)) {
            // The run's visits stay in view at the node's bottom-right corner.
            let text = format!("×{count}");
            let galley = ui.painter().layout_no_wrap(
                text.clone(),
                egui::FontId::proportional(size.max(9.0 / scale)),
                crate::ui::theme::green(),
            );
            // The node's drawn frame of the last frame (the estimate counts rows the far
            // view does not draw).
            let corner = self
                .previous
                .get(&n.name)
                .map_or(egui::pos2(rect.min.x - 8.0 + n.width, node.bottom()), |f| {
                    f.right_bottom()
                });
            let at = corner - galley.size() - egui::vec2(6.0, 4.0);
            ui.painter().galley(at, galley, crate::ui::theme::green());
            let (_, mark) = ui.allocate_exact_size(egui::vec2(1.0, 1.0), egui::Sense::hover());
            mark.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Label, true, &text));
        }
        if n.problems > 0 {
            // The problem count stays in view at the node's top-right corner.
            let badge = format!("⚠ {}", n.problems);
            let galley = ui.painter().layout_no_wrap(
                badge.clone(),
                egui::FontId::proportional(size.max(9.0 / scale)),
                crate::ui::theme::amber(),
            );
            let right = self
                .previous
                .get(&n.name)
                .map_or(rect.min.x - 8.0 + n.width, |f| f.right());
            let at = egui::pos2(right - galley.size().x - 6.0, node.top() + 2.0);
            ui.painter().galley(at, galley, crate::ui::theme::amber());
            let (_, mark) = ui.allocate_exact_size(egui::vec2(1.0, 1.0), egui::Sense::hover());
            mark.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Label, true, &badge));
        }
        // A click through accessibility (a screen reader, tests) selects the state; a
        // pointer click anywhere on the node does too (`click_on_node`).
        if name.clicked() {
            self.out
                .push(ViewCommand::SelectState(Some(n.name.clone())));
        }
        name.widget_info(|| {
            egui::WidgetInfo::labeled(egui::WidgetType::Label, true, n.name.as_str())
        });
    }
}

/// Height of one text row in the graph.
const ROW: f32 = 16.0;

/// The smallest zoom (Fit goes this far to show a whole flow).
pub const MIN_SCALE: f32 = 0.05;

/// Below this zoom a node's rows do not read: it shows its name only.
pub const FAR: f32 = 0.6;

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
            // The whole flow, as large as fits (past [`FAR`] nodes show just their names).
            let scale = (rect.size() / bb.size()).min_elem().clamp(MIN_SCALE, 1.25);
            let translation = rect.center().to_vec2() - bb.center().to_vec2() * scale;
            *to_global = egui::emath::TSTransform::new(translation, scale);
        }
        if let Some((scale, rect)) = self.zoom.take() {
            let centre = to_global.inverse() * rect.center();
            let scale = scale.clamp(MIN_SCALE, 2.0);
            *to_global = egui::emath::TSTransform::new(
                rect.center().to_vec2() - centre.to_vec2() * scale,
                scale,
            );
            // Never zoom into empty space: when no node would be in view, the nearest part
            // of the flow comes to the centre.
            let nodes = self
                .previous
                .values()
                .fold(egui::Rect::NOTHING, |a, r| a.union(*r));
            if nodes.is_finite() && !(*to_global * nodes).intersects(rect) {
                let near = egui::pos2(
                    centre.x.clamp(nodes.left(), nodes.right()),
                    centre.y.clamp(nodes.top(), nodes.bottom()),
                );
                *to_global = egui::emath::TSTransform::new(
                    rect.center().to_vec2() - near.to_vec2() * scale,
                    scale,
                );
            }
        }
        if let Some((p, rect)) = self.centre_on.take() {
            let scale = to_global.scaling;
            *to_global =
                egui::emath::TSTransform::new(rect.center().to_vec2() - p.to_vec2() * scale, scale);
        }
        self.far = to_global.scaling < FAR;
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
            frame = frame.stroke(Stroke::new(4.0, crate::ui::theme::CURRENT));
            frame.shadow = egui::Shadow {
                offset: [0, 0],
                blur: 18,
                spread: 2,
                color: crate::ui::theme::CURRENT.gamma_multiply(0.6),
            };
        }
        if self.failed == Some(n.name.as_str()) {
            frame = frame.stroke(Stroke::new(3.0, crate::ui::theme::red()));
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
        if self.far {
            self.far_header(n, ui);
            return;
        }
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
                // Red while it stops; a grey ring when it (or every breakpoint) is off.
                if self.state.sidecar.breakpoints.stops_at(&key, &n.name) {
                    breakpoint_mark(ui, true, false).on_hover_text(crate::ui::commands::with_keys(
                        "breakpoint: the debugger stops before this state",
                        "Toggle breakpoint",
                    ));
                } else {
                    breakpoint_mark(ui, false, false)
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
                phase_ring_coloured(ui, crate::ui::theme::muted())
                    .on_hover_text("stops inside this state, switched off");
            }
            if n.start {
                ui.label(RichText::new("▶").color(crate::ui::theme::green()))
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
                    self.out.push(ViewCommand::SelectStates(sel));
                } else {
                    self.out
                        .push(ViewCommand::SelectState(Some(n.name.clone())));
                }
            }
            if n.end {
                ui.label(RichText::new("■").color(crate::ui::theme::GREY))
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
                ui.label(RichText::new(format!("⚠ {}", n.problems)).color(crate::ui::theme::red()))
                    .on_hover_text("problems found by the validator in this state");
            }
        });
    }

    fn inputs(&mut self, _node: &NodeView) -> usize {
        // Wires come in at the top (`wires.rs`); a drop anywhere on the node connects.
        0
    }

    fn show_input(
        &mut self,
        _pin: &InPin,
        _ui: &mut egui::Ui,
        _snarl: &mut Snarl<NodeView>,
    ) -> impl egui_snarl::ui::SnarlPin + 'static {
        PinInfo::circle()
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
        let (label, kind, port, hover) = snarl[pin.id.node]
            .outs
            .get(pin.id.output)
            .cloned()
            .unwrap_or_else(|| (String::new(), EdgeKind::Next, Port::Next, String::new()));
        let colour = edge_colour(kind);
        // The wire snarl draws while one is dragged from this pin (placed wires are ours).
        let pin_info = PinInfo::triangle()
            .with_fill(colour)
            .with_wire_color(colour)
            .with_wire_style(WireStyle::Bezier3);
        if self.far || self.culled(&snarl[pin.id.node].name) {
            ui.set_min_height(ROW);
            return pin_info;
        }
        let shown = crate::core::graph::clip_label(&label);
        let free = matches!(port, Port::NewRule | Port::NewCatch)
            || snarl[pin.id.node]
                .targets
                .get(pin.id.output)
                .is_none_or(Option::is_none);
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
            .map(|(l, _, _, _)| crate::core::graph::clip_label(l).chars().count())
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
        if !hover.is_empty() {
            resp.on_hover_text(hover);
        } else if shown != label {
            resp.on_hover_text(label);
        }
        self.pins.insert(
            (snarl[pin.id.node].name.clone(), pin.id.output),
            ui.min_rect().center().y,
        );
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
        if self.far {
            return;
        }
        if self.culled(&n.name) {
            let rows = n.body_rows();
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
                let shown = crate::core::graph::clip(&n.fact);
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
                self.out.push(ViewCommand::OpenMap(n.name.clone()));
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
        let Some((_, _, port, _)) = n.outs.get(pin.output) else {
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
            chosen = Some(Command::from(EditCommand::SetStart(name.clone())));
        }
        if n.type_name == "Map" && ui.button("Open iterator").clicked() {
            chosen = Some(ViewCommand::OpenMap(name.clone()).into());
        }
        if ui.button("Duplicate").clicked() {
            self.out.push(ViewCommand::SelectState(Some(name.clone())));
            chosen = Some(EditCommand::Duplicate.into());
        }
        if ui.button("Delete state").clicked() {
            self.out.push(ViewCommand::SelectState(Some(name.clone())));
            chosen = Some(EditCommand::Delete.into());
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
        if let Some((_, _, port, _)) = src.outs.get(from.id.output) {
            self.out.push(EditCommand::Connect {
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
        if let Some((_, _, port, _)) = src.outs.get(pin.id.output)
            && src.targets.get(pin.id.output).is_some_and(Option::is_some)
        {
            self.out.push(EditCommand::Disconnect {
                from: src.name.clone(),
                port: *port,
            });
        }
    }

    fn draw_background(
        &mut self,
        background: Option<&egui_snarl::ui::BackgroundPattern>,
        viewport: &egui::Rect,
        snarl_style: &SnarlStyle,
        style: &egui::Style,
        painter: &egui::Painter,
        _snarl: &Snarl<NodeView>,
    ) {
        if let Some(background) = background {
            background.draw(viewport, snarl_style, style, painter);
        }
        let scale = self.transform.map_or(1.0, |t| t.scaling);
        self.wires.draw(painter, *viewport, scale);
    }
}
