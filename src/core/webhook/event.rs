//! Parsing a verified webhook body into a typed [`WebhookEvent`].
//!
//! The event keeps SpotDraft's wire field names (`contract_id`, `activity_data.timestamp`…),
//! since it *is* SpotDraft's payload (`ContractActivityDomainModel`). Parsing is strict only
//! where the sync depends on a value, and lenient everywhere else:
//!
//! - strict: `activity` (a string; unknown names are kept as `Unknown`), `contract_id` (a
//!   positive integer, or a string of digits), `activity_data.timestamp` (RFC 3339), and
//!   `external_metadata.id` (a string or an integer: it is the lookup key of the sync record);
//! - lenient: `contract_status` and `contract_kind` keep unknown strings; descriptive fields
//!   (users, counterparties, entity, titles, type ids…) that do not have their documented shape
//!   are read as absent rather than refusing the event; unknown fields are ignored.
//!
//! What it does NOT do: verify the signature (do that first, on the same bytes), dedupe, or
//! touch any record.

use super::activity::{ContractKind, WebhookActivity};
use super::timestamp::Timestamp;
use super::verify::{check_body_size, DEFAULT_MAX_BODY_BYTES};
use crate::core::status::ContractStatus;
use crate::error::{Error, ErrorCode, ErrorDetail, Result};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;
use tsify::Tsify;

/// One webhook delivery from SpotDraft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct WebhookEvent {
    /// What happened.
    pub activity: WebhookActivity,
    /// Who did it and when.
    #[serde(alias = "activityData")]
    pub activity_data: ActivityData,
    /// SpotDraft's numeric contract id (the composite id is not in webhooks).
    #[serde(deserialize_with = "de_contract_id")]
    #[serde(alias = "contractId")]
    pub contract_id: u64,
    /// The contract's display status when the event was sent; `None` when absent or not a
    /// string. An unknown status string is kept as [`EventStatus::Unknown`].
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractStatus")]
    pub contract_status: Option<EventStatus>,
    /// The contract's workflow kind.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractKind")]
    pub contract_kind: Option<ContractKind>,
    /// The contract's title.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractTitle")]
    pub contract_title: Option<String>,
    /// The contract type.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractType")]
    pub contract_type: Option<String>,
    /// The contract type's name.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractTypeName")]
    pub contract_type_name: Option<String>,
    /// The contract type's id.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractTypeId")]
    pub contract_type_id: Option<i64>,
    /// The business owner.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "businessUser")]
    pub business_user: Option<Person>,
    /// The legal owner.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "legalUser")]
    pub legal_user: Option<Person>,
    /// When the contract was created, as SpotDraft sent it.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "createdAt")]
    pub created_at: Option<String>,
    /// Counterparties, when set.
    #[serde(
        default,
        deserialize_with = "de_lenient_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[tsify(optional)]
    pub counterparties: Vec<Counterparty>,
    /// The source system's reference, when the contract has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    #[serde(alias = "externalMetadata")]
    pub external_metadata: Option<EventExternalMetadata>,
    /// The contracting entity, when set.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub entity: Option<Entity>,
    /// The human contract number (e.g. `SD-1234`).
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractReferenceId")]
    pub contract_reference_id: Option<String>,
    /// The template id, for template contracts.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "contractTemplateId")]
    pub contract_template_id: Option<i64>,
}

impl WebhookEvent {
    /// When the activity happened (`activity_data.timestamp`).
    pub fn occurred_at(&self) -> Timestamp {
        self.activity_data.timestamp.at()
    }

    /// The known status, if the event carries one this library knows.
    pub fn known_status(&self) -> Option<ContractStatus> {
        match self.contract_status {
            Some(EventStatus::Known(status)) => Some(status),
            _ => None,
        }
    }

    /// The source system's id (`external_metadata.id`), if any.
    pub fn external_id(&self) -> Option<&str> {
        self.external_metadata.as_ref()?.id.as_deref()
    }

    /// The dedupe key of this delivery: SpotDraft sends no event id, so a delivery is
    /// identified by (instant, `contract_id`, `activity`). The instant comes first in its
    /// canonical form, so keys sort chronologically and `…Z`/`+00:00` spellings of the same
    /// instant give the same key.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.occurred_at(),
            self.contract_id,
            self.activity
        )
    }
}

/// A `contract_status` as sent: one of SpotDraft's statuses, or an unknown string kept
/// verbatim (the sync then asks for a status refresh instead of guessing).
#[derive(Debug, Clone, PartialEq, Eq, Tsify)]
#[tsify(type = "ContractStatus | (string & {})")]
pub enum EventStatus {
    /// A documented status.
    Known(ContractStatus),
    /// Any other string.
    Unknown(String),
}

impl EventStatus {
    /// Reads a wire status.
    pub fn from_wire(text: &str) -> Self {
        const KNOWN: [ContractStatus; 6] = [
            ContractStatus::Draft,
            ContractStatus::Redlining,
            ContractStatus::Sign,
            ContractStatus::Executed,
            ContractStatus::OnHold,
            ContractStatus::Voided,
        ];
        KNOWN
            .into_iter()
            .find(|status| status.as_str() == text)
            .map_or_else(|| Self::Unknown(text.to_owned()), Self::Known)
    }

