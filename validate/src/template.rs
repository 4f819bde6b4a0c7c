//! Template metadata as `GET /api/v2.1/public/templates/{id}/metadata` returns it, and its
//! compiled form: child descriptors folded into one field per `contract_data` key.
//!
//! SpotDraft's descriptor `type` has no currency, duration or address; those appear as child
//! descriptors (`variable` `"fee.value"`, `parent_variable` `"fee"`, `parent_type`
//! `"currency"`). [`CompiledTemplate::compile`] folds them back into one [`Field`] of kind
//! [`FieldKind::Group`], the way SpotDraft's own MCP server folds key-pointer descriptors.
//! Pure: no IO; fetching the metadata is the client's job.

use crate::error::{Error, Result};
use crate::sort;
use crate::validate::json::{key_order, Json};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use tsify::Tsify;

/// Deepest nesting of `repeating` attributes that [`CompiledTemplate::compile`] follows.
pub const MAX_TEMPLATE_DEPTH: usize = 16;

/// Which counterparties a template accepts (`counter_party_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
pub enum CounterPartyKind {
    /// Only individuals (`is_individual: true`).
    Individual,
    /// Only organisations (`is_individual: false`).
    Organisation,
    /// Either.
    Both,
}

/// One option of an `enum` / `array of options` descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
pub struct TemplateOption {
    /// Label shown to users.
    #[serde(default)]
    pub label: String,
    /// Value sent to the API (string or number; absent means the label is used, UNKNOWN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "string | number")]
    pub value: Option<Value>,
}

/// A `CfPublicDescriptor`: one template field or one child of a nested field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
pub struct TemplateAttribute {
    /// Label shown to users (`"Fee > Value"` for children).
    #[serde(default)]
    pub display_label: String,
    /// Variable name; nested names contain a `.`.
    pub variable: String,
    /// `string`, `boolean`, `int`, `float`, `array of strings`, `array of options`, `enum`,
    /// `date`, `repeating`, `array of files` (a string so that a new type is not an error).
    #[serde(rename = "type")]
    pub field_type: String,
    /// Whether the field must be filled (SpotDraft's default is true). The deprecated v1
    /// shape calls it `mandatory`.
    #[serde(default, alias = "mandatory", skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub required: Option<bool>,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub help_text: Option<String>,
    /// Question shown in intake forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub question: Option<String>,
    /// Default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub default_value: Option<Value>,
    /// Options of `enum` and `array of options` fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub options: Option<Vec<TemplateOption>>,
    /// For a child: the variable of the object it lives in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub parent_variable: Option<String>,
    /// For a child: the SpotDraft type of its parent (`currency`, `duration`, `address` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub parent_type: Option<String>,
    /// For a child: whether the parent object must be present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub parent_required: Option<bool>,
    /// For a child: its key inside the parent object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub child_variable: Option<String>,
    /// For `repeating`: the shape of one row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub attributes: Option<Vec<TemplateAttribute>>,
}

/// The template metadata document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
pub struct TemplateMetadata {
    /// Field descriptors, children included.
    pub attributes: Vec<TemplateAttribute>,
    /// Which counterparties the template accepts; absent means not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub counter_party_kind: Option<CounterPartyKind>,
}

impl TemplateMetadata {
    /// Reads the metadata document from JSON, naming the path of the first bad value (found
    /// as the failure returns: a good document is read without tracking, see `tree`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for `templateMetadata.<path>` when the document is not of the
    /// documented shape (missing `attributes`, a descriptor without `variable` …).
    pub fn from_value(value: &Value) -> Result<Self> {
        crate::tree::from_value(value).map_err(|e| {
            let path = if e.path == "." {
                "templateMetadata".to_owned()
            } else {
                format!("templateMetadata.{}", e.path)
            };
            Error::invalid_argument(&path, e.error.to_string())
        })
    }
}

