//! Fuzzing flows: each flow a job spec starts runs on generated variants of its event
//! ([`vary`]), and what fails is grouped by state and error, each group with the smallest
//! failing payload found (its changes shrunk one by one while it still fails alike).
//!
//! Runs are in process and deterministic for a seed: built-in actions on in-memory stores
//! (the configs of the data folder's database when one is given, else `{}` for every
//! scope; no links), custom actions answered by the sidecar's mock for them, else their
//! response sample, else `{}`; the bundle's settings, then the caller's; jq under the usual
//! limits (in worker processes in the app). The unchanged sample runs first; if it fails,
//! that failure is reported with no changes.

pub mod vary;

use crate::core::shapes::event_schema;
use crate::core::sidecar::Sidecar;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use vary::Mutation;
use zis_engine::actions::memory::{MemoryConfigs, MemoryLinks};
use zis_engine::actions::{Builtins, ConfigStore, MergeMode};
use zis_engine::model::{Bundle, QualifiedName, ResourceBody};
use zis_engine::run::StatesError;
use zis_engine::run::execution::{ActionExecutor, Execution, Status};
use zis_services::catalog::{self, Account};
use zis_services::runner;

/// How many variants per flow, from which seed, in which environment.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Variants per flow.
    pub runs: usize,
    /// The seed of the generator.
    pub seed: u64,
    /// Settings over the bundle's (by name, as `zis_services::settings` takes them).
    pub settings: BTreeMap<String, String>,
    /// The data folder's database: its configs are the runs' configs.
    pub data: Option<std::path::PathBuf>,
}

/// What fuzzing found for one flow.
#[derive(Clone, Debug, Serialize)]
pub struct FlowReport {
    /// The flow's resource key.
    pub flow: String,
    /// Its event, `support/ticket.TicketCreated`.
    pub event: String,
    /// Variants run (besides the unchanged sample).
    pub runs: usize,
    /// Failures, by state and error, most frequent first.
    pub failures: Vec<Failure>,
    /// Why the flow was not fuzzed, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// One group of failures: the same state failing with the same error.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// The failing state (`Map > Inner` inside a Map iteration).
    pub state: String,
    /// The error name.
    pub error: String,
    /// The cause, from the smallest case.
    pub cause: String,
    /// Variants that failed so.
    pub count: usize,
    /// The smallest case's changes to the sample, described (none: the sample itself).
    pub changes: Vec<String>,
    /// The smallest case's event `input`.
    pub payload: Value,
}

/// Every config scope holds `{}` (so LoadConfig always answers).
pub struct EmptyConfigs;

impl ConfigStore for EmptyConfigs {
    fn load(&self, _: &str) -> Result<Option<Value>, StatesError> {
        Ok(Some(json!({})))
    }
    fn save(&mut self, _: &str, _: Value) -> Result<(), StatesError> {
        Ok(())
    }
}

/// Custom actions answer the sidecar's mock for them, else their response sample, else
/// `{}`.
struct SampleAnswers<'s>(&'s Sidecar);

impl ActionExecutor for SampleAnswers<'_> {
    fn execute(&mut self, action: &str, _: &Value) -> Result<Value, StatesError> {
        if let Some(m) = runner::mock_for(&self.0.mocks, action, 1, 1) {
            return m.outcome.answer();
        }
        Ok(answer_of(self.0, action))
    }
}

/// A custom action's answer in a fuzz run (and in a case opened from one): its response
/// sample, else `{}`.
pub fn answer_of(sidecar: &Sidecar, action: &str) -> Value {
    let short = action.rsplit(':').next().unwrap_or(action);
    sidecar
        .action_samples
        .get(action)
        .or_else(|| sidecar.action_samples.get(short))
        .cloned()
        .unwrap_or(json!({}))
}

/// A flow ready to run many times.
struct Target<'b> {
    definition: &'b Value,
    integration: String,
    sidecar: &'b Sidecar,
    /// The stored configs by scope; `None`: every scope holds `{}`.
    configs: Option<BTreeMap<String, Value>>,
    settings: zis_engine::run::execution::Settings,
}

