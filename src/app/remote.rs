//! Talking to a ZIS account from the window: deploy the open bundle (plan first, then
//! carry it out) and open a bundle straight from an account. The network work of
//! [`crate::core::deploy`] runs on a worker thread; [`Remote::poll`] takes its answers.

use super::error::{AppError, AppResult};
use crate::core::accounts::Account;
use crate::core::deploy::{self, Client, Plan};
use serde_json::Value;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Which account window is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteWindow {
    /// Deploy the open bundle.
    Deploy,
    /// Open a bundle from an account.
    Open,
}

/// What the Deploy window asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployRequest {
    /// The account.
    pub account: Account,
    /// The integration key.
    pub integration: String,
    /// Uninstall the installed job specs the bundle no longer has.
    pub uninstall_stale: bool,
    /// Push the local store's configs of the integration.
    pub push_configs: bool,
}

/// A plan read from the account, waiting for "Deploy".
#[derive(Clone, Debug)]
pub struct ReadyPlan {
    /// Where.
    pub account: Account,
    /// What will change.
    pub plan: Plan,
    /// The bundle text to upload (as it was when planned).
    pub text: String,
    /// Configs to push, by scope.
    pub configs: serde_json::Map<String, Value>,
}

#[derive(Debug)]
enum Reply {
    Progress(String),
    Planned(AppResult<Box<ReadyPlan>>),
    Applied(Vec<String>, AppResult<()>),
    Listed(Account, String, AppResult<Vec<(String, String)>>),
    Fetched(String, AppResult<Value>),
}

/// The account windows' state.
#[derive(Debug, Default)]
pub struct Remote {
    /// The open window.
    pub window: Option<RemoteWindow>,
    /// What the worker is doing, while it works.
    pub busy: Option<String>,
    rx: Option<Receiver<Reply>>,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The worker carries a plan out (Cancel waits for its current request).
    applying: bool,
    /// The plan shown, ready to carry out.
    pub plan: Option<ReadyPlan>,
    /// What the last deploy did, line by line.
    pub log: Vec<String>,
    /// The last deploy finished well.
    pub deployed: bool,
    /// The last error.
    pub error: Option<String>,
    /// Bundles of the listed integration: name and uuid of the newest upload.
    pub bundles: Vec<(String, String)>,
    /// The account and integration the bundles are from.
    pub listed_from: Option<(Account, String)>,
}

/// A bundle fetched from an account, to be written and opened.
pub struct Fetched {
    /// The bundle's name.
    pub name: String,
    /// The bundle.
    pub bundle: Value,
    /// Where it came from.
    pub from: (Account, String),
}

impl Remote {
    fn spawn(
        &mut self,
        what: &str,
        job: impl FnOnce(&std::sync::mpsc::Sender<Reply>, &std::sync::atomic::AtomicBool) -> Reply
        + Send
        + 'static,
    ) {
        let (tx, rx) = channel();
        self.cancel = std::sync::Arc::default();
        let cancel = self.cancel.clone();
        std::thread::spawn(move || {
            let last = job(&tx, &cancel);
            let _ = tx.send(last);
        });
        self.busy = Some(what.to_string());
        self.rx = Some(rx);
        self.error = None;
        self.applying = false;
    }

    /// Reads the account and works out the plan for `text` (the bundle as it is now).
    pub fn plan(
        &mut self,
        request: DeployRequest,
        bundle: Value,
        text: String,
        configs: serde_json::Map<String, Value>,
    ) {
        self.plan = None;
        self.log.clear();
        self.deployed = false;
        self.spawn("reading the account…", move |_, _| {
            let planned = (|| -> anyhow::Result<ReadyPlan> {
                let client = Client::for_account(&request.account)?;
                let plan = deploy::plan(
                    &client,
                    &request.integration,
                    &bundle,
                    request.uninstall_stale,
                    &configs,
                )?;
                Ok(ReadyPlan {
                    account: request.account,
                    plan,
                    text,
                    configs,
                })
            })();
            Reply::Planned(planned.map(Box::new).map_err(AppError::from))
        });
    }

    /// Carries the shown plan out.
    pub fn apply(&mut self) {
        let Some(ready) = self.plan.take() else {
            return;
        };
        self.spawn("deploying…", move |tx, cancel| {
            let mut log = Vec::new();
            let done = Client::for_account(&ready.account).and_then(|client| {
                deploy::apply(
                    &client,
                    &ready.plan,
                    &ready.text,
                    &ready.configs,
                    &mut |l| {
                        let _ = tx.send(Reply::Progress(l.clone()));
                        log.push(l);
                    },
                    cancel,
                )
            });
            if done.is_ok() {
                log.push(format!("deployed to {}", ready.account.base_url));
            }
            Reply::Applied(log, done.map_err(AppError::from))
        });
        self.applying = true;
    }

    /// Lists an integration's bundles.
    pub fn list(&mut self, account: Account, integration: String) {
        self.bundles.clear();
        self.listed_from = None;
        self.spawn("listing bundles…", move |_, _| {
            let listed = Client::for_account(&account)
                .and_then(|c| deploy::newest_bundles(&c, &integration))
                .map(|m| m.into_iter().collect())
                .map_err(AppError::from);
            Reply::Listed(account, integration, listed)
        });
    }

