//! Edits to a flow definition (`{"StartAt", "States"}`) as plain JSON operations, with no
//! egui and no undo in them: [`crate::app::AppState`] snapshots the bundle around each one.
//!
//! Every edit keeps the key order of what it does not touch (keys are removed with
//! `shift_remove`, renamed in place), so the lossless writer only rewrites what changed.
//! References between states (`StartAt`, `Next`, `Default`, each Choice rule's `Next`,
//! each catcher's `Next`) are kept true by rename, delete and paste. A Map's `Iterator` is
//! a definition of its own and is edited the same way through its pointer.

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Why an edit could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The definition is not an object with a `States` object.
    #[error("the flow definition has no States object")]
    NoStates,
    /// No state of that name.
    #[error("no state named {0:?}")]
    NoState(String),
    /// The state exists already.
    #[error("a state named {0:?} exists already")]
    Exists(String),
    /// A name that cannot be a state name.
    #[error("a state name must be 1 to 80 characters: {0:?}")]
    BadName(String),
    /// The state has no such output.
    #[error("{state:?} has no {port} output")]
    NoPort {
        /// The state.
        state: String,
        /// The output asked for.
        port: String,
    },
}

/// One output of a state, the source of one edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    /// `Next` (or `End` while unconnected).
    Next,
    /// The Choice rule at this index.
    Rule(usize),
    /// A Choice's `Default`.
    Default,
    /// The catcher at this index.
    Catch(usize),
    /// Connecting it adds a Choice rule.
    NewRule,
    /// Connecting it adds a catcher for `States.ALL`.
    NewCatch,
}

/// Every state type a flow can hold, in palette order.
pub const STATE_TYPES: &[&str] = &["Action", "Choice", "Pass", "Wait", "Map", "Succeed", "Fail"];

/// A new state of a type, ready to be connected; `action` names an Action's action.
pub fn template(type_name: &str, action: Option<&str>) -> Value {
    match type_name {
        "Action" => json!({
            "Type": "Action",
            "ActionName": action.unwrap_or("zis:common:action:LoadConfig"),
            "Parameters": {},
            "ResultPath": "$.result",
            "End": true
        }),
        "Choice" => json!({
            "Type": "Choice",
            "Choices": []
        }),
        "Wait" => json!({"Type": "Wait", "Seconds": 5, "End": true}),
        "Map" => json!({
            "Type": "Map",
            "ItemsPath": "$.input.items",
            "Iterator": {
                "StartAt": "Each",
                "States": {"Each": {"Type": "Pass", "End": true}}
            },
            "ResultPath": "$.results",
            "End": true
        }),
        "Succeed" => json!({"Type": "Succeed"}),
        "Fail" => json!({"Type": "Fail", "Error": "Failed", "Cause": "describe the failure"}),
        _ => json!({"Type": "Pass", "End": true}),
    }
}

/// The default name of a new state of a type: its type, or an action's short name.
pub fn base_name(type_name: &str, action: Option<&str>) -> String {
    match action {
        Some(a) if type_name == "Action" => a.rsplit(':').next().unwrap_or(a).to_string(),
        _ => type_name.to_string(),
    }
}

fn states(def: &Value) -> Result<&Map<String, Value>, EditError> {
    def.get("States")
        .and_then(Value::as_object)
        .ok_or(EditError::NoStates)
}

fn states_mut(def: &mut Value) -> Result<&mut Map<String, Value>, EditError> {
    def.get_mut("States")
        .and_then(Value::as_object_mut)
        .ok_or(EditError::NoStates)
}

/// `base`, or `base_2`, `base_3`...: the first of them `exists` says is free.
pub fn fresh_name(base: &str, exists: impl Fn(&str) -> bool) -> String {
    if !exists(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}_{i}"))
        .find(|n| !exists(n))
        .unwrap_or_else(|| base.to_string())
}

/// The first of `base`, `base_2`... that no state has and `taken` does not hold.
pub fn unique_name(def: &Value, base: &str, taken: &BTreeSet<String>) -> String {
    fresh_name(base, |n| {
        taken.contains(n)
            || def
                .get("States")
                .and_then(Value::as_object)
                .is_some_and(|s| s.contains_key(n))
    })
}

/// Adds a state under a fresh name made from `base`; the first state of an empty flow
/// becomes its `StartAt`. Returns the name given.
pub fn add_state(def: &mut Value, base: &str, state: Value) -> Result<String, EditError> {
    if let Some(obj) = def.as_object_mut()
        && !obj.contains_key("States")
    {
        obj.insert("States".into(), Value::Object(Map::new()));
    }
    let name = unique_name(def, base, &BTreeSet::new());
    let map = states_mut(def)?;
    let first = map.is_empty();
    map.insert(name.clone(), state);
    if first && let Some(obj) = def.as_object_mut() {
        obj.insert("StartAt".into(), Value::String(name.clone()));
    }
    Ok(name)
}