    /// The wire text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(status) => status.as_str(),
            Self::Unknown(text) => text,
        }
    }
}

impl Serialize for EventStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from_wire(&text))
    }
}

/// `activityData` (SpotDraft's `activity_data`): who acted, when, and activity-specific extras.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct ActivityData {
    /// When the action was taken (RFC 3339, kept as sent).
    pub timestamp: EventTime,
    /// Who acted (`name` is `"SYSTEM"` for system actions).
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "performedBy")]
    pub performed_by: Option<Person>,
    /// Recipients, on `CONTRACT_SENT_TO_COUNTERPARTY`.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "counterpartyEmailRecipients")]
    pub counterparty_email_recipients: Option<EmailRecipients>,
    /// The email event, on `*_EMAIL_*` activities.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "emailEventData")]
    pub email_event_data: Option<EmailEventData>,
    /// The notified signer, on `CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT`.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub signatory: Option<Person>,
}

/// An RFC 3339 timestamp kept exactly as sent, with its parsed instant.
#[derive(Clone, PartialEq, Eq, Tsify)]
#[tsify(type = "string")]
pub struct EventTime {
    raw: String,
    at: Timestamp,
}

impl EventTime {
    /// Parses `raw`.
    ///
    /// # Errors
    /// `WEBHOOK_PAYLOAD_INVALID` when `raw` is not RFC 3339.
    pub fn parse(raw: &str) -> Result<Self> {
        Timestamp::parse(raw)
            .map(|at| Self {
                raw: raw.to_owned(),
                at,
            })
            .map_err(|e| Error::new(ErrorCode::WebhookPayloadInvalid, e.to_string()))
    }

    /// The instant.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// The text as SpotDraft sent it.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

impl fmt::Debug for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let at = Timestamp::parse(&raw).map_err(de::Error::custom)?;
        Ok(Self { raw, at })
    }
}

/// A user as SpotDraft describes one in events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Person {
    /// Name (`"SYSTEM"` for system actions).
    #[serde(default)]
    pub name: String,
    /// Email, when known.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub email: Option<String>,
}

/// A counterparty in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Counterparty {
    /// `"Organization"` or `"Individual"`.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub kind: Option<String>,
    /// The counterparty's name.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "organizationName")]
    pub organization_name: Option<String>,
    /// Point of contact's name.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "pocName")]
    pub poc_name: Option<String>,
    /// Point of contact's email.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "pocEmail")]
    pub poc_email: Option<String>,
    /// SpotDraft's counterparty id.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "counterpartyId")]
    pub counterparty_id: Option<i64>,
}

/// The contracting entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Entity {
    /// Entity reference id.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "referenceId")]
    pub reference_id: Option<String>,
    /// Entity name.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub name: Option<String>,
    /// Jurisdiction (a country name).
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub jurisdiction: Option<String>,
    /// Entity type.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub kind: Option<String>,
}

/// `external_metadata`: the source system's reference to its own record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct EventExternalMetadata {
    /// The source record's id, always as a string (SpotDraft leaves its type open, so an
    /// integer `10024` becomes `"10024"`). `None` when absent, null or empty.
    #[serde(
        default,
        deserialize_with = "de_external_id",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    pub id: Option<String>,
    /// E.g. `"HubSpot"`.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "integrationName")]
    pub integration_name: Option<String>,
    /// E.g. `"Deal"`.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "recordType")]
    pub record_type: Option<String>,
    /// Free-form data the source system attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    #[serde(alias = "recordData")]
    pub record_data: Option<serde_json::Value>,
    /// SpotDraft's object configuration id, when set.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "objectConfigurationId")]
    pub object_configuration_id: Option<String>,
}

/// `counterparty_email_recipients`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct EmailRecipients {
    /// To: addresses.
    #[serde(default, deserialize_with = "de_lenient_vec")]
    #[serde(alias = "toRecipients")]
    pub to_recipients: Vec<String>,
    /// Cc: addresses.
    #[serde(default, deserialize_with = "de_lenient_vec")]
    #[serde(alias = "ccRecipients")]
    pub cc_recipients: Vec<String>,
}

/// `email_event_data` (SpotDraft spells `occured_at` with one r).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct EmailEventData {
    /// The recipient.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "recipientEmail")]
    pub recipient_email: Option<String>,
    /// `to` or `cc`.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "emailMode")]
    pub email_mode: Option<String>,
    /// When the email event happened, as sent.
    #[serde(
        default,
        deserialize_with = "de_lenient",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[serde(alias = "occuredAt")]
    pub occured_at: Option<String>,
}

