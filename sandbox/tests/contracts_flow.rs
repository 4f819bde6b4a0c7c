//! The contract flow over real HTTP: create → status → send → sign/execute → key pointers →
//! download, plus list, lookup by external id, void, templates.

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
async fn playbook_create_returns_spec_shape() {
    let h = start().await;
    let c = create_playbook(&h).await;
    assert_eq!(c["id"], "T-1001");
    assert_eq!(c["contract_id"], 1001);
    assert_eq!(c["contract_status"], "DRAFT");
    assert_eq!(c["contract_name"], "Acme Master Services Agreement");
    assert_eq!(c["counter_party_name"], "Acme Inc.");
    assert_eq!(c["created_by"], "owner@acme.example");
    assert_eq!(c["created_by_workspace"], 1);
    assert_eq!(c["external_metadata"]["id"], "hubspot-deal-10024");
    assert_eq!(c["reference_id"], "SD-1001");
    for k in [
        "created",
        "contract_link",
        "contract_type_name",
        "contract_type_id",
    ] {
        assert!(c.get(k).is_some(), "{k}");
    }
    // ids keep counting; contract_data default name is the template's
    let mut body = playbook();
    body.as_object_mut().unwrap().remove("contract_name");
    let r = api(&h, ACME, "POST", "/contracts/", Some(&body)).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["contract_id"], 1002);
    assert_eq!(r.json()["contract_name"], "Acme Master Services Agreement");
    h.shutdown().await;
}

