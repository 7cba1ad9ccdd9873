//! The typed view of a ZIS bundle.
//!
//! Built leniently from the bundle's JSON value ([`Bundle::from_value`]): a field of the
//! wrong type is recorded as a [`ShapeIssue`] and left out, so one pass can report every
//! problem. Every item carries the JSON pointer it came from, which the document maps to a
//! line and column. The JSON value stays the source of truth for saving; this view is
//! rebuilt from it.

pub mod choice;
mod flow;
mod reader;

pub use choice::{ChoiceRule, Comparison, RuleKind};
pub use flow::{Catcher, FlowDefinition, PathField, State, StateKind};
pub use reader::ShapeIssue;

/// A JSON value's type, for messages (`a string`, `an object`...).
pub fn type_name_of(v: &Value) -> &'static str {
    reader::type_name(v)
}

/// A fresh reader for reading a bare definition (used by the validator).
pub(crate) fn reader_for_definition() -> reader::Reader {
    reader::Reader::default()
}

use reader::Reader;
use serde_json::Value;

/// The only `zis_template_version` ZIS documents.
pub const TEMPLATE_VERSION: &str = "2019-10-14";

/// The built-in actions ZIS provides, by their full `ActionName` (zis-facts.md section 3);
/// the validator checks `zis:common:*` names against this list and [`crate::actions`] runs
/// them (it re-exports this list as `actions::BUILTIN_ACTIONS`).
pub const BUILTIN_ACTIONS: &[&str] = &[
    "zis:common:action:LoadConfig",
    "zis:common:action:PatchConfig",
    "zis:common:action:LoadLinks",
    "zis:common:action:CreateLink",
    "zis:common:action:PatchLink",
    "zis:common:action:DeleteLink",
    "zis:common:transform:Jq",
];

/// Resource type names.
pub mod resource_type {
    /// A flow.
    pub const FLOW: &str = "ZIS::Flow";
    /// A custom HTTP action.
    pub const HTTP_ACTION: &str = "ZIS::Action::Http";
    /// A job spec (event subscription).
    pub const JOB_SPEC: &str = "ZIS::JobSpec";
}

/// A whole bundle.
#[derive(Clone, Debug, Default)]
pub struct Bundle<'a> {
    /// `zis_template_version`.
    pub template_version: Option<&'a str>,
    /// `name`.
    pub name: Option<&'a str>,
    /// `description`.
    pub description: Option<&'a str>,
    /// `resources`, in source order.
    pub resources: Vec<Resource<'a>>,
    /// Top-level keys other than the four above.
    pub unknown_keys: Vec<&'a str>,
}

/// One entry of `resources`.
#[derive(Clone, Debug)]
pub struct Resource<'a> {
    /// The key under `resources`.
    pub key: &'a str,
    /// Pointer to the resource object.
    pub pointer: String,
    /// `type`.
    pub type_name: Option<&'a str>,
    /// `properties.name`.
    pub name: Option<&'a str>,
    /// Keys of `properties` (for unknown-property warnings).
    pub property_keys: Vec<&'a str>,
    /// What the resource is.
    pub body: ResourceBody<'a>,
}

/// The typed content of a resource.
#[derive(Clone, Debug)]
pub enum ResourceBody<'a> {
    /// `ZIS::Flow`.
    Flow(Option<FlowDefinition<'a>>),
    /// `ZIS::Action::Http`.
    HttpAction(Option<HttpAction<'a>>),
    /// `ZIS::JobSpec`.
    JobSpec(JobSpec<'a>),
    /// Any other (or a missing) type.
    Unknown,
}

/// A string field that may be written `key` (literal with `{{ }}`) or `key.$`.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateField<'a> {
    /// The string as written.
    pub value: &'a str,
    /// Pointer to the value.
    pub pointer: String,
    /// True when written with the `.$` suffix.
    pub dollar: bool,
}

/// A `{key, value}` entry of `headers` or `query`.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue<'a> {
    /// Header or parameter name.
    pub key: &'a str,
    /// Its value template.
    pub value: TemplateField<'a>,
}

