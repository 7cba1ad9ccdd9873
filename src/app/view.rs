//! View commands: what is selected and shown (resource, state, Map level), Find, Fit and
//! the theme. Nothing here changes the bundle.

use super::*;

/// View commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum ViewCommand {
    /// Dismiss the warning at this index.
    DismissWarning(usize),
    /// Select a resource by its key.
    Select(String),
    /// Select what a diagnostic points at: resource, state and field.
    Reveal(String),
    /// Go to a search hit.
    Goto(resources::Hit),
    /// Search every flow.
    Find(String),
    /// Select one state of the shown flow (or none).
    SelectState(Option<String>),
    /// Select several states (box select, Ctrl+click).
    SelectStates(Vec<String>),
    /// Select every state of the shown flow.
    SelectAll,
    /// Fit the graph into view.
    Fit,
    /// Switch between the dark and the light theme.
    SetTheme(Theme),
    /// Show a Map state's iterator as the graph.
    OpenMap(String),
    /// Go back out to this many Map levels (0 is the flow itself).
    MapLevel(usize),
}

impl AppState {
    /// Applies one view command.
    pub(crate) fn apply_view(&mut self, command: ViewCommand) {
        match command {
            ViewCommand::DismissWarning(i) => {
                if i < self.warnings.len() {
                    self.warnings.remove(i);
                }
            }
            ViewCommand::Select(key) => {
                self.map_path.clear();
                self.select(Some(key));
            }
            ViewCommand::Reveal(pointer) => {
                if let Some(t) = resources::locate(&pointer) {
                    self.go_to(t.resource, t.map_path, t.state);
                    self.focus_field = Some(t.pointer);
                }
            }
            ViewCommand::Goto(hit) => self.go_to(hit.resource, hit.map_path, hit.state),
            ViewCommand::Find(query) => {
                self.find_hits = self
                    .document
                    .as_ref()
                    .map(|d| resources::find(d.value(), &query))
                    .unwrap_or_default();
                self.find_query = query;
            }
            ViewCommand::SelectState(state) => {
                self.selection = state.iter().cloned().collect();
                self.selected_state = state;
            }
            ViewCommand::SelectStates(names) => {
                self.selected_state = if names.len() == 1 {
                    names.first().cloned()
                } else {
                    self.selected_state.take().filter(|s| names.contains(s))
                };
                self.selection = names;
            }
            ViewCommand::SelectAll => {
                self.selection = self.states.iter().map(|s| s.name.clone()).collect();
            }
            ViewCommand::Fit => self.fit_requests += 1,
            ViewCommand::SetTheme(theme) => {
                self.theme = theme;
                self.prefs.theme = theme;
                self.save_prefs();
            }
            ViewCommand::OpenMap(state) => {
                let mut path = self.map_path.clone();
                path.push(state);
                let key = self.selected.clone();
                self.map_path = path;
                if self.def_value().is_none() {
                    self.map_path.pop();
                    self.message = Some("that state has no Iterator to open".into());
                    return;
                }
                self.select_keep_path(key);
            }
            ViewCommand::MapLevel(n) => {
                self.map_path.truncate(n);
                let key = self.selected.clone();
                self.select_keep_path(key);
            }
        }
    }

    pub(crate) fn go_to(&mut self, resource: String, map_path: Vec<String>, state: Option<String>) {
        if self.selected.as_ref() != Some(&resource) || self.map_path != map_path {
            self.map_path = map_path;
            self.select_keep_path(Some(resource));
        }
        self.selection = state.iter().cloned().collect();
        self.selected_state = state;
    }

    pub(crate) fn select(&mut self, key: Option<String>) {
        self.map_path.clear();
        self.select_keep_path(key);
    }

    pub(crate) fn select_keep_path(&mut self, key: Option<String>) {
        if self.selected != key {
            self.debug = None;
        }
        self.selected = key;
        self.selected_state = None;
        self.selection.clear();
        self.json_error = None;
        self.rebuild();
    }
}
