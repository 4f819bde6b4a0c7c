//! Create-contract and send-to-counterparty validation, the way SpotDraft describes it.
//!
//! Checks, in order: the body is an object with known top-level keys of the right types; the
//! template is accessible to the workspace (else 404); the creator entity exists and may use
//! the template; then every `contract_data` key against the template's descriptors (unknown
//! keys, missing required keys, value types, enum options, grouped currency/duration/address
//! objects, repeating rows), the counterparties (required fields, individual vs organisation
//! against the template's `counter_party_kind`, single vs multi party) and the signatories
//! (`counterparty_name` must name a counterparty, `sign_order` on all or none, and then at least
//! one counterparty signatory). All field problems are reported together in one DRF-style
//! field map, not just the first.
//!
//! This module does not touch state and does not decide status codes beyond building the
//! [`ApiError`] it returns.

use serde_json::{Map, Value};

use crate::clock::{is_valid_date, is_valid_datetime};
use crate::errors::ApiError;
use crate::fixtures::{Descriptor, EntityFixture, TemplateFixture, WorkspaceFixture};
use crate::model::contract::counterparty_display_name;
use crate::model::nullability::{refused_nulls, CREATE_CONTRACT};

/// Accumulates field errors into a nested DRF-style map.
#[derive(Debug, Default)]
pub struct FieldErrors {
    root: Map<String, Value>,
}

