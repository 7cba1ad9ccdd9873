//! The event dispatcher: an accepted event is in the queue (committed) before anyone is
//! told so; a worker claims due events, matches them to installed job specs by
//! `(event_source, event_type)`, runs each flow on the engine with the database's stores
//! and real HTTP actions, and stores the execution with its history (secrets masked).
//!
//! At-least-once: an event is marked done only after its executions are stored, and
//! events a dead process left running go back to the queue on start
//! ([`Db::requeue_interrupted`]). Fault injection: deliver each event twice, shuffle the
//! order, delay delivery.

mod batch;

pub use batch::{BATCH, Delivery, FlowCache, PreparedFlow, run_batch, run_compiled};

use crate::catalog::Account;
use crate::db::{Db, Result};
use crate::http::HttpSettings;
use crate::runner;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use zis_engine::actions::MergeMode;
use zis_engine::run::execution::{Compiled, HistoryEvent, Settings, Status};

/// How events are delivered and flows run.
#[derive(Clone, Debug)]
pub struct DispatchSettings {
    /// Engine settings (ZIS by default).
    pub engine: Settings,
    /// Custom HTTP actions.
    pub http: HttpSettings,
    /// PatchConfig semantics.
    pub merge: MergeMode,
    /// Built-in behaviours ZIS does not document.
    pub options: zis_engine::actions::BuiltinOptions,
    /// Limits of the Jq transform.
    pub jq: zis_engine::jq::Limits,
    /// The account flows run in (`integration_key` is set per job spec).
    pub account: Account,
    /// Attempts an event gets (claims by a worker, across restarts) before it is recorded
    /// as failed instead of run again: a flow that takes the process down cannot put the
    /// server in a crash loop (default 3).
    pub max_attempts: u32,
    /// Dispatcher worker threads of `serve` (default 4): a slow execution does not hold
    /// back the others.
    pub workers: usize,
    /// Fault injection: every accepted event is queued twice.
    pub deliver_twice: bool,
    /// Fault injection: due events are taken in random order.
    pub shuffle: bool,
    /// Fault injection: seconds an event waits in the queue before it is due.
    pub delay_secs: f64,
    /// A re-uploaded bundle's job specs stay installed (ZIS leaves them uninstalled, as
    /// practitioners observe; off).
    pub keep_job_specs_on_upload: bool,
}

impl DispatchSettings {
    /// The settings a run's actions take from these.
    pub fn actions(&self) -> runner::ActionSettings {
        runner::ActionSettings {
            http: self.http.clone(),
            merge: self.merge,
            options: self.options,
            jq: self.jq,
        }
    }
}

impl Default for DispatchSettings {
    fn default() -> Self {
        Self {
            engine: runner::engine_settings(),
            http: HttpSettings::default(),
            merge: MergeMode::MergePatch,
            options: Default::default(),
            jq: runner::jq_limits(),
            account: Account::default(),
            max_attempts: 3,
            workers: 4,
            deliver_twice: false,
            shuffle: false,
            delay_secs: 0.0,
            keep_job_specs_on_upload: false,
        }
    }
}

/// Accepts an event: queued (and committed) when this returns; the queue ids (two with
/// `deliver_twice`).
pub fn accept(
    db: &Db,
    settings: &DispatchSettings,
    integration: Option<&str>,
    source: &str,
    event_type: &str,
    input: &Value,
    origin: &str,
) -> Result<Vec<i64>> {
    let copies = if settings.deliver_twice { 2 } else { 1 };
    (0..copies)
        .map(|_| {
            db.enqueue(
                integration,
                source,
                event_type,
                input,
                origin,
                settings.delay_secs,
            )
        })
        .collect()
}

/// Claims and runs the next due event, if any.
pub fn run_next(db: &Db, settings: &DispatchSettings) -> Result<Option<Delivery>> {
    Ok(run_batch(db, settings, &mut FlowCache::default(), 1)?
        .into_iter()
        .next())
}

