//! Lenient reading of SpotDraft's contract ids, which its documents type inconsistently:
//! the composite id may arrive as `"T-1234"` or as the bare integer `1234` (by_external_metadata
//! types it as an integer), and `contract_id` as an integer or a numeric string.

use crate::core::ids::CompositeId;
use serde::Deserialize;
use serde_json::Value;

/// A composite id from `id` (string or integer), falling back to `contract_id` whenever
/// `id` is absent, `null` or unusable (a malformed string, a negative or fractional number).
///
/// An integer becomes `T-<n>`: inferred from every documented example (template and
/// third-party contracts), not stated by SpotDraft. Does not check that `id` and
/// `contract_id` agree when both are usable; `id` wins.
pub(crate) fn composite_from(id: &Value, contract_id: Option<u64>) -> Option<CompositeId> {
    let from_id = match id {
        Value::String(s) => CompositeId::parse(s)
            .ok()
            .or_else(|| s.parse::<u64>().ok().map(CompositeId::template)),
        Value::Number(n) => n.as_u64().map(CompositeId::template),
        _ => None,
    };
    from_id.or_else(|| contract_id.map(CompositeId::template))
}

/// A numeric id given as an integer or a numeric string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum LenientU64 {
    /// `1234`
    Number(u64),
    /// `"1234"`
    #[serde(deserialize_with = "numeric_string")]
    Text(u64),
}

impl LenientU64 {
    /// The value.
    pub(crate) fn get(self) -> u64 {
        match self {
            Self::Number(n) | Self::Text(n) => n,
        }
    }
}

fn numeric_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let s = String::deserialize(d)?;
    s.trim().parse().map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_ids_in_every_documented_form() {
        assert_eq!(
            composite_from(&json!("T-12"), None).unwrap().as_str(),
            "T-12"
        );
        assert_eq!(composite_from(&json!("H-3"), None).unwrap().as_str(), "H-3");
        assert_eq!(composite_from(&json!(12), None).unwrap().as_str(), "T-12");
        assert_eq!(composite_from(&json!("12"), None).unwrap().as_str(), "T-12");
        assert_eq!(
            composite_from(&Value::Null, Some(7)).unwrap().as_str(),
            "T-7"
        );
        assert!(composite_from(&json!("../x"), None).is_none());
        let n: LenientU64 = serde_json::from_str("\"42\"").unwrap();
        assert_eq!(n.get(), 42);
    }
}
