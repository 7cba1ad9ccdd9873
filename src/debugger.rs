//! The debugger panel (bottom of the window): the event to run on, the stepping buttons,
//! the timeline of steps, the data of the chosen step (before, after, every phase, a diff,
//! the HTTP calls) as collapsible JSON trees, the data the next state gets (editable: a fork),
//! breakpoints and action mocks. It only draws the session and emits commands.

use crate::app::debug::{Go, MockOutcome, Step};
use crate::app::{AppState, Command};
use crate::gui::state_colour;
use egui::{Color32, RichText};
use serde_json::Value;
use zis_engine::run::execution::{Phase, Status};

const GREEN: Color32 = Color32::from_rgb(0x22, 0xc5, 0x5e);
const RED: Color32 = Color32::from_rgb(0xef, 0x44, 0x44);
const AMBER: Color32 = Color32::from_rgb(0xf5, 0x9e, 0x0b);

/// Which view of a step's data is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataTab {
    /// `$` before the state.
    Before,
    /// `$` after it.
    #[default]
    After,
    /// Every phase side by side.
    Phases,
    /// What changed, as a list by path.
    Diff,
    /// Before and after side by side.
    Side,
    /// HTTP requests and answers.
    Http,
}

/// The panel's own state.
#[derive(Default)]
pub struct Debugger {
    tab: DataTab,
    test_name: String,
    mock_attempt: u32,
    events_loaded: bool,
    condition: String,
    payload: String,
    payload_for: Option<String>,
    watch_draft: String,
    playground: String,
    data_draft: String,
    draft_for: Option<(usize, String)>,
    mock_status: u16,
    mock_body: String,
    result_draft: String,
    result_for: Option<(usize, String)>,
    search: String,
    event_name: String,
    step_filter: String,
    errors_only: bool,
}

