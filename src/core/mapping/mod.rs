//! Declarative record mapping: a plain-JSON [`Mapping`] (so a CRM admin can store and edit
//! it) turns a source record (a HubSpot deal, a Salesforce Opportunity with its Account)
//! into a create-contract body.
//!
//! ```json
//! {"fields": [
//!   {"target": "contract_template_id", "const": 1204},
//!   {"target": "contract_data.billing_currency", "currency": {
//!       "code": {"source": "properties.deal_currency_code"},
//!       "value": {"source": "properties.amount", "transform": [{"op": "NUMBER"}]}}},
//!   {"target": "contract_data.pricing_schedule", "each": "line_items", "fields": [
//!       {"target": "milestone", "source": "properties.name"}]}
//! ]}
//! ```
//!
//! Each rule writes one target path from exactly one value spec: `source` (a path into the
//! record, with optional `transform` steps), `const`, `concat`, `currency` or `duration`;
//! or builds an array with `each` + `fields` (paths inside are relative to the element;
//! start a source with `$.` to read from the record root). A source value that is missing,
//! `null` or `""` takes the rule's `default` (used as is, not transformed); without one the
//! rule is skipped if `optional`, else reported as `MISSING_SOURCE_VALUE`. Every failure is
//! reported, with the target path and the source path.
//!
//! This module builds the body; it does not validate it against SpotDraft's rules (run
//! `core::validate` on the result).

pub(crate) mod path;
pub(crate) mod transform;

use crate::core::payload::values::DurationUnit;
use crate::core::validate::check::quote;
use crate::core::validate::{IssueCode, Issues, ValidationReport};
use crate::error::{Error, Result};
use path::Segment;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use transform::Transform;
use tsify::Tsify;

/// Deepest nesting of `each` and value specs followed.
pub const MAX_MAPPING_DEPTH: usize = 32;

/// Longest path accepted in a rule (target, source, each).
pub const MAX_PATH_CHARS: usize = 1000;

/// A whole mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mapping {
    /// Free text for the admin (not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub description: Option<String>,
    /// Rules, applied in order.
    pub fields: Vec<FieldRule>,
}

/// A part of a `concat`: literal text, or a value spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(untagged)]
pub enum ConcatPart {
    /// Literal text.
    Text(String),
    /// A value.
    Spec(ValueSpec),
}

/// `{code, value}` specs of a currency value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CurrencySpec {
    /// ISO 4217 code (upper-cased).
    pub code: ValueSpec,
    /// Amount (numbers in text are parsed).
    pub value: ValueSpec,
}

/// `{unit, value, days?}` specs of a duration value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DurationSpec {
    /// `DAYS`, `MONTHS` or `YEARS` (case and plural `S` are forgiven).
    pub unit: ValueSpec,
    /// Whole number of units.
    pub value: ValueSpec,
    /// Length in days; computed from unit and value when absent (12 months → 365).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub days: Option<ValueSpec>,
}

/// Where a value comes from. Exactly one of `source`, `const`, `concat`, `currency`,
/// `duration`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValueSpec {
    /// Path in the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub source: Option<String>,
    /// A constant.
    #[serde(default, rename = "const", skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub constant: Option<Value>,
    /// Parts joined into text (missing parts are left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub concat: Option<Vec<ConcatPart>>,
    /// Joins `concat` parts (default `""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub separator: Option<String>,
    /// A currency object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub currency: Option<Box<CurrencySpec>>,
    /// A duration object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub duration: Option<Box<DurationSpec>>,
    /// Steps applied to the value in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub transform: Vec<Transform>,
    /// Used when the value is missing, `null` or `""`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub default: Option<Value>,
    /// Skip the target when the value is missing (instead of reporting it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[tsify(optional)]
    pub optional: bool,
}

/// One rule: a target path and where its value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldRule {
    /// Path in the payload, e.g. `counter_party_details[0].poc_details.email`.
    pub target: String,
    /// Path in the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub source: Option<String>,
    /// A constant.
    #[serde(default, rename = "const", skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub constant: Option<Value>,
    /// Parts joined into text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub concat: Option<Vec<ConcatPart>>,
    /// Joins `concat` parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub separator: Option<String>,
    /// A currency object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub currency: Option<Box<CurrencySpec>>,
    /// A duration object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub duration: Option<Box<DurationSpec>>,
    /// Steps applied in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[tsify(optional)]
    pub transform: Vec<Transform>,
    /// Used when the value is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional, type = "unknown")]
    pub default: Option<Value>,
    /// Skip the target when the value is missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[tsify(optional)]
    pub optional: bool,
    /// Path of a source array: builds an array at `target`, one element per item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub each: Option<String>,
    /// With `each`: rules for one element, relative to the item and the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub fields: Option<Vec<FieldRule>>,
}

