//! `GET /api/v2.1/public/contracts/{composite_id}/key_pointers`: a contract's metadata values
//! ("key pointers"), normalized for sync: indexed by `field_name`, each value typed, the raw
//! JSON kept.
//!
//! SpotDraft documents the value as "any JSON" and does not enumerate `data_type` (see
//! `shared/spotdraft-api.md` §5.4, §11.6). So the type is read from `data_type` when it names
//! a known kind *and* the value has a matching shape, otherwise from the value's shape alone;
//! a value that fits nothing becomes `{ kind: "OBJECT" }` with the JSON as sent. One odd value
//! never fails the whole call. Ids and field names are strict: without them a value cannot be
//! updated or matched. No IO.

use crate::api::lenient::{id_value, invalid_response, text_value};
use crate::api::{Endpoint, HttpRequest, HttpResponse};
use crate::core::ids::CompositeId;
use crate::core::validate::formats::{is_datetime, parse_date};
use crate::error::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use tsify::Tsify;

/// Reads a contract's metadata values.
#[derive(Debug, Clone)]
pub(crate) struct GetKeyPointers {
    /// The contract.
    pub id: CompositeId,
}

/// A postal address value (keys as SpotDraft's address objects name them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddressValue {
    /// `line_one`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line_one: Option<String>,
    /// `line_two`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub line_two: Option<String>,
    /// `city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub city: Option<String>,
    /// `state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub state: Option<String>,
    /// `country` (a name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub country: Option<String>,
    /// `country_iso_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub country_iso_code: Option<String>,
    /// `zipcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub zipcode: Option<String>,
}

/// A metadata value with its type made explicit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum KeyPointerValue {
    /// No value (`null`).
    Empty,
    /// Text (also enum option values that are strings).
    Text {
        /// The text.
        value: String,
    },
    /// A number (`int`, `float`, or a numeric string where the type says number).
    Number {
        /// The number.
        value: f64,
    },
    /// A boolean (checkbox).
    Boolean {
        /// The boolean.
        value: bool,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date {
        /// The date as sent.
        value: String,
    },
    /// An ISO-8601 date-time (`kind: "DATE_TIME"`).
    DateTime {
        /// The date-time as sent.
        value: String,
    },
    /// An amount of money (`{type: "USD", value: 12000}`).
    Currency {
        /// ISO 4217 code (`type` on the wire).
        currency: String,
        /// The amount (`value` on the wire).
        amount: f64,
    },
    /// A duration (`{type: "MONTHS", value: 6, days: 180}`).
    Duration {
        /// `DAYS`, `MONTHS`, `YEARS` … (`type` on the wire).
        unit: String,
        /// How many units (`value` on the wire).
        amount: f64,
        /// The duration in days, when SpotDraft sent it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[tsify(optional)]
        days: Option<f64>,
    },
    /// A postal address.
    Address {
        /// Its parts.
        address: AddressValue,
    },
    /// A list (multi-select, array of strings, repeating rows).
    List {
        /// The items as sent.
        #[tsify(type = "unknown[]")]
        values: Vec<Value>,
    },
    /// Any other shape, as sent.
    Object {
        /// The JSON value.
        #[tsify(type = "unknown")]
        value: Value,
    },
}

/// One metadata value of a contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyPointer {
    /// SpotDraft's id of this value (for updating it).
    pub id: u64,
    /// The template variable (`field_name`), e.g. `"customer_name"`.
    pub field_name: String,
    /// Label shown to users.
    pub label: String,
    /// SpotDraft's `data_type` as sent (its vocabulary is not documented).
    pub data_type: String,
    /// The value, typed.
    pub value: KeyPointerValue,
    /// The value exactly as SpotDraft sent it.
    #[tsify(type = "unknown")]
    pub raw: Value,
    /// SpotDraft's `format_option`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub format_option: Option<Value>,
}

/// A contract's metadata values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyPointers {
    /// Every value, in SpotDraft's order.
    pub items: Vec<KeyPointer>,
    /// The values by `field_name`. If SpotDraft lists a field twice, the first one is here
    /// (both are in `items`).
    #[tsify(type = "Record<string, KeyPointer>")]
    pub by_field_name: BTreeMap<String, KeyPointer>,
}

