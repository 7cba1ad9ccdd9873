//! Flow tests for CI: `<bundle>.tests.json` files next to a bundle, run headless by
//! `zis-studio test [PATH...] [--junit FILE]`.
//!
//! A test names a flow and an event (a catalog type with a JSON merge patch over its sample
//! payload, or a whole payload), the configs and links the store holds first, mocks per
//! action, and what must be true afterwards: the status and error, the states taken, values
//! at JSONPaths of the output, the integration-log line, the HTTP calls made (with their
//! bodies), the actions called (with their parameters, mocked or not), and configs and
//! links afterwards. Each test runs in a fresh data folder with the debugger's session (the same
//! engine, stores and HTTP actions as the window).
//!
//! ```json
//! {"bundle": "urgent_ticket_to_slack.json", "tests": [{
//!   "name": "an urgent ticket is posted",
//!   "flow": "notify_urgent",
//!   "event": {"type": "support/ticket.TicketCreated", "merge": {"ticket_event": {"ticket": {"priority": "urgent"}}}},
//!   "configs": {"slack_settings": {"channel": "#vip"}},
//!   "mocks": [{"action": "zis:acme_slack:action:post_slack_message", "body": {"ok": true}}],
//!   "expect": {"status": "succeeded", "states": ["LoadSettings", "..."],
//!              "output": {"$.message.channel": "#vip"}, "log": "Posted"}}]}
//! ```

mod save;
pub use save::{save_session, test_of_session};

use crate::core::debug::{Breakpoints, Env, Go, Mock, MockOutcome, Session};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use zis_engine::run::execution::Status;
use zis_services::db::Db;

/// A test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The bundle, relative to the test file.
    pub bundle: PathBuf,
    /// The tests.
    pub tests: Vec<FlowTest>,
}

/// One test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowTest {
    /// What it checks, in words.
    pub name: String,
    /// The flow's resource key.
    pub flow: String,
    /// The event.
    #[serde(default)]
    pub event: EventSpec,
    /// Configs in the store before the run: scope → config.
    #[serde(default)]
    pub configs: serde_json::Map<String, Value>,
    /// Links in the store before the run.
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    /// OAuth connections in the store before the run: name → access token (a flow sees
    /// it at `$.connections.<name>.access_token`).
    #[serde(default)]
    pub connections: serde_json::Map<String, Value>,
    /// Mocked actions.
    #[serde(default)]
    pub mocks: Vec<MockSpec>,
    /// Start at this state with this data instead of at `StartAt` with the event (a run
    /// saved from a fork or from a stored run's step).
    #[serde(default)]
    pub start: Option<StartSpec>,
    /// Choices whose branch is forced, as the debugger's Force branch does.
    #[serde(default)]
    pub force: Vec<ForceSpec>,
    /// Settings (`zis_services::settings`) for this test; `zis-studio test --setting`
    /// overrides them.
    #[serde(default)]
    pub settings: std::collections::BTreeMap<String, String>,
    /// What must be true.
    #[serde(default)]
    pub expect: Expect,
}

/// Where a test starts when not at `StartAt`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSpec {
    /// The state (at the flow's top level).
    pub state: String,
    /// The whole `$` it gets.
    pub data: Value,
}

/// A forced branch: when the run is about to enter the Choice `state` (its `visit`-th
/// time, or every time), it goes to `next` instead of evaluating its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceSpec {
    /// The Choice.
    pub state: String,
    /// The branch taken.
    pub next: String,
    /// Only this visit (1 is the first); every visit when absent.
    pub visit: Option<u32>,
}

/// The event a test runs on.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// `source/type`, e.g. `support/ticket.TicketCreated` (default: the flow's job spec's).
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// A JSON merge patch over the catalog's sample payload.
    pub merge: Option<Value>,
    /// The whole payload instead of the sample.
    pub payload: Option<Value>,
}

