//! The event queue: accepted events go `pending → running → done/skipped`; `not_before`
//! holds a delivery delay. Events a dead process left `running` are requeued (at least
//! once). [`QueueStats`] gives the depth and the start delays.

use super::{Db, Result, now, query_all, to_json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

/// A queued event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    /// Queue id.
    pub id: i64,
    /// The integration it was sent to (inbound webhooks), or none (native events).
    pub integration: Option<String>,
    /// Event source.
    pub event_source: String,
    /// Event type.
    pub event_type: String,
    /// The event's `input` (what a flow sees under `$.input`).
    pub input: Value,
    /// Where it came from: `cli`, `api`, `webhook:<uuid>`, `gui`.
    pub origin: String,
    /// pending, running, done or skipped.
    pub state: String,
    /// When it was accepted (Unix seconds).
    pub accepted_at: f64,
    /// When its flows started.
    pub started_at: Option<f64>,
    /// Why it was skipped, or what ran.
    pub note: String,
    /// How many times a worker claimed it (counted before the flow starts, so a run that
    /// takes the process down still counts).
    pub attempts: u32,
}

/// Queue figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueStats {
    /// Events accepted and not yet started.
    pub pending: u64,
    /// Events whose flows are running.
    pub running: u64,
    /// Events done.
    pub done: u64,
    /// Events skipped (no installed job spec, or the integration disabled).
    pub skipped: u64,
    /// Age in seconds of the oldest pending event.
    pub oldest_pending_secs: Option<f64>,
    /// Median delay from acceptance to flow start over the last 100 executions.
    pub median_delay_secs: Option<f64>,
    /// Largest such delay.
    pub max_delay_secs: Option<f64>,
}

impl Db {
    /// Accepts an event: it is in the queue (committed) when this returns.
    pub fn enqueue(
        &self,
        integration: Option<&str>,
        source: &str,
        event_type: &str,
        input: &Value,
        origin: &str,
        delay_secs: f64,
    ) -> Result<i64> {
        let t = now();
        self.insert(
            "INSERT INTO events (integration, event_source, event_type, input, origin, accepted_at, not_before)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![integration, source, event_type, input.to_string(), origin, t, t + delay_secs.max(0.0)],
        )
    }

    /// Records an event that ran outside the queue (the window's debugger): stored as
    /// done, so the dispatcher never takes it, and re-runnable like any other.
    pub fn record_event(
        &self,
        integration: Option<&str>,
        source: &str,
        event_type: &str,
        input: &Value,
        origin: &str,
    ) -> Result<i64> {
        self.insert(
            "INSERT INTO events (integration, event_source, event_type, input, origin, state, accepted_at, not_before, started_at, finished_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'done', ?6, ?6, ?6, ?6)",
            params![integration, source, event_type, input.to_string(), origin, now()],
        )
    }

    /// Claims the next due event (pending → running), or none. `shuffle` picks a random
    /// due event instead of the oldest.
    pub fn claim_next(&self, shuffle: bool) -> Result<Option<EventRow>> {
        Ok(self.claim_batch(1, shuffle)?.into_iter().next())
    }