impl FieldErrors {
    /// Adds `msg` at `path` (object keys; list indexes as strings, like DRF).
    pub fn add(&mut self, path: &[String], msg: impl Into<String>) {
        let msg = Value::String(msg.into());
        let Some((last, parents)) = path.split_last() else {
            push_msg(&mut self.root, "non_field_errors", msg);
            return;
        };
        let mut node = &mut self.root;
        for p in parents {
            let entry = node
                .entry(p.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                // A message already sits at a parent path; keep both by nesting it.
                let prev = std::mem::replace(entry, Value::Object(Map::new()));
                if let Value::Object(m) = entry {
                    m.insert("non_field_errors".into(), prev);
                }
            }
            match entry {
                Value::Object(m) => node = m,
                _ => return,
            }
        }
        push_msg(node, last, msg);
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    /// The map.
    pub fn into_map(self) -> Map<String, Value> {
        self.root
    }
}

fn push_msg(node: &mut Map<String, Value>, key: &str, msg: Value) {
    match node.get_mut(key) {
        Some(Value::Array(a)) => a.push(msg),
        Some(Value::Object(m)) => push_msg(m, "non_field_errors", msg),
        _ => {
            node.insert(key.to_owned(), Value::Array(vec![msg]));
        }
    }
}

fn p(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

fn with(path: &[String], key: impl Into<String>) -> Vec<String> {
    let mut v = path.to_vec();
    v.push(key.into());
    v
}

const TOP_LEVEL: &[&str] = &[
    "contract_template_id",
    "contract_data",
    "counter_party_details",
    "external_metadata",
    "entity_reference_id",
    "workflow_config",
    "send_to_counterparty_config",
    "contract_name",
    "signatories",
    "is_embedded_contract",
];

const WORKFLOW_KEYS: &[&str] = &[
    "auto_send_to_counterparty",
    "api_only_contract_edits",
    "skip_cp_info_collection",
    "skip_creator_info_collection",
];

/// A create request that passed validation.
#[derive(Debug, Clone)]
pub struct ValidCreate<'a> {
    /// Template.
    pub template: &'a TemplateFixture,
    /// Creator entity.
    pub entity: &'a EntityFixture,
    /// `contract_data`.
    pub contract_data: Value,
    /// Counterparties.
    pub counterparties: Vec<Value>,
    /// Signatories.
    pub signatories: Vec<Value>,
    /// `external_metadata` (`{}` when absent).
    pub external_metadata: Value,
    /// Contract name (template name when absent).
    pub contract_name: String,
    /// `workflow_config.auto_send_to_counterparty`.
    pub auto_send: bool,
    /// Recipients from `send_to_counterparty_config.to_emails`, if given.
    pub send_to: Option<Vec<String>>,
}

/// Validates a create body for workspace `ws`.
///
/// # Errors
/// 400 field map, 404 inaccessible template, 400/403 entity problems.
pub fn validate_create<'a>(
    ws: &'a WorkspaceFixture,
    body: &Value,
) -> Result<ValidCreate<'a>, ApiError> {
    let mut errs = FieldErrors::default();
    let Some(obj) = body.as_object() else {
        errs.add(
            &[],
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                type_name(body)
            ),
        );
        return Err(ApiError::validation(errs.into_map()));
    };
    for k in obj.keys() {
        if !TOP_LEVEL.contains(&k.as_str()) {
            errs.add(std::slice::from_ref(k), "Unknown field.");
        }
    }
    // DRF refuses `null` wherever the field is not `allow_null`; the document marks none of
    // these nullable. Required fields sent as null are reported below, as required.
    for (path, _) in refused_nulls(body, CREATE_CONTRACT) {
        errs.add(&path, "This field may not be null.");
    }

    let template_id = match obj.get("contract_template_id") {
        None | Some(Value::Null) => {
            errs.add(&p(&["contract_template_id"]), "This field is required.");
            None
        }
        Some(v) => match v.as_i64() {
            Some(id) => Some(id),
            None => {
                errs.add(
                    &p(&["contract_template_id"]),
                    "A valid integer is required.",
                );
                None
            }
        },
    };
    let data = match obj.get("contract_data") {
        None | Some(Value::Null) => {
            errs.add(&p(&["contract_data"]), "This field is required.");
            None
        }
        Some(Value::Object(m)) => Some(m),
        Some(other) => {
            errs.add(
                &p(&["contract_data"]),
                format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            None
        }
    };
    let cps = match obj.get("counter_party_details") {
        None | Some(Value::Null) => {
            errs.add(&p(&["counter_party_details"]), "This field is required.");
            None
        }
        Some(Value::Array(a)) if a.is_empty() => {
            errs.add(
                &p(&["counter_party_details"]),
                "This list may not be empty.",
            );
            None
        }
        Some(Value::Array(a)) => Some(a),
        Some(other) => {
            errs.add(
                &p(&["counter_party_details"]),
                format!(
                    "Expected a list of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            None
        }
    };
    let signatories = match obj.get("signatories") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => {
            errs.add(
                &p(&["signatories"]),
                format!(
                    "Expected a list of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            Vec::new()
        }
    };
    let external_metadata = match obj.get("external_metadata") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(Value::Object(m)) => {
            match m.get("id") {
                None | Some(Value::Null | Value::String(_) | Value::Number(_)) => {}
                Some(_) => errs.add(
                    &p(&["external_metadata", "id"]),
                    "Must be a string or a number.",
                ),
            }
            Value::Object(m.clone())
        }
        Some(other) => {
            errs.add(
                &p(&["external_metadata"]),
                format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                ),
            );
            Value::Null
        }
    };
    let contract_name = match obj.get("contract_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            errs.add(&p(&["contract_name"]), "This field may not be blank.");
            None
        }
        Some(Value::String(s)) if s.chars().count() > 255 => {
            errs.add(
                &p(&["contract_name"]),
                "Ensure this field has no more than 255 characters.",
            );
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.add(&p(&["contract_name"]), "Not a valid string.");
            None
        }
    };
    let entity_ref = match obj.get("entity_reference_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errs.add(&p(&["entity_reference_id"]), "Not a valid string.");
            None
        }
    };
    if let Some(v) = obj.get("is_embedded_contract") {
        if !v.is_boolean() && !v.is_null() {
            errs.add(&p(&["is_embedded_contract"]), "Must be a valid boolean.");
        }
    }
    let mut auto_send = false;
    match obj.get("workflow_config") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                if !WORKFLOW_KEYS.contains(&k.as_str()) {
                    errs.add(&p(&["workflow_config", k]), "Unknown field.");
                } else if !v.is_boolean() {
                    errs.add(&p(&["workflow_config", k]), "Must be a valid boolean.");
                }
            }
            auto_send = m
                .get("auto_send_to_counterparty")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        }
        Some(other) => errs.add(
            &p(&["workflow_config"]),
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(other)
            ),
        ),
    }
    let send_to = match obj.get("send_to_counterparty_config") {
        None | Some(Value::Null) => None,
        Some(v) => validate_send_into(v, &p(&["send_to_counterparty_config"]), &mut errs),
    };

    // The template decides everything else; an inaccessible one is its own failure.
    let template = match template_id {
        Some(id) => Some(
            ws.template(id)
                .ok_or_else(|| ApiError::template_inaccessible(id))?,
        ),
        None => None,
    };
    if let Some(t) = template {
        let entity = match &entity_ref {
            Some(r) => ws.entity(r).ok_or_else(|| ApiError::entity_unknown(r))?,
            None => ws
                .primary_entity()
                .ok_or_else(|| ApiError::entity_unknown("<primary>"))?,
        };
        if let Some(allowed) = &t.allowed_entity_reference_ids {
            if !allowed.iter().any(|a| a == &entity.reference_id) {
                return Err(ApiError::entity_not_allowed(t.id, &entity.reference_id));
            }
        }
        let md = t.resolved.as_ref();
        if let (Some(md), Some(data)) = (md, data) {
            validate_fields(&md.attributes, data, &p(&["contract_data"]), &mut errs);
        }
        let kind = md.map_or("Both", |m| m.counter_party_kind.as_str());
        if let Some(cps) = cps {
            validate_counterparties(cps, kind, t, &mut errs);
            validate_signatories(&signatories, cps, &mut errs);
        }
        if errs.is_empty() {
            return Ok(ValidCreate {
                template: t,
                entity,
                contract_data: Value::Object(data.cloned().unwrap_or_default()),
                counterparties: cps.cloned().unwrap_or_default(),
                signatories,
                external_metadata,
                contract_name: contract_name.unwrap_or_else(|| t.name.clone()),
                auto_send,
                send_to,
            });
        }
    }
    Err(ApiError::validation(errs.into_map()))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Validates `data` against descriptors, recursing into groups and repeating rows.
