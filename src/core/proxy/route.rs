//! Classifies a request that reached the credential proxy as one of the playbook's
//! operations, or refuses it.
//!
//! The proxy forwards SpotDraft's own paths (`/api/v2.1/public/…`, the paths a
//! `SpotDraftClient({ baseUrl: proxy })` sends), so the rules here are SpotDraft's paths with
//! their exact trailing slashes (`shared/spotdraft-api.md` §5). Every id in a path is parsed:
//! a composite contract id with [`CompositeId`], a template id as an integer, an external id
//! as one percent-encoded segment. The request target is checked *as received* (still
//! percent-encoded), before any decoding, so no spelling of a traversal is decoded into
//! one later: dot segments, `%2e`, `%2f`, `%5c`, `\`, `//`, NUL and control characters are
//! refused outright, even where SpotDraft would treat them harmlessly.
//!
//! What this does not do: authenticate (the proxy's `authorize`), decide per principal (its
//! `allow` hook), limit body sizes or check content types (the JS handler), or validate a
//! create body beyond reading its `external_metadata.id` and `contract_template_id` (SpotDraft
//! and the client's own validation do that).

use crate::core::ids::CompositeId;
use crate::error::{Error, ErrorCode, ErrorDetail, Result};
use serde::Serialize;
use serde_json::Value;

/// SpotDraft's path prefix for every public endpoint.
pub(crate) const API_PREFIX: &str = "/api/v2.1/public";

/// Longest request target accepted (path and query).
const MAX_TARGET_CHARS: usize = 4096;

/// Longest external id, as the client accepts it (`FindByExternalId::new`).
const MAX_EXTERNAL_ID_CHARS: usize = 512;

/// The query parameters SpotDraft's template list takes (§5.8), the only operation with any.
const TEMPLATE_LIST_QUERY: [&str; 6] = [
    "tags",
    "tags_all",
    "cp_types",
    "cp_types_all",
    "exclude_multi_party",
    "include_archived",
];

/// One of the playbook's operations, with the ids its path (or, for a create, its body) named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(crate) enum Operation {
    /// `POST /contracts/`.
    #[serde(rename_all = "camelCase")]
    CreateContract {
        /// The body's `external_metadata.id` (a number is given as its decimal string).
        external_id: Option<String>,
        /// The body's `contract_template_id`.
        template_id: Option<u64>,
    },
    /// `GET /contracts/by_external_metadata/{id}`.
    #[serde(rename_all = "camelCase")]
    FindContractsByExternalId {
        /// The decoded external id.
        external_id: String,
    },
    /// `POST /contracts/{id}/send_to_counterparties`.
    #[serde(rename_all = "camelCase")]
    SendToCounterparties {
        /// The contract.
        composite_id: CompositeId,
    },
    /// `GET /contracts/{id}/status`.
    #[serde(rename_all = "camelCase")]
    GetContractStatus {
        /// The contract.
        composite_id: CompositeId,
    },
    /// `GET /contracts/{id}/key_pointers`.
    #[serde(rename_all = "camelCase")]
    GetKeyPointers {
        /// The contract.
        composite_id: CompositeId,
    },
    /// `POST /contracts/{id}/download_link`: the answer holds a signed URL.
    #[serde(rename_all = "camelCase")]
    GetDownloadLink {
        /// The contract.
        composite_id: CompositeId,
    },
    /// `GET /templates/`.
    ListTemplates,
    /// `GET /templates/{id}/`.
    #[serde(rename_all = "camelCase")]
    GetTemplate {
        /// The template.
        template_id: u64,
    },
    /// `GET /templates/{id}/metadata`.
    #[serde(rename_all = "camelCase")]
    GetTemplateMetadata {
        /// The template.
        template_id: u64,
    },
}

/// Every operation's name, in the playbook's order: the default set a proxy forwards.
pub(crate) const OPERATION_KINDS: [&str; 9] = [
    "createContract",
    "findContractsByExternalId",
    "sendToCounterparties",
    "getContractStatus",
    "getKeyPointers",
    "getDownloadLink",
    "listTemplates",
    "getTemplate",
    "getTemplateMetadata",
];

