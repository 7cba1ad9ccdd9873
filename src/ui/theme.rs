//! The window's colours: [`crate::core::palette`] (the one palette, shared with the exports)
//! as egui colours.

use crate::app::ResourceKind;
use crate::core::graph::EdgeKind;
use crate::core::palette::{self, Rgb};
use egui::Color32;

/// An RGB colour of the palette as egui's.
pub const fn colour(c: Rgb) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

thread_local! {
    /// The light theme is shown (set by the window each frame).
    static LIGHT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Tells the palette which theme is shown (the window, each frame).
pub fn set_light(light: bool) {
    LIGHT.with(|l| l.set(light));
}

/// A palette colour for the shown theme: darker on the light theme, so text and marks keep
/// a 4.5:1 contrast on either (`core::palette`'s test checks every one).
pub fn themed(c: Rgb) -> Color32 {
    if LIGHT.with(std::cell::Cell::get) {
        colour(c.on_light())
    } else {
        colour(c)
    }
}

/// Success.
pub fn green() -> Color32 {
    themed(palette::GREEN)
}
/// Errors.
pub fn red() -> Color32 {
    themed(palette::RED)
}
/// Warnings, paused.
pub fn amber() -> Color32 {
    themed(palette::AMBER)
}

/// Neutral marks (pins, end marks).
pub const GREY: Color32 = colour(palette::GREY);
/// The state a paused session runs next.
pub const CURRENT: Color32 = colour(palette::CURRENT);
/// The primary button.
pub const PRIMARY: Color32 = colour(palette::PRIMARY);

/// Weak marks (counts, hints).
pub fn muted() -> Color32 {
    themed(palette::MUTED)
}
/// Text on the primary button.
pub const ON_PRIMARY: Color32 = colour(palette::ON_PRIMARY);
/// JSON punctuation on a dark background.
pub const PUNCT_DARK: Color32 = colour(palette::PUNCT_DARK);
/// JSON punctuation on a light background.
pub const PUNCT_LIGHT: Color32 = colour(palette::PUNCT_LIGHT);

/// Colour of a state type.
pub fn state_colour(type_name: &str) -> Color32 {
    themed(palette::state(type_name))
}

/// Colour of a resource kind.
pub fn kind_colour(kind: ResourceKind) -> Color32 {
    themed(palette::resource(kind))
}

/// Colour of an edge kind.
pub fn edge_colour(kind: EdgeKind) -> Color32 {
    themed(palette::edge(kind))
}
