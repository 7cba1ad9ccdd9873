//! The data flow around a state's work, as the settings ask for it: InputPath, Parameters,
//! then ResultSelector, ResultPath and OutputPath around a result (with the payload limit),
//! each phase's data recorded in the step's event.

use super::{Execution, HistoryEvent};
use crate::model::{State, StateKind};
use crate::run::{StatesError, dataflow};
use serde_json::Value;

impl Execution {
    pub(super) fn templating(&self) -> dataflow::Templating {
        dataflow::Templating {
            mode: self.settings.mode,
            missing: self.settings.missing_placeholder,
            single_placeholder_keeps_type: self.settings.single_placeholder_keeps_type,
        }
    }

    pub(super) fn input_path(&self, state: &State<'_>, data: &Value) -> Result<Value, StatesError> {
        if self.settings.asl_io_fields {
            dataflow::select_path(&state.input_path, data, None)
        } else {
            Ok(data.clone())
        }
    }

    pub(super) fn output_path(
        &self,
        state: &State<'_>,
        data: &Value,
    ) -> Result<Value, StatesError> {
        if self.settings.asl_io_fields {
            dataflow::select_path(&state.output_path, data, None)
        } else {
            Ok(data.clone())
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
            Some(t) if applies => dataflow::render(t, effective, None, self.templating())?,
            _ => effective.clone(),
        };
        if let Some(limit) = self.settings.payload_limit {
            dataflow::check_size(state.name, &params, limit)?;
        }
        event.after_parameters = Some(params.clone());
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
        event.result = Some(result.clone());
        if let Some(limit) = self.settings.payload_limit {
            dataflow::check_size(state.name, &result, limit)?;
        }
        let selected = match state.result_selector {
            Some(t) if self.settings.asl_io_fields => {
                dataflow::render(t, &result, None, self.templating())?
            }
            _ => result,
        };
        event.after_result_selector = Some(selected.clone());
        let placed = dataflow::place_result(&state.result_path, data.clone(), selected)?;
        event.after_result_path = Some(placed.clone());
        let out = self.output_path(state, &placed)?;
        if let Some(limit) = self.settings.payload_limit {
            dataflow::check_size(state.name, &out, limit)?;
        }
        Ok(out)
    }
}
