//! Running claimed events in batches: a worker claims up to [`BATCH`] due events in one
//! transaction, runs their flows, and stores every execution and marks every event finished
//! in one more ([`Db::finish_batch`], the commit point). Facts every event of a batch needs
//! (matching job specs, whether an integration is enabled, its OAuth tokens and secrets)
//! are read once per batch; each flow is compiled once per uploaded version of its
//! integration's bundles and kept in the worker's [`FlowCache`].
//!
//! At-least-once holds as before: an event is `running` from its claim until the batch's
//! commit; a process that dies in between leaves it `running`, and the next start queues it
//! again ([`Db::requeue_interrupted`]). Nothing is marked done without its executions.

use super::{DispatchSettings, flow_definition};
use crate::catalog::{self, Account};
use crate::db::{ConnectionKind, Db, EventRow, Finished, JobSpecRow, Result, now};
use crate::runner;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use zis_engine::run::StatesError;
use zis_engine::run::execution::{Compiled, Execution, HistoryEvent, Status};

/// Events a worker claims at once.
pub const BATCH: usize = 64;

/// How long a batch runs before it commits what it has done and puts back the events it
/// has not started, so a slow flow holds back few others and the batch's lookups stay fresh.
pub const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(50);

/// Flows a worker keeps compiled (the cache is emptied when it holds more).
const CACHED_FLOWS: usize = 256;