impl FieldRule {
    fn spec(&self) -> SpecRef<'_> {
        SpecRef {
            source: self.source.as_deref(),
            constant: self.constant.as_ref(),
            concat: self.concat.as_deref(),
            separator: self.separator.as_deref(),
            currency: self.currency.as_deref(),
            duration: self.duration.as_deref(),
            transform: &self.transform,
            default: self.default.as_ref(),
            optional: self.optional,
        }
    }
}

impl ValueSpec {
    fn spec(&self) -> SpecRef<'_> {
        SpecRef {
            source: self.source.as_deref(),
            constant: self.constant.as_ref(),
            concat: self.concat.as_deref(),
            separator: self.separator.as_deref(),
            currency: self.currency.as_deref(),
            duration: self.duration.as_deref(),
            transform: &self.transform,
            default: self.default.as_ref(),
            optional: self.optional,
        }
    }
}

/// A borrowed view of a value spec (shared by rules and nested specs).
#[derive(Clone, Copy)]
struct SpecRef<'m> {
    source: Option<&'m str>,
    constant: Option<&'m Value>,
    concat: Option<&'m [ConcatPart]>,
    separator: Option<&'m str>,
    currency: Option<&'m CurrencySpec>,
    duration: Option<&'m DurationSpec>,
    transform: &'m [Transform],
    default: Option<&'m Value>,
    optional: bool,
}

impl Mapping {
    /// Reads a mapping from JSON, naming the path of the first bad value. The path is looked
    /// for only when the read fails (`core::tracked`: collected as the failure returns, with
    /// no second read).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for `mapping.<path>` (an unknown key such as `"transfrom"`, a
    /// transform with an unknown `op` …).
    pub fn from_value(value: &Value) -> Result<Self> {
        crate::core::tracked::from_value(value).map_err(|e| {
            let inner = e.path;
            let path = if inner == "." {
                "mapping".to_owned()
            } else {
                format!("mapping.{inner}")
            };
            let message = crate::core::renamed::with_rename_hint(&e.error.to_string());
            Error::invalid_argument(&path, message)
        })
    }
}

/// A short description of a value's kind, for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) | Value::Null => {
            crate::core::validate::check::kind(v).to_owned()
        }
        other => format!("the value {}", quote(other)),
    }
}

/// Where the evaluator is: record roots, path prefixes for messages, depth.
struct Scope<'r> {
    /// The whole record (`$.` paths).
    root: &'r Value,
    /// The current item (the record, or an `each` element).
    item: &'r Value,
    /// Rendered source path of `item` (`""` for the record).
    source_prefix: String,
    /// Rendered target path of the element being built (`""` for the payload).
    target_prefix: String,
    depth: usize,
}

impl Scope<'_> {
    fn target(&self, target: &str) -> String {
        join(&self.target_prefix, target)
    }
}

fn join(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_owned()
    } else if rest.starts_with('[') {
        format!("{prefix}{rest}")
    } else {
        format!("{prefix}.{rest}")
    }
}

/// What evaluating a spec gave.
enum Outcome {
    Value(Value),
    /// Missing and allowed to be (optional): write nothing.
    Skip,
    /// Reported already.
    Failed,
}

/// Builds a create-contract body from `record` with `mapping`.
///
/// # Errors
/// A report of every mapping problem (missing source values, failed transforms, bad paths,
/// conflicting targets), each with `path` (the target) and `sourcePath`.
pub fn build_create_contract(record: &Value, mapping: &Mapping) -> Result<Value, ValidationReport> {
    let mut issues = Issues::new();
    let mut out = Value::Object(Map::new());
    let scope = Scope {
        root: record,
        item: record,
        source_prefix: String::new(),
        target_prefix: String::new(),
        depth: 0,
    };
    apply_rules(&mapping.fields, &scope, &mut out, &mut issues);
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(issues.into_report())
    }
}

