//! Webhook event payloads (`ContractActivityDomainModel`) built from a contract and a fired
//! activity. Pure: the caller passes the time and the performer; nothing is sent here.

use serde_json::{json, Value};

use super::contract::{counterparty_display_name, poc_full_name, Contract};
use super::lifecycle::Fired;
use crate::fixtures::WorkspaceFixture;

/// Builds a `ContractActivityDomainModel` payload.
pub fn event_payload(
    ws: &WorkspaceFixture,
    c: &Contract,
    f: &Fired,
    performer: (&str, Option<&str>),
    now_us: &str,
) -> Value {
    let mut performed_by = json!({ "name": performer.0 });
    if let (Some(e), Some(obj)) = (performer.1, performed_by.as_object_mut()) {
        obj.insert("email".into(), json!(e));
    }
    let mut activity_data = serde_json::Map::new();
    activity_data.insert("performed_by".into(), performed_by);
    activity_data.insert("timestamp".into(), json!(now_us));
    for (k, v) in &f.extra {
        activity_data.insert(k.clone(), v.clone());
    }
    let counterparties: Vec<Value> = c
        .counterparties
        .iter()
        .map(|cp| {
            let individual = cp
                .get("is_individual")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let poc = cp.get("poc_details");
            json!({
                "type": if individual { "Individual" } else { "Organization" },
                "organization_name": counterparty_display_name(cp),
                "poc_name": poc_full_name(poc),
                "poc_email": poc.and_then(|p| p.get("email")).cloned().unwrap_or(Value::Null),
            })
        })
        .collect();
    let mut v = json!({
        "activity": f.activity,
        "activity_data": activity_data,
        "contract_id": c.id,
        "contract_title": c.contract_name,
        "contract_type": c.contract_type_name,
        "contract_type_name": c.contract_type_name,
        "contract_type_id": c.contract_type_id,
        "contract_status": f.status.as_str(),
        "contract_kind": "TEMPLATE_CONTRACT",
        "business_user": { "name": c.created_by_name, "email": c.created_by_email },
        "created_at": c.created,
        "counterparties": counterparties,
        "contract_reference_id": c.reference_id,
        "contract_template_id": c.template_id,
    });
    if let Some(obj) = v.as_object_mut() {
        if c.external_metadata
            .as_object()
            .is_some_and(|m| !m.is_empty())
        {
            obj.insert("external_metadata".into(), c.external_metadata.clone());
        }
        if let Some(e) = ws.entity(&c.entity_reference_id) {
            obj.insert(
                "entity".into(),
                json!({"reference_id": e.reference_id, "name": e.name, "jurisdiction": e.jurisdiction, "type": e.kind}),
            );
        }
    }
    v
}
