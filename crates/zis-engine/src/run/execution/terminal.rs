//! Succeed and Fail states: a ZIS Succeed renders its `Message`; a Fail ends with its
//! `Error` and `Cause` (ZIS: a reference path (`$.summary.text`) is the value there — a
//! non-string as JSON text — and `{{ }}` placeholders are rendered, zis-facts.md 2.8;
//! ASL: `ErrorPath`/`CausePath`).

use super::{Execution, Flow, HistoryEvent, Step};
use crate::run::{StatesError, dataflow};
use crate::validate::Mode;
use serde_json::Value;

impl Execution {
    /// A Succeed state.
    pub(super) fn run_succeed<'a>(
        &self,
        step: &Step<'_, 'a>,
        message: Option<&str>,
        event: &mut HistoryEvent,
    ) -> Result<Flow<'a>, StatesError> {
        let (mode, effective) = (self.settings.mode, &step.effective);
        if let (Some(m), Mode::Zis) = (message, mode) {
            event.result = Some(std::sync::Arc::new(match dataflow::message_reference(m) {
                Some(p) => Value::String(text_of(&dataflow::eval_path(p, effective, None)?)),
                None => dataflow::interpolate(m, effective, None, self.templating())?,
            }));
        }
        let out = self.pass_through(step.state, step.effective_is_data(), effective)?;
        Ok(Flow::End(out))
    }

    /// A Fail state: always an error.
    pub(super) fn run_fail<'a>(
        &self,
        step: &Step<'_, 'a>,
        error: Option<&str>,
        cause: Option<&str>,
    ) -> Result<Flow<'a>, StatesError> {
        let (mode, effective) = (self.settings.mode, &step.effective);
        let render = |s: Option<&str>| -> Result<String, StatesError> {
            match (s, mode) {
                (Some(s), Mode::Zis) => match dataflow::message_reference(s) {
                    Some(p) => Ok(text_of(&dataflow::eval_path(p, effective, None)?)),
                    None => Ok(text_of(&dataflow::interpolate(
                        s,
                        effective,
                        None,
                        self.templating(),
                    )?)),
                },
                (Some(s), _) => Ok(s.to_string()),
                (None, _) => Ok("null".to_string()),
            }
        };
        let raw = step.raw();
        let from_path = |key: &str| -> Result<Option<String>, StatesError> {
            let Some(p) = raw.and_then(|r| r.get(key)).and_then(Value::as_str) else {
                return Ok(None);
            };
            let v = dataflow::eval_path(p, effective, None).map_err(|e| {
                        StatesError::runtime(format!("The JSONPath '{p}' specified for the field '{key}' could not be found in the input ({})", e.cause))
                    })?;
            Ok(Some(
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            ))
        };
        let error = match from_path("ErrorPath")? {
            Some(e) => e,
            None => render(error)?,
        };
        let cause = match from_path("CausePath")? {
            Some(c) => c,
            None => render(cause)?,
        };
        Err(StatesError::named(error, cause))
    }
}

/// A value as log text: a string as it is, anything else as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