pub use crate::app::diff::{Change, child_path, diff};

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let mut t: String = s.chars().take(79).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Leaves of `value` whose JSONPath or value contains `query` (case-insensitive), in
/// document order, at most `limit` of them.
pub fn find_in(value: &Value, query: &str, limit: usize) -> Vec<(String, Value)> {
    fn walk(v: &Value, path: String, q: &str, out: &mut Vec<(String, Value)>, limit: usize) {
        if out.len() >= limit {
            return;
        }
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    walk(x, child_path(&path, k), q, out, limit);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{path}[{i}]"), q, out, limit);
                }
            }
            leaf => {
                let text = match leaf {
                    Value::String(s) => s.to_lowercase(),
                    other => other.to_string().to_lowercase(),
                };
                if path.to_lowercase().contains(q) || text.contains(q) {
                    out.push((path, leaf.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    let q = query.trim().to_lowercase();
    if !q.is_empty() {
        walk(value, "$".into(), &q, &mut out, limit);
    }
    out
}

/// The leaves matching a search, each a click that copies its path.
fn search_results(ui: &mut egui::Ui, value: &Value, query: &str) {
    let found = find_in(value, query, 200);
    if found.is_empty() {
        ui.label(RichText::new(format!("nothing matches \"{}\"", query.trim())).weak());
    }
    for (path, v) in &found {
        leaf(ui, path, v, path);
    }
}

/// A value as a collapsible tree; clicking a leaf copies its JSONPath.
pub fn json_tree(ui: &mut egui::Ui, value: &Value, path: &str, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                node(ui, k, v, &child_path(path, k), depth);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            // Long arrays show their first items; the rest stay folded behind an expander.
            for (i, v) in items.iter().enumerate().take(200) {
                node(ui, &format!("[{i}]"), v, &format!("{path}[{i}]"), depth);
            }
            if items.len() > 200 {
                ui.label(RichText::new(format!("… {} more items", items.len() - 200)).weak());
            }
        }
        other => {
            leaf(ui, "", other, path);
        }
    }
}

fn node(ui: &mut egui::Ui, key: &str, v: &Value, path: &str, depth: usize) {
    let title = match v {
        Value::Object(m) if !m.is_empty() => format!("{key}  {{{}}}", m.len()),
        Value::Array(a) if !a.is_empty() => format!("{key}  [{}]", a.len()),
        _ => return leaf(ui, key, v, path),
    };
    let shown = egui::CollapsingHeader::new(title)
        .id_salt(path)
        .default_open(depth < 1)
        .show(ui, |ui| json_tree(ui, v, path, depth + 1));
    copy_menu(&shown.header_response, path, v);
}

/// Right-click: copy the path, or the value as JSON.
fn copy_menu(resp: &egui::Response, path: &str, v: &Value) {
    resp.context_menu(|ui| {
        if ui.button("Copy path").clicked() {
            ui.ctx().copy_text(path.to_string());
            ui.close();
        }
        if ui.button("Copy value").clicked() {
            let text = match v {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            ui.ctx().copy_text(text);
            ui.close();
        }
    });
}

fn leaf(ui: &mut egui::Ui, key: &str, v: &Value, path: &str) {
    // A long string folds behind an expander; opened, it shows whole (up to 20,000
    // characters, so a huge value cannot stall a frame).
    if let Value::String(full) = v
        && full.chars().count() > 80
    {
        let n = full.chars().count();
        let title = format!(
            "{}{}  ({n} characters)",
            if key.is_empty() {
                String::new()
            } else {
                format!("{key}: ")
            },
            short(v)
        );
        let shown = egui::CollapsingHeader::new(RichText::new(title).monospace())
            .id_salt(("long", path))
            .show(ui, |ui| {
                let text: String = full.chars().take(20_000).collect();
                ui.add(egui::Label::new(RichText::new(text).monospace()).wrap());
                if n > 20_000 {
                    ui.label(RichText::new("… the rest: right-click › Copy value").weak());
                }
            });
        copy_menu(&shown.header_response, path, v);
        return;
    }
    let text = if key.is_empty() {
        short(v)
    } else {
        format!("{key}: {}", short(v))
    };
    let resp = ui
        .add(egui::Label::new(RichText::new(text).monospace()).sense(egui::Sense::click()))
        .on_hover_text(format!(
            "{path}\nclick to copy the path; right-click to copy the value"
        ));
    if resp.clicked() {
        ui.ctx().copy_text(path.to_string());
    }
    copy_menu(&resp, path, v);
}

impl Debugger {
    /// Draws the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        self.toolbar_ui(ui, state, out);
        ui.separator();
        let Some(session) = &state.debug else {
            ui.label(
                RichText::new(
                    "Choose an event and press Start to pause before the first state, or Run (F5) to run to a breakpoint. F9 sets a breakpoint on the selected state.",
                )
                .weak(),
            );
            self.settings_ui(ui, state, out);
            return;
        };
        let stale = state
            .document
            .as_ref()
            .is_some_and(|d| session.stale(d.value()));
        ui.columns(3, |cols| {
            cols[0].label(RichText::new("Timeline").strong());
            if stale {
                cols[0].colored_label(
                    AMBER,
                    "The flow was edited: these steps ran on the old definition (stale). Continue runs on the new one.",
                );
            }
            let log = session.log_lines();
            if !log.is_empty() {
                cols[0].label(RichText::new("Integration log (as ZIS would write it)").strong());
                for (level, text) in log {
                    let colour = if level == "error" { RED } else { GREEN };
                    cols[0].colored_label(colour, format!("{level}  {text}"));
                }
                cols[0].horizontal(|ui| {
                    text_field(ui, "Test name", &mut self.test_name, "what this run shows", 180.0);
                    if ui
                        .button("Save as test")
                        .on_hover_text("Append this run (event, mocks, outcome, states) to the bundle's .tests.json")
                        .clicked()
                    {
                        let name = if self.test_name.trim().is_empty() {
                            format!("{} on {}", session.flow, session.event)
                        } else {
                            self.test_name.trim().to_string()
                        };
                        out.push(Command::SaveAsTest(name));
                    }
                });
            }
            if session.steps.len() > 1 {
                cols[0].horizontal(|ui| {
                    text_field(ui, "Filter steps", &mut self.step_filter, "state name", 110.0);
                    ui.checkbox(&mut self.errors_only, "Errors only");
                });
            }
            let filter = StepFilter {
                text: self.step_filter.trim().to_lowercase(),
                errors_only: self.errors_only,
            };
            egui::ScrollArea::vertical()
                .id_salt("timeline")
                .show(&mut cols[0], |ui| timeline_ui(ui, session, &filter, out));
            self.data_ui(&mut cols[1], session.selected.and_then(|i| session.steps.get(i)));
            self.next_ui(&mut cols[2], state, out);
        });
    }

    /// The event's payload as JSON, generated from the catalog for the chosen type and
    /// editable; "Use this payload" makes the next session start on it.
    fn payload_ui(
        &mut self,
        ui: &mut egui::Ui,
        event: Option<&(String, String)>,
        state: &AppState,
        out: &mut Vec<Command>,
    ) {
        let key = event.map(|(s, t)| format!("{s}/{t}"));
        if self.payload_for != key {
            self.payload_for = key;
            let sample = match (&state.debug_payload, event) {
                (Some(p), _) => p.clone(),
                (None, Some((s, t))) => zis_services::catalog::find(s, t)
                    .map(zis_services::catalog::sample_input)
                    .unwrap_or(Value::Null),
                (None, None) => Value::Null,
            };
            self.payload = serde_json::to_string_pretty(&sample).unwrap_or_default();
        }
        egui::CollapsingHeader::new("Event payload")
            .id_salt("payload")
            .show(ui, |ui| {
                let label = ui.label("Payload JSON ($.input)");
                egui::ScrollArea::vertical()
                    .id_salt("payload_scroll")
                    .max_height(160.0)
                    .show(ui, |ui| {
                        ui.add(
                            egui::TextEdit::multiline(&mut self.payload)
                                .code_editor()
                                .desired_rows(6)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    });
                ui.horizontal(|ui| {
                    if ui
                        .button("Use this payload")
                        .on_hover_text("The next Start or Run uses this payload as the event's input")
                        .clicked()
                    {
                        out.push(Command::DebugPayload(Some(self.payload.clone())));
                    }
                    text_field(ui, "Event name", &mut self.event_name, "e.g. vip ticket", 140.0);
                    if let Some(event) = event
                        && ui
                            .button("Save as named event")
                            .on_hover_text("Keep this payload and its event type in the bundle's sidecar, to run again")
                            .clicked()
                    {
                        out.push(Command::SaveEvent {
                            name: std::mem::take(&mut self.event_name),
                            event: event.clone(),
                            text: self.payload.clone(),
                        });
                    }
                });
                if !state.sidecar.events.is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        ui.label("Saved:");
                        for (name, e) in &state.sidecar.events {
                            if ui
                                .button(format!("Use {name}"))
                                .on_hover_text(format!("{}/{}", e.source, e.event_type))
                                .clicked()
                            {
                                self.payload =
                                    serde_json::to_string_pretty(&e.payload).unwrap_or_default();
                                out.push(Command::UseSavedEvent(name.clone()));
                            }
                            if remove_button(ui, &format!("Forget the event {name}")) {
                                out.push(Command::DeleteSavedEvent(name.clone()));
                            }
                        }
                    });
                }
            });
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let session = state.debug.as_ref();
        let event = state.debug_event.clone().or_else(|| {
            let doc = state.document.as_ref()?;
            let key = state.selected.as_ref()?;
            crate::app::run::trigger_of(doc.value(), key).map(|t| (t.1, t.2))
        });
        let running = state.running();
        ui.horizontal_wrapped(|ui| {
            let current = &event;
            let shown = current
                .as_ref()
                .map_or("choose an event".to_string(), |(s, t)| format!("{s}/{t}"));
            let label = ui.label("Event");
            egui::ComboBox::from_id_salt("debug_event")
                .selected_text(shown)
                .width(240.0)
                .show_ui(ui, |ui| {
                    for e in zis_services::catalog::EVENTS {
                        let chosen = current
                            .as_ref()
                            .is_some_and(|(s, t)| s == e.source && t == e.event_type);
                        if ui
                            .selectable_label(chosen, format!("{}/{}", e.source, e.event_type))
                            .on_hover_text(e.label)
                            .clicked()
                        {
                            out.push(Command::DebugEvent(e.source.into(), e.event_type.into()));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            if !self.events_loaded {
                self.events_loaded = true;
                out.push(Command::LoadRecordedEvents);
            }
            let recorded = ui.label("or a recorded one");
            egui::ComboBox::from_id_salt("recorded_event")
                .selected_text("choose…")
                .width(150.0)
                .show_ui(ui, |ui| {
                    if ui.button("Read the store again").clicked() {
                        out.push(Command::LoadRecordedEvents);
                    }
                    if state.recorded_events.is_empty() {
                        ui.label(RichText::new("no events in the store yet").weak());
                    }
                    for e in &state.recorded_events {
                        let text = format!(
                            "#{} {}/{} ({})",
                            e.id, e.event_source, e.event_type, e.origin
                        );
                        if ui.selectable_label(false, text).clicked() {
                            out.push(Command::UseRecordedEvent(e.id));
                        }
                    }
                })
                .response
                .labelled_by(recorded.id)
                .on_hover_text(
                    "Run on an event the store received: from send, the API or an inbound webhook",
                );
            let mut real = state.real_time;
            if ui
                .checkbox(&mut real, "Real-time waits")
                .on_hover_text("Wait states sleep for real; off: a virtual clock")
                .changed()
            {
                out.push(Command::SetRealTime(real));
            }
            if state.debug_payload.is_some() {
                ui.colored_label(AMBER, "payload: custom");
                if ui
                    .small_button("Use the catalog sample")
                    .on_hover_text("Start the next session on the event type's sample payload")
                    .clicked()
                {
                    out.push(Command::DebugPayload(None));
                }
            }
            if ui
                .add_enabled(!running, egui::Button::new("Start"))
                .on_hover_text("Start a session paused before the first state")
                .clicked()
            {
                out.push(Command::DebugStart);
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step over (F10)"))
                .on_hover_text("Run the next state; a Map runs through its items as one step")
                .clicked()
            {
                out.push(Command::DebugGo(Go::StepOver));
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step into (F11)"))
                .on_hover_text("Run the next state; inside a Map, one iteration's state at a time")
                .clicked()
            {
                out.push(Command::DebugGo(Go::Step));
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step out (Shift+F11)"))
                .on_hover_text("Run until the Map the next state is in has run all its items")
                .clicked()
            {
                out.push(Command::DebugGo(Go::StepOut));
            }
            if ui
                .add_enabled(!running, egui::Button::new("Continue (F5)"))
                .clicked()
            {
                out.push(Command::DebugGo(Go::Continue));
            }
            if ui
                .add_enabled(running, egui::Button::new("Pause"))
                .on_hover_text("Stop after the state at work; one that takes over half a second (slow HTTP, a real-time Wait) is left, and the session stays before it")
                .clicked()
            {
                out.push(Command::DebugPause);
            }
            let can_back = session.is_some_and(|s| !s.steps.is_empty()) && !running;
            if ui
                .add_enabled(can_back, egui::Button::new("Step back (Ctrl+F10)"))
                .clicked()
            {
                out.push(Command::DebugStepBack);
            }
            if ui
                .add_enabled(session.is_some(), egui::Button::new("Stop (Shift+F5)"))
                .clicked()
            {
                out.push(Command::DebugStop);
            }
            ui.separator();
            let (text, colour) = match session {
                None => ("no session".to_string(), Color32::GRAY),
                Some(_) if running => ("running…".to_string(), AMBER),
                Some(s) => match s.status() {
                    Status::Running if s.partial.is_some() => (
                        s.partial
                            .as_ref()
                            .map(|p| {
                                format!(
                                    "paused in {}, {}",
                                    p.stop.event.state,
                                    p.stop.phase.label()
                                )
                            })
                            .unwrap_or_default(),
                        AMBER,
                    ),
                    Status::Running => (
                        format!(
                            "paused before {}{}",
                            s.next_state().unwrap_or("?"),
                            s.stopped_by
                                .as_ref()
                                .map(|b| format!(" ({b})"))
                                .unwrap_or_default()
                        ),
                        AMBER,
                    ),
                    Status::Succeeded { .. } => {
                        (format!("succeeded in {} steps", s.steps.len()), GREEN)
                    }
                    Status::Failed { error, cause } => (format!("failed: {error}: {cause}"), RED),
                },
            };
            ui.label(RichText::new(text).color(colour).strong());
        });
        self.payload_ui(ui, event.as_ref(), state, out);
    }

    fn data_ui(&mut self, ui: &mut egui::Ui, step: Option<&Step>) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Data").strong());
            for (tab, name) in [
                (DataTab::Before, "Before"),
                (DataTab::After, "After"),
                (DataTab::Phases, "Phases"),
                (DataTab::Diff, "Diff"),
                (DataTab::Side, "Side by side"),
                (DataTab::Http, "HTTP"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
        });
        ui.horizontal(|ui| {
            text_field(
                ui,
                "Search data",
                &mut self.search,
                "key, path or value",
                180.0,
            );
        });
        let Some(step) = step else {
            ui.label(RichText::new("Take a step, or choose one in the timeline.").weak());
            return;
        };
        let e = &step.event;
        ui.label(
            RichText::new(format!("{} ({})", e.state, e.state_type))
                .color(state_colour(&e.state_type))
                .strong(),
        );
        if let Some(err) = &e.error {
            ui.colored_label(
                RED,
                format!(
                    "{}: {}{}",
                    err.error,
                    err.cause,
                    if e.caught { " (caught)" } else { "" }
                ),
            );
        }
        egui::ScrollArea::vertical()
            .id_salt("step_data")
            .show(ui, |ui| match self.tab {
                DataTab::Before if !self.search.trim().is_empty() => {
                    search_results(ui, &e.input, &self.search);
                }
                DataTab::Before => json_tree(ui, &e.input, "$", 0),
                DataTab::After => match &e.output {
                    Some(v) if !self.search.trim().is_empty() => {
                        search_results(ui, v, &self.search);
                    }
                    Some(v) => json_tree(ui, v, "$", 0),
                    None => {
                        ui.label(RichText::new("no output (the state failed or ended)").weak());
                    }
                },
                DataTab::Phases => {
                    // Every phase the step went through, side by side (scroll sideways).
                    egui::ScrollArea::horizontal()
                        .id_salt("phases_side_by_side")
                        .show(ui, |ui| {
                            ui.horizontal_top(|ui| {
                                for (name, v) in [
                                    ("input", Some(&e.input)),
                                    ("after InputPath", e.after_input_path.as_ref()),
                                    ("Parameters (rendered)", e.after_parameters.as_ref()),
                                    ("result", e.result.as_ref()),
                                    ("after ResultSelector", e.after_result_selector.as_ref()),
                                    ("after ResultPath", e.after_result_path.as_ref()),
                                    ("output", e.output.as_ref()),
                                ] {
                                    let Some(v) = v else { continue };
                                    ui.group(|ui| {
                                        ui.set_width(230.0);
                                        ui.vertical(|ui| {
                                            ui.label(RichText::new(name).strong());
                                            ui.push_id(("phase", name), |ui| {
                                                json_tree(ui, v, "$", 0);
                                            });
                                        });
                                    });
                                }
                            });
                        });
                }
                DataTab::Side => {
                    let after = e.output.clone().unwrap_or(Value::Null);
                    let changed = diff(&e.input, &after).len();
                    ui.label(RichText::new(format!("{changed} path(s) differ (see Diff)")).weak());
                    ui.columns(2, |cols| {
                        cols[0].label(RichText::new("$ before").strong());
                        cols[0].push_id("side_before", |ui| json_tree(ui, &e.input, "$", 0));
                        cols[1].label(RichText::new("$ after").strong());
                        cols[1].push_id("side_after", |ui| json_tree(ui, &after, "$", 0));
                    });
                }
                DataTab::Diff => {
                    let after = e.output.clone().unwrap_or(Value::Null);
                    let changes = diff(&e.input, &after);
                    if changes.is_empty() {
                        ui.label(RichText::new("no change").weak());
                    }
                    for c in changes {
                        let (colour, text) = match c {
                            Change::Added(p, v) => (GREEN, format!("+ {p} = {}", short(&v))),
                            Change::Removed(p, v) => (RED, format!("- {p} (was {})", short(&v))),
                            Change::Changed(p, a, b) => {
                                (AMBER, format!("~ {p}: {} -> {}", short(&a), short(&b)))
                            }
                        };
                        ui.colored_label(colour, RichText::new(text).monospace());
                    }
                }
                DataTab::Http => {
                    if step.http.is_empty() {
                        ui.label(RichText::new("no HTTP call in this step").weak());
                    }
                    for x in &step.http {
                        ui.label(
                            RichText::new(format!(
                                "{} {}  ->  {}  ({:.0} ms)",
                                x.method,
                                x.url,
                                x.status.map_or("no answer".into(), |s| s.to_string()),
                                x.millis
                            ))
                            .monospace()
                            .strong(),
                        );
                        for (k, v) in &x.headers {
                            ui.label(RichText::new(format!("{k}: {v}")).monospace().weak());
                        }
                        if let Some(b) = &x.body {
                            egui::CollapsingHeader::new("request body")
                                .id_salt(("req", &x.url))
                                .show(ui, |ui| json_tree(ui, b, "$", 1));
                        }
                        if let Some(r) = &x.response {
                            egui::CollapsingHeader::new("response")
                                .id_salt(("resp", &x.url))
                                .default_open(true)
                                .show(ui, |ui| json_tree(ui, r, "$", 1));
                        }
                    }
                }
            });
    }

    /// The next state, its data (editable: a fork), its action's mock, a Choice's branches
    /// to force; watches, the playground and breakpoints.
    fn next_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .id_salt("next_column")
            .show(ui, |ui| self.next_inner_ui(ui, state, out));
    }

    fn next_inner_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(session) = &state.debug else { return };
        let current = session
            .next_data()
            .cloned()
            .or_else(|| session.steps.last().and_then(|s| s.event.output.clone()))
            .unwrap_or(Value::Null);
        self.watch_ui(ui, state, &current, out);
        self.partial_ui(ui, session, out);
        if let (Some(next), Some(data)) = (session.next_state(), session.next_data()) {
            ui.label(RichText::new(format!("Next: {next}")).strong());
            let key = (session.steps.len(), next.to_string());
            if self.draft_for.as_ref() != Some(&key) {
                self.data_draft = serde_json::to_string_pretty(data).unwrap_or_default();
                self.draft_for = Some(key);
            }
            let label = ui.label("Data for the next state ($)");
            egui::ScrollArea::vertical()
                .id_salt("next_data")
                .max_height(ui.available_height() * 0.5)
                .show(ui, |ui| {
                    ui.add(
                        egui::TextEdit::multiline(&mut self.data_draft)
                            .code_editor()
                            .desired_rows(6)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                });
            if ui
                .button("Fork with this data")
                .on_hover_text("The next state gets the edited data; the steps before stay")
                .clicked()
            {
                out.push(Command::DebugSetData(self.data_draft.clone()));
            }
            // The next state's action, if any: mock it.
            let action = state
                .document
                .as_ref()
                .and_then(|d| {
                    d.value().pointer(&format!(
                        "/resources/{}/properties/definition/States/{}/ActionName",
                        zis_engine::json::pointer::escape(&session.flow),
                        zis_engine::json::pointer::escape(next)
                    ))
                })
                .and_then(Value::as_str);
            if let Some(action) = action {
                self.mock_ui(ui, state, action, out);
            }
            // A Choice: force one of its branches.
            let choice = state.document.as_ref().and_then(|d| {
                d.value().pointer(&format!(
                    "/resources/{}/properties/definition/States/{}",
                    zis_engine::json::pointer::escape(&session.flow),
                    zis_engine::json::pointer::escape(next)
                ))
            });
            if let Some(c) =
                choice.filter(|c| c.get("Type").and_then(Value::as_str) == Some("Choice"))
            {
                let mut targets: Vec<&str> = c
                    .get("Choices")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|r| r.get("Next")?.as_str()).collect())
                    .unwrap_or_default();
                targets.extend(c.get("Default").and_then(Value::as_str));
                targets.dedup();
                ui.separator();
                ui.label(RichText::new(format!("Force {next}")).strong());
                ui.horizontal_wrapped(|ui| {
                    for t in targets {
                        if ui
                            .button(format!("Go to {t}"))
                            .on_hover_text("Skip the rules and take this branch")
                            .clicked()
                        {
                            out.push(Command::DebugForce(t.to_string()));
                        }
                    }
                });
            }
        }
        self.playground_ui(ui, &current);
        self.settings_ui(ui, state, out);
    }

    /// Paused inside a step: each phase reached so far, and the action's result to edit.
    fn partial_ui(
        &mut self,
        ui: &mut egui::Ui,
        session: &crate::app::debug::Session,
        out: &mut Vec<Command>,
    ) {
        let Some(p) = &session.partial else { return };
        let e = &p.stop.event;
        ui.label(
            RichText::new(format!("Inside {}: {}", e.state, p.stop.phase.label()))
                .strong()
                .color(AMBER),
        );
        for (title, value, phase) in [
            (
                "State input",
                e.after_input_path.as_ref(),
                Phase::BeforeParameters,
            ),
            (
                "Parameters",
                e.after_parameters.as_ref(),
                Phase::BeforeAction,
            ),
            ("Result", e.result.as_ref(), Phase::AfterResult),
            (
                "After ResultPath",
                e.after_result_path.as_ref(),
                Phase::AfterResultPath,
            ),
        ] {
            if let Some(v) = value {
                // The phase stopped at is open; the earlier ones fold.
                egui::CollapsingHeader::new(title)
                    .id_salt(("partial", title))
                    .default_open(phase == p.stop.phase)
                    .show(ui, |ui| json_tree(ui, v, "$", 0));
            }
        }
        if let Some(err) = &e.error {
            ui.colored_label(
                RED,
                format!("The action failed: {}: {}", err.error, err.cause),
            );
        }
        for x in &p.http {
            ui.label(
                RichText::new(format!(
                    "{} {} → {}",
                    x.method,
                    x.url,
                    x.status.map_or("no answer".into(), |s| s.to_string())
                ))
                .monospace(),
            );
        }
        if p.stop.phase >= Phase::AfterResult && e.state_type == "Action" {
            let key = (session.steps.len(), e.state.clone());
            if self.result_for.as_ref() != Some(&key) {
                self.result_draft = e
                    .result
                    .as_ref()
                    .map(|r| serde_json::to_string_pretty(r).unwrap_or_default())
                    .unwrap_or_else(|| "{}".into());
                self.result_for = Some(key);
            }
            code_field(ui, "The action's result", &mut self.result_draft, 4);
            if ui
                .button("Go on with this result")
                .on_hover_text("What if the action had answered this? The step continues with it")
                .clicked()
            {
                out.push(Command::DebugSetResult(self.result_draft.clone()));
            }
        }
        ui.separator();
    }

    /// JSONPaths re-evaluated on the current data at every step.
    fn watch_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        data: &Value,
        out: &mut Vec<Command>,
    ) {
        ui.label(RichText::new("Watches").strong());
        for (i, path) in state.sidecar.watches.iter().enumerate() {
            ui.horizontal(|ui| {
                let shown = match zis_engine::run::dataflow::eval_path(path, data, None) {
                    Ok(v) => RichText::new(format!("{path} = {}", short(&v))).monospace(),
                    Err(e) => RichText::new(format!("{path}: {}", e.cause))
                        .monospace()
                        .color(Color32::GRAY),
                };
                ui.label(shown);
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Stop watching {path}"))
                    .clicked()
                {
                    out.push(Command::RemoveWatch(i));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("Watch");
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut self.watch_draft)
                        .hint_text("$.input.ticket_event.ticket.id")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            let enter = resp.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Add watch").clicked() || enter) && !self.watch_draft.trim().is_empty() {
                out.push(Command::AddWatch(std::mem::take(&mut self.watch_draft)));
            }
        });
    }

    /// What a path, a `{{ }}` template or a Parameters object would give on the data.
    fn playground_ui(&mut self, ui: &mut egui::Ui, data: &Value) {
        ui.separator();
        ui.label(RichText::new("Playground").strong());
        text_field(
            ui,
            "Path, {{ }} template or Parameters JSON",
            &mut self.playground,
            "{\"id.$\": \"$.input.ticket_event.ticket.id\"}",
            f32::INFINITY,
        );
        let text = self.playground.trim();
        if text.is_empty() {
            return;
        }
        let result = playground(text, data);
        match result {
            Ok(v) => {
                ui.label(
                    RichText::new(format!("= {}", short(&v)))
                        .monospace()
                        .color(GREEN),
                );
            }
            Err(e) => {
                ui.label(RichText::new(e).monospace().color(RED));
            }
        }
    }

    fn mock_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        action: &str,
        out: &mut Vec<Command>,
    ) {
        ui.separator();
        ui.label(RichText::new(format!("Mock {action}")).strong());
        for m in state.sidecar.mocks.iter().filter(|m| m.action == action) {
            let what = match &m.outcome {
                MockOutcome::Status(s) => format!("fails with status {s}"),
                MockOutcome::Error { error, .. } => format!("fails with {error}"),
                MockOutcome::Body(b) => format!("returns {}", short(b)),
            };
            let when = m
                .attempt
                .map_or("every attempt".to_string(), |a| format!("attempt {a}"));
            ui.horizontal(|ui| {
                ui.colored_label(AMBER, format!("mocked ({when}): {what}"));
                if ui.button("Remove mock").clicked() {
                    out.push(Command::SetMock {
                        action: action.to_string(),
                        attempt: m.attempt,
                        outcome: None,
                    });
                }
            });
        }
        let attempt = (self.mock_attempt > 0).then_some(self.mock_attempt);
        ui.horizontal(|ui| {
            let label = ui.label("Attempt (0: every)");
            ui.add(egui::DragValue::new(&mut self.mock_attempt).range(0..=4))
                .labelled_by(label.id)
                .on_hover_text("ZIS retries a flow after a retryable error: mock one attempt only");
        });
        ui.horizontal(|ui| {
            if self.mock_status == 0 {
                self.mock_status = 503;
            }
            let label = ui.label("Status");
            ui.add(egui::DragValue::new(&mut self.mock_status).range(100..=599))
                .labelled_by(label.id);
            if ui.button("Fail with status").clicked() {
                out.push(Command::SetMock {
                    action: action.to_string(),
                    attempt,
                    outcome: Some(MockOutcome::Status(self.mock_status)),
                });
            }
        });
        ui.horizontal(|ui| {
            text_field(ui, "Body", &mut self.mock_body, "{\"id\": 1}", 160.0);
            if ui.button("Return body").clicked() {
                let body = serde_json::from_str(&self.mock_body)
                    .unwrap_or(Value::String(self.mock_body.clone()));
                out.push(Command::SetMock {
                    action: action.to_string(),
                    attempt,
                    outcome: Some(MockOutcome::Body(body)),
                });
            }
        });
    }

    fn settings_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        ui.separator();
        let bp = &state.sidecar.breakpoints;
        ui.horizontal(|ui| {
            ui.label(RichText::new("Breakpoints").strong());
            let mut active = !bp.all_off;
            if ui
                .checkbox(&mut active, "Breakpoints active")
                .on_hover_text("Switch every breakpoint off (or on) at once; they are kept")
                .changed()
            {
                out.push(Command::BreakpointsActive(active));
            }
        });
        // One enable box per breakpoint, labelled with what it is.
        let enable_box = |ui: &mut egui::Ui, id: String, text: String, out: &mut Vec<Command>| {
            let mut on = !bp.disabled.contains(&id);
            if ui.checkbox(&mut on, text).changed() {
                out.push(Command::SetBreakpointEnabled(id, on));
            }
        };
        let mut on_error = state.sidecar.breakpoints.on_error;
        if ui.checkbox(&mut on_error, "Break on errors").changed() {
            out.push(Command::BreakOnError(on_error));
        }
        for (i, c) in state.sidecar.breakpoints.conditions.iter().enumerate() {
            ui.horizontal(|ui| {
                crate::graph_view::breakpoint_dot(ui);
                enable_box(
                    ui,
                    crate::app::debug::Breakpoints::condition_id(c),
                    format!("when {c}"),
                    out,
                );
                if remove_button(ui, "Remove this condition") {
                    out.push(Command::RemoveCondition(i));
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("Condition");
            ui.add(
                egui::TextEdit::singleline(&mut self.condition)
                    .hint_text(r#"{"Variable": "$.input.ticket_event.ticket.priority", "StringEquals": "urgent"}"#)
                    .desired_width(260.0),
            )
            .labelled_by(label.id)
            .on_hover_text("A Choice rule over $: the debugger stops before any state whose data makes it true");
            if ui.button("Add condition").clicked() && !self.condition.trim().is_empty() {
                out.push(Command::AddCondition(std::mem::take(&mut self.condition)));
            }
        });
        ui.horizontal(|ui| {
            let at = state.sidecar.breakpoints.at_transition;
            let mut on = at.is_some();
            let mut n = at.unwrap_or(10);
            let changed_on = ui.checkbox(&mut on, "Break at transition").changed();
            let changed_n = ui
                .add_enabled(on, egui::DragValue::new(&mut n).range(1..=1000))
                .changed();
            if changed_on || changed_n {
                out.push(Command::BreakAtTransition(on.then_some(n)));
            }
        });
        let key = state.layout_key();
        if let Some(set) = state.sidecar.breakpoints.states.get(&key) {
            for name in set {
                ui.horizontal(|ui| {
                    crate::graph_view::breakpoint_dot(ui);
                    enable_box(
                        ui,
                        crate::app::debug::Breakpoints::state_id(&key, name),
                        format!("before {name}"),
                        out,
                    );
                    if ui
                        .small_button("✖")
                        .on_hover_text(format!("Remove the breakpoint on {name}"))
                        .clicked()
                    {
                        out.push(Command::ToggleBreakpoint(Some(name.clone())));
                    }
                });
            }
        }
        if state.selected_state.is_some()
            && ui
                .button("Toggle breakpoint on the selected state (F9)")
                .clicked()
        {
            out.push(Command::ToggleBreakpoint(None));
        }
        // Stops inside a state's step.
        if let Some(states) = state.sidecar.breakpoints.phases.get(&key) {
            for (name, phases) in states {
                for phase in phases {
                    ui.horizontal(|ui| {
                        crate::graph_view::breakpoint_dot(ui);
                        enable_box(
                            ui,
                            crate::app::debug::Breakpoints::phase_id(&key, name, *phase),
                            format!("in {name}, {}", phase.label()),
                            out,
                        );
                        if remove_button(
                            ui,
                            &format!("Remove the stop in {name} {}", phase.label()),
                        ) {
                            out.push(Command::TogglePhaseBreak(name.clone(), *phase));
                        }
                    });
                }
            }
        }
        let selected = state.selected_state.as_ref().filter(|name| {
            state
                .states
                .iter()
                .any(|r| &r.name == *name && matches!(r.type_name.as_str(), "Action" | "Pass"))
        });
        if let Some(name) = selected {
            ui.label(format!("Stop inside {name}:"));
            let set = state.sidecar.breakpoints.phases_of(&key, name);
            ui.horizontal_wrapped(|ui| {
                for phase in Phase::ALL {
                    let mut on = set.contains(&phase);
                    if ui.checkbox(&mut on, phase.label()).changed() {
                        out.push(Command::TogglePhaseBreak(name.clone(), phase));
                    }
                }
            });
        }
    }
}

/// A small ✖ button whose accessible label (and hover text) says what it removes.
pub fn remove_button(ui: &mut egui::Ui, what: &str) -> bool {
    icon_button(ui, "✖", what)
}

/// A small icon button whose accessible label (and hover text) says what it does.
pub fn icon_button(ui: &mut egui::Ui, icon: &str, what: &str) -> bool {
    let resp = ui.small_button(icon).on_hover_text(what);
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Button, true, what));
    resp.clicked()
}