fn apply_rules(rules: &[FieldRule], scope: &Scope<'_>, out: &mut Value, issues: &mut Issues) {
    for rule in rules {
        if issues.is_full() {
            return;
        }
        if rule.target.len() > MAX_PATH_CHARS
            || rule
                .source
                .as_ref()
                .is_some_and(|s| s.len() > MAX_PATH_CHARS)
            || rule.each.as_ref().is_some_and(|s| s.len() > MAX_PATH_CHARS)
        {
            // Checked before any path text is built, so a huge path costs O(1) per element.
            issues.push_at(
                String::new(),
                IssueCode::InvalidPath,
                format!("A rule's target, source or each path is longer than {MAX_PATH_CHARS} characters."),
            );
            continue;
        }
        let target_text = scope.target(&rule.target);
        let target = match path::parse(&rule.target) {
            Ok(t) => t,
            Err(why) => {
                issues.push_at(
                    target_text,
                    IssueCode::InvalidPath,
                    format!("The target path is malformed: {why}."),
                );
                continue;
            }
        };
        let value = match (&rule.each, &rule.fields) {
            (Some(each), Some(fields)) => {
                if spec_count(&rule.spec()) > 0 {
                    issues.push_at(
                        target_text,
                        IssueCode::InvalidMapping,
                        "A rule with `each` builds its elements from `fields`; remove source/const/concat/currency/duration.",
                    );
                    continue;
                }
                each_rule(each, fields, rule.optional, &target_text, scope, issues)
            }
            (None, None) => evaluate(rule.spec(), &target_text, scope, issues),
            _ => {
                issues.push_at(
                    target_text,
                    IssueCode::InvalidMapping,
                    "`each` and `fields` go together: `each` names the source array, `fields` the rules for one element.",
                );
                continue;
            }
        };
        if let Outcome::Value(value) = value {
            if let Err(why) = path::set(out, &target, value) {
                let source = rule.source.as_ref().map(|s| source_text(scope, s));
                if let Some(issue) = issues.push_at(
                    target_text,
                    IssueCode::TargetConflict,
                    format!("Cannot write the value: {why}."),
                ) {
                    issue.source_path = source;
                }
            }
        }
    }
}

fn each_rule(
    each: &str,
    fields: &[FieldRule],
    optional: bool,
    target_text: &str,
    scope: &Scope<'_>,
    issues: &mut Issues,
) -> Outcome {
    if scope.depth >= MAX_MAPPING_DEPTH {
        issues.push_at(
            target_text.to_owned(),
            IssueCode::TooDeep,
            format!("`each` nests deeper than {MAX_MAPPING_DEPTH} levels."),
        );
        return Outcome::Failed;
    }
    let source_path = source_text(scope, each);
    let (base, segments) = match resolve(scope, each) {
        Ok(found) => found,
        Err(why) => {
            push_sourced(
                issues,
                target_text,
                &source_path,
                IssueCode::InvalidPath,
                format!("The `each` path is malformed: {why}."),
            );
            return Outcome::Failed;
        }
    };
    let items = match path::get(base, &segments) {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) if optional => return Outcome::Skip,
        None | Some(Value::Null) => {
            push_sourced(
                issues,
                target_text,
                &source_path,
                IssueCode::MissingSourceValue,
                "The record has no array here; fix the `each` path or mark the rule optional."
                    .to_owned(),
            );
            return Outcome::Failed;
        }
        Some(other) => {
            push_sourced(
                issues,
                target_text,
                &source_path,
                IssueCode::WrongType,
                format!("`each` needs an array, the record has {}.", describe(other)),
            );
            return Outcome::Failed;
        }
    };
    let before = issues.len();
    let mut elements = Vec::with_capacity(items.len().min(1024));
    for (i, item) in items.iter().enumerate() {
        if issues.is_full() {
            break;
        }
        let inner = Scope {
            root: scope.root,
            item,
            source_prefix: format!("{source_path}[{i}]"),
            target_prefix: format!("{target_text}[{i}]"),
            depth: scope.depth + 1,
        };
        let mut element = Value::Object(Map::new());
        apply_rules(fields, &inner, &mut element, issues);
        elements.push(element);
    }
    if issues.len() > before || issues.is_full() {
        Outcome::Failed
    } else {
        Outcome::Value(Value::Array(elements))
    }
}

fn spec_count(spec: &SpecRef<'_>) -> usize {
    usize::from(spec.source.is_some())
        + usize::from(spec.constant.is_some())
        + usize::from(spec.concat.is_some())
        + usize::from(spec.currency.is_some())
        + usize::from(spec.duration.is_some())
}

