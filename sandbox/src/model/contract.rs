//! Contracts: the stored record, its status strings, composite ids, file names, counterparty
//! display names and the key pointers filled on execution.
//!
//! Plain data that serialises into the `--state FILE` JSON, plus pure rules over it. No IO,
//! no clock, no locks, no request validation.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::errors::ApiError;
use crate::fixtures::Descriptor;

/// Contract display status, with SpotDraft's exact strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Created, not yet shared.
    Draft,
    /// Shared with the counterparty.
    Redlining,
    /// Out for signature.
    Sign,
    /// All signatures in.
    Executed,
    /// Paused.
    OnHold,
    /// Voided.
    Voided,
}

impl Status {
    /// Wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Redlining => "REDLINING",
            Self::Sign => "SIGN",
            Self::Executed => "EXECUTED",
            Self::OnHold => "ON_HOLD",
            Self::Voided => "VOIDED",
        }
    }

    /// Parses a wire string.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "DRAFT" => Self::Draft,
            "REDLINING" => Self::Redlining,
            "SIGN" => Self::Sign,
            "EXECUTED" => Self::Executed,
            "ON_HOLD" => Self::OnHold,
            "VOIDED" => Self::Voided,
            _ => return None,
        })
    }
}

/// A recorded signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Signature {
    /// Signer name.
    pub name: String,
    /// Signer email.
    pub email: String,
    /// When (sandbox clock).
    pub at: String,
}

/// A key pointer ("contract metadata value").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyPointer {
    /// Key pointer id.
    pub id: u64,
    /// Value copied from `contract_data`.
    pub value: Value,
    /// Display label.
    pub label: String,
    /// Template variable (group name for grouped fields).
    pub field_name: String,
    /// Descriptor type (group type for grouped fields).
    pub data_type: String,
    /// Format options (empty object in the sandbox).
    pub format_option: Value,
}

/// A contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Contract {
    /// Numeric id; composite id is `T-<id>`.
    pub id: u64,
    /// Template used.
    pub template_id: i64,
    /// Contract name.
    pub contract_name: String,
    /// Current status.
    pub status: Status,
    /// Status before `ON_HOLD`.
    #[serde(default)]
    pub held_from: Option<Status>,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Creation time (sandbox epoch seconds).
    pub created_unix: i64,
    /// Creation time (sandbox epoch microseconds; 0 in state files written before it).
    #[serde(default)]
    pub created_micros: i64,
    /// Creator email.
    pub created_by_email: String,
    /// Creator name.
    pub created_by_name: String,
    /// Contract type id.
    pub contract_type_id: i64,
    /// Contract type name.
    pub contract_type_name: String,
    /// First counterparty's display name.
    pub counter_party_name: String,
    /// Counterparties as sent.
    pub counterparties: Vec<Value>,
    /// Signatories as sent.
    pub signatories: Vec<Value>,
    /// Contract data as sent.
    pub contract_data: Value,
    /// External metadata as sent (`{}` when absent).
    pub external_metadata: Value,
    /// Creator entity.
    pub entity_reference_id: String,
    /// Human contract number.
    pub reference_id: String,
    /// Signatures so far.
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// Signatures needed for EXECUTED.
    pub required_signatures: u32,
    /// Populated on execution.
    #[serde(default)]
    pub key_pointers: Vec<KeyPointer>,
    /// Recipients of the last send.
    #[serde(default)]
    pub sent_to: Vec<String>,
    /// Void note.
    #[serde(default)]
    pub void_note: Option<String>,
    /// Last webhook payload fired for this contract (for `re_trigger_latest`).
    #[serde(default)]
    pub last_event: Option<Value>,
    /// Document version (bumped by send and execute).
    pub version: u32,
}

impl Contract {
    /// `T-<id>`.
    pub fn composite_id(&self) -> String {
        format!("T-{}", self.id)
    }

