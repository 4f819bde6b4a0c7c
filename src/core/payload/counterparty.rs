//! `counter_party_details[]` items (v2.1): `ExternalCounterPartyDetailsSerializerV2_1`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// One counterparty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct CounterPartyDetails {
    /// True for a person, false for an organisation.
    pub is_individual: bool,
    /// The workspace's label for the organisation type (`"company"`, `"LLC"` …). Free text:
    /// each workspace configures its own list, so this is never an enum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub organization_type: Option<String>,
    /// Legal name; required when `is_individual` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub organization_name: Option<String>,
    /// Point of contact (always required).
    pub poc_details: PocDetails,
    /// Jurisdiction and address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub organization_details: Option<OrganizationDetails>,
    /// Role of the party in multi-party templates (min length 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub party_role_identifier: Option<String>,
}

/// `poc_details`: `ExternalPOCDetails`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PocDetails {
    /// First name.
    pub first_name: String,
    /// Last name (SpotDraft defaults it to `""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub last_name: Option<String>,
    /// Email address.
    pub email: String,
}

/// `organization_details`: `OrganizationDetailsSerializerV2_1`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct OrganizationDetails {
    /// Jurisdiction name (optional, free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub jurisdiction: Option<String>,
    /// ISO 3166-1 alpha-2 code of the jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub jurisdiction_iso_code: Option<String>,
    /// Registered address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub address: Option<OrganizationAddress>,
}

/// `address`: `OrganizationAddressSerializerV2_1` (`line_one`, `city`, `country_iso_code`
/// required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct OrganizationAddress {
    /// Street and number.
    pub line_one: String,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line_two: Option<String>,
    /// City.
    pub city: String,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub state: Option<String>,
    /// Country name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub country: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub zipcode: Option<String>,
    /// Contact email of the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub phone: Option<String>,
    /// GST number (India).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub gst_number: Option<String>,
    /// Tax id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub tax_id: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_iso_code: String,
}