impl Target<'_> {
    /// Runs the flow on `input`; the failing state and error, `None` when it succeeded.
    fn run(&self, input: &Value) -> Option<(String, String, String)> {
        let account = Account {
            integration_key: self.integration.clone(),
            ..Account::default()
        };
        let envelope = catalog::envelope(&account, input.clone());
        let mut exec =
            match Execution::new(self.definition.clone(), envelope, self.settings.clone()) {
                Ok(e) => e,
                Err(e) => return Some((String::new(), e.error, e.cause)),
            };
        let mut stored;
        let mut empty = EmptyConfigs;
        let configs: &mut dyn ConfigStore = match &self.configs {
            Some(c) => {
                stored = MemoryConfigs { configs: c.clone() };
                &mut stored
            }
            None => &mut empty,
        };
        let mut links = MemoryLinks::default();
        let mut custom = SampleAnswers(self.sidecar);
        let mut actions = Builtins {
            configs,
            links: &mut links,
            custom: &mut custom,
            merge: MergeMode::MergePatch,
            options: Default::default(),
            jq: runner::jq_limits(),
            time_left: None,
        };
        let history = exec.run(&mut actions);
        match exec.status() {
            Status::Failed { error, cause } => {
                let state = history
                    .iter()
                    .rev()
                    .find(|e| e.error.is_some() && !e.caught)
                    .map(|e| {
                        let mut names: Vec<&str> =
                            e.frames.iter().map(|(m, _)| m.as_str()).collect();
                        names.push(&e.state);
                        names.join(" > ")
                    })
                    .unwrap_or_default();
                Some((state, error.clone(), cause.clone()))
            }
            _ => None,
        }
    }
}

/// Fuzzes every flow of a bundle that a job spec starts.
pub fn fuzz_bundle(bundle: &Value, sidecar: &Sidecar, options: &Options) -> Vec<FlowReport> {
    let (typed, _) = Bundle::from_value(bundle);
    typed
        .flows()
        .filter_map(|(res, _)| fuzz_flow(bundle, sidecar, res.key, options))
        .collect()
}

/// Fuzzes one flow (by resource key); `None` when no job spec starts it.
pub fn fuzz_flow(
    bundle: &Value,
    sidecar: &Sidecar,
    flow_key: &str,
    options: &Options,
) -> Option<FlowReport> {
    let (typed, _) = Bundle::from_value(bundle);
    let (res, def) = typed.flows().find(|(r, _)| r.key == flow_key)?;
    let (integration, source, event_type) = typed.resources.iter().find_map(|r| match &r.body {
        ResourceBody::JobSpec(j) => {
            let q = QualifiedName::parse(j.flow_name?)?;
            (Some(q.name) == res.name).then_some((q.integration, j.event_source?, j.event_type?))
        }
        _ => None,
    })?;
    let mut report = FlowReport {
        flow: flow_key.to_string(),
        event: format!("{source}/{event_type}"),
        runs: 0,
        failures: Vec::new(),
        skipped: None,
    };
    let known = catalog::find(source, event_type);
    let (sample, all_optional) = match known {
        Some(e) => (catalog::sample_input(e), false),
        None => match crate::core::shapes::webhook_sample(sidecar, source, event_type) {
            Some(s) => (s.clone(), true),
            None => {
                report.skipped = Some(format!(
                    "{} is not in the catalog and the sidecar has no sample payload for it",
                    report.event
                ));
                return Some(report);
            }
        },
    };
    let shape = event_schema(source, event_type, sidecar).map(|(s, _)| s)?;
    let mut layers = sidecar.settings.clone();
    layers.extend(options.settings.clone());
    let settings = zis_services::settings::resolve(&[&layers])
        .map(|d| d.engine)
        .unwrap_or_else(|_| runner::engine_settings());
    let target = Target {
        definition: bundle.pointer(&def.pointer)?,
        integration: integration.to_string(),
        sidecar,
        configs: options
            .data
            .as_deref()
            .and_then(|db| stored_configs(db, integration)),
        settings,
    };
    let candidates = vary::candidates(&sample, &shape, all_optional);
    let mut rng = fastrand::Rng::with_seed(options.seed);
    // Failing cases by (state, error): their count and the first case's changes.
    let mut groups: BTreeMap<(String, String), (usize, Vec<Mutation>)> = BTreeMap::new();
    let mut cases: Vec<Vec<Mutation>> = vec![Vec::new()];
    for _ in 0..options.runs {
        if candidates.is_empty() {
            break;
        }
        let n = rng.usize(1..=3.min(candidates.len()));
        let mut picked: Vec<Mutation> = Vec::new();
        for _ in 0..n {
            let m = &candidates[rng.usize(..candidates.len())];
            if !picked.contains(m) {
                picked.push(m.clone());
            }
        }
        cases.push(picked);
    }
    for (i, case) in cases.into_iter().enumerate() {
        report.runs = i;
        if let Some((state, error, _)) = target.run(&applied(&sample, &case)) {
            let slot = groups.entry((state, error)).or_insert((0, case));
            slot.0 += 1;
        }
    }
    for ((state, error), (count, case)) in groups {
        let smallest = shrink(&target, &sample, case, (&state, &error));
        let payload = applied(&sample, &smallest);
        let cause = target.run(&payload).map(|(_, _, c)| c).unwrap_or_default();
        report.failures.push(Failure {
            state,
            error,
            cause,
            count,
            changes: smallest.iter().map(Mutation::describe).collect(),
            payload,
        });
    }
    report.failures.sort_by_key(|f| std::cmp::Reverse(f.count));
    Some(report)
}

