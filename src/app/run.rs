//! Running the selected flow from the window: on the catalog's sample event for its job
//! spec, on a worker thread (the UI never waits), with the data folder's database for
//! configs, links and connections and real HTTP actions. The result comes back through a
//! channel that [`AppState::poll_run`](super::AppState::poll_run) reads each frame.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use zis_engine::run::execution::{HistoryEvent, Status};
use zis_services::catalog::{self, Account};
use zis_services::db::Db;
use zis_services::dispatch::{self, DispatchSettings};

/// A finished run.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// How it ended.
    pub status: Status,
    /// Every step.
    pub events: Vec<HistoryEvent>,
    /// Visits per state name.
    pub visits: HashMap<String, usize>,
    /// The event it ran on, e.g. `support/ticket.TicketCreated`.
    pub event: String,
}

/// A run in progress or done.
#[derive(Debug)]
pub enum RunState {
    /// Working on a thread.
    Running(Receiver<RunResult>),
    /// Done.
    Done(RunResult),
}

/// The job spec of `bundle` that starts flow `flow_key`: (integration, source, type).
pub fn trigger_of(bundle: &Value, flow_key: &str) -> Option<(String, String, String)> {
    let flow_name = bundle
        .pointer(&format!(
            "/resources/{}/properties/name",
            zis_engine::json::pointer::escape(flow_key)
        ))
        .and_then(Value::as_str)
        .unwrap_or(flow_key);
    bundle
        .get("resources")?
        .as_object()?
        .values()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("ZIS::JobSpec"))
        .find_map(|r| {
            let p = r.get("properties")?;
            let target = p.get("flow_name")?.as_str()?;
            let mut parts = target.split(':');
            let (_, integration, _, name) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            if name != flow_name {
                return None;
            }
            Some((
                integration.to_string(),
                p.get("event_source")?.as_str()?.to_string(),
                p.get("event_type")?.as_str()?.to_string(),
            ))
        })
}

/// Starts a run of `definition` on a worker thread.
pub fn start(
    data_dir: &Path,
    bundle: Value,
    flow_key: &str,
    definition: Value,
) -> Receiver<RunResult> {
    let (tx, rx) = channel();
    let trigger = trigger_of(&bundle, flow_key);
    let db_path = data_dir.join("zis-studio.sqlite");
    std::thread::spawn(move || {
        let (integration, source, event_type) =
            trigger.unwrap_or_else(|| ("local".into(), "local".into(), "manual".into()));
        let input = catalog::find(&source, &event_type)
            .map(catalog::sample_input)
            .unwrap_or_else(|| json!({}));
        let event = format!("{source}/{event_type}");
        let result = match Db::open(&db_path) {
            Err(e) => RunResult {
                status: Status::Failed {
                    error: "ZISStudio.Database".into(),
                    cause: e.to_string(),
                },
                events: Vec::new(),
                visits: HashMap::new(),
                event,
            },
            Ok(db) => {
                let settings = DispatchSettings::default();
                let envelope = dispatch::flow_input(&db, &Account::default(), &integration, &input)
                    .unwrap_or_else(|_| catalog::envelope(&Account::default(), input.clone()));
                let (status, events, _) =
                    dispatch::run_flow(&db, &settings, &integration, &bundle, definition, envelope);
                let mut visits = HashMap::new();
                for e in &events {
                    if e.frames.is_empty() {
                        *visits.entry(e.state.clone()).or_insert(0) += 1;
                    }
                }
                RunResult {
                    status,
                    events,
                    visits,
                    event,
                }
            }
        };
        let _ = tx.send(result);
    });
    rx
}
