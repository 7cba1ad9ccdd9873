//! ZIS Studio, the desktop app and command line.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cli`] | the `zis-studio` subcommands (`validate`, `fmt`, `codes`) |
//! | [`app`] | the app's state and commands, with no egui in it |
//! | [`graph_view`] | the flow graph (egui-snarl) drawn from [`app::graph::FlowGraph`] |
//! | [`inspector`] | the inspector: forms per state type, custom action and job spec forms, the JSON tab |
//! | [`debugger`] | the debugger panel: stepping, timeline, step data as JSON trees, diff, HTTP, fork, breakpoints, mocks |
//! | [`executions_view`] | the Executions dock: the store's executions, queue figures, replay, export/import, re-run and compare |
//! | [`gui`] | the egui/eframe window: draws [`app::AppState`] and emits [`app::Command`]s |
//! | [`services_view`] | the Services dock: configs, links, connections, inbound webhooks, local server start/stop |
//! | [`deploy`] | `zis-studio deploy`, `pull` and `login`: validate, plan, create the integration, upload, install job specs, push configs; saved tokens |
//! | [`remote_view`] | the windows "Deploy to ZIS" and "Open from a ZIS account" |
//! | [`export`] | `zis-studio export` and File › Export: a flow's graph as SVG or PNG, an execution as a self-contained HTML report |
//! | [`flowtest`] | flow tests for CI: `*.tests.json` files run by `zis-studio test`, JUnit output |
//! | [`data_dir`] | where local stores live |
//! | [`local`] | `serve`, `send`, `queue`, `executions`, `integration`: the local ZIS services from the command line |
//!
//! The engine (bundle model, validator) is the `zis-engine` crate; local services are
//! `zis-services`.

pub mod app;
pub mod cli;
pub mod data_dir;
pub mod debugger;
pub mod deploy;
pub mod executions_view;
pub mod export;
pub mod flowtest;
pub mod graph_view;
pub mod gui;
pub mod inspector;
pub mod local;
pub mod remote_view;
pub mod services_view;
