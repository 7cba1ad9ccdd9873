//! The minimap: the whole flow, small, in the canvas's bottom-right corner, with the part in
//! view outlined. A click or a drag on it brings that point of the flow to the centre of
//! the canvas (the zoom kept). It only draws and answers where to look; the graph view
//! moves.

use egui::{Color32, Pos2, Rect, Stroke};

/// The minimap's size on screen.
pub const SIZE: egui::Vec2 = egui::vec2(200.0, 130.0);

/// One node as the minimap draws it: its frame in graph units and its type's colour.
pub struct Dot {
    /// The node's frame in graph units.
    pub rect: Rect,
    /// The state type's colour.
    pub colour: Color32,
    /// Outlined: the selected state.
    pub selected: bool,
}

/// Draws the minimap above the zoom controls at the canvas's bottom-right corner; the
/// graph point to centre on when it was clicked or dragged.
pub fn show(
    ctx: &egui::Context,
    id: egui::Id,
    canvas: Rect,
    dots: &[Dot],
    view: Rect,
) -> Option<Pos2> {
    let world = dots
        .iter()
        .fold(Rect::NOTHING, |a, d| a.union(d.rect))
        .expand(40.0);
    if !world.is_finite() || dots.is_empty() {
        return None;
    }
    // Leave room for the zoom controls below it.
    let corner = canvas.right_bottom() - egui::vec2(8.0, 48.0);
    let mut asked = None;
    egui::Area::new(id)
        .pivot(egui::Align2::RIGHT_BOTTOM)
        .fixed_pos(corner)
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style())
                .inner_margin(4.0)
                .show(ui, |ui| {
                    let (rect, response) =
                        ui.allocate_exact_size(SIZE, egui::Sense::click_and_drag());
                    let response =
                        response.on_hover_text("Minimap: click or drag to move the view");
                    response.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::WidgetType::Other,
                            true,
                            "Minimap of the flow",
                        )
                    });
                    let scale = (rect.size() / world.size()).min_elem();
                    let offset = rect.center().to_vec2() - world.center().to_vec2() * scale;
                    let to_mini = |p: Pos2| p * scale + offset;
                    let painter = ui.painter_at(rect);
                    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
                    for d in dots {
                        let r = Rect::from_min_max(to_mini(d.rect.min), to_mini(d.rect.max));
                        painter.rect_filled(r, 1.0, d.colour.gamma_multiply(0.8));
                        if d.selected {
                            painter.rect_stroke(
                                r.expand(1.5),
                                1.0,
                                Stroke::new(1.5, ui.visuals().strong_text_color()),
                                egui::StrokeKind::Outside,
                            );
                        }
                    }
                    // When the whole flow is in view, the outline is the minimap's own edge.
                    let v = Rect::from_min_max(to_mini(view.min), to_mini(view.max))
                        .intersect(rect.shrink(1.0));
                    painter.rect_stroke(
                        v,
                        1.0,
                        Stroke::new(1.5, ui.visuals().strong_text_color()),
                        egui::StrokeKind::Inside,
                    );
                    if (response.clicked() || response.dragged())
                        && let Some(p) = response.interact_pointer_pos()
                    {
                        asked = Some(((p - offset).to_vec2() / scale).to_pos2());
                    }
                });
        });
    asked
}
