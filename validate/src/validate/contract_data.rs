//! `contract_data`: template field values, matched against the compiled template.
//!
//! Without a template only the container is checked (an object): the value types depend on
//! the template. With one: unknown keys (with did-you-mean over names and labels), missing
//! required fields, wrong types, option values, currency/duration/address objects and each
//! repeating row against its row fields.

use super::check::{
    array, boolean, integer, kind, number, object, quote, quote_str, string, JsonLike,
};
use super::counterparty::country_code;
use super::formats::parse_date;
use super::iso::{currency_suggestion, is_currency_code};
use super::json::{key_order, Json, Object};
use super::path::Path;
use super::report::{IssueCode, Issues};
use super::suggest::closest;
use crate::template::{
    CompiledTemplate, Field, FieldKind, FieldSet, GroupKind, OptionIndex, TemplateOption,
};
use serde_json::Value;
use std::cmp::Ordering;

/// Deepest value nesting followed (templates are capped well below this when compiled).
pub const MAX_VALUE_DEPTH: usize = 64;

const DURATION_UNITS: &[&str] = &["DAYS", "MONTHS", "YEARS"];

/// Checks `contract_data`.
pub fn validate(
    data: &Json<'_>,
    template: Option<&CompiledTemplate>,
    path: &Path<'_>,
    issues: &mut Issues,
) {
    let Some(map) = object(
        data,
        path,
        issues,
        "`contract_data` (template field name → value)",
    ) else {
        return;
    };
    let Some(template) = template else {
        return;
    };
    fields(map, &template.fields, path, 0, issues);
}

/// Checks an object against a set of fields: unknown keys, values, then missing required.
///
/// The object's members and the set's name index are both sorted by name, so they are walked
/// together (one comparison per step) instead of searching the set for every member and the
/// object for every required field.
fn fields(map: &Object<'_>, set: &FieldSet, path: &Path<'_>, depth: usize, issues: &mut Issues) {
    let all = &set.fields;
    let mut present = vec![false; all.len()];
    let mut index = set.by_name().peekable();
    for (key, value) in map.iter() {
        if issues.is_full() {
            return;
        }
        // Every index entry named `key` (a template may describe a name twice).
        let mut matches = 0usize;
        let mut matched = 0usize;
        while let Some(&(name, i)) = index.peek() {
            match key_order(name, key) {
                Ordering::Less => {}
                Ordering::Equal => {
                    matches += 1;
                    matched = i;
                    if let Some(p) = present.get_mut(i) {
                        *p = true;
                    }
                }
                Ordering::Greater => break,
            }
            index.next();
        }
        let at = path.key(key);
        // With one match the field is that entry; with several, the same one `FieldSet::get`
        // picks.
        let field = match matches {
            0 => None,
            1 => all.get(matched),
            _ => set.get(key),
        };
        match field {
            Some(field) => check_value(value, field, &at, depth, issues),
            None => unknown_field(key, all, &at, issues),
        }
    }
    missing(all, &present, path, issues);
}

fn unknown_field(key: &str, all: &[Field], at: &Path<'_>, issues: &mut Issues) {
    let suggestion = if issues.take_suggestion() {
        closest(
            key,
            all.iter()
                .map(|f| (f.name.as_str(), Some(f.label.as_str()))),
        )
    } else {
        None
    };
    let hint = match suggestion {
        Some(s) => format!(" Did you mean `{s}`?"),
        None => " Use the template's field names (variable), as GET /templates/{id}/metadata lists them.".to_owned(),
    };
    issues.push_suggest(
        at,
        IssueCode::UnknownField,
        format!("The template has no field {}.{hint}", quote_str(key)),
        suggestion.map(str::to_owned),
    );
}

