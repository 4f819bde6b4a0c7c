//! `signatories[]`: who signs, and the cross-field rules SpotDraft documents:
//! a counterparty signatory's `counterparty_name` names one of the counterparties exactly;
//! `sign_order` is on every signatory or on none; with `sign_order`, at least one signatory
//! belongs to a counterparty.

use super::check::{
    array, boolean, integer, object, optional_string, quote_str, required, required_string,
    unknown_keys,
};
use super::counterparty::{email_field, CounterpartyName};
use super::json::Json;
use super::path::Path;
use super::report::{IssueCode, Issues};
use super::suggest::closest_name;
use crate::sort;

const SIGNATORY_KEYS: &[&str] = &[
    "name",
    "email",
    "title",
    "is_counterparty_signatory",
    "counterparty_name",
    "sign_order",
    "note",
];

/// Checks the array against the counterparties' expected names (`None` when
/// `counter_party_details` was unreadable, which skips the name rule).
pub fn validate(
    v: &Json<'_>,
    counterparties: Option<&[CounterpartyName]>,
    path: &Path<'_>,
    issues: &mut Issues,
) {
    let Some(items) = array(v, path, issues, "`signatories`") else {
        return;
    };
    // The names signatories may use, read once and sorted (binary search per signatory,
    // so a payload with many signatories and counterparties stays O(n log n)). `None` when
    // some counterparty's name is unreadable: that has its own issue, and guessing here
    // would only add noise.
    let names: Option<Vec<&str>> = counterparties.and_then(|cps| {
        let mut names: Vec<&str> = cps
            .iter()
            .map(|c| c.expected.as_deref())
            .collect::<Option<_>>()?;
        sort::sort(&mut names);
        Some(names)
    });
    let mut with_order: Vec<usize> = Vec::new();
    let mut without_order: Vec<usize> = Vec::new();
    let mut any_counterparty_signatory = false;
    for (i, item) in items.iter().enumerate() {
        if issues.is_full() {
            return;
        }
        let p = path.index(i);
        let Some(map) = object(item, &p, issues, "A signatory") else {
            continue;
        };
        unknown_keys(map, SIGNATORY_KEYS, &p, issues);
        required_string(map, "name", &p, issues, "give the signatory's full name.");
        email_field(map, "email", &p, issues, true);
        optional_string(map, "title", &p, issues);
        optional_string(map, "note", &p, issues);
        let is_cp = required(
            map,
            "is_counterparty_signatory",
            &p,
            issues,
            "set true if the signatory signs for a counterparty, false for your own side.",
        )
        .and_then(|v| boolean(v, &p.key("is_counterparty_signatory"), issues));
        any_counterparty_signatory |= is_cp == Some(true);

        match map.get("sign_order") {
            None => without_order.push(i),
            Some(order) => {
                with_order.push(i);
                let at = p.key("sign_order");
                if let Some(n) = integer(order, &at, issues) {
                    if n < 1 {
                        issues.push(
                            &at,
                            IssueCode::OutOfRange,
                            format!("`sign_order` is {n}; signing positions start at 1."),
                        );
                    }
                }
            }
        }

        let name = optional_string(map, "counterparty_name", &p, issues);
        match is_cp {
            Some(true) => counterparty_name(name, names.as_deref(), &p, issues),
            Some(false) if name.is_some_and(|n| !n.is_empty()) => {
                issues.push(
                    &p.key("counterparty_name"),
                    IssueCode::CounterpartyNameNotAllowed,
                    "This signatory signs for your own side (is_counterparty_signatory is false); \
                     leave `counterparty_name` out, or set is_counterparty_signatory to true.",
                );
            }
            Some(false) => {}
            None => {}
        }
    }

    if !with_order.is_empty() && !without_order.is_empty() {
        for i in &without_order {
            if issues.is_full() {
                return;
            }
            let p = path.index(*i);
            issues.push(
                &p.key("sign_order"),
                IssueCode::SignOrderInconsistent,
                format!(
                    "`sign_order` is set on {} of {} signatories but not on this one; set it on \
                     every signatory or on none.",
                    with_order.len(),
                    items.len()
                ),
            );
        }
    }
    if !with_order.is_empty() && !any_counterparty_signatory {
        issues.push(
            path,
            IssueCode::NoCounterpartySignatory,
            "A signing order is set but no signatory has is_counterparty_signatory: true; add \
             a signatory for the counterparty, or drop `sign_order`.",
        );
    }
}

fn counterparty_name(
    name: Option<&str>,
    expected: Option<&[&str]>,
    path: &Path<'_>,
    issues: &mut Issues,
) {
    let at = path.key("counterparty_name");
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        issues.push(
            &at,
            IssueCode::Required,
            "A counterparty signatory needs `counterparty_name`: the counterparty's \
             organization_name, or \"<first_name> <last_name>\" for an individual.",
        );
        return;
    };
    let Some(expected) = expected else {
        return;
    };
    if expected.binary_search(&name).is_ok() {
        return;
    }
    let suggestion = if issues.take_suggestion() {
        expected
            .iter()
            .find(|e| e.trim().eq_ignore_ascii_case(name.trim()))
            .copied()
            .or_else(|| closest_name(name, expected.iter().copied()))
    } else {
        None
    };
    let listed: Vec<String> = expected.iter().take(5).map(|e| quote_str(e)).collect();
    issues.push_suggest(
        &at,
        IssueCode::CounterpartyNameMismatch,
        format!(
            "{} matches no counterparty; it must equal a counterparty's organization_name (or \
             \"<first_name> <last_name>\" for an individual) exactly: {}.",
            quote_str(name),
            if listed.is_empty() {
                "none given".to_owned()
            } else {
                listed.join(", ")
            }
        ),
        suggestion.map(str::to_owned),
    );
}
