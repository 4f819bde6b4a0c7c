//! SpotDraft's webhook vocabularies: the 37 `activity` names and the `contract_kind` names,
//! each with an `Unknown` case so a name SpotDraft adds later is kept, not refused.
//!
//! Wire spellings come from SpotDraft's OpenAPI `OnlyForActivitiesEnum` and
//! `ContractActivityDomainModelContractKindEnum`. No IO.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use tsify::Tsify;

/// Declares a string vocabulary: an enum of known names plus `Unknown(String)`, its wire
/// spelling, a lenient parser and string serde.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Tsify)]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A name this version of the library does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every known name, in SpotDraft's documented order.
            pub const KNOWN: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// Reads a wire name; names not in SpotDraft's list become `Unknown`.
            pub fn from_wire(name: &str) -> Self {
                match name {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// The wire name (for `Unknown`, the name as it was sent).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(name) => name,
                }
            }

            /// Whether this is one of SpotDraft's documented names.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from_wire(&name))
            }
        }
    };
}

vocabulary! {
    /// The `activity` of a webhook delivery (SpotDraft's `OnlyForActivitiesEnum`).
    ///
    /// `CONTRACT_SIGNED` means one signer signed; `CONTRACT_EXECUTED` means all did.
    #[tsify(type = "\"CONTRACT_VERSION_UPLOADED\" | \"CONTRACT_APPROVAL_COMPLETED\" | \"CONTRACT_APPROVAL_REQUESTED\" | \"CONTRACT_CREATED\" | \"CONTRACT_DATA_UPDATED\" | \"CONTRACT_DELETED\" | \"CONTRACT_EXECUTED\" | \"CONTRACT_MARK_FOR_EXECUTION\" | \"CONTRACT_SENT_TO_COUNTERPARTY\" | \"CONTRACT_SIGNATURE_DECLINED\" | \"CONTRACT_SIGNATURE_REQUESTED\" | \"CONTRACT_SIGNED\" | \"CONTRACT_UNMARK_FOR_EXECUTION\" | \"POSTMARK_EMAIL_EVENT\" | \"CONTRACT_KEY_POINTER_UPDATION\" | \"CONTRACT_KEY_POINTER_CREATION\" | \"SIGNING_EMAIL_DELIVERED\" | \"SIGNING_EMAIL_OPENED\" | \"SIGNING_EMAIL_NOT_DELIVERED\" | \"SIGNING_EMAIL_LINK_CLICKED\" | \"REDLINING_EMAIL_DELIVERED\" | \"REDLINING_EMAIL_OPENED\" | \"REDLINING_EMAIL_NOT_DELIVERED\" | \"REDLINING_EMAIL_LINK_CLICKED\" | \"CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT\" | \"COUNTER_PARTY_CREATED\" | \"COUNTER_PARTY_UPDATED\" | \"COUNTER_PARTY_CONTACT_CREATED\" | \"COUNTER_PARTY_CONTACT_UPDATED\" | \"COUNTER_PARTY_ADDRESS_CREATED\" | \"COUNTER_PARTY_ADDRESS_UPDATED\" | \"CONTRACT_ACTIVITY_LOG_COMMENT_CREATED\" | \"CONTRACT_VOIDED\" | \"CONTRACT_PROCESS_METRIC_UPDATED\" | \"CONTRACT_EXTERNAL_METADATA_CREATED\" | \"CONTRACT_EXTERNAL_METADATA_UPDATED\" | \"CONTRACT_ENTITY_UPDATED\" | (string & {})")]
    WebhookActivity {
        /// A new version of the contract document was uploaded.
        ContractVersionUploaded = "CONTRACT_VERSION_UPLOADED",
        /// An approval completed.
        ContractApprovalCompleted = "CONTRACT_APPROVAL_COMPLETED",
        /// An approval was requested.
        ContractApprovalRequested = "CONTRACT_APPROVAL_REQUESTED",
        /// The contract was created.
        ContractCreated = "CONTRACT_CREATED",
        /// The contract's data (`contract_data`) changed.
        ContractDataUpdated = "CONTRACT_DATA_UPDATED",
        /// The contract was deleted.
        ContractDeleted = "CONTRACT_DELETED",
        /// Every party signed: the contract is executed.
        ContractExecuted = "CONTRACT_EXECUTED",
        /// The contract was marked ready for execution.
        ContractMarkForExecution = "CONTRACT_MARK_FOR_EXECUTION",
        /// The contract was sent to the counterparty.
        ContractSentToCounterparty = "CONTRACT_SENT_TO_COUNTERPARTY",
        /// A signer declined to sign.
        ContractSignatureDeclined = "CONTRACT_SIGNATURE_DECLINED",
        /// Signatures were requested.
        ContractSignatureRequested = "CONTRACT_SIGNATURE_REQUESTED",
        /// One signer signed.
        ContractSigned = "CONTRACT_SIGNED",
        /// The contract was unmarked for execution.
        ContractUnmarkForExecution = "CONTRACT_UNMARK_FOR_EXECUTION",
        /// An email event from SpotDraft's mail provider.
        PostmarkEmailEvent = "POSTMARK_EMAIL_EVENT",
        /// A key pointer (metadata value) changed.
        ContractKeyPointerUpdation = "CONTRACT_KEY_POINTER_UPDATION",
        /// A key pointer (metadata value) was created.
        ContractKeyPointerCreation = "CONTRACT_KEY_POINTER_CREATION",
        /// A signing email was delivered.
        SigningEmailDelivered = "SIGNING_EMAIL_DELIVERED",
        /// A signing email was opened.
        SigningEmailOpened = "SIGNING_EMAIL_OPENED",
        /// A signing email could not be delivered.
        SigningEmailNotDelivered = "SIGNING_EMAIL_NOT_DELIVERED",
        /// A link in a signing email was clicked.
        SigningEmailLinkClicked = "SIGNING_EMAIL_LINK_CLICKED",
        /// A redlining email was delivered.
        RedliningEmailDelivered = "REDLINING_EMAIL_DELIVERED",
        /// A redlining email was opened.
        RedliningEmailOpened = "REDLINING_EMAIL_OPENED",
        /// A redlining email could not be delivered.
        RedliningEmailNotDelivered = "REDLINING_EMAIL_NOT_DELIVERED",
        /// A link in a redlining email was clicked.
        RedliningEmailLinkClicked = "REDLINING_EMAIL_LINK_CLICKED",
        /// A signer was notified of a signature request.
        ContractSignatureRequestedNotificationSent = "CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT",
        /// A counterparty was created.
        CounterPartyCreated = "COUNTER_PARTY_CREATED",
        /// A counterparty was updated.
        CounterPartyUpdated = "COUNTER_PARTY_UPDATED",
        /// A counterparty contact was created.
        CounterPartyContactCreated = "COUNTER_PARTY_CONTACT_CREATED",
        /// A counterparty contact was updated.
        CounterPartyContactUpdated = "COUNTER_PARTY_CONTACT_UPDATED",
        /// A counterparty address was created.
        CounterPartyAddressCreated = "COUNTER_PARTY_ADDRESS_CREATED",
        /// A counterparty address was updated.
        CounterPartyAddressUpdated = "COUNTER_PARTY_ADDRESS_UPDATED",
        /// A comment was added to the activity log.
        ContractActivityLogCommentCreated = "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED",
        /// The contract was voided.
        ContractVoided = "CONTRACT_VOIDED",
        /// A process metric changed.
        ContractProcessMetricUpdated = "CONTRACT_PROCESS_METRIC_UPDATED",
        /// External metadata was set.
        ContractExternalMetadataCreated = "CONTRACT_EXTERNAL_METADATA_CREATED",
        /// External metadata changed.
        ContractExternalMetadataUpdated = "CONTRACT_EXTERNAL_METADATA_UPDATED",
        /// The contract's entity changed.
        ContractEntityUpdated = "CONTRACT_ENTITY_UPDATED",
    }
}

