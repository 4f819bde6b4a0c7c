//! `counter_party_details[]`: who the contract is with (v2.1 shape).
//!
//! `organization_type` is a label configured per workspace (`"company"`, `"LLC"` …), so it
//! is checked for presence only, never against a list.

use super::check::{
    array, boolean, object, optional, optional_nonempty_string, optional_string, quote_str,
    required, required_string, unknown_keys,
};
use super::formats::is_email;
use super::iso::{country_suggestion, is_country_code};
use super::json::{Json, Object};
use super::path::Path;
use super::report::{IssueCode, Issues};
use crate::template::{CompiledTemplate, CounterPartyKind};

const COUNTERPARTY_KEYS: &[&str] = &[
    "is_individual",
    "organization_type",
    "organization_name",
    "poc_details",
    "organization_details",
    "party_role_identifier",
];
const POC_KEYS: &[&str] = &["first_name", "last_name", "email"];
const DETAILS_KEYS: &[&str] = &["jurisdiction", "jurisdiction_iso_code", "address"];
const ADDRESS_KEYS: &[&str] = &[
    "line_one",
    "line_two",
    "city",
    "state",
    "country",
    "zipcode",
    "email",
    "phone",
    "gst_number",
    "tax_id",
    "country_iso_code",
];

/// What a signatory needs to know about a counterparty.
#[derive(Debug, Clone, PartialEq)]
pub struct CounterpartyName {
    /// The `counterparty_name` its signatories must carry: `organization_name`, or
    /// `"<first_name> <last_name>"` for an individual. `None` when it could not be read.
    pub expected: Option<String>,
}

/// Checks the array; returns the names signatories must match (one per item, in order).
pub fn validate(
    v: &Json<'_>,
    template: Option<&CompiledTemplate>,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<Vec<CounterpartyName>> {
    let items = array(v, path, issues, "`counter_party_details`")?;
    if items.is_empty() {
        issues.push(
            path,
            IssueCode::Required,
            "`counter_party_details` is empty: add at least one counterparty.",
        );
    }
    let kind = template.and_then(|t| t.counter_party_kind);
    let mut names = Vec::with_capacity(items.len().min(1024));
    for (i, item) in items.iter().enumerate() {
        if issues.is_full() {
            break;
        }
        names.push(one(item, kind, &path.index(i), issues));
    }
    Some(names)
}

fn one(
    v: &Json<'_>,
    template_kind: Option<CounterPartyKind>,
    path: &Path<'_>,
    issues: &mut Issues,
) -> CounterpartyName {
    let unknown = CounterpartyName { expected: None };
    let Some(cp) = object(v, path, issues, "A counterparty") else {
        return unknown;
    };
    unknown_keys(cp, COUNTERPARTY_KEYS, path, issues);
    let is_individual = required(
        cp,
        "is_individual",
        path,
        issues,
        "set true for a person, false for an organisation.",
    )
    .and_then(|v| boolean(v, &path.key("is_individual"), issues));

    if let (Some(individual), Some(kind)) = (is_individual, template_kind) {
        let clash = match kind {
            CounterPartyKind::Individual => !individual,
            CounterPartyKind::Organisation => individual,
            CounterPartyKind::Both => false,
        };
        if clash {
            let (want, flag) = match kind {
                CounterPartyKind::Individual => ("individuals", "true"),
                _ => ("organisations", "false"),
            };
            issues.push_suggest(
                &path.key("is_individual"),
                IssueCode::CounterpartyKindMismatch,
                format!(
                    "The template's counter_party_kind is {kind:?}: it takes {want} only. Set \
                     `is_individual` to {flag}, or use a template for this kind of counterparty."
                ),
                Some(flag.to_owned()),
            );
        }
    }

    let organization_name = if is_individual == Some(false) {
        required_string(
            cp,
            "organization_type",
            path,
            issues,
            "give the workspace's label for the organisation type (e.g. \"company\").",
        );
        required_string(
            cp,
            "organization_name",
            path,
            issues,
            "give the organisation's legal name (required when is_individual is false).",
        )
    } else {
        optional_string(cp, "organization_type", path, issues);
        optional_string(cp, "organization_name", path, issues)
    };
    optional_nonempty_string(cp, "party_role_identifier", path, issues);

    let person = required(
        cp,
        "poc_details",
        path,
        issues,
        "give the point of contact: {\"first_name\", \"email\"} at least.",
    )
    .and_then(|v| poc(v, &path.key("poc_details"), issues));

    if let Some(details) = optional(cp, "organization_details", path, issues) {
        organization_details(details, &path.key("organization_details"), issues);
    }

    let expected = match is_individual {
        Some(false) => organization_name.map(str::to_owned),
        Some(true) => person.and_then(|(first, last)| {
            let first = first?;
            Some(match last {
                Some(last) if !last.is_empty() => format!("{first} {last}"),
                _ => first.to_owned(),
            })
        }),
        None => None,
    };
    CounterpartyName { expected }
}

/// Returns `(first_name, last_name)` when the object could be read.
fn poc<'v>(
    v: &'v Json<'_>,
    path: &Path<'_>,
    issues: &mut Issues,
) -> Option<(Option<&'v str>, Option<&'v str>)> {
    let map = object(v, path, issues, "`poc_details`")?;
    unknown_keys(map, POC_KEYS, path, issues);
    let first = required_string(
        map,
        "first_name",
        path,
        issues,
        "give the contact's first name.",
    );
    let last = optional_string(map, "last_name", path, issues);
    email_field(map, "email", path, issues, true);
    Some((first, last))
}