/// The outputs a state offers, in the order the graph draws them.
pub fn ports(state: &Value) -> Vec<Port> {
    let type_name = state.get("Type").and_then(Value::as_str).unwrap_or("");
    let mut out = Vec::new();
    match type_name {
        "Succeed" | "Fail" => return out,
        "Choice" => {
            let n = state
                .get("Choices")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            out.extend((0..n).map(Port::Rule));
            out.push(Port::Default);
            out.push(Port::NewRule);
            return out;
        }
        _ => out.push(Port::Next),
    }
    let n = state
        .get("Catch")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    out.extend((0..n).map(Port::Catch));
    if matches!(type_name, "Action" | "Map" | "Task" | "Parallel") {
        out.push(Port::NewCatch);
    }
    out
}

/// Where an output goes now, if anywhere.
pub fn target(state: &Value, port: Port) -> Option<&str> {
    match port {
        Port::Next => state.get("Next"),
        Port::Default => state.get("Default"),
        Port::Rule(i) => state.get("Choices")?.get(i)?.get("Next"),
        Port::Catch(i) => state.get("Catch")?.get(i)?.get("Next"),
        Port::NewRule | Port::NewCatch => None,
    }
    .and_then(Value::as_str)
}

fn port_name(port: Port) -> String {
    match port {
        Port::Next => "Next".into(),
        Port::Default => "Default".into(),
        Port::Rule(i) => format!("rule {}", i + 1),
        Port::Catch(i) => format!("catcher {}", i + 1),
        Port::NewRule => "new rule".into(),
        Port::NewCatch => "new catcher".into(),
    }
}

/// Points an output of `from` at `to` (a new rule or catcher for the `New` outputs).
pub fn connect(def: &mut Value, from: &str, port: Port, to: &str) -> Result<(), EditError> {
    if !states(def)?.contains_key(to) {
        return Err(EditError::NoState(to.into()));
    }
    let state = states_mut(def)?
        .get_mut(from)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| EditError::NoState(from.into()))?;
    let no_port = || EditError::NoPort {
        state: from.into(),
        port: port_name(port),
    };
    let to_value = Value::String(to.into());
    match port {
        Port::Next => {
            state.shift_remove("End");
            state.insert("Next".into(), to_value);
        }
        Port::Default => {
            state.insert("Default".into(), to_value);
        }
        Port::Rule(i) => {
            let rule = state
                .get_mut("Choices")
                .and_then(|c| c.get_mut(i))
                .and_then(Value::as_object_mut)
                .ok_or_else(no_port)?;
            rule.insert("Next".into(), to_value);
        }
        Port::Catch(i) => {
            let catcher = state
                .get_mut("Catch")
                .and_then(|c| c.get_mut(i))
                .and_then(Value::as_object_mut)
                .ok_or_else(no_port)?;
            catcher.insert("Next".into(), to_value);
        }
        Port::NewRule => {
            let rule = json!({"Variable": "$.input", "IsPresent": true, "Next": to});
            match state.get_mut("Choices").and_then(Value::as_array_mut) {
                Some(list) => list.push(rule),
                None => {
                    state.insert("Choices".into(), Value::Array(vec![rule]));
                }
            }
        }
        Port::NewCatch => {
            let catcher = json!({"ErrorEquals": ["States.ALL"], "Next": to});
            match state.get_mut("Catch").and_then(Value::as_array_mut) {
                Some(list) => list.push(catcher),
                None => {
                    state.insert("Catch".into(), Value::Array(vec![catcher]));
                }
            }
        }
    }
    Ok(())
}

/// Removes an output's edge: `Next` gives way to `End: true`, a rule or catcher goes,
/// `Default` goes.
pub fn disconnect(def: &mut Value, from: &str, port: Port) -> Result<(), EditError> {
    let state = states_mut(def)?
        .get_mut(from)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| EditError::NoState(from.into()))?;
    match port {
        Port::Next => {
            if state.shift_remove("Next").is_some() {
                state.insert("End".into(), Value::Bool(true));
            }
        }
        Port::Default => {
            state.shift_remove("Default");
        }
        Port::Rule(i) => remove_item(state, "Choices", i, false),
        Port::Catch(i) => remove_item(state, "Catch", i, true),
        Port::NewRule | Port::NewCatch => {}
    }
    Ok(())
}