impl Endpoint for GetKeyPointers {
    type Output = KeyPointers;
    const NAME: &'static str = "getKeyPointers";

    fn request(&self) -> Result<HttpRequest> {
        // Path exactly as documented: no trailing slash.
        Ok(HttpRequest::get(format!(
            "{}/key_pointers",
            super::contract_path(&self.id)
        )))
    }

    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        let body: Value = response.json(Self::NAME)?;
        // Documented as a bare array; an `{items}` / `{results}` wrapper is accepted too.
        let list = match body {
            Value::Array(list) => list,
            Value::Object(mut map) => match map.remove("items").or_else(|| map.remove("results")) {
                Some(Value::Array(list)) => list,
                _ => {
                    return Err(invalid_response(
                        Self::NAME,
                        response,
                        ".",
                        "expected an array of metadata values",
                    ))
                }
            },
            _ => {
                return Err(invalid_response(
                    Self::NAME,
                    response,
                    ".",
                    "expected an array of metadata values",
                ))
            }
        };
        let mut items = Vec::with_capacity(list.len());
        for (i, item) in list.into_iter().enumerate() {
            items.push(parse_item(item, i, response)?);
        }
        let mut by_field_name = BTreeMap::new();
        for item in &items {
            by_field_name
                .entry(item.field_name.clone())
                .or_insert_with(|| item.clone());
        }
        Ok(KeyPointers {
            items,
            by_field_name,
        })
    }
}

fn parse_item(item: Value, index: usize, response: &HttpResponse) -> Result<KeyPointer> {
    let invalid = |field: &str, problem: &str| {
        invalid_response(
            GetKeyPointers::NAME,
            response,
            &format!("[{index}].{field}"),
            problem,
        )
    };
    let Value::Object(mut map) = item else {
        return Err(invalid_response(
            GetKeyPointers::NAME,
            response,
            &format!("[{index}]"),
            "expected an object",
        ));
    };
    let id = map
        .get("id")
        .and_then(id_value)
        .ok_or_else(|| invalid("id", "expected an integer id"))?;
    // The spec's own example misspells the key `filed_name`.
    let field_name = text_value(map.get("field_name").or_else(|| map.get("filed_name")))
        .filter(|name| !name.is_empty())
        .ok_or_else(|| invalid("field_name", "expected the field's name"))?;
    let label = text_value(map.get("label")).unwrap_or_default();
    let data_type = text_value(map.get("data_type")).unwrap_or_default();
    let raw = map.remove("value").unwrap_or(Value::Null);
    let format_option = map.remove("format_option").filter(|v| !v.is_null());
    Ok(KeyPointer {
        id,
        value: typed_value(&data_type, &raw),
        field_name,
        label,
        data_type,
        raw,
        format_option,
    })
}

/// The typed form of `raw`, guided by `data_type` (see the module docs).
pub(crate) fn typed_value(data_type: &str, raw: &Value) -> KeyPointerValue {
    let kind = data_type.trim().to_ascii_lowercase();
    let by_type = match kind.as_str() {
        "int" | "integer" | "float" | "number" | "decimal" | "percentage" => number(raw),
        "boolean" | "bool" | "checkbox" => boolean(raw),
        "date" => raw
            .as_str()
            .filter(|s| parse_date(s).is_some())
            .map(|s| KeyPointerValue::Date {
                value: s.to_owned(),
            }),
        "datetime" | "date_time" | "date time" => {
            raw.as_str()
                .filter(|s| is_datetime(s))
                .map(|s| KeyPointerValue::DateTime {
                    value: s.to_owned(),
                })
        }
        "currency" => raw.as_object().and_then(currency),
        "duration" => raw.as_object().and_then(duration),
        "address" => raw.as_object().map(address),
        _ => None,
    };
    by_type.unwrap_or_else(|| by_shape(raw))
}

