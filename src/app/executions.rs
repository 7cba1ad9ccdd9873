//! Every execution in the data folder's store (started from the window, the command line or
//! the webhook server), read off the UI thread and refreshed while the list is shown; one
//! execution opened for replay, step by step; export and import of an execution as JSON;
//! and the comparison of a stored run with a new run of its event on the current bundle.

use serde_json::{Value, json};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;
use zis_services::db::{Db, ExecutionRow, QueueStats};

/// What a refresh reads.
type Loaded = Result<(Vec<ExecutionRow>, QueueStats), String>;

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
    pub fn from_json(v: &Value) -> Result<Self, String> {
        if v.get("zis_studio_execution").is_none() {
            return Err("not a ZIS Studio execution export (no zis_studio_execution key)".into());
        }
        let history = v
            .get("history")
            .and_then(Value::as_array)
            .cloned()
            .ok_or("the export has no history list")?;
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
            let read = || -> Result<(Vec<ExecutionRow>, QueueStats), String> {
                let db = Db::open(&path).map_err(|e| e.to_string())?;
                Ok((
                    db.executions(LIMIT).map_err(|e| e.to_string())?,
                    db.queue_stats().map_err(|e| e.to_string())?,
                ))
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
                self.error = Some(e);
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
    pub fn open(&mut self, db_path: &Path, id: i64) -> Result<(), String> {
        let db = Db::open(db_path).map_err(|e| e.to_string())?;
        let (history, output) = db.execution_history(id).map_err(|e| e.to_string())?;
        let row = self.rows.iter().find(|r| r.id == id).cloned();
        let event_input = row
            .as_ref()
            .and_then(|r| r.event_id)
            .and_then(|e| db.event(e).ok().flatten())
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
    pub fn export(&self, path: &Path) -> Result<(), String> {
        let opened = self.opened.as_ref().ok_or("no execution is open")?;
        let text = serde_json::to_string_pretty(&opened.to_json()).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Opens an exported execution.
    pub fn import(&mut self, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
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
    pub changes: Vec<super::diff::Change>,
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
    use super::diff::Change;
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
            let changes = super::diff::diff(&outcome(a), &outcome(b))
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
