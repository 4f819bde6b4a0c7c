//! Auth, workspaces, create validation rules, and bad input: every case answers a
//! SpotDraft-shaped 4xx and the server keeps serving.

// Helpers outside #[test] fns fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn auth_failures() {
    let h = start().await;
    let none = send("GET", &format!("{}{API}/templates/", h.url()), &[], None)
        .await
        .unwrap();
    assert_eq!(none.status, 401);
    assert_eq!(
        none.json(),
        json!({"detail": "Authentication credentials were not provided."})
    );
    let half = send(
        "GET",
        &format!("{}{API}/templates/", h.url()),
        &[("client-id", "sandbox-acme")],
        None,
    )
    .await
    .unwrap();
    assert_eq!(half.status, 401);
    let wrong = api(
        &h,
        &[
            ("client-id", "sandbox-acme"),
            ("client-secret", "sandbox-globex-secret"),
        ],
        "GET",
        "/templates/",
        None,
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.json(),
        json!({"detail": "Incorrect authentication credentials."})
    );
    // secrets never echoed
    assert!(!String::from_utf8_lossy(&wrong.body).contains("secret"));

    let inactive: Vec<(&str, &str)> = [ACME, &[("user-email", "former@acme.example")]].concat();
    let r = api(&h, &inactive, "GET", "/templates/", None).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "SD_SANDBOX_USER_NOT_ACTIVE");
    let unknown: Vec<(&str, &str)> = [ACME, &[("user-email", "nobody@acme.example")]].concat();
    assert_eq!(
        api(&h, &unknown, "GET", "/templates/", None).await.status,
        403
    );
    let other_ws: Vec<(&str, &str)> = [ACME, &[("user-email", "owner@globex.example")]].concat();
    assert_eq!(
        api(&h, &other_ws, "GET", "/templates/", None).await.status,
        403
    );
    let ok: Vec<(&str, &str)> = [ACME, &[("user-email", "OWNER@acme.example")]].concat();
    assert_eq!(api(&h, &ok, "GET", "/templates/", None).await.status, 200);
    h.shutdown().await;
}

#[tokio::test]
async fn inaccessible_template_from_other_workspace() {
    let h = start().await;
    let mut b = playbook();
    b["contract_template_id"] = json!(2101);
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(r.status, 404);
    let body = r.json();
    assert_eq!(body["code"], "SD_SANDBOX_TEMPLATE_INACCESSIBLE");
    assert_eq!(body["status_code"], 404);
    assert!(body["detail"].is_string() && body["message"].is_string());
    b["contract_template_id"] = json!(999_999);
    assert_eq!(
        api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json()["code"],
        "SD_SANDBOX_TEMPLATE_INACCESSIBLE"
    );
    assert_eq!(
        control(&h, "GET", "/contracts", None).await.json()["count"],
        0,
        "nothing created"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn contract_data_mismatch_is_a_field_map() {
    let h = start().await;
    let mut b = playbook();
    let cd = b["contract_data"].as_object_mut().unwrap();
    cd.remove("agreement_date");
    cd.insert("discount".into(), json!(5));
    cd.insert("auto_renewal".into(), json!("yes"));
    cd.insert("service_countries".into(), json!(["US", "FR"]));
    cd.insert(
        "subscription_term".into(),
        json!({"type": "WEEKS", "value": 1.5, "days": 7}),
    );
    cd.insert("billing_address".into(), json!("350 Fifth Avenue"));
    cd.insert("renewal_review_at".into(), json!("next tuesday"));
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(r.status, 400);
    let e = r.json();
    assert_eq!(e["code"], "SD_SANDBOX_VALIDATION_ERROR");
    let m = &e["contract_data"];
    assert_eq!(m["agreement_date"][0], "This field is required.");
    assert!(m["discount"][0]
        .as_str()
        .unwrap()
        .starts_with("Unknown field"));
    assert_eq!(m["auto_renewal"][0], "Must be a valid boolean.");
    assert!(m["service_countries"]["1"][0]
        .as_str()
        .unwrap()
        .contains("not a valid choice"));
    assert!(m["subscription_term"]["type"][0]
        .as_str()
        .unwrap()
        .contains("not a valid choice"));
    assert_eq!(
        m["subscription_term"]["value"][0],
        "A valid integer is required."
    );
    assert!(m["billing_address"][0]
        .as_str()
        .unwrap()
        .contains("dictionary"));
    assert!(m["renewal_review_at"][0]
        .as_str()
        .unwrap()
        .contains("ISO-8601"));
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("contract_data.agreement_date"));
    h.shutdown().await;
}

#[tokio::test]
async fn top_level_structure_errors() {
    let h = start().await;
    let r = api(&h, ACME, "POST", "/contracts/", Some(&json!({}))).await;
    assert_eq!(r.status, 400);
    let e = r.json();
    for k in [
        "contract_template_id",
        "contract_data",
        "counter_party_details",
    ] {
        assert_eq!(e[k][0], "This field is required.", "{k}");
    }
    let r = api(&h, ACME, "POST", "/contracts/", Some(&json!([1, 2]))).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("Expected a dictionary"));
    let mut b = playbook();
    b["contract_template_id"] = json!("1204");
    b["surprise"] = json!(true);
    b["counter_party_details"] = json!([]);
    b["external_metadata"] = json!("hubspot-deal-10024");
    let e = api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json();
    assert_eq!(e["contract_template_id"][0], "A valid integer is required.");
    assert_eq!(e["surprise"][0], "Unknown field.");
    assert_eq!(e["counter_party_details"][0], "This list may not be empty.");
    assert!(e["external_metadata"][0]
        .as_str()
        .unwrap()
        .contains("dictionary"));
    h.shutdown().await;
}

