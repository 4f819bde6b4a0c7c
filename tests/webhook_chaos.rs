//! Pure chaos simulation of webhook sync-back: 10,000 deliveries through verify → parse →
//! apply, with duplicates, reordering, forgeries and a key rotation. The HTTP-level chaos
//! run against the sandbox lives elsewhere; this one checks the core rules alone.
//!
//! Truth: each contract follows a realistic lifecycle (created → sent → emails → maybe a hold
//! and resume → signature → executed or voided, or stops midway). The receiver must end with
//! every record equal to that truth, accept 0 forgeries and never move a status back.

// Helpers outside `#[test]` fns unwrap fixture data they just built.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use spotdraft_sync::sync_rules::{
    apply_event, lookup_keys, record_for_event, record_keys, status_rank, AttentionFlag,
    Disposition, SyncRecord,
};
use spotdraft_sync::webhook::{
    parse_webhook_event, sign_webhook_for_test, verify_webhook, Timestamp, WebhookKey,
};
use spotdraft_sync::ContractStatus;
use spotdraft_sync::ErrorCode;
use std::collections::HashMap;

/// SplitMix64: small, deterministic, good enough for shuffling test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone)]
struct Delivery {
    contract_id: u64,
    at: Timestamp,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    forged: bool,
}

struct Truth {
    status: ContractStatus,
    stage: ContractStatus,
    external_id: String,
    title: String,
    last_event_at: Timestamp,
}

const BASE_MICROS: i64 = 1_704_067_200_000_000; // 2024-01-01T00:00:00Z

fn body(
    contract_id: u64,
    activity: &str,
    status: ContractStatus,
    at: Timestamp,
    external_id: &str,
    title: &str,
) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "activity": activity,
        "contract_id": contract_id,
        "contract_kind": "TEMPLATE_CONTRACT",
        "contract_title": title,
        "contract_type": "MSA",
        "contract_type_name": "MSA",
        "contract_type_id": 135,
        "contract_status": status.as_str(),
        "business_user": {"name": "Sam Seller", "email": "sam@example.com"},
        "created_at": "2024-01-01T00:00:00.000000Z",
        "counterparties": [{"type": "Organization", "organization_name": "Acme", "poc_name": "Ann", "poc_email": "ann@acme.example"}],
        "external_metadata": {"id": external_id, "integration_name": "HubSpot", "record_type": "Deal"},
        "activity_data": {"performed_by": {"name": "SYSTEM"}, "timestamp": at.to_rfc3339()}
    }))
    .unwrap()
}

/// One contract's lifecycle as (activity, status) steps.
fn lifecycle(rng: &mut Rng) -> Vec<(&'static str, ContractStatus)> {
    use ContractStatus::*;
    let mut steps = vec![
        ("CONTRACT_CREATED", Draft),
        ("CONTRACT_DATA_UPDATED", Draft),
    ];
    let stop = rng.below(10);
    if stop == 0 {
        return steps;
    }
    steps.push(("CONTRACT_SENT_TO_COUNTERPARTY", Redlining));
    for _ in 0..rng.below(4) {
        steps.push(("REDLINING_EMAIL_OPENED", Redlining));
    }
    if rng.chance(15) {
        steps.push(("CONTRACT_DATA_UPDATED", OnHold));
        if rng.chance(30) {
            return steps; // still on hold
        }
        steps.push(("REDLINING_EMAIL_DELIVERED", Redlining));
    }
    if stop == 1 {
        return steps;
    }
    if rng.chance(10) {
        steps.push(("CONTRACT_VOIDED", Voided));
        return steps;
    }
    steps.push(("CONTRACT_SIGNATURE_REQUESTED", Sign));
    steps.push(("SIGNING_EMAIL_DELIVERED", Sign));
    steps.push(("CONTRACT_SIGNED", Sign));
    steps.push(("CONTRACT_KEY_POINTER_UPDATION", Sign));
    if stop == 2 {
        return steps;
    }
    steps.push(("CONTRACT_SIGNED", Sign));
    steps.push(("CONTRACT_EXECUTED", Executed));
    if rng.chance(50) {
        steps.push(("SIGNING_EMAIL_OPENED", Executed));
    }
    steps
}