fn validate_fields(
    descs: &[Descriptor],
    data: &Map<String, Value>,
    path: &[String],
    errs: &mut FieldErrors,
) {
    // Plain fields and groups (children sharing a parent_variable).
    let mut groups: Vec<(String, Vec<&Descriptor>)> = Vec::new();
    let mut plain: Vec<&Descriptor> = Vec::new();
    for d in descs {
        match &d.parent_variable {
            Some(parent) => match groups.iter_mut().find(|(g, _)| g == parent) {
                Some((_, kids)) => kids.push(d),
                None => groups.push((parent.clone(), vec![d])),
            },
            None => plain.push(d),
        }
    }
    for key in data.keys() {
        let known =
            plain.iter().any(|d| &d.variable == key) || groups.iter().any(|(g, _)| g == key);
        if !known {
            errs.add(
                &with(path, key.clone()),
                "Unknown field: not defined by the template.",
            );
        }
    }
    for d in plain {
        let here = with(path, d.variable.clone());
        match data.get(&d.variable) {
            None => {
                if d.is_required() {
                    errs.add(&here, "This field is required.");
                }
            }
            Some(v) => check_value(d, v, &here, errs),
        }
    }
    for (group, kids) in groups {
        let here = with(path, group.clone());
        let group_required = kids.iter().any(|k| k.parent_required.unwrap_or(true));
        match data.get(&group) {
            None | Some(Value::Null) => {
                if group_required {
                    errs.add(&here, "This field is required.");
                }
            }
            Some(Value::Object(obj)) => {
                let child_name = |k: &Descriptor| {
                    k.child_variable.clone().unwrap_or_else(|| {
                        k.variable
                            .rsplit_once('.')
                            .map_or_else(|| k.variable.clone(), |(_, c)| c.to_owned())
                    })
                };
                for key in obj.keys() {
                    if !kids.iter().any(|k| &child_name(k) == key) {
                        errs.add(
                            &with(&here, key.clone()),
                            "Unknown field: not defined by the template.",
                        );
                    }
                }
                for k in &kids {
                    let name = child_name(k);
                    let at = with(&here, name.clone());
                    match obj.get(&name) {
                        None => {
                            if k.is_required() {
                                errs.add(&at, "This field is required.");
                            }
                        }
                        Some(v) => check_value(k, v, &at, errs),
                    }
                }
            }
            Some(other) => errs.add(
                &here,
                format!(
                    "Expected a dictionary of items but got type \"{}\".",
                    type_name(other)
                ),
            ),
        }
    }
}

