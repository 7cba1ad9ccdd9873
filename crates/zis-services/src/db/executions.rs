//! Executions: each finished flow run with its status, masked history and output, and the
//! delay from its event's acceptance to its start.

use super::{Db, JobSpecRow, Result, ServiceError, now, query_all, to_json};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use zis_engine::run::execution::Status;

/// A stored execution (its history is loaded on demand).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExecutionRow {
    /// Id.
    pub id: i64,
    /// The event that started it.
    pub event_id: Option<i64>,
    /// Integration.
    pub integration: String,
    /// The job spec that matched.
    pub job_spec: String,
    /// The flow it ran.
    pub flow: String,
    /// The event type.
    pub event_type: String,
    /// succeeded or failed.
    pub status: String,
    /// The error, when it failed.
    pub error: Option<String>,
    /// The cause, when it failed.
    pub cause: Option<String>,
    /// Attempts (1 + retries).
    pub attempts: u32,
    /// Start (Unix seconds).
    pub started_at: f64,
    /// End.
    pub finished_at: f64,
    /// Seconds from the event's acceptance to the flow's start.
    pub delay_secs: f64,
    /// A step of its history carries an intervention (the debugger's `marks`, or calls a
    /// mock answered): it is not what the flow alone did.
    pub intervened: bool,
    /// The integration-log lines ZIS would write for it: `[{level, text}]`.
    pub logs: Value,
}

/// An execution to store, as its columns (masked already: see `runner::prepare`).
#[derive(Clone, Debug, PartialEq)]
pub struct NewExecution {
    /// The event that started it.
    pub event_id: Option<i64>,
    /// Integration.
    pub integration: String,
    /// The job spec that matched.
    pub job_spec: String,
    /// The flow it ran.
    pub flow: String,
    /// The event type.
    pub event_type: String,
    /// succeeded, failed or running.
    pub status: &'static str,
    /// The error, when it failed.
    pub error: Option<String>,
    /// The cause, when it failed.
    pub cause: Option<String>,
    /// The output as JSON text, when it succeeded.
    pub output: Option<String>,
    /// The history as JSON text.
    pub history: String,
    /// The log lines as JSON text.
    pub logs: String,
    /// Attempts (1 + retries).
    pub attempts: u32,
    /// Start (Unix seconds).
    pub started_at: f64,
    /// End.
    pub finished_at: f64,
    /// Seconds from the event's acceptance to the start.
    pub delay_secs: f64,
}

impl NewExecution {
    /// The columns of a finished run (the caller redacts secrets).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        event_id: Option<i64>,
        job_spec: &JobSpecRow,
        event_type: &str,
        status: &Status,
        history: &Value,
        logs: &Value,
        attempts: u32,
        started_at: f64,
        delay_secs: f64,
    ) -> Self {
        let (name, error, cause, output) = match status {
            Status::Succeeded { output } => ("succeeded", None, None, Some(output.to_string())),
            Status::Failed { error, cause } => {
                ("failed", Some(error.clone()), Some(cause.clone()), None)
            }
            Status::Running => ("running", None, None, None),
        };
        Self {
            event_id,
            integration: job_spec.integration.clone(),
            job_spec: job_spec.name.clone(),
            flow: job_spec.flow_name.clone(),
            event_type: event_type.to_string(),
            status: name,
            error,
            cause,
            output,
            history: history.to_string(),
            logs: logs.to_string(),
            attempts,
            started_at,
            finished_at: now(),
            delay_secs,
        }
    }
}

/// Inserts one execution in `conn` (a transaction, or the connection itself).
fn insert_execution(conn: &rusqlite::Connection, e: &NewExecution) -> Result<i64> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO executions (event_id, integration, job_spec, flow, event_type, status, error, cause, output, history, attempts, started_at, finished_at, delay_secs, logs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    stmt.execute(params![
        e.event_id,
        e.integration,
        e.job_spec,
        e.flow,
        e.event_type,
        e.status,
        e.error,
        e.cause,
        e.output,
        e.history,
        e.attempts,
        e.started_at,
        e.finished_at,
        e.delay_secs,
        e.logs
    ])?;
    Ok(conn.last_insert_rowid())
}

/// What became of one claimed event: its executions, and how it ends.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The event.
    pub event_id: i64,
    /// done, skipped or failed.
    pub state: &'static str,
    /// Why, in words (each stored execution is named before it: `job: execution 7`).
    pub note: String,
    /// Its executions, to store.
    pub executions: Vec<NewExecution>,
}

impl Finished {
    /// The note stored with the event once its executions have ids.
    pub fn note_with(&self, ids: &[i64]) -> String {
        let mut parts: Vec<String> = self
            .executions
            .iter()
            .zip(ids)
            .map(|(e, id)| format!("{}: execution {id}", e.job_spec))
            .collect();
        if !self.note.is_empty() {
            parts.push(self.note.clone());
        }
        parts.join("; ")
    }
}

impl Db {
    /// Stores an execution (masked already: `runner::prepare`); its id.
    pub fn insert_execution(&self, e: &NewExecution) -> Result<i64> {
        insert_execution(&self.conn(), e)
    }

    /// The commit point of a batch of claimed events: every execution stored and every
    /// event marked finished in one transaction (all or nothing, so an event is never done
    /// without its executions). The ids of each event's executions, in order.
    pub fn finish_batch(&self, batch: &[Finished]) -> Result<Vec<Vec<i64>>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut ids = Vec::with_capacity(batch.len());
        for f in batch {
            let mut these = Vec::with_capacity(f.executions.len());
            for e in &f.executions {
                these.push(insert_execution(&tx, e)?);
            }
            tx.prepare_cached(
                "UPDATE events SET state = ?2, finished_at = ?3, note = ?4 WHERE id = ?1",
            )?
            .execute(params![f.event_id, f.state, now(), f.note_with(&these)])?;
            ids.push(these);
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The newest executions first.
    pub fn executions(&self, limit: usize) -> Result<Vec<ExecutionRow>> {
        query_all(
            &self.conn(),
            "SELECT id, event_id, integration, job_spec, flow, event_type, status, error, cause, attempts, started_at, finished_at, delay_secs,
                    instr(history, '\"marks\":') > 0 OR instr(history, '\"mocked\":') > 0, logs
             FROM executions ORDER BY id DESC LIMIT ?1",
            [limit as i64],
            |r| {
                Ok(ExecutionRow {
                    id: r.get(0)?,
                    event_id: r.get(1)?,
                    integration: r.get(2)?,
                    job_spec: r.get(3)?,
                    flow: r.get(4)?,
                    event_type: r.get(5)?,
                    status: r.get(6)?,
                    error: r.get(7)?,
                    cause: r.get(8)?,
                    attempts: r.get(9)?,
                    started_at: r.get(10)?,
                    finished_at: r.get(11)?,
                    delay_secs: r.get(12)?,
                    intervened: r.get(13)?,
                    logs: to_json(&r.get::<_, String>(14)?),
                })
            },
        )
    }

    /// An execution's history (the list of history events) and output.
    pub fn execution_history(&self, id: i64) -> Result<(Value, Option<Value>)> {
        self.conn()
            .query_row(
                "SELECT history, output FROM executions WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        to_json(&r.get::<_, String>(0)?),
                        r.get::<_, Option<String>>(1)?.map(|o| to_json(&o)),
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| ServiceError::NotFound(format!("execution {id} not found")))
    }
}
