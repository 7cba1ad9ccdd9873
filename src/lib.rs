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