/// What a nested (child-descriptor) field is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKind {
    /// `{type: ISO 4217 code, value: number}`.
    Currency,
    /// `{type: DAYS|MONTHS|YEARS, value: int, days: int}`.
    Duration,
    /// `{line_one, line_two, city, state, country, zipcode}`.
    Address,
    /// `{number, country_code, code}`.
    Phone,
    /// Any other parent type: checked only through its children.
    Other(String),
}

impl GroupKind {
    fn from_parent_type(parent_type: Option<&str>) -> Self {
        match parent_type.map(str::to_ascii_lowercase).as_deref() {
            Some("currency") => Self::Currency,
            Some("duration") => Self::Duration,
            Some("address") => Self::Address,
            Some("phone") | Some("phone_number") => Self::Phone,
            Some(other) => Self::Other(other.to_owned()),
            None => Self::Other(String::new()),
        }
    }

    /// Keys SpotDraft documents for this kind of object even when the template lists no
    /// child for them (a duration's `days` is always sent).
    pub fn documented_keys(&self) -> &'static [&'static str] {
        match self {
            Self::Currency => &["type", "value"],
            Self::Duration => &["type", "value", "days"],
            Self::Address => &[
                "line_one",
                "line_two",
                "city",
                "state",
                "country",
                "zipcode",
                "country_iso_code",
            ],
            Self::Phone => &["number", "country_code", "code"],
            Self::Other(_) => &[],
        }
    }
}

/// The value a field takes.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// `string`: text.
    Text,
    /// `boolean`.
    Boolean,
    /// `int`: a whole number.
    Integer,
    /// `float`: any finite number.
    Number,
    /// `date`: `YYYY-MM-DD`.
    Date,
    /// `array of strings`.
    Strings,
    /// `enum` (one value) or `array of options` (`multiple`).
    Options {
        /// The allowed option values.
        options: Vec<TemplateOption>,
        /// True for `array of options`.
        multiple: bool,
        /// Sorted keys of the option values, for long option lists.
        index: OptionIndex,
    },
    /// `array of files`: a file object or an array of them (shape not checked, UNKNOWN).
    Files,
    /// `repeating`: an array of rows.
    Repeating {
        /// Fields of one row.
        row: FieldSet,
    },
    /// An object folded from child descriptors.
    Group {
        /// What the object is.
        kind: GroupKind,
        /// Its children, keyed by `child_variable`.
        children: Vec<Field>,
    },
    /// A type this library does not know: any value is accepted (SpotDraft decides).
    Unknown(String),
}

/// Membership test for option values: a linear scan for short lists, a binary search over
/// sorted keys for long ones, so a template with thousands of options and a payload with
/// thousands of selections stays O(n log n).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OptionIndex {
    keys: Option<Vec<String>>,
}

/// Options lists longer than this are indexed.
const INDEX_OPTIONS_ABOVE: usize = 16;

impl OptionIndex {
    fn new(options: &[TemplateOption]) -> Self {
        if options.len() <= INDEX_OPTIONS_ABOVE {
            return Self { keys: None };
        }
        let mut keys: Vec<String> = options
            .iter()
            .filter_map(|o| option_key(o.value.as_ref(), &o.label))
            .collect();
        sort::sort(&mut keys);
        Self { keys: Some(keys) }
    }

    /// Whether `value` is one of `options` (the list this index was built from).
    pub fn contains(&self, options: &[TemplateOption], value: &Value) -> bool {
        match &self.keys {
            Some(keys) => {
                option_key(Some(value), "").is_some_and(|k| keys.binary_search(&k).is_ok())
            }
            None => options.iter().any(|o| match &o.value {
                Some(v) => v == value,
                None => value.as_str() == Some(o.label.as_str()),
            }),
        }
    }
}

impl OptionIndex {
    /// As [`OptionIndex::contains`], for a value of the validator's borrowed tree.
    pub fn contains_json(&self, options: &[TemplateOption], value: &Json<'_>) -> bool {
        match &self.keys {
            Some(keys) => json_option_key(value).is_some_and(|k| keys.binary_search(&k).is_ok()),
            None => options.iter().any(|o| match &o.value {
                Some(v) => value.eq_value(v),
                None => value.as_str() == Some(o.label.as_str()),
            }),
        }
    }
}

