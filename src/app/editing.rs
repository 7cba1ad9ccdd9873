//! Edit commands: every change to the bundle (states, edges, fields, JSON, resources, node
//! positions) as one undo step, and undo/redo themselves. Each goes through
//! [`AppState::edit_value`], which snapshots the bundle, the node positions and the view.
//! Debugging settings (breakpoints, mocks, watches, saved events) are outside this history:
//! they are not the bundle, and one Ctrl+Z must never revert an edit and a breakpoint at
//! once; each of them is undone by its own switch or Remove button.

use super::error::{AppError, AppResult, parse_json};
use super::*;

/// Edit commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum EditCommand {
    /// Undo the last edit.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Copy the selected states.
    Copy,
    /// Copy, then delete the selected states.
    Cut,
    /// Paste copied states into the shown flow.
    Paste,
    /// Copy and paste the selected states at once.
    Duplicate,
    /// Delete the selected states with their edges.
    Delete,
    /// Add a state from the palette; `from` connects an output to it.
    AddState {
        /// `Action`, `Choice`...
        type_name: String,
        /// For an Action, its action.
        action: Option<String>,
        /// Where it goes in the graph.
        pos: [f32; 2],
        /// An output to connect to the new state.
        from: Option<(String, Port)>,
    },
    /// Point an output of a state at another state.
    Connect {
        /// The source state.
        from: String,
        /// Its output.
        port: Port,
        /// The target state.
        to: String,
    },
    /// Remove an output's edge.
    Disconnect {
        /// The source state.
        from: String,
        /// Its output.
        port: Port,
    },
    /// Rename a state and every reference to it.
    RenameState {
        /// Its name.
        old: String,
        /// The new name.
        new: String,
    },
    /// Make a state the flow's StartAt.
    SetStart(String),
    /// Set (or with `None` remove) a value at a JSON pointer of the bundle (form edits).
    SetField {
        /// Where.
        pointer: String,
        /// What.
        value: Option<serde_json::Value>,
    },
    /// Replace the value at a pointer with JSON text typed by the user.
    SetJson {
        /// Where.
        pointer: String,
        /// The text; when it does not parse, the error is shown and nothing changes.
        text: String,
    },
    /// Rename a key of the object at a pointer, its place kept.
    RenameKey {
        /// The object.
        pointer: String,
        /// The key.
        old: String,
        /// Its new name.
        new: String,
    },
    /// Add a resource of a kind.
    AddResource(ResourceKind),
    /// Rename a resource and the references to it.
    RenameResource {
        /// Its key.
        key: String,
        /// The new key and name.
        new: String,
    },
    /// Delete a resource.
    DeleteResource(String),
    /// Nodes were moved in the graph (positions go to the sidecar file, not the bundle).
    MoveNodes(Vec<(String, [f32; 2])>),
    /// Forget the shown flow's stored positions and lay it out again.
    AutoLayout,
}