/// A labelled single-line text field with a hint.
pub fn text_field(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, width: f32) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(l.id);
}

/// A multi-line code editor labelled `label`, as wide as there is room.
pub fn code_field(ui: &mut egui::Ui, label: &str, text: &mut String, rows: usize) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::multiline(text)
            .code_editor()
            .desired_rows(rows)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id);
}

/// Evaluates a path (`$...`), a string with `{{ }}` placeholders, or a Parameters object
/// (keys ending in `.$` take paths) on `data`, as a ZIS action would.
pub fn playground(text: &str, data: &Value) -> Result<Value, String> {
    use zis_engine::run::dataflow;
    use zis_engine::validate::Mode;
    let err = |e: zis_engine::run::StatesError| format!("{}: {}", e.error, e.cause);
    if text.starts_with('{') || text.starts_with('[') {
        let template: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        return dataflow::render(&template, data, None, Mode::Zis).map_err(err);
    }
    if text.contains("{{") {
        return dataflow::interpolate(text, data, None, Mode::Zis).map_err(err);
    }
    dataflow::eval_path(text, data, None).map_err(err)
}

/// Which steps the timeline lists.
struct StepFilter {
    /// Lower-case text the state's name must contain.
    text: String,
    /// Only steps that raised an error.
    errors_only: bool,
}