/// [`option_key`] of a borrowed value.
fn json_option_key(value: &Json<'_>) -> Option<String> {
    match value {
        Json::String(s) => Some(format!("s{s}")),
        Json::Number(n) => Some(format!("n{n}")),
        Json::Bool(b) => Some(format!("b{b}")),
        _ => None,
    }
}

/// A comparable key of an option value (its label when it has none): the JSON type plus text.
fn option_key(value: Option<&Value>, label: &str) -> Option<String> {
    match value {
        None => Some(format!("s{label}")),
        Some(Value::String(s)) => Some(format!("s{s}")),
        Some(Value::Number(n)) => Some(format!("n{n}")),
        Some(Value::Bool(b)) => Some(format!("b{b}")),
        Some(_) => None,
    }
}

/// One compiled field: a `contract_data` key (or a row or group member).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Key in its object.
    pub name: String,
    /// Label shown to users.
    pub label: String,
    /// Whether the key must be present and non-empty.
    pub required: bool,
    /// What the value must be.
    pub kind: FieldKind,
}

/// A list of fields with a sorted index for lookups by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSet {
    /// The fields in template order.
    pub fields: Vec<Field>,
    /// `(name, position)` sorted by name.
    index: Vec<(String, usize)>,
}

impl FieldSet {
    fn new(fields: Vec<Field>) -> Self {
        let mut index: Vec<(String, usize)> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        sort::sort(&mut index);
        Self { fields, index }
    }

    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        let position = self
            .index
            .binary_search_by(|(n, _)| key_order(n, name))
            .ok()?;
        let (_, i) = self.index.get(position)?;
        self.fields.get(*i)
    }

    /// `(name, position in [`FieldSet::fields`])` in byte order of the name, for walking the
    /// set alongside an object whose members are sorted the same way.
    pub fn by_name(&self) -> impl Iterator<Item = (&str, usize)> {
        self.index.iter().map(|(name, i)| (name.as_str(), *i))
    }

    /// `(name, label)` pairs for did-you-mean.
    pub fn names(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.fields
            .iter()
            .map(|f| (f.name.as_str(), Some(f.label.as_str())))
    }
}

/// Template metadata folded for validation: parse once, validate many payloads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompiledTemplate {
    /// Top-level `contract_data` fields.
    pub fields: FieldSet,
    /// Which counterparties the template accepts.
    pub counter_party_kind: Option<CounterPartyKind>,
}

impl CompiledTemplate {
    /// Folds child descriptors into their parents and indexes the fields.
    ///
    /// Lenient where SpotDraft is vague: a child whose parent has no descriptor of its own
    /// creates the parent; an unknown `type` accepts any value. Does not check option
    /// values against each other.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` (path `templateMetadata.attributes…`) when `repeating` attributes
    /// nest deeper than [`MAX_TEMPLATE_DEPTH`], or a variable is empty.
    pub fn compile(metadata: &TemplateMetadata) -> Result<Self> {
        Ok(Self {
            fields: fold(&metadata.attributes, 0, "templateMetadata.attributes")?,
            counter_party_kind: metadata.counter_party_kind,
        })
    }

    /// Reads and compiles a metadata document.
    ///
    /// # Errors
    /// As [`TemplateMetadata::from_value`] and [`CompiledTemplate::compile`].
    pub fn from_value(value: &Value) -> Result<Self> {
        Self::compile(&TemplateMetadata::from_value(value)?)
    }
}