/// A link to store first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// Its type.
    pub link_type: String,
    /// Left object's name.
    pub left: String,
    /// Right object's name.
    pub right: String,
}

/// A mock: exactly one of `status`, `error` or `body`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockSpec {
    /// The action's full name.
    pub action: String,
    /// Only this attempt.
    pub attempt: Option<u32>,
    /// Only the action's n-th call in the run (1 is the first, across attempts).
    pub call: Option<u32>,
    /// Fail with this HTTP status.
    pub status: Option<u16>,
    /// Fail with this error name (and `cause`).
    pub error: Option<String>,
    /// The cause for `error`.
    pub cause: Option<String>,
    /// Succeed with this body.
    pub body: Option<Value>,
}

/// Expectations; absent ones are not checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// `succeeded` or `failed`.
    pub status: Option<String>,
    /// The error name of a failed run.
    pub error: Option<String>,
    /// The states taken, in order.
    pub states: Option<Vec<String>>,
    /// JSONPath of the output → expected value.
    #[serde(default)]
    pub output: serde_json::Map<String, Value>,
    /// Text the integration-log line contains.
    pub log: Option<String>,
    /// HTTP calls made (not mocked), in order: each `"METHOD url-part"`, or
    /// `{"method", "url" (a part), "body"}` whose body the call's body must contain.
    pub http: Option<Vec<HttpExpect>>,
    /// Actions called (mocked or not), in order, with parameters their rendered
    /// parameters must contain.
    pub calls: Option<Vec<CallExpect>>,
    /// Configs afterwards: scope → config.
    #[serde(default)]
    pub configs: serde_json::Map<String, Value>,
    /// Links afterwards: each must exist (or, with `"exists": false`, must not).
    #[serde(default)]
    pub links: Vec<LinkExpect>,
}

/// An HTTP call expected.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum HttpExpect {
    /// `"METHOD url-part"`.
    Line(String),
    /// A call with its body.
    Call {
        /// The method.
        method: String,
        /// A part of the URL.
        #[serde(default)]
        url: String,
        /// JSON the body must contain (objects: these keys with contained values).
        body: Option<Value>,
    },
}

/// An action call expected.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallExpect {
    /// The action's full name.
    pub action: String,
    /// JSON the rendered parameters must contain.
    pub parameters: Option<Value>,
}

/// A link expected afterwards.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkExpect {
    /// Its type.
    pub link_type: String,
    /// Left object's name (`*` wildcards).
    #[serde(default)]
    pub left: Option<String>,
    /// Right object's name (`*` wildcards).
    #[serde(default)]
    pub right: Option<String>,
    /// It must exist (default) or must not.
    #[serde(default = "yes")]
    pub exists: bool,
}

fn yes() -> bool {
    true
}

/// `want` is in `got`: objects by their keys (recursively), anything else equal.
pub fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| g.get(k).is_some_and(|gv| contains(gv, wv))),
        _ => got == want,
    }
}

/// The outcome of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The test file.
    pub file: PathBuf,
    /// The test's name.
    pub name: String,
    /// What did not hold (empty: passed).
    pub failures: Vec<String>,
    /// Seconds it took.
    pub secs: f64,
}

pub(crate) fn mock(m: &MockSpec) -> Result<Mock, String> {
    let outcome = match (m.status, &m.error, &m.body) {
        (Some(s), None, None) => MockOutcome::Status(s),
        (None, Some(e), None) => MockOutcome::Error {
            error: e.clone(),
            cause: m.cause.clone().unwrap_or_default(),
        },
        (None, None, Some(b)) => MockOutcome::Body(b.clone()),
        _ => {
            return Err(format!(
                "the mock of {} needs exactly one of status, error, body",
                m.action
            ));
        }
    };
    Ok(Mock {
        action: m.action.clone(),
        attempt: m.attempt,
        call: m.call,
        outcome,
    })
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 200 {
        format!("{}…", &s[..s.floor_char_boundary(200)])
    } else {
        s
    }
}