#[tokio::test]
async fn counterparty_rules() {
    let h = start().await;
    // individual-only template with an organisation counterparty
    let body = json!({
        "contract_template_id": 1301,
        "contract_data": {"start_date": "2026-04-01", "hourly_rate": 95.5, "scope_of_work": "Design", "payment_schedule": "monthly"},
        "counter_party_details": [{"is_individual": false, "organization_name": "Jo Ltd", "poc_details": {"first_name": "Jo", "email": "jo@example.com"}}]
    });
    let e = api(&h, ACME, "POST", "/contracts/", Some(&body)).await;
    assert_eq!(e.status, 400);
    assert!(e.json()["counter_party_details"]["0"]["is_individual"][0]
        .as_str()
        .unwrap()
        .contains("only individual"));
    let mut ok = body.clone();
    ok["counter_party_details"] = json!([{"is_individual": true, "poc_details": {"first_name": "Jo", "last_name": "Park", "email": "jo@example.com"}}]);
    let r = api(&h, ACME, "POST", "/contracts/", Some(&ok)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["counter_party_name"], "Jo Park");

    // organisation template with an individual, missing fields, bad address, two CPs on single-party template
    let mut b = playbook();
    b["counter_party_details"] = json!([
        {"is_individual": true, "poc_details": {"first_name": "", "email": "not-an-email"}},
        {"is_individual": false, "poc_details": {"first_name": "A", "email": "a@b.example"}, "organization_details": {"address": {"city": "X"}}}
    ]);
    let e = api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json();
    let cps = &e["counter_party_details"];
    assert!(cps["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("single counterparty"));
    assert!(cps["0"]["is_individual"][0]
        .as_str()
        .unwrap()
        .contains("only organisation"));
    assert_eq!(
        cps["0"]["poc_details"]["first_name"][0],
        "This field is required."
    );
    assert_eq!(
        cps["0"]["poc_details"]["email"][0],
        "Enter a valid email address."
    );
    assert!(cps["1"]["organization_name"][0]
        .as_str()
        .unwrap()
        .contains("required"));
    assert_eq!(
        cps["1"]["organization_details"]["address"]["line_one"][0],
        "This field is required."
    );
    assert_eq!(
        cps["1"]["organization_details"]["address"]["country_iso_code"][0],
        "This field is required."
    );
    h.shutdown().await;
}

#[tokio::test]
async fn signatory_rules() {
    let h = start().await;
    let mut b = playbook();
    b["signatories"] = json!([
        {"name": "Avery", "email": "legal@acme.example", "is_counterparty_signatory": true, "counterparty_name": "Wrong Inc.", "sign_order": 1},
        {"name": "Olivia", "email": "owner@acme.example", "is_counterparty_signatory": false, "counterparty_name": "Acme Inc."}
    ]);
    let e = api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json();
    let s = &e["signatories"];
    assert!(s["0"]["counterparty_name"][0]
        .as_str()
        .unwrap()
        .contains("Must match"));
    assert!(s["1"]["counterparty_name"][0]
        .as_str()
        .unwrap()
        .contains("blank"));
    assert!(s["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("all signatories or none"));
    b["signatories"] = json!([
        {"name": "Olivia", "email": "owner@acme.example", "is_counterparty_signatory": false, "sign_order": 1}
    ]);
    let e = api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json();
    assert!(e["signatories"][0]
        .as_str()
        .unwrap()
        .contains("at least one counterparty signatory"));
    b["signatories"] = json!([{"email": "x@y.example"}]);
    let e = api(&h, ACME, "POST", "/contracts/", Some(&b)).await.json();
    assert_eq!(e["signatories"]["0"]["name"][0], "This field is required.");
    assert_eq!(
        e["signatories"]["0"]["is_counterparty_signatory"][0],
        "This field is required."
    );
    h.shutdown().await;
}

#[tokio::test]
async fn creator_entity_rules() {
    let h = start().await;
    let mut b = json!({
        "contract_template_id": 1402,
        "contract_data": {"effective_date": "2026-05-01", "processing_purposes": ["billing"], "data_subject_categories": ["customers"], "sub_processors_allowed": false},
        "counter_party_details": [{"is_individual": false, "organization_name": "Initech", "poc_details": {"first_name": "Bill", "email": "bill@initech.example"}}]
    });
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(
        r.status, 403,
        "primary entity ACME-US may not use the EU template"
    );
    assert_eq!(r.json()["code"], "SD_SANDBOX_ENTITY_NOT_ALLOWED");
    b["entity_reference_id"] = json!("ACME-MARS");
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "SD_SANDBOX_ENTITY_UNKNOWN");
    b["entity_reference_id"] = json!("ACME-EU");
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    h.shutdown().await;
}

#[tokio::test]
async fn bad_input_never_crashes() {
    let h = start_with(|c| c.max_body_bytes = 4096).await;
    let url = format!("{}{API}/contracts/", h.url());
    let json_ct: Vec<(&str, &str)> = [ACME, &[("content-type", "application/json")]].concat();
    // malformed JSON
    let r = send(
        "POST",
        &url,
        &json_ct,
        Some(b"{\"contract_template_id\": 12".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error"));
    // wrong content type
    let form: Vec<(&str, &str)> = [ACME, &[("content-type", "text/plain")]].concat();
    let r = send("POST", &url, &form, Some(b"hello".to_vec()))
        .await
        .unwrap();
    assert_eq!(r.status, 415);
    assert_eq!(
        r.json()["detail"],
        "Unsupported media type \"text/plain\" in request."
    );
    let none: Vec<(&str, &str)> = ACME.to_vec();
    assert_eq!(
        send("POST", &url, &none, Some(b"{}".to_vec()))
            .await
            .unwrap()
            .status,
        415
    );
    // oversized (declared and chunked)
    let big = vec![b' '; 10_000];
    let r = send("POST", &url, &json_ct, Some(big)).await.unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["code"], "SD_SANDBOX_BODY_TOO_LARGE");
    // deeply nested JSON is a parse error, not a stack overflow
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let h2 = start().await;
    let r = send(
        "POST",
        &format!("{}{API}/contracts/", h2.url()),
        &json_ct,
        Some(deep.into_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    h2.shutdown().await;
    // unknown ids, malformed composite ids
    assert_eq!(
        api(&h, ACME, "GET", "/contracts/T-424242/status", None)
            .await
            .json(),
        json!({"detail": "Not found."})
    );
    assert_eq!(
        api(&h, ACME, "GET", "/contracts/H-5/status", None)
            .await
            .status,
        404
    );
    for bad in ["1001", "T-", "T-1x", "X-9", "T-%FF", "T-1;drop"] {
        let r = api(&h, ACME, "GET", &format!("/contracts/{bad}/status"), None).await;
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(
            r.json()["code"],
            "SD_SANDBOX_MALFORMED_COMPOSITE_ID",
            "{bad}"
        );
    }
    assert_eq!(
        api(&h, ACME, "DELETE", "/webhooks/abc", None).await.status,
        404
    );
    assert_eq!(
        api(&h, ACME, "DELETE", "/webhooks/9999", None).await.json()["code"],
        "SD_SANDBOX_WEBHOOK_NOT_FOUND"
    );
    // unknown query params
    let r = api(&h, ACME, "GET", "/webhooks/hmac_key/?x=1", None).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (400, json!("SD_SANDBOX_UNKNOWN_QUERY_PARAMETER"))
    );
    // unknown paths and methods
    assert_eq!(
        api(&h, ACME, "GET", "/nothing/here/", None).await.status,
        404
    );
    assert_eq!(
        send(
            "GET",
            &format!("{}/api/v2/public/contracts/", h.url()),
            ACME,
            None
        )
        .await
        .unwrap()
        .status,
        404
    );
    let r = api(&h, ACME, "PUT", "/contracts/", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    // a raw garbage request gets an HTTP error (or a closed connection), and the server keeps serving
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    s.write_all(b"\x00\x01GARBAGE\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert!(buf.is_empty() || buf.starts_with(b"HTTP/1.1 4"));
    assert_eq!(control(&h, "GET", "/health", None).await.status, 200);
    assert_eq!(
        control(&h, "GET", "/contracts", None).await.json()["count"],
        0,
        "no lost or phantom state"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn trailing_slash_redirects_302() {
    let h = start().await;
    let cases = [
        ("GET", "/contracts", "/api/v2.1/public/contracts/"),
        ("POST", "/contracts", "/api/v2.1/public/contracts/"),
        (
            "GET",
            "/contracts/T-1/status/",
            "/api/v2.1/public/contracts/T-1/status",
        ),
        ("GET", "/templates/1204", "/api/v2.1/public/templates/1204/"),
        (
            "GET",
            "/templates/1204/metadata/",
            "/api/v2.1/public/templates/1204/metadata",
        ),
        (
            "GET",
            "/webhooks/hmac_key",
            "/api/v2.1/public/webhooks/hmac_key/",
        ),
        ("DELETE", "/webhooks/5/", "/api/v2.1/public/webhooks/5"),
        (
            "GET",
            "/contracts?page=2",
            "/api/v2.1/public/contracts/?page=2",
        ),
    ];
    for (m, p, loc) in cases {
        let r = send(m, &format!("{}{API}{p}", h.url()), &[], None)
            .await
            .unwrap();
        assert_eq!(r.status, 302, "{m} {p}");
        assert_eq!(r.header("location").as_deref(), Some(loc), "{m} {p}");
        assert_eq!(
            r.header("access-control-allow-origin").as_deref(),
            Some("*"),
            "CORS on 302"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn cors_everywhere() {
    let h = start().await;
    let pre = send(
        "OPTIONS",
        &format!("{}{API}/contracts/", h.url()),
        &[
            ("origin", "http://localhost:5173"),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "client-id, client-secret, user-email, content-type",
            ),
        ],
        None,
    )
    .await
    .unwrap();
    assert_eq!(pre.status, 204);
    let allow = pre.header("access-control-allow-headers").unwrap();
    for hname in ["client-id", "client-secret", "user-email", "content-type"] {
        assert!(allow.contains(hname), "{hname}");
    }
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    for (m, p, auth) in [
        ("GET", "/templates/", ACME),
        ("GET", "/templates/", &[][..]),
        ("GET", "/contracts/T-9/status", ACME),
    ] {
        let r = send(
            m,
            &format!("{}{API}{p}", h.url()),
            &[auth, &[("origin", "http://localhost:5173")]].concat(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            r.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
        let exposed = r.header("access-control-expose-headers").unwrap();
        for x in ["retry-after", "x-request-id", "location"] {
            assert!(exposed.contains(x));
        }
        assert!(r.header("x-request-id").unwrap().starts_with("sbx-"));
    }
    let r = control(&h, "GET", "/health", None).await;
    assert!(r.header("x-request-id").is_some());
    h.shutdown().await;
}

#[test]
fn error_table_documented_once_in_readme() {
    let readme = include_str!("../README.md");
    let errors = include_str!("../src/errors.rs");
    for code in [
        "SD_SANDBOX_TEMPLATE_INACCESSIBLE",
        "SD_SANDBOX_VALIDATION_ERROR",
        "SD_SANDBOX_ENTITY_NOT_ALLOWED",
        "SD_SANDBOX_INVALID_CONTRACT_STATE",
        "SD_SANDBOX_MALFORMED_COMPOSITE_ID",
    ] {
        assert!(errors.contains(code) && readme.contains(code), "{code}");
    }
    let _: Value = Value::Null;
}

#[tokio::test]
async fn explicit_null_on_an_optional_create_field_is_a_400_field_error() {
    let h = start().await;
    for field in [
        "contract_name",
        "signatories",
        "workflow_config",
        "send_to_counterparty_config",
        "entity_reference_id",
        "is_embedded_contract",
    ] {
        let mut body = playbook();
        body[field] = serde_json::Value::Null;
        let r = api(&h, ACME, "POST", "/contracts/", Some(&body)).await;
        assert_eq!(r.status, 400, "{field}");
        let v = r.json();
        assert_eq!(v["code"], "SD_SANDBOX_VALIDATION_ERROR", "{field}");
        assert_eq!(v[field][0], "This field may not be null.", "{field}");
    }
    let list = control(&h, "GET", "/contracts", None).await.json();
    assert_eq!(list["count"], 0, "nothing was created");
    h.shutdown().await;
}