/// Folds `attributes` (one level) into fields.
fn fold(attributes: &[TemplateAttribute], depth: usize, at: &str) -> Result<FieldSet> {
    if depth > MAX_TEMPLATE_DEPTH {
        return Err(Error::invalid_argument(
            at,
            format!("repeating fields nest deeper than {MAX_TEMPLATE_DEPTH} levels"),
        ));
    }
    let mut fields: Vec<Field> = Vec::with_capacity(attributes.len());
    // Position of each group parent in `fields`: a map, so a hostile template with many
    // groups stays O(n log n) to fold.
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for (i, attribute) in attributes.iter().enumerate() {
        let here = format!("{at}[{i}]");
        if attribute.variable.is_empty() {
            return Err(Error::invalid_argument(
                &format!("{here}.variable"),
                "is empty; every descriptor needs a variable name",
            ));
        }
        let (parent, child) = match (&attribute.parent_variable, &attribute.child_variable) {
            (Some(p), Some(c)) if !p.is_empty() && !c.is_empty() => (Some(p.as_str()), c.as_str()),
            (Some(p), _) if !p.is_empty() => {
                let child = attribute
                    .variable
                    .strip_prefix(p.as_str())
                    .and_then(|rest| rest.strip_prefix('.'))
                    .unwrap_or(&attribute.variable);
                (Some(p.as_str()), child)
            }
            _ => (None, attribute.variable.as_str()),
        };
        let field = Field {
            name: child.to_owned(),
            label: attribute.display_label.clone(),
            required: attribute.required.unwrap_or(true),
            kind: kind_of(attribute, depth, &here)?,
        };
        let Some(parent) = parent else {
            fields.push(field);
            continue;
        };
        let position = match groups.get(parent) {
            Some(position) => *position,
            None => {
                let position = fields.len();
                let label = attribute
                    .display_label
                    .split(" > ")
                    .next()
                    .unwrap_or(parent)
                    .to_owned();
                fields.push(Field {
                    name: parent.to_owned(),
                    label,
                    // SpotDraft: "the entire object can be unset if parent_required is unset
                    // or false".
                    required: attribute.parent_required.unwrap_or(false),
                    kind: FieldKind::Group {
                        kind: GroupKind::from_parent_type(attribute.parent_type.as_deref()),
                        children: Vec::new(),
                    },
                });
                groups.insert(parent.to_owned(), position);
                position
            }
        };
        if let Some(Field {
            kind: FieldKind::Group { children, .. },
            required,
            ..
        }) = fields.get_mut(position)
        {
            *required = *required || attribute.parent_required.unwrap_or(false);
            children.push(field);
        }
    }
    // A plain descriptor with the same name as a group (the parent described twice) is
    // dropped in favour of the group, which knows the children.
    let fields = fields
        .into_iter()
        .filter(|f| matches!(f.kind, FieldKind::Group { .. }) || !groups.contains_key(&f.name))
        .map(|mut f| {
            if let FieldKind::Group { children, .. } = &mut f.kind {
                // Children of a group are looked up by name (binary search in `Field::child`).
                sort::sort_by(children, |a, b| a.name.cmp(&b.name));
            }
            f
        })
        .collect();
    Ok(FieldSet::new(fields))
}

fn kind_of(attribute: &TemplateAttribute, depth: usize, here: &str) -> Result<FieldKind> {
    let options = || attribute.options.clone().unwrap_or_default();
    Ok(match attribute.field_type.to_ascii_lowercase().as_str() {
        "string" | "text" => FieldKind::Text,
        "boolean" => FieldKind::Boolean,
        "int" | "integer" => FieldKind::Integer,
        "float" | "number" => FieldKind::Number,
        "date" => FieldKind::Date,
        "array of strings" => FieldKind::Strings,
        // `dropdown` is the deprecated v1 name of `enum`.
        "enum" | "dropdown" => FieldKind::Options {
            index: OptionIndex::new(&options()),
            options: options(),
            multiple: false,
        },
        "array of options" => FieldKind::Options {
            index: OptionIndex::new(&options()),
            options: options(),
            multiple: true,
        },
        "array of files" | "file" => FieldKind::Files,
        "repeating" => FieldKind::Repeating {
            row: fold(
                attribute.attributes.as_deref().unwrap_or_default(),
                depth + 1,
                &format!("{here}.attributes"),
            )?,
        },
        other => FieldKind::Unknown(other.to_owned()),
    })
}