fn by_shape(raw: &Value) -> KeyPointerValue {
    match raw {
        Value::Null => KeyPointerValue::Empty,
        Value::Bool(b) => KeyPointerValue::Boolean { value: *b },
        Value::Number(n) => n
            .as_f64()
            .map(|value| KeyPointerValue::Number { value })
            .unwrap_or_else(|| KeyPointerValue::Object { value: raw.clone() }),
        Value::String(s) => KeyPointerValue::Text { value: s.clone() },
        Value::Array(items) => KeyPointerValue::List {
            values: items.clone(),
        },
        Value::Object(map) => currency(map)
            .or_else(|| duration(map))
            .unwrap_or_else(|| KeyPointerValue::Object { value: raw.clone() }),
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => crate::core::float::parse_f64(s.trim()).filter(|f| f.is_finite()),
        _ => None,
    }
}

fn number(raw: &Value) -> Option<KeyPointerValue> {
    as_number(raw).map(|value| KeyPointerValue::Number { value })
}

fn boolean(raw: &Value) -> Option<KeyPointerValue> {
    let value = match raw {
        Value::Bool(b) => *b,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        _ => return None,
    };
    Some(KeyPointerValue::Boolean { value })
}

/// `{type: <3-letter code>, value: number}` and nothing else.
fn currency(map: &Map<String, Value>) -> Option<KeyPointerValue> {
    if map.len() != 2 {
        return None;
    }
    let code = map.get("type")?.as_str()?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(KeyPointerValue::Currency {
        currency: code.to_owned(),
        amount: as_number(map.get("value")?)?,
    })
}

/// `{type: DAYS|WEEKS|MONTHS|YEARS, value: number, days?: number}` and nothing else.
fn duration(map: &Map<String, Value>) -> Option<KeyPointerValue> {
    if map
        .keys()
        .any(|k| !matches!(k.as_str(), "type" | "value" | "days"))
    {
        return None;
    }
    let unit = map.get("type")?.as_str()?;
    if !matches!(unit, "DAYS" | "WEEKS" | "MONTHS" | "YEARS") {
        return None;
    }
    Some(KeyPointerValue::Duration {
        unit: unit.to_owned(),
        amount: as_number(map.get("value")?)?,
        days: map.get("days").and_then(as_number),
    })
}

