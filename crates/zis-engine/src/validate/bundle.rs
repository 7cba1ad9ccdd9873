//! Bundle-level checks: top-level keys, resources, names and references, HTTP actions.

use super::flow::{self, Refs};
use super::{Code, Options, Sink};
use crate::json::pointer;
use crate::model::{
    BUILTIN_ACTIONS, Bundle, HttpAction, QualifiedName, Resource, ResourceBody, StateKind,
    TEMPLATE_VERSION, TemplateField, resource_type,
};
use crate::{path, template};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
const HTTP_KEYS: &[&str] = &[
    "method",
    "url",
    "url.$",
    "path",
    "path.$",
    "connectionName",
    "headers",
    "query",
    "queryParams",
    "requestBody",
    "requestBody.$",
];

pub(super) fn check(value: &Value, options: Options, sink: &mut Sink) {
    let Some(root) = value.as_object() else {
        sink.push(
            Code::NotAnObject,
            "",
            "a bundle must be a JSON object with zis_template_version, name and resources",
        );
        return;
    };
    let bundle = super::read_bundle(value, sink);
    match bundle.template_version {
        None if !root.contains_key("zis_template_version") => sink.push(
            Code::TemplateVersion,
            "",
            format!("zis_template_version is missing; ZIS expects \"{TEMPLATE_VERSION}\""),
        ),
        Some(v) if v != TEMPLATE_VERSION => sink.push(
            Code::TemplateVersionUnknown,
            "/zis_template_version",
            format!("zis_template_version \"{v}\" is not the documented \"{TEMPLATE_VERSION}\""),
        ),
        _ => {}
    }
    if !root.contains_key("name") {
        sink.push(
            Code::MissingField,
            "",
            "required field \"name\" is missing (the bundle's name)",
        );
    }
    for key in &bundle.unknown_keys {
        let known_read_only = matches!(*key, "uuid" | "integration" | "zendesk_account_id");
        if !known_read_only {
            sink.push(
                Code::UnknownProperty,
                pointer::push("", key),
                format!("\"{key}\" is not a bundle field ZIS documents"),
            );
        }
    }
    if !root.contains_key("resources") {
        sink.push(
            Code::MissingField,
            "",
            "required field \"resources\" is missing",
        );
        return;
    }
    check_resources(&bundle, value, options, sink);
}

fn check_resources(bundle: &Bundle, raw: &Value, options: Options, sink: &mut Sink) {
    let custom_actions: HashSet<&str> = bundle
        .resources_of(resource_type::HTTP_ACTION)
        .filter_map(|r| r.name)
        .collect();
    let flow_names: HashSet<&str> = bundle
        .resources_of(resource_type::FLOW)
        .filter_map(|r| r.name)
        .collect();
    let names = Names {
        custom_actions,
        flow_names,
    };
    // Resources are independent: check them on every core for big bundles, then merge in order.
    let threads = if bundle.resources.len() >= 64 {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8)
    } else {
        1
    };
    let chunk = bundle.resources.len().div_ceil(threads.max(1)).max(1);
    let check_chunk = |resources: &[Resource<'_>]| {
        let mut f = Findings::default();
        for res in resources {
            check_resource(res, raw, options, &names, &mut f);
        }
        f
    };
    let results: Vec<Findings> = if threads > 1 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = bundle
                .resources
                .chunks(chunk)
                .map(|c| scope.spawn(move || check_chunk(c)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        })
    } else {
        vec![check_chunk(&bundle.resources)]
    };
    let mut keys: Vec<(String, String)> = Vec::new(); // (integration key, pointer)
    let mut used_actions = BTreeSet::new();
    let mut started_flows = BTreeSet::new();
    for f in results {
        sink.items.extend(f.sink.items);
        keys.extend(f.keys);
        used_actions.extend(f.used_actions);
        started_flows.extend(f.started_flows);
    }

    if bundle.resources_of(resource_type::FLOW).next().is_none() {
        sink.push(
            Code::MissingResourceKind,
            "/resources",
            "the bundle has no ZIS::Flow; ZIS needs at least one flow",
        );
    }
    if bundle
        .resources_of(resource_type::JOB_SPEC)
        .next()
        .is_none()
    {
        sink.push(Code::MissingResourceKind, "/resources", "the bundle has no ZIS::JobSpec, so nothing can start its flows; ZIS needs at least one job spec");
    }
    // The bundle's integration key is the one most references use; job specs break ties.
    let mut votes: Vec<(&str, f64)> = Vec::new();
    for (key, ptr) in &keys {
        let weight = if ptr.ends_with("/flow_name") {
            1.5
        } else {
            1.0
        };
        match votes.iter_mut().find(|(k, _)| k == key) {
            Some(v) => v.1 += weight,
            None => votes.push((key.as_str(), weight)),
        }
    }
    let majority = votes
        .iter()
        .fold(None::<(&str, f64)>, |best, &(k, w)| match best {
            Some((_, bw)) if bw >= w => best,
            _ => Some((k, w)),
        });
    if let Some((first, _)) = majority {
        for (key, ptr) in &keys {
            if key != first {
                sink.push(
                    Code::IntegrationKey,
                    ptr,
                    format!("integration key \"{key}\" differs from \"{first}\" used elsewhere in this bundle; a bundle belongs to one integration"),
                );
            }
        }
    }
    for res in bundle.resources_of(resource_type::HTTP_ACTION) {
        if let Some(name) = &res.name
            && !used_actions.contains(*name)
        {
            sink.push(
                Code::UnusedAction,
                format!("{}/properties/name", res.pointer),
                format!("no flow of this bundle calls the action \"{name}\""),
            );
        }
    }
    if bundle
        .resources_of(resource_type::JOB_SPEC)
        .next()
        .is_some()
    {
        for res in bundle.resources_of(resource_type::FLOW) {
            if let Some(name) = &res.name
                && !started_flows.contains(*name)
            {
                sink.push(
                    Code::UntriggeredFlow,
                    format!("{}/properties/name", res.pointer),
                    format!("no job spec of this bundle starts the flow \"{name}\""),
                );
            }
        }
    }
}