/// Splits `$.a.b` (record root) from `a.b` (current item) and parses the rest.
fn resolve<'r>(
    scope: &Scope<'r>,
    source: &str,
) -> std::result::Result<(&'r Value, Vec<Segment>), String> {
    if source == "$" {
        return Ok((scope.root, Vec::new()));
    }
    match source.strip_prefix("$.") {
        Some(rest) => Ok((scope.root, path::parse(rest)?)),
        None => Ok((scope.item, path::parse(source)?)),
    }
}

fn source_text(scope: &Scope<'_>, source: &str) -> String {
    match source.strip_prefix("$.") {
        Some(rest) => rest.to_owned(),
        None if source == "$" => String::new(),
        None => join(&scope.source_prefix, source),
    }
}

fn push_sourced(issues: &mut Issues, target: &str, source: &str, code: IssueCode, message: String) {
    if let Some(issue) = issues.push_at(target.to_owned(), code, message) {
        issue.source_path = Some(source.to_owned());
    }
}

fn is_missing(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
        || v.and_then(Value::as_str)
            .is_some_and(|s| s.trim().is_empty())
}

fn evaluate(spec: SpecRef<'_>, target: &str, scope: &Scope<'_>, issues: &mut Issues) -> Outcome {
    if scope.depth >= MAX_MAPPING_DEPTH {
        issues.push_at(
            target.to_owned(),
            IssueCode::TooDeep,
            format!("Value specs nest deeper than {MAX_MAPPING_DEPTH} levels."),
        );
        return Outcome::Failed;
    }
    let count = spec_count(&spec);
    if count != 1 {
        let what = if count == 0 {
            "has no value spec"
        } else {
            "has more than one value spec"
        };
        issues.push_at(
            target.to_owned(),
            IssueCode::InvalidMapping,
            format!(
                "The rule {what}: give exactly one of source, const, concat, currency, duration."
            ),
        );
        return Outcome::Failed;
    }
    let deeper = Scope {
        root: scope.root,
        item: scope.item,
        source_prefix: scope.source_prefix.clone(),
        target_prefix: scope.target_prefix.clone(),
        depth: scope.depth + 1,
    };
    let mut source_path: Option<String> = None;
    let raw: Option<Value> = if let Some(source) = spec.source {
        if source.len() > MAX_PATH_CHARS {
            issues.push_at(
                target.to_owned(),
                IssueCode::InvalidPath,
                format!("The source path is longer than {MAX_PATH_CHARS} characters."),
            );
            return Outcome::Failed;
        }
        let text = source_text(scope, source);
        source_path = Some(text.clone());
        match resolve(scope, source) {
            Ok((base, segments)) => {
                let found = path::get(base, &segments);
                (!is_missing(found)).then(|| found.cloned()).flatten()
            }
            Err(why) => {
                push_sourced(
                    issues,
                    target,
                    &text,
                    IssueCode::InvalidPath,
                    format!("The source path is malformed: {why}."),
                );
                return Outcome::Failed;
            }
        }
    } else if let Some(constant) = spec.constant {
        Some(constant.clone())
    } else if let Some(parts) = spec.concat {
        let mut pieces: Vec<String> = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            match part {
                ConcatPart::Text(t) => pieces.push(t.clone()),
                ConcatPart::Spec(s) => match evaluate(
                    s.spec(),
                    &format!("{target} (concat part {i})"),
                    &deeper,
                    issues,
                ) {
                    Outcome::Value(Value::String(t)) => pieces.push(t),
                    Outcome::Value(Value::Number(n)) => pieces.push(n.to_string()),
                    Outcome::Value(Value::Bool(b)) => pieces.push(b.to_string()),
                    Outcome::Value(other) => {
                        issues.push_at(
                            target.to_owned(),
                            IssueCode::TransformFailed,
                            format!("concat part {i} is {}; only text, numbers and booleans can be joined.", describe(&other)),
                        );
                        return Outcome::Failed;
                    }
                    Outcome::Skip => {}
                    Outcome::Failed => return Outcome::Failed,
                },
            }
        }
        let joined = pieces.join(spec.separator.unwrap_or(""));
        (!joined.trim().is_empty()).then_some(Value::String(joined))
    } else if let Some(currency) = spec.currency {
        match currency_value(currency, target, &deeper, issues) {
            Outcome::Value(v) => Some(v),
            other => return other,
        }
    } else if let Some(duration) = spec.duration {
        match duration_value(duration, target, &deeper, issues) {
            Outcome::Value(v) => Some(v),
            other => return other,
        }
    } else {
        None
    };

    let Some(mut value) = raw else {
        if let Some(default) = spec.default {
            return Outcome::Value(default.clone());
        }
        if spec.optional {
            return Outcome::Skip;
        }
        let message = match &source_path {
            Some(_) => "The record has no value here (missing, null or empty); fix the source path, add a `default`, or mark the rule `optional`.",
            None => "The parts gave no value; add a `default` or mark the rule `optional`.",
        };
        let issue = issues.push_at(target.to_owned(), IssueCode::MissingSourceValue, message);
        if let Some(issue) = issue {
            issue.source_path = source_path;
        }
        return Outcome::Failed;
    };
    for (i, step) in spec.transform.iter().enumerate() {
        match transform::apply(step, value) {
            Ok(next) => value = next,
            Err(why) => {
                let issue = issues.push_at(
                    target.to_owned(),
                    IssueCode::TransformFailed,
                    format!("Transform {i} ({}) failed: {why}.", op_name(step)),
                );
                if let Some(issue) = issue {
                    issue.source_path = source_path;
                }
                return Outcome::Failed;
            }
        }
    }
    Outcome::Value(value)
}

