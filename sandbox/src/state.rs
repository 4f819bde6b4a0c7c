//! Mutable sandbox state: contracts, webhooks, keys and counters, per workspace.
//!
//! Everything here is plain data that serialises to the `--state FILE` JSON. Fixtures
//! (workspaces, templates) are not part of the state: they come from the fixtures file on
//! every start. This module does no IO and no validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// Whole sandbox state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Format version of the state file.
    pub version: u32,
    /// Next numeric contract id (global, like SpotDraft's).
    pub next_contract_id: u64,
    /// Next webhook id.
    pub next_webhook_id: u64,
    /// Next key pointer id.
    pub next_key_pointer_id: u64,
    /// Sandbox clock offset in seconds.
    pub clock_offset_secs: i64,
    /// Hex key that signs download links.
    pub file_key: String,
    /// Per-workspace state keyed by slug.
    pub workspaces: BTreeMap<String, WorkspaceState>,
}

/// State of one workspace.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkspaceState {
    /// Base64 webhook HMAC key.
    pub hmac_key: String,
    /// Contracts by numeric id.
    pub contracts: BTreeMap<u64, Contract>,
    /// Webhooks by id.
    pub webhooks: BTreeMap<u64, Webhook>,
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

/// A registered webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Delivery URL.
    pub url: String,
    /// Subscribed activities.
    pub only_for_activities: Vec<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Extra headers sent on each delivery.
    #[serde(default)]
    pub custom_headers: BTreeMap<String, String>,
    /// `ACTIVE`, `DISABLED_BY_USER` or `DISABLED_BY_ERROR`.
    pub status: String,
    /// Failed attempts in a row.
    #[serde(default)]
    pub consecutive_failures: u32,
    /// `created_by_user` object.
    pub created_by_user: Value,
}

impl State {
    /// Empty state.
    pub fn new(file_key: String) -> Self {
        Self {
            version: 1,
            next_contract_id: 1001,
            next_webhook_id: 501,
            next_key_pointer_id: 1,
            clock_offset_secs: 0,
            file_key,
            workspaces: BTreeMap::new(),
        }
    }

    /// Finds a contract in a workspace.
    pub fn contract(&self, ws: &str, id: u64) -> Option<&Contract> {
        self.workspaces.get(ws).and_then(|w| w.contracts.get(&id))
    }

    /// Finds a contract in a workspace, mutably.
    pub fn contract_mut(&mut self, ws: &str, id: u64) -> Option<&mut Contract> {
        self.workspaces
            .get_mut(ws)
            .and_then(|w| w.contracts.get_mut(&id))
    }
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
}
