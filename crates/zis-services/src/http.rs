//! Custom HTTP actions (`ZIS::Action::Http`) through reqwest: `url`, or `path` against the
//! Zendesk base URL (a local fake on loopback until a real subdomain is set); method,
//! headers, query and requestBody; `{{$.x}}` in every string and `.$` keys at any depth;
//! `connectionName` auth; `allowed_domain`; a timeout; JSON, empty and non-JSON answers; a
//! non-2xx answer is ZIS's error with its retry class.
//!
//! `$` inside an action definition is the calling state's rendered Parameters
//! (zis-facts.md 2.4). Every request and answer is kept in [`HttpActions::exchanges`] with
//! secrets masked, for the debugger.

use crate::db::{ConnectionKind, Db, StoredConnection};
use base64::Engine as _;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Duration;
use zis_engine::run::StatesError;
use zis_engine::run::dataflow::{self, MissingPlaceholder, Templating};
use zis_engine::run::execution::ActionExecutor;
use zis_engine::template;
use zis_engine::validate::Mode;

/// How custom actions run.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Where `path` actions go: `https://<subdomain>.zendesk.com`, or the local fake
    /// Zendesk of `serve` (the default, so nothing leaves the machine).
    pub zendesk_base_url: String,
    /// Seconds before a request times out (ZIS's value is unconfirmed: 30).
    pub timeout_secs: f64,
    /// Refuse `.$` keys inside `requestBody` ("Error Resolving JSON Params", as a
    /// practitioner reports; zis-facts.md 2.4 leaves it unconfirmed). Off: both forms work.
    pub strict_request_body: bool,
    /// What a `{{ }}` placeholder that finds nothing becomes.
    pub missing_placeholder: MissingPlaceholder,
    /// The largest answer body read, in bytes (ZIS Studio's state data limit, 10 MB): a
    /// larger answer fails the action instead of filling memory.
    pub max_response_bytes: usize,
    /// A connection used on a host outside its `allowed_domain`: the request goes without
    /// the credential (else, the default, the action fails; zis-facts.md 4: unconfirmed).
    pub send_without_credential_off_domain: bool,
    /// An empty answer body is `null` (else `{}`; zis-facts.md 4: unconfirmed).
    pub empty_body_as_null: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            zendesk_base_url: format!("http://127.0.0.1:{}/fake-zendesk", crate::DEFAULT_PORT),
            timeout_secs: 30.0,
            strict_request_body: false,
            missing_placeholder: MissingPlaceholder::Error,
            max_response_bytes: zis_engine::run::dataflow::ZIS_PAYLOAD_LIMIT,
            send_without_credential_off_domain: false,
            empty_body_as_null: false,
        }
    }
}

/// One request an action made and what came back (secrets masked).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exchange {
    /// The action's full name.
    pub action: String,
    /// HTTP method.
    pub method: String,
    /// The URL, query included.
    pub url: String,
    /// Request headers (credentials masked).
    pub headers: Vec<(String, String)>,
    /// The JSON body sent, if any.
    pub body: Option<Value>,
    /// The status, when an answer came.
    pub status: Option<u16>,
    /// The answer's body (JSON, or the text as a string).
    pub response: Option<Value>,
    /// Milliseconds the request took.
    pub millis: f64,
    /// A mock answered: the request was rendered but not sent.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mocked: bool,
}

/// One answer of a custom action's mocked responses (`zis-studio run --mocks`): the
/// request is still rendered (and shown), only the answer is made up.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseMock {
    /// The HTTP status (default 200).
    #[serde(default)]
    pub status: Option<u16>,
    /// The answer's body (default `{}`).
    #[serde(default)]
    pub body: Option<Value>,
    /// Seconds the call takes on the flow's clock.
    #[serde(default)]
    pub delay_secs: f64,
    /// No answer: `timeout` (a retryable `States.Timeout`) or any other text (a retryable
    /// network failure with that cause).
    #[serde(default)]
    pub error: Option<String>,
}

