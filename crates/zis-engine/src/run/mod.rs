//! Running flows: the data flow of one state ([`dataflow`]: InputPath → Parameters → the
//! state's work → ResultSelector → ResultPath → OutputPath), Choice rules ([`choice`]) and
//! the resumable stepper ([`execution`]) with ZIS's limits and retries.

pub mod choice;
pub mod dataflow;
pub mod execution;

/// A runtime error a flow can catch (`{"Error": ..., "Cause": ...}`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{error}: {cause}")]
pub struct StatesError {
    /// The error name, e.g. `States.Runtime`.
    pub error: String,
    /// What happened, for a person.
    pub cause: String,
    /// ZIS retries the flow on this error (a 5xx or 429 response, a timeout or a network
    /// failure of an action; zis-facts.md 7). Not part of the caught error object.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retryable: bool,
    /// It ends the flow: no Catch takes it and no retry follows (the flow's time limit,
    /// the Map's item limit). Not part of the caught error object.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fatal: bool,
}

impl StatesError {
    /// A `States.Runtime` error.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::named("States.Runtime", cause)
    }

    /// An error with this name and cause, not retryable.
    pub fn named(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
            retryable: false,
            fatal: false,
        }
    }

    /// An error that ends the flow whatever its Catch says (a ZIS limit).
    pub fn fatal(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            fatal: true,
            ..Self::named(error, cause)
        }
    }

    /// A custom action's non-2xx response, as ZIS reports it (`Cause`: `external action
    /// failed due to status code: 404`); retryable for 5xx and 429.
    pub fn http_status(status: u16) -> Self {
        Self {
            error: "States.TaskFailed".into(),
            cause: format!("external action failed due to status code: {status}"),
            retryable: status >= 500 || status == 429,
            fatal: false,
        }
    }

    /// An action that timed out or could not reach its server: retryable.
    pub fn transient(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            retryable: true,
            ..Self::named(error, cause)
        }
    }
}
