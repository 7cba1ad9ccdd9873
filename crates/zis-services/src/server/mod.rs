//! `zis-studio serve`: an HTTP server on 127.0.0.1 (tokio + axum) with the ZIS REST paths
//! of zis-facts.md section 5, the inbound-webhook ingest endpoint, a fake Zendesk for
//! `path` actions, and a few local endpoints (`/api/local/...`) for the queue, executions
//! and injected events.
//!
//! The management API needs `Authorization: Bearer <token>`, a token `serve` creates in
//! the data folder (file `api_token`, mode 0600) and prints. The ingest endpoint needs the
//! webhook's Basic credentials instead. Errors are JSON: `{"errors": [{"code", "title"}]}`.
//!
//! | module | API |
//! |---|---|
//! | `registry` | integrations, bundles, job specs (zis-facts.md 5.1) |
//! | `connections` | connections and OAuth clients (5.2) |
//! | `configs` | configs (5.3) |
//! | `links` | links (5.4) |
//! | `webhooks` | inbound webhooks (5.5) and the ingest endpoint |
//! | `local` | `/api/local/*` |
//! | `fake_zendesk` | `/fake-zendesk/*` |
//!
//! `api` holds what the handlers share: the error answer, the bearer-token extractor
//! (`Authorized`: a handler that takes it runs only with the token), and typed bodies.

mod api;
mod configs;
mod connections;
mod fake_zendesk;
mod links;
mod local;
mod registry;
mod webhooks;

use crate::db::Db;
use crate::dispatch::{self, DispatchSettings};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use configs::{create_config, delete_config, patch_config, put_config, show_config, show_configs};
use connections::{
    create_connection, create_oauth_client, delete_connection, list_connections,
    list_oauth_clients, show_connection, show_oauth_connection,
};
use fake_zendesk::fake_zendesk;
use links::{create_link, delete_link, patch_link, query_links};
use local::{
    enable_integration, inject_event, list_events, list_executions, queue, show_execution,
};
use registry::{
    create_integration, install, list_bundles, list_integrations, list_job_specs, show_bundle,
    uninstall, upload_bundle,
};
use std::sync::Arc;
use webhooks::{create_webhook, delete_webhook, ingest, list_webhooks, show_webhook};

/// What the server shares between requests.
pub struct ServerState {
    /// The database.
    pub db: Arc<Db>,
    /// The management API's bearer token.
    pub token: String,
    /// `http://127.0.0.1:<port>`, for the webhook URLs it hands out.
    pub base_url: String,
    /// Delivery settings for accepted events.
    pub dispatch: DispatchSettings,
}

/// The largest request body accepted (ZIS recommends at most 200 KB for webhooks).
pub const BODY_LIMIT: usize = 200 * 1024;

type Shared = Arc<ServerState>;

/// The router: every route of the server.
pub fn router(state: Shared) -> Router {
    let zis = "/api/services/zis";
    Router::new()
        .route(
            &format!("{zis}/registry/integrations"),
            get(list_integrations),
        )
        .route(
            &format!("{zis}/registry/job_specs/install"),
            post(install).delete(uninstall),
        )
        .route(
            &format!("{zis}/registry/{{integration}}"),
            post(create_integration),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/bundles"),
            post(upload_bundle).get(list_bundles),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/bundles/{{uuid}}"),
            get(show_bundle),
        )
        .route(
            &format!("{zis}/registry/{{integration}}/job_specs"),
            get(list_job_specs),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/all"),
            get(list_connections),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/{{kind}}"),
            post(create_connection),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/connections/{{kind}}/{{name}}"),
            get(show_connection).delete(delete_connection),
        )
        .route(
            &format!("{zis}/connections/oauth/clients/{{integration}}"),
            post(create_oauth_client).get(list_oauth_clients),
        )
        .route(
            &format!("{zis}/connections/{{integration}}"),
            get(show_oauth_connection),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/configs"),
            get(show_configs).post(create_config),
        )
        .route(
            &format!("{zis}/integrations/{{integration}}/configs/{{scope}}"),
            get(show_config)
                .put(put_config)
                .patch(patch_config)
                .delete(delete_config),
        )
        .route(
            &format!("{zis}/links/{{integration}}"),
            get(query_links)
                .post(create_link)
                .patch(patch_link)
                .delete(delete_link),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/ingest/{{token}}"),
            post(ingest),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/{{integration}}"),
            post(create_webhook).get(list_webhooks),
        )
        .route(
            &format!("{zis}/inbound_webhooks/generic/{{integration}}/{{uuid}}"),
            get(show_webhook).delete(delete_webhook),
        )
        .route("/api/local/queue", get(queue))
        .route("/api/local/events", post(inject_event).get(list_events))
        .route("/api/local/executions", get(list_executions))
        .route("/api/local/executions/{id}", get(show_execution))
        .route(
            "/api/local/integrations/{integration}/{action}",
            post(enable_integration),
        )
        .route("/fake-zendesk/{*path}", any(fake_zendesk))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// The management token in `data_dir/api_token`, created (mode 0600) when missing.
pub fn api_token(data_dir: &std::path::Path) -> std::io::Result<String> {
    let path = data_dir.join("api_token");
    if let Ok(t) = std::fs::read_to_string(&path)
        && !t.trim().is_empty()
    {
        return Ok(t.trim().to_string());
    }
    std::fs::create_dir_all(data_dir)?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    crate::fsio::write_private(&path, token.as_bytes())?;
    Ok(token)
}

/// The Zendesk-style API token `serve` accepts with basic auth (`email/token:<it>`),
/// issued from its bearer token so scripts that use `deploy --email` or `curl -u` work
/// against it unchanged but for the base URL.
pub fn basic_api_token(bearer: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bearer.bytes().chain(*b"zendesk-api-token") {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut g = h;
    for b in bearer.bytes().rev() {
        g = (g ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{g:016x}")
}

/// A running server.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The bound port.
    pub port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    stop_worker: Arc<std::sync::atomic::AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the server and the dispatcher.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.stop_worker
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Starts the server on 127.0.0.1:`port` (0: any free port) on its own thread, with the
/// dispatcher's worker; `dispatch.http.zendesk_base_url` is pointed at this server's fake
/// Zendesk unless it was set to something else.
pub fn start(
    db: Arc<Db>,
    token: String,
    port: u16,
    mut dispatch: DispatchSettings,
) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let base_url = format!("http://127.0.0.1:{port}");
    if dispatch.http.zendesk_base_url == crate::http::HttpSettings::default().zendesk_base_url {
        dispatch.http.zendesk_base_url = format!("{base_url}/fake-zendesk");
    }
    let state = Arc::new(ServerState {
        db: db.clone(),
        token,
        base_url: base_url.clone(),
        dispatch: dispatch.clone(),
    });
    let app = router(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("server: {e}");
            }
        });
    });
    let stop_worker = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers = dispatch::spawn_workers(db, dispatch, stop_worker.clone());
    Ok(Running {
        base_url,
        port,
        shutdown: Some(tx),
        thread: Some(thread),
        stop_worker,
        workers,
    })
}