/// Reports required fields whose key is not in the object (`present[i]` for `all[i]`).
fn missing(all: &[Field], present: &[bool], path: &Path<'_>, issues: &mut Issues) {
    for (field, here) in all.iter().zip(present) {
        if !field.required {
            continue;
        }
        if issues.is_full() {
            return;
        }
        if !here {
            issues.push(
                &path.key(&field.name),
                IssueCode::Required,
                format!(
                    "The template requires \"{}\" (`{}`): add it as {}.",
                    field.label,
                    field.name,
                    expected(&field.kind)
                ),
            );
        }
    }
}

/// What a value of `kind` looks like, for messages.
fn expected(kind: &FieldKind) -> String {
    match kind {
        FieldKind::Text => "a string".into(),
        FieldKind::Boolean => "true or false".into(),
        FieldKind::Integer => "a whole number".into(),
        FieldKind::Number => "a number".into(),
        FieldKind::Date => "a date \"YYYY-MM-DD\"".into(),
        FieldKind::Strings => "an array of strings".into(),
        FieldKind::Options {
            options, multiple, ..
        } => {
            let list = option_list(options);
            if *multiple {
                format!("an array of option values ({list})")
            } else {
                format!("one option value ({list})")
            }
        }
        FieldKind::Files => "a file object".into(),
        FieldKind::Repeating { .. } => "an array of row objects".into(),
        FieldKind::Group { kind, .. } => match kind {
            GroupKind::Currency => "{\"type\": \"<ISO 4217 code>\", \"value\": <number>}".into(),
            GroupKind::Duration => {
                "{\"type\": \"DAYS\"|\"MONTHS\"|\"YEARS\", \"value\": <int>, \"days\": <int>}"
                    .into()
            }
            GroupKind::Address => "an address object {\"line_one\", \"city\", …}".into(),
            GroupKind::Phone => "{\"number\", \"country_code\", \"code\"}".into(),
            GroupKind::Other(_) => "an object".into(),
        },
        FieldKind::Unknown(t) => format!("a value of type {t}"),
    }
}

fn option_value(option: &TemplateOption) -> Value {
    option
        .value
        .clone()
        .unwrap_or_else(|| Value::String(option.label.clone()))
}

fn option_text<V: JsonLike + ?Sized>(value: &V) -> String {
    match value.as_text() {
        Some(s) => s.to_owned(),
        None => quote(value),
    }
}

fn option_list(options: &[TemplateOption]) -> String {
    let mut shown: Vec<String> = options
        .iter()
        .take(10)
        .map(|o| quote(&option_value(o)))
        .collect();
    if options.len() > 10 {
        shown.push(format!("… {} more", options.len() - 10));
    }
    shown.join(", ")
}

