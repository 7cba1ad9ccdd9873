//! The Services dock: the open bundle's integration's local stores — configs (scope and a
//! JSON editor), links (a table by type; create, delete), connections (create; secrets
//! masked), inbound webhooks (create; the ingest URL, the credentials once and a curl
//! command to copy) — and the local server, started and stopped here with its address.

use crate::app::stores::{NewConnection, curl_for};
use crate::app::{AppState, Commands, StoresCommand};
use crate::ui::widgets::{icon_button, json_tree};
use egui::RichText;

use crate::ui::theme::green;
use crate::ui::theme::red;

/// Which store is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tab {
    #[default]
    Configs,
    Links,
    Connections,
    Webhooks,
}

/// The view's own state: the forms being filled in.
pub struct ServicesView {
    tab: Tab,
    loaded_for: Option<String>,
    scope: String,
    config: String,
    link_type: String,
    left: String,
    right: String,
    left_filter: String,
    right_filter: String,
    link_edit: Option<crate::app::stores::LinkEdit>,
    conn: NewConnection,
    /// The connection being edited (its name), if the form edits one.
    editing: Option<String>,
    source: String,
    event_type: String,
    port: u16,
}

impl Default for ServicesView {
    fn default() -> Self {
        Self {
            tab: Tab::default(),
            loaded_for: None,
            scope: String::new(),
            config: "{}".into(),
            link_type: String::new(),
            left: String::new(),
            right: String::new(),
            left_filter: String::new(),
            right_filter: String::new(),
            link_edit: None,
            conn: NewConnection {
                kind: "bearer_token".into(),
                ..NewConnection::default()
            },
            editing: None,
            source: String::new(),
            event_type: String::new(),
            port: zis_services::DEFAULT_PORT,
        }
    }
}

fn field(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32) {
    crate::ui::widgets::text_field(ui, label, text, "", width);
}

