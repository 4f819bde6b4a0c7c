//! Contract display statuses and their order in the lifecycle.
//!
//! `DRAFT → REDLINING → SIGN → EXECUTED`, with `ON_HOLD` (paused) and `VOIDED` (from any
//! state but `EXECUTED`). No IO.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// SpotDraft's `ContractDisplayStatusEnum`, exactly as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContractStatus {
    /// Being drafted (template contracts only).
    Draft,
    /// Shared with the counterparty for review.
    Redlining,
    /// Out for signature.
    Sign,
    /// All parties signed. Terminal.
    Executed,
    /// Paused.
    OnHold,
    /// Voided. Terminal.
    Voided,
}

impl ContractStatus {
    /// Whether no later status can follow (`EXECUTED`, `VOIDED`).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Executed | Self::Voided)
    }

    /// The wire name.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for s in [
            "DRAFT",
            "REDLINING",
            "SIGN",
            "EXECUTED",
            "ON_HOLD",
            "VOIDED",
        ] {
            let status: ContractStatus = serde_json::from_str(&format!("\"{s}\"")).unwrap();
            assert_eq!(status.as_str(), s);
        }
        assert!(serde_json::from_str::<ContractStatus>("\"SIGNED\"").is_err());
    }
}
