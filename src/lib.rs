//! ZIS Studio, the desktop app and command line, in four layers. Imports point down only:
//! `ui` → `app` → `core` → the crates (`zis-engine`, `zis-services`); `cli` → `core`.
//!
//! | layer | what it holds | may import |
//! |---|---|---|
//! | [`ui`] | all egui code: the window, menus and keyboard map, explorer, panels, dialogs, graph view, inspector, debugger, docks, the theme | `app`, `core`, crates |
//! | [`app`] | [`app::AppState`] and the [`app::Command`]s that change it, grouped by area, each group applied in its own file; no egui | `core`, crates |
//! | [`core`] | what window and command line share: debug sessions, the flow graph model and sidecar, edits, diff, export, flow tests, the deploy client, the data folder; no egui | crates |
//! | [`cli`] | the `zis-studio` subcommands, one file per family | `core`, crates |
//!
//! The engine (bundle model, validator, interpreter) is the `zis-engine` crate; local services
//! (stores, HTTP actions, dispatcher, server) are `zis-services`.

pub mod app;
pub mod cli;
pub mod core;
pub mod ui;

/// The layer rule and the size rule, checked on the sources: a higher layer is never named
/// from a lower one, egui stays in the UI layer, and no source file passes 800 lines.
#[cfg(test)]
mod layering {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        out
    }

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn lower_layers_never_name_higher_ones_and_only_the_ui_draws() {
        let rules: [(&str, &[&str]); 3] = [
            (
                "core",
                &["crate::app", "crate::ui", "crate::cli", "egui", "eframe"],
            ),
            ("app", &["crate::ui", "crate::cli", "egui", "eframe"]),
            ("cli", &["crate::app", "crate::ui", "egui", "eframe"]),
        ];
        let mut broken = Vec::new();
        for (layer, banned) in rules {
            for file in sources(&root().join("src").join(layer)) {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    for b in banned {
                        if code.contains(b) {
                            broken.push(format!("{}:{}: {b}", file.display(), n + 1));
                        }
                    }
                }
            }
        }
        assert!(
            broken.is_empty(),
            "layer rule broken:\n{}",
            broken.join("\n")
        );
    }

    #[test]
    fn no_source_file_is_over_800_lines() {
        let mut dirs = vec![root().join("src")];
        for c in ["zis-engine", "zis-services"] {
            dirs.push(root().join("crates").join(c).join("src"));
        }
        let long: Vec<String> = dirs
            .iter()
            .flat_map(|d| sources(d))
            .filter_map(|f| {
                let n = std::fs::read_to_string(&f).ok()?.lines().count();
                (n > 800).then(|| format!("{}: {n} lines", f.display()))
            })
            .collect();
        assert!(long.is_empty(), "{}", long.join("\n"));
    }
}