impl AppState {
    /// Applies one edit command.
    pub(crate) fn apply_editing(&mut self, command: EditCommand, coalesce: Option<String>) {
        match command {
            EditCommand::Undo => self.undo(),
            EditCommand::Redo => self.redo(),
            EditCommand::Copy => self.copy(),
            EditCommand::Cut => {
                self.copy();
                self.delete_selection();
            }
            EditCommand::Paste => self.paste(),
            EditCommand::Duplicate => {
                self.copy();
                self.paste();
            }
            EditCommand::Delete => self.delete_selection(),
            EditCommand::AddState {
                type_name,
                action,
                pos,
                from,
            } => self.add_state(&type_name, action.as_deref(), pos, from),
            EditCommand::Connect { from, port, to } => {
                self.edit_flow(|def| edit::connect(def, &from, port, &to));
            }
            EditCommand::Disconnect { from, port } => {
                self.edit_flow(|def| edit::disconnect(def, &from, port));
            }
            EditCommand::RenameState { old, new } => {
                let new = new.trim().to_string();
                if self.edit_flow(|def| edit::rename_state(def, &old, &new)) {
                    let key = self.layout_key();
                    if let Some(pos) = self
                        .sidecar
                        .layout
                        .get_mut(&key)
                        .and_then(|l| l.remove(&old))
                    {
                        self.sidecar.set(&key, &new, pos);
                        self.save_sidecar();
                    }
                    for s in self.selection.iter_mut().chain(&mut self.selected_state) {
                        if *s == old {
                            s.clone_from(&new);
                        }
                    }
                    self.rebuild();
                }
            }
            EditCommand::SetStart(name) => {
                self.edit_flow(|def| edit::set_start(def, &name));
            }
            EditCommand::SetField { pointer, value } => {
                let done = self.edit_value(coalesce.clone(), |root| {
                    if edit::set_at(root, &pointer, value) {
                        Ok(())
                    } else {
                        Err(AppError::refused(format!("nothing at {pointer} to change")))
                    }
                });
                if done {
                    self.last_edit = coalesce;
                }
            }
            EditCommand::SetJson { pointer, text } => match parse_json(&text) {
                Ok(value) => {
                    self.json_error = None;
                    let done = self.edit_value(coalesce.clone(), |root| {
                        if edit::set_at(root, &pointer, Some(value)) {
                            Ok(())
                        } else {
                            Err(AppError::refused(format!("nothing at {pointer} to change")))
                        }
                    });
                    if done {
                        self.last_edit = coalesce;
                    }
                }
                Err(e) => self.json_error = Some((pointer, e.to_string())),
            },
            EditCommand::RenameKey { pointer, old, new } => {
                self.edit_value(None, |root| {
                    let obj = root
                        .pointer_mut(&pointer)
                        .and_then(serde_json::Value::as_object_mut)
                        .ok_or_else(|| AppError::refused(format!("no object at {pointer}")))?;
                    if edit::rename_key(obj, &old, &new) {
                        Ok(())
                    } else {
                        Err(AppError::refused(format!(
                            "cannot rename {old:?} to {new:?}: the name is taken or empty"
                        )))
                    }
                });
            }
            EditCommand::AddResource(kind) => self.add_resource(kind),
            EditCommand::RenameResource { key, new } => {
                let new = new.trim().to_string();
                let kind = self
                    .rows
                    .iter()
                    .find(|r| r.key == key)
                    .map_or(ResourceKind::Other, |r| r.kind);
                let done = self.edit_value(None, |root| {
                    if resources::rename(root, &key, &new, kind) {
                        Ok(())
                    } else {
                        Err(AppError::refused(format!(
                            "cannot rename {key} to {new:?}: the name is taken or empty"
                        )))
                    }
                });
                if done {
                    if let Some(map) = self.sidecar.layout.remove(&key) {
                        self.sidecar.layout.insert(new.clone(), map);
                        self.save_sidecar();
                    }
                    if self.selected.as_deref() == Some(key.as_str()) {
                        self.selected = Some(new);
                        self.rebuild();
                    }
                }
            }
            EditCommand::DeleteResource(key) => {
                let done = self.edit_value(None, |root| {
                    root.get_mut("resources")
                        .and_then(serde_json::Value::as_object_mut)
                        .and_then(|r| r.shift_remove(&key))
                        .map(|_| ())
                        .ok_or_else(|| AppError::refused(format!("no resource {key}")))
                });
                if done && self.selected.as_deref() == Some(key.as_str()) {
                    let first = self.rows.first().map(|r| r.key.clone());
                    self.map_path.clear();
                    self.select(first);
                }
            }

            EditCommand::MoveNodes(moves) => self.move_nodes(moves),
            EditCommand::AutoLayout => {
                if self.graph.is_some() {
                    self.push_undo();
                    let key = self.layout_key();
                    self.sidecar.layout.remove(&key);
                    if let Some(g) = &mut self.graph {
                        graph::layout(g);
                    }
                    self.graph_generation += 1;
                    self.save_sidecar();
                }
            }
        }
    }

