//! What is derived from the bundle and rebuilt after every change (not every frame): the
//! validator's findings, the explorer's rows, the shown flow's states and its graph with the
//! sidecar's positions applied.

use super::*;

impl AppState {
    /// Everything derived from the bundle, after it changed.
    pub(crate) fn after_edit(&mut self) {
        self.modified = self.document.as_ref().is_some_and(Document::is_modified);
        self.revalidate();
        self.rows = self.build_rows();
        if self.def_value().is_none() {
            self.map_path.clear();
        }
        self.rebuild();
        if !self.find_query.is_empty() {
            let q = self.find_query.clone();
            self.apply(ViewCommand::Find(q));
        }
    }

    pub(crate) fn revalidate(&mut self) {
        if let Some(doc) = &self.document {
            let text = if doc.is_modified() {
                doc.render()
            } else {
                doc.saved_text().to_string()
            };
            (self.diagnostics, self.shapes) =
                crate::core::shapes::validate_text_with(&text, &self.sidecar, &self.run_settings());
        }
    }

    pub(crate) fn rebuild(&mut self) {
        self.states = self.build_states();
        self.graph = self.build_graph();
        self.graph_generation += 1;
        let names: Vec<String> = self.states.iter().map(|s| s.name.clone()).collect();
        self.selection.retain(|s| names.contains(s));
        if self
            .selected_state
            .as_ref()
            .is_some_and(|s| !names.contains(s))
        {
            self.selected_state = None;
        }
    }

    /// The shown definition as a graph (stored positions applied).
    pub(crate) fn build_graph(&self) -> Option<FlowGraph> {
        let (pointer, value) = (self.def_pointer()?, self.def_value()?);
        if self
            .rows
            .iter()
            .find(|r| Some(&r.key) == self.selected.as_ref())
            .is_none_or(|r| r.kind != ResourceKind::Flow)
        {
            return None;
        }
        let (def, _) = FlowDefinition::from_value(value, &pointer);
        let mut problems = HashMap::new();
        let states: Vec<(String, String)> = def
            .states()
            .iter()
            .map(|s| (s.name.to_string(), format!("{}/", s.pointer)))
            .collect();
        for d in &self.diagnostics {
            for (name, prefix) in &states {
                if d.pointer.starts_with(prefix.as_str())
                    || prefix.strip_suffix('/') == Some(d.pointer.as_str())
                {
                    *problems.entry(name.clone()).or_insert(0) += 1;
                }
            }
        }
        let mut g = graph::build(&self.layout_key(), &def, &problems);
        self.sidecar.apply(&mut g);
        Some(g)
    }

    pub(crate) fn build_rows(&self) -> Vec<ResourceRow> {
        let Some(doc) = &self.document else {
            return Vec::new();
        };
        let (bundle, _) = doc.bundle();
        bundle
            .resources
            .iter()
            .map(|res| {
                let (kind, summary) = match &res.body {
                    ResourceBody::Flow(def) => {
                        let n = def.as_ref().map_or(0, |d| d.states().len());
                        (
                            ResourceKind::Flow,
                            format!("{n} state{}", if n == 1 { "" } else { "s" }),
                        )
                    }
                    ResourceBody::HttpAction(Some(a)) => {
                        let target = a.url.as_ref().or(a.path.as_ref()).map_or("", |t| t.value);
                        (
                            ResourceKind::Action,
                            format!("{} {target}", a.method.unwrap_or("?")),
                        )
                    }
                    ResourceBody::HttpAction(None) => (ResourceKind::Action, String::new()),
                    ResourceBody::JobSpec(j) => (
                        ResourceKind::JobSpec,
                        format!(
                            "{} / {} -> {}",
                            j.event_source.unwrap_or("?"),
                            j.event_type.unwrap_or("?"),
                            j.flow_name
                                .and_then(|f| f.rsplit(':').next())
                                .unwrap_or("?")
                        ),
                    ),
                    ResourceBody::Unknown => (
                        ResourceKind::Other,
                        res.type_name.unwrap_or_default().to_string(),
                    ),
                };
                let prefix = format!("{}/", res.pointer);
                let inside: Vec<&Diagnostic> = self
                    .diagnostics
                    .iter()
                    .filter(|d| d.pointer == res.pointer || d.pointer.starts_with(&prefix))
                    .collect();
                let errors = inside.iter().filter(|d| d.is_error()).count();
                ResourceRow {
                    key: res.key.to_string(),
                    kind,
                    name: res.name.unwrap_or(res.key).to_string(),
                    summary,
                    problems: (errors, inside.len() - errors),
                }
            })
            .collect()
    }

    /// The states of the selected flow, in source order.
    pub(crate) fn build_states(&self) -> Vec<StateRow> {
        let (Some(pointer), Some(value)) = (self.def_pointer(), self.def_value()) else {
            return Vec::new();
        };
        if !value
            .get("States")
            .is_some_and(serde_json::Value::is_object)
        {
            return Vec::new();
        }
        let (def, _) = FlowDefinition::from_value(value, &pointer);
        def.states()
            .iter()
            .map(|s| StateRow {
                name: s.name.to_string(),
                type_name: s.type_name.unwrap_or("?").to_string(),
                detail: graph::key_fact(&s.kind, graph::Detail::Full),
                transitions: {
                    let mut t: Vec<String> = s
                        .targets()
                        .into_iter()
                        .map(|(n, _)| n.to_string())
                        .collect();
                    t.dedup();
                    if s.end == Some(true) {
                        t.push("(end)".into());
                    }
                    t
                },
                start: def.start_at == Some(s.name),
            })
            .collect()
    }
}
