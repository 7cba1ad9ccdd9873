//! The one way to run a flow. Every run — the dispatcher's, the window's debugger, flow
//! tests, exports and the `run` command — builds its actions with [`Actions::new`] and
//! stores what happened with [`record`], so a run behaves and is kept the same way wherever
//! it starts.
//!
//! - [`Actions`] is the executor a run steps with: the built-in actions over the database's
//!   config and link stores ([`DbStores`]), the bundle's custom HTTP actions
//!   ([`HttpActions`]), and in front of both an optional list of [`Mock`]s (a status, an
//!   error or a body instead of an action, for every call, the calls of one attempt, or
//!   one call). The most specific mock wins, whatever their order: one call, then one
//!   attempt, then every call ([`Mock::specificity`]). Set [`Actions::attempt`] to the
//!   execution's attempt before each step; [`Actions::calls`] counts each action's calls
//!   (carry it over when a run goes on in another executor) and [`Actions::mocked`] lists
//!   the calls a mock answered.
//! - [`record`] stores an ended run in the executions table with its history, output,
//!   cause, HTTP exchanges and event payload masked with every secret the database holds
//!   for the integration ([`Db::secrets`], [`Db::redact`]). It is the only place runs are
//!   written, so no caller can forget a field.

use crate::db::{Db, JobSpecRow, NewExecution, Result};
use crate::http::{Exchange, HttpActions, HttpSettings};
use crate::stores::DbStores;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zis_engine::actions::{Builtins, MergeMode};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, HistoryEvent, Status};

/// What a mocked action does instead of running.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mock {
    /// The action's full name (`zis:common:action:LoadConfig`, `zis:acme:action:post`).
    pub action: String,
    /// Only this attempt of the flow (1 is the first); every attempt when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// Only the action's `call`-th call in the run (1 is the first, counted across
    /// attempts); every call when absent. The debugger saves an edited result this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<u32>,
    /// What it does.
    pub outcome: MockOutcome,
}

impl Mock {
    /// How specific it is: a mock for one call (2, 3 with an attempt too) beats one for an
    /// attempt (1), which beats one for every call (0).
    pub fn specificity(&self) -> u8 {
        match (self.call, self.attempt) {
            (Some(_), Some(_)) => 3,
            (Some(_), None) => 2,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }

    /// Whether it answers the `call`-th call of `action` in `attempt`.
    pub fn applies(&self, action: &str, attempt: u32, call: u32) -> bool {
        self.action == action
            && self.attempt.is_none_or(|a| a == attempt)
            && self.call.is_none_or(|c| c == call)
    }
}

/// The mock that answers the `call`-th call of `action` in `attempt`: the most specific
/// of those that apply, the first of equals (see [`Mock::specificity`]).
pub fn mock_for<'m>(mocks: &'m [Mock], action: &str, attempt: u32, call: u32) -> Option<&'m Mock> {
    mocks
        .iter()
        .filter(|m| m.applies(action, attempt, call))
        .fold(None, |best: Option<&Mock>, m| match best {
            Some(b) if b.specificity() >= m.specificity() => Some(b),
            _ => Some(m),
        })
}

/// A mock's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MockOutcome {
    /// Fails as a non-2xx answer would (`States.TaskFailed`, retryable for 5xx and 429).
    Status(u16),
    /// Fails with this error name and cause.
    Error {
        /// The error name.
        error: String,
        /// The cause.
        cause: String,
    },
    /// Succeeds with this body.
    Body(Value),
}

impl MockOutcome {
    /// What the action answers.
    pub fn answer(&self) -> std::result::Result<Value, StatesError> {
        match self {
            MockOutcome::Status(code) => Err(StatesError::http_status(*code)),
            MockOutcome::Error { error, cause } => {
                Err(StatesError::named(error.clone(), cause.clone()))
            }
            MockOutcome::Body(body) => Ok(body.clone()),
        }
    }
}

/// How a run's actions behave (the parts of the dispatcher's settings actions use).
#[derive(Clone, Debug)]
pub struct ActionSettings {
    /// Custom HTTP actions.
    pub http: HttpSettings,
    /// PatchConfig semantics.
    pub merge: MergeMode,
    /// Built-in behaviours ZIS does not document.
    pub options: zis_engine::actions::BuiltinOptions,
    /// Limits of the Jq transform (time, memory).
    pub jq: zis_engine::jq::Limits,
}

