//! [`Compiled`]: a flow definition read once into the typed model every step uses, shared
//! by every execution of it.
//!
//! Compile a definition once ([`Compiled::new`]) and start each execution on the shared
//! result ([`super::Execution::start`]): steps look their state machine up by pointer here
//! instead of copying and re-reading the definition, so an execution costs its data and
//! nothing of the definition. The JSON is kept as it was given ([`Compiled::value`]); the
//! typed model borrows from it (a self-referential cell), so nothing is copied.

use crate::model::{FlowDefinition, StateKind};
use crate::run::StatesError;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Every state machine of a definition: the root and each Map iterator, found by pointer.
struct Machines<'a> {
    root: FlowDefinition<'a>,
    /// Machine pointer → the state indices that lead to it from the root (each a Map whose
    /// iterator is the next machine down); `""` is the root.
    paths: HashMap<String, Vec<usize>>,
    /// Machine pointer → its JSON object.
    values: HashMap<String, &'a Value>,
    /// A Pass `Result` (by its address in the definition) → its size as JSON text.
    result_sizes: HashMap<usize, usize>,
}

self_cell::self_cell!(
    struct Cell {
        owner: Value,
        #[covariant]
        dependent: Machines,
    }
    impl {Debug}
);

impl std::fmt::Debug for Machines<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machines")
            .field("machines", &self.paths.len())
            .finish()
    }
}

/// A flow definition compiled for running: read once, shared by every execution
/// (`Arc<Compiled>`), never changed.
#[derive(Debug)]
pub struct Compiled {
    cell: Cell,
    start: String,
    /// Every path of the definition parsed (reference paths, `.$` values, the paths inside
    /// `{{ }}` placeholders), found by where their text lies in the definition.
    paths: Arc<crate::path::Parsed>,
}

impl Compiled {
    /// Reads `definition` (a flow's `StartAt` + `States`); an error when it has no
    /// `StartAt`. Problems of a state show when a step reaches it, as they always have.
    pub fn new(definition: Value) -> Result<Arc<Self>, StatesError> {
        let start = definition
            .get("StartAt")
            .and_then(Value::as_str)
            .ok_or_else(|| StatesError::runtime("the definition has no StartAt"))?
            .to_string();
        let cell = Cell::new(definition, |value| {
            let (root, _) = FlowDefinition::from_value(value, "");
            let mut machines = Machines {
                root,
                paths: HashMap::new(),
                values: HashMap::new(),
                result_sizes: HashMap::new(),
            };
            for s in machines.root.all_states() {
                if let StateKind::Pass {
                    result: Some(result),
                } = &s.kind
                {
                    let size = crate::run::dataflow::json_size(result, usize::MAX);
                    machines
                        .result_sizes
                        .insert(std::ptr::from_ref(*result) as usize, size);
                }
            }
            let mut found = Vec::new();
            index(&machines.root, &mut Vec::new(), &mut found);
            for (pointer, path) in found {
                if let Some(v) = value.pointer(&pointer) {
                    machines.values.insert(pointer.clone(), v);
                }
                machines.paths.insert(pointer, path);
            }
            machines
        });
        let mut paths = crate::path::Parsed::default();
        add_paths(cell.borrow_owner(), &mut paths);
        Ok(Arc::new(Self {
            cell,
            start,
            paths: Arc::new(paths),
        }))
    }

    /// The definition as given.
    pub fn value(&self) -> &Value {
        self.cell.borrow_owner()
    }

    /// The definition's paths, parsed (see [`crate::path::ahead`]).
    pub fn paths(&self) -> &Arc<crate::path::Parsed> {
        &self.paths
    }

    /// The root machine's `StartAt`.
    pub fn start_at(&self) -> &str {
        &self.start
    }

    /// The size as JSON text of a Pass state's `Result` (a value of this definition).
    pub(crate) fn result_size(&self, result: &Value) -> Option<usize> {
        let key = std::ptr::from_ref(result) as usize;
        self.cell.borrow_dependent().result_sizes.get(&key).copied()
    }

    /// The state machine at `pointer` (`""`: the root; a Map's iterator by its pointer) and
    /// its JSON object.
    pub(crate) fn machine<'s>(
        &'s self,
        pointer: &str,
    ) -> Option<(&'s FlowDefinition<'s>, &'s Value)> {
        let m = self.cell.borrow_dependent();
        if pointer.is_empty() {
            return Some((&m.root, self.value()));
        }
        let path = m.paths.get(pointer)?;
        let mut def = &m.root;
        for &i in path {
            match &def.states().get(i)?.kind {
                StateKind::Map {
                    iterator: Some(it), ..
                } => def = it,
                _ => return None,
            }
        }
        Some((def, *m.values.get(pointer)?))
    }
}

/// Every string of `v` that is a path (as written and trimmed), and every path inside a
/// `{{ }}` placeholder, into `out`.
fn add_paths(v: &Value, out: &mut crate::path::Parsed) {
    match v {
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with('$') {
                out.add(s);
                out.add(t);
            }
            if crate::template::has_placeholders(s) {
                out.add_template(s);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| add_paths(i, out)),
        Value::Object(map) => map.values().for_each(|i| add_paths(i, out)),
        _ => {}
    }
}

/// Records `def`'s pointer with the way to it, then every iterator below.
fn index(def: &FlowDefinition<'_>, way: &mut Vec<usize>, out: &mut Vec<(String, Vec<usize>)>) {
    out.push((def.pointer.clone(), way.clone()));
    for (i, s) in def.states().iter().enumerate() {
        if let StateKind::Map {
            iterator: Some(it), ..
        } = &s.kind
        {
            way.push(i);
            index(it, way, out);
            way.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_iterators_are_found_by_pointer() {
        let c = Compiled::new(json!({"StartAt": "A", "States": {
            "A": {"Type": "Map", "Iterator": {"StartAt": "B", "States": {
                "B": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": true}}}, "End": true}}}, "End": true}}}))
        .unwrap();
        assert_eq!(c.start_at(), "A");
        let (root, _) = c.machine("").unwrap();
        assert_eq!(root.states().len(), 1);
        let (inner, v) = c
            .machine("/States/A/Iterator/States/B/ItemProcessor")
            .unwrap();
        assert_eq!(inner.states()[0].name, "C");
        assert_eq!(v["StartAt"], "C");
        assert!(c.machine("/States/Z/Iterator").is_none());
        assert!(Compiled::new(json!({"States": {}})).is_err());
    }
}
