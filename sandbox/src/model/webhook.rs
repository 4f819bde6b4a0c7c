//! Webhooks: the registration record, the activity names, delivery URLs and signatures, the
//! delivery job and its log line, and the `PublicWebhookResponse` shape.
//!
//! Deliveries are POSTs of the JSON payload with `Content-Type: application/json`, the
//! webhook's custom headers and `X-SD-WEBHOOK-CONTENT-HASH` = lowercase hex HMAC-SHA512 of the
//! raw body under the base64-decoded workspace `hmac_key`. The sandbox only ever connects to
//! loopback addresses: `http://` URLs must name a loopback host at registration, and
//! `https://` URLs (accepted at registration, as SpotDraft requires HTTPS) are recorded as not
//! delivered because the sandbox has no TLS client.
//!
//! Plain data and pure rules: no IO, no clock, no locks. Sending is `crate::delivery`'s.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine as _;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha512;

use crate::http::hex;

/// A registered webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Delivery URL.
    pub url: String,
    /// Subscribed activities.
    pub only_for_activities: Vec<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Extra headers sent on each delivery.
    #[serde(default)]
    pub custom_headers: BTreeMap<String, String>,
    /// `ACTIVE`, `DISABLED_BY_USER` or `DISABLED_BY_ERROR`.
    pub status: String,
    /// Failed attempts in a row.
    #[serde(default)]
    pub consecutive_failures: u32,
    /// `created_by_user` object.
    pub created_by_user: Value,
}

/// Activity names SpotDraft accepts in `only_for_activities` (`OnlyForActivitiesEnum`).
pub const ACTIVITIES: &[&str] = &[
    "CONTRACT_VERSION_UPLOADED",
    "CONTRACT_APPROVAL_COMPLETED",
    "CONTRACT_APPROVAL_REQUESTED",
    "CONTRACT_CREATED",
    "CONTRACT_DATA_UPDATED",
    "CONTRACT_DELETED",
    "CONTRACT_EXECUTED",
    "CONTRACT_MARK_FOR_EXECUTION",
    "CONTRACT_SENT_TO_COUNTERPARTY",
    "CONTRACT_SIGNATURE_DECLINED",
    "CONTRACT_SIGNATURE_REQUESTED",
    "CONTRACT_SIGNED",
    "CONTRACT_UNMARK_FOR_EXECUTION",
    "POSTMARK_EMAIL_EVENT",
    "CONTRACT_KEY_POINTER_UPDATION",
    "CONTRACT_KEY_POINTER_CREATION",
    "SIGNING_EMAIL_DELIVERED",
    "SIGNING_EMAIL_OPENED",
    "SIGNING_EMAIL_NOT_DELIVERED",
    "SIGNING_EMAIL_LINK_CLICKED",
    "REDLINING_EMAIL_DELIVERED",
    "REDLINING_EMAIL_OPENED",
    "REDLINING_EMAIL_NOT_DELIVERED",
    "REDLINING_EMAIL_LINK_CLICKED",
    "CONTRACT_SIGNATURE_REQUESTED_NOTIFICATION_SENT",
    "COUNTER_PARTY_CREATED",
    "COUNTER_PARTY_UPDATED",
    "COUNTER_PARTY_CONTACT_CREATED",
    "COUNTER_PARTY_CONTACT_UPDATED",
    "COUNTER_PARTY_ADDRESS_CREATED",
    "COUNTER_PARTY_ADDRESS_UPDATED",
    "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED",
    "CONTRACT_VOIDED",
    "CONTRACT_PROCESS_METRIC_UPDATED",
    "CONTRACT_EXTERNAL_METADATA_CREATED",
    "CONTRACT_EXTERNAL_METADATA_UPDATED",
    "CONTRACT_ENTITY_UPDATED",
];

/// `custom_headers` name prefixes SpotDraft reserves.
pub const RESERVED_HEADER_PREFIXES: &[&str] = &[
    "x-google-",
    "x-goog-",
    "x-gfe-",
    "x-amz-",
    "x-ms-",
    "x-dd-",
    "x-datadog-",
    "x-b3-",
    "x-sd-",
    "x-spotdraft-",
];

/// `PublicWebhookResponse`.
pub fn webhook_json(h: &Webhook) -> Value {
    let mut v = json!({
        "id": h.id,
        "title": h.title,
        "only_for_activities": h.only_for_activities,
        "url": h.url,
        "created_by_user": h.created_by_user,
        "custom_headers": h.custom_headers,
        "status": h.status,
    });
    if let (Some(d), Some(o)) = (&h.description, v.as_object_mut()) {
        o.insert("description".into(), json!(d));
    }
    v
}

