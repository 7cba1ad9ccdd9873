//! The event dispatcher: an accepted event is in the queue (committed) before anyone is
//! told so; a worker claims due events, matches them to installed job specs by
//! `(event_source, event_type)`, runs each flow on the engine with the database's stores
//! and real HTTP actions, and stores the execution with its history (secrets masked).
//!
//! At-least-once: an event is marked done only after its executions are stored, and
//! events a dead process left running go back to the queue on start
//! ([`Db::requeue_interrupted`]). Fault injection: deliver each event twice, shuffle the
//! order, delay delivery.

use crate::catalog::{self, Account};
use crate::db::{ConnectionKind, Db, EventRow, JobSpecRow, Result, now};
use crate::http::HttpSettings;
use crate::runner;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use zis_engine::actions::MergeMode;
use zis_engine::run::execution::{Execution, HistoryEvent, Settings, Status};

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

/// What happened to one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The event.
    pub event_id: i64,
    /// Executions stored for it.
    pub executions: Vec<i64>,
    /// done or skipped.
    pub state: &'static str,
    /// Why, in words.
    pub note: String,
}

/// Claims and runs the next due event, if any.
pub fn run_next(db: &Db, settings: &DispatchSettings) -> Result<Option<Delivery>> {
    let Some(event) = db.claim_next(settings.shuffle)? else {
        return Ok(None);
    };
    deliver(db, settings, &event).map(Some)
}

/// Runs every due event; returns what happened to each.
pub fn drain(db: &Db, settings: &DispatchSettings) -> Result<Vec<Delivery>> {
    let mut out = Vec::new();
    while let Some(d) = run_next(db, settings)? {
        out.push(d);
    }
    Ok(out)
}

fn deliver(db: &Db, settings: &DispatchSettings, event: &EventRow) -> Result<Delivery> {
    let specs: Vec<JobSpecRow> = db
        .matching_job_specs(&event.event_source, &event.event_type)?
        .into_iter()
        .filter(|j| {
            event
                .integration
                .as_deref()
                .is_none_or(|i| i == j.integration)
        })
        .collect();
    if specs.is_empty() {
        let note = format!(
            "no installed job spec for {}/{}",
            event.event_source, event.event_type
        );
        db.finish_event(event.id, "skipped", &note)?;
        return Ok(Delivery {
            event_id: event.id,
            executions: Vec::new(),
            state: "skipped",
            note,
        });
    }
    if event.attempts > settings.max_attempts {
        return give_up(db, event, &specs);
    }
    let mut executions = Vec::new();
    let mut notes = Vec::new();
    for spec in &specs {
        if db.is_enabled(&spec.integration)? != Some(true) {
            notes.push(format!("{}: integration disabled, skipped", spec.name));
            continue;
        }
        let id = run_job_spec(db, settings, spec, event)?;
        executions.push(id);
        notes.push(format!("{}: execution {id}", spec.name));
    }
    let state = if executions.is_empty() {
        "skipped"
    } else {
        "done"
    };
    let note = notes.join("; ");
    db.finish_event(event.id, state, &note)?;
    Ok(Delivery {
        event_id: event.id,
        executions,
        state,
        note,
    })
}

/// An event claimed more times than allowed (the process stopped during each run): each
/// of its job specs gets a failed execution saying so, and the event is `failed`, never
/// run again.
fn give_up(db: &Db, event: &EventRow, specs: &[JobSpecRow]) -> Result<Delivery> {
    let cause = format!(
        "the event was attempted {} times and never finished (the process stopped during its run each time); it is not run again",
        event.attempts - 1
    );
    let status = Status::Failed {
        error: "ZisStudio.PoisonEvent".into(),
        cause: cause.clone(),
    };
    let mut executions = Vec::new();
    for spec in specs {
        executions.push(runner::record(
            db,
            &runner::Run {
                spec,
                event_type: &event.event_type,
                event_id: Some(event.id),
                status: &status,
                history: &[],
                exchanges: &[],
                notes: &[],
                attempts: 0,
                started: now(),
                delay: (now() - event.accepted_at).max(0.0),
            },
            None,
        )?);
    }
    db.finish_event(event.id, "failed", &cause)?;
    tracing::warn!("event {}: {cause}", event.id);
    Ok(Delivery {
        event_id: event.id,
        executions,
        state: "failed",
        note: cause,
    })
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
    let account = Account {
        integration_key: integration.to_string(),
        ..account.clone()
    };
    let mut envelope = catalog::envelope(&account, input.clone());
    let mut tokens = Map::new();
    for c in db.connections(integration)? {
        if c.kind == ConnectionKind::Oauth
            && let Some(t) = c.data.get("access_token")
        {
            tokens.insert(c.name.clone(), json!({"access_token": t}));
        }
    }
    if !tokens.is_empty() && with_connections {
        envelope["connections"] = Value::Object(tokens);
    }
    Ok(envelope)
}