fn check_template_field(field: &TemplateField, sink: &mut Sink) {
    if field.dollar
        && !field.value.trim_start().starts_with('$')
        && !template::has_placeholders(field.value)
    {
        sink.push(
            Code::DollarValue,
            &field.pointer,
            format!(
                "\"{}\" is neither a path nor a string with {{{{$.x}}}} placeholders",
                field.value
            ),
        );
        return;
    }
    if field.dollar && field.value.trim_start().starts_with('$') {
        if let Err(e) = path::check(field.value.trim(), path::PathContext::Path) {
            sink.push(
                Code::InvalidPath,
                &field.pointer,
                format!("invalid path \"{}\": {e}", field.value),
            );
        }
        return;
    }
    if let Err(e) = template::check(field.value) {
        sink.push(Code::Placeholder, &field.pointer, e.message);
    }
}

fn check_http(def: &HttpAction, raw: Option<&Value>, sink: &mut Sink) {
    let ptr = &def.pointer;
    if let Some(raw) = raw {
        check_key_value_lists(raw, ptr, sink);
    }
    match def.method {
        None if !def.keys.contains(&"method") => sink.push(
            Code::MissingField,
            ptr,
            "required field \"method\" is missing (GET, POST, PUT, PATCH or DELETE)",
        ),
        Some(m) if !HTTP_METHODS.contains(&m) => {
            let hint = if HTTP_METHODS.contains(&m.to_ascii_uppercase().as_str()) {
                format!(" (write \"{}\")", m.to_ascii_uppercase())
            } else {
                String::new()
            };
            sink.push(
                Code::HttpMethod,
                format!("{ptr}/method"),
                format!("method \"{m}\" is not one of GET, POST, PUT, PATCH, DELETE{hint}"),
            );
        }
        _ => {}
    }
    match (&def.url, &def.path) {
        (None, None) => sink.push(
            Code::HttpTarget,
            ptr,
            "an HTTP action needs \"url\" (an external URL) or \"path\" (a Zendesk API path)",
        ),
        (Some(_), Some(p)) => sink.push(
            Code::HttpTarget,
            &p.pointer,
            "an HTTP action takes \"url\" or \"path\", not both",
        ),
        (Some(url), None) => {
            let v = url.value.trim_start();
            if !(url.dollar
                || v.starts_with("https://")
                || v.starts_with("http://")
                || v.starts_with("{{"))
            {
                sink.push(
                    Code::HttpTarget,
                    &url.pointer,
                    format!("url \"{}\" must be an absolute http(s) URL", url.value),
                );
            }
            check_template_field(url, sink);
        }
        (None, Some(p)) => {
            let v = p.value.trim_start();
            if v.starts_with("http://") || v.starts_with("https://") {
                sink.push(Code::HttpTarget, &p.pointer, format!("path \"{}\" is an absolute URL; use \"url\" for external hosts (path is appended to https://<subdomain>.zendesk.com)", p.value));
            } else if !(v.starts_with('/') || v.starts_with("{{")) {
                sink.push(
                    Code::HttpTarget,
                    &p.pointer,
                    format!("path \"{}\" must start with '/'", p.value),
                );
            }
            check_template_field(p, sink);
        }
    }
    for kv in def.headers.iter().chain(&def.query) {
        check_template_field(&kv.value, sink);
    }
    if def.has_query_params {
        sink.push(Code::QueryParams, format!("{ptr}/queryParams"), "\"queryParams\" appears in no ZIS documentation; use \"query\": [{\"key\": ..., \"value\": ...}]");
    }
    if let Some(name) = &def.connection_name
        && (name.len() < 3
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        sink.push(
            Code::ConnectionName,
            format!("{ptr}/connectionName"),
            format!("connection name \"{name}\" should be 3 to 64 letters, digits, '_' or '-'"),
        );
    }
    for key in &def.keys {
        if !HTTP_KEYS.contains(key) {
            sink.push(
                Code::UnknownProperty,
                pointer::push(ptr, key),
                format!("\"{key}\" is not a documented field of an HTTP action definition"),
            );
        }
    }
    if let Some(body) = &def.request_body {
        let key = if def.keys.contains(&"requestBody.$") {
            "requestBody.$"
        } else {
            "requestBody"
        };
        let body_ptr = pointer::push(ptr, key);
        if key == "requestBody.$" {
            match body.as_str() {
                Some(s) => check_template_field(
                    &TemplateField {
                        value: s,
                        pointer: body_ptr,
                        dollar: true,
                    },
                    sink,
                ),
                None => sink.push(
                    Code::DollarValue,
                    body_ptr,
                    "\"requestBody.$\" must be a path string",
                ),
            }
        } else {
            flow::check_payload(
                body,
                &body_ptr,
                flow::Payload::ActionTemplate,
                super::Mode::Zis,
                sink,
            );
        }
    }
}

