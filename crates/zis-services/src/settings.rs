//! Named settings for every behaviour ZIS does not document (UNCONFIRMED in
//! ../shared/docs/zis-facts.md) and the limits a user may want to change, each with its
//! default (the digest's reading) and the fact it stands for.
//!
//! A run's settings come in layers, later ones winning: the defaults, the data folder's
//! (stored in its database, [`load`] / [`store`]), the bundle's (its sidecar file), and the
//! command line's `--setting NAME=VALUE` (or a flow test's `settings`). [`resolve`] turns
//! the layers into the [`DispatchSettings`] every run is built from.

use crate::db::{Db, Result as DbResult};
use crate::dispatch::DispatchSettings;
use std::collections::BTreeMap;
use zis_engine::actions::MergeMode;
use zis_engine::run::dataflow::MissingPlaceholder;

/// One setting.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    /// Its name, as `--setting NAME=VALUE` takes it.
    pub name: &'static str,
    /// Its default, as text.
    pub default: &'static str,
    /// The values it takes.
    pub values: &'static str,
    /// What it changes.
    pub about: &'static str,
    /// The fact it stands for (a zis-facts.md section).
    pub fact: &'static str,
}

/// Every setting (see the module doc).
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "retry_before_catch",
        default: "true",
        values: "true | false",
        about: "A retryable error (5xx, 429, a timeout) in a state with a Catch restarts the flow first; the Catch takes it on the last attempt. false: the Catch takes it at once.",
        fact: "§7 retry policy (order of retry and Catch UNCONFIRMED)",
    },
    Setting {
        name: "retries",
        default: "3",
        values: "0..10",
        about: "Times a flow is restarted from StartAt after an uncaught retryable error.",
        fact: "§7 retry policy",
    },
    Setting {
        name: "retry_backoff_secs",
        default: "0",
        values: "seconds",
        about: "Seconds on the flow's clock between an attempt and the next.",
        fact: "§7 (ZIS's backoff is UNCONFIRMED)",
    },
    Setting {
        name: "single_placeholder_keeps_type",
        default: "false",
        values: "true | false",
        about: "A string that is exactly one {{ }} placeholder keeps the value's JSON type (a number stays a number).",
        fact: "§2.4 (UNCONFIRMED)",
    },
    Setting {
        name: "missing_placeholder",
        default: "error",
        values: "error | empty",
        about: "What a {{ }} placeholder that finds nothing becomes: a States.Runtime error, or an empty string.",
        fact: "§2.4 (UNCONFIRMED)",
    },
    Setting {
        name: "asl_io_fields",
        default: "false",
        values: "true | false",
        about: "Apply InputPath, OutputPath, ResultSelector and Parameters outside Action states as ASL does.",
        fact: "§2.2 (not documented for ZIS)",
    },
    Setting {
        name: "patch_config_merge",
        default: "merge_patch",
        values: "merge_patch | shallow",
        about: "How PatchConfig merges: RFC 7396 JSON Merge Patch, or top-level keys only.",
        fact: "§3 PatchConfig (UNCONFIRMED)",
    },
    Setting {
        name: "patch_config_missing_scope",
        default: "create",
        values: "create | error",
        about: "PatchConfig on a scope that does not exist creates it, or fails the step.",
        fact: "§3 PatchConfig (UNCONFIRMED)",
    },
    Setting {
        name: "jq_multiple_outputs",
        default: "error",
        values: "error | first | array",
        about: "What a Jq expression with several outputs gives: an error, the first, or all as an array.",
        fact: "§3 Jq (UNCONFIRMED)",
    },
    Setting {
        name: "state_data_limit_mb",
        default: "10",
        values: "megabytes",
        about: "The largest state result or output.",
        fact: "§2.9 state data size (UNCONFIRMED)",
    },
    Setting {
        name: "http_timeout_secs",
        default: "30",
        values: "seconds",
        about: "Seconds before a custom action's HTTP request times out (retryable).",
        fact: "§2.9 custom-action HTTP timeout (UNCONFIRMED)",
    },
    Setting {
        name: "strict_request_body",
        default: "false",
        values: "true | false",
        about: "Refuse `.$` keys inside a custom action's requestBody (Error Resolving JSON Params).",
        fact: "§4 requestBody (UNCONFIRMED)",
    },
    Setting {
        name: "zendesk_base_url",
        default: "(the local fake Zendesk)",
        values: "a URL",
        about: "Where `path` actions go: https://<subdomain>.zendesk.com, or another local server.",
        fact: "§4 path actions",
    },
    Setting {
        name: "reupload_keeps_job_specs",
        default: "false",
        values: "true | false",
        about: "A re-uploaded bundle's installed job specs stay installed (ZIS leaves them uninstalled: install them again).",
        fact: "§5.1 upload (OBS by practitioners)",
    },
    Setting {
        name: "retry_from",
        default: "start",
        values: "start | failing_state",
        about: "A retry restarts the flow from StartAt with its original input, or runs the failing state again with the data it had.",
        fact: "§7 retry policy (UNCONFIRMED)",
    },
    Setting {
        name: "choice_missing_variable",
        default: "error",
        values: "error | false",
        about: "A Choice comparison on a Variable that is not there: a States.Runtime error (as ASL), or false.",
        fact: "§2.6 type-mismatch semantics (UNCONFIRMED)",
    },
    Setting {
        name: "connections_in_input",
        default: "true",
        values: "true | false",
        about: "$.connections.<name>.access_token holds the integration's OAuth tokens.",
        fact: "§2.3 (UNCONFIRMED for current ZIS)",
    },
    Setting {
        name: "empty_response_body",
        default: "object",
        values: "object | null",
        about: "What a custom action's empty answer body becomes: {} or null.",
        fact: "§4 answers (UNCONFIRMED)",
    },
    Setting {
        name: "duplicate_link",
        default: "error",
        values: "error | return_it",
        about: "CreateLink of a link that exists fails, or answers the existing link.",
        fact: "§5.4 links (UNCONFIRMED for the built-in)",
    },
    Setting {
        name: "max_transitions",
        default: "250",
        values: "a count",
        about: "State transitions a flow may take (Map iterations' states included).",
        fact: "§2.7 (whether it applies outside nested Maps is UNCONFIRMED)",
    },
    Setting {
        name: "flow_timeout_secs",
        default: "100",
        values: "seconds",
        about: "Seconds a flow may run (actions' time and Waits included) before States.Timeout ends it.",
        fact: "§2.9",
    },
    Setting {
        name: "map_max_items",
        default: "100",
        values: "a count",
        about: "Items a Map may iterate over before the flow fails.",
        fact: "§2.7",
    },
    Setting {
        name: "default_action_timeout_secs",
        default: "none",
        values: "seconds | none",
        about: "An action's timeout when its state has no TimeoutSeconds.",
        fact: "§2.9 action timeout default (UNCONFIRMED)",
    },
    Setting {
        name: "off_domain_connection",
        default: "error",
        values: "error | send_without_credential",
        about: "A connection used on a host outside its allowed_domain: the action fails, or the request goes without the credential.",
        fact: "§4 allowed_domain (UNCONFIRMED)",
    },
    Setting {
        name: "deliver_twice",
        default: "false",
        values: "true | false",
        about: "Every accepted event is queued twice (ZIS's delivery guarantee is unconfirmed: test a flow's idempotence).",
        fact: "§7 delivery (UNCONFIRMED)",
    },
    Setting {
        name: "shuffle_events",
        default: "false",
        values: "true | false",
        about: "Due events run in random order, not in the order they came.",
        fact: "§7 ordering (UNCONFIRMED)",
    },
    Setting {
        name: "event_delay_secs",
        default: "0",
        values: "seconds",
        about: "Seconds every event waits in the queue before it runs (ZIS's start delays).",
        fact: "§7 asynchrony",
    },
    Setting {
        name: "jq_time_limit_secs",
        default: "10",
        values: "seconds",
        about: "Wall time a Jq transform may take before it fails the step.",
        fact: "§3 Jq (ZIS's limits are UNCONFIRMED)",
    },
    Setting {
        name: "jq_memory_mb",
        default: "512",
        values: "megabytes",
        about: "Memory a Jq transform may use before it fails the step.",
        fact: "§3 Jq (ZIS's limits are UNCONFIRMED)",
    },
];

