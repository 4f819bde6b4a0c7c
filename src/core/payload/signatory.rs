//! `signatories[]` items: `ExternalCreateContractSignatory`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// One signatory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    /// Full name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub title: Option<String>,
    /// True when signing for a counterparty.
    pub is_counterparty_signatory: bool,
    /// For counterparty signatories: the counterparty's `organization_name`, or
    /// `"<first_name> <last_name>"` of an individual. Leave out for your own side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub counterparty_name: Option<String>,
    /// Signing position (on all signatories or none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub sign_order: Option<i64>,
    /// Note to the signatory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub note: Option<String>,
}
