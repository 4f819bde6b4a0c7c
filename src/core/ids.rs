//! Typed identifiers: SpotDraft's composite contract ids (`T-123`, `H-123`) and numeric ids.
//!
//! A [`CompositeId`] can only be built by parsing, so a value of that type is always safe to
//! place in a URL path: it is `T-` or `H-` followed by ASCII digits, nothing else.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest digit run accepted after the prefix; SpotDraft's ids are integers, so 19 digits
/// (an i64) is already more than any real id.
const MAX_ID_DIGITS: usize = 19;

/// Which kind of contract a composite id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractKindPrefix {
    /// `T-`: a template, workflow or third-party contract.
    Template,
    /// `H-`: a historical (imported, executed) contract.
    Historical,
}

/// A validated SpotDraft composite contract id such as `T-1234`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompositeId(String);

impl CompositeId {
    /// Parses a composite id, naming `argument` in the error.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` unless `value` is `T-` or `H-` followed by 1–19 ASCII digits
    /// (so `""`, `"../T-1"`, `"T-1/x"`, `"t-1"` and `"T-"` are all refused).
    pub fn parse_arg(argument: &str, value: &str) -> Result<Self> {
        let refuse = |why: &str| {
            Error::invalid_argument(
                argument,
                format!(
                    "{why}; expected a SpotDraft composite id such as \"T-1234\" (template \
                     contract) or \"H-1234\" (historical contract), as returned by createContract"
                ),
            )
        };
        if value.is_empty() {
            return Err(refuse("the composite id is empty"));
        }
        let digits = value
            .strip_prefix("T-")
            .or_else(|| value.strip_prefix("H-"))
            .ok_or_else(|| refuse("the composite id must start with \"T-\" or \"H-\""))?;
        if digits.is_empty() || digits.len() > MAX_ID_DIGITS {
            return Err(refuse(
                "the composite id must have 1 to 19 digits after its prefix",
            ));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refuse(
                "the composite id may contain only digits after its prefix",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// Parses a composite id (argument name `id`).
    ///
    /// # Errors
    /// As [`CompositeId::parse_arg`].
    pub fn parse(value: &str) -> Result<Self> {
        Self::parse_arg("id", value)
    }

    /// The composite id of a template contract with numeric id `contract_id` (`T-<n>`).
    ///
    /// SpotDraft's webhooks carry only the integer id; that the composite is `"T-" + id` for
    /// template and third-party contracts is inferred from every documented example, not
    /// stated by SpotDraft.
    pub fn template(contract_id: u64) -> Self {
        Self(format!("T-{contract_id}"))
    }

    /// The id as SpotDraft spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Which kind of contract the prefix names.
    pub fn kind(&self) -> ContractKindPrefix {
        if self.0.starts_with('H') {
            ContractKindPrefix::Historical
        } else {
            ContractKindPrefix::Template
        }
    }

    /// The numeric part, when it fits a `u64`.
    pub fn number(&self) -> Option<u64> {
        self.0.get(2..).and_then(|digits| digits.parse().ok())
    }
}

impl TryFrom<String> for CompositeId {
    type Error = Error;

    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<CompositeId> for String {
    fn from(id: CompositeId) -> Self {
        id.0
    }
}

impl fmt::Display for CompositeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use proptest::prelude::*;

    #[test]
    fn accepts_template_and_historical_ids() {
        let t = CompositeId::parse("T-1234").unwrap();
        assert_eq!(t.as_str(), "T-1234");
        assert_eq!(t.kind(), ContractKindPrefix::Template);
        assert_eq!(t.number(), Some(1234));
        let h = CompositeId::parse("H-7").unwrap();
        assert_eq!(h.kind(), ContractKindPrefix::Historical);
    }

    #[test]
    fn refuses_path_tricks_and_malformed_ids() {
        for bad in [
            "", "T-", "../T-1", "T-1/..", "t-1", "T-1 ", "T-1?x=1", "X-1", "T-١٢", "T--1",
        ] {
            let error = CompositeId::parse_arg("compositeId", bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad:?}");
            assert_eq!(error.details[0].path, "compositeId");
        }
        assert!(CompositeId::parse(&format!("T-{}", "9".repeat(20))).is_err());
    }

    #[test]
    fn template_builds_the_t_prefix() {
        assert_eq!(CompositeId::template(19589).as_str(), "T-19589");
    }

    proptest! {
        #[test]
        fn any_accepted_id_is_path_safe(s in "\\PC{0,24}") {
            if let Ok(id) = CompositeId::parse(&s) {
                prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            }
        }
    }
}