#[tokio::test]
async fn lifecycle_to_executed_with_key_pointers_and_pdf() {
    let h = start().await;
    let id = create_playbook(&h).await["id"].as_str().unwrap().to_owned();
    let st = api(&h, ACME, "GET", &format!("/contracts/{id}/status"), None).await;
    assert_eq!(st.status, 200);
    assert_eq!(
        st.json(),
        json!({"contract_status": "DRAFT", "contract_name": "Acme Master Services Agreement"})
    );
    // no key pointers before execution
    let kp = api(
        &h,
        ACME,
        "GET",
        &format!("/contracts/{id}/key_pointers"),
        None,
    )
    .await;
    assert_eq!(kp.json(), json!([]));

    let sent = api(
        &h,
        ACME,
        "POST",
        &format!("/contracts/{id}/send_to_counterparties"),
        Some(&json!({"attachment_formats": ["PDF"]})),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", String::from_utf8_lossy(&sent.body));
    assert_eq!(
        api(&h, ACME, "GET", &format!("/contracts/{id}/status"), None)
            .await
            .json()["contract_status"],
        "REDLINING"
    );

    let signed = control(&h, "POST", &format!("/contracts/{id}/sign"), None).await;
    assert_eq!(signed.status, 200);
    assert_eq!(
        signed.json()["status"],
        "EXECUTED",
        "one signer (the CP contact) executes it"
    );

    // key pointers now mirror contract_data, grouped fields folded
    let kp = api(
        &h,
        ACME,
        "GET",
        &format!("/contracts/{id}/key_pointers"),
        None,
    )
    .await
    .json();
    let by_name = |n: &str| {
        kp.as_array()
            .unwrap()
            .iter()
            .find(|k| k["field_name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        by_name("billing_currency")["value"],
        json!({"type": "USD", "value": 12000})
    );
    assert_eq!(by_name("billing_currency")["data_type"], "currency");
    assert_eq!(by_name("billing_currency")["label"], "Billing Currency");
    assert_eq!(by_name("customer_name")["value"], "Acme Inc.");
    assert_eq!(
        by_name("pricing_schedule")["value"][1]["milestone"],
        "Annual subscription"
    );
    for k in kp.as_array().unwrap() {
        for f in [
            "id",
            "value",
            "label",
            "field_name",
            "data_type",
            "format_option",
        ] {
            assert!(k.get(f).is_some());
        }
    }

    // cannot void once executed (documented body)
    let v = api(
        &h,
        ACME,
        "POST",
        &format!("/contracts/{id}/status/void"),
        Some(&json!({"note": "x"})),
    )
    .await;
    assert_eq!(v.status, 400);
    assert_eq!(
        v.json(),
        json!({"detail": "Cannot void an executed contract."})
    );
    // cannot send once executed
    let s = api(
        &h,
        ACME,
        "POST",
        &format!("/contracts/{id}/send_to_counterparties"),
        Some(&json!({"attachment_formats": ["PDF"]})),
    )
    .await;
    assert_eq!(s.status, 402);
    assert_eq!(s.json()["code"], "SD_SANDBOX_INVALID_CONTRACT_STATE");

    // download link → real PDF with the contract's name, parties and data
    let dl = api(
        &h,
        ACME,
        "POST",
        &format!("/contracts/{id}/download_link"),
        None,
    )
    .await;
    assert_eq!(dl.status, 200);
    let dl = dl.json();
    let url = dl["url"].as_str().unwrap();
    assert!(dl["file_name"].as_str().unwrap().ends_with(".pdf"));
    assert_eq!(dl["current_version_id"], 2);
    let pdf = send("GET", url, &[], None).await.unwrap();
    assert_eq!(pdf.status, 200);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with(b"%PDF-1.4"));
    let text = String::from_utf8_lossy(&pdf.body);
    for needle in [
        "Acme Master Services Agreement",
        "Acme Inc.",
        "Avery Stone",
        "billing_currency",
        "EXECUTED",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    // tampered signature and expired link are refused
    let tampered = url.replace("signature=", "signature=0");
    let r = send("GET", &tampered, &[], None).await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "SD_SANDBOX_LINK_INVALID");
    let other = url.replace("/T-1001/", "/T-1002/");
    assert_eq!(send("GET", &other, &[], None).await.unwrap().status, 403);
    control(&h, "POST", "/clock/advance", Some(&json!({"seconds": 301}))).await;
    let r = send("GET", url, &[], None).await.unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["code"], "SD_SANDBOX_LINK_EXPIRED");
    h.shutdown().await;
}

#[tokio::test]
async fn download_link_formats() {
    let h = start().await;
    create_playbook(&h).await;
    let ok = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/download_link",
        Some(&json!({"format": "DOCX_WITH_FALLBACK_TO_PDF"})),
    )
    .await;
    assert_eq!(ok.status, 200);
    let ok = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/download_link",
        Some(&json!({"format": null})),
    )
    .await;
    assert_eq!(ok.status, 200);
    let docx = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/download_link",
        Some(&json!({"format": "DOCX"})),
    )
    .await;
    assert_eq!(docx.status, 400);
    assert_eq!(docx.json()["code"], "SD_SANDBOX_FORMAT_UNSUPPORTED");
    let bad = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/download_link",
        Some(&json!({"format": "RTF"})),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["format"][0]
        .as_str()
        .unwrap()
        .contains("not a valid choice"));
    h.shutdown().await;
}

#[tokio::test]
async fn hold_release_and_void() {
    let h = start().await;
    create_playbook(&h).await;
    let r = control(&h, "POST", "/contracts/T-1001/hold", None).await;
    assert_eq!(r.json()["status"], "ON_HOLD");
    assert_eq!(
        api(&h, ACME, "GET", "/contracts/T-1001/status", None)
            .await
            .json()["contract_status"],
        "ON_HOLD"
    );
    assert_eq!(
        control(&h, "POST", "/contracts/T-1001/sign", None)
            .await
            .status,
        402
    );
    assert_eq!(
        control(&h, "POST", "/contracts/T-1001/release", None)
            .await
            .json()["status"],
        "DRAFT"
    );
    let r = control(&h, "POST", "/contracts/T-1001/request_signature", None).await;
    assert_eq!(r.json()["status"], "SIGN");
    // void needs a note
    let r = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/status/void",
        Some(&json!({})),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["note"][0], "This field is required.");
    let r = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/status/void",
        Some(&json!({"note": "deal lost"})),
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(
        api(&h, ACME, "GET", "/contracts/T-1001/status", None)
            .await
            .json()["contract_status"],
        "VOIDED"
    );
    let again = api(
        &h,
        ACME,
        "POST",
        "/contracts/T-1001/status/void",
        Some(&json!({"note": "again"})),
    )
    .await;
    assert_eq!(again.status, 400);
    h.shutdown().await;
}

