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

/// Success.
pub const GREEN: Color32 = colour(palette::GREEN);
/// Errors.
pub const RED: Color32 = colour(palette::RED);
/// Warnings, paused.
pub const AMBER: Color32 = colour(palette::AMBER);

/// Neutral marks (pins, end marks).
pub const GREY: Color32 = colour(palette::GREY);
/// The state a paused session runs next.
pub const CURRENT: Color32 = colour(palette::CURRENT);
/// The primary button.
pub const PRIMARY: Color32 = colour(palette::PRIMARY);

/// Weak marks (counts, hints).
pub const MUTED: Color32 = colour(palette::MUTED);
/// Text on the primary button.
pub const ON_PRIMARY: Color32 = colour(palette::ON_PRIMARY);
/// JSON punctuation on a dark background.
pub const PUNCT_DARK: Color32 = colour(palette::PUNCT_DARK);
/// JSON punctuation on a light background.
pub const PUNCT_LIGHT: Color32 = colour(palette::PUNCT_LIGHT);

/// Colour of a state type.
pub fn state_colour(type_name: &str) -> Color32 {
    colour(palette::state(type_name))
}

/// Colour of a resource kind.
pub fn kind_colour(kind: ResourceKind) -> Color32 {
    colour(palette::resource(kind))
}

/// Colour of an edge kind.
pub fn edge_colour(kind: EdgeKind) -> Color32 {
    colour(palette::edge(kind))
}