/// Checks `headers`/`query` shapes on the raw definition value.
fn check_key_value_lists(def: &Value, ptr: &str, sink: &mut Sink) {
    for key in ["headers", "query", "queryParams"] {
        let Some(v) = def.get(key) else { continue };
        let kptr = pointer::push(ptr, key);
        let Some(items) = v.as_array() else {
            sink.push(
                Code::HttpKeyValue,
                kptr,
                format!(
                    "\"{key}\" must be a list of {{\"key\": ..., \"value\": ...}} objects, not {}",
                    kind(v)
                ),
            );
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let iptr = format!("{kptr}/{i}");
            let ok = item.get("key").is_some_and(Value::is_string)
                && (item.get("value").is_some_and(Value::is_string)
                    || item.get("value.$").is_some_and(Value::is_string));
            if !ok {
                sink.push(
                    Code::HttpKeyValue,
                    iptr,
                    format!(
                        "each entry of \"{key}\" must be {{\"key\": \"...\", \"value\": \"...\"}}"
                    ),
                );
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    }
}

/// What checking one resource found, merged afterwards in resource order.
#[derive(Default)]
struct Findings {
    sink: Sink,
    keys: Vec<(String, String)>,
    used_actions: BTreeSet<String>,
    started_flows: BTreeSet<String>,
}

/// Names that references between resources resolve against.
struct Names<'a> {
    custom_actions: HashSet<&'a str>,
    flow_names: HashSet<&'a str>,
}

fn check_resource(
    res: &Resource<'_>,
    raw: &Value,
    options: Options,
    names: &Names<'_>,
    f: &mut Findings,
) {
    let Names {
        custom_actions,
        flow_names,
    } = names;
    let props = format!("{}/properties", res.pointer);
    let Some(type_name) = res.type_name else {
        f.sink.push(
            Code::MissingField,
            &res.pointer,
            "required field \"type\" is missing (ZIS::Flow, ZIS::Action::Http or ZIS::JobSpec)",
        );
        return;
    };
    if ![
        resource_type::FLOW,
        resource_type::HTTP_ACTION,
        resource_type::JOB_SPEC,
    ]
    .contains(&type_name)
    {
        f.sink.push(
            Code::UnknownResourceType,
            format!("{}/type", res.pointer),
            format!("resource type \"{type_name}\" is unknown; ZIS bundles hold ZIS::Flow, ZIS::Action::Http and ZIS::JobSpec (connections and configs are made through their APIs)"),
        );
        return;
    }
    if res.property_keys.is_empty() && res.name.is_none() {
        f.sink.push(
            Code::MissingField,
            &res.pointer,
            "required field \"properties\" is missing or empty",
        );
        return;
    }
    let Some(name) = res.name else {
        f.sink.push(
            Code::MissingField,
            &props,
            "required field \"name\" is missing",
        );
        return;
    };
    if name != res.key {
        f.sink.push(
            Code::KeyNameMismatch,
            format!("{props}/name"),
            format!(
                "the resource key \"{}\" differs from its name \"{name}\"; references use the name",
                res.key
            ),
        );
    }
    let allowed: &[&str] = match &res.body {
        ResourceBody::Flow(_) | ResourceBody::HttpAction(_) => &["name", "definition"],
        ResourceBody::JobSpec(_) => &["name", "event_source", "event_type", "flow_name"],
        ResourceBody::Unknown => &[],
    };
    for key in &res.property_keys {
        if !allowed.contains(key) {
            f.sink.push(
                Code::UnknownProperty,
                pointer::push(&props, key),
                format!("\"{key}\" is not a documented property of {type_name}; ZIS may reject it"),
            );
        }
    }
    match &res.body {
        ResourceBody::Flow(def) => {
            let Some(def) = def else {
                f.sink.push(
                    Code::MissingField,
                    &props,
                    "required field \"definition\" is missing (the flow's state machine)",
                );
                return;
            };
            let refs = Refs::default();
            let raw_def = raw.pointer(&def.pointer).unwrap_or(&Value::Null);
            flow::check_machine(def, raw_def, options, &refs, &mut f.sink);
            for state in def.all_states() {
                let StateKind::Action {
                    action_name: Some(action),
                } = &state.kind
                else {
                    continue;
                };
                let ptr = format!("{}/ActionName", state.pointer);
                if BUILTIN_ACTIONS.contains(action) {
                    continue;
                }
                match QualifiedName::parse(action) {
                    Some(q) if q.integration == "common" => f.sink.push(
                        Code::UnknownAction,
                        ptr,
                        format!("\"{action}\" is not a built-in action; built-ins are {}", BUILTIN_ACTIONS.join(", ")),
                    ),
                    Some(q) if q.kind == "action" => {
                        f.keys.push((q.integration.to_string(), ptr.clone()));
                        f.used_actions.insert(q.name.to_string());
                        if !custom_actions.contains(q.name) {
                            f.sink.push(
                                Code::UnknownAction,
                                ptr,
                                format!("no ZIS::Action::Http named \"{}\" in this bundle (a custom action must be defined in the same bundle)", q.name),
                            );
                        }
                    }
                    _ => f.sink.push(
                        Code::QualifiedName,
                        ptr,
                        format!("\"{action}\" is not an action name; write zis:<integration>:action:<name> or a built-in such as zis:common:action:LoadConfig"),
                    ),
                }
            }
        }
        ResourceBody::HttpAction(def) => {
            let Some(def) = def else {
                f.sink.push(
                    Code::MissingField,
                    &props,
                    "required field \"definition\" is missing (the HTTP request template)",
                );
                return;
            };
            check_http(def, raw.pointer(&def.pointer), &mut f.sink);
            if name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                f.sink.push(
                    Code::NameRules,
                    format!("{props}/name"),
                    format!("action name \"{name}\" should use letters, digits and '_'"),
                );
            }
        }
        ResourceBody::JobSpec(spec) => {
            for field in ["event_source", "event_type", "flow_name"] {
                let present = match field {
                    "event_source" => spec.event_source.is_some(),
                    "event_type" => spec.event_type.is_some(),
                    _ => spec.flow_name.is_some(),
                };
                if !present && !res.property_keys.contains(&field) {
                    f.sink.push(
                        Code::MissingField,
                        &props,
                        format!("required field \"{field}\" is missing"),
                    );
                }
            }
            if let Some(flow_name) = &spec.flow_name {
                let ptr = format!("{props}/flow_name");
                match QualifiedName::parse(flow_name) {
                    Some(q) if q.kind == "flow" => {
                        f.keys.push((q.integration.to_string(), ptr.clone()));
                        f.started_flows.insert(q.name.to_string());
                        if !flow_names.contains(q.name) {
                            let known: Vec<&str> = flow_names.iter().copied().collect();
                            f.sink.push(
                                Code::UnknownFlow,
                                ptr,
                                format!(
                                    "no ZIS::Flow named \"{}\" in this bundle (flows: {})",
                                    q.name,
                                    if known.is_empty() {
                                        "none".to_string()
                                    } else {
                                        known.join(", ")
                                    }
                                ),
                            );
                        }
                    }
                    _ => f.sink.push(
                        Code::QualifiedName,
                        ptr,
                        format!(
                            "flow_name \"{flow_name}\" must be zis:<integration>:flow:<flow name>"
                        ),
                    ),
                }
            }
        }
        ResourceBody::Unknown => {}
    }
}