/// The jq limits: the defaults (10 s, 512 MB) unless `ZIS_STUDIO_JQ_TIME_LIMIT` (seconds)
/// or `ZIS_STUDIO_JQ_MEMORY_MB` say otherwise.
pub fn jq_limits() -> zis_engine::jq::Limits {
    let mut l = zis_engine::jq::Limits::default();
    if let Some(s) = std::env::var(JQ_TIME_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
    {
        l.time = std::time::Duration::from_secs_f64(s);
    }
    if let Some(mb) = std::env::var(JQ_MEMORY_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        l.memory_mb = mb;
    }
    l
}

/// ZIS settings with the state data limit of `ZIS_STUDIO_DATA_LIMIT_MB` when set (default
/// 10 MB).
pub fn engine_settings() -> zis_engine::run::execution::Settings {
    let mut s = zis_engine::run::execution::Settings::zis();
    if let Some(mb) = std::env::var(DATA_LIMIT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        s.payload_limit = Some(mb.saturating_mul(1024 * 1024));
    }
    s
}

/// The state data limit setting (MB; default 10).
pub const DATA_LIMIT_ENV: &str = "ZIS_STUDIO_DATA_LIMIT_MB";

/// The jq time limit setting (seconds; default 10).
pub const JQ_TIME_ENV: &str = "ZIS_STUDIO_JQ_TIME_LIMIT";
/// The jq memory limit setting (MB; default 512).
pub const JQ_MEMORY_ENV: &str = "ZIS_STUDIO_JQ_MEMORY_MB";

impl Default for ActionSettings {
    fn default() -> Self {
        Self {
            http: HttpSettings::default(),
            merge: MergeMode::MergePatch,
            options: Default::default(),
            jq: jq_limits(),
        }
    }
}

/// The actions of one run: built-ins over the stores and the bundle's HTTP actions, behind
/// the mocks.
pub struct Actions<'d> {
    configs: DbStores<'d>,
    links: DbStores<'d>,
    /// The bundle's custom HTTP actions (their exchanges, masked, are in `http.exchanges`).
    pub http: HttpActions<'d>,
    merge: MergeMode,
    options: zis_engine::actions::BuiltinOptions,
    jq: zis_engine::jq::Limits,
    time_left: Option<f64>,
    mocks: Vec<Mock>,
    /// The execution's attempt (1 is the first): which attempt-specific mocks apply.
    pub attempt: u32,
    /// Calls so far per action, across attempts (which call-specific mocks apply).
    pub calls: std::collections::HashMap<String, u32>,
    /// Every call, in order: the action's name, and the mock that answered it if one did.
    pub log: Vec<(String, Option<Mock>)>,
}

impl<'d> Actions<'d> {
    /// The actions of `integration` running `bundle`, with `mocks` in front.
    pub fn new(
        db: &'d Db,
        integration: &str,
        bundle: &Value,
        settings: &ActionSettings,
        mocks: Vec<Mock>,
    ) -> std::result::Result<Self, StatesError> {
        let store = || DbStores {
            db,
            integration: integration.to_string(),
        };
        Ok(Self {
            configs: store(),
            links: store(),
            http: HttpActions::new(db, integration, bundle, settings.http.clone())?,
            merge: settings.merge,
            options: settings.options,
            jq: settings.jq,
            time_left: None,
            mocks,
            attempt: 1,
            calls: std::collections::HashMap::new(),
            log: Vec::new(),
        })
    }

    /// The calls a mock answered, in order (action, mock).
    pub fn mocked(&self) -> impl Iterator<Item = (&str, &Mock)> {
        self.log
            .iter()
            .filter_map(|(a, m)| m.as_ref().map(|m| (a.as_str(), m)))
    }

    /// The HTTP exchanges so far.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.http.exchanges
    }
}