fn option_matches(d: &Descriptor, v: &Value) -> bool {
    let Some(opts) = &d.options else {
        return true;
    };
    opts.iter().any(|o| {
        let ov = if o.value.is_null() {
            Value::String(o.label.clone())
        } else {
            o.value.clone()
        };
        &ov == v
            || match (&ov, v) {
                (Value::String(a), Value::Number(b)) | (Value::Number(b), Value::String(a)) => {
                    *a == b.to_string()
                }
                _ => false,
            }
    })
}

fn shown(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(60).collect()
}

fn check_value(d: &Descriptor, v: &Value, here: &[String], errs: &mut FieldErrors) {
    if v.is_null() {
        if d.is_required() {
            errs.add(here, "This field may not be null.");
        }
        return;
    }
    match d.kind.as_str() {
        "string" => {
            if !v.is_string() {
                errs.add(here, "Not a valid string.");
            } else if d.variable.ends_with("_at") {
                // Datetime-ish strings are free text in the descriptor; SpotDraft documents
                // ISO-8601 UTC, so reject only clearly malformed ones.
                if let Some(s) = v.as_str() {
                    if !s.is_empty() && !is_valid_datetime(s) {
                        errs.add(
                            here,
                            "Datetime has wrong format. Use ISO-8601, e.g. 2026-09-15T10:30:00Z.",
                        );
                    }
                }
            }
        }
        "boolean" if !v.is_boolean() => errs.add(here, "Must be a valid boolean."),
        "int" => {
            let ok = v.is_i64()
                || v.is_u64()
                || v.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.is_finite());
            if !ok {
                errs.add(here, "A valid integer is required.");
            }
        }
        "float" if !v.is_number() => errs.add(here, "A valid number is required."),
        "enum" if !(v.is_string() || v.is_number()) || !option_matches(d, v) => {
            errs.add(here, format!("{} is not a valid choice.", shown(v)));
        }
        "date" if !v.as_str().is_some_and(is_valid_date) => {
            errs.add(
                here,
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            );
        }
        "array of strings" => match v.as_array() {
            Some(a) if a.iter().all(Value::is_string) => {
                if a.is_empty() && d.is_required() {
                    errs.add(here, "This list may not be empty.");
                }
            }
            _ => errs.add(here, "Expected a list of strings."),
        },
        "array of options" => match v.as_array() {
            Some(a) => {
                if a.is_empty() && d.is_required() {
                    errs.add(here, "This list may not be empty.");
                }
                for (i, item) in a.iter().enumerate() {
                    if !option_matches(d, item) {
                        errs.add(
                            &with(here, i.to_string()),
                            format!("{} is not a valid choice.", shown(item)),
                        );
                    }
                }
            }
            None => errs.add(here, "Expected a list of option values."),
        },
        "repeating" => match v.as_array() {
            Some(rows) => {
                if rows.is_empty() && d.is_required() {
                    errs.add(here, "This list may not be empty.");
                }
                let row_descs = d.attributes.as_deref().unwrap_or(&[]);
                for (i, row) in rows.iter().enumerate() {
                    let at = with(here, i.to_string());
                    match row.as_object() {
                        Some(obj) => validate_fields(row_descs, obj, &at, errs),
                        None => errs.add(&at, "Expected a row object."),
                    }
                }
            }
            None => errs.add(here, "Expected a list of row objects."),
        },
        "array of files" => {
            let file_ok = |f: &Value| f.get("file_name").is_some_and(Value::is_string);
            let ok = match v {
                Value::Object(_) => file_ok(v),
                Value::Array(a) => a.iter().all(file_ok),
                _ => false,
            };
            if !ok {
                errs.add(
                    here,
                    "Expected a file object with file_name (or a list of them).",
                );
            }
        }
        // Descriptor types the sandbox does not know: accept any value.
        _ => {}
    }
}