fn remove_item(state: &mut Map<String, Value>, key: &str, i: usize, drop_empty: bool) {
    let Some(list) = state.get_mut(key).and_then(Value::as_array_mut) else {
        return;
    };
    if i < list.len() {
        list.remove(i);
    }
    if drop_empty && list.is_empty() {
        state.shift_remove(key);
    }
}

/// Calls `f` on every state reference of a state: its `Next`, `Default`, rules' and
/// catchers' `Next`. `f` returns what to do with it.
fn for_each_ref(state: &mut Value, f: &mut dyn FnMut(&str) -> RefAction) {
    let Some(obj) = state.as_object_mut() else {
        return;
    };
    if let Some(next) = obj.get("Next").and_then(Value::as_str).map(str::to_string) {
        match f(&next) {
            RefAction::Keep => {}
            RefAction::Rename(n) => {
                obj.insert("Next".into(), Value::String(n));
            }
            RefAction::Drop => {
                obj.shift_remove("Next");
                obj.insert("End".into(), Value::Bool(true));
            }
        }
    }
    if let Some(d) = obj
        .get("Default")
        .and_then(Value::as_str)
        .map(str::to_string)
    {
        match f(&d) {
            RefAction::Keep => {}
            RefAction::Rename(n) => {
                obj.insert("Default".into(), Value::String(n));
            }
            RefAction::Drop => {
                obj.shift_remove("Default");
            }
        }
    }
    for key in ["Choices", "Catch"] {
        let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) else {
            continue;
        };
        list.retain_mut(|item| {
            let Some(next) = item.get("Next").and_then(Value::as_str).map(str::to_string) else {
                return true;
            };
            match f(&next) {
                RefAction::Keep => true,
                RefAction::Rename(n) => {
                    if let Some(o) = item.as_object_mut() {
                        o.insert("Next".into(), Value::String(n));
                    }
                    true
                }
                RefAction::Drop => false,
            }
        });
        if key == "Catch" && list.is_empty() {
            obj.shift_remove("Catch");
        }
    }
}

enum RefAction {
    Keep,
    Rename(String),
    Drop,
}

/// Deletes states and every edge into them (a `Next` into them becomes `End: true`, rules,
/// catchers and defaults into them go). `StartAt` moves to the first state left.
pub fn delete_states(def: &mut Value, names: &[String]) -> Result<(), EditError> {
    let gone: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let map = states_mut(def)?;
    for name in names {
        map.shift_remove(name);
    }
    for state in map.values_mut() {
        for_each_ref(state, &mut |t| {
            if gone.contains(t) {
                RefAction::Drop
            } else {
                RefAction::Keep
            }
        });
    }
    let first = map.keys().next().cloned();
    let start = def
        .get("StartAt")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(start) = start
        && gone.contains(start.as_str())
        && let Some(obj) = def.as_object_mut()
    {
        match first {
            Some(f) => {
                obj.insert("StartAt".into(), Value::String(f));
            }
            None => {
                obj.shift_remove("StartAt");
            }
        }
    }
    Ok(())
}

/// Renames a state in place (its position among the states kept) and every reference to it.
pub fn rename_state(def: &mut Value, old: &str, new: &str) -> Result<(), EditError> {
    if new.is_empty() || new.chars().count() > 80 {
        return Err(EditError::BadName(new.into()));
    }
    if old == new {
        return Ok(());
    }
    let map = states_mut(def)?;
    if !map.contains_key(old) {
        return Err(EditError::NoState(old.into()));
    }
    if map.contains_key(new) {
        return Err(EditError::Exists(new.into()));
    }
    rename_key(map, old, new);
    for state in map.values_mut() {
        for_each_ref(state, &mut |t| {
            if t == old {
                RefAction::Rename(new.into())
            } else {
                RefAction::Keep
            }
        });
    }
    if def.get("StartAt").and_then(Value::as_str) == Some(old)
        && let Some(obj) = def.as_object_mut()
    {
        obj.insert("StartAt".into(), Value::String(new.into()));
    }
    Ok(())
}

/// Makes a state the flow's `StartAt`.
pub fn set_start(def: &mut Value, name: &str) -> Result<(), EditError> {
    if !states(def)?.contains_key(name) {
        return Err(EditError::NoState(name.into()));
    }
    if let Some(obj) = def.as_object_mut() {
        obj.insert("StartAt".into(), Value::String(name.into()));
    }
    Ok(())
}

