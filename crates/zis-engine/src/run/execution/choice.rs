//! Choice states: the first matching rule's `Next`, else `Default`, else
//! `States.NoChoiceMatched`; the rules themselves are evaluated by [`crate::run::choice`].

use super::{Execution, Flow, Step};
use crate::model::ChoiceRule;
use crate::run::{StatesError, choice};

impl Execution {
    /// A Choice state.
    pub(super) fn run_choice<'a>(
        &self,
        step: &Step<'_, 'a>,
        choices: Option<&[ChoiceRule<'a>]>,
        default: Option<&'a str>,
    ) -> Result<Flow<'a>, StatesError> {
        let effective = &step.effective;
        let rules = choices.unwrap_or(&[]);
        let next = match choice::first_match_with(
            rules,
            effective,
            self.settings.choice_missing_is_false,
        )? {
            Some(i) => rules.get(i).and_then(|r| r.next),
            None => default,
        };
        let next =
            next.ok_or_else(|| StatesError::named("States.NoChoiceMatched", "No Matches!"))?;
        let out = self.pass_through(step.state, step.effective_is_data(), effective)?;
        Ok(Flow::Next(next, out))
    }
}
