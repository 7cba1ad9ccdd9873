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

impl Db {
    /// Stores a finished execution with its history (the caller redacts secrets).
    #[allow(clippy::too_many_arguments)]
    pub fn store_execution(
        &self,
        event_id: Option<i64>,
        job_spec: &JobSpecRow,
        event_type: &str,
        status: &Status,
        history: &Value,
        logs: &Value,
        attempts: u32,
        started_at: f64,
        delay_secs: f64,
    ) -> Result<i64> {
        let (name, error, cause, output) = match status {
            Status::Succeeded { output } => ("succeeded", None, None, Some(output.to_string())),
            Status::Failed { error, cause } => {
                ("failed", Some(error.clone()), Some(cause.clone()), None)
            }
            Status::Running => ("running", None, None, None),
        };
        self.insert(
            "INSERT INTO executions (event_id, integration, job_spec, flow, event_type, status, error, cause, output, history, attempts, started_at, finished_at, delay_secs, logs)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![event_id, job_spec.integration, job_spec.name, job_spec.flow_name, event_type, name, error, cause, output,
                    history.to_string(), attempts, started_at, now(), delay_secs, logs.to_string()],
        )
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
