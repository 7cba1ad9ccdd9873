//! The menu of states to add (the "palette" of the graph): every state type, an Action with
//! each built-in action and the bundle's own; opened by right-clicking the background or
//! dropping a wire on empty space.

use super::*;

/// The palette: one button per state type; an Action offers the built-in actions and the
/// bundle's own. `from` connects an output to the new state.
pub fn palette_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    pos: [f32; 2],
    from: Option<(String, Port)>,
    out: &mut Commands,
) {
    let add = |type_name: &str, action: Option<String>| EditCommand::AddState {
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
