//! Local ZIS services for ZIS Studio.
//!
//! | module | what it holds |
//! |---|---|
//! | [`schema`] | event schemas derived from the catalog's samples: types, required and nullable fields, enumerations |
//! | [`catalog`] | the event catalog: every native Zendesk event a job spec can subscribe to, with a realistic sample payload |
//! | [`db`] | the SQLite database (WAL, migrations): Registry, connections, configs, links, inbound webhooks, the event queue, executions; secrets stay here |
//! | [`stores`] | the engine's `ConfigStore` and `LinkStore` on the database |
//! | [`fsio`] | atomic file writes (0600 where they hold secrets) |
//! | [`http`] | custom HTTP actions through reqwest, with connection auth and `allowed_domain` |
//! | [`jq_worker`] | jq programs in worker processes the runner can kill (time, memory, stack overflow) |
//! | [`runner`] | the one way to run a flow: the executor (stores, HTTP actions, built-ins, mocks) and recording a run with every secret masked |
//! | [`dispatch`] | the event queue's worker: accept, match to installed job specs, run, store (at-least-once, fault injection) |
//! | [`settings`] | named settings for every behaviour ZIS does not document, in layers (defaults, data folder, bundle, command line) |
//! | [`server`] | `zis-studio serve`: the ZIS REST API, inbound-webhook ingest and a fake Zendesk on 127.0.0.1 (axum) |

pub mod catalog;
pub mod db;
pub mod dispatch;
pub mod fsio;
pub mod http;
pub mod jq_worker;
pub mod runner;
pub mod schema;
pub mod server;
pub mod settings;
pub mod stores;

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 4780;