/// A custom HTTP action's `definition`.
#[derive(Clone, Debug, Default)]
pub struct HttpAction<'a> {
    /// Pointer to the definition object.
    pub pointer: String,
    /// `method`.
    pub method: Option<&'a str>,
    /// `url` or `url.$`.
    pub url: Option<TemplateField<'a>>,
    /// `path` or `path.$`.
    pub path: Option<TemplateField<'a>>,
    /// `connectionName`.
    pub connection_name: Option<&'a str>,
    /// `headers`.
    pub headers: Vec<KeyValue<'a>>,
    /// `query`.
    pub query: Vec<KeyValue<'a>>,
    /// True when the undocumented `queryParams` was used.
    pub has_query_params: bool,
    /// `requestBody` (or `requestBody.$`).
    pub request_body: Option<&'a Value>,
    /// Keys of the definition object.
    pub keys: Vec<&'a str>,
}

/// A job spec's properties.
#[derive(Clone, Debug, Default)]
pub struct JobSpec<'a> {
    /// `event_source`.
    pub event_source: Option<&'a str>,
    /// `event_type`.
    pub event_type: Option<&'a str>,
    /// `flow_name`, e.g. `zis:acme:flow:notify`.
    pub flow_name: Option<&'a str>,
}

/// A parsed fully qualified ZIS name: `zis:<integration>:<kind>:<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualifiedName<'a> {
    /// The integration key (`common` for built-ins).
    pub integration: &'a str,
    /// `flow`, `action`, `job_spec` or `transform`.
    pub kind: &'a str,
    /// The resource's `properties.name`.
    pub name: &'a str,
}

impl<'a> QualifiedName<'a> {
    /// Splits `zis:<integration>:<kind>:<name>`; the name may itself hold ':'.
    pub fn parse(s: &'a str) -> Option<Self> {
        let rest = s.strip_prefix("zis:")?;
        let mut parts = rest.splitn(3, ':');
        let integration = parts.next().filter(|p| !p.is_empty())?;
        let kind = parts.next().filter(|p| !p.is_empty())?;
        let name = parts.next().filter(|p| !p.is_empty())?;
        Some(Self {
            integration,
            kind,
            name,
        })
    }
}

impl<'a> Bundle<'a> {
    /// Builds the typed view, recording fields of the wrong type.
    pub fn from_value(value: &'a Value) -> (Self, Vec<ShapeIssue>) {
        let mut r = Reader::default();
        let bundle = Self::read(&mut r, value);
        (bundle, r.issues)
    }

    fn read(r: &mut Reader, value: &'a Value) -> Self {
        let Some(root) = r.object(value, "") else {
            return Self::default();
        };
        let known = ["zis_template_version", "name", "description", "resources"];
        let mut bundle = Self {
            template_version: r.string_field(root, "", "zis_template_version"),
            name: r.string_field(root, "", "name"),
            description: r.string_field(root, "", "description"),
            resources: Vec::new(),
            unknown_keys: root
                .keys()
                .map(String::as_str)
                .filter(|k| !known.contains(k))
                .collect(),
        };
        if let Some(resources) = root
            .get("resources")
            .and_then(|v| r.object(v, "/resources"))
        {
            let entries: Vec<(&'a String, &'a Value)> = resources.iter().collect();
            let read_chunk = |chunk: &[(&'a String, &'a Value)]| {
                let mut r = Reader::default();
                let out: Vec<Resource<'a>> = chunk
                    .iter()
                    .map(|(key, res)| {
                        Resource::read(
                            &mut r,
                            key,
                            &crate::json::pointer::push("/resources", key),
                            res,
                        )
                    })
                    .collect();
                (out, r.issues)
            };
            // Resources are independent: read them on every core for big bundles.
            let threads = if entries.len() >= 64 {
                std::thread::available_parallelism()
                    .map_or(1, usize::from)
                    .min(8)
            } else {
                1
            };
            let chunk = entries.len().div_ceil(threads).max(1);
            let parts: Vec<(Vec<Resource<'a>>, Vec<ShapeIssue>)> = if threads > 1 {
                std::thread::scope(|scope| {
                    let handles: Vec<_> = entries
                        .chunks(chunk)
                        .map(|c| scope.spawn(move || read_chunk(c)))
                        .collect();
                    handles.into_iter().filter_map(|h| h.join().ok()).collect()
                })
            } else {
                vec![read_chunk(&entries)]
            };
            for (resources, issues) in parts {
                bundle.resources.extend(resources);
                r.issues.extend(issues);
            }
        }
        bundle
    }