    /// `external_metadata.id` as a string, if any.
    pub fn external_id(&self) -> Option<String> {
        match self.external_metadata.get("id") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Parses `T-<n>`; `H-<n>` is well-formed but the sandbox holds no historical contracts.
///
/// # Errors
/// 404 malformed, or 404 not found for `H-` ids.
pub fn parse_composite(s: &str) -> Result<u64, ApiError> {
    let (prefix, num) = s
        .split_once('-')
        .ok_or_else(ApiError::malformed_composite_id)?;
    if num.is_empty() || num.len() > 18 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::malformed_composite_id());
    }
    let n: u64 = num
        .parse()
        .map_err(|_| ApiError::malformed_composite_id())?;
    match prefix {
        "T" => Ok(n),
        "H" => Err(ApiError::not_found()),
        _ => Err(ApiError::malformed_composite_id()),
    }
}

/// `"<contract name> <4 hex>.pdf"`, like SpotDraft's `"Standard NDA a3b2.pdf"`.
pub fn file_name(c: &Contract) -> String {
    let tag = crate::rng::fnv1a(&format!("{}-{}", c.id, c.version)) & 0xFFFF;
    let clean: String = c
        .contract_name
        .chars()
        .map(|ch| {
            if ch == '/' || ch == '\\' || ch.is_control() {
                '_'
            } else {
                ch
            }
        })
        .collect();
    format!("{clean} {tag:04x}.pdf")
}

/// "First Last" of a counterparty's `poc_details` (either part may be missing; trimmed).
pub fn poc_full_name(poc: Option<&Value>) -> String {
    let part = |key| {
        poc.and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    format!("{} {}", part("first_name"), part("last_name"))
        .trim()
        .to_owned()
}

/// Display name of a counterparty as signatories must spell it.
pub fn counterparty_display_name(cp: &Value) -> String {
    if cp
        .get("is_individual")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        poc_full_name(cp.get("poc_details"))
    } else {
        cp.get("organization_name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }
}

/// The counterparties' contact emails, in order (the default send recipients).
pub fn counterparty_emails(c: &Contract) -> Vec<String> {
    c.counterparties
        .iter()
        .filter_map(|cp| {
            cp.get("poc_details")?
                .get("email")?
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

/// Key pointers from `contract_data`: one per plain field and one per group (currency,
/// duration, address …), for the fields present in the data.
pub fn key_pointers(descs: &[Descriptor], data: &Value, next_id: &mut u64) -> Vec<KeyPointer> {
    let mut out: Vec<KeyPointer> = Vec::new();
    for d in descs {
        let (field, label, data_type) = match &d.parent_variable {
            Some(parent) => {
                if out.iter().any(|k| &k.field_name == parent) {
                    continue;
                }
                let label = d
                    .display_label
                    .split_once(" > ")
                    .map_or_else(|| parent.clone(), |(l, _)| l.to_owned());
                (
                    parent.clone(),
                    label,
                    d.parent_type.clone().unwrap_or_else(|| "object".into()),
                )
            }
            None => (d.variable.clone(), d.display_label.clone(), d.kind.clone()),
        };
        let Some(value) = data.get(&field) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        out.push(KeyPointer {
            id: *next_id,
            value: value.clone(),
            label,
            field_name: field,
            data_type,
            format_option: json!({}),
        });
        *next_id += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_strings_round_trip() {
        for s in [
            Status::Draft,
            Status::Redlining,
            Status::Sign,
            Status::Executed,
            Status::OnHold,
            Status::Voided,
        ] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(Status::parse("draft"), None);
    }

    #[test]
    fn composite_ids() {
        assert_eq!(parse_composite("T-12").unwrap(), 12);
        assert_eq!(parse_composite("H-12").unwrap_err().status, 404);
        for bad in ["12", "T-", "T-1x", "X-1", "T--1", "T-99999999999999999999"] {
            let e = parse_composite(bad).unwrap_err();
            assert_eq!(e.body["code"], "SD_SANDBOX_MALFORMED_COMPOSITE_ID", "{bad}");
        }
    }
}
