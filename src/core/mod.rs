//! The core layer: everything the window and the command line share, with no egui and no
//! app state in it. Nothing here imports [`crate::app`], [`crate::ui`] or [`crate::cli`].
//!
//! | module | what it holds |
//! |---|---|
//! | [`data_dir`] | the data folder and the files in it |
//! | [`edit`] | flow edits as plain JSON operations |
//! | [`resources`] | resources: templates, renames, Find, locating a validator pointer |
//! | [`graph`] | the flow graph model: nodes, ports, edges, labels |
//! | [`layout`] | the layered layout, top to bottom: layers, long edges, crossing reduction, placement |
//! | [`route`] | wires routed around the nodes with right angles |
//! | [`logging`] | stderr and the data folder's log file |
//! | [`palette`] | the one colour palette (window and exports) |
//! | [`debug`] | debugging sessions: the worker, breakpoints and mocks |
//! | [`trigger`] | the job spec that starts a flow |
//! | [`diff`] | differences between two JSON values by path |
//! | [`sidecar`] | the file next to a bundle: positions, breakpoints, mocks, watches, events |
//! | [`shapes`] | the shape of `$` at every state, from the catalog's event schemas and the sidecar's samples, and its findings |
//! | [`search`] | JSON search and the playground |
//! | [`stores`] | changes to the local stores made from forms |
//! | [`export`] | a flow's graph as SVG or PNG, an execution as an HTML report |
//! | [`files`] | atomic writes, files moved aside when broken, change stamps |
//! | [`fuzz`] | fuzzing flows on generated variants of their events, failures grouped and shrunk |
//! | [`flowtest`] | flow tests: `*.tests.json` files, run headless |
//! | [`deploy`] | the ZIS Registry client: plan, apply, pull |
//! | [`accounts`] | saved accounts and tokens |
//! | [`prefs`] | recent files and the theme |
//! | [`recovery`] | recovery copies of unsaved work |

pub mod accounts;
pub mod data_dir;
pub mod debug;
pub mod deploy;
pub mod diff;
pub mod edit;
pub mod export;
pub mod files;
pub mod flowtest;
pub mod fuzz;
pub mod graph;
pub mod layout;
pub mod logging;
pub mod palette;
pub mod prefs;
pub mod recovery;
pub mod resources;
pub mod route;
pub mod search;
pub mod shapes;
pub mod sidecar;
pub mod stores;
pub mod trigger;
