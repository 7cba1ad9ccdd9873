//! Flow definitions and their states.

use super::choice::ChoiceRule;
use super::reader::Reader;
use crate::json::pointer;
use serde_json::{Map, Value};

/// A state machine: a flow's `definition`, a Map's `Iterator` or a Parallel branch.
#[derive(Clone, Debug, Default)]
pub struct FlowDefinition {
    /// Pointer to the definition object.
    pub pointer: String,
    /// `StartAt`.
    pub start_at: Option<String>,
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage` (ASL only).
    pub query_language: Option<String>,
    /// `States`, in source order; `None` when the key is missing or not an object.
    pub states: Option<Vec<State>>,
    /// Keys of the definition object.
    pub keys: Vec<String>,
}

/// A path field that may also be `null` (InputPath, OutputPath, ResultPath).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum PathField {
    /// Not written.
    #[default]
    Absent,
    /// Written as `null`.
    Null,
    /// A path string.
    Path(String),
}

/// One catcher of a `Catch` list.
#[derive(Clone, Debug, Default)]
pub struct Catcher {
    /// Pointer to the catcher object.
    pub pointer: String,
    /// `ErrorEquals`.
    pub error_equals: Option<Vec<String>>,
    /// `Next`.
    pub next: Option<String>,
    /// `ResultPath`.
    pub result_path: PathField,
}

/// One state of a flow.
#[derive(Clone, Debug)]
pub struct State {
    /// The state's name (its key under `States`).
    pub name: String,
    /// Pointer to the state object.
    pub pointer: String,
    /// `Type` as written.
    pub type_name: Option<String>,
    /// What kind of state it is, with its type-specific fields.
    pub kind: StateKind,
    /// `Next`.
    pub next: Option<String>,
    /// `End` (may be `false`, which ZIS rejects).
    pub end: Option<bool>,
    /// `Comment`.
    pub comment: Option<String>,
    /// `InputPath`.
    pub input_path: PathField,
    /// `OutputPath`.
    pub output_path: PathField,
    /// `ResultPath`.
    pub result_path: PathField,
    /// `Parameters` (or ASL's `ItemSelector` on Map).
    pub parameters: Option<Value>,
    /// `ResultSelector`.
    pub result_selector: Option<Value>,
    /// `Catch`.
    pub catch: Option<Vec<Catcher>>,
    /// `Retry`, kept raw (ZIS does not support it).
    pub retry: Option<Value>,
    /// Every key of the state object, in order.
    pub keys: Vec<String>,
}

/// The state types and their own fields.
#[derive(Clone, Debug)]
pub enum StateKind {
    /// ZIS `Action`.
    Action {
        /// `ActionName`.
        action_name: Option<String>,
    },
    /// `Choice`.
    Choice {
        /// `Choices`, `None` when missing or not an array.
        choices: Option<Vec<ChoiceRule>>,
        /// `Default`.
        default: Option<String>,
    },
    /// `Pass`.
    Pass {
        /// `Result`.
        result: Option<Value>,
    },
    /// `Wait`.
    Wait {
        /// `Seconds`.
        seconds: Option<Value>,
        /// `SecondsPath`.
        seconds_path: Option<String>,
        /// `Timestamp` (ASL only).
        timestamp: Option<String>,
        /// `TimestampPath` (ASL only).
        timestamp_path: Option<String>,
    },
    /// `Succeed`.
    Succeed {
        /// `Message` (ZIS).
        message: Option<String>,
    },
    /// `Fail`.
    Fail {
        /// `Error`.
        error: Option<String>,
        /// `Cause`.
        cause: Option<String>,
    },
    /// `Map`.
    Map {
        /// `ItemsPath`.
        items_path: Option<String>,
        /// `Iterator` or ASL's `ItemProcessor`.
        iterator: Option<Box<FlowDefinition>>,
    },
    /// ASL `Task` (not supported by ZIS).
    Task {
        /// `Resource`.
        resource: Option<String>,
    },
    /// ASL `Parallel` (not supported by ZIS).
    Parallel {
        /// `Branches`.
        branches: Vec<FlowDefinition>,
    },
    /// A missing or unknown `Type`.
    Unknown,
}

impl StateKind {
    /// The ASL type name of this kind.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Action { .. } => "Action",
            Self::Choice { .. } => "Choice",
            Self::Pass { .. } => "Pass",
            Self::Wait { .. } => "Wait",
            Self::Succeed { .. } => "Succeed",
            Self::Fail { .. } => "Fail",
            Self::Map { .. } => "Map",
            Self::Task { .. } => "Task",
            Self::Parallel { .. } => "Parallel",
            Self::Unknown => "Unknown",
        }
    }
}

impl FlowDefinition {
    pub(crate) fn read(r: &mut Reader, value: &Value, ptr: &str) -> Self {
        let mut def = Self {
            pointer: ptr.to_string(),
            ..Self::default()
        };
        let Some(obj) = r.object(value, ptr) else {
            return def;
        };
        def.keys = obj.keys().cloned().collect();
        def.start_at = r.string_field(obj, ptr, "StartAt");
        def.comment = r.string_field(obj, ptr, "Comment");
        def.query_language = r.string_field(obj, ptr, "QueryLanguage");
        let states_ptr = format!("{ptr}/States");
        if let Some(states) = obj.get("States").and_then(|s| r.object(s, &states_ptr)) {
            def.states = Some(
                states
                    .iter()
                    .filter_map(|(name, v)| State::read(r, name, v, &pointer::push(&states_ptr, name)))
                    .collect(),
            );
        }
        def
    }

    /// The state with this name.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.as_ref()?.iter().find(|s| s.name == name)
    }

    /// Every state of this machine and of the machines nested in its Map and Parallel states.
    pub fn all_states(&self) -> Vec<&State> {
        let mut out = Vec::new();
        for s in self.states() {
            out.push(s);
            match &s.kind {
                StateKind::Map { iterator: Some(it), .. } => out.extend(it.all_states()),
                StateKind::Parallel { branches } => {
                    for b in branches {
                        out.extend(b.all_states());
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The states (empty when `States` is missing).
    pub fn states(&self) -> &[State] {
        self.states.as_deref().unwrap_or(&[])
    }
}

fn path_field(r: &mut Reader, obj: &Map<String, Value>, ptr: &str, key: &str) -> PathField {
    match obj.get(key) {
        None => PathField::Absent,
        Some(Value::Null) => PathField::Null,
        Some(Value::String(s)) => PathField::Path(s.clone()),
        Some(other) => {
            r.wrong(&pointer::push(ptr, key), "a path string or null", other);
            PathField::Absent
        }
    }
}

impl State {
    fn read(r: &mut Reader, name: &str, value: &Value, ptr: &str) -> Option<Self> {
        let obj = r.object(value, ptr)?;
        let type_name = r.string_field(obj, ptr, "Type");
        let kind = match type_name.as_deref() {
            Some("Action") => StateKind::Action {
                action_name: r.string_field(obj, ptr, "ActionName"),
            },
            Some("Choice") => {
                let choices_ptr = format!("{ptr}/Choices");
                let choices = obj.get("Choices").and_then(|c| r.array(c, &choices_ptr, "an array of rules")).map(|rules| {
                    rules
                        .iter()
                        .enumerate()
                        .map(|(i, rule)| ChoiceRule::read(r, rule, &format!("{choices_ptr}/{i}")))
                        .collect()
                });
                StateKind::Choice {
                    choices,
                    default: r.string_field(obj, ptr, "Default"),
                }
            }
            Some("Pass") => StateKind::Pass {
                result: obj.get("Result").cloned(),
            },
            Some("Wait") => StateKind::Wait {
                seconds: obj.get("Seconds").cloned(),
                seconds_path: r.string_field(obj, ptr, "SecondsPath"),
                timestamp: r.string_field(obj, ptr, "Timestamp"),
                timestamp_path: r.string_field(obj, ptr, "TimestampPath"),
            },
            Some("Succeed") => StateKind::Succeed {
                message: r.string_field(obj, ptr, "Message"),
            },
            Some("Fail") => StateKind::Fail {
                error: r.string_field(obj, ptr, "Error"),
                cause: r.string_field(obj, ptr, "Cause"),
            },
            Some("Map") => {
                let (key, v) = match (obj.get("Iterator"), obj.get("ItemProcessor")) {
                    (Some(v), _) => ("Iterator", Some(v)),
                    (None, Some(v)) => ("ItemProcessor", Some(v)),
                    _ => ("Iterator", None),
                };
                StateKind::Map {
                    items_path: r.string_field(obj, ptr, "ItemsPath"),
                    iterator: v.map(|v| Box::new(FlowDefinition::read(r, v, &pointer::push(ptr, key)))),
                }
            }
            Some("Task") => StateKind::Task {
                resource: r.string_field(obj, ptr, "Resource"),
            },
            Some("Parallel") => {
                let bptr = format!("{ptr}/Branches");
                let branches = obj
                    .get("Branches")
                    .and_then(|b| r.array(b, &bptr, "an array of branches"))
                    .map(|bs| {
                        bs.iter()
                            .enumerate()
                            .map(|(i, b)| FlowDefinition::read(r, b, &format!("{bptr}/{i}")))
                            .collect()
                    })
                    .unwrap_or_default();
                StateKind::Parallel { branches }
            }
            _ => StateKind::Unknown,
        };
        let catch = obj.get("Catch").and_then(|c| {
            let cptr = format!("{ptr}/Catch");
            let items = r.array(c, &cptr, "an array of catchers")?;
            Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| Catcher::read(r, c, &format!("{cptr}/{i}")))
                    .collect(),
            )
        });
        Some(Self {
            name: name.to_string(),
            pointer: ptr.to_string(),
            type_name,
            kind,
            next: r.string_field(obj, ptr, "Next"),
            end: r.bool_field(obj, ptr, "End"),
            comment: r.string_field(obj, ptr, "Comment"),
            input_path: path_field(r, obj, ptr, "InputPath"),
            output_path: path_field(r, obj, ptr, "OutputPath"),
            result_path: path_field(r, obj, ptr, "ResultPath"),
            parameters: obj.get("Parameters").or_else(|| obj.get("ItemSelector")).cloned(),
            result_selector: obj.get("ResultSelector").cloned(),
            catch,
            retry: obj.get("Retry").cloned(),
            keys: obj.keys().cloned().collect(),
        })
    }

    /// Every transition target of this state with the pointer of the field naming it.
    pub fn targets(&self) -> Vec<(&str, String)> {
        let mut out = Vec::new();
        if let Some(n) = &self.next {
            out.push((n.as_str(), format!("{}/Next", self.pointer)));
        }
        if let StateKind::Choice { choices, default } = &self.kind {
            for rule in choices.iter().flatten() {
                if let Some(n) = &rule.next {
                    out.push((n.as_str(), format!("{}/Next", rule.pointer)));
                }
            }
            if let Some(d) = default {
                out.push((d.as_str(), format!("{}/Default", self.pointer)));
            }
        }
        for c in self.catch.iter().flatten() {
            if let Some(n) = &c.next {
                out.push((n.as_str(), format!("{}/Next", c.pointer)));
            }
        }
        out
    }
}

impl Catcher {
    fn read(r: &mut Reader, value: &Value, ptr: &str) -> Option<Self> {
        let obj = r.object(value, ptr)?;
        let eptr = format!("{ptr}/ErrorEquals");
        let error_equals = obj.get("ErrorEquals").and_then(|v| {
            let items = r.array(v, &eptr, "an array of error names")?;
            let mut names = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => names.push(s.clone()),
                    other => r.wrong(&format!("{eptr}/{i}"), "an error name string", other),
                }
            }
            Some(names)
        });
        Some(Self {
            pointer: ptr.to_string(),
            error_equals,
            next: r.string_field(obj, ptr, "Next"),
            result_path: path_field(r, obj, ptr, "ResultPath"),
        })
    }
}