impl ServicesView {
    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        let integration = state.integration_key();
        if self.loaded_for.as_ref() != Some(&integration) {
            self.loaded_for = Some(integration.clone());
            out.push(StoresCommand::ReloadServices);
        }
        let s = &state.services;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Integration {integration}")).strong());
            ui.separator();
            match &s.server {
                Some(server) => {
                    ui.colored_label(green(), format!("Server on {}", server.0.base_url));
                    if ui.button("Stop server").clicked() {
                        out.push(StoresCommand::StopServer);
                    }
                    ui.label(
                        RichText::new(format!(
                            "API token in {}",
                            state.data_dir.join("api_token").display()
                        ))
                        .weak(),
                    );
                }
                None => {
                    let l = ui.label("Port");
                    ui.add(egui::DragValue::new(&mut self.port).range(0..=65535))
                        .labelled_by(l.id);
                    if ui
                        .button("Start server")
                        .on_hover_text(
                            "The ZIS REST API, inbound webhooks and the event queue on 127.0.0.1",
                        )
                        .clicked()
                    {
                        out.push(StoresCommand::StartServer(self.port));
                    }
                }
            }
            if ui.button("Reload").clicked() {
                out.push(StoresCommand::ReloadServices);
            }
            // Where `path` actions go (the data folder's zendesk_base_url setting).
            let current = state
                .data_settings
                .get("zendesk_base_url")
                .cloned()
                .unwrap_or_default();
            let id = ui.id().with("zendesk_base_url");
            let mut text = ui
                .data(|d| d.get_temp::<(String, String)>(id))
                .filter(|(from, _)| from == &current)
                .map_or_else(|| current.clone(), |(_, t)| t);
            let l = ui.label("Zendesk base URL");
            let resp = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .hint_text("the local fake Zendesk")
                        .desired_width(220.0),
                )
                .labelled_by(l.id)
                .on_hover_text("Where path actions go: https://<subdomain>.zendesk.com, or another local server (a data folder setting)");
            if resp.lost_focus() && text != current {
                out.push(StoresCommand::SetSetting {
                    name: "zendesk_base_url".into(),
                    value: Some(text.clone()),
                    bundle: false,
                });
            }
            ui.data_mut(|d| d.insert_temp(id, (current, text)));
            if let Some(e) = &s.error {
                ui.colored_label(red(), e);
            }
        });
        ui.horizontal(|ui| {
            for (tab, name) in [
                (Tab::Configs, "Configs"),
                (Tab::Links, "Links"),
                (Tab::Connections, "Connections"),
                (Tab::Webhooks, "Inbound webhooks"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("services_scroll")
            .show(ui, |ui| match self.tab {
                Tab::Configs => self.configs_ui(ui, state, out),
                Tab::Links => self.links_ui(ui, state, out),
                Tab::Connections => self.connections_ui(ui, state, out),
                Tab::Webhooks => self.webhooks_ui(ui, state, out),
            });
    }

    fn configs_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        ui.horizontal(|ui| {
            field(ui, "Scope", &mut self.scope, 160.0);
            if ui.button("Save config").clicked() && !self.scope.trim().is_empty() {
                out.push(StoresCommand::PutConfig {
                    scope: self.scope.clone(),
                    text: self.config.clone(),
                });
            }
        });
        let label = ui.label("Config JSON");
        crate::ui::json_editor::json_editor(
            ui,
            &mut self.config,
            egui::Id::new("config_editor"),
            4,
            None,
        )
        .labelled_by(label.id);
        ui.separator();
        for c in &state.services.configs {
            let scope = c["scope"].as_str().unwrap_or("?").to_string();
            ui.horizontal(|ui| {
                ui.label(RichText::new(&scope).strong());
                if ui.small_button("Edit").clicked() {
                    self.scope.clone_from(&scope);
                    self.config = serde_json::to_string_pretty(&c["config"]).unwrap_or_default();
                }
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Delete config {scope}"))
                    .clicked()
                {
                    out.push(StoresCommand::DeleteConfig(scope.clone()));
                }
            });
            ui.indent(("config", &scope), |ui| json_tree(ui, &c["config"], "$", 1));
        }
        if state.services.configs.is_empty() {
            ui.label(RichText::new("No configs yet: LoadConfig finds nothing.").weak());
        }
    }

    fn links_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        let types = &state.services.link_types;
        if !types.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Types:");
                for t in types {
                    if ui
                        .selectable_label(state.services.link_type == *t, t)
                        .clicked()
                    {
                        self.link_type.clone_from(t);
                        out.push(StoresCommand::ShowLinks(t.clone()));
                    }
                }
            });
        }
        if self.link_type.is_empty() && !state.services.link_type.is_empty() {
            self.link_type.clone_from(&state.services.link_type);
        }
        ui.horizontal(|ui| {
            field(ui, "Link type", &mut self.link_type, 140.0);
            if ui.button("Show links").clicked() {
                out.push(StoresCommand::ShowLinks(self.link_type.clone()));
            }
        });
        ui.horizontal(|ui| {
            field(ui, "Left", &mut self.left, 120.0);
            field(ui, "Right", &mut self.right, 120.0);
            if ui.button("Create link").clicked() && !self.link_type.is_empty() {
                out.push(StoresCommand::CreateLink(
                    self.link_type.clone(),
                    self.left.clone(),
                    self.right.clone(),
                ));
            }
        });
        ui.horizontal(|ui| {
            field(ui, "Filter left", &mut self.left_filter, 110.0);
            field(ui, "Filter right", &mut self.right_filter, 110.0);
            ui.label(RichText::new("* matches anything").weak());
        });
        ui.separator();
        let pass = |pattern: &str, name: &str| {
            pattern.trim().is_empty() || zis_engine::actions::wildcard_match(pattern.trim(), name)
        };
        let meta = |v: &serde_json::Value| {
            if v.is_null() {
                String::new()
            } else {
                v.to_string()
            }
        };
        let mut shown = 0;
        egui::Grid::new("links").striped(true).show(ui, |ui| {
            for h in ["type", "left", "left metadata", "right", "right metadata"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for l in &state.services.links {
                let t = l["link_type"].as_str().unwrap_or("").to_string();
                let left = l["left_object"]["name"].as_str().unwrap_or("").to_string();
                let right = l["right_object"]["name"].as_str().unwrap_or("").to_string();
                if !pass(&self.left_filter, &left) || !pass(&self.right_filter, &right) {
                    continue;
                }
                shown += 1;
                let (lm, rm) = (
                    meta(&l["left_object"]["metadata"]),
                    meta(&l["right_object"]["metadata"]),
                );
                ui.label(&t);
                ui.label(&left);
                ui.label(RichText::new(&lm).monospace().weak());
                ui.label(&right);
                ui.label(RichText::new(&rm).monospace().weak());
                if icon_button(ui, "✏", &format!("Edit the link {left} - {right}")) {
                    self.link_edit = Some(crate::app::stores::LinkEdit {
                        link_type: t.clone(),
                        left: left.clone(),
                        right: right.clone(),
                        new_left: left.clone(),
                        left_metadata: lm.clone(),
                        new_right: right.clone(),
                        right_metadata: rm.clone(),
                    });
                }
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Delete the link {left} - {right}"))
                    .clicked()
                {
                    out.push(StoresCommand::DeleteLink(t, left, right));
                }
                ui.end_row();
            }
        });
        let total = state.services.links.len();
        if shown < total {
            ui.label(RichText::new(format!("{shown} of {total} links match the filters")).weak());
        }
        let mut close = false;
        if let Some(e) = &mut self.link_edit {
            ui.separator();
            ui.label(RichText::new(format!("Editing {} - {}", e.left, e.right)).strong());
            ui.horizontal(|ui| {
                field(ui, "Left name", &mut e.new_left, 120.0);
                field(ui, "Left metadata", &mut e.left_metadata, 160.0);
            });
            ui.horizontal(|ui| {
                field(ui, "Right name", &mut e.new_right, 120.0);
                field(ui, "Right metadata", &mut e.right_metadata, 160.0);
            });
            ui.horizontal(|ui| {
                if ui.button("Save link").clicked() {
                    out.push(StoresCommand::EditLink(e.clone()));
                    close = true;
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        }
        if close {
            self.link_edit = None;
        }
    }

    fn connections_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        ui.horizontal_wrapped(|ui| {
            egui::ComboBox::from_id_salt("conn_kind")
                .selected_text(&self.conn.kind)
                .show_ui(ui, |ui| {
                    for k in ["bearer_token", "basic_auth", "api_key", "oauth"] {
                        ui.selectable_value(&mut self.conn.kind, k.to_string(), k);
                    }
                });
            if let Some(name) = &self.editing {
                ui.label(RichText::new(format!("Editing {name}")).strong());
            } else {
                field(ui, "Name", &mut self.conn.name, 110.0);
            }
            match self.conn.kind.as_str() {
                "basic_auth" => field(ui, "Username", &mut self.conn.user_or_header, 100.0),
                "api_key" => field(ui, "Header", &mut self.conn.user_or_header, 100.0),
                _ => {}
            }
            let secret = match self.conn.kind.as_str() {
                "basic_auth" => "Password",
                "api_key" => "API key",
                "oauth" => "Access token",
                _ => "Token",
            };
            let l = ui.label(secret);
            let hint = if self.editing.is_some() {
                "empty: keep the current one"
            } else {
                ""
            };
            ui.add(
                egui::TextEdit::singleline(&mut self.conn.secret)
                    .password(true)
                    .hint_text(hint)
                    .desired_width(140.0),
            )
            .labelled_by(l.id);
            field(ui, "Allowed domain", &mut self.conn.allowed_domain, 120.0);
            if self.editing.is_some() {
                if ui.button("Save connection").clicked() {
                    out.push(StoresCommand::CreateConnection(self.conn.clone()));
                    self.conn.secret.clear();
                    self.editing = None;
                }
                if ui.button("Cancel edit").clicked() {
                    self.editing = None;
                    self.conn.secret.clear();
                }
            } else if ui.button("Create connection").clicked() {
                out.push(StoresCommand::CreateConnection(self.conn.clone()));
                // A fresh form for the next one (the kind stays).
                self.conn = NewConnection {
                    kind: self.conn.kind.clone(),
                    ..NewConnection::default()
                };
            }
        });
        ui.separator();
        for kind in ["oauth", "bearer_token", "basic_auth", "api_key"] {
            for c in state.services.connections[kind]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = c["name"].as_str().unwrap_or("?").to_string();
                ui.horizontal(|ui| {
                    ui.label(RichText::new(format!("{name}  ({kind})")).strong());
                    if icon_button(ui, "✏", &format!("Edit connection {name}")) {
                        let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                        self.conn = NewConnection {
                            kind: kind.to_string(),
                            name: name.clone(),
                            allowed_domain: text("allowed_domain"),
                            secret: String::new(),
                            user_or_header: match kind {
                                "basic_auth" => text("username"),
                                "api_key" => text("header_name"),
                                _ => String::new(),
                            },
                        };
                        self.editing = Some(name.clone());
                    }
                    if ui
                        .small_button("✖")
                        .on_hover_text(format!("Delete connection {name}"))
                        .clicked()
                    {
                        out.push(StoresCommand::DeleteConnection(kind.into(), name.clone()));
                    }
                });
                ui.indent(("conn", &name), |ui| json_tree(ui, c, "$", 1));
            }
        }
    }

    fn webhooks_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        ui.horizontal(|ui| {
            field(ui, "Source system", &mut self.source, 120.0);
            field(ui, "Event type", &mut self.event_type, 140.0);
            if ui.button("Create webhook").clicked() {
                out.push(StoresCommand::CreateWebhook(
                    self.source.clone(),
                    self.event_type.clone(),
                ));
            }
        });
        if let Some(w) = &state.services.new_webhook {
            ui.separator();
            ui.label(
                RichText::new("New webhook: its password is shown this once")
                    .strong()
                    .color(crate::ui::theme::amber()),
            );
            ui.label(format!("Ingest URL: {}", w["path"].as_str().unwrap_or("")));
            ui.label(format!(
                "User {}  password {}",
                w["username"].as_str().unwrap_or(""),
                w["password"].as_str().unwrap_or("")
            ));
            let curl = curl_for(w);
            if ui.button("Copy curl").clicked() {
                ui.ctx().copy_text(curl.clone());
            }
            ui.add(egui::Label::new(RichText::new(&curl).monospace()).wrap());
        }
        ui.separator();
        for w in &state.services.webhooks {
            let id = w["uuid"].as_str().unwrap_or("?").to_string();
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{} / {}",
                        w["source_system"].as_str().unwrap_or(""),
                        w["event_type"].as_str().unwrap_or("")
                    ))
                    .strong(),
                );
                ui.label(
                    RichText::new(w["path"].as_str().unwrap_or(""))
                        .monospace()
                        .weak(),
                );
                if ui
                    .small_button("✖")
                    .on_hover_text(format!("Delete webhook {id}"))
                    .clicked()
                {
                    out.push(StoresCommand::DeleteWebhook(id.clone()));
                }
            });
        }
    }
}