    /// Downloads one of the listed bundles.
    pub fn fetch(&mut self, name: &str) {
        let Some((account, integration)) = self.listed_from.clone() else {
            return;
        };
        let Some(uuid) = self
            .bundles
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, u)| u.clone())
        else {
            return;
        };
        let name = name.to_string();
        self.spawn("downloading…", move |_, _| {
            let fetched = Client::for_account(&account)
                .and_then(|c| deploy::fetch_bundle(&c, &integration, &uuid))
                .map_err(AppError::from);
            Reply::Fetched(name, fetched)
        });
    }

    /// Takes the worker's answer; a fetched bundle is handed back to be opened.
    pub fn poll(&mut self) -> Option<Fetched> {
        let rx = self.rx.as_ref()?;
        let reply = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => {
                self.rx = None;
                self.busy = None;
                self.error = Some("the worker stopped".into());
                return None;
            }
        };
        if let Reply::Progress(line) = reply {
            self.log.push(line);
            return None;
        }
        self.rx = None;
        self.busy = None;
        match reply {
            Reply::Progress(_) => {}
            Reply::Planned(Ok(p)) => self.plan = Some(*p),
            Reply::Planned(Err(e)) => self.error = Some(e.to_string()),
            Reply::Applied(log, result) => {
                self.log = log;
                self.deployed = result.is_ok();
                self.error = result.err().map(|e| e.to_string());
            }
            Reply::Listed(account, integration, Ok(list)) => {
                if list.is_empty() {
                    self.error = Some(format!("{integration} has no bundles"));
                }
                self.bundles = list;
                self.listed_from = Some((account, integration));
            }
            Reply::Listed(_, _, Err(e)) | Reply::Fetched(_, Err(e)) => {
                self.error = Some(e.to_string())
            }
            Reply::Fetched(name, Ok(bundle)) => {
                let from = self.listed_from.clone()?;
                return Some(Fetched { name, bundle, from });
            }
        }
        None
    }

    /// Cancels the work: a deploy stops before its next request (what was done stays
    /// done); reading, listing and downloading are dropped at once.
    pub fn cancel(&mut self) {
        self.cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if !self.applying {
            self.rx = None;
            self.busy = None;
            self.error = Some("cancelled".into());
        }
    }

    /// True while the worker works.
    pub fn is_busy(&self) -> bool {
        self.rx.is_some()
    }
}

/// Where a bundle opened from an account is kept: `<data>/accounts/<host>/<integration>/`.
pub fn pulled_path(data_dir: &std::path::Path, f: &Fetched) -> std::path::PathBuf {
    let host = f
        .from
        .0
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or(&f.from.0.base_url)
        .replace([':', '/'], "_");
    data_dir
        .join("pulled")
        .join(host)
        .join(deploy::file_name(&f.from.1).trim_end_matches(".json"))
        .join(deploy::file_name(&f.name))
}

use super::*;

/// Remote commands (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub enum RemoteCommand {
    /// Open (or close, with `None`) an account window.
    ShowRemote(Option<remote::RemoteWindow>),
    /// Validate the open bundle and read the plan of deploying it; `remember` saves the
    /// account's token in the data folder.
    PlanDeploy(remote::DeployRequest, bool),
    /// Carry the shown plan out.
    ApplyDeploy,
    /// Cancel the account work in progress.
    CancelRemote,
    /// List an integration's bundles on an account (`remember` saves the token).
    ListRemote(accounts::Account, String, bool),
    /// Download one of the listed bundles and open it.
    OpenRemote(String),
    /// Forget a saved account's token.
    ForgetAccount(String),
}

impl AppState {
    /// Applies one remote command.
    pub(crate) fn apply_remote(&mut self, command: RemoteCommand) {
        match command {
            RemoteCommand::ShowRemote(w) => {
                self.remote.window = w;
                self.remote.error = None;
            }
            RemoteCommand::PlanDeploy(request, remember) => self.plan_deploy(request, remember),
            RemoteCommand::ApplyDeploy => self.remote.apply(),
            RemoteCommand::CancelRemote => self.remote.cancel(),
            RemoteCommand::ListRemote(account, integration, remember) => {
                self.remember(&account, remember);
                self.remote.list(account, integration);
            }
            RemoteCommand::OpenRemote(name) => self.remote.fetch(&name),
            RemoteCommand::ForgetAccount(base) => {
                if let Err(e) = accounts::forget(&self.data_dir, &base) {
                    self.remote.error = Some(format!("cannot forget the token: {e}"));
                }
                self.accounts = accounts::load(&self.data_dir);
            }
        }
    }

    /// Runs the opened execution's event on the current bundle (its flow, its event type and
    /// input) to the end; the debugger shows the new run and the executions view compares.
    pub(crate) fn remember(&mut self, account: &accounts::Account, remember: bool) {
        if remember {
            if let Err(e) = accounts::save(&self.data_dir, account) {
                self.remote.error = Some(format!("cannot save the token: {e}"));
            }
            self.accounts = accounts::load(&self.data_dir);
        }
    }

    /// Validates the open bundle (errors stop the deploy) and reads the plan.
    pub(crate) fn plan_deploy(&mut self, request: remote::DeployRequest, remember: bool) {
        let Some(doc) = &self.document else {
            self.remote.error = Some("no bundle is open".into());
            return;
        };
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        if errors > 0 {
            self.remote.plan = None;
            self.remote.error = Some(format!(
                "not deployed: the bundle has {errors} error(s); see Problems"
            ));
            return;
        }
        let (bundle, text) = (doc.value().clone(), doc.render());
        let mut configs = serde_json::Map::new();
        if request.push_configs {
            match zis_services::db::Db::open(&self.db_path())
                .and_then(|db| db.configs(&request.integration, "*"))
            {
                Ok(list) => {
                    for c in list {
                        if let Some(scope) = c["scope"].as_str() {
                            configs.insert(scope.to_string(), c["config"].clone());
                        }
                    }
                }
                Err(e) => {
                    self.remote.error = Some(format!("cannot read the local configs: {e}"));
                    return;
                }
            }
        }
        self.remember(&request.account, remember);
        self.remote.plan(request, bundle, text, configs);
    }
}