vocabulary! {
    /// The workflow kind of a contract (`contract_kind`).
    #[tsify(type = "\"TEMPLATE_CONTRACT\" | \"EDITED_TEMPLATE_CONTRACT\" | \"THIRD_PARTY_CONTRACT\" | \"SIGN_CONTRACT\" | \"EXECUTED_CONTRACT\" | \"EXPRESS_TEMPLATE_CONTRACT\" | \"CLICKWRAP_CONTRACT\" | \"HISTORICAL_CLICKWRAP_CONTRACT\" | (string & {})")]
    ContractKind {
        /// Generated from a template.
        TemplateContract = "TEMPLATE_CONTRACT",
        /// Generated from a template, then edited.
        EditedTemplateContract = "EDITED_TEMPLATE_CONTRACT",
        /// The counterparty's paper.
        ThirdPartyContract = "THIRD_PARTY_CONTRACT",
        /// Uploaded for signature only.
        SignContract = "SIGN_CONTRACT",
        /// Uploaded already executed.
        ExecutedContract = "EXECUTED_CONTRACT",
        /// An express template contract.
        ExpressTemplateContract = "EXPRESS_TEMPLATE_CONTRACT",
        /// A clickwrap acceptance.
        ClickwrapContract = "CLICKWRAP_CONTRACT",
        /// An imported clickwrap acceptance.
        HistoricalClickwrapContract = "HISTORICAL_CLICKWRAP_CONTRACT",
    }
}