fn op_name(t: &Transform) -> &'static str {
    match t {
        Transform::Date { .. } => "date",
        Transform::Datetime => "datetime",
        Transform::Number { .. } => "number",
        Transform::Integer => "integer",
        Transform::Boolean => "boolean",
        Transform::String => "string",
        Transform::Trim => "trim",
        Transform::Upper => "upper",
        Transform::Lower => "lower",
        Transform::Split { .. } => "split",
        Transform::Lookup { .. } => "lookup",
    }
}

/// Evaluates a member spec; `Skip` (optional and missing) becomes `None`.
fn member(
    spec: &ValueSpec,
    target: &str,
    scope: &Scope<'_>,
    issues: &mut Issues,
) -> std::result::Result<Option<Value>, ()> {
    match evaluate(spec.spec(), target, scope, issues) {
        Outcome::Value(v) => Ok(Some(v)),
        Outcome::Skip => Ok(None),
        Outcome::Failed => Err(()),
    }
}

fn currency_value(
    spec: &CurrencySpec,
    target: &str,
    scope: &Scope<'_>,
    issues: &mut Issues,
) -> Outcome {
    let code_at = join(target, "type");
    let value_at = join(target, "value");
    let code = member(&spec.code, &code_at, scope, issues);
    let amount = member(&spec.value, &value_at, scope, issues);
    let (Ok(code), Ok(amount)) = (code, amount) else {
        return Outcome::Failed;
    };
    let (Some(code), Some(amount)) = (code, amount) else {
        // An optional member was missing: the whole currency is absent.
        return Outcome::Skip;
    };
    let code = match code {
        Value::String(s) => s.trim().to_ascii_uppercase(),
        other => {
            issues.push_at(
                code_at,
                IssueCode::TransformFailed,
                format!("A currency code is text, got {}.", describe(&other)),
            );
            return Outcome::Failed;
        }
    };
    let amount = match transform::apply(
        &Transform::Number {
            decimal_separator: None,
        },
        amount,
    ) {
        Ok(Value::Number(n)) => n,
        Ok(other) => {
            let source = spec.value.source.as_deref().map(|s| source_text(scope, s));
            if let Some(issue) = issues.push_at(
                value_at,
                IssueCode::TransformFailed,
                format!("The currency amount is {}, not a number.", describe(&other)),
            ) {
                issue.source_path = source;
            }
            return Outcome::Failed;
        }
        Err(why) => {
            let source = spec.value.source.as_deref().map(|s| source_text(scope, s));
            if let Some(issue) = issues.push_at(
                value_at,
                IssueCode::TransformFailed,
                format!("The currency amount: {why}."),
            ) {
                issue.source_path = source;
            }
            return Outcome::Failed;
        }
    };
    let mut object = Map::new();
    object.insert("type".into(), Value::String(code));
    object.insert("value".into(), Value::Number(amount));
    Outcome::Value(Value::Object(object))
}

