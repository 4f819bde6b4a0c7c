//! The validation report: every problem found, each with a JSON path, a stable code, a
//! message saying what to do, and an optional suggestion.
//!
//! The collector [`Issues`] caps the number of issues so that a hostile payload (a million
//! bad signatories) costs bounded memory; past the cap it records one `TOO_MANY_ISSUES`.
//! Nothing here inspects a payload.

use super::path::Path;
use crate::error::{Error, ErrorCode, ErrorDetail};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Most issues one report holds before it stops collecting and adds `TOO_MANY_ISSUES`.
pub const MAX_ISSUES: usize = 1000;

/// Stable codes of validation and mapping issues, serialised as `SCREAMING_SNAKE_CASE`.
///
/// Codes are a contract with users: add new ones, never rename or remove one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum IssueCode {
    /// A required value is missing, `null` or empty.
    Required,
    /// A value has the wrong JSON type (a string where a number belongs, …).
    WrongType,
    /// A key that SpotDraft (or the template) does not know.
    UnknownField,
    /// Not a usable email address.
    InvalidEmail,
    /// Not a real calendar date in `YYYY-MM-DD` form.
    InvalidDate,
    /// Not an ISO-8601 date-time such as `2026-09-15T10:30:00Z`.
    InvalidDatetime,
    /// Not an ISO 3166-1 alpha-2 country code.
    InvalidCountryCode,
    /// Not an ISO 4217 currency code.
    InvalidCurrencyCode,
    /// Not one of the allowed option values.
    NotAnOption,
    /// A number outside its allowed range (a negative `sign_order`, a fractional integer …).
    OutOfRange,
    /// Not a UUID (`object_configuration_id`).
    InvalidUuid,
    /// Not standard base64 (`content_base64` of an attachment).
    InvalidBase64,
    /// A counterparty signatory's `counterparty_name` matches no counterparty.
    CounterpartyNameMismatch,
    /// A signatory of the creator's side carries a `counterparty_name`.
    CounterpartyNameNotAllowed,
    /// `sign_order` is set on some signatories but not all.
    SignOrderInconsistent,
    /// Signing order is used but no signatory belongs to a counterparty.
    NoCounterpartySignatory,
    /// `is_individual` contradicts the template's `counter_party_kind`.
    CounterpartyKindMismatch,
    /// The template metadata itself could not be used.
    InvalidTemplate,
    /// Nesting deeper than the validator follows.
    TooDeep,
    /// The report stopped collecting; fix the issues shown and validate again.
    TooManyIssues,
    /// Mapping: the source record has no value at a required source path.
    MissingSourceValue,
    /// Mapping: a source or target path is malformed.
    InvalidPath,
    /// Mapping: a transform could not convert the source value.
    TransformFailed,
    /// Mapping: two rules write incompatible values to the same target.
    TargetConflict,
    /// Mapping: a rule is malformed (no value spec, two value specs, …).
    InvalidMapping,
}

impl IssueCode {
    /// The wire name of the code, as JS sees it (`"UNKNOWN_FIELD"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "REQUIRED",
            Self::WrongType => "WRONG_TYPE",
            Self::UnknownField => "UNKNOWN_FIELD",
            Self::InvalidEmail => "INVALID_EMAIL",
            Self::InvalidDate => "INVALID_DATE",
            Self::InvalidDatetime => "INVALID_DATETIME",
            Self::InvalidCountryCode => "INVALID_COUNTRY_CODE",
            Self::InvalidCurrencyCode => "INVALID_CURRENCY_CODE",
            Self::NotAnOption => "NOT_AN_OPTION",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::InvalidUuid => "INVALID_UUID",
            Self::InvalidBase64 => "INVALID_BASE64",
            Self::CounterpartyNameMismatch => "COUNTERPARTY_NAME_MISMATCH",
            Self::CounterpartyNameNotAllowed => "COUNTERPARTY_NAME_NOT_ALLOWED",
            Self::SignOrderInconsistent => "SIGN_ORDER_INCONSISTENT",
            Self::NoCounterpartySignatory => "NO_COUNTERPARTY_SIGNATORY",
            Self::CounterpartyKindMismatch => "COUNTERPARTY_KIND_MISMATCH",
            Self::InvalidTemplate => "INVALID_TEMPLATE",
            Self::TooDeep => "TOO_DEEP",
            Self::TooManyIssues => "TOO_MANY_ISSUES",
            Self::MissingSourceValue => "MISSING_SOURCE_VALUE",
            Self::InvalidPath => "INVALID_PATH",
            Self::TransformFailed => "TRANSFORM_FAILED",
            Self::TargetConflict => "TARGET_CONFLICT",
            Self::InvalidMapping => "INVALID_MAPPING",
        }
    }
}

