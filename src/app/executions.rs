//! Every execution in the data folder's store (started from the window, the command line or
//! the webhook server), read off the UI thread and refreshed while the list is shown; one
//! execution opened for replay, step by step; export and import of an execution as JSON;
//! and the comparison of a stored run with a new run of its event on the current bundle.

use super::error::{AppError, AppResult};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;
use zis_services::db::{Db, ExecutionRow, QueueStats};

/// What a refresh reads.
type Loaded = AppResult<(Vec<ExecutionRow>, QueueStats)>;

/// How many executions the list shows.
pub const LIMIT: usize = 500;

/// The executions list and the opened execution.
#[derive(Debug, Default)]
pub struct Executions {
    /// Newest first.
    pub rows: Vec<ExecutionRow>,
    /// Queue figures.
    pub queue: Option<QueueStats>,
    /// Why the last read failed.
    pub error: Option<String>,
    /// A read at work.
    pub loading: Option<Receiver<Loaded>>,
    /// When the last read was asked for.
    pub last_refresh: Option<Instant>,
    /// The execution being replayed.
    pub opened: Option<Opened>,
}

/// An execution opened for replay (from the store or from an exported file).
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    /// Its id in the store, when it came from there.
    pub id: Option<i64>,
    /// Flow, event type, status, error..., as stored.
    pub summary: Value,
    /// Its history events.
    pub history: Vec<Value>,
    /// Its output.
    pub output: Option<Value>,
    /// The event's `input`, when known (for a re-run).
    pub event_input: Option<Value>,
    /// The step shown.
    pub step: usize,
}

impl Opened {
    /// The states it went through, in order.
    pub fn path(&self) -> Vec<String> {
        self.history
            .iter()
            .map(|e| {
                e.get("state")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string()
            })
            .collect()
    }

    /// The export: summary, history, output and the event's input.
    pub fn to_json(&self) -> Value {
        json!({
            "zis_studio_execution": 1,
            "execution": self.summary,
            "event_input": self.event_input,
            "history": self.history,
            "output": self.output,
        })
    }

    /// Reads an export.
    pub fn from_json(v: &Value) -> AppResult<Self> {
        if v.get("zis_studio_execution").is_none() {
            return Err(AppError::refused(
                "not a ZIS Studio execution export (no zis_studio_execution key)",
            ));
        }
        let history = v
            .get("history")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| AppError::refused("the export has no history list"))?;
        Ok(Self {
            id: None,
            summary: v.get("execution").cloned().unwrap_or(Value::Null),
            history,
            output: v.get("output").cloned().filter(|o| !o.is_null()),
            event_input: v.get("event_input").cloned().filter(|o| !o.is_null()),
            step: 0,
        })
    }
}

impl Executions {
    /// Reads the list and the queue figures on a worker thread.
    pub fn refresh(&mut self, db_path: &Path) {
        if self.loading.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let path = db_path.to_path_buf();
        std::thread::spawn(move || {
            let read = || -> AppResult<(Vec<ExecutionRow>, QueueStats)> {
                let db = Db::open(&path)?;
                Ok((db.executions(LIMIT)?, db.queue_stats()?))
            };
            let _ = tx.send(read());
        });
        self.loading = Some(rx);
        self.last_refresh = Some(Instant::now());
    }

    /// Takes a finished read; true while one is at work.
    pub fn poll(&mut self) -> bool {
        let Some(rx) = &self.loading else {
            return false;
        };
        match rx.try_recv() {
            Ok(Ok((rows, queue))) => {
                self.rows = rows;
                self.queue = Some(queue);
                self.error = None;
                self.loading = None;
                false
            }
            Ok(Err(e)) => {
                self.error = Some(e.to_string());
                self.loading = None;
                false
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => true,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.loading = None;
                false
            }
        }
    }