impl ActionExecutor for Actions<'_> {
    fn set_time_left(&mut self, secs: Option<f64>) {
        self.time_left = secs;
        self.http.set_time_left(secs);
    }

    fn take_delay_secs(&mut self) -> f64 {
        self.http.take_delay_secs()
    }

    fn execute(
        &mut self,
        action: &str,
        parameters: &Value,
    ) -> std::result::Result<Value, StatesError> {
        let call = {
            let n = self.calls.entry(action.to_string()).or_insert(0);
            *n += 1;
            *n
        };
        let mock = mock_for(&self.mocks, action, self.attempt, call).cloned();
        self.log.push((action.to_string(), mock.clone()));
        if let Some(m) = mock {
            return m.outcome.answer();
        }
        let mut builtins = Builtins {
            configs: &mut self.configs,
            links: &mut self.links,
            custom: &mut self.http,
            merge: self.merge,
            options: self.options,
            jq: self.jq,
            time_left: self.time_left,
        };
        builtins.execute(action, parameters)
    }
}

/// The integration-log entries ZIS would write for a run (zis-facts.md 2.8, 8): a Succeed
/// is an info entry with its Message (or "Execution Successful"), a failure an error entry
/// with its Cause. None while it runs.
/// `last` is the run's last step (only a Succeed's Message is read from it).
pub fn log_lines(status: &Status, last: Option<&HistoryEvent>) -> Vec<(&'static str, String)> {
    match status {
        Status::Running => Vec::new(),
        Status::Succeeded { .. } => {
            let message = last
                .filter(|e| e.state_type == "Succeed")
                .and_then(|e| e.result.as_deref())
                .map(|m| match m {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "Execution Successful".into());
            vec![("info", message)]
        }
        Status::Failed { error, cause } => vec![("error", format!("{error}: {cause}"))],
    }
}

/// An ended run, to be stored.
#[derive(Debug)]
pub struct Run<'a> {
    /// The job spec it ran for (the window uses a stand-in).
    pub spec: &'a JobSpecRow,
    /// The event type.
    pub event_type: &'a str,
    /// The stored event it ran on, if it is already in the events table.
    pub event_id: Option<i64>,
    /// How it ended.
    pub status: &'a Status,
    /// Every step.
    pub history: &'a [HistoryEvent],
    /// The HTTP exchanges of each step (same length as `history`, or empty).
    pub exchanges: &'a [Vec<Exchange>],
    /// More fields for each step's history entry (same length as `history`, or empty):
    /// what the debugger records of interventions (`marks`, mocked `calls`).
    pub notes: &'a [serde_json::Map<String, Value>],
    /// The flow's attempts.
    pub attempts: u32,
    /// When it started (Unix seconds).
    pub started: f64,
    /// Seconds from the event's acceptance to the start.
    pub delay: f64,
}

/// An event to keep with a run that did not come through the queue (a window run): stored
/// as done, so the queue never takes it, and so the run can be re-run.
#[derive(Debug)]
pub struct RecordedEvent<'a> {
    /// Event source.
    pub source: &'a str,
    /// The payload (`$.input`).
    pub payload: &'a Value,
    /// Where it came from (`window`).
    pub origin: &'a str,
}

/// A status with every secret masked in its output and cause.
pub fn mask_status(status: &Status, secrets: &[String]) -> Status {
    match status {
        Status::Succeeded { output } => Status::Succeeded {
            output: Db::redact(output, secrets),
        },
        Status::Failed { error, cause } => Status::Failed {
            error: mask_text(error, secrets),
            cause: mask_text(cause, secrets),
        },
        Status::Running => Status::Running,
    }
}

fn mask_text(text: &str, secrets: &[String]) -> String {
    match Db::redact(&Value::String(text.to_string()), secrets) {
        Value::String(s) => s,
        _ => String::new(),
    }
}

/// The history as stored: each step's data, with its HTTP exchanges (`http`) when there
/// were any, masked.
pub fn masked_history(
    history: &[HistoryEvent],
    exchanges: &[Vec<Exchange>],
    notes: &[serde_json::Map<String, Value>],
    secrets: &[String],
) -> Value {
    let steps = history
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
            if let (Some(x), Value::Object(m)) =
                (exchanges.get(i).filter(|x| !x.is_empty()), &mut v)
            {
                m.insert(
                    "http".into(),
                    serde_json::to_value(x).unwrap_or(Value::Null),
                );
            }
            if let (Some(n), Value::Object(m)) = (notes.get(i), &mut v) {
                m.extend(n.clone());
            }
            v
        })
        .collect();
    Db::redact(&Value::Array(steps), secrets)
}