fn check_value(v: &Json<'_>, field: &Field, path: &Path<'_>, depth: usize, issues: &mut Issues) {
    if depth > MAX_VALUE_DEPTH {
        issues.push(
            path,
            IssueCode::TooDeep,
            format!("Nested deeper than {MAX_VALUE_DEPTH} levels; not checked further."),
        );
        return;
    }
    if v.is_null() {
        if field.required {
            issues.push(
                path,
                IssueCode::Required,
                format!(
                    "\"{}\" is required but null: give {}.",
                    field.label,
                    expected(&field.kind)
                ),
            );
        }
        return;
    }
    match &field.kind {
        FieldKind::Text => {
            if let Some(s) = string(v, path, issues) {
                if field.required && s.trim().is_empty() {
                    issues.push(
                        path,
                        IssueCode::Required,
                        format!("\"{}\" is required but empty.", field.label),
                    );
                }
            }
        }
        FieldKind::Boolean => {
            boolean(v, path, issues);
        }
        FieldKind::Integer => {
            integer(v, path, issues);
        }
        FieldKind::Number => {
            number(v, path, issues);
        }
        FieldKind::Date => date(v, path, issues),
        FieldKind::Strings => {
            if let Some(items) = array(v, path, issues, "This field") {
                for (i, item) in items.iter().enumerate() {
                    if issues.is_full() {
                        return;
                    }
                    string(item, &path.index(i), issues);
                }
            }
        }
        FieldKind::Options {
            options,
            multiple: false,
            index,
        } => one_option(v, options, index, path, issues),
        FieldKind::Options {
            options,
            multiple: true,
            index,
        } => {
            if let Some(items) = array(v, path, issues, "A multi-select field") {
                for (i, item) in items.iter().enumerate() {
                    if issues.is_full() {
                        return;
                    }
                    one_option(item, options, index, &path.index(i), issues);
                }
            }
        }
        FieldKind::Files => match v {
            Json::Object(_) => {}
            Json::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if issues.is_full() {
                        return;
                    }
                    object(item, &path.index(i), issues, "A file");
                }
            }
            other => {
                issues.push(
                    path,
                    IssueCode::WrongType,
                    format!(
                        "A file field takes a file object (or an array of them), got {}.",
                        kind(other)
                    ),
                );
            }
        },
        FieldKind::Repeating { row } => {
            let Some(rows) = array(v, path, issues, "A repeating field (rows)") else {
                return;
            };
            for (i, item) in rows.iter().enumerate() {
                if issues.is_full() {
                    return;
                }
                let at = path.index(i);
                if let Some(map) = object(item, &at, issues, "A row") {
                    fields(map, row, &at, depth + 1, issues);
                }
            }
        }
        FieldKind::Group {
            kind: group,
            children,
        } => match v {
            Json::Object(map) => group_value(map, field, group, children, path, depth, issues),
            other => {
                // The label is only formatted when there is something to report.
                object(other, path, issues, &format!("\"{}\"", field.label));
            }
        },
        FieldKind::Unknown(_) => {}
    }
}

fn date(v: &Json<'_>, path: &Path<'_>, issues: &mut Issues) {
    let Some(s) = string(v, path, issues) else {
        return;
    };
    if parse_date(s).is_none() {
        // `2026-03-28T00:00:00Z` (a CRM date-time) → its date part.
        let suggestion = s
            .get(0..10)
            .filter(|d| parse_date(d).is_some())
            .map(str::to_owned);
        issues.push_suggest(
            path,
            IssueCode::InvalidDate,
            format!(
                "{} is not a calendar date; write it as \"YYYY-MM-DD\" (e.g. \"2026-03-28\").",
                quote_str(s)
            ),
            suggestion,
        );
    }
}

fn one_option(
    v: &Json<'_>,
    options: &[TemplateOption],
    index: &OptionIndex,
    path: &Path<'_>,
    issues: &mut Issues,
) {
    match v {
        Json::String(_) | Json::Number(_) | Json::Bool(_) => {}
        other => {
            issues.push(
                path,
                IssueCode::WrongType,
                format!(
                    "An option value is a string or number, got {}.",
                    kind(other)
                ),
            );
            return;
        }
    }
    if options.is_empty() || index.contains_json(options, v) {
        return;
    }
    let text = option_text(v);
    // A label given instead of its value ("Annual invoice" for "annual_invoice"), or a
    // near miss, leads to the value to send.
    let suggestion = if issues.take_suggestion() {
        options
            .iter()
            .find(|o| {
                o.label.trim().eq_ignore_ascii_case(text.trim())
                    || option_text(&option_value(o)) == text
            })
            .map(|o| option_text(&option_value(o)))
            .or_else(|| {
                let values: Vec<String> = options
                    .iter()
                    .map(|o| option_text(&option_value(o)))
                    .collect();
                closest(&text, values.iter().map(|s| (s.as_str(), None))).map(str::to_owned)
            })
    } else {
        None
    };
    issues.push_suggest(
        path,
        IssueCode::NotAnOption,
        format!(
            "{} is not one of the options; send an option value: {}.",
            quote(v),
            option_list(options)
        ),
        suggestion,
    );
}

