//! What a step did besides the flow's own work, so the debugger never passes off an
//! intervention as the flow's doing: the calls it made (and the mock that answered each),
//! and marks for what the user changed — a forced branch, an edited result, edited data (a
//! fork), a start from a stored step (a redrive), a step taken on an older definition. The
//! timeline shows them, the stored execution keeps them in its history, exports show them,
//! and Save as test turns them into a test that replays (or says why it cannot).
//!
//! The store as it was where a run can start again (the session's start, each fork) is
//! kept too ([`StoreSnapshot`]), so a saved test begins from the same configs and links.

use super::Session;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use zis_services::runner::Mock;

/// One action call of a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// The action's full name.
    pub action: String,
    /// The mock that answered it instead of the action, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mock: Option<Mock>,
}

/// Something the user did to a step (see the module doc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mark", rename_all = "snake_case")]
pub enum Mark {
    /// The Choice went to this branch because the user chose it.
    BranchForced {
        /// The branch.
        next: String,
    },
    /// The action's result was replaced by the user at a stop after it.
    ResultEdited {
        /// The action.
        action: String,
        /// Which call of the action in the run it was (1 is the first).
        call: u32,
        /// The result the step went on with.
        result: Value,
    },
    /// The state ran on data the user edited (a fork).
    DataEdited {
        /// The data.
        data: Value,
    },
    /// The session started at this state with the data a stored run's step had.
    Redrive {
        /// The stored run's step (1 is the first).
        step: usize,
    },
    /// The step ran on an older definition of the flow than the session goes on with.
    OldDefinition,
}

impl Mark {
    /// The words the timeline shows.
    pub fn label(&self) -> String {
        match self {
            Mark::BranchForced { next } => format!("branch forced to {next}"),
            Mark::ResultEdited { .. } => "result edited".into(),
            Mark::DataEdited { .. } => "data edited (fork)".into(),
            Mark::Redrive { step } => format!("redrive from step {step}"),
            Mark::OldDefinition => "ran on an older definition".into(),
        }
    }
}

impl Call {
    /// How the timeline names a mocked call: `mocked: 503`, `mocked body`, `mocked error E`.
    pub fn mock_label(&self) -> Option<String> {
        use zis_services::runner::MockOutcome;
        self.mock.as_ref().map(|m| match &m.outcome {
            MockOutcome::Status(s) => format!("mocked: {s}"),
            MockOutcome::Body(_) => "mocked body".into(),
            MockOutcome::Error { error, .. } => format!("mocked error {error}"),
        })
    }
}

/// An integration's configs and links at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoreSnapshot {
    /// Scope → config.
    pub configs: serde_json::Map<String, Value>,
    /// (link type, left name, right name).
    pub links: Vec<(String, String, String)>,
}

impl StoreSnapshot {
    /// The integration's configs and links in the data folder's store (empty when it
    /// cannot be read).
    pub fn read(db_path: &std::path::Path, integration: &str) -> Self {
        let Ok(db) = zis_services::db::Db::open(db_path) else {
            return Self::default();
        };
        let configs = db
            .configs(integration, "*")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| Some((c["scope"].as_str()?.to_string(), c["config"].clone())))
            .collect();
        let mut links = Vec::new();
        for link_type in db.link_types(integration).unwrap_or_default() {
            let mut after = None;
            loop {
                let q = zis_engine::actions::LinkQuery {
                    link_type: link_type.clone(),
                    page_size: 100,
                    after: after.clone(),
                    ..Default::default()
                };
                let Ok((page, more)) = db.query_links(integration, &q) else {
                    break;
                };
                after = page.last().map(|l| l.id.clone());
                links.extend(
                    page.into_iter()
                        .map(|l| (l.link_type, l.left_object.name, l.right_object.name)),
                );
                if !more || after.is_none() {
                    break;
                }
            }
        }
        Self { configs, links }
    }
}

impl Session {
    /// Calls made so far per action, across attempts (the steps' and, inside a step, the
    /// stop's): where a new worker's call counts start.
    pub fn call_counts(&self) -> std::collections::HashMap<String, u32> {
        let mut counts = std::collections::HashMap::new();
        let partial = self.partial.iter().flat_map(|p| &p.calls);
        for c in self.steps.iter().flat_map(|s| &s.calls).chain(partial) {
            *counts.entry(c.action.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Steps taken on an older definition than the session goes on with.
    pub fn old_steps(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.marks.contains(&Mark::OldDefinition))
            .count()
    }

    /// Whether any step carries a mark or a mocked call (an intervention).
    pub fn intervened(&self) -> bool {
        self.steps
            .iter()
            .any(|s| !s.marks.is_empty() || s.calls.iter().any(|c| c.mock.is_some()))
    }

    /// Starts the session at `state` with `data` (a stored run's step `step`): the first
    /// step taken is marked as a redrive, and the store is kept as it is now.
    pub fn redrive(
        &mut self,
        state: &str,
        data: Value,
        step: usize,
        db_path: &std::path::Path,
    ) -> Result<(), super::SessionError> {
        self.now.jump_to(state)?;
        self.now.set_data(data)?;
        self.pending = vec![Mark::Redrive { step }];
        self.stores = vec![(
            self.steps.len(),
            StoreSnapshot::read(db_path, &self.integration),
        )];
        self.stopped_by = Some(format!("from step {step} of the stored run"));
        Ok(())
    }

    /// Forks: the next state gets `data` instead; that step is marked, and the store is
    /// kept as it is now (a test saved from this run starts here).
    pub fn fork(
        &mut self,
        data: Value,
        db_path: &std::path::Path,
    ) -> Result<(), super::SessionError> {
        self.set_data(data.clone())?;
        self.pending
            .retain(|m| !matches!(m, Mark::DataEdited { .. }));
        self.pending.push(Mark::DataEdited { data });
        let at = self.steps.len();
        self.stores.retain(|(i, _)| *i != at);
        self.stores
            .push((at, StoreSnapshot::read(db_path, &self.integration)));
        Ok(())
    }
}
