//! The UI layer: all egui code. It draws [`crate::app::AppState`] and emits
//! [`crate::app::Command`]s; nothing below it imports it.
//!
//! | module | what it draws |
//! |---|---|
//! | [`window`] | the eframe app: logic (input, workers, dialogs) apart from drawing; start-up |
//! | [`commands`] | the one table of commands with their shortcuts: menus, keyboard map, palette |
//! | [`menus`] | the menu bar from that table |
//! | [`command_palette`] | Ctrl+Shift+P: every command, filtered by name |
//! | [`explorer`] | Find and the bundle's resources |
//! | [`panels`] | status bar, problems, the right panel, the resource heading |
//! | [`graph`] | the flow graph (egui-snarl), turning its hooks into commands |
//! | [`inspector`] | forms per state type, resource forms, the JSON tab |
//! | [`json_editor`] | the one JSON editor: syntax colours, line numbers, the error line |
//! | [`debugger`] | the Debugger dock |
//! | [`docks`] | the Executions and Services docks |
//! | [`remote`] | the account windows (deploy, open from an account) |
//! | [`settings_window`] | Run › Settings: every setting for behaviours ZIS does not document, per bundle or data folder |
//! | [`toasts`] | results and errors as toasts; the session's state for the status bar |
//! | [`theme`] | the palette's colours for egui |
//! | [`widgets`] | small widgets shared by the views (JSON tree, labelled fields, icon buttons) |

pub mod command_palette;
pub mod commands;
pub mod debugger;
pub mod docks;
pub mod explorer;
pub mod graph;
pub mod inspector;
pub mod json_editor;
pub mod menus;
pub mod panels;
pub mod remote;
pub mod settings_window;
pub mod theme;
pub mod toasts;
pub mod widgets;
pub mod window;