/// Copies states (in flow order) for a later [`paste_states`].
pub fn copy_states(def: &Value, names: &[String]) -> Vec<(String, Value)> {
    let Ok(map) = states(def) else {
        return Vec::new();
    };
    map.iter()
        .filter(|(k, _)| names.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Pastes copied states: a name that is taken gets a suffix, references among the pasted
/// states follow their new names, references to states the flow has are kept, and the rest
/// are dropped as [`delete_states`] would. Returns old name → new name.
pub fn paste_states(
    def: &mut Value,
    clip: &[(String, Value)],
) -> Result<BTreeMap<String, String>, EditError> {
    if let Some(obj) = def.as_object_mut()
        && !obj.contains_key("States")
    {
        obj.insert("States".into(), Value::Object(Map::new()));
    }
    let mut names = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for (name, _) in clip {
        let new = unique_name(def, name, &taken);
        taken.insert(new.clone());
        names.insert(name.clone(), new);
    }
    let existing: BTreeSet<String> = states(def)?.keys().cloned().collect();
    let was_empty = existing.is_empty();
    let map = states_mut(def)?;
    let mut first = None;
    for (name, value) in clip {
        let mut value = value.clone();
        for_each_ref(&mut value, &mut |t| match names.get(t) {
            Some(n) => RefAction::Rename(n.clone()),
            None if existing.contains(t) => RefAction::Keep,
            None => RefAction::Drop,
        });
        let new = names.get(name).cloned().unwrap_or_else(|| name.clone());
        first.get_or_insert_with(|| new.clone());
        map.insert(new, value);
    }
    if was_empty && let (Some(f), Some(obj)) = (first, def.as_object_mut()) {
        obj.insert("StartAt".into(), Value::String(f));
    }
    Ok(names)
}

/// Sets (or with `None` removes) the value at `pointer` inside `root`, creating the last key
/// of an object when it is missing. `false` when the parent does not exist.
pub fn set_at(root: &mut Value, pointer: &str, value: Option<Value>) -> bool {
    if pointer.is_empty() {
        return match value {
            Some(v) => {
                *root = v;
                true
            }
            None => false,
        };
    }
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    let Some(parent) = root.pointer_mut(parent) else {
        return false;
    };
    match parent {
        Value::Object(obj) => {
            match value {
                Some(v) => {
                    obj.insert(key, v);
                }
                None => {
                    obj.shift_remove(&key);
                }
            }
            true
        }
        Value::Array(items) => {
            let Ok(i) = key.parse::<usize>() else {
                return key == "-"
                    && value.is_some_and(|v| {
                        items.push(v);
                        true
                    });
            };
            match value {
                Some(v) if i < items.len() => items[i] = v,
                Some(v) if i == items.len() => items.push(v),
                None if i < items.len() => {
                    items.remove(i);
                }
                _ => return false,
            }
            true
        }
        _ => false,
    }
}

/// Renames an object's key in place (its position kept); `false` when it cannot.
pub fn rename_key(obj: &mut Map<String, Value>, old: &str, new: &str) -> bool {
    if old == new {
        return true;
    }
    if !obj.contains_key(old) || obj.contains_key(new) || new.is_empty() {
        return false;
    }
    let renamed: Map<String, Value> = std::mem::take(obj)
        .into_iter()
        .map(|(k, v)| {
            if k == old {
                (new.to_string(), v)
            } else {
                (k, v)
            }
        })
        .collect();
    *obj = renamed;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> Value {
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Action", "ActionName": "x", "Next": "C",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.a", "IsPresent": true, "Next": "B"},
                {"Variable": "$.b", "IsPresent": true, "Next": "F"}], "Default": "B"},
            "B": {"Type": "Pass", "Next": "S"},
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail"}}})
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn add_names_uniquely_and_starts_an_empty_flow() {
        let mut def = json!({});
        assert_eq!(
            add_state(&mut def, "Pass", template("Pass", None)).unwrap(),
            "Pass"
        );
        assert_eq!(def["StartAt"], "Pass");
        assert_eq!(
            add_state(&mut def, "Pass", template("Pass", None)).unwrap(),
            "Pass_2"
        );
        assert_eq!(def["StartAt"], "Pass");
        assert_eq!(
            base_name("Action", Some("zis:common:action:LoadConfig")),
            "LoadConfig"
        );
        for t in STATE_TYPES {
            assert_eq!(template(t, None)["Type"], *t);
        }
    }

    #[test]
    fn connect_and_disconnect_every_port() {
        let mut def = flow();
        connect(&mut def, "B", Port::Next, "F").unwrap();
        assert_eq!(def["States"]["B"]["Next"], "F");
        disconnect(&mut def, "B", Port::Next).unwrap();
        assert_eq!(def["States"]["B"], json!({"Type": "Pass", "End": true}));
        connect(&mut def, "B", Port::Next, "S").unwrap();
        assert_eq!(def["States"]["B"], json!({"Type": "Pass", "Next": "S"}));
        connect(&mut def, "C", Port::Rule(1), "S").unwrap();
        assert_eq!(def["States"]["C"]["Choices"][1]["Next"], "S");
        connect(&mut def, "C", Port::NewRule, "A").unwrap();
        assert_eq!(def["States"]["C"]["Choices"][2]["Next"], "A");
        disconnect(&mut def, "C", Port::Rule(0)).unwrap();
        assert_eq!(def["States"]["C"]["Choices"].as_array().unwrap().len(), 2);
        disconnect(&mut def, "C", Port::Default).unwrap();
        assert!(def["States"]["C"].get("Default").is_none());
        connect(&mut def, "A", Port::NewCatch, "S").unwrap();
        assert_eq!(def["States"]["A"]["Catch"][1]["Next"], "S");
        disconnect(&mut def, "A", Port::Catch(0)).unwrap();
        disconnect(&mut def, "A", Port::Catch(0)).unwrap();
        assert!(def["States"]["A"].get("Catch").is_none());
        assert!(connect(&mut def, "A", Port::Rule(0), "S").is_err());
        assert!(connect(&mut def, "A", Port::Next, "Nope").is_err());
        assert_eq!(
            ports(&def["States"]["C"]),
            vec![Port::Rule(0), Port::Rule(1), Port::Default, Port::NewRule]
        );
        assert_eq!(ports(&def["States"]["S"]), vec![]);
    }

    #[test]
    fn delete_drops_edges_into_the_deleted() {
        let mut def = flow();
        delete_states(&mut def, &["F".into(), "A".into()]).unwrap();
        assert_eq!(keys(&def["States"]), ["C", "B", "S"]);
        assert_eq!(def["StartAt"], "C");
        let rules = def["States"]["C"]["Choices"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "the rule into F went");
        delete_states(&mut def, &["S".into()]).unwrap();
        assert_eq!(def["States"]["B"], json!({"Type": "Pass", "End": true}));
    }

    #[test]
    fn rename_keeps_order_and_references() {
        let mut def = flow();
        rename_state(&mut def, "B", "Between").unwrap();
        assert_eq!(keys(&def["States"]), ["A", "C", "Between", "S", "F"]);
        assert_eq!(def["States"]["C"]["Choices"][0]["Next"], "Between");
        assert_eq!(def["States"]["C"]["Default"], "Between");
        rename_state(&mut def, "A", "Start").unwrap();
        assert_eq!(def["StartAt"], "Start");
        assert_eq!(
            rename_state(&mut def, "Start", "S"),
            Err(EditError::Exists("S".into()))
        );
        assert!(rename_state(&mut def, "Start", "").is_err());
    }

    #[test]
    fn paste_renames_on_collision_and_keeps_references() {
        let mut def = flow();
        let clip = copy_states(&def, &["B".into(), "S".into()]);
        let names = paste_states(&mut def, &clip).unwrap();
        assert_eq!(names["B"], "B_2");
        assert_eq!(names["S"], "S_2");
        assert_eq!(def["States"]["B_2"]["Next"], "S_2", "inside the paste");
        // Into another flow: references to states it lacks are dropped.
        let mut other = json!({"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}});
        let clip = copy_states(&flow(), &["A".into(), "F".into()]);
        paste_states(&mut other, &clip).unwrap();
        assert_eq!(other["States"]["A"]["Catch"][0]["Next"], "F");
        assert_eq!(other["States"]["A"]["End"], true, "C is not in this flow");
        let mut empty = json!({});
        paste_states(&mut empty, &clip).unwrap();
        assert_eq!(empty["StartAt"], "A");
    }

    #[test]
    fn set_at_creates_replaces_and_removes_in_order() {
        let mut v = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]});
        assert!(set_at(&mut v, "/b/c", None));
        assert!(set_at(&mut v, "/b/e", Some(json!(4))));
        assert_eq!(keys(&v["b"]), ["d", "e"]);
        assert!(set_at(&mut v, "/l/2", Some(json!(3))));
        assert!(set_at(&mut v, "/l/0", None));
        assert_eq!(v["l"], json!([2, 3]));
        assert!(!set_at(&mut v, "/x/y", Some(json!(1))));
        let obj = v.as_object_mut().unwrap();
        assert!(rename_key(obj, "a", "z"));
        assert_eq!(keys(&v), ["z", "b", "l"]);
    }
}
