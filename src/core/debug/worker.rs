//! The worker: steps an execution on its own thread with the data folder's stores and real
//! HTTP actions behind the mocks, stopping where the mode, a breakpoint or the end says, and
//! streaming each step back to the session.

use super::*;
use zis_services::runner::Actions;

/// The key breakpoints of the next state are kept under: the flow's, or for a state inside
/// a Map's iterator the flow's and the Map states' names (`flow/Each`), as the graph of that
/// iterator keys them.
fn graph_key(flow: &str, exec: &Execution) -> String {
    let mut key = flow.to_string();
    for m in exec.map_path() {
        key.push('/');
        key.push_str(m);
    }
    key
}

/// Runs steps on this thread with the data folder's stores and real HTTP.
pub(super) fn work(
    mut exec: Execution,
    how: Go,
    env: &Env,
    first: Option<String>,
    resumed: Option<Phase>,
    tx: &std::sync::mpsc::Sender<Msg>,
) {
    let done = |after: Execution, stopped_by: Option<String>, partial: Option<Partial>| {
        let _ = tx.send(Msg::Done {
            after: Box::new(after),
            stopped_by,
            partial: partial.map(Box::new),
        });
    };
    let mut taken = 0usize;
    let db = match Db::open(&env.db_path) {
        Ok(db) => db,
        Err(e) => {
            done(
                exec,
                Some(format!("cannot open the data folder's database: {e}")),
                None,
            );
            return;
        }
    };
    let mut dispatch = DispatchSettings {
        jq: env.jq,
        ..DispatchSettings::default()
    };
    if let Err(e) = zis_services::settings::apply_layers(&mut dispatch, &[&env.settings]) {
        done(exec, Some(format!("settings: {e}")), None);
        return;
    }
    let settings = dispatch.actions();
    let mut actions = match Actions::new(
        &db,
        &env.integration,
        &env.bundle,
        &settings,
        env.mocks.clone(),
    ) {
        Ok(a) => a,
        Err(e) => {
            done(exec, Some(format!("{}: {}", e.error, e.cause)), None);
            return;
        }
    };
    actions.calls = env.calls.clone();
    actions.http.calls = env.calls.clone();
    actions.http.responses = env.responses.clone();
    let calls_since = |actions: &Actions<'_>, seen: usize| -> Vec<Call> {
        actions.log[seen..]
            .iter()
            .map(|(action, mock)| Call {
                action: action.clone(),
                mock: mock.clone(),
            })
            .collect()
    };
    let mut stopped_by = None;
    let mut partial = None;
    let out_of = exec.map_path().len();
    let mut depth = None;
    'steps: loop {
        // Phase breakpoints of the next state: stop inside its step.
        let next = exec.next_state().map(|(s, _)| s.to_string());
        for phase in next
            .as_deref()
            .map(|n| {
                env.breakpoints
                    .active_phases(&graph_key(&env.flow, &exec), n)
            })
            .unwrap_or_default()
        {
            if taken == 0 && resumed.is_some_and(|r| phase <= r) {
                continue;
            }
            let seen = actions.exchanges().len();
            let logged = actions.log.len();
            actions.attempt = exec.attempt();
            let stop = exec.step_to(phase, &mut actions);
            if let Some(stop) = stop {
                stopped_by = Some(format!(
                    "breakpoint in {}, {}",
                    stop.event.state,
                    phase.label()
                ));
                partial = Some(Partial {
                    stop,
                    http: actions.exchanges()[seen..].to_vec(),
                    calls: calls_since(&actions, logged),
                });
                break 'steps;
            }
        }
        let before = exec.clone();
        let seen = actions.exchanges().len();
        let logged = actions.log.len();
        let clock = std::time::Instant::now();
        actions.attempt = exec.attempt();
        let event = exec.step(&mut actions);
        let Some(event) = event else { break };
        let level = event.frames.len();
        let errored = event.error.is_some();
        let transitions = event.transitions;
        let step = Step {
            before,
            event,
            http: actions.exchanges()[seen..].to_vec(),
            millis: clock.elapsed().as_secs_f64() * 1000.0,
            calls: calls_since(&actions, logged),
            marks: Vec::new(),
        };
        taken += 1;
        if tx
            .send(Msg::Step(Box::new(step), Box::new(exec.clone())))
            .is_err()
        {
            return;
        }
        if exec.status() != &Status::Running {
            break;
        }
        if errored && env.breakpoints.on_error && !env.breakpoints.all_off {
            stopped_by = Some("an error".into());
            break;
        }
        if env.breakpoints.at_transition == Some(transitions) && !env.breakpoints.all_off {
            stopped_by = Some(format!("transition {transitions}"));
            break;
        }
        if env.pause.load(std::sync::atomic::Ordering::Relaxed) {
            stopped_by = Some("paused".into());
            break;
        }
        if let Some((_, data)) = exec.next_state()
            && let Some(c) = condition_met(&env.breakpoints.active_conditions(), data)
        {
            stopped_by = Some(format!("condition {c}"));
            break;
        }
        match how {
            Go::Step => break,
            Go::StepOver => {
                let start = *depth.get_or_insert(level);
                if level <= start {
                    break;
                }
            }
            Go::Continue => {}
            Go::StepOut => {
                if out_of > 0 && exec.map_path().len() < out_of {
                    break;
                }
            }
        }
        if let Some(next) = exec.next_state().map(|(s, _)| s.to_string())
            && env
                .breakpoints
                .stops_at(&graph_key(&env.flow, &exec), &next)
            && (taken > 1
                || Some(&next) != first.as_ref()
                || !matches!(how, Go::Continue | Go::StepOut))
        {
            stopped_by = Some(format!("breakpoint on {next}"));
            break;
        }
    }
    done(exec, stopped_by, partial);
}
