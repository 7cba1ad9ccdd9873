//! The Links API (zis-facts.md 5.4): links queried by type and object names (`*`
//! wildcards, cursor pages), created, patched and deleted; a link is named by its type and
//! both object names in the query string.

use super::api::{
    ApiError, ApiResult, Authorized, JsonBody, Q, bad, no_content, ok, string_field, unprocessable,
    value_field,
};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use zis_engine::actions::{Link, LinkObject, LinkQuery};

/// A link as ZIS answers it: with its account, integration, uuid and times.
fn link_json(l: &Link, integration: &str) -> Value {
    let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.entry("integration")
            .or_insert_with(|| Value::String(integration.to_string()));
    }
    v
}

/// `link_type`, `left_object_name` and `right_object_name` from the query: 400 without one.
fn link_key(q: &HashMap<String, String>) -> Result<(String, String, String), ApiError> {
    let get = |k: &str| {
        q.get(k)
            .cloned()
            .ok_or_else(|| bad(format!("{k} is required")))
    };
    Ok((
        get("link_type")?,
        get("left_object_name")?,
        get("right_object_name")?,
    ))
}

pub(super) async fn query_links(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    let link_type = q
        .get("link_type")
        .ok_or_else(|| bad("link_type is required"))?;
    let left = q.get("left_object_name").cloned();
    let right = q.get("right_object_name").cloned();
    if left.is_none() && right.is_none() {
        return Err(bad("left_object_name or right_object_name is required"));
    }
    let query = LinkQuery {
        link_type: link_type.clone(),
        left,
        right,
        page_size: q
            .get("page[size]")
            .and_then(|p| p.parse().ok())
            .unwrap_or(20),
        after: q.get("page[after]").cloned(),
        before: q.get("page[before]").cloned(),
    };
    let (links, more) = s.db.query_links(&integration, &query)?;
    let after = if more {
        links.last().map(|l| Value::String(l.id.clone()))
    } else {
        None
    };
    let before = links.first().map(|l| Value::String(l.id.clone()));
    ok(
        StatusCode::OK,
        json!({"links": links.iter().map(|l| link_json(l, &integration)).collect::<Vec<_>>(),
        "meta": {"has_more": more, "after": after, "before": before}}),
    )
}

/// `POST links/{integration}`: both objects are required.
#[derive(Deserialize)]
pub(super) struct NewLink {
    #[serde(default, deserialize_with = "string_field")]
    link_type: Option<String>,
    #[serde(default, deserialize_with = "value_field")]
    left_object: Option<Value>,
    #[serde(default, deserialize_with = "value_field")]
    right_object: Option<Value>,
}

pub(super) async fn create_link(
    Path(integration): Path<String>,
    Authorized(s): Authorized,
    body: JsonBody<NewLink>,
) -> ApiResult {
    s.db.require_integration(&integration)?;
    let NewLink {
        link_type,
        left_object,
        right_object,
    } = body.fields()?;
    let link_type = link_type.ok_or_else(|| bad("link_type is required"))?;
    let side = |k: &str, v: Option<Value>| -> Result<LinkObject, ApiError> {
        serde_json::from_value(v.unwrap_or(Value::Null))
            .map_err(|e| unprocessable(format!("{k} must be {{\"name\", \"metadata\"}}: {e}")))
    };
    let left = side("left_object", left_object)?;
    let right = side("right_object", right_object)?;
    let link = s.db.create_link(&integration, &link_type, &left, &right)?;
    ok(
        StatusCode::CREATED,
        json!({"link": link_json(&link, &integration)}),
    )
}

/// `PATCH links/{integration}?<link key>`: the objects given replace the link's.
#[derive(Deserialize)]
pub(super) struct LinkPatch {
    #[serde(default, deserialize_with = "value_field")]
    left_object: Option<Value>,
    #[serde(default, deserialize_with = "value_field")]
    right_object: Option<Value>,
}

pub(super) async fn patch_link(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
    body: JsonBody<LinkPatch>,
) -> ApiResult {
    let (t, l, r) = link_key(&q)?;
    let LinkPatch {
        left_object,
        right_object,
    } = body.fields()?;
    let side = |k: &str, v: Option<Value>| -> Result<Option<LinkObject>, ApiError> {
        v.map(|v| serde_json::from_value(v).map_err(|e| unprocessable(format!("{k}: {e}"))))
            .transpose()
    };
    let left = side("left_object", left_object)?;
    let right = side("right_object", right_object)?;
    let link =
        s.db.patch_link(&integration, &t, &l, &r, left.as_ref(), right.as_ref())?;
    ok(
        StatusCode::OK,
        json!({"link": link_json(&link, &integration)}),
    )
}

pub(super) async fn delete_link(
    Path(integration): Path<String>,
    Query(q): Q,
    Authorized(s): Authorized,
) -> ApiResult {
    let (t, l, r) = link_key(&q)?;
    s.db.delete_link(&integration, &t, &l, &r)?;
    no_content()
}
