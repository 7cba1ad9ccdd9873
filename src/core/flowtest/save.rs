//! Save as test: an ended debugging session written as a flow test that replays it — or a
//! refusal that says why it cannot.
//!
//! What the user did to the run goes into the test so the replay does the same:
//! - the mocks the run went on with when they explain every call it made, else a mock per
//!   mocked call as recorded (mocks changed mid-run still replay); each result edited at a
//!   stop after an action as a mock for that one call (`"call": n`), which beats the
//!   other mocks of the action;
//! - a forced branch as a `force` entry for that visit of the Choice;
//! - edited data (a fork) or a start from a stored run's step (a redrive) as a `start`: the
//!   test begins at that state with that data, the store as it was there, and expects the
//!   steps from there on;
//! - the configs and links the store held where the test starts.
//!
//! Refused, with the reason: a run that has not ended, one with steps taken on an older
//! definition of the flow, a fork inside a Map iteration, a retry after a fork (a test
//! starts at attempt 1), a run the debugger's worker did not finish. The window asks to
//! save an edited bundle first (the test runs the file).

use super::{action_calls, file_for};
use crate::core::debug::{Mark, Mock, MockOutcome, Session};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use zis_engine::run::execution::Status;

/// The test a session replays as (see the module doc), or why there is none.
pub fn test_of_session(session: &Session, name: &str) -> Result<Value, String> {
    let (status, error) = match session.status() {
        Status::Succeeded { .. } => ("succeeded", None),
        Status::Failed { error, .. } if error == "ZisStudio.WorkerCrashed" => {
            return Err("the run did not end on its own (the debugger's worker stopped)".into());
        }
        Status::Failed { error, .. } => ("failed", Some(error.clone())),
        Status::Running => return Err("the run has not ended: continue it to the end first".into()),
    };
    if session.steps.is_empty() {
        return Err("the run took no step".into());
    }
    let old = session.old_steps();
    if old > 0 {
        return Err(format!(
            "{old} step(s) ran on an older definition of the flow: run it again on this one to save a test"
        ));
    }
    // Where the test starts: the last fork or redrive, else StartAt.
    let from = session
        .steps
        .iter()
        .rposition(|s| {
            s.marks
                .iter()
                .any(|m| matches!(m, Mark::DataEdited { .. } | Mark::Redrive { .. }))
        })
        .unwrap_or(0);
    let forked = from > 0
        || session.steps[0]
            .marks
            .iter()
            .any(|m| matches!(m, Mark::DataEdited { .. } | Mark::Redrive { .. }));
    let steps = &session.steps[from..];
    let first = &steps[0].event;
    if forked && !first.frames.is_empty() {
        return Err(format!(
            "the data was edited inside the Map iteration of {}: a test can start only at a state of the flow itself; edit the Map's own input instead",
            first.state
        ));
    }
    let attempt = first.attempt;
    if forked && steps.iter().any(|s| s.event.attempt != attempt) {
        return Err(
            "the flow was retried after the fork: a test starts at attempt 1, so it cannot replay the retry; save the run up to the fork, or fork in the last attempt".into(),
        );
    }
    let store = session
        .stores
        .iter()
        .rev()
        .find(|(i, _)| *i == from)
        .or_else(|| (!forked).then(|| session.stores.first()).flatten())
        .map(|(_, s)| s)
        .ok_or("the store as it was at the fork was not kept")?;
    // Mocks: those in force when the run last went on, when they explain every call the
    // steps made (each mocked call answered by the same mock, no real call mocked by them);
    // else exactly what happened, a mock per mocked call. In a test from a fork only that
    // attempt's (a test has one attempt, the first).
    let mut counts: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut recorded: Vec<(u32, &crate::core::debug::Call, u32)> = Vec::new();
    for s in &session.steps {
        for c in &s.calls {
            let n = counts.entry(c.action.as_str()).or_insert(0);
            *n += 1;
            recorded.push((s.event.attempt, c, *n));
        }
    }
    let explained = recorded.iter().all(|(attempt, c, n)| {
        zis_services::runner::mock_for(&session.mocks, &c.action, *attempt, *n) == c.mock.as_ref()
    });
    let before_start = |action: &str| {
        session.steps[..from]
            .iter()
            .flat_map(|s| &s.calls)
            .filter(|c| c.action == action)
            .count() as u32
    };
    let mut saved: Vec<Mock> = if explained && mocks_fit_one_attempt(&session.mocks, forked) {
        session
            .mocks
            .iter()
            .filter(|m| !forked || m.attempt.is_none_or(|a| a == attempt))
            .map(|m| Mock {
                attempt: if forked { None } else { m.attempt },
                ..m.clone()
            })
            .collect()
    } else {
        recorded
            .iter()
            .filter(|(_, c, n)| c.mock.is_some() && *n > before_start(&c.action))
            .filter_map(|(_, c, n)| {
                let m = c.mock.as_ref()?;
                Some(Mock {
                    action: c.action.clone(),
                    attempt: None,
                    call: Some(n - before_start(&c.action)),
                    outcome: m.outcome.clone(),
                })
            })
            .collect()
    };
    // Edited results: a mock for that call (counted from where the test starts).
    for s in steps {
        for mark in &s.marks {
            if let Mark::ResultEdited {
                action,
                call,
                result,
            } = mark
            {
                let before = session.steps[..from]
                    .iter()
                    .flat_map(|s| &s.calls)
                    .filter(|c| &c.action == action)
                    .count() as u32;
                saved.push(Mock {
                    action: action.clone(),
                    attempt: None,
                    call: Some(call.saturating_sub(before).max(1)),
                    outcome: MockOutcome::Body(result.clone()),
                });
            }
        }
    }
    let force: Vec<Value> = steps
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            s.marks.iter().find_map(|m| match m {
                Mark::BranchForced { next } => {
                    let visit = steps[..=k]
                        .iter()
                        .filter(|o| o.event.state == s.event.state)
                        .count();
                    Some(json!({"state": s.event.state, "next": next, "visit": visit}))
                }
                _ => None,
            })
        })
        .collect();
    let states: Vec<&str> = steps.iter().map(|s| s.event.state.as_str()).collect();
    // The actions it called, by name (their parameters are left out: they may carry
    // connection secrets, and a test file is shared), as the replay counts them.
    let calls: Vec<Value> = action_calls(steps)
        .into_iter()
        .map(|(action, _)| json!({"action": action}))
        .collect();
    let mut expect = json!({"status": status, "states": states, "calls": calls});
    if let Some(e) = error {
        expect["error"] = json!(e);
    }
    let mut test = json!({
        "name": name,
        "flow": session.flow,
        "event": {"type": session.event, "payload": session.input.get("input").cloned().unwrap_or(Value::Null)},
        "mocks": saved.iter().map(mock_json).collect::<Vec<_>>(),
        "expect": expect,
    });
    if !store.configs.is_empty() {
        test["configs"] = Value::Object(store.configs.clone());
    }
    if !store.links.is_empty() {
        test["links"] = store
            .links
            .iter()
            .map(|(t, l, r)| json!({"link_type": t, "left": l, "right": r}))
            .collect();
    }
    if forked {
        test["start"] = json!({"state": first.state, "data": first.input});
    }
    if !force.is_empty() {
        test["force"] = Value::Array(force);
    }
    Ok(test)
}

