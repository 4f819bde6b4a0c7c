//! Values of `contract_data` fields, as SpotDraft documents them (§6 of the API notes).
//!
//! [`FieldValue`] is untagged on the wire: a text is a JSON string, a currency is
//! `{"type": "USD", "value": 12000}`. Deserialising tries the shapes from most to least
//! specific (objects with `deny_unknown_fields`), so a currency object never turns into an
//! address. Numbers stay [`serde_json::Number`] so `12000` is written back as `12000`, not
//! `12000.0`. This module does not know which shape a template expects: that is
//! `core::validate`'s job.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;
use tsify::Tsify;

/// Unit of a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DurationUnit {
    /// `DAYS`
    Days,
    /// `MONTHS`
    Months,
    /// `YEARS`
    Years,
}

impl DurationUnit {
    /// The wire name (`"MONTHS"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Days => "DAYS",
            Self::Months => "MONTHS",
            Self::Years => "YEARS",
        }
    }

    /// Parses a wire name, ignoring case and a missing plural `S` (`"month"` → `MONTHS`).
    pub fn parse_loose(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().trim_end_matches('S') {
            "DAY" => Some(Self::Days),
            "MONTH" => Some(Self::Months),
            "YEAR" => Some(Self::Years),
            _ => None,
        }
    }

    /// The conventional length in days of `value` units, for the `days` member when the
    /// source gives none: DAYS → value; YEARS → 365·value; MONTHS → 365 per whole year
    /// plus 30 per remaining month (so 12 → 365 and 6 → 180, SpotDraft's own examples).
    /// Does not know a start date, so it ignores leap years and month lengths. `None` on
    /// overflow.
    pub fn days(self, value: i64) -> Option<i64> {
        match self {
            Self::Days => Some(value),
            Self::Years => value.checked_mul(365),
            Self::Months => {
                let years = value / 12;
                let months = value % 12;
                years.checked_mul(365)?.checked_add(months.checked_mul(30)?)
            }
        }
    }
}

/// `{type: ISO 4217 code, value: number}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Currency {
    /// ISO 4217 code, e.g. `"USD"`.
    #[serde(rename = "type")]
    pub code: String,
    /// Amount.
    #[tsify(type = "number")]
    pub value: Number,
}

/// `{type: DAYS|MONTHS|YEARS, value: int, days: int}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct DurationValue {
    /// Unit of `value`.
    #[serde(rename = "type")]
    pub unit: DurationUnit,
    /// Number of units.
    pub value: i64,
    /// Length in days.
    pub days: i64,
}

/// A postal address inside `contract_data` (all members optional on the wire; a template
/// says which it requires).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line_one: Option<String>,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line_two: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub city: Option<String>,
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
    /// ISO 3166-1 alpha-2 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub country_iso_code: Option<String>,
}

/// `{number, country_code, code}` (from SpotDraft's older key-pointer table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct Phone {
    /// Subscriber number, e.g. `"9999912345"`.
    pub number: String,
    /// ISO country, e.g. `"IN"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub country_code: Option<String>,
    /// Dialling code, e.g. `"+91"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub code: Option<String>,
}

/// `{file_name, content_type}`: a file reference (shape beyond these is UNKNOWN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// File name.
    pub file_name: String,
    /// MIME type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub content_type: Option<String>,
}

/// One option value of a dropdown or multi-select: string or number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum OptionValue {
    /// `"annual_invoice"`
    Text(String),
    /// `1`
    Number(#[tsify(type = "number")] Number),
}

