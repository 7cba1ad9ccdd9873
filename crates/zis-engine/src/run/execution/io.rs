//! The data flow around a state's work, as the settings ask for it: InputPath, Parameters,
//! then ResultSelector, ResultPath and OutputPath around a result (with the payload limit),
//! each phase's data recorded in the step's event.

use super::{Execution, HistoryEvent, Snapshot};
use crate::model::{PathField, State, StateKind};
use crate::run::{StatesError, dataflow};
use serde_json::Value;
use std::borrow::Cow;

impl Execution {
    pub(super) fn templating(&self) -> dataflow::Templating {
        dataflow::Templating {
            mode: self.settings.mode,
            missing: self.settings.missing_placeholder,
            single_placeholder_keeps_type: self.settings.single_placeholder_keeps_type,
        }
    }

    /// `$` after InputPath: the data itself (borrowed) unless an InputPath selects from it.
    pub(super) fn input_path<'d>(
        &self,
        state: &State<'_>,
        data: &'d Value,
    ) -> Result<Cow<'d, Value>, StatesError> {
        if self.settings.asl_io_fields && state.input_path != PathField::Absent {
            dataflow::select_path(&state.input_path, data, None).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(data))
        }
    }

    /// The state's output after OutputPath: `data` itself unless an OutputPath selects
    /// from it.
    pub(super) fn output_path(
        &self,
        state: &State<'_>,
        data: Cow<'_, Value>,
    ) -> Result<Value, StatesError> {
        if self.settings.asl_io_fields && state.output_path != PathField::Absent {
            dataflow::select_path(&state.output_path, &data, None)
        } else {
            Ok(data.into_owned())
        }
    }

    /// The output of a state that passes its data on: the data itself (moved, not copied)
    /// unless an InputPath or OutputPath selected from it.
    pub(super) fn pass_through(
        &self,
        state: &State<'_>,
        step_data: bool,
        effective: &Value,
    ) -> Result<super::Out, StatesError> {
        if step_data && !(self.settings.asl_io_fields && state.output_path != PathField::Absent) {
            Ok(super::Out::Same)
        } else {
            self.output_path(state, Cow::Borrowed(effective))
                .map(super::Out::New)
        }
    }

    pub(super) fn parameters(
        &self,
        state: &State<'_>,
        effective: &Value,
        event: &mut HistoryEvent,
    ) -> Result<Value, StatesError> {
        let applies = self.settings.asl_io_fields || matches!(state.kind, StateKind::Action { .. });
        let params = match state.parameters {
            Some(t) if applies => {
                let params = dataflow::render(t, effective, None, self.templating())?;
                // (Without Parameters the data is a part of what was checked already: see
                // `Execution::check_data`.)
                if let Some(limit) = self.settings.payload_limit {
                    dataflow::check_size(state.name, &params, limit)?;
                }
                params
            }
            _ => {
                // No Parameters: the same snapshot as after InputPath.
                event.after_parameters = event.after_input_path.clone();
                return Ok(effective.clone());
            }
        };
        event.after_parameters = self.keep(&params);
        Ok(params)
    }

    /// ResultSelector, ResultPath and OutputPath around a result.
    pub(super) fn finish_result(
        &self,
        state: &State<'_>,
        data: &Value,
        result: Value,
        event: &mut HistoryEvent,
    ) -> Result<Value, StatesError> {
        self.finish_checked_result(state, data, result, false, None, event)
    }

    /// [`Execution::finish_result`] of a result whose size is known to be in the limit
    /// (`checked`).
    pub(super) fn finish_checked_result(
        &self,
        state: &State<'_>,
        data: &Value,
        result: Value,
        checked: bool,
        recorded: Option<Snapshot>,
        event: &mut HistoryEvent,
    ) -> Result<Value, StatesError> {
        event.result = match recorded {
            Some(r) if self.record => Some(r),
            _ => self.keep(&result),
        };
        if let Some(limit) = self.settings.payload_limit
            && !checked
        {
            dataflow::check_size(state.name, &result, limit)?;
        }
        let selector_applied = state.result_selector.is_some() && self.settings.asl_io_fields;
        let selected = match state.result_selector {
            Some(t) if selector_applied => dataflow::render(t, &result, None, self.templating())?,
            _ => result,
        };
        // A phase that leaves the data as it was shares the previous phase's snapshot.
        event.after_result_selector = if selector_applied {
            self.keep(&selected)
        } else {
            event.result.clone()
        };
        let placed = match state.result_path {
            // Replaces the data: no copy of it.
            PathField::Absent => selected,
            _ => dataflow::place_result(&state.result_path, data.clone(), selected)?,
        };
        event.after_result_path = if state.result_path == PathField::Absent {
            event.after_result_selector.clone()
        } else {
            self.keep(&placed)
        };
        let output_applied = self.settings.asl_io_fields && state.output_path != PathField::Absent;
        // The output is the result itself (checked above) unless a field changed it.
        let same_as_result =
            !selector_applied && !output_applied && state.result_path == PathField::Absent;
        let out = self.output_path(state, Cow::Owned(placed))?;
        if let Some(limit) = self.settings.payload_limit
            && !same_as_result
        {
            dataflow::check_size(state.name, &out, limit)?;
        }
        event.output = if output_applied {
            self.keep(&out)
        } else {
            event.after_result_path.clone()
        };
        Ok(out)
    }
}