/// Whether a run's mocks carry over to a test as they are: call-specific ones only make
/// sense counted from the flow's start, so not in a test from a fork.
fn mocks_fit_one_attempt(mocks: &[Mock], forked: bool) -> bool {
    !forked || mocks.iter().all(|m| m.call.is_none())
}

fn mock_json(m: &Mock) -> Value {
    let mut v = json!({"action": m.action});
    if let Some(a) = m.attempt {
        v["attempt"] = json!(a);
    }
    if let Some(c) = m.call {
        v["call"] = json!(c);
    }
    match &m.outcome {
        MockOutcome::Status(s) => v["status"] = json!(s),
        MockOutcome::Error { error, cause } => {
            v["error"] = json!(error);
            v["cause"] = json!(cause);
        }
        MockOutcome::Body(b) => v["body"] = b.clone(),
    }
    v
}

/// Appends the test a session replays as ([`test_of_session`]) to the bundle's test file,
/// creating it. Returns the file.
pub fn save_session(bundle: &Path, session: &Session, name: &str) -> Result<PathBuf, String> {
    let test = test_of_session(session, name)?;
    let path = file_for(bundle);
    let mut file = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str::<Value>(&text)
            .map_err(|e| format!("{} does not parse: {e}", path.display()))?,
        Err(_) => json!({
            "bundle": bundle.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
            "tests": []
        }),
    };
    file["tests"]
        .as_array_mut()
        .ok_or_else(|| format!("{} has no tests list", path.display()))?
        .push(test);
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    crate::core::files::write_atomic(&path, (text + "\n").as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