/// The setting of that name.
pub fn find(name: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name)
}

/// `NAME=VALUE` split, the name checked.
pub fn parse_assignment(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: a setting is NAME=VALUE"))?;
    let name = name.trim();
    if find(name).is_none() {
        return Err(format!(
            "no setting named {name:?}; the settings are: {}",
            SETTINGS
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

fn boolean(name: &str, v: &str) -> Result<bool, String> {
    match v {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err(format!("{name}: {v:?} is not true or false")),
    }
}

fn number(name: &str, v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| format!("{name}: {v:?} is not a number of 0 or more"))
}

/// Sets one setting on `s`; a clear error for an unknown name or a bad value.
pub fn apply(s: &mut DispatchSettings, name: &str, value: &str) -> Result<(), String> {
    match name {
        "retry_before_catch" => s.engine.retry_before_catch = boolean(name, value)?,
        "retries" => s.engine.retries = number(name, value)?.min(10.0) as u32,
        "retry_backoff_secs" => s.engine.retry_backoff_secs = number(name, value)?,
        "single_placeholder_keeps_type" => {
            s.engine.single_placeholder_keeps_type = boolean(name, value)?;
        }
        "missing_placeholder" => {
            let m = match value {
                "error" => MissingPlaceholder::Error,
                "empty" => MissingPlaceholder::Empty,
                _ => return Err(format!("{name}: {value:?} is not error or empty")),
            };
            s.engine.missing_placeholder = m;
            s.http.missing_placeholder = m;
        }
        "asl_io_fields" => s.engine.asl_io_fields = boolean(name, value)?,
        "patch_config_merge" => {
            s.merge = match value {
                "merge_patch" => MergeMode::MergePatch,
                "shallow" => MergeMode::Shallow,
                _ => return Err(format!("{name}: {value:?} is not merge_patch or shallow")),
            };
        }
        "patch_config_missing_scope" => {
            s.options.patch_creates_scope = match value {
                "create" => true,
                "error" => false,
                _ => return Err(format!("{name}: {value:?} is not create or error")),
            };
        }
        "jq_multiple_outputs" => {
            s.options.jq_outputs = match value {
                "error" => zis_engine::actions::JqOutputs::Error,
                "first" => zis_engine::actions::JqOutputs::First,
                "array" => zis_engine::actions::JqOutputs::Array,
                _ => return Err(format!("{name}: {value:?} is not error, first or array")),
            };
        }
        "state_data_limit_mb" => {
            let mb = number(name, value)?;
            s.engine.payload_limit = Some((mb * 1024.0 * 1024.0) as usize);
            s.http.max_response_bytes = (mb * 1024.0 * 1024.0) as usize;
        }
        "http_timeout_secs" => s.http.timeout_secs = number(name, value)?,
        "strict_request_body" => s.http.strict_request_body = boolean(name, value)?,
        "zendesk_base_url" => {
            if !(value.starts_with("http://") || value.starts_with("https://")) {
                return Err(format!("{name}: {value:?} is not an http(s) URL"));
            }
            s.http.zendesk_base_url = value.trim_end_matches('/').to_string();
        }
        "jq_time_limit_secs" => {
            s.jq.time = std::time::Duration::from_secs_f64(number(name, value)?.max(0.001));
        }
        "jq_memory_mb" => s.jq.memory_mb = number(name, value)? as u64,
        "reupload_keeps_job_specs" => s.keep_job_specs_on_upload = boolean(name, value)?,
        "max_transitions" => s.engine.max_transitions = Some(number(name, value)? as u32),
        "flow_timeout_secs" => s.engine.timeout_secs = Some(number(name, value)?),
        "map_max_items" => s.engine.max_map_items = Some(number(name, value)? as usize),
        "default_action_timeout_secs" => {
            s.engine.default_action_timeout_secs = match value {
                "none" | "" => None,
                v => Some(number(name, v)?),
            };
        }
        "off_domain_connection" => {
            s.http.send_without_credential_off_domain = match value {
                "error" => false,
                "send_without_credential" => true,
                _ => {
                    return Err(format!(
                        "{name}: {value:?} is not error or send_without_credential"
                    ));
                }
            };
        }
        "deliver_twice" => s.deliver_twice = boolean(name, value)?,
        "retry_from" => {
            s.engine.retry_resumes = match value {
                "start" => false,
                "failing_state" => true,
                _ => return Err(format!("{name}: {value:?} is not start or failing_state")),
            };
        }
        "connections_in_input" => s.engine.connections_in_input = boolean(name, value)?,
        "choice_missing_variable" => {
            s.engine.choice_missing_is_false = match value {
                "error" => false,
                "false" => true,
                _ => return Err(format!("{name}: {value:?} is not error or false")),
            };
        }
        "empty_response_body" => {
            s.http.empty_body_as_null = match value {
                "object" => false,
                "null" => true,
                _ => return Err(format!("{name}: {value:?} is not object or null")),
            };
        }
        "duplicate_link" => {
            s.options.duplicate_link_returns_it = match value {
                "error" => false,
                "return_it" => true,
                _ => return Err(format!("{name}: {value:?} is not error or return_it")),
            };
        }
        "shuffle_events" => s.shuffle = boolean(name, value)?,
        "event_delay_secs" => s.delay_secs = number(name, value)?,
        _ => return Err(format!("no setting named {name:?}")),
    }
    Ok(())
}

/// Whether `value` is a good value of the setting `name` (nothing is changed).
pub fn check(name: &str, value: &str) -> Result<(), String> {
    apply(&mut DispatchSettings::default(), name, value)
}

/// The settings a run gets from its layers (see the module doc), earlier ones first.
pub fn resolve(layers: &[&BTreeMap<String, String>]) -> Result<DispatchSettings, String> {
    let mut s = DispatchSettings::default();
    apply_layers(&mut s, layers)?;
    Ok(s)
}

/// Applies layers of settings on `s`, earlier ones first.
pub fn apply_layers(
    s: &mut DispatchSettings,
    layers: &[&BTreeMap<String, String>],
) -> Result<(), String> {
    for layer in layers {
        for (name, value) in *layer {
            apply(s, name, value)?;
        }
    }
    Ok(())
}

/// The key a data folder's setting is stored under in its database.
fn key(name: &str) -> String {
    format!("setting.{name}")
}

/// The data folder's settings.
pub fn load(db: &Db) -> DbResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for s in SETTINGS {
        if let Some(v) = db.setting(&key(s.name))? {
            out.insert(s.name.to_string(), v);
        }
    }
    Ok(out)
}

/// Stores (or with `None` forgets) a data folder's setting.
pub fn store(db: &Db, name: &str, value: Option<&str>) -> DbResult<()> {
    db.set_setting(&key(name), value.unwrap_or(""))?;
    if value.is_none() {
        db.delete_setting(&key(name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_applies_its_default_and_refuses_nonsense() {
        let mut s = DispatchSettings::default();
        for setting in SETTINGS {
            if setting.name == "zendesk_base_url" {
                continue;
            }
            apply(&mut s, setting.name, setting.default)
                .unwrap_or_else(|e| panic!("{}: {e}", setting.name));
            assert!(
                apply(&mut s, setting.name, "nonsense").is_err(),
                "{}",
                setting.name
            );
        }
        assert!(parse_assignment("nope=1").is_err());
        assert_eq!(
            parse_assignment("retries = 1").unwrap(),
            ("retries".to_string(), "1".to_string())
        );
    }

    #[test]
    fn later_layers_win() {
        let data = BTreeMap::from([("retries".to_string(), "1".to_string())]);
        let bundle = BTreeMap::from([("retries".to_string(), "2".to_string())]);
        let s = resolve(&[&data, &bundle]).unwrap();
        assert_eq!(s.engine.retries, 2);
        let s = resolve(&[&data]).unwrap();
        assert_eq!(s.engine.retries, 1);
        assert!(resolve(&[&BTreeMap::from([("retries".into(), "x".into())])]).is_err());
    }
}