fn address(map: &Map<String, Value>) -> KeyPointerValue {
    let text = |key: &str| text_value(map.get(key));
    KeyPointerValue::Address {
        address: AddressValue {
            line_one: text("line_one"),
            line_two: text("line_two"),
            city: text("city"),
            state: text("state"),
            country: text("country"),
            country_iso_code: text("country_iso_code"),
            zipcode: text("zipcode"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn endpoint() -> GetKeyPointers {
        GetKeyPointers {
            id: CompositeId::parse("T-1234").unwrap(),
        }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.into(),
            ..HttpResponse::default()
        }
    }

    #[test]
    fn builds_the_documented_path() {
        let request = endpoint().request().unwrap();
        assert_eq!(
            request.path,
            "/api/v2.1/public/contracts/T-1234/key_pointers"
        );
        assert!(request.retry_safe);
    }

    #[test]
    fn parses_the_spec_example_including_its_misspelt_key() {
        let parsed = endpoint()
            .parse(&ok(r#"[{"id": 1, "value": "sample", "label": "Sample Label", "filed_name": "sample_field_name", "data_type": "string", "format_option": {"data": "sample format option"}}]"#))
            .unwrap();
        let item = &parsed.by_field_name["sample_field_name"];
        assert_eq!(item.id, 1);
        assert_eq!(item.label, "Sample Label");
        assert_eq!(item.data_type, "string");
        assert_eq!(
            item.value,
            KeyPointerValue::Text {
                value: "sample".into()
            }
        );
        assert_eq!(item.raw, json!("sample"));
        assert_eq!(
            item.format_option,
            Some(json!({"data": "sample format option"}))
        );
        assert_eq!(parsed.items.len(), 1);
    }

    #[test]
    fn types_values_from_data_type_and_shape() {
        let cases = [
            ("int", json!(15), KeyPointerValue::Number { value: 15.0 }),
            (
                "float",
                json!("3.5"),
                KeyPointerValue::Number { value: 3.5 },
            ),
            (
                "boolean",
                json!("true"),
                KeyPointerValue::Boolean { value: true },
            ),
            (
                "date",
                json!("2026-03-28"),
                KeyPointerValue::Date {
                    value: "2026-03-28".into(),
                },
            ),
            (
                "date",
                json!("28/03/2026"),
                KeyPointerValue::Text {
                    value: "28/03/2026".into(),
                },
            ),
            (
                "datetime",
                json!("2026-09-15T10:30:00Z"),
                KeyPointerValue::DateTime {
                    value: "2026-09-15T10:30:00Z".into(),
                },
            ),
            (
                "currency",
                json!({"type": "USD", "value": 12000}),
                KeyPointerValue::Currency {
                    currency: "USD".into(),
                    amount: 12000.0,
                },
            ),
            (
                "",
                json!({"type": "EUR", "value": "9.5"}),
                KeyPointerValue::Currency {
                    currency: "EUR".into(),
                    amount: 9.5,
                },
            ),
            (
                "duration",
                json!({"type": "MONTHS", "value": 6, "days": 180}),
                KeyPointerValue::Duration {
                    unit: "MONTHS".into(),
                    amount: 6.0,
                    days: Some(180.0),
                },
            ),
            (
                "enum",
                json!("annual_invoice"),
                KeyPointerValue::Text {
                    value: "annual_invoice".into(),
                },
            ),
            (
                "array of options",
                json!(["US", "IN"]),
                KeyPointerValue::List {
                    values: vec![json!("US"), json!("IN")],
                },
            ),
            ("string", json!(null), KeyPointerValue::Empty),
            (
                "int",
                json!("n/a"),
                KeyPointerValue::Text {
                    value: "n/a".into(),
                },
            ),
            (
                "mystery",
                json!({"a": 1}),
                KeyPointerValue::Object {
                    value: json!({"a": 1}),
                },
            ),
        ];
        for (data_type, raw, expected) in cases {
            assert_eq!(typed_value(data_type, &raw), expected, "{data_type} {raw}");
        }
        let address = typed_value(
            "address",
            &json!({"line_one": "350 Fifth Avenue", "city": "New York", "zipcode": 10118, "extra": true}),
        );
        let KeyPointerValue::Address { address } = address else {
            panic!("not an address: {address:?}")
        };
        assert_eq!(address.line_one.as_deref(), Some("350 Fifth Avenue"));
        assert_eq!(address.zipcode.as_deref(), Some("10118"));
        assert_eq!(address.state, None);
    }

    #[test]
    fn lenient_on_ids_as_strings_nulls_unknown_fields_and_wrappers() {
        let parsed = endpoint()
            .parse(&ok(r#"{"items": [{"id": "7", "value": 1, "label": null, "field_name": "term", "data_type": null, "format_option": null, "new_field": 1},
                                      {"id": 8, "value": 2, "label": "Again", "field_name": "term", "data_type": "int"}]}"#))
            .unwrap();
        assert_eq!(parsed.items.len(), 2);
        assert_eq!(parsed.by_field_name["term"].id, 7, "the first one wins");
        assert_eq!(parsed.items[0].label, "");
        assert_eq!(parsed.items[0].format_option, None);
    }

    #[test]
    fn strict_on_ids_and_field_names() {
        for (body, path) in [
            (r#"[{"value": 1, "field_name": "a"}]"#, "[0].id"),
            (r#"[{"id": 1.5, "value": 1, "field_name": "a"}]"#, "[0].id"),
            (
                r#"[{"id": 1, "value": 1, "field_name": "a"}, {"id": 2, "value": 1}]"#,
                "[1].field_name",
            ),
            (
                r#"[{"id": 1, "value": 1, "field_name": ""}]"#,
                "[0].field_name",
            ),
            (r#"[3]"#, "[0]"),
            (r#"{"detail": "x"}"#, "."),
        ] {
            let error = endpoint().parse(&ok(body)).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidResponse, "{body}");
            assert!(
                error.message.contains(&format!("`{path}`")),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn typed_values_serialise_with_a_kind_tag() {
        let json = serde_json::to_value(KeyPointerValue::Currency {
            currency: "USD".into(),
            amount: 1.0,
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"kind": "CURRENCY", "currency": "USD", "amount": 1.0})
        );
        let json = serde_json::to_value(KeyPointerValue::DateTime { value: "x".into() }).unwrap();
        assert_eq!(json["kind"], "DATE_TIME");
    }
}