    /// Resources of one type, in order.
    pub fn resources_of<'s>(
        &'s self,
        type_name: &'s str,
    ) -> impl Iterator<Item = &'s Resource<'a>> + 's {
        self.resources
            .iter()
            .filter(move |res| res.type_name == Some(type_name))
    }

    /// The flow resources with their definitions.
    pub fn flows(&self) -> impl Iterator<Item = (&Resource<'a>, &FlowDefinition<'a>)> {
        self.resources.iter().filter_map(|res| match &res.body {
            ResourceBody::Flow(Some(def)) => Some((res, def)),
            _ => None,
        })
    }
}

impl<'a> Resource<'a> {
    fn read(r: &mut Reader, key: &'a str, pointer: &str, value: &'a Value) -> Self {
        let mut res = Self {
            key,
            pointer: pointer.to_string(),
            type_name: None,
            name: None,
            property_keys: Vec::new(),
            body: ResourceBody::Unknown,
        };
        let Some(obj) = r.object(value, pointer) else {
            return res;
        };
        res.type_name = r.string_field(obj, pointer, "type");
        let props_ptr = format!("{pointer}/properties");
        let Some(props) = reader::field(obj, "properties").and_then(|p| r.object(p, &props_ptr))
        else {
            return res;
        };
        res.property_keys = props.keys().map(String::as_str).collect();
        res.name = r.string_field(props, &props_ptr, "name");
        let def_ptr = format!("{props_ptr}/definition");
        res.body = match res.type_name {
            Some(resource_type::FLOW) => ResourceBody::Flow(
                props
                    .get("definition")
                    .map(|d| FlowDefinition::read(r, d, &def_ptr)),
            ),
            Some(resource_type::HTTP_ACTION) => ResourceBody::HttpAction(
                props
                    .get("definition")
                    .and_then(|d| HttpAction::read(r, d, &def_ptr)),
            ),
            Some(resource_type::JOB_SPEC) => ResourceBody::JobSpec(JobSpec {
                event_source: r.string_field(props, &props_ptr, "event_source"),
                event_type: r.string_field(props, &props_ptr, "event_type"),
                flow_name: r.string_field(props, &props_ptr, "flow_name"),
            }),
            _ => ResourceBody::Unknown,
        };
        res
    }
}

impl<'a> HttpAction<'a> {
    fn read(r: &mut Reader, value: &'a Value, pointer: &str) -> Option<Self> {
        let obj = r.object(value, pointer)?;
        let template = |r: &mut Reader, key: &str| -> Option<TemplateField<'a>> {
            for (k, dollar) in [(key.to_string(), false), (format!("{key}.$"), true)] {
                if reader::has(obj, &k) {
                    let value = r.string_field(obj, pointer, &k)?;
                    return Some(TemplateField {
                        value,
                        pointer: crate::json::pointer::push(pointer, &k),
                        dollar,
                    });
                }
            }
            None
        };
        let url = template(r, "url");
        let path = template(r, "path");
        let headers = read_key_values(r, obj, pointer, "headers");
        let query = read_key_values(r, obj, pointer, "query");
        Some(Self {
            pointer: pointer.to_string(),
            method: r.string_field(obj, pointer, "method"),
            url,
            path,
            connection_name: r.string_field(obj, pointer, "connectionName"),
            headers,
            query,
            has_query_params: reader::has(obj, "queryParams"),
            request_body: reader::field(obj, "requestBody")
                .or_else(|| reader::field(obj, "requestBody.$")),
            keys: obj.keys().map(String::as_str).collect(),
        })
    }
}

fn read_key_values<'a>(
    _r: &mut Reader,
    obj: &'a serde_json::Map<String, Value>,
    pointer: &str,
    key: &str,
) -> Vec<KeyValue<'a>> {
    // Shapes are checked by the validator (E035); here only well-formed entries are kept.
    let ptr = crate::json::pointer::push(pointer, key);
    let Some(Value::Array(items)) = reader::field(obj, key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_ptr = format!("{ptr}/{i}");
        let Some(Value::String(k)) = item.get("key") else {
            continue;
        };
        let (vkey, dollar) = if item.get("value.$").is_some() {
            ("value.$", true)
        } else {
            ("value", false)
        };
        let Some(Value::String(v)) = item.get(vkey) else {
            continue;
        };
        out.push(KeyValue {
            key: k,
            value: TemplateField {
                value: v,
                pointer: crate::json::pointer::push(&item_ptr, vkey),
                dollar,
            },
        });
    }
    out
}
