//! The window, driven through egui_kittest by its accessible labels (no display needed), one
//! module per area over a shared harness.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod harness;

mod debugger;
mod designer;
mod executions;
mod files;
mod remote;
mod replay;
mod round_trip;
mod services;
mod settings;
mod shapes;