/// Runs one test of a file whose bundle is `bundle`.
pub fn run_test(file: &Path, bundle: &Value, t: &FlowTest) -> Outcome {
    run_test_in(None, file, bundle, t)
}

/// Runs one test with its stores in `data` (a fresh folder when `None`); with a folder, the
/// run is recorded in its executions like a window's run (secrets masked). Failure messages
/// never show the test's connection tokens.
pub fn run_test_in(data: Option<&Path>, file: &Path, bundle: &Value, t: &FlowTest) -> Outcome {
    let none = std::collections::BTreeMap::new();
    run_test_with(data, file, bundle, t, [&none, &none])
}

/// [`run_test_in`] with settings in layers around the test's own: `[under, over]` — the
/// bundle's (its sidecar) under, `zis-studio test --setting` over.
pub fn run_test_with(
    data: Option<&Path>,
    file: &Path,
    bundle: &Value,
    t: &FlowTest,
    layers: [&std::collections::BTreeMap<String, String>; 2],
) -> Outcome {
    let started = std::time::Instant::now();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_inner(data, bundle, t, layers)
    }));
    let failures = match ran {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => vec![e],
        Err(panic) => vec![format!(
            "the test crashed: {}",
            crate::core::debug::panic_text(panic.as_ref())
        )],
    };
    let secrets: Vec<String> = t
        .connections
        .values()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let failures = failures
        .into_iter()
        .map(|f| match Db::redact(&Value::String(f), &secrets) {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    Outcome {
        file: file.to_path_buf(),
        name: t.name.clone(),
        failures,
        secs: started.elapsed().as_secs_f64(),
    }
}

fn run_inner(
    data: Option<&Path>,
    bundle: &Value,
    t: &FlowTest,
    [under, over]: [&std::collections::BTreeMap<String, String>; 2],
) -> Result<Vec<String>, String> {
    let mut settings = under.clone();
    settings.extend(t.settings.clone());
    settings.extend(over.clone());
    let engine = zis_services::settings::resolve(&[&settings])
        .map_err(|e| format!("settings: {e}"))?
        .engine;
    let fresh = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db_path = crate::core::data_dir::db_path(data.unwrap_or(fresh.path()));
    let trigger = crate::core::trigger::trigger_of(bundle, &t.flow);
    let integration = trigger
        .as_ref()
        .map_or_else(|| "local".to_string(), |t| t.0.clone());
    {
        let db = Db::open(&db_path).map_err(|e| e.to_string())?;
        if db.require_integration(&integration).is_err() {
            db.create_integration(&integration, "flow test")
                .map_err(|e| format!("integration {integration}: {e}"))?;
        }
        for (scope, config) in &t.configs {
            db.put_config(&integration, scope, config)
                .map_err(|e| format!("config {scope}: {e}"))?;
        }
        for (name, token) in &t.connections {
            db.put_connection(
                &integration,
                zis_services::db::ConnectionKind::Oauth,
                name,
                "",
                &json!({"access_token": token}),
            )
            .map_err(|e| format!("connection {name}: {e}"))?;
        }
        for l in &t.links {
            crate::core::stores::create_link(&db, &integration, &l.link_type, &l.left, &l.right)
                .map_err(|e| format!("link: {e}"))?;
        }
    }
    let event = t
        .event
        .event_type
        .as_ref()
        .map(|e| {
            e.split_once('/')
                .map(|(s, t)| (s.to_string(), t.to_string()))
                .ok_or_else(|| format!("event type {e:?} must be source/type"))
        })
        .transpose()?;
    let payload = match (&t.event.payload, &t.event.merge) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(patch)) => {
            let (source, kind) = event
                .clone()
                .or_else(|| trigger.map(|t| (t.1, t.2)))
                .ok_or("no event type to merge into: name one")?;
            let mut sample = zis_services::catalog::find(&source, &kind)
                .map(zis_services::catalog::sample_input)
                .ok_or_else(|| format!("{source}/{kind} is not in the event catalog"))?;
            zis_engine::actions::merge_patch(&mut sample, patch);
            Some(sample)
        }
        (None, None) => None,
    };
    let mocks = t.mocks.iter().map(mock).collect::<Result<Vec<_>, _>>()?;
    let mut session = Session::start_with(&db_path, bundle, &t.flow, event, payload, engine)
        .map_err(|e| e.to_string())?;
    if let Some(start) = &t.start {
        session
            .now
            .jump_to(&start.state)
            .map_err(|e| format!("start at {}: {}", start.state, e.cause))?;
        session
            .set_data(start.data.clone())
            .map_err(|e| format!("start at {}: {e}", start.state))?;
    }
    let env = Env {
        calls: Default::default(),
        responses: Default::default(),
        settings,
        db_path: db_path.clone(),
        bundle: bundle.clone(),
        integration: session.integration.clone(),
        flow: t.flow.clone(),
        mocks,
        breakpoints: Breakpoints::default(),
        pause: std::sync::Arc::default(),
        jq: zis_services::runner::jq_limits(),
    };
    if t.force.is_empty() {
        session.go(Go::Continue, env);
    } else {
        // State by state, forcing the branches the test names.
        while session.status() == &Status::Running && session.steps.len() < 100_000 {
            let next = session.next_state().map(str::to_string);
            let force = next.as_ref().and_then(|n| {
                let visit = session.steps.iter().filter(|s| &s.event.state == n).count() as u32 + 1;
                t.force
                    .iter()
                    .find(|f| &f.state == n && f.visit.is_none_or(|v| v == visit))
            });
            match force {
                Some(f) => session
                    .force(&f.next)
                    .map_err(|e| format!("force {} -> {}: {e}", f.state, f.next))?,
                None => {
                    session.go(Go::Step, env.clone());
                    session.wait();
                }
            }
        }
    }
    session.wait();
    if data.is_some()
        && let Err(e) = session.record_now(&db_path)
    {
        return Err(format!("cannot record the run: {e}"));
    }
    let mut failures = Vec::new();
    let e = &t.expect;
    let (status, error, output) = match session.status() {
        Status::Succeeded { output } => ("succeeded", None, Some(output.clone())),
        Status::Failed { error, cause } => ("failed", Some((error.clone(), cause.clone())), None),
        Status::Running => ("running", None, None),
    };
    if let Some(want) = &e.status
        && want != status
    {
        let why = error
            .as_ref()
            .map(|(e, c)| format!(" ({e}: {c})"))
            .unwrap_or_default();
        failures.push(format!("status: expected {want}, got {status}{why}"));
    }
    if let Some(want) = &e.error {
        let got = error.as_ref().map(|(e, _)| e.as_str());
        if got != Some(want.as_str()) {
            failures.push(format!(
                "error: expected {want}, got {}",
                got.unwrap_or("none")
            ));
        }
    }
    let states: Vec<String> = session
        .steps
        .iter()
        .map(|s| s.event.state.clone())
        .collect();
    if let Some(want) = &e.states
        && want != &states
    {
        let at = want
            .iter()
            .zip(&states)
            .position(|(a, b)| a != b)
            .unwrap_or(want.len().min(states.len()));
        failures.push(format!(
            "states: expected {}\n           got      {}\n           (they part at step {})",
            want.join(" > "),
            states.join(" > "),
            at + 1
        ));
    }
    for (path, want) in &e.output {
        match &output {
            None => failures.push(format!("output {path}: the run has no output ({status})")),
            Some(out) => match zis_engine::run::dataflow::eval_path(path, out, None) {
                Ok(got) if &got == want => {}
                Ok(got) => failures.push(format!(
                    "output {path}: expected {}, got {}",
                    show(want),
                    show(&got)
                )),
                Err(err) => failures.push(format!("output {path}: {}", err.cause)),
            },
        }
    }
    if let Some(want) = &e.log {
        let lines = session.log_lines();
        if !lines.iter().any(|(_, l)| l.contains(want.as_str())) {
            let got: Vec<String> = lines.iter().map(|(lvl, l)| format!("{lvl} {l}")).collect();
            failures.push(format!("log: expected a line with {want:?}, got {got:?}"));
        }
    }
    if let Some(want) = &e.http {
        let calls: Vec<&zis_services::http::Exchange> =
            session.steps.iter().flat_map(|s| &s.http).collect();
        let got: Vec<String> = calls
            .iter()
            .map(|x| format!("{} {}", x.method, x.url))
            .collect();
        if want.len() != calls.len() {
            failures.push(format!(
                "http: expected {} call(s), got {} {got:?}",
                want.len(),
                calls.len()
            ));
        } else {
            for (i, (w, x)) in want.iter().zip(&calls).enumerate() {
                let (method, url, body) = match w {
                    HttpExpect::Line(l) => {
                        let (m, u) = l.split_once(' ').unwrap_or((l.as_str(), ""));
                        (m, u, None)
                    }
                    HttpExpect::Call { method, url, body } => {
                        (method.as_str(), url.as_str(), body.as_ref())
                    }
                };
                if !x.method.eq_ignore_ascii_case(method) || !x.url.contains(url) {
                    failures.push(format!(
                        "http call {}: expected {method} …{url}…, got {} {}",
                        i + 1,
                        x.method,
                        x.url
                    ));
                } else if let Some(b) = body
                    && !x.body.as_ref().is_some_and(|got| contains(got, b))
                {
                    failures.push(format!(
                        "http call {} body: expected it to contain {}, got {}",
                        i + 1,
                        show(b),
                        x.body.as_ref().map_or("no body".into(), show)
                    ));
                }
            }
        }
    }
    if let Some(want) = &e.calls {
        let got = action_calls(&session.steps);
        let names: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
        if want.len() != got.len() || want.iter().zip(&got).any(|(w, (a, _))| &w.action != a) {
            let wanted: Vec<&str> = want.iter().map(|w| w.action.as_str()).collect();
            failures.push(format!("calls: expected {wanted:?}, got {names:?}"));
        } else {
            for (i, (w, (a, params))) in want.iter().zip(&got).enumerate() {
                if let Some(p) = &w.parameters
                    && !contains(params, p)
                {
                    failures.push(format!(
                        "call {} ({a}) parameters: expected them to contain {}, got {}",
                        i + 1,
                        show(p),
                        show(params)
                    ));
                }
            }
        }
    }
    if !e.links.is_empty() {
        let db = Db::open(&db_path).map_err(|e| e.to_string())?;
        for l in &e.links {
            let q = zis_engine::actions::LinkQuery {
                link_type: l.link_type.clone(),
                left: l.left.clone(),
                right: l.right.clone(),
                page_size: 100,
                after: None,
                before: None,
            };
            let found = !db
                .query_links(&integration, &q)
                .map_err(|e| e.to_string())?
                .0
                .is_empty();
            if found != l.exists {
                failures.push(format!(
                    "link {} {} → {}: expected it {}",
                    l.link_type,
                    l.left.as_deref().unwrap_or("*"),
                    l.right.as_deref().unwrap_or("*"),
                    if l.exists { "to exist" } else { "to be gone" }
                ));
            }
        }
    }
    if !e.configs.is_empty() {
        let db = Db::open(&db_path).map_err(|e| e.to_string())?;
        for (scope, want) in &e.configs {
            let got = db
                .config(&integration, scope)
                .map_err(|e| e.to_string())?
                .map(|c| c["config"].clone());
            if got.as_ref() != Some(want) {
                failures.push(format!(
                    "config {scope}: expected {}, got {}",
                    show(want),
                    got.as_ref().map_or("none".into(), show)
                ));
            }
        }
    }
    Ok(failures)
}