/// A flow ready to run: its bundle as runs see it (with the integration's latest custom
/// action definitions, zis-facts.md 1.3) and its definition compiled.
#[derive(Debug)]
pub struct PreparedFlow {
    /// The bundle, latest action definitions in.
    pub bundle: Value,
    /// The compiled definition, or why there is none (no such flow, no `StartAt`).
    pub compiled: std::result::Result<Arc<Compiled>, StatesError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FlowKey {
    integration: String,
    bundle: String,
    flow: String,
    generation: (i64, i64),
}

/// Each flow a worker ran, compiled once per uploaded version of its integration's bundles
/// (the key holds [`Db::bundle_generation`], so an upload makes the next run read afresh).
#[derive(Debug, Default)]
pub struct FlowCache {
    flows: HashMap<FlowKey, Arc<PreparedFlow>>,
}

impl FlowCache {
    /// The flow a job spec runs, from the cache or read and compiled now.
    pub fn flow(
        &mut self,
        db: &Db,
        spec: &JobSpecRow,
        generation: (i64, i64),
    ) -> Result<Arc<PreparedFlow>> {
        let key = FlowKey {
            integration: spec.integration.clone(),
            bundle: spec.bundle_uuid.clone(),
            flow: spec.flow_name.clone(),
            generation,
        };
        if let Some(f) = self.flows.get(&key) {
            return Ok(Arc::clone(f));
        }
        let bundle = with_latest_actions(
            db,
            &spec.integration,
            db.bundle(&spec.integration, &spec.bundle_uuid)?,
        )?;
        let compiled = match flow_definition(&bundle, &spec.flow_name) {
            None => Err(StatesError::runtime(format!(
                "the bundle has no flow {}",
                spec.flow_name
            ))),
            Some(def) => Compiled::new(def),
        };
        let flow = Arc::new(PreparedFlow { bundle, compiled });
        if self.flows.len() >= CACHED_FLOWS {
            self.flows.clear();
        }
        self.flows.insert(key, Arc::clone(&flow));
        Ok(flow)
    }
}

/// `bundle` with the integration's latest definition of every custom action: an action
/// defined by several bundles of the integration runs as the last uploaded defines it
/// (zis-facts.md 1.3).
fn with_latest_actions(db: &Db, integration: &str, mut bundle: Value) -> Result<Value> {
    let actions = db.latest_actions(integration)?;
    if let Some(resources) = bundle.get_mut("resources").and_then(Value::as_object_mut) {
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
    Ok(bundle)
}

/// Facts of the store read once per batch.
#[derive(Default)]
struct Lookups {
    specs: HashMap<(String, String), Vec<JobSpecRow>>,
    enabled: HashMap<String, Option<bool>>,
    generation: HashMap<String, (i64, i64)>,
    tokens: HashMap<String, Map<String, Value>>,
    secrets: HashMap<String, Vec<String>>,
}

impl Lookups {
    fn specs(&mut self, db: &Db, event: &EventRow) -> Result<Vec<JobSpecRow>> {
        let key = (event.event_source.clone(), event.event_type.clone());
        if !self.specs.contains_key(&key) {
            let found = db.matching_job_specs(&event.event_source, &event.event_type)?;
            self.specs.insert(key.clone(), found);
        }
        Ok(self.specs[&key]
            .iter()
            .filter(|j| {
                event
                    .integration
                    .as_deref()
                    .is_none_or(|i| i == j.integration)
            })
            .cloned()
            .collect())
    }

    fn enabled(&mut self, db: &Db, integration: &str) -> Result<Option<bool>> {
        if let Some(e) = self.enabled.get(integration) {
            return Ok(*e);
        }
        let e = db.is_enabled(integration)?;
        self.enabled.insert(integration.to_string(), e);
        Ok(e)
    }

    fn generation(&mut self, db: &Db, integration: &str) -> Result<(i64, i64)> {
        if let Some(g) = self.generation.get(integration) {
            return Ok(*g);
        }
        let g = db.bundle_generation(integration)?;
        self.generation.insert(integration.to_string(), g);
        Ok(g)
    }

    fn tokens(&mut self, db: &Db, integration: &str) -> Result<&Map<String, Value>> {
        if !self.tokens.contains_key(integration) {
            let t = oauth_tokens(db, integration)?;
            self.tokens.insert(integration.to_string(), t);
        }
        Ok(&self.tokens[integration])
    }

    fn secrets(&mut self, db: &Db, integration: &str) -> Result<&[String]> {
        if !self.secrets.contains_key(integration) {
            let s = db.secrets(integration)?;
            self.secrets.insert(integration.to_string(), s);
        }
        Ok(&self.secrets[integration])
    }
}

/// `$.connections.<name>.access_token` for each OAuth connection of the integration
/// (zis-facts.md 2.3).
pub(super) fn oauth_tokens(db: &Db, integration: &str) -> Result<Map<String, Value>> {
    let mut tokens = Map::new();
    for c in db.connections(integration)? {
        if c.kind == ConnectionKind::Oauth
            && let Some(t) = c.data.get("access_token")
        {
            tokens.insert(c.name.clone(), json!({"access_token": t}));
        }
    }
    Ok(tokens)
}

/// The envelope a flow starts with, and `connections` when there are tokens and
/// `with_connections` asks for them.
pub(super) fn envelope(
    account: &Account,
    integration: &str,
    input: &Value,
    tokens: &Map<String, Value>,
    with_connections: bool,
) -> Value {
    let account = Account {
        integration_key: integration.to_string(),
        ..account.clone()
    };
    let mut envelope = catalog::envelope(&account, input.clone());
    if !tokens.is_empty() && with_connections {
        envelope["connections"] = Value::Object(tokens.clone());
    }
    envelope
}

/// What happened to one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The event.
    pub event_id: i64,
    /// Executions stored for it.
    pub executions: Vec<i64>,
    /// done, skipped or failed.
    pub state: &'static str,
    /// Why, in words.
    pub note: String,
}

/// Claims up to `limit` due events, runs them and commits their executions and ends at
/// once; what happened to each (empty when none was due).
pub fn run_batch(
    db: &Db,
    settings: &DispatchSettings,
    cache: &mut FlowCache,
    limit: usize,
) -> Result<Vec<Delivery>> {
    let events = db.claim_batch(limit.max(1), settings.shuffle)?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut lookups = Lookups::default();
    let mut finished = Vec::with_capacity(events.len());
    let started = std::time::Instant::now();
    let ran = events
        .iter()
        .enumerate()
        .take_while(|(i, _)| *i == 0 || started.elapsed() < BATCH_TIME)
        .try_for_each(|(_, event)| {
            finished.push(deliver(db, settings, cache, &mut lookups, event)?);
            Ok(())
        })
        .and_then(|()| db.finish_batch(&finished));
    let ids = match ran {
        Ok(ids) => ids,
        Err(e) => {
            // Nothing of the batch was committed: its events go back to the queue now, not
            // at the next start (their claim counts: they may have run).
            let claimed: Vec<i64> = events.iter().map(|e| e.id).collect();
            if let Err(again) = db.release(&claimed, false) {
                tracing::error!("cannot put back {} claimed events: {again}", claimed.len());
            }
            return Err(e);
        }
    };
    // Out of time: the events not started go back, their claim not counted.
    let unstarted: Vec<i64> = events[finished.len()..].iter().map(|e| e.id).collect();
    if !unstarted.is_empty() {
        db.release(&unstarted, true)?;
    }
    Ok(finished
        .into_iter()
        .zip(ids)
        .map(|(f, executions)| Delivery {
            event_id: f.event_id,
            note: f.note_with(&executions),
            executions,
            state: f.state,
        })
        .collect())
}

/// Runs one claimed event's flows; what to store for it.
fn deliver(
    db: &Db,
    settings: &DispatchSettings,
    cache: &mut FlowCache,
    lookups: &mut Lookups,
    event: &EventRow,
) -> Result<Finished> {
    let specs = lookups.specs(db, event)?;
    if specs.is_empty() {
        return Ok(Finished {
            event_id: event.id,
            state: "skipped",
            note: format!(
                "no installed job spec for {}/{}",
                event.event_source, event.event_type
            ),
            executions: Vec::new(),
        });
    }
    if event.attempts > settings.max_attempts {
        return give_up(event, &specs, lookups, db);
    }
    let mut executions = Vec::new();
    let mut notes = Vec::new();
    for spec in &specs {
        if lookups.enabled(db, &spec.integration)? != Some(true) {
            notes.push(format!("{}: integration disabled, skipped", spec.name));
            continue;
        }
        let started = now();
        let generation = lookups.generation(db, &spec.integration)?;
        let flow = cache.flow(db, spec, generation)?;
        // The secrets are read with the tokens, before the run: every token the flow gets
        // is among those its history is masked with.
        lookups.secrets(db, &spec.integration)?;
        let input = envelope(
            &settings.account,
            &spec.integration,
            &event.input,
            lookups.tokens(db, &spec.integration)?,
            settings.engine.connections_in_input,
        );
        let (status, history, attempts) =
            run_guarded(db, settings, &spec.integration, &flow, input);
        let run = runner::Run {
            spec,
            event_type: &event.event_type,
            event_id: Some(event.id),
            status: &status,
            history: &history,
            exchanges: &[],
            notes: &[],
            attempts,
            started,
            delay: (started - event.accepted_at).max(0.0),
        };
        executions.push(runner::prepare(
            &run,
            Some(event.id),
            lookups.secrets(db, &spec.integration)?,
        ));
    }
    let state = if executions.is_empty() {
        "skipped"
    } else {
        "done"
    };
    Ok(Finished {
        event_id: event.id,
        state,
        note: notes.join("; "),
        executions,
    })
}

/// Runs a prepared flow; a panic inside the run ends that run, recorded, not the worker.
fn run_guarded(
    db: &Db,
    settings: &DispatchSettings,
    integration: &str,
    flow: &PreparedFlow,
    input: Value,
) -> (Status, Vec<HistoryEvent>, u32) {
    let compiled = match &flow.compiled {
        Ok(c) => Arc::clone(c),
        Err(e) => {
            let status = Status::Failed {
                error: e.error.clone(),
                cause: e.cause.clone(),
            };
            return (status, Vec::new(), 1);
        }
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_compiled(db, settings, integration, &flow.bundle, compiled, input)
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

/// Runs a compiled flow to the end with the database's stores and HTTP actions
/// ([`runner::Actions`]), keeping its full history.
pub fn run_compiled(
    db: &Db,
    settings: &DispatchSettings,
    integration: &str,
    bundle: &Value,
    compiled: Arc<Compiled>,
    input: Value,
) -> (Status, Vec<HistoryEvent>, u32) {
    let mut exec = Execution::start(compiled, input, settings.engine.clone());
    let mut actions =
        match runner::Actions::new(db, integration, bundle, &settings.actions(), Vec::new()) {
            Ok(a) => a,
            Err(e) => {
                let status = Status::Failed {
                    error: e.error,
                    cause: e.cause,
                };
                return (status, Vec::new(), 1);
            }
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

/// An event claimed more times than allowed (the process stopped during each run): each
/// of its job specs gets a failed execution saying so, and the event is `failed`, never
/// run again.
fn give_up(
    event: &EventRow,
    specs: &[JobSpecRow],
    lookups: &mut Lookups,
    db: &Db,
) -> Result<Finished> {
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
        let run = runner::Run {
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
        };
        executions.push(runner::prepare(
            &run,
            Some(event.id),
            lookups.secrets(db, &spec.integration)?,
        ));
    }
    tracing::warn!("event {}: {cause}", event.id);
    Ok(Finished {
        event_id: event.id,
        state: "failed",
        note: cause,
        executions,
    })
}
