//! The one colour palette of ZIS Studio, as plain RGB so both the window (through
//! `ui::theme`) and the exports (SVG, PNG, HTML) draw states, edges and outcomes in the
//! same colours.

use crate::core::graph::EdgeKind;
use crate::core::resources::ResourceKind;

/// A colour as red, green, blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// The colour darkened for a light background (text and marks keep a 4.5:1 contrast on
    /// white).
    pub fn on_light(self) -> Rgb {
        let d = |c: u8| (f32::from(c) * 0.6).round() as u8;
        Rgb(d(self.0), d(self.1), d(self.2))
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f32 {
        let lin = |c: u8| {
            let c = f32::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// WCAG contrast ratio with another colour (1 to 21).
    pub fn contrast(self, other: Rgb) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// `#rrggbb`, for SVG and HTML.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Blue: Action states, flows.
pub const BLUE: Rgb = Rgb(0x3b, 0x82, 0xf6);
/// Light blue: Next edges.
pub const SKY: Rgb = Rgb(0x60, 0xa5, 0xfa);
/// Amber: Choice states, Choice rules, warnings, paused.
pub const AMBER: Rgb = Rgb(0xf5, 0x9e, 0x0b);
/// Grey: Pass states, Default edges.
pub const GREY: Rgb = Rgb(0x9c, 0xa3, 0xaf);
/// Purple: Wait states.
pub const PURPLE: Rgb = Rgb(0xc0, 0x84, 0xfc);
/// Teal: Map states, actions.
pub const TEAL: Rgb = Rgb(0x14, 0xb8, 0xa6);
/// Green: Succeed states, success.
pub const GREEN: Rgb = Rgb(0x22, 0xc5, 0x5e);
/// Red: Fail states, Catch edges, errors.
pub const RED: Rgb = Rgb(0xef, 0x44, 0x44);

/// Yellow: the state a paused session runs next.
pub const CURRENT: Rgb = Rgb(0xfa, 0xcc, 0x15);
/// Deep blue: the primary button (Deploy).
pub const PRIMARY: Rgb = Rgb(0x25, 0x63, 0xeb);

/// Exports (SVG, HTML) are dark: the canvas behind the graph.
pub const CANVAS: Rgb = Rgb(0x11, 0x18, 0x27);
/// Exports: a node's body.
pub const NODE: Rgb = Rgb(0x1f, 0x29, 0x37);
/// Exports: a visited node's body.
pub const NODE_VISITED: Rgb = Rgb(0x1f, 0x3a, 0x5f);
/// Exports: text.
pub const TEXT: Rgb = Rgb(0xd1, 0xd5, 0xdb);
/// Exports: the HTML report's page.
pub const PAGE: Rgb = Rgb(0x0b, 0x12, 0x20);
/// Exports: the HTML report's text.
pub const PAGE_TEXT: Rgb = Rgb(0xe5, 0xe7, 0xeb);
/// Exports: borders.
pub const BORDER: Rgb = Rgb(0x37, 0x41, 0x51);
/// The window: weak marks (counts, hints) in either theme.
pub const MUTED: Rgb = Rgb(0xa0, 0xa0, 0xa0);
/// Text on the primary button.
pub const ON_PRIMARY: Rgb = Rgb(0xff, 0xff, 0xff);
/// JSON punctuation on a dark background.
pub const PUNCT_DARK: Rgb = Rgb(0xb0, 0xb0, 0xb0);
/// JSON punctuation on a light background.
pub const PUNCT_LIGHT: Rgb = Rgb(0x50, 0x50, 0x50);

/// JSON highlighting on a dark background: keys, strings, numbers, literals.
pub const JSON_DARK: [Rgb; 4] = [
    Rgb(0x93, 0xc5, 0xfd),
    Rgb(0x86, 0xef, 0xac),
    Rgb(0xfd, 0xba, 0x74),
    Rgb(0xc4, 0xb5, 0xfd),
];
/// JSON highlighting on a light background: keys, strings, numbers, literals.
pub const JSON_LIGHT: [Rgb; 4] = [
    Rgb(0x1d, 0x4e, 0xd8),
    Rgb(0x15, 0x80, 0x3d),
    Rgb(0xc2, 0x41, 0x0c),
    Rgb(0x6d, 0x28, 0xd9),
];

/// The colour of a state type.
pub fn state(type_name: &str) -> Rgb {
    match type_name {
        "Action" => BLUE,
        "Choice" => AMBER,
        "Pass" => GREY,
        "Wait" => PURPLE,
        "Map" => TEAL,
        "Succeed" => GREEN,
        _ => RED,
    }
}

/// The colour of an edge kind.
pub fn edge(kind: EdgeKind) -> Rgb {
    match kind {
        EdgeKind::Next => SKY,
        EdgeKind::Rule => AMBER,
        EdgeKind::Default => GREY,
        EdgeKind::Catch => RED,
    }
}

/// The colour of a resource kind.
pub fn resource(kind: ResourceKind) -> Rgb {
    match kind {
        ResourceKind::Flow => BLUE,
        ResourceKind::Action => TEAL,
        ResourceKind::JobSpec => AMBER,
        ResourceKind::Other => GREY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_colours_read_on_both_themes() {
        // egui's dark panel and the light theme's white.
        let (dark_bg, light_bg) = (Rgb(0x1b, 0x1b, 0x1b), Rgb(0xf8, 0xf8, 0xf8));
        for t in ["Action", "Choice", "Pass", "Wait", "Map", "Succeed", "Fail"] {
            let c = state(t);
            assert!(
                c.contrast(dark_bg) >= 4.5,
                "{t} on dark: {}",
                c.contrast(dark_bg)
            );
            assert!(
                c.on_light().contrast(light_bg) >= 4.5,
                "{t} on light: {}",
                c.on_light().contrast(light_bg)
            );
        }
        for c in [GREEN, RED, AMBER, MUTED] {
            assert!(c.contrast(dark_bg) >= 4.5, "{c:?} on dark");
            assert!(c.on_light().contrast(light_bg) >= 4.5, "{c:?} on light");
        }
    }

    #[test]
    fn hex_is_the_svg_form() {
        assert_eq!(state("Choice").hex(), "#f59e0b");
        assert_eq!(edge(EdgeKind::Catch).hex(), "#ef4444");
    }
}