impl std::fmt::Display for IssueCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ValidationIssue {
    /// JSON path in the create body, e.g. `counter_party_details[0].organization_name`
    /// (`""` for the body itself).
    pub path: String,
    /// Stable code.
    pub code: IssueCode,
    /// What is wrong and what to do about it.
    pub message: String,
    /// Record mapping only: the path in the source record the value came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub source_path: Option<String>,
    /// A likely intended value: the closest field name, option value or counterparty name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub suggestion: Option<String>,
}

impl ValidationIssue {
    /// Sets the suggestion.
    pub fn with_suggestion(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Sets the source path.
    pub fn with_source_path(mut self, source_path: Option<String>) -> Self {
        self.source_path = source_path;
        self
    }
}

impl From<ValidationIssue> for ErrorDetail {
    fn from(issue: ValidationIssue) -> Self {
        Self {
            path: issue.path,
            code: issue.code.as_str().to_owned(),
            message: issue.message,
            source_path: issue.source_path,
            suggestion: issue.suggestion,
        }
    }
}

/// The outcome of a validation: `valid` is true exactly when `issues` is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// True when no issue was found.
    pub valid: bool,
    /// Every issue found, in payload order (capped at [`MAX_ISSUES`] plus one
    /// `TOO_MANY_ISSUES`).
    pub issues: Vec<ValidationIssue>,
}

impl ValidationReport {
    /// A report of `issues`.
    pub fn from_issues(issues: Vec<ValidationIssue>) -> Self {
        Self {
            valid: issues.is_empty(),
            issues,
        }
    }

    /// `Ok(())` when valid, else the `VALIDATION_FAILED` error of [`Error::from`].
    ///
    /// # Errors
    /// `VALIDATION_FAILED` with every issue as a detail, when any issue was found.
    pub fn into_result(self) -> Result<(), Error> {
        if self.valid {
            Ok(())
        } else {
            Err(self.into())
        }
    }

    /// The codes of the issues, in order (handy in tests and logs).
    pub fn codes(&self) -> Vec<IssueCode> {
        self.issues.iter().map(|i| i.code).collect()
    }
}

impl From<ValidationReport> for Error {
    /// `VALIDATION_FAILED` carrying every issue as a detail, for refusing a create before
    /// the network. A valid report still converts (with no details); callers normally use
    /// [`ValidationReport::into_result`].
    fn from(report: ValidationReport) -> Self {
        let count = report.issues.len();
        let first = report
            .issues
            .first()
            .map(|i| {
                let at = if i.path.is_empty() {
                    "the payload"
                } else {
                    &i.path
                };
                format!(" First: {} at {at}: {}", i.code, i.message)
            })
            .unwrap_or_default();
        let noun = if count == 1 { "problem" } else { "problems" };
        Error::new(
            ErrorCode::ValidationFailed,
            format!("The contract payload has {count} {noun}; see `details` for each path.{first}"),
        )
        .with_details(report.issues.into_iter().map(ErrorDetail::from))
    }
}

/// Most did-you-mean searches one report runs: each costs up to
/// `suggest::MAX_CANDIDATES` bounded edit distances, so the total stays bounded.
pub const MAX_SUGGESTIONS: usize = 100;

/// Collects issues up to [`MAX_ISSUES`].
#[derive(Debug, Default)]
pub struct Issues {
    list: Vec<ValidationIssue>,
    overflowed: bool,
    suggestions: usize,
}

