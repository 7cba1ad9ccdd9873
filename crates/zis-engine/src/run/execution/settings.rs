//! [`Settings`]: the limits and semantics one execution runs with, with ZIS and ASL
//! defaults.

use crate::run::dataflow;
use crate::validate::Mode;

/// Limits and semantics of one execution.
#[derive(Clone, Debug)]
pub struct Settings {
    /// ZIS or ASL semantics (`{{ }}` templates, Action states).
    pub mode: Mode,
    /// State transitions allowed (ZIS: 250), Map iterations' states included.
    pub max_transitions: Option<u32>,
    /// Virtual seconds before the flow times out (ZIS: 100).
    pub timeout_secs: Option<f64>,
    /// Items a Map may iterate over (ZIS: 100).
    pub max_map_items: Option<usize>,
    /// Largest state result or output in bytes (ASL: 256 KiB).
    pub payload_limit: Option<usize>,
    /// Apply InputPath, OutputPath, ResultSelector and Parameters outside Action states as
    /// ASL does. ZIS does not document them (zis-facts.md 2.2): off in ZIS, where they are
    /// ignored (and the validator warns, W005).
    pub asl_io_fields: bool,
    /// What a `{{ }}` placeholder that finds nothing becomes.
    pub missing_placeholder: dataflow::MissingPlaceholder,
    /// A string that is exactly one `{{ }}` placeholder keeps the value's JSON type
    /// (unconfirmed, zis-facts.md 2.4; off).
    pub single_placeholder_keeps_type: bool,
    /// Times a flow is restarted after an uncaught retryable error (ZIS: 3; ASL: 0).
    pub retries: u32,
    /// Retry a retryable error before a Catch takes it: the flow is retried first and the
    /// Catch applies on the last attempt (zis-facts.md 7, "retries exhausted → Catch"; the
    /// order is unconfirmed). Off: a caught error is not retried.
    pub retry_before_catch: bool,
    /// Virtual seconds between a failed attempt and the next (unconfirmed; 0).
    pub retry_backoff_secs: f64,
    /// Wait states really sleep instead of advancing the virtual clock.
    pub real_time_wait: bool,
    /// The wall time an action takes counts toward the flow's timeout (ZIS: the 100 s
    /// include the actions; whole milliseconds).
    pub count_action_time: bool,
    /// An action's timeout when its state has no `TimeoutSeconds` (ZIS's default is
    /// unconfirmed, zis-facts.md 2.9: none).
    pub default_action_timeout_secs: Option<f64>,
    /// A retry runs the failing state again with the data it had, instead of restarting
    /// the flow from `StartAt` (zis-facts.md 7 leaves it unconfirmed; off).
    pub retry_resumes: bool,
    /// `$.connections.<name>.access_token` holds the integration's OAuth tokens
    /// (zis-facts.md 2.3: unconfirmed for current ZIS; on).
    pub connections_in_input: bool,
    /// A Choice comparison on a `Variable` that is not there is false (ASL, the default:
    /// a runtime error; zis-facts.md 2.6).
    pub choice_missing_is_false: bool,
}

impl Settings {
    /// ZIS defaults (zis-facts.md 2.7 and 2.9).
    pub fn zis() -> Self {
        Self {
            mode: Mode::Zis,
            max_transitions: Some(250),
            timeout_secs: Some(100.0),
            max_map_items: Some(100),
            payload_limit: Some(dataflow::ZIS_PAYLOAD_LIMIT),
            asl_io_fields: false,
            missing_placeholder: dataflow::MissingPlaceholder::Error,
            single_placeholder_keeps_type: false,
            retries: 3,
            retry_before_catch: true,
            retry_backoff_secs: 0.0,
            real_time_wait: false,
            count_action_time: true,
            default_action_timeout_secs: None,
            retry_resumes: false,
            connections_in_input: true,
            choice_missing_is_false: false,
        }
    }

    /// AWS Step Functions (standard) semantics, no ZIS limits.
    pub fn asl() -> Self {
        Self {
            mode: Mode::Asl,
            max_transitions: None,
            timeout_secs: None,
            max_map_items: None,
            payload_limit: Some(dataflow::ASL_PAYLOAD_LIMIT),
            asl_io_fields: true,
            missing_placeholder: dataflow::MissingPlaceholder::Error,
            single_placeholder_keeps_type: false,
            retries: 0,
            retry_before_catch: false,
            retry_backoff_secs: 0.0,
            real_time_wait: false,
            count_action_time: false,
            default_action_timeout_secs: None,
            retry_resumes: false,
            connections_in_input: true,
            choice_missing_is_false: false,
        }
    }
}