/// A `contract_data` value.
///
/// Dates, date-times and single dropdown values are [`FieldValue::Text`] on the wire; build
/// them with [`FieldValue::date`] so they are well formed. Row objects of a repeating
/// field map field names to values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum FieldValue {
    /// `null` (an optional field left empty).
    Null(#[tsify(type = "null")] ()),
    /// Checkbox.
    Boolean(bool),
    /// Int or float.
    Number(#[tsify(type = "number")] Number),
    /// Text, date `YYYY-MM-DD`, date-time, or one dropdown option value.
    Text(String),
    /// Multi-select option values or array of strings.
    Options(Vec<OptionValue>),
    /// Rows of a repeating field.
    Rows(#[tsify(type = "Record<string, FieldValue>[]")] Vec<BTreeMap<String, FieldValue>>),
    /// `{type, value}`.
    Currency(Currency),
    /// `{type, value, days}`.
    Duration(DurationValue),
    /// `{number, country_code?, code?}`.
    Phone(Phone),
    /// `{file_name, content_type?}`.
    File(FileRef),
    /// Address object.
    Address(Address),
    /// Any other object (kept as is so nothing is lost).
    Object(#[tsify(type = "Record<string, unknown>")] Map<String, Value>),
    /// Any other array (kept as is).
    List(#[tsify(type = "unknown[]")] Vec<Value>),
}

impl FieldValue {
    /// A date value `YYYY-MM-DD`, or `None` unless it is a real calendar date.
    pub fn date(year: u32, month: u32, day: u32) -> Option<Self> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        crate::core::validate::formats::parse_date(&text).map(|_| Self::Text(text))
    }

    /// A currency value; `None` for a non-finite amount.
    pub fn currency(code: impl Into<String>, value: f64) -> Option<Self> {
        Some(Self::Currency(Currency {
            code: code.into(),
            value: number(value)?,
        }))
    }

    /// A duration value with `days` from [`DurationUnit::days`].
    pub fn duration(unit: DurationUnit, value: i64) -> Option<Self> {
        Some(Self::Duration(DurationValue {
            unit,
            value,
            days: unit.days(value)?,
        }))
    }
}

/// A JSON number for `value`: an integer when it is whole (so `12000.0` is written `12000`),
/// `None` when not finite.
pub(crate) fn number(value: f64) -> Option<Number> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        return Some(Number::from(value as i64));
    }
    Number::from_f64(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: Value) -> FieldValue {
        let parsed: FieldValue = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
        parsed
    }

    #[test]
    fn shapes_are_told_apart() {
        assert!(matches!(
            round_trip(json!({"type": "USD", "value": 12000})),
            FieldValue::Currency(_)
        ));
        assert!(matches!(
            round_trip(json!({"type": "MONTHS", "value": 12, "days": 365})),
            FieldValue::Duration(_)
        ));
        assert!(matches!(
            round_trip(json!({"line_one": "350 Fifth Avenue", "city": "New York"})),
            FieldValue::Address(_)
        ));
        assert!(matches!(
            round_trip(json!({"number": "9999912345", "country_code": "IN", "code": "+91"})),
            FieldValue::Phone(_)
        ));
        assert!(matches!(
            round_trip(json!({"file_name": "x.pdf", "content_type": "application/pdf"})),
            FieldValue::File(_)
        ));
        assert!(matches!(
            round_trip(json!(["US", "IN"])),
            FieldValue::Options(_)
        ));
        assert!(matches!(
            round_trip(json!([{"milestone": "Impl", "amount": {"type": "USD", "value": 5000}}])),
            FieldValue::Rows(_)
        ));
        assert!(matches!(
            round_trip(json!({"odd": [1, {"x": null}]})),
            FieldValue::Object(_)
        ));
        assert!(matches!(
            round_trip(json!([true, [1]])),
            FieldValue::List(_)
        ));
        assert!(matches!(round_trip(json!(3.25)), FieldValue::Number(_)));
        assert!(matches!(round_trip(json!(null)), FieldValue::Null(())));
    }

    #[test]
    fn constructors_make_wire_values() {
        assert_eq!(
            serde_json::to_value(FieldValue::currency("USD", 12000.0).unwrap()).unwrap(),
            json!({"type": "USD", "value": 12000})
        );
        assert_eq!(
            serde_json::to_value(FieldValue::duration(DurationUnit::Months, 12).unwrap()).unwrap(),
            json!({"type": "MONTHS", "value": 12, "days": 365})
        );
        assert_eq!(DurationUnit::Months.days(6), Some(180));
        assert_eq!(DurationUnit::Years.days(2), Some(730));
        assert_eq!(DurationUnit::Months.days(i64::MAX), None);
        assert_eq!(
            FieldValue::date(2024, 2, 29),
            Some(FieldValue::Text("2024-02-29".into()))
        );
        assert_eq!(FieldValue::date(2026, 2, 29), None);
        assert_eq!(FieldValue::currency("USD", f64::NAN), None);
        assert_eq!(
            DurationUnit::parse_loose(" month"),
            Some(DurationUnit::Months)
        );
    }
}
