//! Flow definitions and their states.

use super::choice::ChoiceRule;
use super::reader::{self, Reader};
use crate::json::pointer;
use serde_json::{Map, Value};

/// A state machine: a flow's `definition`, a Map's `Iterator` or a Parallel branch.
#[derive(Clone, Debug, Default)]
pub struct FlowDefinition<'a> {
    /// Pointer to the definition object.
    pub pointer: String,
    /// `StartAt`.
    pub start_at: Option<&'a str>,
    /// `Comment`.
    pub comment: Option<&'a str>,
    /// `QueryLanguage` (ASL only).
    pub query_language: Option<&'a str>,
    /// `States`, in source order; `None` when the key is missing or not an object.
    pub states: Option<Vec<State<'a>>>,
    /// Keys of the definition object.
    pub keys: Vec<&'a str>,
}

/// A path field that may also be `null` (InputPath, OutputPath, ResultPath).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum PathField<'a> {
    /// Not written.
    #[default]
    Absent,
    /// Written as `null`.
    Null,
    /// A path string.
    Path(&'a str),
}

/// One catcher of a `Catch` list.
#[derive(Clone, Debug, Default)]
pub struct Catcher<'a> {
    /// Pointer to the catcher object.
    pub pointer: String,
    /// `ErrorEquals`.
    pub error_equals: Option<Vec<&'a str>>,
    /// `Next`.
    pub next: Option<&'a str>,
    /// `ResultPath`.
    pub result_path: PathField<'a>,
}

/// One state of a flow.
#[derive(Clone, Debug)]
pub struct State<'a> {
    /// The state's name (its key under `States`).
    pub name: &'a str,
    /// Pointer to the state object.
    pub pointer: String,
    /// `Type` as written.
    pub type_name: Option<&'a str>,
    /// What kind of state it is, with its type-specific fields.
    pub kind: StateKind<'a>,
    /// `Next`.
    pub next: Option<&'a str>,
    /// `End` (may be `false`, which ZIS rejects).
    pub end: Option<bool>,
    /// `Comment`.
    pub comment: Option<&'a str>,
    /// `InputPath`.
    pub input_path: PathField<'a>,
    /// `OutputPath`.
    pub output_path: PathField<'a>,
    /// `ResultPath`.
    pub result_path: PathField<'a>,
    /// `Parameters` (or ASL's `ItemSelector` on Map).
    pub parameters: Option<&'a Value>,
    /// `ResultSelector`.
    pub result_selector: Option<&'a Value>,
    /// `Catch`.
    pub catch: Option<Vec<Catcher<'a>>>,
    /// `Retry`, kept raw (ZIS does not support it).
    pub retry: Option<&'a Value>,
    /// Every key of the state object, in order.
    pub keys: Vec<&'a str>,
}

/// The state types and their own fields.
#[derive(Clone, Debug)]
pub enum StateKind<'a> {
    /// ZIS `Action`.
    Action {
        /// `ActionName`.
        action_name: Option<&'a str>,
    },
    /// `Choice`.
    Choice {
        /// `Choices`, `None` when missing or not an array.
        choices: Option<Vec<ChoiceRule<'a>>>,
        /// `Default`.
        default: Option<&'a str>,
    },
    /// `Pass`.
    Pass {
        /// `Result`.
        result: Option<&'a Value>,
    },
    /// `Wait`.
    Wait {
        /// `Seconds`.
        seconds: Option<&'a Value>,
        /// `SecondsPath`.
        seconds_path: Option<&'a str>,
        /// `Timestamp` (ASL only).
        timestamp: Option<&'a str>,
        /// `TimestampPath` (ASL only).
        timestamp_path: Option<&'a str>,
    },
    /// `Succeed`.
    Succeed {
        /// `Message` (ZIS).
        message: Option<&'a str>,
    },
    /// `Fail`.
    Fail {
        /// `Error`.
        error: Option<&'a str>,
        /// `Cause`.
        cause: Option<&'a str>,
    },
    /// `Map`.
    Map {
        /// `ItemsPath`.
        items_path: Option<&'a str>,
        /// `Iterator` or ASL's `ItemProcessor`.
        iterator: Option<Box<FlowDefinition<'a>>>,
    },
    /// ASL `Task` (not supported by ZIS).
    Task {
        /// `Resource`.
        resource: Option<&'a str>,
    },
    /// ASL `Parallel` (not supported by ZIS).
    Parallel {
        /// `Branches`.
        branches: Vec<FlowDefinition<'a>>,
    },
    /// A missing or unknown `Type`.
    Unknown,
}

impl StateKind<'_> {
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

impl<'a> FlowDefinition<'a> {
    /// Reads a bare state machine definition (a flow's `definition`, a Map `Iterator`),
    /// with its pointers relative to `pointer`.
    pub fn from_value(value: &'a Value, pointer: &str) -> (Self, Vec<super::ShapeIssue>) {
        let mut r = Reader::default();
        let def = Self::read(&mut r, value, pointer);
        (def, r.issues)
    }

    pub(crate) fn read(r: &mut Reader, value: &'a Value, ptr: &str) -> Self {
        let mut def = Self {
            pointer: ptr.to_string(),
            ..Self::default()
        };
        let Some(obj) = r.object(value, ptr) else {
            return def;
        };
        def.keys = obj.keys().map(String::as_str).collect();
        def.start_at = r.string_field(obj, ptr, "StartAt");
        def.comment = r.string_field(obj, ptr, "Comment");
        def.query_language = r.string_field(obj, ptr, "QueryLanguage");
        let states_ptr = format!("{ptr}/States");
        if let Some(states) = reader::field(obj, "States").and_then(|s| r.object(s, &states_ptr)) {
            def.states = Some(
                states
                    .iter()
                    .filter_map(|(name, v)| {
                        State::read(r, name, v, &pointer::push(&states_ptr, name))
                    })
                    .collect(),
            );
        }
        def
    }

