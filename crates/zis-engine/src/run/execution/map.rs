//! Map states: entering the iterator (ItemsPath, the ZIS item limit, `MaxConcurrencyPath`
//! checked), one step per state of each iteration in a new frame, and at each iteration's
//! end either the next item or the Map's result (the array of the iterations' outputs)
//! through the Map state's own data flow.

use super::{Execution, Flow, Frame, HistoryEvent, MapRun, Status, Step};
use crate::run::{StatesError, dataflow};
use serde_json::Value;

impl Execution {
    /// A Map state: pushes the frame of its first iteration (an empty array is the result
    /// at once).
    pub(super) fn run_map<'a>(
        &mut self,
        step: &Step<'_, 'a>,
        items_path: Option<&str>,
        event: &mut HistoryEvent,
    ) -> Result<Flow<'a>, StatesError> {
        let (state, effective, frame, machine_value) =
            (step.state, &step.effective, step.frame, step.machine_value);
        let data = step.data();
        let items = match items_path {
            Some(p) => dataflow::eval_path(p, effective, None)?,
            None => effective.as_ref().clone(),
        };
        let Value::Array(items) = items else {
            return Err(StatesError::runtime(format!(
                "Reference path \"{}\" must point to array.",
                items_path.unwrap_or("$")
            )));
        };
        let raw = step.raw();
        if let Some(p) = raw
            .and_then(|r| r.get("MaxConcurrencyPath"))
            .and_then(Value::as_str)
        {
            let v = dataflow::eval_path(p, effective, None)?;
            if v.as_u64().is_none() {
                return Err(StatesError::runtime(format!(
                    "The MaxConcurrencyPath field refers to value \"{}\" which is not a valid integer: {p}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )));
            }
        }
        if let Some(max) = self.settings.max_map_items
            && items.len() > max
        {
            return Err(StatesError::fatal(
                "States.Runtime",
                format!(
                    "The Map's items array holds {} items; ZIS allows at most {max}",
                    items.len()
                ),
            ));
        }
        let key = if state.keys.contains(&"Iterator") {
            "Iterator"
        } else {
            "ItemProcessor"
        };
        let machine = format!(
            "{}/States/{}/{key}",
            frame.machine,
            crate::json::pointer::escape(state.name)
        );
        let inner_start = machine_value
            .pointer(&format!(
                "/States/{}/{key}/StartAt",
                crate::json::pointer::escape(state.name)
            ))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if items.is_empty() {
            let out = self.finish_result(state, data, Value::Array(Vec::new()), event)?;
            return Ok(step.next_or_end(out));
        }
        let first = items.first().cloned().unwrap_or(Value::Null);
        self.frames.push(Frame {
            machine,
            current: inner_start,
            data: first,
            map: Some(MapRun {
                state: state.name.to_string(),
                items,
                index: 0,
                results: Vec::new(),
                bytes: 0,
                parent_data: data.clone(),
            }),
        });
        Ok(Flow::Entered)
    }

    /// A machine reached its end: the execution succeeds, or a Map iteration completes.
    pub(super) fn finish_frame(&mut self, data: Value, event: &mut HistoryEvent) {
        let Some(mut frame) = self.frames.pop() else {
            return;
        };
        let Some(mut map) = frame.map.take() else {
            self.status = Status::Succeeded { output: data };
            return;
        };
        if let Some(limit) = self.settings.payload_limit {
            map.bytes += dataflow::json_size(&data, limit);
            if map.bytes > limit {
                // No more iterations: the results are over the limit already, and the Map's
                // result check below fails the state with States.DataLimitExceeded.
                map.index = map.items.len();
            }
        }
        map.results.push(data);
        map.index += 1;
        if let Some(item) = map.items.get(map.index).cloned() {
            let start = self
                .definition
                .machine(&frame.machine)
                .and_then(|(m, _)| m.start_at)
                .unwrap_or_default()
                .to_string();
            frame.current = start;
            frame.data = item;
            frame.map = Some(map);
            self.frames.push(frame);
            return;
        }
        // The Map state completes in its parent frame.
        let Some((machine, current)) = self
            .frames
            .last()
            .map(|p| (p.machine.clone(), p.current.clone()))
        else {
            return;
        };
        let compiled = std::sync::Arc::clone(&self.definition);
        let Some(state) = compiled
            .machine(&machine)
            .and_then(|(m, _)| m.state(&map.state))
        else {
            return;
        };
        let mut map_event = event.clone();
        match self.finish_result(
            state,
            &map.parent_data,
            Value::Array(map.results),
            &mut map_event,
        ) {
            Ok(out) => match state.next {
                Some(n) => {
                    if let Some(top) = self.frames.last_mut() {
                        top.current = n.to_string();
                        top.data = out;
                    }
                }
                None => self.finish_frame(out, event),
            },
            Err(e) => {
                let frame = Frame {
                    machine,
                    current,
                    data: map.parent_data,
                    map: None,
                };
                self.handle_error(state, &frame, e, event);
            }
        }
    }
}
