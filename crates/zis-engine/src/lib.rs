//! The ZIS Studio engine: everything about bundles and flows that needs no GUI, no
//! database and no network.
//!
//! | module | what it holds |
//! |---|---|
//! | [`json`] | a JSON parser that keeps the span of every value, line/column look-up, JSON pointers, the canonical and the lossless (splice) writers |
//! | [`document`] | an open file: saved text, spanned parse, edited value; save rewrites only what changed |
//! | [`model`] | the typed bundle: resources, flows, states of every type, Choice rules, HTTP actions, job specs |
//! | [`path`] | the ASL JSONPath dialect (Jayway style): syntax, where each form may be used, evaluation |
//! | [`template`] | ZIS `{{$.path}}` placeholders |
//! | [`jq`] | the jq engine of `zis:common:transform:Jq`: compile checks and running, with jq compatibility over jaq |
//! | [`validate`] | every problem of a bundle in one pass, with stable codes, pointers and positions |
//! | [`actions`] | the built-in actions (configs, links, Jq) over store traits, with in-memory stores |
//! | [`shape`] | the shape of `$` at every state, inferred without running: event schemas' type, joins, path look-up on shapes, findings W016–W019 |
//! | [`run`] | running flows: the resumable stepper ([`run::execution`]), the per-state data flow (paths, payload templates, ResultPath), Choice rules, [`run::StatesError`] |
//!
//! Module dependencies form a DAG: each module imports only modules on earlier lines (and
//! none imports a module on its own line).
//!
//! 1. [`json`], [`path`], [`jq`]: no other engine module
//! 2. [`model`] (json), [`template`] (path)
//! 3. [`validate`] (json, model, path, template, jq)
//! 4. [`document`] (json, model, validate), [`run`] (json, model, path, template, validate:
//!    for `Mode` and `is_rfc3339`)
//! 5. [`shape`] (json, model, path, template, validate)
//! 6. [`actions`] (model, jq, run: for `StatesError`, `ActionExecutor` and `wildcard_match`)
//!
//! Keep it that way: an item two modules share belongs in the lower one. The list of
//! built-in action names, which the validator checks and [`actions`] runs, is
//! [`model::BUILTIN_ACTIONS`] for that reason (`actions::BUILTIN_ACTIONS` re-exports it).
//!
//! The pipeline, end to end:
//!
//! ```
//! use zis_engine::{document::Document, validate::{Options, counts}};
//! let text = r#"{
//!   "zis_template_version": "2019-10-14",
//!   "name": "demo",
//!   "resources": {
//!     "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
//!       "StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}}},
//!     "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "event_source": "support",
//!       "event_type": "ticket.TicketCreated", "flow_name": "zis:demo:flow:f"}}
//!   }
//! }
//! "#;
//! let mut doc = Document::parse(text).unwrap();
//! assert_eq!(counts(&doc.validate(Options::default())), (0, 0));
//! doc.set("/resources/f/properties/definition/States/Done/Type", "Fail".into());
//! let saved = doc.render();
//! assert_eq!(saved.lines().count(), text.lines().count()); // only one line changed
//! ```

pub mod actions;
pub mod document;
pub mod jq;
pub mod json;
pub mod model;
pub mod path;
pub mod run;
pub mod shape;
pub mod template;
pub mod validate;
