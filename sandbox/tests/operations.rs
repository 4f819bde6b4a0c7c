//! Operations: rate limit, fault injection, control endpoints, state persistence, the binary
//! (listening line, per-request log without secrets, SIGTERM shutdown).

// Helpers outside #[test] fns fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use serde_json::json;

#[tokio::test]
async fn rate_limit_per_workspace() {
    let h = start_with(|c| c.rate_limit = 5).await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(api(&h, ACME, "GET", "/templates/", None).await);
    }
    let limited: Vec<_> = statuses.iter().filter(|r| r.status == 429).collect();
    assert!(!limited.is_empty(), "burst over 5/s is throttled");
    assert!(statuses.iter().take(5).all(|r| r.status == 200));
    let r = limited[0];
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .starts_with("Request was throttled."));
    // other workspaces have their own budget; control endpoints are never limited
    assert_eq!(
        api(&h, GLOBEX, "GET", "/templates/", None).await.status,
        200
    );
    assert_eq!(control(&h, "GET", "/health", None).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        api(&h, ACME, "GET", "/templates/", None).await.status,
        200,
        "budget refills"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn injected_faults_are_deterministic() {
    let h = start().await;
    let cfg = json!({"seed": 42, "error_5xx_rate": 0.2, "error_429_rate": 0.1, "burst_429_length": 2, "retry_after_secs": 3});
    assert_eq!(control(&h, "POST", "/faults", Some(&cfg)).await.status, 200);
    let mut run1 = Vec::new();
    for _ in 0..60 {
        run1.push(api(&h, ACME, "GET", "/templates/", None).await);
    }
    control(&h, "POST", "/faults", Some(&cfg)).await; // reseeds
    let mut run2 = Vec::new();
    for _ in 0..60 {
        run2.push(api(&h, ACME, "GET", "/templates/", None).await.status);
    }
    let s1: Vec<u16> = run1.iter().map(|r| r.status).collect();
    assert_eq!(s1, run2, "same seed, same faults");
    assert!(s1.contains(&503) && s1.contains(&429) && s1.contains(&200));
    let t = run1.iter().find(|r| r.status == 429).unwrap();
    assert_eq!(t.header("retry-after").as_deref(), Some("3"));
    assert_eq!(
        run1.iter().find(|r| r.status == 503).unwrap().json()["code"],
        "SD_SANDBOX_INJECTED_FAULT"
    );
    // bursts: every 429 run is at least 2 long unless cut by the end
    let got = control(&h, "GET", "/faults", None).await.json();
    assert_eq!(got["error_5xx_rate"], 0.2);
    let bad = control(&h, "POST", "/faults", Some(&json!({"error_5xx_rate": 3}))).await;
    assert_eq!(
        (bad.status, bad.json()["code"].clone()),
        (400, json!("SD_SANDBOX_INVALID_FAULTS"))
    );
    let bad = control(&h, "POST", "/faults", Some(&json!({"bogus": 1}))).await;
    assert_eq!(bad.status, 400);
    h.shutdown().await;
}

#[tokio::test]
async fn connection_resets_before_and_after_commit() {
    let h = start().await;
    control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"next_reset_before": 1})),
    )
    .await;
    let url = format!("{}{API}/contracts/", h.url());
    let hdrs: Vec<(&str, &str)> = [ACME, &[("content-type", "application/json")]].concat();
    let body = serde_json::to_vec(&playbook()).unwrap();
    let r = send("POST", &url, &hdrs, Some(body.clone())).await;
    assert!(r.is_err(), "reset before: {r:?}");
    assert_eq!(
        control(&h, "GET", "/contracts", None).await.json()["count"],
        0,
        "nothing committed"
    );

    control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"next_reset_after_commit": 1})),
    )
    .await;
    let r = send("POST", &url, &hdrs, Some(body.clone())).await;
    assert!(r.is_err(), "reset after commit: {r:?}");
    let truth = control(&h, "GET", "/contracts", None).await.json();
    assert_eq!(
        truth["count"], 1,
        "the create committed although the client saw a reset"
    );
    assert_eq!(
        truth["contracts"][0]["external_metadata_id"],
        "hubspot-deal-10024"
    );
    // a naive retry duplicates; the truth endpoint shows it
    let r = send("POST", &url, &hdrs, Some(body)).await.unwrap();
    assert_eq!(r.status, 201);
    let truth = control(&h, "GET", "/contracts", None).await.json();
    assert_eq!(
        truth["duplicates_by_external_metadata_id"]["hubspot-deal-10024"],
        2
    );
    // reads are never reset-after-commit
    control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"reset_after_commit_rate": 1.0})),
    )
    .await;
    assert_eq!(
        api(&h, ACME, "GET", "/contracts/T-1001/status", None)
            .await
            .status,
        200
    );
    h.shutdown().await;
}