/// Consecutive failures tolerated before `DISABLED_BY_ERROR`.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 5;

/// One webhook delivery to attempt: what [`crate::state::Job::Deliver`] carries.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Workspace slug.
    pub workspace: String,
    /// Target webhook.
    pub webhook_id: u64,
    /// Activity name.
    pub activity: String,
    /// Numeric contract id.
    pub contract_id: u64,
    /// Raw JSON body (signed as is).
    pub body: Bytes,
    /// 1 for the first try.
    pub attempt: u32,
}

/// One line of the delivery log (`GET /__sandbox/webhook-deliveries`).
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    /// Log sequence number.
    pub seq: u64,
    /// Workspace slug.
    pub workspace: String,
    /// Webhook id.
    pub webhook_id: u64,
    /// Activity.
    pub activity: String,
    /// Numeric contract id.
    pub contract_id: u64,
    /// Attempt number (1 = first try).
    pub attempt: u32,
    /// `sent`, `failed` or `skipped`.
    pub outcome: String,
    /// Receiver's status code, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    /// The signature header was deliberately wrong.
    pub signature_tampered: bool,
    /// This is the second copy of a duplicated delivery.
    pub duplicate: bool,
    /// Injected delay in ms.
    pub delayed_ms: u64,
    /// Sent after a later event (reorder fault).
    pub reordered: bool,
    /// Sandbox time of the attempt.
    pub at: String,
    /// Webhook status after this attempt.
    pub webhook_status: String,
}

impl DeliveryRecord {
    /// A record for a job that was not attempted.
    pub fn skipped(j: &Delivery, why: &str, at: &str) -> Self {
        Self {
            seq: 0,
            workspace: j.workspace.clone(),
            webhook_id: j.webhook_id,
            activity: j.activity.clone(),
            contract_id: j.contract_id,
            attempt: j.attempt,
            outcome: "skipped".into(),
            status_code: None,
            error: Some(why.to_owned()),
            signature_tampered: false,
            duplicate: false,
            delayed_ms: 0,
            reordered: false,
            at: at.to_owned(),
            webhook_status: String::new(),
        }
    }
}

/// Lowercase hex HMAC-SHA512 of `body` under the base64-decoded `key_b64`.
pub fn signature(key_b64: &str, body: &[u8]) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .ok()?;
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(body);
    Some(hex(&mac.finalize().into_bytes()))
}

/// A parsed delivery URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http` or `https`.
    pub scheme: String,
    /// Host without brackets.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Path and query (starts with `/`).
    pub path: String,
}

/// Parses `scheme://host[:port][/path]`.
pub fn parse_url(url: &str) -> Option<Target> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (h.to_owned(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().ok()?),
            None => (authority.to_owned(), default_port),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let path = if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_owned()
    };
    Some(Target {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        path,
    })
}

/// True for `localhost` and loopback IP literals.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Registration rule: `https://` anywhere, or `http://` on loopback (sandbox only).
///
/// # Errors
/// A message for the field map.
pub fn check_url(url: &str) -> Result<(), String> {
    let t = parse_url(url).ok_or_else(|| "Enter a valid URL.".to_owned())?;
    if t.scheme == "https" || is_loopback_host(&t.host) {
        Ok(())
    } else {
        Err("Only HTTPS URLs are accepted (the sandbox also accepts http:// URLs on loopback hosts).".into())
    }
}

/// Flips the first hex digit so the signature no longer verifies.
pub fn tamper(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("http://127.0.0.1:9000/hook?x=1").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("127.0.0.1", 9000, "/hook?x=1")
        );
        let t = parse_url("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/")
        );
        assert!(check_url("https://example.com/h").is_ok());
        assert!(check_url("http://localhost:3000/h").is_ok());
        assert!(check_url("http://example.com/h").is_err());
        assert!(check_url("http://10.0.0.1/h").is_err());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("http://user@127.0.0.1/").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn signature_matches_known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        let key = base64::engine::general_purpose::STANDARD.encode(b"Jefe");
        let sig = signature(&key, b"what do ya want for nothing?").unwrap();
        assert!(sig.starts_with("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"));
        assert_ne!(tamper(&sig), sig);
    }
}
