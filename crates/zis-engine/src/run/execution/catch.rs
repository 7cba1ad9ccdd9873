//! Errors a state raises: a matching `Catch` places the error object and continues at its
//! `Next`; uncaught, the error leaves a Map iteration for the Map state to handle (and so
//! on up), then restarts the flow when ZIS retries it, or fails the execution.

use super::{Execution, Frame, HistoryEvent, Status};
use crate::model::State;
use crate::run::{StatesError, dataflow};
use serde_json::json;

impl Execution {
    /// Catch takes the error when it can; otherwise it fails the Map (and so on up) or the flow.
    pub(super) fn handle_error(
        &mut self,
        state: &State<'_>,
        frame: &Frame,
        e: StatesError,
        event: &mut HistoryEvent,
    ) {
        // A ZIS limit ends the flow, inside a Map iteration too: no Catch, no retry.
        if e.fatal {
            return self.fail(e);
        }
        if self.settings.retry_before_catch && self.retry(&e, event) {
            return;
        }
        if let Some(catcher) = state.catch.iter().flatten().find(|c| {
            c.error_equals
                .as_ref()
                .is_some_and(|names| names.iter().any(|n| *n == "States.ALL" || *n == e.error))
        }) {
            let error_object = json!({"Error": e.error, "Cause": e.cause});
            match dataflow::place_result(&catcher.result_path, frame.data.clone(), error_object) {
                Ok(data) => {
                    if let (Some(next), Some(top)) = (catcher.next, self.frames.last_mut()) {
                        top.current = next.to_string();
                        top.data = data.clone();
                        self.check_data = true;
                        event.caught = true;
                        event.next = Some(next.to_string());
                        event.output = self.record.then(|| std::sync::Arc::new(data));
                        return;
                    }
                }
                Err(e2) => return self.fail_or_retry(e2, event),
            }
        }
        // Uncaught: leave a Map iteration and let the Map state handle it.
        if self.frames.len() > 1
            && let Some(map) = self.frames.pop().and_then(|f| f.map)
        {
            let Some((machine, current)) = self
                .frames
                .last()
                .map(|p| (p.machine.clone(), p.current.clone()))
            else {
                return self.fail_or_retry(e, event);
            };
            let compiled = std::sync::Arc::clone(&self.definition);
            if let Some(map_state) = compiled
                .machine(&machine)
                .and_then(|(m, _)| m.state(&map.state))
            {
                let frame = Frame {
                    machine,
                    current,
                    data: map.parent_data,
                    map: None,
                };
                return self.handle_error(map_state, &frame, e, event);
            }
        }
        self.fail_or_retry(e, event);
    }

    /// An uncaught error: a ZIS retry when it is retryable and attempts remain, else the
    /// end of the flow.
    pub(super) fn fail_or_retry(&mut self, e: StatesError, event: &mut HistoryEvent) {
        if !self.retry(&e, event) {
            self.fail(e);
        }
    }

    /// Restarts the flow from `StartAt` with the original input when `e` is retryable and
    /// attempts remain.
    pub(super) fn retry(&mut self, e: &StatesError, event: &mut HistoryEvent) -> bool {
        if !e.retryable || self.attempt > self.settings.retries {
            return false;
        }
        if self.settings.retry_resumes
            && let Some(current) = self.frames.last().map(|f| f.current.clone())
        {
            // The failing state again, with the data it had.
            self.attempt += 1;
            self.status = Status::Running;
            event.retried = true;
            event.next = Some(current);
            return true;
        }
        let start = self.definition.start_at().to_string();
        self.frames = vec![Frame {
            machine: String::new(),
            current: start.to_string(),
            data: self.input.clone(),
            map: None,
        }];
        self.check_data = true;
        self.attempt += 1;
        self.transitions = 0;
        self.time_secs = self.settings.retry_backoff_secs;
        self.status = Status::Running;
        event.retried = true;
        event.next = Some(start.to_string());
        true
    }
}
