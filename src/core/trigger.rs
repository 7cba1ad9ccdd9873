//! What starts a flow: the job spec that names it, for the event a run uses. Runs
//! themselves are debugging sessions ([`super::debug`]).

use serde_json::Value;

/// The job spec of `bundle` that starts flow `flow_key`: (integration, source, type).
pub fn trigger_of(bundle: &Value, flow_key: &str) -> Option<(String, String, String)> {
    let flow_name = bundle
        .pointer(&format!(
            "/resources/{}/properties/name",
            zis_engine::json::pointer::escape(flow_key)
        ))
        .and_then(Value::as_str)
        .unwrap_or(flow_key);
    bundle
        .get("resources")?
        .as_object()?
        .values()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("ZIS::JobSpec"))
        .find_map(|r| {
            let p = r.get("properties")?;
            let target = p.get("flow_name")?.as_str()?;
            let mut parts = target.split(':');
            let (_, integration, _, name) =
                (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            if name != flow_name {
                return None;
            }
            Some((
                integration.to_string(),
                p.get("event_source")?.as_str()?.to_string(),
                p.get("event_type")?.as_str()?.to_string(),
            ))
        })
}