fn group_value(
    map: &Object<'_>,
    field: &Field,
    group: &GroupKind,
    children: &[Field],
    path: &Path<'_>,
    depth: usize,
    issues: &mut Issues,
) {
    let documented = group.documented_keys();
    for (key, value) in map.iter() {
        if issues.is_full() {
            return;
        }
        let at = path.key(key);
        let child = field.child(key);
        // Semantic checks that hold whatever the template says about the child.
        match (group, key, value) {
            (GroupKind::Currency, "type", Json::String(code)) if !is_currency_code(code) => {
                issues.push_suggest(
                    &at,
                    IssueCode::InvalidCurrencyCode,
                    format!(
                        "{} is not an ISO 4217 currency code; use e.g. \"USD\", \"EUR\", \"INR\".",
                        quote_str(code)
                    ),
                    currency_suggestion(code),
                );
                continue;
            }
            (GroupKind::Duration, "type", Json::String(unit))
                if !DURATION_UNITS.contains(&unit.as_ref()) =>
            {
                let upper = unit.trim().to_ascii_uppercase();
                let suggestion = DURATION_UNITS
                    .iter()
                    .find(|u| **u == upper || u.strip_suffix('S') == Some(upper.as_str()))
                    .map(|u| (*u).to_owned());
                issues.push_suggest(
                    &at,
                    IssueCode::NotAnOption,
                    format!(
                        "{} is not a duration unit; use \"DAYS\", \"MONTHS\" or \"YEARS\".",
                        quote_str(unit)
                    ),
                    suggestion,
                );
                continue;
            }
            (GroupKind::Address, "country_iso_code", Json::String(code)) => {
                country_code(code, &at, issues);
                continue;
            }
            _ => {}
        }
        match child {
            Some(child) => check_value(value, child, &at, depth + 1, issues),
            None if documented.contains(&key) => documented_value(group, key, value, &at, issues),
            None => {
                let names = children
                    .iter()
                    .map(|c| c.name.as_str())
                    .chain(documented.iter().copied());
                let suggestion = if issues.take_suggestion() {
                    closest(key, names.map(|n| (n, None)))
                } else {
                    None
                };
                let hint = suggestion
                    .map(|s| format!(" Did you mean `{s}`?"))
                    .unwrap_or_default();
                issues.push_suggest(
                    &at,
                    IssueCode::UnknownField,
                    format!(
                        "\"{}\" has no member {}.{hint}",
                        field.label,
                        quote_str(key)
                    ),
                    suggestion.map(str::to_owned),
                );
            }
        }
    }
    for child in children.iter().filter(|c| c.required) {
        if issues.is_full() {
            return;
        }
        if !map.contains_key(&child.name) {
            issues.push(
                &path.key(&child.name),
                IssueCode::Required,
                format!(
                    "\"{}\" needs `{}`: add it as {}.",
                    field.label,
                    child.name,
                    expected(&child.kind)
                ),
            );
        }
    }
    // SpotDraft documents `days` as part of every duration value.
    if *group == GroupKind::Duration && field.child("days").is_none() && !map.contains_key("days") {
        issues.push(
            &path.key("days"),
            IssueCode::Required,
            format!(
                "\"{}\" needs `days`: the length in days (e.g. 365 for 12 months).",
                field.label
            ),
        );
    }
}

/// Checks a documented member the template did not describe.
fn documented_value(
    group: &GroupKind,
    key: &str,
    value: &Json<'_>,
    at: &Path<'_>,
    issues: &mut Issues,
) {
    match (group, key) {
        (GroupKind::Currency, "value") => {
            number(value, at, issues);
        }
        (GroupKind::Duration, "value") | (GroupKind::Duration, "days") => {
            if let Some(n) = integer(value, at, issues) {
                if n < 0 {
                    issues.push(at, IssueCode::OutOfRange, "A duration cannot be negative.");
                }
            }
        }
        (GroupKind::Currency, "type") | (GroupKind::Duration, "type") => {
            string(value, at, issues);
        }
        _ => {
            string(value, at, issues);
        }
    }
}