impl ContractKind {
    /// Whether the contract is known to have a `T-` composite id.
    ///
    /// SpotDraft documents `T-` for template/workflow and third-party contracts and `H-` for
    /// historical (imported executed) ones, but not how `contract_kind` maps to the prefix.
    /// Only the kinds that are clearly workflow contracts answer `true`; for the rest (and
    /// unknown kinds) the prefix is not guessed: a wrong guess would address a different
    /// contract.
    pub fn has_template_prefix(&self) -> bool {
        matches!(
            self,
            Self::TemplateContract
                | Self::EditedTemplateContract
                | Self::ThirdPartyContract
                | Self::SignContract
                | Self::ExpressTemplateContract
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SpotDraft's `OnlyForActivitiesEnum`, copied from the OpenAPI document.
    const SPEC_ACTIVITIES: &str = "CONTRACT_VERSION_UPLOADED CONTRACT_APPROVAL_COMPLETED \
        CONTRACT_APPROVAL_REQUESTED CONTRACT_CREATED CONTRACT_DATA_UPDATED CONTRACT_DELETED \
        CONTRACT_EXECUTED CONTRACT_MARK_FOR_EXECUTION CONTRACT_SENT_TO_COUNTERPARTY \
        CONTRACT_SIGNATURE_DECLINED CONTRACT_SIGNATURE_REQUESTED CONTRACT_SIGNED \
        CONTRACT_UNMARK_FOR_EXECUTION POSTMARK_EMAIL_EVENT CONTRACT_KEY_POINTER_UPDATION \
        CONTRACT_KEY_POINTER_CREATION SIGNING_EMAIL_DELIVERED SIGNING_EMAIL_OPENED \
        SIGNING_EMAIL_NOT_DELIVERED SIGNING_EMAIL_LINK_CLICKED REDLINING_EMAIL_DELIVERED \
        REDLINING_EMAIL_OPENED REDLINING_EMAIL_NOT_DELIVERED REDLINING_EMAIL_LINK_CLICKED \
        CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT COUNTER_PARTY_CREATED \
        COUNTER_PARTY_UPDATED COUNTER_PARTY_CONTACT_CREATED COUNTER_PARTY_CONTACT_UPDATED \
        COUNTER_PARTY_ADDRESS_CREATED COUNTER_PARTY_ADDRESS_UPDATED \
        CONTRACT_ACTIVITY_LOG_COMMENT_CREATED CONTRACT_VOIDED CONTRACT_PROCESS_METRIC_UPDATED \
        CONTRACT_EXTERNAL_METADATA_CREATED CONTRACT_EXTERNAL_METADATA_UPDATED \
        CONTRACT_ENTITY_UPDATED";

    #[test]
    fn knows_exactly_the_37_documented_activities_in_order() {
        let spec: Vec<&str> = SPEC_ACTIVITIES.split_whitespace().collect();
        assert_eq!(spec.len(), 37);
        let ours: Vec<&str> = WebhookActivity::KNOWN
            .iter()
            .map(WebhookActivity::as_str)
            .collect();
        assert_eq!(ours, spec);
        for name in spec {
            let activity = WebhookActivity::from_wire(name);
            assert!(activity.is_known(), "{name}");
            assert_eq!(
                serde_json::to_string(&activity).unwrap(),
                format!("\"{name}\"")
            );
        }
    }

    #[test]
    fn generated_typescript_lists_every_known_name() {
        for activity in WebhookActivity::KNOWN {
            assert!(
                WebhookActivity::DECL.contains(&format!("\"{activity}\"")),
                "{activity}"
            );
        }
        for kind in ContractKind::KNOWN {
            assert!(
                ContractKind::DECL.contains(&format!("\"{kind}\"")),
                "{kind}"
            );
        }
        assert_eq!(WebhookActivity::DECL.matches(" | ").count(), 37);
    }

    #[test]
    fn unknown_names_are_kept_verbatim() {
        let parsed: WebhookActivity = serde_json::from_str("\"CONTRACT_TELEPORTED\"").unwrap();
        assert_eq!(
            parsed,
            WebhookActivity::Unknown("CONTRACT_TELEPORTED".into())
        );
        assert!(!parsed.is_known());
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            "\"CONTRACT_TELEPORTED\""
        );
        // SpotDraft's own sample misspells one kind; it is kept rather than refused.
        let kind: ContractKind = serde_json::from_str("\"EXPRESS_TEMPLATE\"").unwrap();
        assert_eq!(kind.as_str(), "EXPRESS_TEMPLATE");
        assert!(!kind.has_template_prefix());
        assert!(serde_json::from_str::<WebhookActivity>("12").is_err());
    }
}