    /// True when there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// True when there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub(crate) fn snapshot(&self) -> Option<Snapshot> {
        Some(Snapshot {
            value: self.document.as_ref()?.value().clone(),
            layout: self.sidecar.layout.clone(),
            selected: self.selected.clone(),
            map_path: self.map_path.clone(),
            selected_state: self.selected_state.clone(),
        })
    }

    pub(crate) fn push_undo(&mut self) {
        if let Some(s) = self.snapshot() {
            self.undo.push(s);
            if self.undo.len() > UNDO_DEPTH {
                self.undo.remove(0);
            }
            self.redo.clear();
        }
    }

    pub(crate) fn restore(&mut self, s: Snapshot) {
        if let Some(doc) = &mut self.document {
            *doc.value_mut() = s.value;
        }
        self.sidecar.layout = s.layout;
        self.save_sidecar();
        self.map_path = s.map_path;
        self.selected = s.selected;
        self.after_edit();
        self.selection = s.selected_state.iter().cloned().collect();
        self.selected_state = s.selected_state;
    }

    pub(crate) fn undo(&mut self) {
        let Some(s) = self.undo.pop() else { return };
        if let Some(now) = self.snapshot() {
            self.redo.push(now);
        }
        self.restore(s);
        self.message = Some("undone".into());
    }

    pub(crate) fn redo(&mut self) {
        let Some(s) = self.redo.pop() else { return };
        if let Some(now) = self.snapshot() {
            self.undo.push(now);
        }
        self.restore(s);
        self.message = Some("redone".into());
    }

    /// Changes the bundle through `f` as one undo step (typing into the same field as the
    /// last edit extends that step). `false`, with the reason in the status bar, when `f`
    /// refuses or changes nothing.
    pub(crate) fn edit_value(
        &mut self,
        coalesce: Option<String>,
        f: impl FnOnce(&mut serde_json::Value) -> AppResult<()>,
    ) -> bool {
        let Some(doc) = &self.document else {
            return false;
        };
        let mut value = doc.value().clone();
        if let Err(e) = f(&mut value) {
            self.message = Some(e.to_string());
            return false;
        }
        if zis_engine::json::same_ordered(&value, doc.value()) {
            return false;
        }
        if coalesce.is_none() || coalesce != self.last_edit {
            self.push_undo();
        }
        self.pin_positions();
        if let Some(doc) = &mut self.document {
            *doc.value_mut() = value;
        }
        self.message = None;
        self.after_edit();
        true
    }

    /// Changes the shown definition through `f` as one undo step.
    pub(crate) fn edit_flow(
        &mut self,
        f: impl FnOnce(&mut serde_json::Value) -> Result<(), edit::EditError>,
    ) -> bool {
        let Some(pointer) = self.def_pointer() else {
            return false;
        };
        self.edit_value(None, |root| {
            let def = root
                .pointer_mut(&pointer)
                .ok_or_else(|| AppError::refused("the flow has no definition"))?;
            Ok(f(def)?)
        })
    }

    /// Keeps the shown graph's current positions in the sidecar so an edit does not move
    /// nodes that were placed by the auto layout.
    pub(crate) fn pin_positions(&mut self) {
        let Some(g) = &self.graph else { return };
        let key = self.layout_key();
        let stored = self.sidecar.layout.get(&key);
        let missing: Vec<(String, [f32; 2])> = g
            .nodes
            .iter()
            .filter(|n| stored.is_none_or(|s| !s.contains_key(&n.name)))
            .map(|n| (n.name.clone(), n.pos))
            .collect();
        for (name, pos) in missing {
            self.sidecar.set(&key, &name, pos);
        }
    }

    pub(crate) fn move_nodes(&mut self, moves: Vec<(String, [f32; 2])>) {
        if self.graph.is_none() || moves.is_empty() {
            return;
        }
        self.push_undo();
        let key = self.layout_key();
        for (state, pos) in moves {
            if let Some(g) = &mut self.graph
                && let Some(n) = g.nodes.iter_mut().find(|n| n.name == state)
            {
                n.pos = pos;
            }
            self.sidecar.set(&key, &state, pos);
        }
        self.save_sidecar();
    }

    pub(crate) fn targets(&self) -> Vec<String> {
        if self.selection.is_empty() {
            self.selected_state.iter().cloned().collect()
        } else {
            self.selection.clone()
        }
    }

    pub(crate) fn copy(&mut self) {
        let names = self.targets();
        let Some(def) = self.def_value() else { return };
        let positions = self.graph.as_ref();
        let clip: Vec<_> = edit::copy_states(def, &names)
            .into_iter()
            .map(|(name, value)| {
                let pos = positions
                    .and_then(|g| g.nodes.iter().find(|n| n.name == name))
                    .map(|n| n.pos);
                (name, value, pos)
            })
            .collect();
        if !clip.is_empty() {
            self.message = Some(format!(
                "copied {} state{}",
                clip.len(),
                if clip.len() == 1 { "" } else { "s" }
            ));
            self.clipboard = clip;
        }
    }

    pub(crate) fn paste(&mut self) {
        if self.clipboard.is_empty() {
            return;
        }
        let clip: Vec<(String, serde_json::Value)> = self
            .clipboard
            .iter()
            .map(|(n, v, _)| (n.clone(), v.clone()))
            .collect();
        let mut names = std::collections::BTreeMap::new();
        let done = self.edit_flow(|def| {
            names = edit::paste_states(def, &clip)?;
            Ok(())
        });
        if !done {
            return;
        }
        let key = self.layout_key();
        for (old, _, pos) in &self.clipboard {
            if let (Some(new), Some(p)) = (names.get(old), pos) {
                self.sidecar.set(&key, new, [p[0] + 40.0, p[1] + 60.0]);
            }
        }
        self.save_sidecar();
        self.rebuild();
        self.selection = names.values().cloned().collect();
        self.selected_state = (self.selection.len() == 1)
            .then(|| self.selection.first().cloned())
            .flatten();
    }

    pub(crate) fn delete_selection(&mut self) {
        let names = self.targets();
        if names.is_empty() {
            return;
        }
        if self.edit_flow(|def| edit::delete_states(def, &names)) {
            self.message = Some(format!("deleted {}", names.join(", ")));
        }
    }

    pub(crate) fn add_state(
        &mut self,
        type_name: &str,
        action: Option<&str>,
        pos: [f32; 2],
        from: Option<(String, Port)>,
    ) {
        let base = edit::base_name(type_name, action);
        let mut name = String::new();
        let done = self.edit_flow(|def| {
            name = edit::add_state(def, &base, edit::template(type_name, action))?;
            if let Some((from, port)) = &from {
                edit::connect(def, from, *port, &name)?;
            }
            Ok(())
        });
        if done {
            let key = self.layout_key();
            self.sidecar.set(&key, &name, pos);
            self.save_sidecar();
            self.rebuild();
            self.selection = vec![name.clone()];
            self.selected_state = Some(name);
        }
    }

    pub(crate) fn add_resource(&mut self, kind: ResourceKind) {
        let base = match kind {
            ResourceKind::Flow => "new_flow",
            ResourceKind::Action => "new_action",
            _ => "new_job_spec",
        };
        let integration = self.integration_key();
        let first_flow = self
            .rows
            .iter()
            .find(|r| r.kind == ResourceKind::Flow)
            .map_or("main_flow".to_string(), |r| r.name.clone());
        let mut key = String::new();
        let done = self.edit_value(None, |root| {
            let obj = root
                .as_object_mut()
                .ok_or_else(|| AppError::refused("the bundle is not an object"))?;
            if !obj.contains_key("resources") {
                obj.insert(
                    "resources".into(),
                    serde_json::Value::Object(Default::default()),
                );
            }
            let res = obj
                .get_mut("resources")
                .and_then(serde_json::Value::as_object_mut)
                .ok_or_else(|| AppError::refused("resources is not an object"))?;
            key = resources::unique_key(res, base);
            res.insert(
                key.clone(),
                resources::template(kind, &key, &integration, &first_flow),
            );
            Ok(())
        });
        if done {
            self.map_path.clear();
            self.select(Some(key));
        }
    }
}