/// A request the proxy may forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Classified {
    /// What it is.
    pub operation: Operation,
    /// The method to send (upper case).
    pub method: &'static str,
    /// What to send to SpotDraft after the base URL: the path as received and the query
    /// parameters that belong to the operation (host parameters removed), still encoded.
    pub forward: String,
}

/// Classifies `method` and `target` (the request's path and query as received, still
/// percent-encoded, starting at SpotDraft's `/api/…`), reading the `body` of a create.
/// Query parameters named in `host_query` (e.g. the ones HubSpot appends to a card's
/// requests) are accepted and not forwarded.
///
/// # Errors
/// - `INVALID_ARGUMENT` (the proxy answers 400) for a malformed target: a dot segment, an
///   encoded dot, slash or backslash, a backslash, `//`, NUL or another control character,
///   bad percent-encoding, a malformed composite id, template id or external id, an
///   unexpected or repeated query parameter, a create body that is not a JSON object. The
///   detail's path names the part: `$.path`, `$.path.compositeId`, `$.path.templateId`,
///   `$.path.externalId`, `$.query.<name>`, `$.body`, `$.body.external_metadata.id`,
///   `$.body.contract_template_id`.
/// - `FORBIDDEN` (403) for a well-formed request that is none of the playbook's operations
///   (another SpotDraft endpoint, another method, a trailing slash SpotDraft does not use).
pub(crate) fn classify(
    method: &str,
    target: &str,
    body: Option<&str>,
    host_query: &[String],
) -> Result<Classified> {
    if target.chars().count() > MAX_TARGET_CHARS {
        return Err(invalid(
            "$.path",
            format!("the request target is longer than {MAX_TARGET_CHARS} characters"),
        ));
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    check_path(path)?;
    let method = normalise_method(method)?;
    let rest = path
        .strip_prefix(API_PREFIX)
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or_else(|| out_of_flow(method, path))?;
    let segments: Vec<&str> = rest.split('/').collect();
    let operation = match (method, segments.as_slice()) {
        ("POST", ["contracts", ""]) => create_operation(body)?,
        ("GET", ["contracts", "by_external_metadata", id]) => {
            Operation::FindContractsByExternalId {
                external_id: external_id(id)?,
            }
        }
        (_, ["contracts", id, action]) if is_contract_action(action) => {
            let composite_id = composite(id)?;
            match (method, *action) {
                ("POST", "send_to_counterparties") => {
                    Operation::SendToCounterparties { composite_id }
                }
                ("GET", "status") => Operation::GetContractStatus { composite_id },
                ("GET", "key_pointers") => Operation::GetKeyPointers { composite_id },
                ("POST", "download_link") => Operation::GetDownloadLink { composite_id },
                _ => return Err(out_of_flow(method, path)),
            }
        }
        ("GET", ["templates", ""]) => Operation::ListTemplates,
        (_, ["templates", id, ""]) => {
            let template_id = template_id(id)?;
            if method != "GET" {
                return Err(out_of_flow(method, path));
            }
            Operation::GetTemplate { template_id }
        }
        (_, ["templates", id, "metadata"]) => {
            let template_id = template_id(id)?;
            if method != "GET" {
                return Err(out_of_flow(method, path));
            }
            Operation::GetTemplateMetadata { template_id }
        }
        _ => return Err(out_of_flow(method, path)),
    };
    let allowed: &[&str] = if operation == Operation::ListTemplates {
        &TEMPLATE_LIST_QUERY
    } else {
        &[]
    };
    let kept = check_query(query, allowed, host_query)?;
    let forward = if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    Ok(Classified {
        operation,
        method,
        forward,
    })
}

fn is_contract_action(action: &str) -> bool {
    matches!(
        action,
        "send_to_counterparties" | "status" | "key_pointers" | "download_link"
    )
}

fn invalid(path: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    Error::new(
        ErrorCode::InvalidArgument,
        format!("The proxy refused this request: {message}."),
    )
    .with_details([ErrorDetail::new(path, "INVALID", message)])
}

fn out_of_flow(method: &str, path: &str) -> Error {
    // The path is echoed only up to its first 120 characters: it is the caller's own input.
    let shown: String = path.chars().take(120).collect();
    Error::new(
        ErrorCode::Forbidden,
        format!(
            "The proxy does not forward {method} {shown}: only the playbook's operations are \
             forwarded (create, find by external id, send to counterparties, status, key \
             pointers, download link, template list, template, template metadata), with \
             SpotDraft's exact paths and trailing slashes."
        ),
    )
}

fn normalise_method(method: &str) -> Result<&'static str> {
    match method.to_ascii_uppercase().as_str() {
        "GET" => Ok("GET"),
        "POST" => Ok("POST"),
        "PUT" => Ok("PUT"),
        "PATCH" => Ok("PATCH"),
        "DELETE" => Ok("DELETE"),
        "HEAD" => Ok("HEAD"),
        "OPTIONS" => Ok("OPTIONS"),
        _ => Err(invalid(
            "$.method",
            "the method is not an HTTP method the proxy knows",
        )),
    }
}

