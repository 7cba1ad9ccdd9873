//! Running flows. So far: the data flow of one state ([`dataflow`]), shared by every state
//! type: InputPath → Parameters → (the state's work) → ResultSelector → ResultPath →
//! OutputPath. The resumable stepper builds on it.

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
}

impl StatesError {
    /// A `States.Runtime` error.
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self {
            error: "States.Runtime".into(),
            cause: cause.into(),
        }
    }
}