/// Reads any value; keeps it only if it has the expected shape. For descriptive fields the
/// sync does not depend on: a surprise there must not cost the whole event.
///
/// Streams straight into `T` ([`Lenient`]) instead of buffering a `serde_json::Value` and
/// converting it: that round trip was most of the cost of parsing an event. The outcome is
/// the one the round trip gave: a value of another JSON type is `None`; inside objects a key
/// given twice keeps its last value; nesting deeper than serde_json's recursion limit is
/// still an error (values are skipped with [`DeepSkip`], which, unlike `IgnoredAny`, counts
/// depth). One difference: an array where an object belongs is `None` (the round trip read
/// it positionally, `["Ann", "ann@x.example"]` as a person, which SpotDraft never sends).
fn de_lenient<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    deserializer.deserialize_any(LenientVisitor::<T>(PhantomData))
}

/// Like [`de_lenient`] for lists: keeps the items that have the expected shape; anything but
/// an array is an empty list.
fn de_lenient_vec<'de, D, T>(deserializer: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: Lenient> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value (a list is kept)")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(item) = seq.next_element_seed(LenientSeed::<T>(PhantomData))? {
                items.extend(item);
            }
            Ok(items)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Vec<T>, A::Error> {
            skip_map(map)?;
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> std::result::Result<Vec<T>, D::Error> {
            deserializer.deserialize_any(self)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_unit<E: de::Error>(self) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> std::result::Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }
    deserializer.deserialize_any(ListVisitor::<T>(PhantomData))
}

/// A type read leniently from any JSON value: `None` when the value does not have its shape.
/// Only syntax errors and the recursion limit are errors. Each hook says what one JSON type
/// gives; the defaults refuse it.
trait Lenient: Sized {
    /// From a string.
    fn from_text(_text: &str) -> Option<Self> {
        None
    }
    /// From an integer (`u64` values above `i64::MAX` come as `None`).
    fn from_int(_int: Option<i64>) -> Option<Self> {
        None
    }
    /// From an object: reads (or skips) every member.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        skip_map(map)?;
        Ok(None)
    }
}