/// Stores an ended run (and, for a run that did not come through the queue, its event),
/// everything masked with the integration's secrets. The execution's id.
pub fn record(db: &Db, run: &Run<'_>, event: Option<&RecordedEvent<'_>>) -> Result<i64> {
    let secrets = db.secrets(&run.spec.integration)?;
    let event_id = match event {
        Some(e) => Some(db.record_event(
            Some(&run.spec.integration),
            e.source,
            run.event_type,
            &Db::redact(e.payload, &secrets),
            e.origin,
        )?),
        None => run.event_id,
    };
    db.insert_execution(&prepare(run, event_id, &secrets))
}

/// An ended run as the row to store, everything masked with `secrets` (the integration's:
/// [`Db::secrets`]). [`record`] stores one; the dispatcher stores a batch at once.
pub fn prepare(run: &Run<'_>, event_id: Option<i64>, secrets: &[String]) -> NewExecution {
    let logs: Vec<Value> = log_lines(run.status, run.history.last())
        .into_iter()
        .map(|(level, text)| serde_json::json!({"level": level, "text": text}))
        .collect();
    NewExecution::new(
        event_id,
        run.spec,
        run.event_type,
        &mask_status(run.status, secrets),
        &masked_history(run.history, run.exchanges, run.notes, secrets),
        &Db::redact(&Value::Array(logs), secrets),
        run.attempts,
        run.started,
        run.delay,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_most_specific_mock_wins_whatever_the_order() {
        let m = |attempt, call, outcome| Mock {
            action: "zis:a:action:x".into(),
            attempt,
            call,
            outcome,
        };
        let every = m(None, None, MockOutcome::Status(503));
        let second = m(Some(2), None, MockOutcome::Body(json!({"attempt": 2})));
        let third_call = m(None, Some(3), MockOutcome::Body(json!({"call": 3})));
        for mocks in [
            vec![every.clone(), second.clone(), third_call.clone()],
            vec![third_call.clone(), second.clone(), every.clone()],
        ] {
            assert_eq!(mock_for(&mocks, "zis:a:action:x", 1, 1), Some(&every));
            assert_eq!(mock_for(&mocks, "zis:a:action:x", 2, 2), Some(&second));
            assert_eq!(mock_for(&mocks, "zis:a:action:x", 2, 3), Some(&third_call));
            assert_eq!(mock_for(&mocks, "zis:a:action:y", 2, 3), None);
        }
    }

    #[test]
    fn attempt_specific_mocks_apply_only_to_their_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("db.sqlite")).unwrap();
        // The every-attempt mock first: the attempt's own still wins on attempt 2.
        let mocks = vec![
            Mock {
                action: "zis:a:action:x".into(),
                attempt: None,
                call: None,
                outcome: MockOutcome::Status(503),
            },
            Mock {
                action: "zis:a:action:x".into(),
                attempt: Some(2),
                call: None,
                outcome: MockOutcome::Body(json!({"ok": true})),
            },
        ];
        let mut a = Actions::new(
            &db,
            "a",
            &json!({"resources": {}}),
            &ActionSettings::default(),
            mocks,
        )
        .unwrap();
        let err = a.execute("zis:a:action:x", &json!({})).unwrap_err();
        assert_eq!(err.error, "States.TaskFailed");
        a.attempt = 2;
        assert_eq!(
            a.execute("zis:a:action:x", &json!({})).unwrap(),
            json!({"ok": true})
        );
    }

    #[test]
    fn a_failed_status_is_masked_in_error_and_cause() {
        let s = mask_status(
            &Status::Failed {
                error: "E".into(),
                cause: "token tok123 leaked".into(),
            },
            &["tok123".to_string()],
        );
        assert_eq!(
            s,
            Status::Failed {
                error: "E".into(),
                cause: "token ***** leaked".into()
            }
        );
    }
}