#[test]
fn ten_thousand_chaotic_deliveries_end_in_the_truth() {
    let mut rng = Rng(0x5EED_CAFE);
    let new_key = WebhookKey::from_base64(
        "zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==",
    )
    .unwrap();
    let old_key = WebhookKey::from_bytes(&[0x42; 64]).unwrap();
    let attacker_key = WebhookKey::from_bytes(&[0x13; 64]).unwrap();
    let keys = [new_key.clone(), old_key.clone()];
    let header = |signature: String| {
        vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-SD-WEBHOOK-CONTENT-HASH".to_owned(), signature),
        ]
    };

    // 1. Truth and the genuine deliveries, in event-time order.
    const TOTAL: usize = 10_000;
    const FORGED: usize = TOTAL * 5 / 100;
    const DUPLICATES: usize = TOTAL * 22 / 100;
    const UNIQUE: usize = TOTAL - FORGED - DUPLICATES;
    // How far a delivery may be swapped forward; several events of one contract fall within
    // this distance, so reordering also happens within contracts, not only between them.
    const REORDER_DISTANCE: u64 = 400;
    let mut truth: HashMap<u64, Truth> = HashMap::new();
    let mut genuine: Vec<Delivery> = Vec::new();
    let mut contract_id = 50_000u64;
    while genuine.len() < UNIQUE {
        contract_id += 1 + rng.below(3);
        let external_id = format!("hubspot-deal-{}", contract_id * 7);
        let title = format!("Acme MSA #{contract_id}");
        let mut micros = BASE_MICROS + i64::try_from(rng.below(86_400_000_000)).unwrap();
        let mut stage = ContractStatus::Draft;
        for (activity, step_status) in lifecycle(&mut rng) {
            if genuine.len() == UNIQUE {
                break;
            }
            micros += 1 + i64::try_from(rng.below(3_600_000_000)).unwrap();
            let at = Timestamp::from_unix_micros(micros).unwrap();
            let bytes = body(contract_id, activity, step_status, at, &external_id, &title);
            // A key rotation mid-run: early deliveries are signed with the old key.
            let key = if micros < BASE_MICROS + 43_200_000_000 {
                &old_key
            } else {
                &new_key
            };
            let signature = sign_webhook_for_test(&bytes, key).unwrap();
            genuine.push(Delivery {
                contract_id,
                at,
                body: bytes,
                headers: header(signature),
                forged: false,
            });
            let status = step_status;
            if status_rank(step_status) > status_rank(stage) {
                stage = step_status;
            }
            truth.insert(
                contract_id,
                Truth {
                    status,
                    stage,
                    external_id: external_id.clone(),
                    title: title.clone(),
                    last_event_at: at,
                },
            );
        }
    }
    genuine.sort_by_key(|d| d.at);

    // 2. The delivery stream: duplicates, then local reordering, then forgeries.
    let mut stream: Vec<Delivery> = genuine.clone();
    for _ in 0..DUPLICATES {
        let original = usize::try_from(rng.below(genuine.len() as u64)).unwrap();
        let copy = genuine[original].clone();
        // Re-deliveries come later than the original (a retry), anywhere up to ~500 slots on.
        let at = (original + 1 + usize::try_from(rng.below(500)).unwrap()).min(stream.len());
        stream.insert(at, copy);
    }
    for i in 0..stream.len() {
        if rng.chance(30) {
            let j = (i + 1 + usize::try_from(rng.below(REORDER_DISTANCE)).unwrap())
                .min(stream.len() - 1);
            stream.swap(i, j);
        }
    }
    for n in 0..FORGED {
        let victim = genuine[usize::try_from(rng.below(genuine.len() as u64)).unwrap()].clone();
        let forged = match n % 5 {
            // Tampered body, genuine signature: flip the status to VOIDED.
            0 => {
                let text = String::from_utf8(victim.body.clone()).unwrap();
                let status = serde_json::from_slice::<serde_json::Value>(&victim.body).unwrap()
                    ["contract_status"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let fake = if status == "VOIDED" {
                    "DRAFT"
                } else {
                    "VOIDED"
                };
                let tampered = text.replace(
                    &format!("\"contract_status\":\"{status}\""),
                    &format!("\"contract_status\":\"{fake}\""),
                );
                assert_ne!(tampered.as_bytes(), victim.body.as_slice());
                Delivery {
                    body: tampered.into_bytes(),
                    forged: true,
                    ..victim
                }
            }
            // A regression signed with the attacker's key.
            1 => {
                let bytes = body(
                    victim.contract_id,
                    "CONTRACT_SENT_TO_COUNTERPARTY",
                    ContractStatus::Draft,
                    Timestamp::from_unix_micros(victim.at.unix_micros() + 10_000_000_000).unwrap(),
                    "attacker",
                    "pwned",
                );
                let signature = sign_webhook_for_test(&bytes, &attacker_key).unwrap();
                Delivery {
                    body: bytes,
                    headers: header(signature),
                    forged: true,
                    ..victim
                }
            }
            // No signature header at all.
            2 => Delivery {
                headers: vec![("content-type".into(), "application/json".into())],
                forged: true,
                ..victim
            },
            // A truncated signature.
            3 => {
                let signature = sign_webhook_for_test(&victim.body, &new_key).unwrap();
                Delivery {
                    headers: header(signature[..100].to_owned()),
                    forged: true,
                    ..victim
                }
            }
            // A genuine signature of a different body.
            _ => {
                let other =
                    genuine[usize::try_from(rng.below(genuine.len() as u64)).unwrap()].clone();
                Delivery {
                    headers: other.headers.clone(),
                    forged: victim.body != other.body,
                    ..victim
                }
            }
        };
        let at = usize::try_from(rng.below(stream.len() as u64 + 1)).unwrap();
        stream.insert(at, forged);
    }
    assert_eq!(stream.len(), TOTAL);

    // 3. The receiver.
    let mut records: HashMap<u64, SyncRecord> = HashMap::new();
    let mut index: HashMap<String, u64> = HashMap::new();
    let mut newest_delivered: HashMap<u64, Timestamp> = HashMap::new();
    let mut first_deliveries = std::collections::HashSet::new();
    // A naive receiver ("last delivery wins") run alongside, to show the stream is hostile
    // enough that ordering rules matter.
    let mut naive: HashMap<u64, Option<ContractStatus>> = HashMap::new();
    let (mut forged_total, mut forged_accepted, mut regressions) = (0usize, 0usize, 0usize);
    let (mut duplicates_seen, mut reordered, mut applied) = (0usize, 0usize, 0usize);
    let mut rotated = [0usize; 2];
    for delivery in &stream {
        forged_total += usize::from(delivery.forged);
        let verified = match verify_webhook(&delivery.body, &delivery.headers, &keys) {
            Ok(verified) => verified,
            Err(error) => {
                assert!(delivery.forged, "a genuine delivery was refused: {error}");
                assert_eq!(error.code, ErrorCode::WebhookSignatureInvalid);
                continue;
            }
        };
        if delivery.forged {
            forged_accepted += 1;
            continue;
        }
        rotated[verified.key_index] += 1;
        let event = parse_webhook_event(verified.body).unwrap();
        // "Reordered": a first delivery of an event that arrives after a later event of the
        // same contract (what the ordering rules must cope with). Counted on first deliveries
        // only, so late duplicates do not inflate it.
        let at = event.occurred_at();
        let newest = newest_delivered.entry(event.contract_id).or_insert(at);
        if first_deliveries.insert(event.dedupe_key()) && at < *newest {
            reordered += 1;
        }
        *newest = (*newest).max(at);

        naive.insert(event.contract_id, event.known_status());
        let found = lookup_keys(&event)
            .iter()
            .find_map(|key| index.get(&key.storage_key()).copied())
            .and_then(|id| records.get(&id))
            .filter(|record| record.contract_id == event.contract_id)
            .cloned();
        let before = found.unwrap_or_else(|| record_for_event(&event));
        let outcome = apply_event(&before, &event).unwrap();
        let rank = |r: &SyncRecord| r.stage.and_then(status_rank);
        if rank(&outcome.record) < rank(&before)
            || (before.status.is_some_and(ContractStatus::is_terminal)
                && outcome.record.status != before.status)
        {
            regressions += 1;
        }
        match outcome.disposition {
            Disposition::Duplicate => duplicates_seen += 1,
            _ => applied += 1,
        }
        for key in record_keys(&outcome.record) {
            index.insert(key.storage_key(), outcome.record.contract_id);
        }
        records.insert(outcome.record.contract_id, outcome.record);
    }

    // 4. Figures and verdicts.
    let mismatched: Vec<u64> = truth
        .iter()
        .filter(|(id, t)| {
            let Some(r) = records.get(id) else {
                return true;
            };
            r.status != Some(t.status)
                || r.stage != Some(t.stage)
                || r.external_id.as_deref() != Some(t.external_id.as_str())
                || r.contract_title.as_deref() != Some(t.title.as_str())
                || r.last_event_at != Some(t.last_event_at)
                || r.has_flag(AttentionFlag::StatusRegressionRefused)
                || r.has_flag(AttentionFlag::ConflictingTerminalStatus)
                || r.composite_id.as_ref().map(|c| c.as_str().to_owned()) != Some(format!("T-{id}"))
        })
        .map(|(id, _)| *id)
        .collect();
    let genuine_deliveries = TOTAL - forged_total;
    let naive_wrong = truth
        .iter()
        .filter(|(id, t)| naive.get(id) != Some(&Some(t.status)))
        .count();
    println!(
        "webhook chaos: {TOTAL} deliveries, {} contracts, {UNIQUE} unique events; \
         duplicated {DUPLICATES} ({:.1}%), reordered {reordered} ({:.1}%, after a later event of the same contract), forged {forged_total} ({:.1}%); \
         forged accepted {forged_accepted}, status regressions {regressions}, duplicates detected \
         {duplicates_seen}, applied {applied}, old-key/new-key matches {}/{}, records != truth {} (a last-delivery-wins receiver: {naive_wrong})",
        truth.len(),
        100.0 * DUPLICATES as f64 / TOTAL as f64,
        100.0 * reordered as f64 / TOTAL as f64,
        100.0 * forged_total as f64 / TOTAL as f64,
        rotated[1],
        rotated[0],
        mismatched.len()
    );
    assert!(forged_total >= TOTAL * 5 / 100 - 5, "forged {forged_total}");
    assert!(
        reordered * 5 >= TOTAL,
        "at least 20% reordered, got {reordered}"
    );
    assert_eq!(forged_accepted, 0);
    assert_eq!(regressions, 0);
    assert_eq!(duplicates_seen + applied, genuine_deliveries);
    assert_eq!(applied, UNIQUE, "each unique event applied exactly once");
    assert!(
        rotated[0] > 0 && rotated[1] > 0,
        "both keys of the rotation were used"
    );
    assert_eq!(records.len(), truth.len());
    assert!(
        mismatched.is_empty(),
        "records differing from truth: {mismatched:?}"
    );
    assert!(
        naive_wrong * 10 >= truth.len(),
        "the stream should defeat a naive receiver"
    );
}
