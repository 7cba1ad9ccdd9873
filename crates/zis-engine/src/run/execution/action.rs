//! Pass and Action states: Parameters, then the result (Pass's `Result` or its input; the
//! action's answer, or the answer [`Execution::step_to`] held), then the result's data flow.

use super::{ActionExecutor, Execution, Flow, HistoryEvent, Step};
use crate::run::{StatesError, dataflow};
use serde_json::Value;

impl Execution {
    /// A Pass state.
    pub(super) fn run_pass<'a>(
        &self,
        step: &Step<'_, 'a>,
        result: Option<&Value>,
        event: &mut HistoryEvent,
    ) -> Result<Flow<'a>, StatesError> {
        let state = step.state;
        if result.is_none()
            && state.parameters.is_none()
            && state.result_selector.is_none()
            && state.result_path == crate::model::PathField::Absent
            && !self.record
        {
            // A Pass that only moves on: its output is its input.
            return Ok(step.next_or_end(self.pass_through(
                state,
                step.effective_is_data(),
                &step.effective,
            )?));
        }
        let params = self.parameters(step.state, &step.effective, event)?;
        // Parameters were checked when rendered (without, they are a part of the data);
        // a `Result`'s size is known since the definition was compiled.
        // A Pass without `Result` gives its parameters: the same snapshot.
        let recorded = match result {
            None => event.after_parameters.clone(),
            Some(_) => None,
        };
        let r = match result {
            Some(v) => {
                if let Some(limit) = self.settings.payload_limit
                    && self
                        .definition
                        .result_size(v)
                        .unwrap_or_else(|| dataflow::json_size(v, limit))
                        > limit
                {
                    return Err(dataflow::too_big(state.name));
                }
                v.clone()
            }
            None => params,
        };
        let out = self.finish_checked_result(state, step.data(), r, true, recorded, event)?;
        Ok(step.next_or_end(out))
    }

    /// An Action state: calls the action unless an answer for this state is held.
    pub(super) fn run_action<'a>(
        &mut self,
        step: &Step<'_, 'a>,
        action_name: Option<&str>,
        event: &mut HistoryEvent,
        actions: &mut dyn ActionExecutor,
    ) -> Result<Flow<'a>, StatesError> {
        let state = step.state;
        let params = self.parameters(state, &step.effective, event)?;
        let name = action_name.unwrap_or_default();
        let r = match self.held.take() {
            Some((held_state, answer)) if held_state == state.name => {
                // The call was made when the step stopped inside it: its time counts now.
                if self.settings.count_action_time {
                    self.time_secs +=
                        (std::mem::take(&mut self.held_secs) * 1000.0).floor() / 1000.0;
                }
                answer?
            }
            _ => {
                // The state's own TimeoutSeconds, enforced (zis-facts 2.9).
                let own = step
                    .raw()
                    .and_then(|r| r.get("TimeoutSeconds"))
                    .and_then(Value::as_f64)
                    .or(self.settings.default_action_timeout_secs)
                    .filter(|t| *t > 0.0);
                let left = self.settings.timeout_secs.map(|t| t - self.time_secs);
                let limit = match (left, own) {
                    (Some(l), Some(o)) => Some(l.min(o)),
                    (l, o) => l.or(o),
                };
                actions.set_time_left(limit);
                let started = std::time::Instant::now();
                let answer = actions.execute(name, &params);
                // Whole milliseconds: a local call of microseconds leaves the clock; a mock's
                // delay is time on the flow's clock.
                let took =
                    started.elapsed().as_millis() as f64 / 1000.0 + actions.take_delay_secs();
                // A call cut short (an error at about the limit) or that ran past it ended at
                // the limit: the state's own TimeoutSeconds (a catchable States.Timeout), or
                // the flow's time (the flow ends: no Catch, no retry).
                let hit = |t: f64| took >= t || (answer.is_err() && took >= t * 0.99);
                let count = |secs: f64, exec: &mut Self| {
                    if exec.settings.count_action_time {
                        exec.time_secs += secs;
                    }
                };
                match (own, left) {
                    (Some(t), l) if l.is_none_or(|l| t <= l) && hit(t) => {
                        count(t, self);
                        return Err(StatesError::transient(
                            "States.Timeout",
                            format!("The action took longer than its TimeoutSeconds ({t} s)"),
                        ));
                    }
                    (_, Some(l))
                        if self.settings.count_action_time
                            && (took > l || (answer.is_err() && took >= l * 0.99)) =>
                    {
                        count(l.max(0.0), self);
                        let limit = self.settings.timeout_secs.unwrap_or_default();
                        return Err(StatesError::fatal(
                            "States.Timeout",
                            format!(
                                "The flow timed out after {limit} seconds (during action state '{}')",
                                state.name
                            ),
                        ));
                    }
                    _ => {
                        count(took, self);
                        answer?
                    }
                }
            }
        };
        let out = self.finish_result(state, step.data(), r, event)?;
        Ok(step.next_or_end(out))
    }
}
