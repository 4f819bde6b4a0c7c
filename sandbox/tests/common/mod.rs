//! Shared helpers for the sandbox integration tests: start a sandbox on an ephemeral loopback
//! port, a tiny HTTP client (one connection per request), and a webhook receiver.
#![allow(dead_code)]
// Test support code: failing loudly is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use spotdraft_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use tokio::net::{TcpListener, TcpStream};

pub const PLAYBOOK: &str = include_str!("../../../tests/fixtures/playbook-create-contract.json");
pub const API: &str = "/api/v2.1/public";

pub fn playbook() -> Value {
    serde_json::from_str(PLAYBOOK).unwrap()
}

pub async fn start() -> SandboxHandle {
    start_with(|_| {}).await
}

pub async fn start_with(f: impl FnOnce(&mut SandboxConfig)) -> SandboxHandle {
    let mut c = SandboxConfig::for_tests();
    c.rate_limit = 0;
    f(&mut c);
    Sandbox::start(c).await.unwrap()
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Sends one request on a fresh connection. `Err` when the connection fails or is reset.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Result<Resp, String> {
    let rest = url.strip_prefix("http://").ok_or("http only")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let stream = TcpStream::connect(authority)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", authority);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(20), sender.send_request(req))
        .await
        .map_err(|_| "timeout".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub const ACME: &[(&str, &str)] = &[
    ("client-id", "sandbox-acme"),
    ("client-secret", "sandbox-acme-secret"),
];
pub const GLOBEX: &[(&str, &str)] = &[
    ("client-id", "sandbox-globex"),
    ("client-secret", "sandbox-globex-secret"),
];

/// Authenticated JSON call against `/api/v2.1/public{path}`.
pub async fn api(
    h: &SandboxHandle,
    auth: &[(&str, &str)],
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Resp {
    let mut headers: Vec<(&str, &str)> = auth.to_vec();
    if body.is_some() {
        headers.push(("content-type", "application/json"));
    }
    send(
        method,
        &format!("{}{API}{path}", h.url()),
        &headers,
        body.map(|b| serde_json::to_vec(b).unwrap()),
    )
    .await
    .unwrap()
}

/// Control call (`/__sandbox{path}`).
pub async fn control(h: &SandboxHandle, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let headers: &[(&str, &str)] = if body.is_some() {
        &[("content-type", "application/json")]
    } else {
        &[]
    };
    send(
        method,
        &format!("{}/__sandbox{path}", h.url()),
        headers,
        body.map(|b| serde_json::to_vec(b).unwrap()),
    )
    .await
    .unwrap()
}

/// Creates the playbook contract; returns the create response body.
pub async fn create_playbook(h: &SandboxHandle) -> Value {
    let r = api(h, ACME, "POST", "/contracts/", Some(&playbook())).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// A recorded webhook delivery.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Loopback webhook receiver answering `status` (changeable at run time).
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
}

impl Receiver {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/spotdraft", listener.local_addr().unwrap());
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(200));
        let (g, s) = (got.clone(), status.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let (g, s) = (g.clone(), s.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let (g, s) = (g.clone(), s.clone());
                        async move {
                            let headers = req.headers().clone();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|c| c.to_bytes())
                                .unwrap_or_default();
                            g.lock().unwrap().push(Received { headers, body });
                            let mut r = Response::new(Full::new(Bytes::from_static(b"ok")));
                            *r.status_mut() =
                                hyper::StatusCode::from_u16(s.load(Ordering::SeqCst)).unwrap();
                            Ok::<_, Infallible>(r)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { url, got, status }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until at least `n` deliveries arrived (or panics after 10 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            let r = self.received();
            if r.len() >= n {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} deliveries, got {}", self.received().len());
    }
}

/// Polls `/__sandbox/webhook-deliveries` until `pred` holds (or panics after 10 s).
pub async fn wait_deliveries(h: &SandboxHandle, ws: &str, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        let v = control(
            h,
            "GET",
            &format!("/webhook-deliveries?workspace={ws}"),
            None,
        )
        .await
        .json();
        if pred(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "delivery log never satisfied the condition: {}",
        control(h, "GET", "/webhook-deliveries", None).await.json()
    );
}

/// Registers a webhook in acme for `activities`; returns its id.
pub async fn register(h: &SandboxHandle, url: &str, activities: &[&str]) -> u64 {
    let r = api(
        h,
        ACME,
        "POST",
        "/webhooks/",
        Some(&serde_json::json!({"title": "test hook", "url": url, "only_for_activities": activities})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json()["id"].as_u64().unwrap()
}