/// Refuses every spelling of a traversal and every byte SpotDraft's paths never hold.
fn check_path(path: &str) -> Result<()> {
    if !path.starts_with('/') {
        return Err(invalid("$.path", "the path must start with \"/\""));
    }
    if path.contains('\0') || path.bytes().any(|b| b.is_ascii_control()) {
        return Err(invalid(
            "$.path",
            "the path holds NUL or a control character",
        ));
    }
    if path.contains('\\') {
        return Err(invalid("$.path", "the path holds a backslash"));
    }
    if path.contains("//") {
        return Err(invalid(
            "$.path",
            "the path holds an empty segment (\"//\")",
        ));
    }
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let value = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
            match value {
                None => {
                    return Err(invalid(
                        "$.path",
                        "the path holds a \"%\" that is not a percent-escape",
                    ))
                }
                Some(b'.') => return Err(invalid("$.path", "the path holds an encoded dot (%2e)")),
                Some(b'/') => {
                    return Err(invalid("$.path", "the path holds an encoded slash (%2f)"))
                }
                Some(b'\\') => {
                    return Err(invalid(
                        "$.path",
                        "the path holds an encoded backslash (%5c)",
                    ))
                }
                Some(0) => return Err(invalid("$.path", "the path holds an encoded NUL (%00)")),
                Some(v) if v.is_ascii_control() => {
                    return Err(invalid(
                        "$.path",
                        "the path holds an encoded control character",
                    ))
                }
                Some(_) => i += 3,
            }
        } else {
            i += 1;
        }
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(invalid(
            "$.path",
            "the path holds a dot segment (\".\" or \"..\")",
        ));
    }
    Ok(())
}

fn composite(segment: &str) -> Result<CompositeId> {
    CompositeId::parse_arg("$.path.compositeId", segment)
}

fn template_id(segment: &str) -> Result<u64> {
    let ok = !segment.is_empty()
        && segment.len() <= 19
        && segment.bytes().all(|b| b.is_ascii_digit())
        && !(segment.len() > 1 && segment.starts_with('0'));
    ok.then(|| segment.parse().ok()).flatten().ok_or_else(|| {
        invalid(
            "$.path.templateId",
            "the template id must be a positive integer such as 42, as listTemplates returns it",
        )
    })
}