impl Field {
    /// The group children as a [`FieldSet`] is not stored; children are sorted by name so
    /// this binary search finds one.
    pub fn child(&self, name: &str) -> Option<&Field> {
        match &self.kind {
            FieldKind::Group { children, .. } => children
                .binary_search_by(|c| key_order(&c.name, name))
                .ok()
                .and_then(|i| children.get(i)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_1204() -> CompiledTemplate {
        let text = include_str!("../../tests/fixtures/templates/template-1204-metadata.json");
        let value: Value = serde_json::from_str(text).unwrap();
        CompiledTemplate::from_value(&value).unwrap()
    }

    #[test]
    fn folds_children_into_groups() {
        let t = template_1204();
        assert_eq!(t.counter_party_kind, Some(CounterPartyKind::Organisation));
        let currency = t.fields.get("billing_currency").unwrap();
        assert!(currency.required);
        match &currency.kind {
            FieldKind::Group { kind, children } => {
                assert_eq!(*kind, GroupKind::Currency);
                let names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
                assert_eq!(names, ["type", "value"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(currency.label, "Billing Currency");
        let term = t.fields.get("subscription_term").unwrap();
        assert_eq!(term.child("days").unwrap().kind, FieldKind::Integer);
        let address = t.fields.get("billing_address").unwrap();
        assert!(!address.child("line_two").unwrap().required);
        assert!(t.fields.get("billing_currency.type").is_none());
    }

    #[test]
    fn folds_children_inside_repeating_rows() {
        let t = template_1204();
        let FieldKind::Repeating { row } = &t.fields.get("pricing_schedule").unwrap().kind else {
            panic!("not repeating");
        };
        let names: Vec<&str> = row.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["milestone", "amount"]);
        assert!(matches!(
            row.fields[1].kind,
            FieldKind::Group {
                kind: GroupKind::Currency,
                ..
            }
        ));
    }

    #[test]
    fn optional_fields_and_unknown_types() {
        let value = serde_json::json!({"counter_party_kind": "Both", "attributes": [
            {"display_label": "A", "variable": "a", "type": "string", "required": false},
            {"display_label": "B", "variable": "b", "type": "hologram"},
            {"variable": "c.x", "type": "int", "parent_variable": "c"},
            {"variable": "d", "type": "dropdown", "mandatory": false, "options": [{"label": "One", "value": "1"}]}
        ]});
        let t = CompiledTemplate::from_value(&value).unwrap();
        assert!(!t.fields.get("a").unwrap().required);
        assert_eq!(
            t.fields.get("b").unwrap().kind,
            FieldKind::Unknown("hologram".into())
        );
        let c = t.fields.get("c").unwrap();
        assert!(
            !c.required,
            "parent_required unset means the object may be absent"
        );
        assert_eq!(c.child("x").unwrap().kind, FieldKind::Integer);
        assert!(!t.fields.get("d").unwrap().required);
    }

    #[test]
    fn bad_documents_name_the_path() {
        let value = serde_json::json!({"attributes": [{"display_label": "A", "type": "string"}]});
        let error = CompiledTemplate::from_value(&value).unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::InvalidArgument);
        assert!(error.details[0]
            .path
            .starts_with("templateMetadata.attributes[0]"));
    }

    #[test]
    fn refuses_absurd_nesting() {
        let mut attribute = serde_json::json!({"variable": "leaf", "type": "string"});
        for _ in 0..(MAX_TEMPLATE_DEPTH + 2) {
            attribute = serde_json::json!({"variable": "r", "type": "repeating", "attributes": [attribute]});
        }
        let value = serde_json::json!({"attributes": [attribute]});
        let error = CompiledTemplate::from_value(&value).unwrap_err();
        assert!(error.message.contains("nest deeper"));
    }
}