/// Runs one flow for one event and stores the execution (masked, through
/// [`runner::record`]).
pub fn run_job_spec(
    db: &Db,
    settings: &DispatchSettings,
    spec: &JobSpecRow,
    event: &EventRow,
) -> Result<i64> {
    let started = now();
    let delay = (started - event.accepted_at).max(0.0);
    let mut bundle = db.bundle(&spec.integration, &spec.bundle_uuid)?;
    // An action defined by several bundles of the integration: the last uploaded
    // definition is the one every flow uses (zis-facts.md 1.3).
    if let (Ok(actions), Some(resources)) = (
        db.latest_actions(&spec.integration),
        bundle.get_mut("resources").and_then(Value::as_object_mut),
    ) {
        for (key, action) in actions {
            let name = action.pointer("/properties/name").cloned();
            resources.retain(|k, r| {
                !(k == &key
                    || (r["type"] == "ZIS::Action::Http"
                        && name.is_some()
                        && r.pointer("/properties/name") == name.as_ref()))
            });
            resources.insert(key, action);
        }
    }
    let (status, history, attempts) = match flow_definition(&bundle, &spec.flow_name) {
        None => (
            Status::Failed {
                error: "States.Runtime".into(),
                cause: format!("the bundle has no flow {}", spec.flow_name),
            },
            Vec::new(),
            1,
        ),
        Some(def) => {
            let input = flow_input_with(
                db,
                &settings.account,
                &spec.integration,
                &event.input,
                settings.engine.connections_in_input,
            )?;
            // A bug that panics inside a run ends that run, recorded, not the worker.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_flow(db, settings, &spec.integration, &bundle, def, input)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".into());
                let status = Status::Failed {
                    error: "States.Runtime".into(),
                    cause: format!("the run crashed: {what}"),
                };
                (status, Vec::new(), 1)
            })
        }
    };
    runner::record(
        db,
        &runner::Run {
            spec,
            event_type: &event.event_type,
            event_id: Some(event.id),
            status: &status,
            history: &history,
            exchanges: &[],
            notes: &[],
            attempts,
            started,
            delay,
        },
        None,
    )
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
    let failed = |e: zis_engine::run::StatesError| {
        let status = Status::Failed {
            error: e.error,
            cause: e.cause,
        };
        (status, Vec::new(), 1)
    };
    let mut exec = match Execution::new(definition, input, settings.engine.clone()) {
        Ok(e) => e,
        Err(e) => return failed(e),
    };
    let mut actions =
        match runner::Actions::new(db, integration, bundle, &settings.actions(), Vec::new()) {
            Ok(a) => a,
            Err(e) => return failed(e),
        };
    let mut events = Vec::new();
    loop {
        actions.attempt = exec.attempt();
        match exec.step(&mut actions) {
            Some(e) => events.push(e),
            None => break,
        }
        if exec.status() != &Status::Running {
            break;
        }
    }
    (exec.status().clone(), events, exec.attempt())
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
            let (db, settings, stop) = (Arc::clone(&db), settings.clone(), Arc::clone(&stop));
            std::thread::spawn(move || work(&db, &settings, &stop))
        })
        .collect()
}

fn work(db: &Db, settings: &DispatchSettings, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match run_next(db, settings) {
            Ok(Some(d)) => tracing::info!("event {} {}: {}", d.event_id, d.state, d.note),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => {
                tracing::error!("dispatcher: {e}");
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
        }
    }
}

/// A worker thread that runs due events until `stop` is set; it first puts back events a
/// dead process left running.
pub fn spawn_worker(
    db: Arc<Db>,
    settings: DispatchSettings,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        if let Err(e) = db.requeue_interrupted() {
            tracing::error!("cannot requeue interrupted events: {e}");
        }
        while !stop.load(Ordering::Relaxed) {
            match run_next(&db, &settings) {
                Ok(Some(d)) => tracing::info!("event {} {}: {}", d.event_id, d.state, d.note),
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(e) => {
                    tracing::error!("dispatcher: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
            }
        }
    })
}