/// Decodes one percent-encoded path segment as UTF-8; `None` for bad escapes or bytes.
fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn external_id(segment: &str) -> Result<String> {
    let id = percent_decode(segment).ok_or_else(|| {
        invalid(
            "$.path.externalId",
            "the external id is not percent-encoded UTF-8",
        )
    })?;
    if id.trim().is_empty() || id.chars().count() > MAX_EXTERNAL_ID_CHARS {
        return Err(invalid(
            "$.path.externalId",
            format!(
                "the external id must be non-empty and at most {MAX_EXTERNAL_ID_CHARS} characters"
            ),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(invalid(
            "$.path.externalId",
            "the external id holds a control character",
        ));
    }
    Ok(id)
}

fn create_operation(body: Option<&str>) -> Result<Operation> {
    let body = body.ok_or_else(|| invalid("$.body", "a create needs its JSON body"))?;
    let value: Value =
        serde_json::from_str(body).map_err(|_| invalid("$.body", "the body is not valid JSON"))?;
    let Value::Object(map) = value else {
        return Err(invalid(
            "$.body",
            "the body must be a JSON object (the create-contract payload)",
        ));
    };
    let external_id = match map.get("external_metadata").and_then(|m| m.get("id")) {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if !id.trim().is_empty() && id.chars().count() <= MAX_EXTERNAL_ID_CHARS => {
            Some(id.clone())
        }
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        Some(_) => {
            return Err(invalid(
                "$.body.external_metadata.id",
                format!("must be a non-empty string of at most {MAX_EXTERNAL_ID_CHARS} characters or an integer"),
            ))
        }
    };
    let template_id = match map.get("contract_template_id") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
        Some(_) => {
            return Err(invalid(
                "$.body.contract_template_id",
                "must be a positive integer",
            ))
        }
    };
    Ok(Operation::CreateContract {
        external_id,
        template_id,
    })
}

/// Checks the query: each parameter once-named in `allowed` (lists may repeat), or a host
/// parameter (dropped). Returns the kept pairs as received.
fn check_query<'a>(
    query: Option<&'a str>,
    allowed: &[&str],
    host: &[String],
) -> Result<Vec<&'a str>> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    let mut seen_host: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(&raw_name.replace('+', " ")).ok_or_else(|| {
            invalid(
                "$.query",
                "a query parameter name is not percent-encoded UTF-8",
            )
        })?;
        let shown: String = name.chars().take(64).collect();
        let value = percent_decode(&raw_value.replace('+', " ")).ok_or_else(|| {
            invalid(
                &format!("$.query.{shown}"),
                "the value is not percent-encoded UTF-8",
            )
        })?;
        if value.contains('\0') {
            return Err(invalid(&format!("$.query.{shown}"), "the value holds NUL"));
        }
        if host.contains(&name) {
            if seen_host.contains(&name) {
                return Err(invalid(
                    &format!("$.query.{shown}"),
                    "the parameter is repeated",
                ));
            }
            seen_host.push(name);
        } else if allowed.contains(&name.as_str()) {
            kept.push(pair);
        } else {
            return Err(invalid(
                &format!("$.query.{shown}"),
                "this query parameter is not one the operation takes",
            ));
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(method: &str, target: &str) -> Classified {
        classify(method, target, None, &[]).unwrap()
    }

    fn refused(method: &str, target: &str) -> Error {
        classify(method, target, None, &["portalId".to_owned()]).unwrap_err()
    }

    const P: &str = API_PREFIX;

    #[test]
    fn classifies_every_playbook_operation_with_its_ids() {
        let create = classify(
            "POST",
            &format!("{P}/contracts/"),
            Some(r#"{"contract_template_id":42,"external_metadata":{"id":"deal-1"}}"#),
            &[],
        )
        .unwrap();
        assert_eq!(
            create.operation,
            Operation::CreateContract {
                external_id: Some("deal-1".into()),
                template_id: Some(42)
            }
        );
        let cid = CompositeId::parse("T-12").unwrap();
        let cases = [
            (
                "GET",
                format!("{P}/contracts/by_external_metadata/deal%201%C3%A9"),
                Operation::FindContractsByExternalId {
                    external_id: "deal 1é".into(),
                },
            ),
            (
                "POST",
                format!("{P}/contracts/T-12/send_to_counterparties"),
                Operation::SendToCounterparties {
                    composite_id: cid.clone(),
                },
            ),
            (
                "GET",
                format!("{P}/contracts/T-12/status"),
                Operation::GetContractStatus {
                    composite_id: cid.clone(),
                },
            ),
            (
                "get",
                format!("{P}/contracts/T-12/key_pointers"),
                Operation::GetKeyPointers {
                    composite_id: cid.clone(),
                },
            ),
            (
                "POST",
                format!("{P}/contracts/T-12/download_link"),
                Operation::GetDownloadLink { composite_id: cid },
            ),
            ("GET", format!("{P}/templates/"), Operation::ListTemplates),
            (
                "GET",
                format!("{P}/templates/7/"),
                Operation::GetTemplate { template_id: 7 },
            ),
            (
                "GET",
                format!("{P}/templates/7/metadata"),
                Operation::GetTemplateMetadata { template_id: 7 },
            ),
        ];
        for (method, target, operation) in cases {
            let classified = ok(method, &target);
            assert_eq!(classified.operation, operation, "{target}");
            assert_eq!(classified.forward, target);
        }
        assert_eq!(
            ok("GET", &format!("{P}/contracts/H-3/status")).method,
            "GET"
        );
    }

    #[test]
    fn the_operation_serialises_with_its_kind_and_camel_case_ids() {
        let value = serde_json::to_value(ok("GET", &format!("{P}/contracts/T-5/status"))).unwrap();
        assert_eq!(
            value["operation"],
            serde_json::json!({"kind": "getContractStatus", "compositeId": "T-5"})
        );
        for kind in OPERATION_KINDS {
            assert!(kind.chars().next().is_some_and(char::is_lowercase));
        }
        assert_eq!(
            serde_json::to_value(ok("GET", &format!("{P}/templates/")).operation).unwrap(),
            serde_json::json!({"kind": "listTemplates"})
        );
    }

    #[test]
    fn refuses_other_endpoints_methods_and_slashes_as_out_of_flow() {
        for (method, target) in [
            ("GET", format!("{P}/contracts/")),
            ("DELETE", format!("{P}/contracts/T-1/status")),
            ("POST", format!("{P}/contracts/T-1/status/void")),
            ("GET", format!("{P}/contracts/T-1/status/")),
            ("GET", format!("{P}/contracts/T-1/recipients/")),
            ("GET", format!("{P}/webhooks/hmac_key/")),
            ("GET", format!("{P}/templates/7")),
            ("POST", format!("{P}/templates/7/metadata")),
            ("GET", format!("{P}/contracts")),
            ("GET", "/api/v2/public/contracts/T-1/status".to_owned()),
            ("GET", "/admin".to_owned()),
            ("GET", P.to_owned()),
        ] {
            let error = refused(method, &target);
            assert_eq!(error.code, ErrorCode::Forbidden, "{method} {target}");
        }
    }

    #[test]
    fn refuses_every_spelling_of_a_traversal_as_invalid_with_the_path_part() {
        for target in [
            format!("{P}/contracts/T-1/../../webhooks/"),
            format!("{P}/contracts/./T-1/status"),
            format!("{P}/contracts/%2e%2e/webhooks/"),
            format!("{P}/contracts/%2E%2E/webhooks/"),
            format!("{P}/contracts/.%2e/webhooks/"),
            format!("{P}/contracts/T-1%2f..%2fwebhooks/status"),
            format!("{P}/contracts/T-1%2F/status"),
            format!("{P}/contracts/T-1%5c..%5c/status"),
            format!("{P}/contracts/T-1\\..\\status"),
            format!("{P}//contracts/T-1/status"),
            format!("{P}/contracts/T-1/status\0"),
            format!("{P}/contracts/T-1%00/status"),
            format!("{P}/contracts/T-1%0a/status"),
            format!("{P}/contracts/T-1%zz/status"),
            format!("{P}/contracts/T-1%2/status"),
            "relative/path".to_owned(),
        ] {
            let error = refused("GET", &target);
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{target:?}");
            assert_eq!(error.details[0].path, "$.path", "{target:?}");
        }
    }

    #[test]
    fn refuses_malformed_ids_naming_the_part() {
        for (method, target, part) in [
            (
                "GET",
                format!("{P}/contracts/X-1/status"),
                "$.path.compositeId",
            ),
            (
                "GET",
                format!("{P}/contracts/T-/status"),
                "$.path.compositeId",
            ),
            (
                "POST",
                format!("{P}/contracts/t-1/download_link"),
                "$.path.compositeId",
            ),
            (
                "GET",
                format!("{P}/contracts/T-1x/key_pointers"),
                "$.path.compositeId",
            ),
            ("GET", format!("{P}/templates/abc/"), "$.path.templateId"),
            (
                "GET",
                format!("{P}/templates/007/metadata"),
                "$.path.templateId",
            ),
            (
                "GET",
                format!("{P}/templates/{}/", "9".repeat(20)),
                "$.path.templateId",
            ),
            (
                "GET",
                format!("{P}/contracts/by_external_metadata/%20"),
                "$.path.externalId",
            ),
            (
                "GET",
                format!("{P}/contracts/by_external_metadata/%FF"),
                "$.path.externalId",
            ),
            (
                "GET",
                format!("{P}/contracts/by_external_metadata/{}", "a".repeat(513)),
                "$.path.externalId",
            ),
        ] {
            let error = refused(method, &target);
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{target}");
            assert_eq!(error.details[0].path, part, "{target}");
        }
    }

    #[test]
    fn checks_the_query_per_operation_and_drops_host_parameters() {
        let host = vec!["portalId".to_owned(), "userEmail".to_owned()];
        let status = classify(
            "GET",
            &format!("{P}/contracts/T-1/status?portalId=9&userEmail=a%40b.c"),
            None,
            &host,
        )
        .unwrap();
        assert_eq!(status.forward, format!("{P}/contracts/T-1/status"));
        let list = classify(
            "GET",
            &format!("{P}/templates/?tags=MSA&tags=Sales%20%26%20Legal&portalId=9"),
            None,
            &host,
        )
        .unwrap();
        assert_eq!(
            list.forward,
            format!("{P}/templates/?tags=MSA&tags=Sales%20%26%20Legal")
        );
        for (target, part) in [
            (
                format!("{P}/contracts/T-1/status?expand=all"),
                "$.query.expand",
            ),
            (format!("{P}/templates/?tags=a&limit=1000"), "$.query.limit"),
            (
                format!("{P}/templates/?portalId=1&portalId=2"),
                "$.query.portalId",
            ),
            (format!("{P}/templates/?tags=%zz"), "$.query.tags"),
            (format!("{P}/templates/?tags=%00"), "$.query.tags"),
        ] {
            let error = classify("GET", &target, None, &host).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{target}");
            assert_eq!(error.details[0].path, part, "{target}");
        }
    }

    #[test]
    fn reads_the_create_body_and_refuses_a_malformed_one() {
        let target = format!("{P}/contracts/");
        let numeric = classify(
            "POST",
            &target,
            Some(r#"{"external_metadata":{"id":122}}"#),
            &[],
        )
        .unwrap();
        assert_eq!(
            numeric.operation,
            Operation::CreateContract {
                external_id: Some("122".into()),
                template_id: None
            }
        );
        let none = classify("POST", &target, Some("{}"), &[]).unwrap();
        assert_eq!(
            none.operation,
            Operation::CreateContract {
                external_id: None,
                template_id: None
            }
        );
        for (body, part) in [
            (None, "$.body"),
            (Some("{"), "$.body"),
            (Some("[]"), "$.body"),
            (
                Some(r#"{"external_metadata":{"id":""}}"#),
                "$.body.external_metadata.id",
            ),
            (
                Some(r#"{"external_metadata":{"id":{"x":1}}}"#),
                "$.body.external_metadata.id",
            ),
            (
                Some(r#"{"contract_template_id":"42"}"#),
                "$.body.contract_template_id",
            ),
            (
                Some(r#"{"contract_template_id":-1}"#),
                "$.body.contract_template_id",
            ),
        ] {
            let error = classify("POST", &target, body, &[]).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{body:?}");
            assert_eq!(error.details[0].path, part, "{body:?}");
        }
    }

    #[test]
    fn refuses_an_overlong_target_and_an_unknown_method() {
        let long = format!("{P}/templates/?tags={}", "a".repeat(MAX_TARGET_CHARS));
        assert_eq!(refused("GET", &long).code, ErrorCode::InvalidArgument);
        assert_eq!(
            refused("BREW", &format!("{P}/templates/")).details[0].path,
            "$.method"
        );
    }
}
