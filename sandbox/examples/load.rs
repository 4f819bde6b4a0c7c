//! Bounded loopback load run: N requests (default 10,000) from C keep-alive connections
//! (default 8) against a running sandbox, mixed create/status/list/lookup/metadata. Prints
//! status counts, latency percentiles, throughput and the server's RSS (from /proc) at the
//! start, midway and the end.
//!
//! Usage: `load <base-url> <server-pid> [requests] [connections] [mixed|read]` (see
//! `scripts/load.sh`). `read` seeds 50 contracts first and then sends reads only, which shows
//! that memory stays flat per request; `mixed` (default) creates one contract per ten requests,
//! so RSS grows with the stored state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

const PLAYBOOK: &str = include_str!("../../tests/fixtures/playbook-create-contract.json");

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:4010".into());
    let pid = args.get(2).cloned().unwrap_or_default();
    let total: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let conns: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(8);
    let read_only = args.get(5).is_some_and(|m| m == "read");
    let authority = base.trim_start_matches("http://").to_owned();
    let created = Arc::new(AtomicUsize::new(0));
    {
        // Seed contracts first (50 for the read-only run, whose RSS must stay flat; 1 for the
        // mixed run so no early read can race the first create).
        for _ in 0..(if read_only { 50 } else { 1 }) {
            if let Ok(stream) = tokio::net::TcpStream::connect(authority.as_str()).await {
                if let Ok((mut s, conn)) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
                {
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    let req = Request::post("/api/v2.1/public/contracts/")
                        .header("host", authority.as_str())
                        .header("client-id", "sandbox-acme")
                        .header("client-secret", "sandbox-acme-secret")
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from_static(PLAYBOOK.as_bytes())));
                    if let Ok(req) = req {
                        if let Ok(r) = s.send_request(req).await {
                            if r.status().as_u16() == 201 {
                                created.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
        }
    }

    let rss_start = rss_kib(&pid);
    let next = Arc::new(AtomicUsize::new(0));
    let statuses: Arc<Mutex<BTreeMap<u16, usize>>> = Arc::default();
    let transport_errors = Arc::new(AtomicUsize::new(0));
    let latencies: Arc<Mutex<Vec<u128>>> = Arc::default();
    let rss_mid = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let created = created.clone();
        let (authority, next, statuses, errs, lat, pid, rss_mid) = (
            authority.clone(),
            next.clone(),
            statuses.clone(),
            transport_errors.clone(),
            latencies.clone(),
            pid.clone(),
            rss_mid.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut sender = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                if i == total / 2 {
                    rss_mid.store(
                        usize::try_from(rss_kib(&pid)).unwrap_or(0),
                        Ordering::Relaxed,
                    );
                }
                if sender.is_none() {
                    let Ok(stream) = tokio::net::TcpStream::connect(authority.as_str()).await
                    else {
                        errs.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    let Ok((s, conn)) =
                        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
                    else {
                        errs.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    sender = Some(s);
                }
                let Some(s) = sender.as_mut() else { continue };
                // Read only contracts whose create already answered 201 (ids are sequential
                // from 1001), so concurrency never turns a read into a 404.
                let made = created.load(Ordering::Relaxed).max(1);
                let id = 1001 + ((i * 7919) % made) as u64;
                let (method, path, body): (&str, String, Option<&str>) = match i % 10 {
                    0 if read_only => (
                        "GET",
                        "/api/v2.1/public/contracts/?filter__display_status=DRAFT".into(),
                        None,
                    ),
                    0 => ("POST", "/api/v2.1/public/contracts/".into(), Some(PLAYBOOK)),
                    1 | 2 => (
                        "GET",
                        format!("/api/v2.1/public/contracts/T-{id}/status"),
                        None,
                    ),
                    3 => ("GET", "/api/v2.1/public/contracts/?limit=20".into(), None),
                    4 => (
                        "GET",
                        "/api/v2.1/public/contracts/by_external_metadata/hubspot-deal-10024".into(),
                        None,
                    ),
                    5 => (
                        "GET",
                        "/api/v2.1/public/templates/1204/metadata".into(),
                        None,
                    ),
                    6 => ("GET", "/api/v2.1/public/templates/".into(), None),
                    7 => (
                        "POST",
                        format!("/api/v2.1/public/contracts/T-{id}/download_link"),
                        None,
                    ),
                    8 => (
                        "GET",
                        format!("/api/v2.1/public/contracts/T-{id}/key_pointers"),
                        None,
                    ),
                    _ => ("GET", "/api/v2.1/public/webhooks/hmac_key/".into(), None),
                };
                let mut req = Request::builder()
                    .method(method)
                    .uri(path)
                    .header("host", authority.as_str())
                    .header("client-id", "sandbox-acme")
                    .header("client-secret", "sandbox-acme-secret");
                if body.is_some() {
                    req = req.header("content-type", "application/json");
                }
                let Ok(req) = req.body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
                else {
                    continue;
                };
                let t = Instant::now();
                let ok = if s.ready().await.is_ok() {
                    match tokio::time::timeout(Duration::from_secs(30), s.send_request(req)).await {
                        Ok(Ok(resp)) => {
                            let st = resp.status().as_u16();
                            if st == 201 {
                                created.fetch_add(1, Ordering::Relaxed);
                            }
                            let _ = resp.into_body().collect().await;
                            *statuses
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .entry(st)
                                .or_default() += 1;
                            true
                        }
                        _ => false,
                    }
                } else {
                    false
                };
                lat.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(t.elapsed().as_micros());
                if !ok {
                    errs.fetch_add(1, Ordering::Relaxed);
                    sender = None;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_end = rss_kib(&pid);
    let mut lat = latencies.lock().unwrap_or_else(|e| e.into_inner()).clone();
    lat.sort_unstable();
    let pct = |p: f64| {
        let idx = ((lat.len() as f64 - 1.0) * p).round() as usize;
        lat.get(idx).copied().unwrap_or(0) as f64 / 1000.0
    };
    let st = statuses.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!(
        "mix: {}",
        if read_only {
            "read-only (after 50 seeded creates)"
        } else {
            "mixed (10% creates)"
        }
    );
    println!("requests: {total} over {conns} keep-alive connections");
    println!(
        "elapsed: {:.2} s, throughput: {:.0} req/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!("statuses: {st:?}");
    println!(
        "transport errors (resets/timeouts): {}",
        transport_errors.load(Ordering::Relaxed)
    );
    println!(
        "latency ms: p50 {:.2}, p90 {:.2}, p99 {:.2}, max {:.2}",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "server RSS KiB: start {rss_start}, midway {}, end {rss_end}",
        rss_mid.load(Ordering::Relaxed)
    );
}