/// The configs of an integration in a data folder's database, by scope; `None` when there
/// is no database there.
fn stored_configs(db: &std::path::Path, integration: &str) -> Option<BTreeMap<String, Value>> {
    if !db.exists() {
        return None;
    }
    let db = zis_services::db::Db::open(db).ok()?;
    let rows = db.configs(integration, "*").ok()?;
    Some(
        rows.into_iter()
            .filter_map(|r| Some((r["scope"].as_str()?.to_string(), r["config"].clone())))
            .collect(),
    )
}

/// The mocks a debugging session of a fuzz case needs to answer as the fuzz run did: for
/// each custom action the flow calls that the sidecar does not mock, its response sample
/// (else `{}`).
pub fn case_mocks(bundle: &Value, sidecar: &Sidecar, flow_key: &str) -> Vec<runner::Mock> {
    let (typed, _) = Bundle::from_value(bundle);
    let Some((_, def)) = typed.flows().find(|(r, _)| r.key == flow_key) else {
        return Vec::new();
    };
    let mut names: Vec<&str> = def
        .all_states()
        .into_iter()
        .filter_map(|s| match s.kind {
            zis_engine::model::StateKind::Action {
                action_name: Some(a),
            } if !a.starts_with("zis:common:") => Some(a),
            _ => None,
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|a| !sidecar.mocks.iter().any(|m| m.action == *a))
        .map(|a| runner::Mock {
            action: a.to_string(),
            attempt: None,
            call: None,
            outcome: runner::MockOutcome::Body(answer_of(sidecar, a)),
        })
        .collect()
}

/// `sample` with the changes applied.
fn applied(sample: &Value, case: &[Mutation]) -> Value {
    let mut v = sample.clone();
    for m in case {
        m.apply(&mut v);
    }
    v
}

/// Drops changes one at a time while the case still fails in the same state with the same
/// error.
fn shrink(
    target: &Target,
    sample: &Value,
    mut case: Vec<Mutation>,
    key: (&str, &str),
) -> Vec<Mutation> {
    let mut i = case.len();
    while i > 0 {
        i -= 1;
        let mut fewer = case.clone();
        fewer.remove(i);
        if let Some((state, error, _)) = target.run(&applied(sample, &fewer))
            && (state.as_str(), error.as_str()) == key
        {
            case = fewer;
        }
    }
    case
}

/// The report as text: a block per flow, a line per failure group.
pub fn text(reports: &[FlowReport], seed: u64) -> String {
    let mut out = String::new();
    for r in reports {
        if let Some(why) = &r.skipped {
            out.push_str(&format!("skip  {} ({}): {why}\n", r.flow, r.event));
            continue;
        }
        let verdict = if r.failures.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        out.push_str(&format!(
            "{verdict}  {} ({}): the sample and {} variants, {} failure group{}\n",
            r.flow,
            r.event,
            r.runs,
            r.failures.len(),
            if r.failures.len() == 1 { "" } else { "s" }
        ));
        for f in &r.failures {
            out.push_str(&format!(
                "        {} failed with {} in {} run{}: {}\n",
                f.state,
                f.error,
                f.count,
                if f.count == 1 { "" } else { "s" },
                f.cause
            ));
            if f.changes.is_empty() {
                out.push_str("          smallest case: the unchanged sample itself\n");
            } else {
                out.push_str(&format!(
                    "          smallest case: {}\n",
                    f.changes.join(", ")
                ));
            }
        }
    }
    let failed = reports.iter().filter(|r| !r.failures.is_empty()).count();
    let fuzzed = reports.iter().filter(|r| r.skipped.is_none()).count();
    out.push_str(&format!(
        "{fuzzed} flow{} fuzzed with seed {seed}, {failed} failing\n",
        if fuzzed == 1 { "" } else { "s" },
    ));
    if failed > 0 {
        out.push_str(
            "(custom actions answer the sidecar's mock, else its action_samples entry, else {}; configs are the data folder's with --data, else {} for every scope)\n",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_session_mocks_the_custom_actions_the_sidecar_does_not() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample_bundles/urgent_ticket_to_slack.json");
        let bundle: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
                .unwrap_or_default();
        let mut sidecar = Sidecar::default();
        let action = "zis:acme_slack:action:post_slack_message";
        let mocks = case_mocks(&bundle, &sidecar, "notify_urgent");
        assert_eq!(mocks.len(), 1);
        assert_eq!(mocks[0].action, action);
        assert_eq!(mocks[0].outcome, runner::MockOutcome::Body(json!({})));
        sidecar
            .action_samples
            .insert(action.into(), json!({"ok": true}));
        assert_eq!(
            case_mocks(&bundle, &sidecar, "notify_urgent")[0].outcome,
            runner::MockOutcome::Body(json!({"ok": true}))
        );
        sidecar.mocks = mocks;
        assert!(case_mocks(&bundle, &sidecar, "notify_urgent").is_empty());
    }

    #[test]
    fn runs_read_the_data_folders_configs_when_given_one() {
        let bundle = json!({"zis_template_version": "2019-10-14", "name": "c", "resources": {
            "f": {"type": "ZIS::Flow", "properties": {"name": "f", "definition": {
                "StartAt": "Load", "States": {
                    "Load": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig",
                             "Parameters": {"scope": "settings"}, "ResultPath": "$.s",
                             "Next": "Use"},
                    "Use": {"Type": "Action", "ActionName": "zis:common:transform:Jq",
                            "Parameters": {"expr": ".", "channel.$": "$.s.config.channel"},
                            "End": true}}}}},
            "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "event_source": "support",
                  "event_type": "ticket.TicketCreated", "flow_name": "zis:c:flow:f"}}}});
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db_path = dir.path().join("zis.db");
        let options = |data: Option<std::path::PathBuf>| Options {
            runs: 5,
            seed: 1,
            settings: BTreeMap::new(),
            data,
        };
        // Without a data folder every scope holds {}: the channel is not there.
        let report = fuzz_flow(&bundle, &Sidecar::default(), "f", &options(None))
            .unwrap_or_else(|| panic!("no report"));
        assert_eq!(report.failures[0].state, "Use");
        // The data folder's config has it.
        let db = zis_services::db::Db::open(&db_path).unwrap_or_else(|e| panic!("{e}"));
        db.put_config("c", "settings", &json!({"channel": "#ops"}))
            .unwrap_or_else(|e| panic!("{e}"));
        let report = fuzz_flow(&bundle, &Sidecar::default(), "f", &options(Some(db_path)))
            .unwrap_or_else(|| panic!("no report"));
        assert!(report.failures.is_empty(), "{:?}", report.failures);
    }
}