#[tokio::test]
async fn multi_signatory_sign_order() {
    let h = start().await;
    let mut body = playbook();
    body["signatories"] = json!([
        {"name": "Avery Stone", "email": "legal@acme.example", "is_counterparty_signatory": true, "counterparty_name": "Acme Inc.", "sign_order": 2},
        {"name": "Olivia Owner", "email": "owner@acme.example", "is_counterparty_signatory": false, "sign_order": 1}
    ]);
    let r = api(&h, ACME, "POST", "/contracts/", Some(&body)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let s1 = control(&h, "POST", "/contracts/T-1001/sign", None)
        .await
        .json();
    assert_eq!(s1["status"], "SIGN");
    assert_eq!(s1["signatures"][0]["email"], "owner@acme.example");
    let dup = control(
        &h,
        "POST",
        "/contracts/T-1001/sign",
        Some(&json!({"email": "owner@acme.example"})),
    )
    .await;
    assert_eq!(dup.status, 409);
    let s2 = control(
        &h,
        "POST",
        "/contracts/T-1001/sign",
        Some(&json!({"email": "legal@acme.example"})),
    )
    .await
    .json();
    assert_eq!(s2["status"], "EXECUTED");
    h.shutdown().await;
}

#[tokio::test]
async fn list_pagination_filters_and_lookup() {
    let h = start().await;
    for i in 0..12 {
        let mut b = playbook();
        b["external_metadata"]["id"] = json!(format!("deal-{}", i % 3));
        assert_eq!(
            api(&h, ACME, "POST", "/contracts/", Some(&b)).await.status,
            201
        );
    }
    control(&h, "POST", "/contracts/T-1003/execute", None).await;
    control(&h, "POST", "/contracts/T-1004/hold", None).await;

    let p1 = api(&h, ACME, "GET", "/contracts/", None).await.json();
    assert_eq!(
        (
            p1["page"].clone(),
            p1["limit"].clone(),
            p1["total_results"].clone()
        ),
        (json!(1), json!(10), json!(12))
    );
    assert_eq!(p1["results"].as_array().unwrap().len(), 10);
    assert_eq!(p1["results"][0]["id"], "T-1012", "newest first");
    let p2 = api(&h, ACME, "GET", "/contracts/?page=2&limit=10", None)
        .await
        .json();
    assert_eq!(p2["results"].as_array().unwrap().len(), 2);
    let ex = api(
        &h,
        ACME,
        "GET",
        "/contracts/?filter__display_status=EXECUTED",
        None,
    )
    .await
    .json();
    assert_eq!(ex["total_results"], 1);
    assert_eq!(ex["results"][0]["id"], "T-1003");
    let inn = api(
        &h,
        ACME,
        "GET",
        "/contracts/?filter__display_status%5B%24in%5D=EXECUTED,ON_HOLD",
        None,
    )
    .await
    .json();
    assert_eq!(inn["total_results"], 2);
    let ne = api(
        &h,
        ACME,
        "GET",
        "/contracts/?filter__display_status[$ne]=DRAFT",
        None,
    )
    .await
    .json();
    assert_eq!(ne["total_results"], 2);
    let ids = api(
        &h,
        ACME,
        "GET",
        "/contracts/?filter__contract_id[$in]=1001,T-1002",
        None,
    )
    .await
    .json();
    assert_eq!(ids["total_results"], 2);
    for bad in [
        "/contracts/?limit=0",
        "/contracts/?limit=101",
        "/contracts/?page=zero",
        "/contracts/?filter__display_status=DONE",
        "/contracts/?filter__display_status[$gt]=DRAFT",
        "/contracts/?filter__client_name=x",
    ] {
        let r = api(&h, ACME, "GET", bad, None).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(
            r.json()["code"],
            "SD_SANDBOX_INVALID_QUERY_PARAMETER",
            "{bad}"
        );
    }
    let unknown = api(&h, ACME, "GET", "/contracts/?sort=asc", None).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["code"], "SD_SANDBOX_UNKNOWN_QUERY_PARAMETER");

    let by = api(
        &h,
        ACME,
        "GET",
        "/contracts/by_external_metadata/deal-1",
        None,
    )
    .await
    .json();
    let arr = by.as_array().unwrap();
    assert_eq!(arr.len(), 4);
    assert!(arr
        .iter()
        .all(|c| c["id"].is_i64() && c["external_metadata"]["id"] == "deal-1"));
    let none = api(
        &h,
        ACME,
        "GET",
        "/contracts/by_external_metadata/nope",
        None,
    )
    .await;
    assert_eq!((none.status, none.json()), (200, json!([])));
    // another workspace sees none of them
    let g = api(&h, GLOBEX, "GET", "/contracts/", None).await.json();
    assert_eq!(g["total_results"], 0);
    assert_eq!(
        api(&h, GLOBEX, "GET", "/contracts/T-1001/status", None)
            .await
            .status,
        404
    );

    // the control truth view counts duplicates by external id
    let truth = control(&h, "GET", "/contracts?workspace=acme", None)
        .await
        .json();
    assert_eq!(truth["count"], 12);
    assert_eq!(truth["duplicates_by_external_metadata_id"]["deal-0"], 4);
    h.shutdown().await;
}

