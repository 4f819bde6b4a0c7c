//! Runs the jobs the state returns: webhook deliveries (HTTP POSTs to loopback receivers,
//! with the delivery faults: duplicates, delays, reordering, tampered signatures) and the
//! timers of their retries.
//!
//! A non-2xx answer, a connection error or a timeout is a failure. What a failure means for
//! the webhook (failure count, `DISABLED_BY_ERROR`) is [`crate::state::State::record_attempt`]'s
//! decision and when to retry is [`RetryPolicy`]'s (`webhook_retry_base_ms * 2^(attempt-1)`,
//! capped at 60 s, up to `webhook_max_attempts`; SpotDraft's real cadence is undocumented).
//! This module decides neither; it only sends, waits and logs.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use crate::app::{lock, App};
use crate::model::webhook::{
    is_loopback_host, parse_url, signature, tamper, Delivery, DeliveryRecord, Target,
};
use crate::state::{Job, RetryPolicy};

/// Runs jobs until `shutdown` flips or the queue closes.
pub async fn run(app: Arc<App>, mut rx: mpsc::Receiver<Job>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let job = tokio::select! {
            j = rx.recv() => j,
            _ = shutdown.changed() => None,
        };
        let job = match job {
            None => break,
            Some(Job::Deliver(d)) => d,
            Some(Job::Later { after, delivery }) => {
                later(&app, after, delivery);
                continue;
            }
        };
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
            match tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
                Ok(Some(Job::Deliver(next))) => {
                    deliver(&app, next, false, 0, false).await;
                    deliver(&app, job, dup, 0, true).await;
                    continue;
                }
                Ok(Some(Job::Later { after, delivery })) => later(&app, after, delivery),
                _ => {}
            }
        }
        deliver(&app, job, dup, 0, false).await;
    }
}

async fn deliver(app: &Arc<App>, job: Delivery, duplicate: bool, delayed_ms: u64, reordered: bool) {
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
    if !first_ok {
        let policy = RetryPolicy {
            base_ms: app.config.webhook_retry_base_ms,
            max_attempts: app.config.webhook_max_attempts,
        };
        match policy.after_failure(&job) {
            Some(Job::Later { after, delivery }) => later(app, after, delivery),
            Some(Job::Deliver(delivery)) => later(app, Duration::ZERO, delivery),
            None => {}
        }
    }
}

/// Puts `delivery` back on the queue after `after`.
fn later(app: &Arc<App>, after: Duration, delivery: Delivery) {
    let tx = app.jobs.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let _ = tx.send(Job::Deliver(delivery)).await;
    });
}

/// Accounts for one attempt in the state; returns the webhook's status afterwards.
fn account(app: &App, job: &Delivery, ok: bool) -> String {
    let status = lock(&app.state).record_attempt(job, ok);
    app.mark_dirty();
    status
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