fn duration_value(
    spec: &DurationSpec,
    target: &str,
    scope: &Scope<'_>,
    issues: &mut Issues,
) -> Outcome {
    let unit_at = join(target, "type");
    let value_at = join(target, "value");
    let days_at = join(target, "days");
    let unit = member(&spec.unit, &unit_at, scope, issues);
    let value = member(&spec.value, &value_at, scope, issues);
    let days = match &spec.days {
        Some(d) => member(d, &days_at, scope, issues),
        None => Ok(None),
    };
    let (Ok(unit), Ok(value), Ok(days)) = (unit, value, days) else {
        return Outcome::Failed;
    };
    let (Some(unit), Some(value)) = (unit, value) else {
        return Outcome::Skip;
    };
    let Some(unit) = unit.as_str().and_then(DurationUnit::parse_loose) else {
        issues.push_at(
            unit_at,
            IssueCode::TransformFailed,
            format!(
                "{} is not a duration unit (DAYS, MONTHS, YEARS).",
                describe(&unit)
            ),
        );
        return Outcome::Failed;
    };
    let whole = |v: Value, at: String, issues: &mut Issues| match transform::apply(
        &Transform::Integer,
        v,
    ) {
        Ok(Value::Number(n)) => n.as_i64().or_else(|| {
            issues.push_at(
                at.clone(),
                IssueCode::TransformFailed,
                "The number is out of range.",
            );
            None
        }),
        Ok(_) | Err(_) => {
            issues.push_at(at, IssueCode::TransformFailed, "Needs a whole number.");
            None
        }
    };
    let Some(value) = whole(value, value_at.clone(), issues) else {
        return Outcome::Failed;
    };
    let days = match days {
        Some(d) => match whole(d, days_at, issues) {
            Some(d) => d,
            None => return Outcome::Failed,
        },
        None => match unit.days(value) {
            Some(d) => d,
            None => {
                issues.push_at(
                    value_at,
                    IssueCode::TransformFailed,
                    "The duration is too long.",
                );
                return Outcome::Failed;
            }
        },
    };
    let mut object = Map::new();
    object.insert("type".into(), Value::String(unit.as_str().to_owned()));
    object.insert("value".into(), Value::Number(value.into()));
    object.insert("days".into(), Value::Number(days.into()));
    Outcome::Value(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(v: Value) -> Mapping {
        Mapping::from_value(&v).unwrap()
    }

    #[test]
    fn builds_nested_targets_with_transforms() {
        let record = json!({"id": 7, "properties": {"dealname": "Acme", "amount": "12,000", "currency": "usd",
            "closedate": "2026-03-28T00:00:00Z", "term": "12", "unit": "months", "countries": "US;IN"},
            "items": [{"name": "Impl", "price": "5000"}, {"name": "Sub", "price": 7000}]});
        let m = mapping(json!({"fields": [
            {"target": "contract_template_id", "const": 1204},
            {"target": "contract_name", "concat": [{"source": "properties.dealname"}, "MSA"], "separator": " - "},
            {"target": "contract_data.agreement_date", "source": "properties.closedate", "transform": [{"op": "DATE"}]},
            {"target": "contract_data.billing_currency", "currency": {"code": {"source": "properties.currency"},
                "value": {"source": "properties.amount"}}},
            {"target": "contract_data.subscription_term", "duration": {"unit": {"source": "properties.unit"},
                "value": {"source": "properties.term"}}},
            {"target": "contract_data.service_countries", "source": "properties.countries",
                "transform": [{"op": "SPLIT", "separator": ";"}]},
            {"target": "contract_data.pricing_schedule", "each": "items", "fields": [
                {"target": "milestone", "source": "name"},
                {"target": "amount", "currency": {"code": {"const": "USD"}, "value": {"source": "price"}}},
                {"target": "deal", "source": "$.id", "transform": [{"op": "STRING"}]}
            ]},
            {"target": "external_metadata.id", "source": "id", "transform": [{"op": "STRING"}]},
            {"target": "entity_reference_id", "source": "properties.entity", "optional": true},
            {"target": "contract_data.auto_renewal", "source": "properties.renews", "default": true}
        ]}));
        let out = build_create_contract(&record, &m).unwrap();
        assert_eq!(
            out,
            json!({
                "contract_template_id": 1204,
                "contract_name": "Acme - MSA",
                "contract_data": {
                    "agreement_date": "2026-03-28",
                    "billing_currency": {"type": "USD", "value": 12000},
                    "subscription_term": {"type": "MONTHS", "value": 12, "days": 365},
                    "service_countries": ["US", "IN"],
                    "pricing_schedule": [
                        {"milestone": "Impl", "amount": {"type": "USD", "value": 5000}, "deal": "7"},
                        {"milestone": "Sub", "amount": {"type": "USD", "value": 7000}, "deal": "7"}
                    ],
                    "auto_renewal": true
                },
                "external_metadata": {"id": "7"}
            })
        );
    }

    #[test]
    fn reports_every_failure_with_source_and_target() {
        let record =
            json!({"properties": {"amount": "lots", "stage": "weird"}, "items": [{"price": "x"}]});
        let m = mapping(json!({"fields": [
            {"target": "contract_name", "source": "properties.dealname"},
            {"target": "contract_data.fee", "source": "properties.amount", "transform": [{"op": "NUMBER"}]},
            {"target": "contract_data.stage", "source": "properties.stage",
                "transform": [{"op": "LOOKUP", "table": {"won": "closed"}}]},
            {"target": "contract_data.rows", "each": "items", "fields": [
                {"target": "price", "source": "price", "transform": [{"op": "INTEGER"}]}]},
            {"target": "contract_data..x", "const": 1},
            {"target": "contract_data.both", "const": 1, "source": "a"},
            {"target": "contract_data.fee", "const": 2}
        ]}));
        let report = build_create_contract(&record, &m).unwrap_err();
        let got: Vec<(String, IssueCode, Option<String>)> = report
            .issues
            .iter()
            .map(|i| (i.path.clone(), i.code, i.source_path.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "contract_name".into(),
                    IssueCode::MissingSourceValue,
                    Some("properties.dealname".into())
                ),
                (
                    "contract_data.fee".into(),
                    IssueCode::TransformFailed,
                    Some("properties.amount".into())
                ),
                (
                    "contract_data.stage".into(),
                    IssueCode::TransformFailed,
                    Some("properties.stage".into())
                ),
                (
                    "contract_data.rows[0].price".into(),
                    IssueCode::TransformFailed,
                    Some("items[0].price".into())
                ),
                ("contract_data..x".into(), IssueCode::InvalidPath, None),
                ("contract_data.both".into(), IssueCode::InvalidMapping, None),
            ]
        );
        assert!(!report.valid);
    }

    #[test]
    fn conflicting_targets_are_reported() {
        let m = mapping(json!({"fields": [
            {"target": "contract_name", "const": "A"},
            {"target": "contract_name", "const": "B"},
            {"target": "contract_name.x", "const": "C"}
        ]}));
        let report = build_create_contract(&json!({}), &m).unwrap_err();
        assert_eq!(
            report.codes(),
            [IssueCode::TargetConflict, IssueCode::TargetConflict]
        );
    }

    #[test]
    fn mapping_typos_name_their_path() {
        let error = Mapping::from_value(
            &json!({"fields": [{"target": "a", "source": "b", "transfrom": []}]}),
        )
        .unwrap_err();
        assert_eq!(error.code, crate::ErrorCode::InvalidArgument);
        assert!(
            error.details[0].path.starts_with("mapping.fields[0]"),
            "{}",
            error.details[0].path
        );
        let error = Mapping::from_value(
            &json!({"fields": [{"target": "a", "source": "b", "transform": [{"op": "explode"}]}]}),
        )
        .unwrap_err();
        assert!(
            error.details[0]
                .path
                .starts_with("mapping.fields[0].transform[0]"),
            "{}",
            error.details[0].path
        );
    }

    #[test]
    fn an_old_lower_case_spelling_is_refused_naming_the_new_one() {
        for (old, new) in [("upper", "UPPER"), ("datetime", "DATETIME")] {
            let error = Mapping::from_value(
                &json!({"fields": [{"target": "a", "source": "b", "transform": [{"op": old}]}]}),
            )
            .unwrap_err();
            assert_eq!(error.code, crate::ErrorCode::InvalidArgument);
            let message = &error.details[0].message;
            assert!(
                message.contains(&format!("`{old}` is now spelt `{new}`")),
                "{message}"
            );
        }
        let error = Mapping::from_value(&json!({"fields": [{"target": "a", "source": "b",
            "transform": [{"op": "DATE", "from": "epochMillis"}]}]}))
        .unwrap_err();
        assert!(
            error.details[0].message.contains("`EPOCH_MILLIS`"),
            "{}",
            error.details[0].message
        );
    }
}