fn non_blank_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

fn validate_counterparties(cps: &[Value], kind: &str, t: &TemplateFixture, errs: &mut FieldErrors) {
    if cps.len() > 1 && !t.multi_party {
        errs.add(
            &p(&["counter_party_details"]),
            format!("Template {} supports a single counterparty.", t.id),
        );
    }
    for (i, cp) in cps.iter().enumerate() {
        let base = p(&["counter_party_details", &i.to_string()]);
        let Some(obj) = cp.as_object() else {
            errs.add(&base, "Expected a dictionary of items.");
            continue;
        };
        let is_individual = match obj.get("is_individual") {
            Some(Value::Bool(b)) => Some(*b),
            None | Some(Value::Null) => {
                errs.add(&with(&base, "is_individual"), "This field is required.");
                None
            }
            Some(_) => {
                errs.add(&with(&base, "is_individual"), "Must be a valid boolean.");
                None
            }
        };
        match (kind, is_individual) {
            ("Individual", Some(false)) => errs.add(
                &with(&base, "is_individual"),
                format!("Template {} accepts only individual counterparties.", t.id),
            ),
            ("Organisation", Some(true)) => errs.add(
                &with(&base, "is_individual"),
                format!(
                    "Template {} accepts only organisation counterparties.",
                    t.id
                ),
            ),
            _ => {}
        }
        if is_individual == Some(false) && non_blank_str(obj.get("organization_name")).is_none() {
            errs.add(
                &with(&base, "organization_name"),
                "This field is required when is_individual is false.",
            );
        }
        for k in ["organization_type", "organization_name"] {
            if let Some(v) = obj.get(k) {
                if !v.is_string() && !v.is_null() {
                    errs.add(&with(&base, k), "Not a valid string.");
                }
            }
        }
        if let Some(v) = obj.get("party_role_identifier") {
            if non_blank_str(Some(v)).is_none() {
                errs.add(
                    &with(&base, "party_role_identifier"),
                    "Ensure this field has at least 1 characters.",
                );
            }
        }
        match obj.get("poc_details") {
            Some(Value::Object(poc)) => {
                let pb = with(&base, "poc_details");
                if non_blank_str(poc.get("first_name")).is_none() {
                    errs.add(&with(&pb, "first_name"), "This field is required.");
                }
                match poc.get("email").and_then(Value::as_str) {
                    Some(e) if looks_like_email(e) => {}
                    Some(_) => errs.add(&with(&pb, "email"), "Enter a valid email address."),
                    None => errs.add(&with(&pb, "email"), "This field is required."),
                }
                if let Some(v) = poc.get("last_name") {
                    if !v.is_string() {
                        errs.add(&with(&pb, "last_name"), "Not a valid string.");
                    }
                }
            }
            None | Some(Value::Null) => {
                errs.add(&with(&base, "poc_details"), "This field is required.")
            }
            Some(_) => errs.add(
                &with(&base, "poc_details"),
                "Expected a dictionary of items.",
            ),
        }
        match obj.get("organization_details") {
            None | Some(Value::Null) => {}
            Some(Value::Object(od)) => {
                let ob = with(&base, "organization_details");
                match od.get("address") {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(addr)) => {
                        let ab = with(&ob, "address");
                        for k in ["line_one", "city", "country_iso_code"] {
                            if non_blank_str(addr.get(k)).is_none() {
                                errs.add(&with(&ab, k), "This field is required.");
                            }
                        }
                        for (k, v) in addr {
                            if !v.is_string() && !v.is_null() {
                                errs.add(&with(&ab, k.clone()), "Not a valid string.");
                            }
                        }
                    }
                    Some(_) => errs.add(&with(&ob, "address"), "Expected a dictionary of items."),
                }
                for k in ["jurisdiction", "jurisdiction_iso_code"] {
                    if let Some(v) = od.get(k) {
                        if !v.is_string() && !v.is_null() {
                            errs.add(&with(&ob, k), "Not a valid string.");
                        }
                    }
                }
            }
            Some(_) => errs.add(
                &with(&base, "organization_details"),
                "Expected a dictionary of items.",
            ),
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.trim().split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(' ')
}

fn validate_signatories(sigs: &[Value], cps: &[Value], errs: &mut FieldErrors) {
    let names: Vec<String> = cps.iter().map(counterparty_display_name).collect();
    let mut with_order = 0usize;
    let mut cp_signatories = 0usize;
    for (i, s) in sigs.iter().enumerate() {
        let base = p(&["signatories", &i.to_string()]);
        let Some(obj) = s.as_object() else {
            errs.add(&base, "Expected a dictionary of items.");
            continue;
        };
        if non_blank_str(obj.get("name")).is_none() {
            errs.add(&with(&base, "name"), "This field is required.");
        }
        match obj.get("email").and_then(Value::as_str) {
            Some(e) if looks_like_email(e) => {}
            Some(_) => errs.add(&with(&base, "email"), "Enter a valid email address."),
            None => errs.add(&with(&base, "email"), "This field is required."),
        }
        let is_cp = match obj.get("is_counterparty_signatory") {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => {
                errs.add(
                    &with(&base, "is_counterparty_signatory"),
                    "This field is required.",
                );
                false
            }
            Some(_) => {
                errs.add(
                    &with(&base, "is_counterparty_signatory"),
                    "Must be a valid boolean.",
                );
                false
            }
        };
        let cp_name = obj
            .get("counterparty_name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if is_cp {
            cp_signatories += 1;
            if cp_name.is_empty() {
                errs.add(
                    &with(&base, "counterparty_name"),
                    "This field is required for counterparty signatories.",
                );
            } else if !names.iter().any(|n| n == cp_name) {
                errs.add(
                    &with(&base, "counterparty_name"),
                    "Must match the organization_name (or \"first_name last_name\" for individuals) of a counterparty in counter_party_details.",
                );
            }
        } else if !cp_name.is_empty() {
            errs.add(
                &with(&base, "counterparty_name"),
                "Leave this field blank when is_counterparty_signatory is false.",
            );
        }
        match obj.get("sign_order") {
            None | Some(Value::Null) => {}
            Some(v) if v.is_i64() || v.is_u64() => with_order += 1,
            Some(_) => errs.add(&with(&base, "sign_order"), "A valid integer is required."),
        }
        for k in ["title", "note"] {
            if let Some(v) = obj.get(k) {
                if !v.is_string() && !v.is_null() {
                    errs.add(&with(&base, k), "Not a valid string.");
                }
            }
        }
    }
    if with_order > 0 && with_order != sigs.len() {
        errs.add(
            &p(&["signatories"]),
            "sign_order must be set for either all signatories or none.",
        );
    }
    if with_order > 0 && with_order == sigs.len() && cp_signatories == 0 {
        errs.add(
            &p(&["signatories"]),
            "When sign_order is set, at least one counterparty signatory is required.",
        );
    }
}

const ATTACHMENT_FORMATS: &[&str] = &["DOCX", "PDF", "TEMPLATE"];

/// Validates a `SendToCounterparty` body.
///
/// Returns the `to_emails` when given.
///
/// # Errors
/// 400 field map.
pub fn validate_send(body: &Value) -> Result<Option<Vec<String>>, ApiError> {
    let mut errs = FieldErrors::default();
    let to = validate_send_into(body, &[], &mut errs);
    if errs.is_empty() {
        Ok(to)
    } else {
        Err(ApiError::validation(errs.into_map()))
    }
}

fn validate_send_into(
    body: &Value,
    base: &[String],
    errs: &mut FieldErrors,
) -> Option<Vec<String>> {
    let Some(obj) = body.as_object() else {
        errs.add(
            base,
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(body)
            ),
        );
        return None;
    };
    const KEYS: &[&str] = &[
        "to_emails",
        "cc_emails",
        "bcc_emails",
        "attachment_formats",
        "extra_attachments",
        "custom_message",
        "subject",
    ];
    for k in obj.keys() {
        if !KEYS.contains(&k.as_str()) {
            errs.add(&with(base, k.clone()), "Unknown field.");
        }
    }
    match obj.get("attachment_formats") {
        Some(Value::Array(a)) if a.is_empty() => {
            errs.add(
                &with(base, "attachment_formats"),
                "This list may not be empty.",
            );
        }
        Some(Value::Array(a)) => {
            for (i, f) in a.iter().enumerate() {
                if !f.as_str().is_some_and(|s| ATTACHMENT_FORMATS.contains(&s)) {
                    errs.add(
                        &with(&with(base, "attachment_formats"), i.to_string()),
                        format!("{} is not a valid choice.", shown(f)),
                    );
                }
            }
        }
        None | Some(Value::Null) => {
            errs.add(&with(base, "attachment_formats"), "This field is required.")
        }
        Some(_) => errs.add(
            &with(base, "attachment_formats"),
            "Expected a list of items.",
        ),
    }
    let mut to = None;
    for k in ["to_emails", "cc_emails", "bcc_emails"] {
        match obj.get(k) {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                let mut list = Vec::new();
                for (i, e) in a.iter().enumerate() {
                    match e.as_str() {
                        Some(s) if looks_like_email(s) => list.push(s.to_owned()),
                        _ => errs.add(
                            &with(&with(base, k), i.to_string()),
                            "Enter a valid email address.",
                        ),
                    }
                }
                if k == "to_emails" {
                    to = Some(list);
                }
            }
            Some(_) => errs.add(&with(base, k), "Expected a list of items."),
        }
    }
    match obj.get("extra_attachments") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, att) in a.iter().enumerate() {
                let ab = with(&with(base, "extra_attachments"), i.to_string());
                for k in ["file_name", "mime_type", "content_base64"] {
                    if non_blank_str(att.get(k)).is_none() {
                        errs.add(&with(&ab, k), "This field is required.");
                    }
                }
                if let Some(c) = att.get("content_base64").and_then(Value::as_str) {
                    use base64::Engine as _;
                    if base64::engine::general_purpose::STANDARD
                        .decode(c.trim())
                        .is_err()
                    {
                        errs.add(&with(&ab, "content_base64"), "Invalid base64 content.");
                    }
                }
            }
        }
        Some(_) => errs.add(
            &with(base, "extra_attachments"),
            "Expected a list of items.",
        ),
    }
    for k in ["custom_message", "subject"] {
        if let Some(v) = obj.get(k) {
            if !v.is_string() && !v.is_null() {
                errs.add(&with(base, k), "Not a valid string.");
            }
        }
    }
    to
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use serde_json::json;

    const PLAYBOOK: &str = include_str!("../../tests/fixtures/playbook-create-contract.json");

    #[test]
    fn playbook_payload_is_valid() {
        let f = Fixtures::builtin().unwrap();
        let ws = f.by_slug("acme").unwrap();
        let body: Value = serde_json::from_str(PLAYBOOK).unwrap();
        let ok = validate_create(ws, &body).unwrap();
        assert_eq!(ok.template.id, 1204);
        assert_eq!(ok.contract_name, "Acme Master Services Agreement");
        assert_eq!(ok.entity.reference_id, "ACME-US");
    }

    #[test]
    fn reports_all_contract_data_problems() {
        let f = Fixtures::builtin().unwrap();
        let ws = f.by_slug("acme").unwrap();
        let mut body: Value = serde_json::from_str(PLAYBOOK).unwrap();
        let cd = body["contract_data"].as_object_mut().unwrap();
        cd.remove("customer_name");
        cd.insert("bogus".into(), json!(1));
        cd.insert("notice_period_days".into(), json!("thirty"));
        cd["billing_currency"] = json!({"type": "XYZ", "value": "12000"});
        cd["pricing_schedule"][1]["amount"] = json!({"type": "USD"});
        let err = validate_create(ws, &body).unwrap_err();
        assert_eq!(err.status, 400);
        let m = &err.body["contract_data"];
        assert_eq!(m["customer_name"][0], "This field is required.");
        assert!(m["bogus"][0].as_str().unwrap().starts_with("Unknown field"));
        assert_eq!(m["notice_period_days"][0], "A valid integer is required.");
        assert!(m["billing_currency"]["type"][0]
            .as_str()
            .unwrap()
            .contains("not a valid choice"));
        assert_eq!(
            m["billing_currency"]["value"][0],
            "A valid number is required."
        );
        assert_eq!(
            m["pricing_schedule"]["1"]["amount"]["value"][0],
            "This field is required."
        );
    }

    #[test]
    fn explicit_null_is_refused_on_each_optional_non_nullable_field() {
        let f = Fixtures::builtin().unwrap();
        let ws = f.by_slug("acme").unwrap();
        for field in [
            "contract_name",
            "signatories",
            "workflow_config",
            "send_to_counterparty_config",
            "entity_reference_id",
            "is_embedded_contract",
        ] {
            let mut body: Value = serde_json::from_str(PLAYBOOK).unwrap();
            body[field] = Value::Null;
            let err = validate_create(ws, &body).unwrap_err();
            assert_eq!(err.status, 400, "{field}");
            assert_eq!(err.body["code"], "SD_SANDBOX_VALIDATION_ERROR", "{field}");
            assert_eq!(err.body[field][0], "This field may not be null.", "{field}");
        }
        // Nested ones too, at their DRF path.
        let mut body: Value = serde_json::from_str(PLAYBOOK).unwrap();
        body["signatories"] = json!([{"name": "A B", "email": "a@example.com",
            "is_counterparty_signatory": true, "title": null}]);
        body["counter_party_details"][0]["poc_details"]["last_name"] = Value::Null;
        let err = validate_create(ws, &body).unwrap_err();
        assert_eq!(
            err.body["signatories"]["0"]["title"][0],
            "This field may not be null."
        );
        assert_eq!(
            err.body["counter_party_details"]["0"]["poc_details"]["last_name"][0],
            "This field may not be null."
        );
        // Untyped in the document: null stays accepted.
        let mut body: Value = serde_json::from_str(PLAYBOOK).unwrap();
        body["external_metadata"] = Value::Null;
        assert!(validate_create(ws, &body).is_ok());
        // Required ones are still reported (as required), not accepted.
        let mut body: Value = serde_json::from_str(PLAYBOOK).unwrap();
        body["contract_template_id"] = Value::Null;
        let err = validate_create(ws, &body).unwrap_err();
        assert_eq!(
            err.body["contract_template_id"][0],
            "This field is required."
        );
    }

    #[test]
    fn field_errors_nest_and_keep_both() {
        let mut e = FieldErrors::default();
        e.add(&p(&["a"]), "one");
        e.add(&p(&["a", "b"]), "two");
        e.add(&p(&["a", "b"]), "three");
        let m = Value::Object(e.into_map());
        assert_eq!(m["a"]["non_field_errors"][0], "one");
        assert_eq!(m["a"]["b"][1], "three");
    }
}