impl StepFilter {
    fn keeps(&self, e: &zis_engine::run::execution::HistoryEvent) -> bool {
        (self.text.is_empty() || e.state.to_lowercase().contains(&self.text))
            && (!self.errors_only || e.error.is_some())
    }
}

fn timeline_ui(
    ui: &mut egui::Ui,
    session: &crate::app::debug::Session,
    filter: &StepFilter,
    out: &mut Vec<Command>,
) {
    if session.steps.is_empty() {
        ui.label(
            RichText::new(format!(
                "paused before {}",
                session.next_state().unwrap_or("?")
            ))
            .weak(),
        );
    }
    let mut hidden = 0;
    for (i, step) in session.steps.iter().enumerate() {
        let e = &step.event;
        if !filter.keeps(e) {
            hidden += 1;
            continue;
        }
        let indent = "   ".repeat(e.frames.len());
        let item = e
            .frames
            .last()
            .map(|(_, i)| format!(" [{i}]"))
            .unwrap_or_default();
        let to = match (&e.error, &e.next) {
            (Some(err), _) if !e.caught => format!("✖ {}", err.error),
            (Some(err), Some(n)) => format!("caught {} -> {n}", err.error),
            (_, Some(n)) => format!("-> {n}"),
            _ => "end".to_string(),
        };
        let time = if step.millis >= 0.5 {
            format!("  ({:.0} ms)", step.millis)
        } else {
            String::new()
        };
        let text = format!("{indent}{}. {}{item}  {to}{time}", i + 1, e.state);
        let colour = if e.error.is_some() && !e.caught {
            RED
        } else {
            state_colour(&e.state_type)
        };
        let selected = session.selected == Some(i);
        let resp = ui.selectable_label(selected, RichText::new(text).color(colour));
        if resp.clicked() {
            out.push(Command::DebugSelect(i));
        }
        resp.context_menu(|ui| {
            if ui.button("Rewind to before this step").clicked() {
                out.push(Command::DebugRewind(i));
                ui.close();
            }
        });
    }
    if hidden > 0 {
        ui.label(RichText::new(format!("{hidden} step(s) hidden by the filter")).weak());
    }
    if let Some(p) = &session.partial {
        ui.label(
            RichText::new(format!(
                "{}. {}  · paused {}",
                session.steps.len() + 1,
                p.stop.event.state,
                p.stop.phase.label()
            ))
            .color(AMBER),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_playground_evaluates_paths_templates_and_parameters() {
        let data = json!({"t": {"id": 7, "tags": ["a", "b"]}});
        assert_eq!(playground("$.t.id", &data), Ok(json!(7)));
        assert_eq!(
            playground("ticket {{$.t.id}}", &data),
            Ok(json!("ticket 7"))
        );
        assert_eq!(
            playground(r#"{"id.$": "$.t.id", "fixed": 1}"#, &data),
            Ok(json!({"id": 7, "fixed": 1}))
        );
        assert!(playground("$.missing", &data).is_err());
    }

    #[test]
    fn search_finds_leaves_by_path_or_value() {
        let v = json!({"ticket": {"id": 812, "priority": "Urgent", "tags": ["vip", "eu"]}});
        let paths =
            |q: &str| -> Vec<String> { find_in(&v, q, 10).into_iter().map(|(p, _)| p).collect() };
        assert_eq!(paths("urgent"), ["$.ticket.priority"]);
        assert_eq!(paths("TAGS"), ["$.ticket.tags[0]", "$.ticket.tags[1]"]);
        assert_eq!(paths("812"), ["$.ticket.id"]);
        assert!(paths("  ").is_empty());
        assert_eq!(find_in(&v, "t", 2).len(), 2);
    }

    #[test]
    fn diff_names_added_removed_and_changed_paths() {
        let d = diff(
            &json!({"a": 1, "b": {"c": [1, 2]}, "gone": true, "x y": 1}),
            &json!({"a": 2, "b": {"c": [1]}, "new": null, "x y": 1}),
        );
        assert_eq!(
            d,
            vec![
                Change::Changed("$.a".into(), json!(1), json!(2)),
                Change::Removed("$.b.c[1]".into(), json!(2)),
                Change::Removed("$.gone".into(), json!(true)),
                Change::Added("$.new".into(), json!(null)),
            ]
        );
    }
}
