//! Webhook delivery: queue, signing, retries with backoff, `DISABLED_BY_ERROR`, delivery faults.
//!
//! One dispatcher task takes jobs in order and delivers them one at a time (so, without
//! faults, a receiver sees events in the order they happened). Each delivery is a POST with
//! the JSON payload, `Content-Type: application/json`, the webhook's custom headers and
//! `X-SD-WEBHOOK-CONTENT-HASH` = lowercase hex HMAC-SHA512 of the raw body under the
//! base64-decoded workspace `hmac_key`.
//!
//! A non-2xx answer, a connection error or a timeout is a failure. Failures are retried after
//! `webhook_retry_base_ms * 2^(attempt-1)` (capped at 60 s) up to `webhook_max_attempts`; every
//! failed attempt adds to the webhook's consecutive-failure count, a success clears it, and
//! more than 5 consecutive failures set the webhook to `DISABLED_BY_ERROR` (SpotDraft's older
//! spec: "paused after more than 5 failures"; its real retry cadence is undocumented).
//!
//! The sandbox only ever connects to loopback addresses: `http://` URLs must name a loopback
//! host at registration, and `https://` URLs (accepted at registration, as SpotDraft requires
//! HTTPS) are recorded as not delivered because the sandbox has no TLS client.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use sha2::Sha512;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use crate::app::{lock, App};
use crate::http::hex;

/// Consecutive failures tolerated before `DISABLED_BY_ERROR`.
pub const MAX_CONSECUTIVE_FAILURES: u32 = 5;

/// One delivery to do.
#[derive(Debug, Clone)]
pub struct Job {
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
    pub fn skipped(j: &Job, why: &str, at: &str) -> Self {
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

/// Runs the dispatcher until `shutdown` flips or the queue closes.
pub async fn run(app: Arc<App>, mut rx: mpsc::Receiver<Job>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let job = tokio::select! {
            j = rx.recv() => j,
            _ = shutdown.changed() => None,
        };
        let Some(job) = job else { break };
        let (dup, delay, reorder) = lock(&app.faults).webhook_plan();
        if delay > 0 {
            let app2 = app.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                deliver(&app2, job, dup, delay, false).await;
            });
            continue;
        }
        if reorder {
            // Hold this one back until the next job (if one arrives soon) has gone out.
            if let Ok(Some(next)) =
                tokio::time::timeout(Duration::from_millis(200), rx.recv()).await
            {
                deliver(&app, next, false, 0, false).await;
                deliver(&app, job, dup, 0, true).await;
                continue;
            }
        }
        deliver(&app, job, dup, 0, false).await;
    }
}

async fn deliver(app: &Arc<App>, job: Job, duplicate: bool, delayed_ms: u64, reordered: bool) {
    let now = app.now().1;
    let looked_up = {
        let st = lock(&app.state);
        st.workspaces.get(&job.workspace).and_then(|w| {
            w.webhooks.get(&job.webhook_id).map(|h| {
                (
                    h.url.clone(),
                    h.custom_headers.clone(),
                    h.status.clone(),
                    w.hmac_key.clone(),
                )
            })
        })
    };
    let Some((url, headers, status, key)) = looked_up else {
        app.record_delivery(DeliveryRecord::skipped(&job, "webhook deleted", &now));
        return;
    };
    if status != "ACTIVE" {
        let mut r = DeliveryRecord::skipped(&job, &format!("webhook is {status}"), &now);
        r.webhook_status = status;
        app.record_delivery(r);
        return;
    }
    let Some(target) = parse_url(&url) else {
        app.record_delivery(DeliveryRecord::skipped(&job, "invalid url", &now));
        return;
    };
    if target.scheme != "http" || !is_loopback_host(&target.host) {
        app.record_delivery(DeliveryRecord::skipped(
            &job,
            "not delivered: the sandbox delivers only to http:// loopback URLs",
            &now,
        ));
        return;
    }
    let copies = if duplicate { 2 } else { 1 };
    let mut first_ok = true;
    for copy in 0..copies {
        let tampered = lock(&app.faults).tamper();
        let mut sig = signature(&key, &job.body).unwrap_or_default();
        if tampered {
            sig = tamper(&sig);
        }
        let timeout = Duration::from_millis(app.config.webhook_timeout_ms);
        let result = post(&target, &headers, &sig, job.body.clone(), timeout).await;
        let ok = matches!(result, Ok(s) if (200..300).contains(&s));
        if copy == 0 {
            first_ok = ok;
        }
        let webhook_status = account(app, &job, ok);
        let at = app.now().1;
        app.record_delivery(DeliveryRecord {
            seq: 0,
            workspace: job.workspace.clone(),
            webhook_id: job.webhook_id,
            activity: job.activity.clone(),
            contract_id: job.contract_id,
            attempt: job.attempt,
            outcome: if ok { "sent" } else { "failed" }.into(),
            status_code: result.as_ref().ok().copied(),
            error: result.err(),
            signature_tampered: tampered,
            duplicate: copy > 0,
            delayed_ms,
            reordered,
            at,
            webhook_status: webhook_status.clone(),
        });
        if webhook_status != "ACTIVE" {
            return;
        }
    }
    if !first_ok && job.attempt < app.config.webhook_max_attempts {
        let shift = (job.attempt - 1).min(16);
        let backoff = app
            .config
            .webhook_retry_base_ms
            .saturating_mul(1u64 << shift)
            .min(60_000);
        let tx = app.webhook_tx.clone();
        let next = Job {
            attempt: job.attempt + 1,
            ..job
        };
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(backoff)).await;
            let _ = tx.send(next).await;
        });
    }
}

/// Updates the webhook's failure count; returns its status afterwards.
fn account(app: &App, job: &Job, ok: bool) -> String {
    let status = {
        let mut st = lock(&app.state);
        let Some(h) = st
            .workspaces
            .get_mut(&job.workspace)
            .and_then(|w| w.webhooks.get_mut(&job.webhook_id))
        else {
            return "DELETED".into();
        };
        if ok {
            h.consecutive_failures = 0;
        } else {
            h.consecutive_failures += 1;
            if h.consecutive_failures > MAX_CONSECUTIVE_FAILURES && h.status == "ACTIVE" {
                h.status = "DISABLED_BY_ERROR".into();
            }
        }
        h.status.clone()
    };
    app.mark_dirty();
    status
}

/// Flips the first hex digit so the signature no longer verifies.
fn tamper(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}

async fn post(
    t: &Target,
    headers: &std::collections::BTreeMap<String, String>,
    sig: &str,
    body: Bytes,
    timeout: Duration,
) -> Result<u16, String> {
    let work = async {
        let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((t.host.as_str(), t.port))
            .await
            .map_err(|e| format!("resolve: {e}"))?
            .filter(|a| a.ip().is_loopback())
            .collect();
        let addr = addrs
            .first()
            .ok_or("host does not resolve to a loopback address")?;
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let authority = if t.host.contains(':') {
            format!("[{}]:{}", t.host, t.port)
        } else {
            format!("{}:{}", t.host, t.port)
        };
        let mut req = Request::post(t.path.as_str())
            .header("host", authority)
            .header("content-type", "application/json")
            .header("user-agent", "spotdraft-sandbox-webhooks/0.1")
            .header("X-SD-WEBHOOK-CONTENT-HASH", sig);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let req = req
            .body(Full::new(body))
            .map_err(|e| format!("request: {e}"))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| format!("send: {e}"))?;
        Ok::<u16, String>(resp.status().as_u16())
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| Err("timeout".into()))
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
