//! What a step reports: where the execution stands ([`Status`]) and what one step did
//! ([`HistoryEvent`]).

use crate::run::StatesError;
use serde::Serialize;
use serde_json::Value;

/// Where an execution stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// More steps to take.
    Running,
    /// Ended well, with this output.
    Succeeded {
        /// The flow's output.
        output: Value,
    },
    /// Ended with an uncaught error.
    Failed {
        /// `Error`.
        error: String,
        /// `Cause`.
        cause: String,
    },
}

/// The data at one phase of a step: shared, so phases that leave the data as it was (no
/// InputPath, no Parameters, no ResultSelector...) hold the same value without a copy.
pub type Snapshot = std::sync::Arc<Value>;

/// The shared `null` an event holds as its input when it keeps no data.
pub(super) fn null() -> Snapshot {
    static NULL: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
    Snapshot::clone(NULL.get_or_init(|| std::sync::Arc::new(Value::Null)))
}

/// What one step did: the state, the data at each phase, and where it went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEvent {
    /// The state's name.
    pub state: String,
    /// Its type.
    pub state_type: &'static str,
    /// Map nesting: the Map states (and item indexes) this state runs inside.
    pub frames: Vec<(String, usize)>,
    /// `$` before the state.
    pub input: Snapshot,
    /// After InputPath.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_input_path: Option<Snapshot>,
    /// After Parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_parameters: Option<Snapshot>,
    /// The action's (or Pass's) raw result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Snapshot>,
    /// After ResultSelector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_selector: Option<Snapshot>,
    /// After ResultPath.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_result_path: Option<Snapshot>,
    /// `$` after the state (after OutputPath).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Snapshot>,
    /// The next state, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The error the state raised (caught or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StatesError>,
    /// True when a Catch took the error.
    pub caught: bool,
    /// Transitions so far (in this attempt).
    pub transitions: u32,
    /// Virtual seconds since the start (of this attempt).
    pub time_secs: f64,
    /// Which attempt of the flow this step belongs to (1, then 2.. after retries).
    pub attempt: u32,
    /// The error of this step restarts the flow from `StartAt` (a ZIS retry).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retried: bool,
}