#[tokio::test]
async fn templates_list_detail_metadata() {
    let h = start().await;
    let list = api(&h, ACME, "GET", "/templates/", None).await.json();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1204, 1301, 1402], "archived 1500 hidden");
    let all = api(&h, ACME, "GET", "/templates/?include_archived=true", None)
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let ind = api(&h, ACME, "GET", "/templates/?cp_types=Individual", None)
        .await
        .json();
    let ids: Vec<i64> = ind["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1301, 1402]);
    let tagged = api(&h, ACME, "GET", "/templates/?tags_all=MSA", None)
        .await
        .json();
    assert_eq!(tagged["items"][0]["id"], 1204);
    assert_eq!(
        api(&h, ACME, "GET", "/templates/?cp_types=Robot", None)
            .await
            .status,
        400
    );
    assert_eq!(
        api(&h, ACME, "GET", "/templates/?colour=red", None)
            .await
            .status,
        400
    );

    let t = api(&h, ACME, "GET", "/templates/1204/", None).await.json();
    assert_eq!(
        t,
        json!({"id": 1204, "name": "Acme Master Services Agreement", "contract_type_id": 100, "tags": ["Sales", "MSA"]})
    );
    let md = api(&h, ACME, "GET", "/templates/1204/metadata", None)
        .await
        .json();
    let shared: Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/templates/template-1204-metadata.json"
    ))
    .unwrap();
    assert_eq!(
        md, shared,
        "metadata is the repository fixture, byte for byte in meaning"
    );
    let g = api(&h, ACME, "GET", "/templates/2101/", None).await;
    assert_eq!(g.status, 404);
    assert_eq!(g.json()["code"], "SD_SANDBOX_TEMPLATE_INACCESSIBLE");
    assert_eq!(
        api(&h, GLOBEX, "GET", "/templates/2101/metadata", None)
            .await
            .status,
        200
    );
    assert_eq!(
        api(&h, ACME, "GET", "/templates/abc/", None).await.status,
        404
    );
    h.shutdown().await;
}

#[tokio::test]
async fn auto_send_workflow_config() {
    let h = start().await;
    let mut b = playbook();
    b["workflow_config"] = json!({"auto_send_to_counterparty": true});
    b["send_to_counterparty_config"] =
        json!({"attachment_formats": ["PDF"], "to_emails": ["legal@acme.example"]});
    let r = api(&h, ACME, "POST", "/contracts/", Some(&b)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["contract_status"], "REDLINING");
    h.shutdown().await;
}
