//! Webhooks over real HTTP: registration rules, signed deliveries verified by a loopback
//! receiver, activity filtering, retries, DISABLED_BY_ERROR, delete, re-trigger, faults.

// Helpers outside #[test] fns fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use common::*;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha512;

fn verify(key_b64: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(key_b64)
        .unwrap();
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(&r.body);
    let got = r
        .headers
        .get("x-sd-webhook-content-hash")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Ok(bytes) = (0..got.len() / 2)
        .map(|i| u8::from_str_radix(&got[2 * i..2 * i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
    else {
        return false;
    };
    got.len() == 128 && got == got.to_lowercase() && mac.verify_slice(&bytes).is_ok()
}

async fn hmac_key(h: &spotdraft_sandbox::SandboxHandle) -> String {
    let r = api(h, ACME, "GET", "/webhooks/hmac_key/", None)
        .await
        .json();
    let k = r["hmac_key"].as_str().unwrap().to_owned();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&k)
            .unwrap()
            .len(),
        64
    );
    k
}

#[tokio::test]
async fn signed_deliveries_for_subscribed_activities() {
    let h = start().await;
    let rx = Receiver::start().await;
    let key = hmac_key(&h).await;
    let gk = api(&h, GLOBEX, "GET", "/webhooks/hmac_key/", None)
        .await
        .json();
    assert_ne!(gk["hmac_key"], json!(key), "each workspace has its own key");
    let r = api(&h, ACME, "POST", "/webhooks/", Some(&json!({
        "title": "CRM sync", "url": rx.url, "description": "d",
        "only_for_activities": ["CONTRACT_CREATED", "CONTRACT_SENT_TO_COUNTERPARTY", "CONTRACT_SIGNED", "CONTRACT_EXECUTED"],
        "custom_headers": {"X-ABC-ACCESS-KEY": "k1"}
    }))).await;
    assert_eq!(r.status, 201);
    let hook = r.json();
    assert_eq!(hook["status"], "ACTIVE");
    assert_eq!(hook["created_by_user"]["email"], "owner@acme.example");

    let c = create_playbook(&h).await;
    api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/send_to_counterparties",
        Some(&json!({"attachment_formats": ["PDF"], "cc_emails": ["cc@acme.example"]})),
    )
    .await;
    control(&h, "POST", "/contracts/T-1001/sign", None).await;
    let got = rx.wait_for(4).await;
    let acts: Vec<String> = got
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["activity"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        acts,
        [
            "CONTRACT_CREATED",
            "CONTRACT_SENT_TO_COUNTERPARTY",
            "CONTRACT_SIGNED",
            "CONTRACT_EXECUTED"
        ],
        "in order, SIGNATURE_REQUESTED filtered out"
    );
    for r in &got {
        assert!(verify(&key, r), "signature verifies");
        assert_eq!(r.headers.get("x-abc-access-key").unwrap(), "k1");
        assert_eq!(r.headers.get("content-type").unwrap(), "application/json");
        let p: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(p["contract_id"], c["contract_id"]);
        assert!(p["contract_id"].is_u64());
        assert_eq!(p["external_metadata"]["id"], "hubspot-deal-10024");
        assert_eq!(p["contract_kind"], "TEMPLATE_CONTRACT");
        assert!(p["activity_data"]["timestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z'));
        for k in [
            "contract_title",
            "contract_type",
            "contract_type_name",
            "contract_type_id",
            "contract_status",
            "business_user",
            "created_at",
        ] {
            assert!(p.get(k).is_some(), "{k}");
        }
    }
    let sent: Value = serde_json::from_slice(&got[1].body).unwrap();
    assert_eq!(sent["contract_status"], "REDLINING");
    assert_eq!(
        sent["activity_data"]["counterparty_email_recipients"]["cc_recipients"],
        json!(["cc@acme.example"])
    );
    let exec: Value = serde_json::from_slice(&got[3].body).unwrap();
    assert_eq!(exec["contract_status"], "EXECUTED");

    // re-trigger sends the latest payload again, byte-identical
    let r = api(
        &h,
        ACME,
        "POST",
        "/contracts/webhooks/re_trigger_latest/",
        Some(&json!({"contract_ids": [1001]})),
    )
    .await;
    assert_eq!((r.status, r.json()), (200, json!({"message": "Success"})));
    let got = rx.wait_for(5).await;
    assert_eq!(got[4].body, got[3].body);
    let r = api(
        &h,
        ACME,
        "POST",
        "/contracts/webhooks/re_trigger_latest/",
        Some(&json!({"contract_ids": [777]})),
    )
    .await;
    assert_eq!((r.status, r.json()), (404, json!({"detail": "Not Found"})));
    assert_eq!(
        api(
            &h,
            ACME,
            "POST",
            "/contracts/webhooks/re_trigger_latest/",
            Some(&json!({"contract_ids": ["T-1001"]}))
        )
        .await
        .status,
        400
    );

    // delete stops deliveries
    let id = hook["id"].as_u64().unwrap();
    assert_eq!(
        api(&h, ACME, "DELETE", &format!("/webhooks/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        api(&h, ACME, "DELETE", &format!("/webhooks/{id}"), None)
            .await
            .status,
        404
    );
    create_playbook(&h).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(rx.received().len(), 5);
    // the delivery log tells the story
    let log = control(&h, "GET", "/webhook-deliveries", None).await.json();
    let d = log["deliveries"].as_array().unwrap();
    assert_eq!(d.len(), 5);
    assert!(d.iter().all(|x| x["outcome"] == "sent"
        && x["status_code"] == 200
        && x["signature_tampered"] == false));
    h.shutdown().await;
}

#[tokio::test]
async fn registration_rules() {
    let h = start().await;
    let bad = [
        json!({"title": "t", "url": "http://example.com/h", "only_for_activities": ["CONTRACT_CREATED"]}),
        json!({"title": "t", "url": "ftp://127.0.0.1/h", "only_for_activities": ["CONTRACT_CREATED"]}),
        json!({"title": "", "url": "https://example.com/h", "only_for_activities": ["CONTRACT_CREATED"]}),
        json!({"title": "t", "url": "https://example.com/h", "only_for_activities": []}),
        json!({"title": "t", "url": "https://example.com/h", "only_for_activities": ["contract.executed"]}),
        json!({"title": "t", "url": "https://example.com/h", "only_for_activities": ["CONTRACT_CREATED"], "custom_headers": {"X-SD-Thing": "1"}}),
        json!({"title": "t", "url": "https://example.com/h", "only_for_activities": ["CONTRACT_CREATED"], "custom_headers": {"Authorization": "1"}}),
        json!({"url": "https://example.com/h"}),
    ];
    for b in bad {
        let r = api(&h, ACME, "POST", "/webhooks/", Some(&b)).await;
        assert_eq!(r.status, 400, "{b}");
        assert_eq!(r.json()["code"], "SD_SANDBOX_VALIDATION_ERROR");
    }
    // https anywhere is accepted (as SpotDraft), http only on loopback
    for url in [
        "https://crm.example.com/h",
        "http://localhost:9/h",
        "http://[::1]:9/h",
    ] {
        let r = api(
            &h,
            ACME,
            "POST",
            "/webhooks/",
            Some(&json!({"title": "t", "url": url, "only_for_activities": ["CONTRACT_CREATED"]})),
        )
        .await;
        assert_eq!(r.status, 201, "{url}");
    }
    // the https one is recorded as not delivered; nothing leaves loopback
    create_playbook(&h).await;
    let log = wait_deliveries(&h, "acme", |v| {
        v["deliveries"].as_array().is_some_and(|d| d.len() >= 3)
    })
    .await;
    let skipped = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["outcome"] == "skipped")
        .count();
    assert!(skipped >= 1);
    h.shutdown().await;
}

#[tokio::test]
async fn explicit_null_is_refused_on_optional_fields() {
    let h = start().await;
    for (field, message) in [
        ("description", "Input should be a valid string"),
        ("custom_headers", "Input should be a valid dictionary"),
    ] {
        let mut body = json!({"title": "t", "url": "https://example.com/h", "only_for_activities": ["CONTRACT_CREATED"]});
        body[field] = Value::Null;
        let r = api(&h, ACME, "POST", "/webhooks/", Some(&body)).await;
        assert_eq!(r.status, 400, "{field}");
        let v = r.json();
        assert_eq!(v["code"], "SD_SANDBOX_VALIDATION_ERROR", "{field}");
        assert_eq!(v[field][0], message, "{field}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn retries_then_disabled_by_error() {
    let h = start_with(|c| {
        c.webhook_retry_base_ms = 10;
        c.webhook_max_attempts = 3;
    })
    .await;
    let rx = Receiver::start().await;
    rx.status.store(500, std::sync::atomic::Ordering::SeqCst);
    let id = register(&h, &rx.url, &["CONTRACT_CREATED"]).await;
    // event 1: 3 failed attempts (retried with backoff), still ACTIVE (3 consecutive failures)
    create_playbook(&h).await;
    let log = wait_deliveries(&h, "acme", |v| {
        v["deliveries"].as_array().is_some_and(|d| d.len() >= 3)
    })
    .await;
    let attempts: Vec<u64> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    assert_eq!(log["webhooks"][0]["status"], "ACTIVE");
    assert_eq!(log["webhooks"][0]["consecutive_failures"], 3);
    // event 2: three more failures → 6 > 5 → DISABLED_BY_ERROR
    create_playbook(&h).await;
    let log = wait_deliveries(&h, "acme", |v| {
        v["webhooks"][0]["status"] == "DISABLED_BY_ERROR"
    })
    .await;
    let failed = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["outcome"] == "failed")
        .count();
    assert_eq!(failed, 6);
    assert_eq!(rx.received().len(), 6);
    // a disabled webhook receives nothing more, even after the receiver recovers
    rx.status.store(200, std::sync::atomic::Ordering::SeqCst);
    create_playbook(&h).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let log = control(&h, "GET", "/webhook-deliveries", None).await.json();
    assert_eq!(rx.received().len(), 6);
    assert_eq!(
        log["deliveries"].as_array().unwrap().len(),
        6,
        "disabled webhooks get no jobs"
    );
    assert_eq!(log["webhooks"][0]["id"], id);
    h.shutdown().await;
}

#[tokio::test]
async fn success_resets_failure_count() {
    let h = start_with(|c| {
        c.webhook_retry_base_ms = 10;
        c.webhook_max_attempts = 4;
    })
    .await;
    let rx = Receiver::start().await;
    rx.status.store(503, std::sync::atomic::Ordering::SeqCst);
    register(&h, &rx.url, &["CONTRACT_CREATED"]).await;
    create_playbook(&h).await;
    rx.wait_for(2).await;
    rx.status.store(204, std::sync::atomic::Ordering::SeqCst);
    let log = wait_deliveries(&h, "acme", |v| {
        v["deliveries"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["outcome"] == "sent"))
    })
    .await;
    assert_eq!(log["webhooks"][0]["consecutive_failures"], 0);
    assert_eq!(log["webhooks"][0]["status"], "ACTIVE");
    h.shutdown().await;
}

#[tokio::test]
async fn delivery_faults_tamper_and_duplicate() {
    let h = start().await;
    let rx = Receiver::start().await;
    let key = hmac_key(&h).await;
    register(&h, &rx.url, &["CONTRACT_CREATED"]).await;
    let f = control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"seed": 7, "webhook_tamper_rate": 1.0, "webhook_duplicate_rate": 1.0})),
    )
    .await;
    assert_eq!(f.status, 200);
    create_playbook(&h).await;
    let got = rx.wait_for(2).await;
    assert!(
        got.iter().all(|r| !verify(&key, r)),
        "tampered signatures do not verify"
    );
    assert_eq!(got[0].body, got[1].body, "duplicate is the same event");
    let log = wait_deliveries(&h, "acme", |v| {
        v["deliveries"].as_array().is_some_and(|d| d.len() >= 2)
    })
    .await;
    let d = log["deliveries"].as_array().unwrap();
    assert!(d.iter().all(|x| x["signature_tampered"] == true));
    assert!(d.iter().any(|x| x["duplicate"] == true));
    h.shutdown().await;
}

#[tokio::test]
async fn delivery_faults_reorder_and_delay() {
    let h = start().await;
    let rx = Receiver::start().await;
    register(
        &h,
        &rx.url,
        &["CONTRACT_CREATED", "CONTRACT_SENT_TO_COUNTERPARTY"],
    )
    .await;
    control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"webhook_reorder_rate": 1.0})),
    )
    .await;
    create_playbook(&h).await;
    api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/send_to_counterparties",
        Some(&json!({"attachment_formats": ["PDF"]})),
    )
    .await;
    let got = rx.wait_for(2).await;
    let first: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(
        first["activity"], "CONTRACT_SENT_TO_COUNTERPARTY",
        "reordered"
    );
    control(
        &h,
        "POST",
        "/faults",
        Some(&json!({"webhook_delay_rate": 1.0, "webhook_delay_ms": 300})),
    )
    .await;
    let t0 = std::time::Instant::now();
    create_playbook(&h).await;
    rx.wait_for(3).await;
    assert!(t0.elapsed() >= std::time::Duration::from_millis(300));
    h.shutdown().await;
}