impl Issues {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a did-you-mean search may still run (and counts it); false after
    /// [`MAX_SUGGESTIONS`], after which issues carry no suggestion.
    pub fn take_suggestion(&mut self) -> bool {
        if self.suggestions >= MAX_SUGGESTIONS || self.overflowed {
            return false;
        }
        self.suggestions += 1;
        true
    }

    /// True once the cap is reached; loops over big arrays stop early then.
    pub fn is_full(&self) -> bool {
        self.overflowed
    }

    /// Records an issue at `path` and returns it for decoration (suggestion, source path);
    /// past the cap the issue is dropped and `None` returned.
    pub fn push(
        &mut self,
        path: &Path<'_>,
        code: IssueCode,
        message: impl Into<String>,
    ) -> Option<&mut ValidationIssue> {
        self.push_at(path.render(), code, message)
    }

    /// As [`Issues::push`] with an already rendered path.
    pub fn push_at(
        &mut self,
        path: String,
        code: IssueCode,
        message: impl Into<String>,
    ) -> Option<&mut ValidationIssue> {
        if self.list.len() >= MAX_ISSUES {
            self.overflowed = true;
            return None;
        }
        self.list.push(ValidationIssue {
            path,
            code,
            message: message.into(),
            source_path: None,
            suggestion: None,
        });
        self.list.last_mut()
    }

    /// Records an issue with a suggestion.
    pub fn push_suggest(
        &mut self,
        path: &Path<'_>,
        code: IssueCode,
        message: impl Into<String>,
        suggestion: Option<String>,
    ) {
        if let Some(issue) = self.push(path, code, message) {
            issue.suggestion = suggestion;
        }
    }

    /// Number of issues collected so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The issues, with a final `TOO_MANY_ISSUES` if the cap was hit.
    pub fn finish(mut self) -> Vec<ValidationIssue> {
        if self.overflowed {
            self.list.push(ValidationIssue {
                path: String::new(),
                code: IssueCode::TooManyIssues,
                message: format!(
                    "Stopped after {MAX_ISSUES} issues; fix these and validate again to see the rest."
                ),
                source_path: None,
                suggestion: None,
            });
        }
        self.list
    }

    /// The final report.
    pub fn into_report(self) -> ValidationReport {
        ValidationReport::from_issues(self.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_names() {
        for code in [
            IssueCode::Required,
            IssueCode::CounterpartyNameMismatch,
            IssueCode::TooManyIssues,
            IssueCode::InvalidMapping,
        ] {
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
    }

    #[test]
    fn the_cap_adds_one_too_many_issues() {
        let mut issues = Issues::new();
        let root = Path::root();
        for _ in 0..MAX_ISSUES + 5 {
            issues.push(&root, IssueCode::Required, "x");
        }
        assert!(issues.is_full());
        let list = issues.finish();
        assert_eq!(list.len(), MAX_ISSUES + 1);
        assert_eq!(list.last().unwrap().code, IssueCode::TooManyIssues);
    }

    #[test]
    fn report_becomes_validation_failed_with_details() {
        let mut issues = Issues::new();
        let root = Path::root();
        let p = root.key("contract_data");
        issues.push_suggest(&p, IssueCode::Required, "add it", Some("x".into()));
        let report = issues.into_report();
        assert!(!report.valid);
        let error = report.into_result().unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert_eq!(error.details.len(), 1);
        assert_eq!(error.details[0].code, "REQUIRED");
        assert_eq!(error.details[0].path, "contract_data");
        assert_eq!(error.details[0].suggestion.as_deref(), Some("x"));
        assert!(error.message.contains("1 problem;"));
    }

    #[test]
    fn report_serialises_camel_case_and_omits_absent_options() {
        let report = ValidationReport::from_issues(vec![ValidationIssue {
            path: "a".into(),
            code: IssueCode::WrongType,
            message: "m".into(),
            source_path: Some("properties.amount".into()),
            suggestion: None,
        }]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"valid": false, "issues": [{"path": "a", "code": "WRONG_TYPE",
                "message": "m", "sourcePath": "properties.amount"}]})
        );
    }
}