/// Runs a bundle's custom HTTP actions for one integration.
pub struct HttpActions<'d> {
    db: &'d Db,
    integration: String,
    /// Action definitions by name (the resource key and `properties.name`).
    actions: HashMap<String, Value>,
    client: reqwest::blocking::Client,
    settings: HttpSettings,
    secrets: Vec<String>,
    /// The flow's time left when the current call started: a request never outlasts it.
    time_left: Option<f64>,
    /// Every request made, in order.
    pub exchanges: Vec<Exchange>,
    /// Mocked answers by action (full name or short name): successive calls take
    /// successive answers, across attempts, the last one repeating.
    pub responses: HashMap<String, Vec<ResponseMock>>,
    /// Calls so far per action (full name), across attempts: which answer is next.
    pub calls: HashMap<String, u32>,
    /// Flow-clock seconds the last call took besides its wall time (a mock's delay).
    pub delay: f64,
}

/// The process's one HTTP client (its connection pool is shared by every run; each request
/// sets its own timeout): building a client per run costs more than most calls.
fn shared_client() -> Result<reqwest::blocking::Client, StatesError> {
    static CLIENT: std::sync::OnceLock<reqwest::blocking::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::blocking::Client::builder()
        .build()
        .map_err(|e| StatesError::runtime(format!("cannot build the HTTP client: {e}")))?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

impl<'d> HttpActions<'d> {
    /// The custom actions of `bundle` for `integration`, with connections from `db`.
    pub fn new(
        db: &'d Db,
        integration: &str,
        bundle: &Value,
        settings: HttpSettings,
    ) -> Result<Self, StatesError> {
        let mut actions = HashMap::new();
        if let Some(resources) = bundle.get("resources").and_then(Value::as_object) {
            for (key, res) in resources {
                if res.get("type").and_then(Value::as_str) != Some("ZIS::Action::Http") {
                    continue;
                }
                let props = res.get("properties").cloned().unwrap_or(Value::Null);
                let def = props.get("definition").cloned().unwrap_or(Value::Null);
                if let Some(name) = props.get("name").and_then(Value::as_str) {
                    actions.insert(name.to_string(), def.clone());
                }
                actions.entry(key.clone()).or_insert(def);
            }
        }
        let client = shared_client()?;
        let secrets = db
            .secrets(integration)
            .map_err(|e| StatesError::runtime(e.to_string()))?;
        Ok(Self {
            db,
            integration: integration.to_string(),
            actions,
            client,
            settings,
            secrets,
            exchanges: Vec::new(),
            time_left: None,
            responses: HashMap::new(),
            calls: HashMap::new(),
            delay: 0.0,
        })
    }

    fn mask(&self, s: &str) -> String {
        match Db::redact(&Value::String(s.to_string()), &self.secrets) {
            Value::String(s) => s,
            _ => String::new(),
        }
    }

    fn render(&self, v: &Value, data: &Value, in_body: bool) -> Result<Value, StatesError> {
        let how = Templating {
            mode: Mode::Zis,
            missing: self.settings.missing_placeholder,
            single_placeholder_keeps_type: false,
        };
        match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    let body = in_body || k == "requestBody" || k == "requestBody.$";
                    if let Some(base) = k.strip_suffix(".$") {
                        if body && self.settings.strict_request_body {
                            return Err(StatesError::runtime(format!(
                                "Error Resolving JSON Params: '{k}' in requestBody (strict requestBody is on; use {{{{$.path}}}} placeholders)"
                            )));
                        }
                        let one = Value::Object(Map::from_iter([(k.clone(), x.clone())]));
                        let rendered = dataflow::render(&one, data, None, how)?;
                        out.insert(
                            base.to_string(),
                            rendered.get(base).cloned().unwrap_or(Value::Null),
                        );
                    } else {
                        out.insert(k.clone(), self.render(x, data, body)?);
                    }
                }
                Ok(Value::Object(out))
            }
            Value::Array(a) => a
                .iter()
                .map(|x| self.render(x, data, in_body))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Value::String(s) if template::has_placeholders(s) => {
                dataflow::interpolate(s, data, None, how)
            }
            other => Ok(other.clone()),
        }
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|kv| {
                    Some((
                        kv.get("key")?.as_str()?.to_string(),
                        text_of(kv.get("value").unwrap_or(&Value::Null)),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The host of a URL (without port).
fn host_of(url: &reqwest::Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

fn auth_headers(c: &StoredConnection) -> Result<Vec<(String, String)>, StatesError> {
    let field = |k: &str| c.data.get(k).and_then(Value::as_str).unwrap_or_default();
    Ok(match c.kind {
        ConnectionKind::Oauth => {
            let token = field("access_token");
            if token.is_empty() {
                return Err(StatesError::runtime(format!(
                    "OAuth connection '{}' has no access token yet",
                    c.name
                )));
            }
            vec![("Authorization".into(), format!("Bearer {token}"))]
        }
        ConnectionKind::BearerToken => {
            vec![("Authorization".into(), format!("Bearer {}", field("token")))]
        }
        ConnectionKind::BasicAuth => {
            let raw = format!("{}:{}", field("username"), field("password"));
            let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
            vec![("Authorization".into(), format!("Basic {encoded}"))]
        }
        ConnectionKind::ApiKey => {
            let header = match field("header_name") {
                "" => "X-API-Key",
                h => h,
            };
            vec![(header.to_string(), field("api_key").to_string())]
        }
    })
}

impl HttpActions<'_> {
    /// A mocked answer to a rendered request: the exchange is kept (marked mocked), the
    /// answer's delay goes on the flow's clock.
    #[allow(clippy::too_many_arguments)]
    fn answer_with(
        &mut self,
        action: &str,
        name: &str,
        method: &str,
        url: &reqwest::Url,
        headers: Vec<(String, String)>,
        body: Option<Value>,
        m: &ResponseMock,
    ) -> Result<Value, StatesError> {
        self.delay = m.delay_secs.max(0.0);
        let status = m.status.unwrap_or(200);
        let response = m.body.clone().unwrap_or_else(|| json!({}));
        let answered = m.error.is_none();
        self.exchanges.push(Exchange {
            action: action.to_string(),
            method: method.to_string(),
            url: self.mask(url.as_str()),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k, self.mask(&v)))
                .collect(),
            body: body.as_ref().map(|b| Db::redact(b, &self.secrets)),
            status: answered.then_some(status),
            response: answered.then(|| Db::redact(&response, &self.secrets)),
            millis: 0.0,
            mocked: true,
        });
        match &m.error {
            Some(e) if e == "timeout" => Err(StatesError::transient(
                "States.Timeout",
                format!("custom action '{name}' timed out (mocked)"),
            )),
            Some(e) => Err(StatesError::transient(
                "States.TaskFailed",
                format!("custom action '{name}' could not reach its server: {e} (mocked)"),
            )),
            None if (200..300).contains(&status) => Ok(response),
            None => Err(StatesError::http_status(status)),
        }
    }
}

impl ActionExecutor for HttpActions<'_> {
    fn set_time_left(&mut self, secs: Option<f64>) {
        self.time_left = secs;
    }

    fn take_delay_secs(&mut self) -> f64 {
        std::mem::take(&mut self.delay)
    }

    fn execute(&mut self, action: &str, parameters: &Value) -> Result<Value, StatesError> {
        let name = match action.split(':').collect::<Vec<_>>().as_slice() {
            ["zis", _, "action", name] => (*name).to_string(),
            _ => action.to_string(),
        };
        let def = self.actions.get(&name).cloned().ok_or_else(|| {
            StatesError::runtime(format!(
                "no custom action '{name}' in the bundle (called as {action})"
            ))
        })?;
        let call = {
            let n = self.calls.entry(action.to_string()).or_insert(0);
            *n += 1;
            *n
        };
        let mocked = self
            .responses
            .get(action)
            .or_else(|| self.responses.get(&name))
            .and_then(|answers| {
                answers.get((call as usize - 1).min(answers.len().saturating_sub(1)))
            })
            .cloned();
        let def = self.render(&def, parameters, false)?;
        let method = def
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let via_path = def.get("url").is_none();
        let url_text = match (def.get("url"), def.get("path")) {
            (Some(u), _) => text_of(u),
            (None, Some(p)) => {
                let p = text_of(p);
                format!(
                    "{}/{}",
                    self.settings.zendesk_base_url.trim_end_matches('/'),
                    p.trim_start_matches('/')
                )
            }
            (None, None) => {
                return Err(StatesError::runtime(format!(
                    "custom action '{name}' has neither url nor path"
                )));
            }
        };
        let mut url = reqwest::Url::parse(&url_text).map_err(|e| {
            StatesError::runtime(format!(
                "custom action '{name}': invalid URL '{}': {e}",
                self.mask(&url_text)
            ))
        })?;
        let query = pairs(def.get("query"));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        let mut headers = pairs(def.get("headers"));
        let mut auth = Vec::new();
        if let Some(m) = mocked {
            // Rendered, not sent: no connection is needed.
            let body = def.get("requestBody").cloned();
            return self.answer_with(action, &name, &method, &url, headers, body, &m);
        }
        if let Some(conn_name) = def.get("connectionName").and_then(Value::as_str) {
            let c = self
                .db
                .connection(&self.integration, conn_name)
                .map_err(|e| StatesError::runtime(e.to_string()))?
                .ok_or_else(|| {
                    StatesError::runtime(format!(
                        "custom action '{name}': no connection named '{conn_name}' in integration '{}'",
                        self.integration
                    ))
                })?;
            let host = host_of(&url);
            let allowed = c.allowed_domain.to_ascii_lowercase();
            let off_domain = !via_path && !allowed.is_empty() && host != allowed;
            if off_domain && !self.settings.send_without_credential_off_domain {
                return Err(StatesError::runtime(format!(
                    "custom action '{name}': connection '{conn_name}' may only be used on {allowed}, not {host}"
                )));
            }
            if !off_domain {
                auth = auth_headers(&c)?;
            }
        }
        let body = def.get("requestBody").cloned();
        let mut request = self.client.request(
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| {
                StatesError::runtime(format!("custom action '{name}': bad method {method}"))
            })?,
            url.clone(),
        );
        for (k, v) in headers.iter().chain(auth.iter()) {
            request = request.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &body {
            request = request.json(b);
        }
        // The request's timeout, or less when the flow has less time left.
        let timeout = self.time_left.map_or(self.settings.timeout_secs, |left| {
            left.clamp(0.001, self.settings.timeout_secs)
        });
        request = request.timeout(Duration::from_secs_f64(timeout.max(0.001)));
        let started = std::time::Instant::now();
        let answer = request.send();
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        headers.extend(auth.iter().map(|(k, _)| (k.clone(), "*****".to_string())));
        let mut exchange = Exchange {
            action: action.to_string(),
            method: method.clone(),
            url: self.mask(url.as_str()),
            headers: headers
                .into_iter()
                .map(|(k, v)| (k, self.mask(&v)))
                .collect(),
            body: body.as_ref().map(|b| Db::redact(b, &self.secrets)),
            status: None,
            response: None,
            millis,
            mocked: false,
        };
        let mut response = match answer {
            Ok(r) => r,
            Err(e) => {
                self.exchanges.push(exchange);
                let what = if e.is_timeout() {
                    return Err(StatesError::transient(
                        "States.Timeout",
                        format!("custom action '{name}' timed out after {timeout} seconds"),
                    ));
                } else {
                    self.mask(&e.without_url().to_string())
                };
                return Err(StatesError::transient(
                    "States.TaskFailed",
                    format!(
                        "custom action '{name}' could not reach {}: {what}",
                        host_of(&url)
                    ),
                ));
            }
        };
        let status = response.status().as_u16();
        let limit = self.settings.max_response_bytes;
        let mut body = Vec::new();
        {
            use std::io::Read as _;
            let mut limited = (&mut response).take(limit as u64 + 1);
            if let Err(e) = limited.read_to_end(&mut body) {
                tracing::debug!("reading the answer of {name}: {e}");
            }
        }
        if body.len() > limit {
            exchange.status = Some(status);
            self.exchanges.push(exchange);
            return Err(StatesError::named(
                "States.DataLimitExceeded",
                format!(
                    "the answer of custom action '{name}' is larger than {} MB",
                    limit / (1024 * 1024)
                ),
            ));
        }
        let text = String::from_utf8_lossy(&body).to_string();
        let value = if text.trim().is_empty() {
            if self.settings.empty_body_as_null {
                Value::Null
            } else {
                json!({})
            }
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        exchange.status = Some(status);
        exchange.response = Some(Db::redact(&value, &self.secrets));
        self.exchanges.push(exchange);
        if !(200..300).contains(&status) {
            return Err(StatesError::http_status(status));
        }
        Ok(value)
    }
}