    /// Opens a stored execution with its history and its event's input.
    pub fn open(&mut self, db_path: &Path, id: i64) -> AppResult<()> {
        let db = Db::open(db_path)?;
        let (history, output) = db.execution_history(id)?;
        let row = self.rows.iter().find(|r| r.id == id).cloned();
        let event_input = row
            .as_ref()
            .and_then(|r| r.event_id)
            .and_then(|e| match db.event(e) {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!("cannot read event {e} of execution {id}: {err}");
                    None
                }
            })
            .map(|e| e.input);
        self.opened = Some(Opened {
            id: Some(id),
            summary: serde_json::to_value(&row).unwrap_or(Value::Null),
            history: history.as_array().cloned().unwrap_or_default(),
            output,
            event_input,
            step: 0,
        });
        Ok(())
    }

    /// Writes the opened execution to a file.
    pub fn export(&self, path: &Path) -> AppResult<()> {
        let opened = self
            .opened
            .as_ref()
            .ok_or_else(|| AppError::refused("no execution is open"))?;
        let text = serde_json::to_string_pretty(&opened.to_json()).unwrap_or_default();
        crate::core::files::write_atomic(path, (text + "\n").as_bytes()).map_err(|source| {
            AppError::File {
                action: "write",
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Opens an exported execution.
    pub fn import(&mut self, path: &Path) -> AppResult<()> {
        let text = std::fs::read_to_string(path).map_err(|source| AppError::File {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        let v = super::error::parse_json(&text)
            .map_err(|e| AppError::refused(format!("{}:{e}", path.display())))?;
        self.opened = Some(Opened::from_json(&v)?);
        Ok(())
    }
}

/// One step of two runs side by side.
#[derive(Clone, Debug, PartialEq)]
pub struct StepPair {
    /// The stored run's state at this step.
    pub stored: Option<String>,
    /// The new run's state.
    pub now: Option<String>,
    /// How the step's outcome (its output, or its error) differs, by path. Values the store
    /// masked (`*****`) are not counted.
    pub changes: Vec<crate::core::diff::Change>,
}

/// A stored run beside a new one, aligned by step.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Every step.
    pub pairs: Vec<StepPair>,
    /// The first step where the states differ.
    pub first_path: Option<usize>,
    /// The first step whose outcome differs.
    pub first_data: Option<usize>,
}

fn outcome(e: Option<&Value>) -> Value {
    e.map_or(Value::Null, |e| {
        json!({"output": e.get("output").cloned().unwrap_or(Value::Null),
               "error": e.get("error").cloned().unwrap_or(Value::Null)})
    })
}

fn masked(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("*****"),
        Value::Object(m) => m.values().any(masked),
        Value::Array(a) => a.iter().any(masked),
        _ => false,
    }
}

/// Compares two histories (lists of history events as JSON) step by step.
pub fn compare(stored: &[Value], new: &[Value]) -> Comparison {
    use crate::core::diff::Change;
    let state = |e: Option<&Value>| {
        e.map(|e| {
            e.get("state")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
    };
    let pairs: Vec<StepPair> = (0..stored.len().max(new.len()))
        .map(|i| {
            let (a, b) = (stored.get(i), new.get(i));
            let changes = crate::core::diff::diff(&outcome(a), &outcome(b))
                .into_iter()
                .filter(|c| match c {
                    Change::Changed(_, old, _) | Change::Removed(_, old) => !masked(old),
                    Change::Added(..) => true,
                })
                .collect();
            StepPair {
                stored: state(a),
                now: state(b),
                changes,
            }
        })
        .collect();
    let first_path = pairs.iter().position(|p| p.stored != p.now);
    let first_data = pairs.iter().position(|p| !p.changes.is_empty());
    Comparison {
        pairs,
        first_path,
        first_data,
    }
}

use super::*;

/// Executions commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum ExecutionsCommand {
    /// Read the store's executions and queue figures again.
    RefreshExecutions,
    /// Open a stored execution for replay.
    OpenExecution(i64),
    /// Close the opened execution.
    CloseExecution,
    /// Show step `n` of the opened execution.
    ReplayStep(usize),
    /// Write the opened execution to a file.
    ExportExecution(PathBuf),
    /// Open an exported execution.
    ImportExecution(PathBuf),
    /// Start a session paused before step N of the opened execution, with its data then.
    DebugFromStored(usize),
    /// Run the opened execution's event on the current bundle and compare.
    RerunExecution,
}

impl AppState {
    /// Applies one executions command.
    pub(crate) fn apply_executions(&mut self, command: ExecutionsCommand) {
        match command {
            ExecutionsCommand::RefreshExecutions => {
                let db = self.db_path();
                self.executions.refresh(&db);
            }
            ExecutionsCommand::OpenExecution(id) => {
                let db = self.db_path();
                if let Err(e) = self.executions.open(&db, id) {
                    self.message = Some(format!("cannot open execution {id}: {e}"));
                }
                self.rerun_of = None;
            }
            ExecutionsCommand::CloseExecution => {
                self.executions.opened = None;
                self.rerun_of = None;
            }
            ExecutionsCommand::ReplayStep(i) => {
                if let Some(o) = &mut self.executions.opened {
                    o.step = i.min(o.history.len().saturating_sub(1));
                }
            }
            ExecutionsCommand::ExportExecution(path) => {
                self.message = Some(match self.executions.export(&path) {
                    Ok(()) => format!("exported to {}", path.display()),
                    Err(e) => e.to_string(),
                });
            }
            ExecutionsCommand::ImportExecution(path) => {
                self.message = Some(match self.executions.import(&path) {
                    Ok(()) => format!("opened {}", path.display()),
                    Err(e) => e.to_string(),
                });
                self.rerun_of = None;
            }
            ExecutionsCommand::DebugFromStored(i) => self.debug_from_stored(i),
            ExecutionsCommand::RerunExecution => self.rerun(),
        }
    }

    /// Shows the opened execution's flow and sets the debugger's event to its event (the
    /// stored payload when there is one).
    pub(crate) fn debug_opened_flow(&mut self) -> AppResult<()> {
        let opened = self
            .executions
            .opened
            .as_ref()
            .ok_or_else(|| AppError::refused("no execution is open"))?;
        let text = |k: &str| {
            opened
                .summary
                .get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let flow_name = text("flow")
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_string();
        let event_type = text("event_type");
        let input = opened.event_input.clone();
        let key = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow && r.name == flow_name)
            .map(|r| r.key.clone())
            .ok_or_else(|| AppError::refused(format!("the open bundle has no flow {flow_name}")))?;
        let source = zis_services::catalog::EVENTS
            .iter()
            .find(|e| e.event_type == event_type)
            .map_or("support", |e| e.source)
            .to_string();
        if self.selected.as_ref() != Some(&key) {
            self.map_path.clear();
            self.select(Some(key));
        }
        self.debug_event = Some((source, event_type));
        self.debug_payload = input;
        self.debug = None;
        Ok(())
    }

    pub(crate) fn rerun(&mut self) {
        let Some(opened) = &self.executions.opened else {
            return;
        };
        if opened.event_input.is_none() {
            self.message = Some("this execution has no stored event to run again".into());
            return;
        }
        let stored = opened.history.clone();
        if let Err(e) = self.debug_opened_flow() {
            self.message = Some(e.to_string());
            return;
        }
        self.rerun_of = Some(stored);
        self.comparison = None;
        self.debug_go(debug::Go::Continue);
    }

    /// A new session on the current bundle, paused before step `i` of the opened execution
    /// with the data that step had (a redrive from a chosen step).
    pub(crate) fn debug_from_stored(&mut self, i: usize) {
        let Some(step) = self
            .executions
            .opened
            .as_ref()
            .and_then(|o| o.history.get(i))
            .cloned()
        else {
            return;
        };
        if step
            .get("frames")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            self.message = Some("this step ran inside a Map: start from the Map's own step".into());
            return;
        }
        let state = step
            .get("state")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let data = step.get("input").cloned().unwrap_or_default();
        let db = self.db_path();
        let result = self.debug_opened_flow().and_then(|()| {
            self.start_session();
            let s = self
                .debug
                .as_mut()
                .ok_or_else(|| AppError::refused("the session did not start"))?;
            s.redrive(&state, data, i + 1, &db)?;
            Ok(())
        });
        self.rerun_of = None;
        self.message = Some(match result {
            Ok(()) => format!(
                "paused before {state} with the data it had in step {} of the stored run",
                i + 1
            ),
            Err(e) => format!("cannot start from step {}: {e}", i + 1),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_read_back_and_runs_compare() {
        let o = Opened {
            id: Some(3),
            summary: json!({"flow": "f", "status": "failed"}),
            history: vec![json!({"state": "A"}), json!({"state": "B"})],
            output: None,
            event_input: Some(json!({"ticket": {"id": 1}})),
            step: 1,
        };
        let back = Opened::from_json(&o.to_json()).unwrap();
        assert_eq!(back.history, o.history);
        assert_eq!(back.event_input, o.event_input);
        assert_eq!(back.path(), ["A", "B"]);
        assert!(Opened::from_json(&json!({"history": []})).is_err());
        let stored = vec![
            json!({"state": "A", "output": {"x": 1, "token": "*****"}}),
            json!({"state": "B", "output": {"x": 2}}),
        ];
        let new = vec![
            json!({"state": "A", "output": {"x": 1, "token": "secret"}}),
            json!({"state": "C", "output": {"x": 3, "y": true}}),
            json!({"state": "D", "error": {"error": "E"}}),
        ];
        let c = compare(&stored, &new);
        assert_eq!(c.first_path, Some(1));
        assert_eq!(c.pairs.len(), 3);
        assert_eq!(c.pairs[2].stored, None);
        assert_eq!(c.pairs[2].now.as_deref(), Some("D"));
        // A masked secret is not a difference; a changed and an added value are.
        assert!(c.pairs[0].changes.is_empty(), "{:?}", c.pairs[0].changes);
        assert_eq!(c.first_data, Some(1));
        assert_eq!(c.pairs[1].changes.len(), 2, "{:?}", c.pairs[1].changes);
        assert!(compare(&stored, &stored).first_data.is_none());
    }
}