    /// Claims up to `n` due events (pending → running, attempts counted) in one
    /// transaction: the oldest first, or random ones with `shuffle`. An event claimed
    /// before (a process may have died running it) is claimed alone, so a flow that takes
    /// the process down spends only its own attempts, never its neighbours'.
    pub fn claim_batch(&self, n: usize, shuffle: bool) -> Result<Vec<EventRow>> {
        let mut conn = self.conn();
        let t = now();
        // A read first: idle workers never take the write lock.
        let due: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE state = 'pending' AND not_before <= ?1)",
            )?
            .query_row([t], |r| r.get(0))?;
        if !due {
            return Ok(Vec::new());
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let order = if shuffle { "RANDOM()" } else { "id" };
        let candidates: Vec<(i64, u32)> = tx
            .prepare_cached(&format!(
                "SELECT id, attempts FROM events WHERE state = 'pending' AND not_before <= ?1 ORDER BY {order} LIMIT ?2"
            ))?
            .query_map(params![t, n.max(1) as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let take: Vec<i64> = match candidates.first() {
            Some(&(id, attempts)) if attempts > 0 => vec![id],
            _ => candidates
                .iter()
                .take_while(|(_, attempts)| *attempts == 0)
                .map(|(id, _)| *id)
                .collect(),
        };
        let mut rows = Vec::with_capacity(take.len());
        {
            let mut claim = tx.prepare_cached(&format!(
                "UPDATE events SET state = 'running', started_at = ?2, attempts = attempts + 1
                 WHERE id = ?1 RETURNING {EVENT_COLUMNS}"
            ))?;
            for id in take {
                rows.push(claim.query_row(params![id, t], read_event)?);
            }
        }
        tx.commit()?;
        Ok(rows)
    }

    /// Claimed events go back to `pending` in one transaction: with `uncount`, their claim
    /// does not count as an attempt (they never started: a batch that ran out of time);
    /// without, it does (a batch that failed while they ran).
    pub fn release(&self, ids: &[i64], uncount: bool) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE events SET state = 'pending', started_at = NULL, attempts = attempts - ?2
                 WHERE id = ?1 AND state = 'running'",
            )?;
            for id in ids {
                stmt.execute(params![id, i64::from(uncount)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Events left `running` by a process that died go back to `pending` (at-least-once).
    pub fn requeue_interrupted(&self) -> Result<usize> {
        Ok(self.conn().execute(
            "UPDATE events SET state = 'pending', started_at = NULL WHERE state = 'running'",
            [],
        )?)
    }

    /// Marks an event done or skipped, with a note.
    pub fn finish_event(&self, id: i64, state: &str, note: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE events SET state = ?2, finished_at = ?3, note = ?4 WHERE id = ?1",
            params![id, state, now(), note],
        )?;
        Ok(())
    }

    /// One event.
    pub fn event(&self, id: i64) -> Result<Option<EventRow>> {
        event_row(&self.conn(), id)
    }

    /// The newest events first.
    pub fn events(&self, limit: usize) -> Result<Vec<EventRow>> {
        let ids: Vec<i64> = query_all(
            &self.conn(),
            "SELECT id FROM events ORDER BY id DESC LIMIT ?1",
            [limit as i64],
            |r| r.get(0),
        )?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(e) = self.event(id)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Queue depth and start delays.
    pub fn queue_stats(&self) -> Result<QueueStats> {
        let conn = self.conn();
        let mut stats = QueueStats::default();
        let counts = query_all(
            &conn,
            "SELECT state, COUNT(*) FROM events GROUP BY state",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)),
        )?;
        for (state, n) in counts {
            match state.as_str() {
                "pending" => stats.pending = n,
                "running" => stats.running = n,
                "done" => stats.done = n,
                "skipped" => stats.skipped = n,
                _ => {}
            }
        }
        let oldest: Option<f64> = conn.query_row(
            "SELECT MIN(accepted_at) FROM events WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        stats.oldest_pending_secs = oldest.map(|t| (now() - t).max(0.0));
        let mut delays: Vec<f64> = query_all(
            &conn,
            "SELECT delay_secs FROM executions ORDER BY id DESC LIMIT 100",
            [],
            |r| r.get(0),
        )?;
        delays.sort_by(f64::total_cmp);
        stats.median_delay_secs = delays.get(delays.len() / 2).copied();
        stats.max_delay_secs = delays.last().copied();
        Ok(stats)
    }
}

/// The columns [`read_event`] reads, in its order.
const EVENT_COLUMNS: &str = "id, integration, event_source, event_type, input, origin, state, accepted_at, started_at, note, attempts";

fn read_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        integration: r.get(1)?,
        event_source: r.get(2)?,
        event_type: r.get(3)?,
        input: to_json(&r.get::<_, String>(4)?),
        origin: r.get(5)?,
        state: r.get(6)?,
        accepted_at: r.get(7)?,
        started_at: r.get(8)?,
        note: r.get(9)?,
        attempts: r.get(10)?,
    })
}

fn event_row(conn: &Connection, id: i64) -> Result<Option<EventRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
            [id],
            read_event,
        )
        .optional()?)
}