impl Lenient for String {
    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

impl Lenient for i64 {
    fn from_int(int: Option<i64>) -> Option<Self> {
        int
    }
}

impl Lenient for EventStatus {
    fn from_text(text: &str) -> Option<Self> {
        Some(Self::from_wire(text))
    }
}

impl Lenient for ContractKind {
    fn from_text(text: &str) -> Option<Self> {
        Some(Self::from_wire(text))
    }
}

/// A member read leniently, where a later duplicate key replaces an earlier one (as the
/// `Value` map did). `Bad` marks a present member of the wrong shape, for types whose field
/// is not itself optional (`Person::name`).
enum Member<T> {
    Absent,
    Bad,
    Good(T),
}

impl<T> Member<T> {
    fn set(&mut self, value: Option<T>) {
        *self = value.map_or(Self::Bad, Self::Good);
    }
    fn optional(self) -> Option<T> {
        match self {
            Self::Good(value) => Some(value),
            Self::Absent | Self::Bad => None,
        }
    }
}

/// Reads the members of an object: `read(key, map)` reads the value of a known key and
/// returns true, or returns false and the value is skipped.
fn read_members<'de, A, F>(mut map: A, mut read: F) -> std::result::Result<(), A::Error>
where
    A: MapAccess<'de>,
    F: FnMut(&str, &mut A) -> std::result::Result<bool, A::Error>,
{
    while let Some(MemberKey(key)) = map.next_key()? {
        if !read(&key, &mut map)? {
            map.next_value::<DeepSkip>()?;
        }
    }
    Ok(())
}

fn lenient_value<'de, A: MapAccess<'de>, T: Lenient>(
    map: &mut A,
) -> std::result::Result<Option<T>, A::Error> {
    map.next_value_seed(LenientSeed::<T>(PhantomData))
}

fn lenient_list<'de, A: MapAccess<'de>, T: Lenient>(
    map: &mut A,
) -> std::result::Result<Vec<T>, A::Error> {
    struct ListSeed<T>(PhantomData<T>);
    impl<'de, T: Lenient> DeserializeSeed<'de> for ListSeed<T> {
        type Value = Vec<T>;
        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> std::result::Result<Vec<T>, D::Error> {
            de_lenient_vec(deserializer)
        }
    }
    map.next_value_seed(ListSeed::<T>(PhantomData))
}

impl Lenient for Person {
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        // `name` defaults to "" when absent, but a present non-string makes the whole
        // person unreadable (as deserialising the buffered value did).
        let mut name = Member::Absent;
        let mut email = Member::Absent;
        read_members(map, |key, map| {
            match key {
                "name" => name.set(lenient_value::<_, String>(map)?),
                "email" => email.set(lenient_value(map)?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(match name {
            Member::Bad => None,
            Member::Absent => Some(String::new()),
            Member::Good(name) => Some(name),
        }
        .map(|name| Person {
            name,
            email: email.optional(),
        }))
    }
}

impl Lenient for Counterparty {
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        let mut kind = Member::Absent;
        let mut organization_name = Member::Absent;
        let mut poc_name = Member::Absent;
        let mut poc_email = Member::Absent;
        let mut counterparty_id = Member::Absent;
        read_members(map, |key, map| {
            match key {
                "type" => kind.set(lenient_value(map)?),
                "organization_name" | "organizationName" => {
                    organization_name.set(lenient_value(map)?)
                }
                "poc_name" | "pocName" => poc_name.set(lenient_value(map)?),
                "poc_email" | "pocEmail" => poc_email.set(lenient_value(map)?),
                "counterparty_id" | "counterpartyId" => counterparty_id.set(lenient_value(map)?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Some(Counterparty {
            kind: kind.optional(),
            organization_name: organization_name.optional(),
            poc_name: poc_name.optional(),
            poc_email: poc_email.optional(),
            counterparty_id: counterparty_id.optional(),
        }))
    }
}

impl Lenient for Entity {
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        let mut reference_id = Member::Absent;
        let mut name = Member::Absent;
        let mut jurisdiction = Member::Absent;
        let mut kind = Member::Absent;
        read_members(map, |key, map| {
            match key {
                "reference_id" | "referenceId" => reference_id.set(lenient_value(map)?),
                "name" => name.set(lenient_value(map)?),
                "jurisdiction" => jurisdiction.set(lenient_value(map)?),
                "type" => kind.set(lenient_value(map)?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Some(Entity {
            reference_id: reference_id.optional(),
            name: name.optional(),
            jurisdiction: jurisdiction.optional(),
            kind: kind.optional(),
        }))
    }
}

impl Lenient for EmailRecipients {
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        let mut to_recipients = Vec::new();
        let mut cc_recipients = Vec::new();
        read_members(map, |key, map| {
            match key {
                "to_recipients" | "toRecipients" => to_recipients = lenient_list(map)?,
                "cc_recipients" | "ccRecipients" => cc_recipients = lenient_list(map)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Some(EmailRecipients {
            to_recipients,
            cc_recipients,
        }))
    }
}

impl Lenient for EmailEventData {
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> std::result::Result<Option<Self>, A::Error> {
        let mut recipient_email = Member::Absent;
        let mut email_mode = Member::Absent;
        let mut occured_at = Member::Absent;
        read_members(map, |key, map| {
            match key {
                "recipient_email" | "recipientEmail" => recipient_email.set(lenient_value(map)?),
                "email_mode" | "emailMode" => email_mode.set(lenient_value(map)?),
                "occured_at" | "occuredAt" => occured_at.set(lenient_value(map)?),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Some(EmailEventData {
            recipient_email: recipient_email.optional(),
            email_mode: email_mode.optional(),
            occured_at: occured_at.optional(),
        }))
    }
}

/// [`Lenient`] as a seed, for list items and object members.
struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Option<T>, D::Error> {
        de_lenient(deserializer)
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for LenientVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Option<T>, E> {
        Ok(T::from_int(Some(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Option<T>, E> {
        Ok(T::from_int(i64::try_from(v).ok()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Option<T>, E> {
        // A float is never an integer field's value (`135.0` was refused before too).
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Option<T>, E> {
        Ok(T::from_text(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> std::result::Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Option<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Option<T>, A::Error> {
        skip_seq(seq)?;
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<Option<T>, A::Error> {
        T::from_map(map)
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct MemberKey<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for MemberKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = MemberKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> std::result::Result<MemberKey<'de>, E> {
                Ok(MemberKey(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<MemberKey<'de>, E> {
                Ok(MemberKey(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Skips any value while counting nesting, so a hostile value nested past serde_json's
/// recursion limit is refused as it was when every lenient field was buffered as a `Value`
/// (`IgnoredAny` skips without that limit).
struct DeepSkip;

impl<'de> Deserialize<'de> for DeepSkip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct SkipVisitor;
        impl<'de> Visitor<'de> for SkipVisitor {
            type Value = DeepSkip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_none<E: de::Error>(self) -> std::result::Result<DeepSkip, E> {
                Ok(DeepSkip)
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> std::result::Result<DeepSkip, D::Error> {
                deserializer.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                seq: A,
            ) -> std::result::Result<DeepSkip, A::Error> {
                skip_seq(seq)?;
                Ok(DeepSkip)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<DeepSkip, A::Error> {
                skip_map(map)?;
                Ok(DeepSkip)
            }
        }
        deserializer.deserialize_any(SkipVisitor)
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> std::result::Result<(), A::Error> {
    while seq.next_element::<DeepSkip>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> std::result::Result<(), A::Error> {
    while map.next_key::<de::IgnoredAny>()?.is_some() {
        map.next_value::<DeepSkip>()?;
    }
    Ok(())
}

/// Largest integer a JS number holds exactly; ids beyond it would be silently rounded in JS.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

fn de_contract_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<u64, D::Error> {
    struct IdVisitor;
    const EXPECTED: &str = "a positive integer (SpotDraft's numeric contract id)";
    impl Visitor<'_> for IdVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(EXPECTED)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<u64, E> {
            if v == 0 || v > MAX_SAFE_INTEGER {
                return Err(E::custom(format!(
                    "contract_id {v} is out of range; expected {EXPECTED}"
                )));
            }
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("contract_id {v} is negative; expected {EXPECTED}")))
                .and_then(|v| self.visit_u64(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<u64, E> {
            // JS numbers arrive as f64 through serde-wasm-bindgen.
            if v.fract() == 0.0 && v >= 1.0 && v <= MAX_SAFE_INTEGER as f64 {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                return Ok(v as u64);
            }
            Err(E::custom(format!("contract_id {v} is not {EXPECTED}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<u64, E> {
            // The spec is inconsistent about string vs. integer ids elsewhere; accept digits.
            if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(E::custom(format!(
                    "contract_id is a string that is not {EXPECTED}"
                )));
            }
            v.parse::<u64>()
                .map_err(E::custom)
                .and_then(|v| self.visit_u64(v))
        }
    }
    deserializer.deserialize_any(IdVisitor)
}

fn de_external_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    struct ExternalIdVisitor;
    impl Visitor<'_> for ExternalIdVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer (the source system's record id)")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
            if v.fract() == 0.0 && v.abs() <= MAX_SAFE_INTEGER as f64 {
                #[allow(clippy::cast_possible_truncation)]
                return Ok(Some((v as i64).to_string()));
            }
            Err(E::custom(
                "external_metadata.id is a fractional number; it must be a string or an integer",
            ))
        }
        fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(ExternalIdVisitor)
}

fn payload_error(path: &str, detail_code: &str, message: String) -> Error {
    Error::new(ErrorCode::WebhookPayloadInvalid, message.clone()).with_details([ErrorDetail::new(
        path,
        detail_code,
        message,
    )])
}

/// What to do after a parse failure, appended to every message.
const WHAT_TO_DO: &str = "Respond 400 (SpotDraft's retry will not fix the body) and let \
    reconciliation repair the record; if this keeps happening, check that your framework hands \
    over the raw body unmodified.";

/// Parses a raw webhook body with the default size limit. See [`parse_webhook_event_with`].
///
/// # Errors
/// As [`parse_webhook_event_with`].
pub fn parse_webhook_event(raw_body: &[u8]) -> Result<WebhookEvent> {
    parse_webhook_event_with(raw_body, DEFAULT_MAX_BODY_BYTES)
}

/// Parses a raw webhook body (UTF-8 JSON object) into a [`WebhookEvent`].
///
/// Call it on the bytes [`super::verify_webhook`] accepted. Does NOT verify anything itself.
///
/// # Errors
/// `WEBHOOK_PAYLOAD_INVALID`, with a detail whose code says why (`EMPTY_BODY`,
/// `BODY_TOO_LARGE`, `NOT_UTF8`, `NOT_A_JSON_OBJECT`, `TRUNCATED`, `INVALID_JSON`,
/// `INVALID_FIELD`) and whose path names the field when one is at fault.
pub(crate) fn parse_webhook_event_with(
    raw_body: &[u8],
    max_body_bytes: usize,
) -> Result<WebhookEvent> {
    check_body_size(raw_body, max_body_bytes)?;
    let text = std::str::from_utf8(raw_body).map_err(|e| {
        payload_error(
            "rawBody",
            "NOT_UTF8",
            format!(
                "The webhook body is not UTF-8 (invalid byte at offset {}); SpotDraft sends UTF-8 \
                 JSON. If you converted the body to a string yourself, pass the original bytes. \
                 {WHAT_TO_DO}",
                e.valid_up_to()
            ),
        )
    })?;
    if !text.trim_start().starts_with('{') {
        return Err(payload_error(
            "rawBody",
            "NOT_A_JSON_OBJECT",
            format!(
                "The webhook body is not a JSON object (it must start with '{{'). {WHAT_TO_DO}"
            ),
        ));
    }
    // Parsed into a tree, then read from it with the failing path (`core::tracked`): one
    // event deserialiser in the module. Trailing text: path `.`.
    crate::core::tracked::from_whole_str(text).map_err(|e| classify(e.path, e.error))
}

fn classify(path: String, error: serde_json::Error) -> Error {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        Category::Eof => payload_error(
            "rawBody",
            "TRUNCATED",
            format!(
                "The webhook body ends early ({at}): it was truncated. Check body-size limits in \
                 your proxy or framework. {WHAT_TO_DO}"
            ),
        ),
        Category::Syntax | Category::Io => payload_error(
            "rawBody",
            "INVALID_JSON",
            format!("The webhook body is not valid JSON ({error}). {WHAT_TO_DO}"),
        ),
        Category::Data => {
            let path = if path == "." {
                "rawBody".to_owned()
            } else {
                path
            };
            // serde's message names the expected type, never a value of the body.
            let reason = error.to_string();
            let reason = reason.split(" at line ").next().unwrap_or_default();
            payload_error(
                &path,
                "INVALID_FIELD",
                format!("The webhook event's `{path}` is invalid: {reason}. {WHAT_TO_DO}"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::webhook::activity::WebhookActivity as A;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn spec_examples() -> serde_json::Map<String, Value> {
        let text = include_str!("../../../tests/fixtures/webhooks/spec-examples.json");
        serde_json::from_str(text).unwrap()
    }

    fn parse_value(value: &Value) -> Result<WebhookEvent> {
        parse_webhook_event(&serde_json::to_vec(value).unwrap())
    }

    fn detail(error: &Error) -> (&str, &str) {
        (
            error.details[0].path.as_str(),
            error.details[0].code.as_str(),
        )
    }

    #[test]
    fn parses_every_spec_example() {
        let examples = spec_examples();
        assert_eq!(examples.len(), 13);
        for (name, example) in &examples {
            let event = parse_value(example).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.activity.as_str(), name);
            assert!(event.activity.is_known());
            // SpotDraft's declined sample uses another contract (193).
            assert!([19589, 193].contains(&event.contract_id), "{name}");
            assert!(event.known_status().is_some(), "{name}");
            assert!(
                !event.business_user.as_ref().unwrap().name.is_empty(),
                "{name}"
            );
        }
        let executed = parse_value(&examples["CONTRACT_EXECUTED"]).unwrap();
        assert_eq!(executed.activity, A::ContractExecuted);
        assert_eq!(executed.known_status(), Some(ContractStatus::Executed));
        assert_eq!(
            executed.contract_kind,
            Some(ContractKind::ThirdPartyContract)
        );
        assert_eq!(
            executed.activity_data.timestamp.raw(),
            "2021-08-22T03:53:52.201442Z"
        );
        assert_eq!(executed.occurred_at().unix_micros(), 1_629_604_432_201_442);
        assert_eq!(
            executed.dedupe_key(),
            "2021-08-22T03:53:52.201442Z|19589|CONTRACT_EXECUTED"
        );
        let sent = parse_value(&examples["CONTRACT_SENT_TO_COUNTERPARTY"]).unwrap();
        let recipients = sent.activity_data.counterparty_email_recipients.unwrap();
        assert_eq!(recipients.to_recipients, ["rohith+test@spotdraft.com"]);
        let opened = parse_value(&examples["REDLINING_EMAIL_OPENED"]).unwrap();
        assert_eq!(
            opened
                .activity_data
                .email_event_data
                .unwrap()
                .email_mode
                .as_deref(),
            Some("cc")
        );
    }

    #[test]
    fn serialises_camel_case_and_reads_it_back() {
        let example = &spec_examples()["CONTRACT_SENT_TO_COUNTERPARTY"];
        let event = parse_value(example).unwrap();
        let back = serde_json::to_value(&event).unwrap();
        assert_eq!(
            back["activityData"]["timestamp"],
            example["activity_data"]["timestamp"]
        );
        assert_eq!(back["contractId"], 19589);
        assert!(back.get("contract_id").is_none());
        assert_eq!(back["counterparties"][0]["type"], "Organization");
        let again: WebhookEvent = serde_json::from_value(back).unwrap();
        assert_eq!(again, event);
    }

    fn minimal() -> Value {
        json!({
            "activity": "CONTRACT_SIGNED",
            "contract_id": 42,
            "activity_data": {"timestamp": "2024-05-01T10:00:00.5+02:00"}
        })
    }

    #[test]
    fn is_lenient_to_unknown_activities_statuses_kinds_and_fields() {
        let mut value = minimal();
        value["activity"] = json!("CONTRACT_TELEPORTED");
        value["contract_status"] = json!("ARCHIVED");
        value["contract_kind"] = json!("HOLOGRAM_CONTRACT");
        value["brand_new_field"] = json!({"nested": [1, 2]});
        value["business_user"] = json!("not an object");
        value["counterparties"] = json!([{"type": "Organization", "organization_name": "Acme"}, 7]);
        value["contract_type_id"] = json!("135");
        let event = parse_value(&value).unwrap();
        assert_eq!(event.activity, A::Unknown("CONTRACT_TELEPORTED".into()));
        assert_eq!(
            event.contract_status,
            Some(EventStatus::Unknown("ARCHIVED".into()))
        );
        assert_eq!(event.known_status(), None);
        assert_eq!(event.contract_kind.unwrap().as_str(), "HOLOGRAM_CONTRACT");
        assert_eq!(event.business_user, None);
        assert_eq!(event.counterparties.len(), 1);
        assert_eq!(event.contract_type_id, None);
        let bare = parse_value(&minimal()).unwrap();
        assert_eq!(bare.contract_status, None);
        assert_eq!(
            bare.occurred_at().to_rfc3339(),
            "2024-05-01T08:00:00.500000Z"
        );
    }

    #[test]
    fn external_id_is_always_a_string() {
        for (id, expected) in [
            (json!("hubspot-deal-10024"), Some("hubspot-deal-10024")),
            (json!(10024), Some("10024")),
            (json!(-3), Some("-3")),
            (json!(null), None),
            (json!(""), None),
        ] {
            let mut value = minimal();
            value["external_metadata"] =
                json!({"id": id, "integration_name": "HubSpot", "record_data": {"a": 1}});
            let event = parse_value(&value).unwrap();
            assert_eq!(event.external_id(), expected, "{id}");
        }
        let mut value = minimal();
        value["external_metadata"] = json!({"integration_name": "HubSpot"});
        assert_eq!(parse_value(&value).unwrap().external_id(), None);
        value["external_metadata"] = json!({"id": 1.5});
        let error = parse_value(&value).unwrap_err();
        assert_eq!(detail(&error), ("external_metadata.id", "INVALID_FIELD"));
        value["external_metadata"] = json!({"id": {"nested": true}});
        assert!(parse_value(&value).is_err());
    }

    #[test]
    fn contract_id_must_be_a_positive_integer_or_digit_string() {
        for (id, ok) in [
            (json!(19589), Some(19589u64)),
            (json!("19589"), Some(19589)),
            (json!(0), None),
            (json!(-1), None),
            (json!(1.5), None),
            (json!("T-19589"), None),
            (json!(""), None),
            (json!(9_007_199_254_740_993u64), None),
            (json!(null), None),
        ] {
            let mut value = minimal();
            value["contract_id"] = id.clone();
            match (parse_value(&value), ok) {
                (Ok(event), Some(expected)) => assert_eq!(event.contract_id, expected),
                (Err(error), None) => {
                    assert_eq!(detail(&error), ("contract_id", "INVALID_FIELD"), "{id}")
                }
                (other, _) => panic!("{id}: {other:?}"),
            }
        }
    }

    #[test]
    fn required_fields_and_timestamps_are_checked_with_paths() {
        let mut value = minimal();
        value.as_object_mut().unwrap().remove("activity");
        let error = parse_value(&value).unwrap_err();
        assert_eq!(error.code, ErrorCode::WebhookPayloadInvalid);
        assert_eq!(detail(&error), ("rawBody", "INVALID_FIELD"));
        assert!(
            error.message.contains("missing field `activity`"),
            "{}",
            error.message
        );

        let mut value = minimal();
        value["activity_data"]["timestamp"] = json!("22/08/2021");
        let error = parse_value(&value).unwrap_err();
        assert_eq!(detail(&error), ("activity_data.timestamp", "INVALID_FIELD"));
        assert!(error.message.contains("RFC 3339"));
        assert!(error.message.contains("Respond 400"));

        let mut value = minimal();
        value["activity"] = json!(7);
        assert_eq!(
            detail(&parse_value(&value).unwrap_err()),
            ("activity", "INVALID_FIELD")
        );
    }

    #[test]
    fn bad_bodies_get_their_own_detail_codes() {
        let good = serde_json::to_vec(&minimal()).unwrap();
        let code = |body: &[u8]| detail(&parse_webhook_event(body).unwrap_err()).1.to_owned();
        assert_eq!(code(b""), "EMPTY_BODY");
        assert_eq!(code(&good[..good.len() / 2]), "TRUNCATED");
        assert_eq!(code(b"{\"activity\": nope}"), "INVALID_JSON");
        assert_eq!(code(b"[\"CONTRACT_SIGNED\", 42]"), "NOT_A_JSON_OBJECT");
        assert_eq!(
            code(b"activity=CONTRACT_SIGNED&contract_id=42"),
            "NOT_A_JSON_OBJECT"
        );
        assert_eq!(code(b"{\"activity\": \"\xff\xfe\"}"), "NOT_UTF8");
        let mut trailing = good.clone();
        trailing.extend_from_slice(b" {}");
        assert_eq!(code(&trailing), "INVALID_JSON");
        let error = parse_webhook_event_with(&good, 10).unwrap_err();
        assert_eq!(detail(&error).1, "BODY_TOO_LARGE");
        // Deep nesting ends in serde_json's recursion limit (128 levels), not a stack
        // overflow, in a field read as a generic JSON value and, since the body is parsed
        // into a tree before it is read (`core::tracked`), in an unknown field too: no
        // SpotDraft event nests that deep, and the refusal says INVALID_JSON.
        let nest = |field: &str, depth: usize| {
            let inner = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let mut text = String::from_utf8(good.clone()).unwrap();
            text.insert_str(1, &format!("\"{field}\":{inner},"));
            text
        };
        assert_eq!(
            code(nest("unknown_field", 10_000).as_bytes()),
            "INVALID_JSON"
        );
        assert!(parse_webhook_event(nest("unknown_field", 100).as_bytes()).is_ok());
        assert_eq!(
            code(nest("business_user", 10_000).as_bytes()),
            "INVALID_JSON"
        );
    }

    /// `T` read with [`de_lenient`] from JSON text (what the event fields do).
    fn lenient<T: Lenient>(text: &str) -> Option<T> {
        struct W<T>(Option<T>);
        impl<'de, T: Lenient> Deserialize<'de> for W<T> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                de_lenient(d).map(W)
            }
        }
        serde_json::from_str::<W<T>>(text).unwrap().0
    }

    /// What the former `Value` round trip gave: the derived `Deserialize` from a buffered value.
    fn reference<T: serde::de::DeserializeOwned>(value: &Value) -> Option<T> {
        serde_json::from_value(value.clone()).ok()
    }

    /// Checks the streaming lenient read against the `Value` round trip for one value.
    fn same_as_value_round_trip(value: &Value) {
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(
            lenient::<String>(&text),
            reference::<String>(value),
            "{text}"
        );
        assert_eq!(lenient::<i64>(&text), reference::<i64>(value), "{text}");
        assert_eq!(
            lenient::<EventStatus>(&text),
            reference::<EventStatus>(value),
            "{text}"
        );
        assert_eq!(
            lenient::<ContractKind>(&text),
            reference::<ContractKind>(value),
            "{text}"
        );
        // The round trip read an array positionally as a struct; the streaming read does not
        // (documented on `de_lenient`).
        if !value.is_array() {
            assert_eq!(
                lenient::<Person>(&text),
                reference::<Person>(value),
                "{text}"
            );
            assert_eq!(
                lenient::<Counterparty>(&text),
                reference::<Counterparty>(value),
                "{text}"
            );
            assert_eq!(
                lenient::<Entity>(&text),
                reference::<Entity>(value),
                "{text}"
            );
            assert_eq!(
                lenient::<EmailRecipients>(&text),
                reference::<EmailRecipients>(value),
                "{text}"
            );
            assert_eq!(
                lenient::<EmailEventData>(&text),
                reference::<EmailEventData>(value),
                "{text}"
            );
        }
    }

    #[test]
    fn lenient_fields_read_as_the_value_round_trip_did() {
        for value in [
            json!(null),
            json!(true),
            json!(7),
            json!(-7),
            json!(u64::MAX),
            json!(135.0),
            json!("EXECUTED"),
            json!("HOLOGRAM"),
            json!([]),
            json!(["a", 1]),
            json!({}),
            json!({"name": "Ann", "email": "ann@x.example"}),
            json!({"name": null, "email": "ann@x.example"}),
            json!({"name": 5}),
            json!({"email": 5, "other": {"deep": [1, {"x": null}]}}),
            json!({"type": "Organization", "organization_name": 7, "poc_name": "P",
                   "poc_email": ["x"], "counterparty_id": "12"}),
            json!({"counterparty_id": 12, "reference_id": "E-1", "jurisdiction": "India"}),
            json!({"to_recipients": ["a@x", 3, null, "b@x"], "cc_recipients": "c@x"}),
            json!({"recipient_email": "a@x", "email_mode": "cc", "occured_at": 12}),
        ] {
            same_as_value_round_trip(&value);
        }
    }

    #[test]
    fn lenient_objects_keep_the_last_duplicate_key() {
        let person = |text: &str| lenient::<Person>(text);
        assert_eq!(person(r#"{"name": 5, "name": "Bob"}"#).unwrap().name, "Bob");
        assert_eq!(person(r#"{"name": "Bob", "name": 5}"#), None);
        let recipients =
            lenient::<EmailRecipients>(r#"{"to_recipients": ["a@x"], "to_recipients": ["b@x"]}"#)
                .unwrap();
        assert_eq!(recipients.to_recipients, ["b@x"]);
        assert_eq!(lenient::<Person>(r#"["Ann", "ann@x.example"]"#), None);
    }

    #[test]
    fn hostile_nesting_inside_lenient_fields_is_still_refused() {
        // As when each lenient field was buffered as a `Value`: nesting past serde_json's
        // recursion limit inside a descriptive field is INVALID_JSON, wherever it hides.
        let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        for field in [
            format!("\"business_user\": {{\"name\": \"A\", \"x\": {deep}}}"),
            format!("\"counterparties\": [{{\"poc_email\": {deep}}}]"),
            format!("\"entity\": {deep}"),
        ] {
            let good = serde_json::to_string(&minimal()).unwrap();
            let body = format!("{{{field},{}", good.strip_prefix('{').unwrap());
            let error = parse_webhook_event(body.as_bytes()).unwrap_err();
            assert_eq!(detail(&error).1, "INVALID_JSON", "{}", &field[..20]);
        }
    }

    /// Arbitrary small JSON values whose keys are mostly the event's own member names.
    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("name".to_owned()),
            Just("email".to_owned()),
            Just("type".to_owned()),
            Just("organization_name".to_owned()),
            Just("counterparty_id".to_owned()),
            Just("to_recipients".to_owned()),
            Just("email_mode".to_owned()),
            "[a-z]{1,3}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[A-Za-z_@. ]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn lenient_reads_match_the_value_round_trip(value in arbitrary_json()) {
            same_as_value_round_trip(&value);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_webhook_event(&bytes);
        }

        #[test]
        fn arbitrary_truncations_and_mutations_of_an_example_never_panic(
            cut in 0usize..2000, flip in 0usize..2000, byte in any::<u8>()
        ) {
            let mut body = serde_json::to_vec(&spec_examples()["CONTRACT_EXECUTED"]).unwrap();
            let at = flip % body.len();
            if let Some(b) = body.get_mut(at) { *b = byte; }
            body.truncate(cut % (body.len() + 1));
            if let Err(error) = parse_webhook_event(&body) {
                prop_assert_eq!(error.code, ErrorCode::WebhookPayloadInvalid);
            }
        }
    }
}