/// The actions a session's steps called, in order, with their rendered parameters.
pub(crate) fn action_calls(steps: &[crate::core::debug::Step]) -> Vec<(String, Value)> {
    steps
        .iter()
        .filter(|s| s.event.state_type == "Action")
        .filter_map(|s| {
            let state = s.before.next_state_definition()?;
            let action = state["ActionName"].as_str()?.to_string();
            let params = s.event.after_parameters.as_deref();
            Some((action, params.cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// The test files under `paths` (files as given; directories searched for `*.tests.json`).
pub fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    crate::core::files::find_files(paths, &|_, name| name.ends_with(".tests.json"))
}

/// Runs every test of a file; a file that cannot be read is one failed outcome.
pub fn run_file(path: &Path) -> Vec<Outcome> {
    run_file_with(path, &std::collections::BTreeMap::new())
}

/// [`run_file`] with settings over each test's own.
pub fn run_file_with(
    path: &Path,
    overrides: &std::collections::BTreeMap<String, String>,
) -> Vec<Outcome> {
    let fail = |why: String| {
        vec![Outcome {
            file: path.to_path_buf(),
            name: "(the test file)".into(),
            failures: vec![why],
            secs: 0.0,
        }]
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", path.display())),
    };
    let file: TestFile = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            return fail(format!(
                "{}:{}:{}: {e}",
                path.display(),
                e.line(),
                e.column()
            ));
        }
    };
    let bundle_path = path.parent().unwrap_or(Path::new(".")).join(&file.bundle);
    let bundle: Value = match std::fs::read_to_string(&bundle_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => b,
        Err(e) => return fail(format!("bundle {}: {e}", bundle_path.display())),
    };
    // The bundle's own settings (its sidecar) under each test's.
    let (sidecar, _) = crate::core::sidecar::Sidecar::load(&bundle_path);
    file.tests
        .iter()
        .map(|t| run_test_with(None, path, &bundle, t, [&sidecar.settings, overrides]))
        .collect()
}

/// JUnit XML for CI systems.
pub fn junit(outcomes: &[Outcome]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{}\" failures=\"{failed}\">\n<testsuite name=\"zis-studio flow tests\" tests=\"{}\" failures=\"{failed}\">\n",
        outcomes.len(),
        outcomes.len()
    );
    for o in outcomes {
        xml.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            esc(&o.file.display().to_string()),
            esc(&o.name),
            o.secs
        ));
        if o.failures.is_empty() {
            xml.push_str("/>\n");
        } else {
            xml.push_str(&format!(
                ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>\n",
                esc(&o.failures[0]),
                esc(&o.failures.join("\n"))
            ));
        }
    }
    xml.push_str("</testsuite>\n</testsuites>\n");
    xml
}

/// The test file next to a bundle: `<stem>.tests.json`.
pub fn file_for(bundle: &Path) -> PathBuf {
    let stem = bundle
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "bundle".into());
    bundle.with_file_name(format!("{stem}.tests.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_and_http_expectations() {
        let got = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
        assert!(contains(&got, &json!({"a": {"b": 1}})));
        assert!(contains(&got, &json!({"a": {"c": [1, 2]}, "d": "x"})));
        assert!(!contains(&got, &json!({"a": {"c": [1]}})));
        assert!(!contains(&got, &json!({"e": null})));
        let e: Expect = serde_json::from_value(json!({"http": [
            "POST /chat",
            {"method": "PUT", "url": "/issues", "body": {"k": 1}}
        ]}))
        .unwrap();
        let http = e.http.unwrap();
        assert!(matches!(&http[0], HttpExpect::Line(l) if l == "POST /chat"));
        assert!(
            matches!(&http[1], HttpExpect::Call { method, body: Some(b), .. } if method == "PUT" && b["k"] == 1)
        );
    }
}
