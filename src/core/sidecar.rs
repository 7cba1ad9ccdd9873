//! The sidecar file next to a bundle (`<bundle>.zis-studio.json`): node positions per flow
//! and Map level, the debugger's breakpoints, mocks, watches and saved events, and the
//! sample payloads shape inference reads. Never written
//! into the bundle; written atomically; one that does not parse is moved aside, not lost.

use crate::core::graph::FlowGraph;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What ZIS Studio keeps next to a bundle (`<bundle>.zis-studio.json`): node positions per
/// flow, breakpoints and action mocks. Never written into the bundle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    /// Flow key → state name → `[x, y]`.
    #[serde(default)]
    pub layout: BTreeMap<String, BTreeMap<String, [f32; 2]>>,
    /// The debugger's breakpoints.
    #[serde(default)]
    pub breakpoints: crate::core::debug::Breakpoints,
    /// The debugger's action mocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mocks: Vec<crate::core::debug::Mock>,
    /// The debugger's watch list: JSONPaths evaluated on the data at every step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<String>,
    /// Named events saved from the debugger's payload editor, to run again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, SavedEvent>,
    /// This bundle's settings (`zis_services::settings`): over the data folder's, under
    /// the command line's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// Sample payloads of events the catalog does not know (inbound webhooks), by
    /// `source/type`: the shape `$.input` has in the flows they start.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_samples: BTreeMap<String, serde_json::Value>,
    /// Response samples of custom actions, by `ActionName`: the shape of their result.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub action_samples: BTreeMap<String, serde_json::Value>,
    /// Results of Action states (a Jq transform's, a custom action's) recorded from a run,
    /// by `flow/State`: over `action_samples` for that state.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub state_samples: BTreeMap<String, serde_json::Value>,
}

/// An event saved under a name: its type and payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedEvent {
    /// Event source, e.g. `support`.
    pub source: String,
    /// Event type, e.g. `ticket.TicketCreated`.
    pub event_type: String,
    /// The payload (`$.input`).
    pub payload: serde_json::Value,
}

impl Sidecar {
    /// The sidecar file of a bundle.
    pub fn path_for(bundle: &Path) -> PathBuf {
        let mut name = bundle
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".zis-studio.json");
        bundle.with_file_name(name)
    }

    /// Reads the sidecar of a bundle; a missing one is empty. One that does not parse is
    /// moved aside (`<sidecar>.broken`) and the warning returned, so the next save cannot
    /// overwrite the user's breakpoints, mocks and saved events silently.
    pub fn load(bundle: &Path) -> (Self, Option<String>) {
        crate::core::files::read_json(&Self::path_for(bundle))
            .or_default_with_warning("sidecar file")
    }

    /// The settings a run of this bundle uses: the data folder's (`stored`), then this
    /// sidecar's, then the command line's (`over`), each over the one before.
    pub fn settings_over(
        &self,
        stored: &std::collections::BTreeMap<String, String>,
        over: &std::collections::BTreeMap<String, String>,
    ) -> std::collections::BTreeMap<String, String> {
        let mut out = stored.clone();
        out.extend(self.settings.clone());
        out.extend(over.clone());
        out
    }

    /// Writes the sidecar next to the bundle.
    pub fn save(&self, bundle: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::core::files::write_atomic(&Self::path_for(bundle), (text + "\n").as_bytes())
    }

    /// Puts stored positions on the graph's nodes (the rest keep the auto layout).
    pub fn apply(&self, graph: &mut FlowGraph) {
        if let Some(stored) = self.layout.get(&graph.flow) {
            for node in &mut graph.nodes {
                if let Some(p) = stored.get(&node.name) {
                    node.pos = *p;
                }
            }
        }
    }

    /// Records a node's position.
    pub fn set(&mut self, flow: &str, state: &str, pos: [f32; 2]) {
        self.layout
            .entry(flow.to_string())
            .or_default()
            .insert(state.to_string(), pos);
    }
}
