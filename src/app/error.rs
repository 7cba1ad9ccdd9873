//! [`AppError`]: why a command could not be done, typed. Commands do not return it: the
//! state shows its text (status bar, a dock's error line) and, for failures of the machine
//! rather than of the user's input, the log has it too.

use std::path::PathBuf;

/// Why a command could not be done.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Refused, with the reason the user reads (a name taken, nothing at a pointer).
    #[error("{0}")]
    Refused(String),
    /// Typed JSON that does not parse.
    #[error("{line}:{column}: {message}")]
    Json {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// There is no debugging session.
    #[error("no session")]
    NoSession,
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The local stores refused or failed.
    #[error(transparent)]
    Store(#[from] zis_services::db::ServiceError),
    /// A store form was refused.
    #[error(transparent)]
    Form(#[from] crate::core::stores::FormError),
    /// A flow edit was refused.
    #[error(transparent)]
    Edit(#[from] crate::core::edit::EditError),
    /// The debugging session refused.
    #[error(transparent)]
    Session(#[from] crate::core::debug::SessionError),
    /// An operation failed: an export, talking to a ZIS account (its chain of causes).
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
}

impl AppError {
    /// Typed JSON that does not parse, from serde's error.
    pub fn json(e: &serde_json::Error) -> Self {
        AppError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }

    /// A refusal with this reason.
    pub fn refused(why: impl Into<String>) -> Self {
        AppError::Refused(why.into())
    }
}

/// Parses JSON the user typed; the error says where (`line:column: message`).
pub fn parse_json(text: &str) -> AppResult<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| AppError::json(&e))
}

/// True when a status message says a thing was not done (it is shown as an error, logged,
/// and stays until dismissed).
pub fn reads_as_failure(message: &str) -> bool {
    const NOT_DONE: [&str; 7] = [
        "cannot ",
        "not ",
        "nothing ",
        "no ",
        "still on the old",
        "the data was not changed",
        "the result was not changed",
    ];
    NOT_DONE.iter().any(|p| message.starts_with(p)) || message.contains("does not parse")
}

/// What app-layer functions return.
pub type AppResult<T> = Result<T, AppError>;