    /// The state with this name.
    pub fn state(&self, name: &str) -> Option<&State<'a>> {
        self.states.as_ref()?.iter().find(|s| s.name == name)
    }

    /// Every state of this machine and of the machines nested in its Map and Parallel states.
    pub fn all_states(&self) -> Vec<&State<'a>> {
        let mut out = Vec::new();
        for s in self.states() {
            out.push(s);
            match &s.kind {
                StateKind::Map {
                    iterator: Some(it), ..
                } => out.extend(it.all_states()),
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
    pub fn states(&self) -> &[State<'a>] {
        self.states.as_deref().unwrap_or(&[])
    }
}

fn path_field<'a>(
    r: &mut Reader,
    obj: &'a Map<String, Value>,
    ptr: &str,
    key: &str,
) -> PathField<'a> {
    match reader::field(obj, key) {
        None => PathField::Absent,
        Some(Value::Null) => PathField::Null,
        Some(Value::String(s)) => PathField::Path(s.as_str()),
        Some(other) => {
            r.wrong(&pointer::push(ptr, key), "a path string or null", other);
            PathField::Absent
        }
    }
}

impl<'a> State<'a> {
    fn read(r: &mut Reader, name: &'a str, value: &'a Value, ptr: &str) -> Option<Self> {
        let obj = r.object(value, ptr)?;
        let type_name = r.string_field(obj, ptr, "Type");
        let kind = match type_name {
            Some("Action") => StateKind::Action {
                action_name: r.string_field(obj, ptr, "ActionName"),
            },
            Some("Choice") => {
                let choices_ptr = format!("{ptr}/Choices");
                let choices = obj
                    .get("Choices")
                    .and_then(|c| r.array(c, &choices_ptr, "an array of rules"))
                    .map(|rules| {
                        rules
                            .iter()
                            .enumerate()
                            .map(|(i, rule)| {
                                ChoiceRule::read(r, rule, &format!("{choices_ptr}/{i}"))
                            })
                            .collect()
                    });
                StateKind::Choice {
                    choices,
                    default: r.string_field(obj, ptr, "Default"),
                }
            }
            Some("Pass") => StateKind::Pass {
                result: reader::field(obj, "Result"),
            },
            Some("Wait") => StateKind::Wait {
                seconds: reader::field(obj, "Seconds"),
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
                let (key, v) = match (
                    reader::field(obj, "Iterator"),
                    reader::field(obj, "ItemProcessor"),
                ) {
                    (Some(v), _) => ("Iterator", Some(v)),
                    (None, Some(v)) => ("ItemProcessor", Some(v)),
                    _ => ("Iterator", None),
                };
                StateKind::Map {
                    items_path: r.string_field(obj, ptr, "ItemsPath"),
                    iterator: v
                        .map(|v| Box::new(FlowDefinition::read(r, v, &pointer::push(ptr, key)))),
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
        let catch = reader::field(obj, "Catch").and_then(|c| {
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
            name,
            pointer: ptr.to_string(),
            type_name,
            kind,
            next: r.string_field(obj, ptr, "Next"),
            end: r.bool_field(obj, ptr, "End"),
            comment: r.string_field(obj, ptr, "Comment"),
            input_path: path_field(r, obj, ptr, "InputPath"),
            output_path: path_field(r, obj, ptr, "OutputPath"),
            result_path: path_field(r, obj, ptr, "ResultPath"),
            parameters: reader::field(obj, "Parameters")
                .or_else(|| reader::field(obj, "ItemSelector")),
            result_selector: reader::field(obj, "ResultSelector"),
            catch,
            retry: reader::field(obj, "Retry"),
            keys: obj.keys().map(String::as_str).collect(),
        })
    }

    /// The names of every transition target (Next, Choice rules, Default, Catch).
    pub fn target_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        let rules: &[ChoiceRule<'a>] = match &self.kind {
            StateKind::Choice {
                choices: Some(c), ..
            } => c,
            _ => &[],
        };
        let default = match &self.kind {
            StateKind::Choice { default, .. } => *default,
            _ => None,
        };
        self.next
            .into_iter()
            .chain(rules.iter().filter_map(|r| r.next))
            .chain(default)
            .chain(self.catch.iter().flatten().filter_map(|c| c.next))
    }

    /// Every transition target of this state with the pointer of the field naming it.
    pub fn targets(&self) -> Vec<(&'a str, String)> {
        let mut out = Vec::new();
        if let Some(n) = self.next {
            out.push((n, format!("{}/Next", self.pointer)));
        }
        if let StateKind::Choice { choices, default } = &self.kind {
            for rule in choices.iter().flatten() {
                if let Some(n) = rule.next {
                    out.push((n, format!("{}/Next", rule.pointer)));
                }
            }
            if let Some(d) = *default {
                out.push((d, format!("{}/Default", self.pointer)));
            }
        }
        for c in self.catch.iter().flatten() {
            if let Some(n) = c.next {
                out.push((n, format!("{}/Next", c.pointer)));
            }
        }
        out
    }
}

impl<'a> Catcher<'a> {
    fn read(r: &mut Reader, value: &'a Value, ptr: &str) -> Option<Self> {
        let obj = r.object(value, ptr)?;
        let eptr = format!("{ptr}/ErrorEquals");
        let error_equals = reader::field(obj, "ErrorEquals").and_then(|v| {
            let items = r.array(v, &eptr, "an array of error names")?;
            let mut names = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => names.push(s.as_str()),
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
