//! Wait states on the virtual clock: `Seconds` or `SecondsPath` (ZIS and ASL rules for the
//! value), the flow's timeout reached during a Wait, and real sleeping when the settings
//! ask for it.

use super::{Execution, Flow, Step};
use crate::run::{StatesError, dataflow};
use crate::validate::Mode;
use serde_json::Value;

impl Execution {
    /// A Wait state.
    pub(super) fn run_wait<'a>(
        &mut self,
        step: &Step<'_, 'a>,
        seconds: Option<&Value>,
        seconds_path: Option<&str>,
    ) -> Result<Flow<'a>, StatesError> {
        let (state, effective) = (step.state, &step.effective);
        let secs = match (seconds, seconds_path) {
            (Some(s), _) => s.as_f64().unwrap_or(0.0),
            (None, Some(p)) => {
                let v = dataflow::eval_path(p, effective, None)?;
                wait_seconds(&v, p, self.settings.mode)?
            }
            _ => 0.0,
        };
        let secs = secs.max(0.0);
        if let Some(limit) = self.settings.timeout_secs
            && self.time_secs + secs > limit
        {
            // ZIS ends the Wait early and the flow with it.
            self.time_secs = limit;
            return Err(StatesError::fatal(
                "States.Timeout",
                format!(
                    "The flow timed out after {limit} seconds (during Wait state '{}')",
                    state.name
                ),
            ));
        }
        if self.settings.real_time_wait && secs > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(secs));
        }
        self.time_secs += secs;
        let out = self.pass_through(state, step.effective_is_data(), effective)?;
        Ok(step.next_or_end(out))
    }
}

fn wait_seconds(v: &Value, path: &str, mode: Mode) -> Result<f64, StatesError> {
    match (v, mode) {
        (Value::Number(n), Mode::Zis) => Ok(n.as_f64().unwrap_or(0.0)),
        (Value::Number(n), Mode::Asl) => match n.as_i64() {
            Some(s) if s >= 0 => Ok(s as f64),
            Some(_) => Err(StatesError::runtime(format!(
                "The SecondsPath parameter references a negative value: {path}"
            ))),
            None => Err(StatesError::runtime(format!(
                "The SecondsPath parameter cannot be parsed as a long value: {path}"
            ))),
        },
        _ => Err(StatesError::runtime(format!(
            "The SecondsPath parameter does not reference a valid integer: {path}"
        ))),
    }
}