/// Runs every due event, a batch at a time; returns what happened to each.
pub fn drain(db: &Db, settings: &DispatchSettings) -> Result<Vec<Delivery>> {
    let mut cache = FlowCache::default();
    let mut out = Vec::new();
    loop {
        let batch = run_batch(db, settings, &mut cache, BATCH)?;
        if batch.is_empty() {
            return Ok(out);
        }
        out.extend(batch);
    }
}

/// The flow definition a job spec names, from the bundle that declared it.
pub fn flow_definition(bundle: &Value, flow_name: &str) -> Option<Value> {
    let short = flow_name.rsplit(':').next().unwrap_or(flow_name);
    let resources = bundle.get("resources")?.as_object()?;
    resources
        .iter()
        .filter(|(_, r)| r.get("type").and_then(Value::as_str) == Some("ZIS::Flow"))
        .find(|(key, r)| {
            r.pointer("/properties/name").and_then(Value::as_str) == Some(short)
                || key.as_str() == short
        })
        .and_then(|(_, r)| r.pointer("/properties/definition").cloned())
}

/// The envelope a flow starts with, plus `$.connections.<name>.access_token` for OAuth
/// connections (zis-facts.md 2.3).
pub fn flow_input(db: &Db, account: &Account, integration: &str, input: &Value) -> Result<Value> {
    flow_input_with(db, account, integration, input, true)
}

/// [`flow_input`], with the OAuth tokens under `$.connections` or not
/// (`connections_in_input`).
pub fn flow_input_with(
    db: &Db,
    account: &Account,
    integration: &str,
    input: &Value,
    with_connections: bool,
) -> Result<Value> {
    let tokens = batch::oauth_tokens(db, integration)?;
    Ok(batch::envelope(
        account,
        integration,
        input,
        &tokens,
        with_connections,
    ))
}

/// Runs a flow definition to the end with the database's stores and HTTP actions
/// ([`runner::Actions`]).
pub fn run_flow(
    db: &Db,
    settings: &DispatchSettings,
    integration: &str,
    bundle: &Value,
    definition: Value,
    input: Value,
) -> (Status, Vec<HistoryEvent>, u32) {
    match Compiled::new(definition) {
        Ok(compiled) => run_compiled(db, settings, integration, bundle, compiled, input),
        Err(e) => {
            let status = Status::Failed {
                error: e.error,
                cause: e.cause,
            };
            (status, Vec::new(), 1)
        }
    }
}

/// `settings.workers` threads that run due events until `stop` is set; the first puts back
/// events a dead process left running before any claims one.
pub fn spawn_workers(
    db: Arc<Db>,
    settings: DispatchSettings,
    stop: Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    if let Err(e) = db.requeue_interrupted() {
        tracing::error!("cannot requeue interrupted events: {e}");
    }
    (0..settings.workers.max(1))
        .map(|_| {
            // Each worker has its own connection (WAL: readers never wait, writers take
            // turns in SQLite), so ingest never queues behind a worker's batch for the
            // shared connection's lock.
            let own = Db::open(db.path()).map(Arc::new).unwrap_or_else(|e| {
                tracing::warn!("a worker shares the server's connection: {e}");
                Arc::clone(&db)
            });
            let (settings, stop) = (settings.clone(), Arc::clone(&stop));
            std::thread::spawn(move || work(&own, &settings, &stop))
        })
        .collect()
}

fn work(db: &Db, settings: &DispatchSettings, stop: &AtomicBool) {
    let mut cache = FlowCache::default();
    while !stop.load(Ordering::Relaxed) {
        match run_batch(db, settings, &mut cache, BATCH) {
            Ok(done) if done.is_empty() => std::thread::sleep(IDLE),
            Ok(done) => {
                for d in done {
                    tracing::debug!("event {} {}: {}", d.event_id, d.state, d.note);
                }
            }
            Err(e) => {
                tracing::error!("dispatcher: {e}");
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        }
    }
}

/// How long an idle worker waits before it looks at the queue again (the start delay of an
/// event that arrives when the queue is empty is at most this, plus its run).
const IDLE: std::time::Duration = std::time::Duration::from_millis(5);