#[tokio::test]
async fn latency_fault() {
    let h = start_with(|c| c.faults.latency_ms = 150).await;
    let t = std::time::Instant::now();
    assert_eq!(api(&h, ACME, "GET", "/templates/", None).await.status, 200);
    assert!(t.elapsed() >= std::time::Duration::from_millis(150));
    h.shutdown().await;
}

#[tokio::test]
async fn clock_reset_and_health() {
    let h = start().await;
    let health = control(&h, "GET", "/health", None).await.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["workspaces"], json!(["acme", "globex"]));
    let before = control(&h, "GET", "/clock", None).await.json();
    let after = control(
        &h,
        "POST",
        "/clock/advance",
        Some(&json!({"seconds": 86400})),
    )
    .await
    .json();
    assert_eq!(
        after["offset_secs"].as_i64().unwrap() - before["offset_secs"].as_i64().unwrap(),
        86400
    );
    assert!(after["now"].as_str().unwrap() > before["now"].as_str().unwrap());
    assert_eq!(
        control(&h, "POST", "/clock/advance", Some(&json!({"seconds": -5})))
            .await
            .status,
        400
    );
    assert_eq!(
        control(&h, "POST", "/clock/advance", Some(&json!({})))
            .await
            .status,
        400
    );
    create_playbook(&h).await;
    let c = control(&h, "GET", "/contracts/T-1001", None).await.json();
    assert_eq!(c["contract_data"]["customer_name"], "Acme Inc.");
    assert_eq!(
        control(&h, "GET", "/contracts?workspace=nope", None)
            .await
            .status,
        404
    );
    assert_eq!(
        control(&h, "GET", "/contracts?verbose=1", None)
            .await
            .status,
        400
    );
    assert_eq!(
        control(&h, "POST", "/contracts/T-1001/dance", None)
            .await
            .status,
        404
    );
    assert_eq!(control(&h, "POST", "/reset", None).await.status, 200);
    assert_eq!(
        control(&h, "GET", "/contracts", None).await.json()["count"],
        0
    );
    assert_eq!(
        control(&h, "GET", "/clock", None).await.json()["offset_secs"],
        0
    );
    // ids start over after a full reset
    assert_eq!(create_playbook(&h).await["id"], "T-1001");
    h.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_restart() {
    let path = std::env::temp_dir().join(format!("sbx-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let p = path.clone();
    let h = start_with(move |c| c.state_file = Some(p)).await;
    let rx = Receiver::start().await;
    let hook = register(&h, &rx.url, &["CONTRACT_EXECUTED"]).await;
    create_playbook(&h).await;
    control(&h, "POST", "/contracts/T-1001/execute", None).await;
    control(&h, "POST", "/clock/advance", Some(&json!({"seconds": 60}))).await;
    let key1 = api(&h, ACME, "GET", "/webhooks/hmac_key/", None)
        .await
        .json();
    h.shutdown().await;
    assert!(path.exists());

    let p = path.clone();
    let h = start_with(move |c| {
        c.state_file = Some(p);
        c.seed = 999; // a different seed must not change persisted keys
    })
    .await;
    let st = api(&h, ACME, "GET", "/contracts/T-1001/status", None)
        .await
        .json();
    assert_eq!(st["contract_status"], "EXECUTED");
    assert_eq!(
        api(&h, ACME, "GET", "/webhooks/hmac_key/", None)
            .await
            .json(),
        key1
    );
    assert_eq!(
        control(&h, "GET", "/clock", None).await.json()["offset_secs"],
        60
    );
    assert_eq!(
        create_playbook(&h).await["id"],
        "T-1002",
        "counters persisted"
    );
    let kp = api(&h, ACME, "GET", "/contracts/T-1001/key_pointers", None)
        .await
        .json();
    assert!(!kp.as_array().unwrap().is_empty());
    assert_eq!(
        api(&h, ACME, "DELETE", &format!("/webhooks/{hook}"), None)
            .await
            .status,
        204
    );
    h.shutdown().await;

    // a corrupt state file is refused, not overwritten
    std::fs::write(&path, b"{not json").unwrap();
    let p = path.clone();
    let mut c = spotdraft_sandbox::SandboxConfig::for_tests();
    c.state_file = Some(p);
    let err = spotdraft_sandbox::Sandbox::start(c).await.err().unwrap();
    assert!(err.contains("not valid sandbox state"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn binary_prints_listening_line_logs_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spotdraft-sandbox"))
        .args(["--port", "0", "--seed", "3"])
        .env("SANDBOX_RATE_LIMIT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("spotdraft-sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = send("GET", &format!("{url}{API}/templates/"), ACME, None)
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        let r = send(
            "POST",
            &format!("{url}{API}/contracts/T-1/download_link"),
            ACME,
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.status, 404);
    });
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "clean exit on SIGTERM: {:?}",
        out.status
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        logs.contains("GET /api/v2.1/public/templates/ 200"),
        "{logs}"
    );
    assert!(logs.contains("ws=acme"));
    assert!(!logs.contains("sandbox-acme-secret"), "no secrets in logs");
    assert!(logs.contains("shutting down"));
}
