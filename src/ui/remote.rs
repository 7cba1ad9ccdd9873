//! The account windows: "Deploy to ZIS" (account, integration, options; the plan read from
//! the account; Deploy; what it did) and "Open from a ZIS account" (list an integration's
//! bundles, open one). Tokens are typed in a password field, and saved (when asked) only in
//! the data folder's private accounts file.

use crate::app::remote::{DeployRequest, RemoteWindow};
use crate::app::{AppState, Commands, RemoteCommand};
use crate::core::accounts::{self, Account};
use egui::RichText;

use crate::ui::theme::amber;
use crate::ui::theme::green;
use crate::ui::theme::red;

/// The windows' form.
pub struct RemoteView {
    account: String,
    email: String,
    token: String,
    remember: bool,
    integration: String,
    uninstall_stale: bool,
    push_configs: bool,
    prefilled: bool,
}

impl Default for RemoteView {
    fn default() -> Self {
        Self {
            account: String::new(),
            email: String::new(),
            token: String::new(),
            remember: true,
            integration: String::new(),
            uninstall_stale: false,
            push_configs: false,
            prefilled: false,
        }
    }
}

/// One labelled field of a two-column grid.
fn row(ui: &mut egui::Ui, label: &str, text: &mut String, password: bool, hint: &str) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .password(password)
            .hint_text(hint)
            .desired_width(320.0),
    )
    .labelled_by(l.id);
    ui.end_row();
}

impl RemoteView {
    /// The account the form names (`None` until it names one).
    fn account(&self) -> Option<Account> {
        let a = self.account.trim();
        let base = if a.contains("://") {
            accounts::base_url(None, Some(a))
        } else {
            accounts::base_url(Some(a), None)
        }?;
        let email = self.email.trim();
        Some(Account {
            base_url: base,
            email: (!email.is_empty()).then(|| email.to_string()),
            token: self.token.clone(),
        })
    }

    /// Fills the form from a saved account.
    fn use_saved(&mut self, a: &Account) {
        self.account = a.base_url.clone();
        self.email = a.email.clone().unwrap_or_default();
        self.token = a.token.clone();
    }

    /// Draws the open window, if any.
    pub fn show(&mut self, ctx: &egui::Context, state: &AppState, out: &mut Commands) {
        let Some(which) = state.remote.window else {
            self.prefilled = false;
            return;
        };
        if !self.prefilled {
            self.prefilled = true;
            if self.account.is_empty()
                && let Some(a) = state.accounts.first()
            {
                self.use_saved(a);
            }
            if which == RemoteWindow::Deploy || self.integration.is_empty() {
                self.integration = state.integration_key();
            }
        }
        let title = match which {
            RemoteWindow::Deploy => "Deploy to ZIS",
            RemoteWindow::Open => "Open from a ZIS account",
        };
        let mut open = true;
        egui::Window::new(title)
            .open(&mut open)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
            .collapsible(false)
            .resizable(true)
            .default_width(480.0)
            .show(ctx, |ui| {
                self.account_ui(ui, state, out);
                ui.separator();
                match which {
                    RemoteWindow::Deploy => self.deploy_ui(ui, state, out),
                    RemoteWindow::Open => self.open_ui(ui, state, out),
                }
                let r = &state.remote;
                if let Some(what) = &r.busy {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(what);
                        if ui
                            .button("Cancel")
                            .on_hover_text(
                                "A deploy stops before its next request; what was done stays done",
                            )
                            .clicked()
                        {
                            out.push(RemoteCommand::CancelRemote);
                        }
                    });
                }
                if let Some(e) = &r.error {
                    ui.colored_label(red(), e);
                }
            });
        if !open {
            out.push(RemoteCommand::ShowRemote(None));
        }
    }

    fn account_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        if !state.accounts.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("Saved:");
                for a in &state.accounts {
                    if ui
                        .selectable_label(self.account == a.base_url, &a.base_url)
                        .clicked()
                    {
                        self.use_saved(a);
                    }
                }
            });
        }
        egui::Grid::new("account_form")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                row(
                    ui,
                    "Account",
                    &mut self.account,
                    false,
                    "subdomain, or a URL like http://127.0.0.1:7878",
                );
                row(
                    ui,
                    "Email",
                    &mut self.email,
                    false,
                    "only with an API token",
                );
                row(
                    ui,
                    "Token",
                    &mut self.token,
                    true,
                    "ZIS OAuth token (or API token with email)",
                );
                row(ui, "Integration", &mut self.integration, false, "key");
            });
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.remember, "Remember the token")
                .on_hover_text(format!(
                    "Kept in {} (readable by you only), never in the bundle",
                    accounts::file(&state.data_dir).display()
                ));
            if let Some(a) = self.account()
                && state.accounts.iter().any(|s| s.base_url == a.base_url)
                && ui.small_button("Forget saved token").clicked()
            {
                out.push(RemoteCommand::ForgetAccount(a.base_url));
                self.token.clear();
            }
        });
    }

    fn deploy_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        ui.checkbox(&mut self.uninstall_stale, "Uninstall stale job specs");
        ui.checkbox(&mut self.push_configs, "Push the local configs")
            .on_hover_text("The configs of this integration in the local store (Services)");
        let account = self.account();
        let ready = account.is_some() && !self.token.is_empty() && !self.integration.is_empty();
        let r = &state.remote;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(ready && !r.is_busy(), egui::Button::new("Show plan"))
                .clicked()
                && let Some(account) = account
            {
                out.push(RemoteCommand::PlanDeploy(
                    DeployRequest {
                        account,
                        integration: self.integration.trim().to_string(),
                        uninstall_stale: self.uninstall_stale,
                        push_configs: self.push_configs,
                    },
                    self.remember,
                ));
            }
            if state.modified {
                ui.colored_label(amber(), "unsaved edits are deployed as shown");
            }
        });
        if let Some(p) = &r.plan {
            ui.label(RichText::new(format!("Plan for {}", p.account.base_url)).strong());
            egui::ScrollArea::vertical()
                .id_salt("plan")
                .max_height(220.0)
                .show(ui, |ui| {
                    ui.label(RichText::new(p.plan.to_string()).monospace());
                });
            if ui
                .add_enabled(
                    !r.is_busy(),
                    egui::Button::new(
                        RichText::new("Deploy")
                            .strong()
                            .color(crate::ui::theme::ON_PRIMARY),
                    )
                    .fill(crate::ui::theme::PRIMARY),
                )
                .clicked()
            {
                out.push(RemoteCommand::ApplyDeploy);
            }
        }
        if !r.log.is_empty() {
            for line in &r.log {
                ui.label(RichText::new(line).monospace());
            }
            if r.deployed {
                ui.colored_label(green(), "Deployed.");
            }
        }
    }

    fn open_ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Commands) {
        let account = self.account();
        let ready = account.is_some() && !self.token.is_empty() && !self.integration.is_empty();
        let r = &state.remote;
        if ui
            .add_enabled(ready && !r.is_busy(), egui::Button::new("List bundles"))
            .clicked()
            && let Some(account) = account
        {
            out.push(RemoteCommand::ListRemote(
                account,
                self.integration.trim().to_string(),
                self.remember,
            ));
        }
        for (name, uuid) in &r.bundles {
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!r.is_busy(), egui::Button::new(format!("Open {name}")))
                    .clicked()
                {
                    out.push(RemoteCommand::OpenRemote(name.clone()));
                }
                ui.label(RichText::new(uuid).weak().small());
            });
        }
    }
}