/// Checks an email at `key`; `required` says whether it must be present.
pub fn email_field(
    map: &Object<'_>,
    key: &str,
    path: &Path<'_>,
    issues: &mut Issues,
    required_: bool,
) {
    let value = if required_ {
        required_string(map, key, path, issues, "give the contact's email address.")
    } else {
        optional_nonempty_string(map, key, path, issues)
    };
    if let Some(email) = value {
        if !is_email(email) {
            let trimmed = email.trim();
            let suggestion = (trimmed != email && is_email(trimmed)).then(|| trimmed.to_owned());
            issues.push_suggest(
                &path.key(key),
                IssueCode::InvalidEmail,
                format!(
                    "{} is not an email address; give one like \"legal@acme.example\".",
                    quote_str(email)
                ),
                suggestion,
            );
        }
    }
}

fn organization_details(v: &Json<'_>, path: &Path<'_>, issues: &mut Issues) {
    let Some(map) = object(v, path, issues, "`organization_details`") else {
        return;
    };
    unknown_keys(map, DETAILS_KEYS, path, issues);
    optional_string(map, "jurisdiction", path, issues);
    if let Some(code) = optional_string(map, "jurisdiction_iso_code", path, issues) {
        country_code(code, &path.key("jurisdiction_iso_code"), issues);
    }
    if let Some(address) = optional(map, "address", path, issues) {
        organization_address(address, &path.key("address"), issues);
    }
}

fn organization_address(v: &Json<'_>, path: &Path<'_>, issues: &mut Issues) {
    let Some(map) = object(v, path, issues, "The address") else {
        return;
    };
    unknown_keys(map, ADDRESS_KEYS, path, issues);
    required_string(
        map,
        "line_one",
        path,
        issues,
        "give the first address line (street and number).",
    );
    required_string(map, "city", path, issues, "give the city.");
    if let Some(code) = required_string(
        map,
        "country_iso_code",
        path,
        issues,
        "give the ISO 3166-1 alpha-2 country code, e.g. \"US\" (v2.1 addresses need it).",
    ) {
        country_code(code, &path.key("country_iso_code"), issues);
    }
    for key in [
        "line_two",
        "state",
        "country",
        "zipcode",
        "phone",
        "gst_number",
        "tax_id",
    ] {
        optional_string(map, key, path, issues);
    }
    email_field(map, "email", path, issues, false);
}

/// Reports `INVALID_COUNTRY_CODE` unless `code` is ISO 3166-1 alpha-2.
pub fn country_code(code: &str, path: &Path<'_>, issues: &mut Issues) {
    if !is_country_code(code) {
        issues.push_suggest(
            path,
            IssueCode::InvalidCountryCode,
            format!(
                "{} is not an ISO 3166-1 alpha-2 country code; use two upper-case letters such as \"US\", \"IN\" or \"GB\".",
                quote_str(code)
            ),
            country_suggestion(code),
        );
    }
}
