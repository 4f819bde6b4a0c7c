//! Contract lifecycle: which action is allowed in which status, and which webhook activities
//! it fires.
//!
//! ```text
//! DRAFT --send--> REDLINING --request_signature--> SIGN --sign (last)--> EXECUTED
//!   \________________\____________________________/
//!     any of DRAFT/REDLINING/SIGN --hold--> ON_HOLD --release--> (previous)
//!     anything but EXECUTED/VOIDED --void--> VOIDED
//! ```
//!
//! `sign` from DRAFT/REDLINING first requests signatures (SIGN), then records one signature;
//! `execute` records all missing signatures. Pure: no IO, the caller passes `now`.

use serde_json::{json, Map, Value};

use super::contract::{poc_full_name, Contract, Signature, Status};
use crate::errors::ApiError;

/// One action on a contract.
#[derive(Debug, Clone)]
pub enum Action {
    /// `send_to_counterparties`.
    Send {
        /// `to` recipients.
        to: Vec<String>,
        /// `cc` recipients.
        cc: Vec<String>,
    },
    /// Move to SIGN.
    RequestSignature,
    /// One signature, by `email` if given, else by the next signatory.
    Sign {
        /// Signer email.
        email: Option<String>,
    },
    /// Record every missing signature.
    Execute,
    /// Pause.
    Hold,
    /// Resume.
    Release,
    /// Void with a note.
    Void {
        /// Note.
        note: String,
    },
}

/// A webhook activity produced by an action, with the status it reports.
#[derive(Debug, Clone)]
pub struct Fired {
    /// `activity` name.
    pub activity: &'static str,
    /// `contract_status` at that moment.
    pub status: Status,
    /// Extra `activity_data` keys.
    pub extra: Map<String, Value>,
}

/// A fired activity without extra data.
pub fn fired(activity: &'static str, status: Status) -> Fired {
    Fired {
        activity,
        status,
        extra: Map::new(),
    }
}

/// Signers expected on a contract: its signatories, or the first counterparty's contact.
fn expected_signers(c: &Contract) -> Vec<(String, String)> {
    let mut list: Vec<(i64, String, String)> = c
        .signatories
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let order = s
                .get("sign_order")
                .and_then(Value::as_i64)
                .unwrap_or(i64::try_from(i).unwrap_or(i64::MAX));
            let name = s
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let email = s
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            (order, name, email)
        })
        .collect();
    list.sort_by_key(|(o, _, _)| *o);
    if list.is_empty() {
        let poc = c
            .counterparties
            .first()
            .and_then(|cp| cp.get("poc_details"));
        let email = poc
            .and_then(|p| p.get("email"))
            .and_then(Value::as_str)
            .unwrap_or("");
        return vec![(poc_full_name(poc), email.to_owned())];
    }
    list.into_iter().map(|(_, n, e)| (n, e)).collect()
}

/// Number of signatures a contract needs.
pub fn required_signatures(c: &Contract) -> u32 {
    u32::try_from(expected_signers(c).len())
        .unwrap_or(u32::MAX)
        .max(1)
}

fn record_signature(c: &mut Contract, email: Option<&str>, now: &str) -> Result<Fired, ApiError> {
    let signers = expected_signers(c);
    let signed = |e: &str| c.signatures.iter().any(|s| s.email.eq_ignore_ascii_case(e));
    let who = match email {
        Some(e) => signers
            .iter()
            .find(|(_, se)| se.eq_ignore_ascii_case(e))
            .cloned()
            .ok_or_else(|| {
                ApiError::coded(
                    400,
                    "SD_SANDBOX_UNKNOWN_SIGNER",
                    "That email is not a signatory of this contract.",
                )
            })?,
        None => signers
            .iter()
            .find(|(_, se)| !signed(se))
            .cloned()
            .ok_or_else(|| ApiError::invalid_state("sign", c.status.as_str()))?,
    };
    if signed(&who.1) {
        return Err(ApiError::coded(
            409,
            "SD_SANDBOX_ALREADY_SIGNED",
            "This signatory has already signed.",
        ));
    }
    c.signatures.push(Signature {
        name: who.0.clone(),
        email: who.1.clone(),
        at: now.to_owned(),
    });
    let mut f = fired("CONTRACT_SIGNED", c.status);
    f.extra
        .insert("signatory".into(), json!({"name": who.0, "email": who.1}));
    Ok(f)
}

/// Applies `action` to `c` at time `now`. Returns the fired activities and whether the
/// contract became EXECUTED (the caller then fills key pointers).
///
/// # Errors
/// The documented void error, or `SD_SANDBOX_INVALID_CONTRACT_STATE` (402) when the status does
/// not allow the action.
pub fn apply(c: &mut Contract, action: Action, now: &str) -> Result<(Vec<Fired>, bool), ApiError> {
    use Status::{Draft, Executed, OnHold, Redlining, Sign, Voided};
    let mut out = Vec::new();
    let mut executed = false;
    match action {
        Action::Send { to, cc } => match c.status {
            Draft | Redlining => {
                c.status = Redlining;
                c.sent_to = to.clone();
                let mut f = fired("CONTRACT_SENT_TO_COUNTERPARTY", Redlining);
                f.extra.insert(
                    "counterparty_email_recipients".into(),
                    json!({"to_recipients": to, "cc_recipients": cc}),
                );
                out.push(f);
            }
            s => {
                return Err(ApiError::invalid_state(
                    "send to counterparties",
                    s.as_str(),
                ))
            }
        },
        Action::RequestSignature => match c.status {
            Draft | Redlining => {
                c.status = Sign;
                out.push(fired("CONTRACT_SIGNATURE_REQUESTED", Sign));
            }
            s => return Err(ApiError::invalid_state("request signatures on", s.as_str())),
        },
        Action::Sign { email } => {
            match c.status {
                Draft | Redlining => {
                    c.status = Sign;
                    out.push(fired("CONTRACT_SIGNATURE_REQUESTED", Sign));
                }
                Sign => {}
                s => return Err(ApiError::invalid_state("sign", s.as_str())),
            }
            out.push(record_signature(c, email.as_deref(), now)?);
            if u32::try_from(c.signatures.len()).unwrap_or(u32::MAX) >= c.required_signatures {
                c.status = Executed;
                c.version += 1;
                executed = true;
                out.push(fired("CONTRACT_EXECUTED", Executed));
            }
        }
        Action::Execute => {
            match c.status {
                Draft | Redlining => {
                    c.status = Sign;
                    out.push(fired("CONTRACT_SIGNATURE_REQUESTED", Sign));
                }
                Sign => {}
                s => return Err(ApiError::invalid_state("execute", s.as_str())),
            }
            while u32::try_from(c.signatures.len()).unwrap_or(u32::MAX) < c.required_signatures {
                match record_signature(c, None, now) {
                    Ok(f) => out.push(f),
                    Err(_) => break,
                }
            }
            c.status = Executed;
            c.version += 1;
            executed = true;
            out.push(fired("CONTRACT_EXECUTED", Executed));
        }
        Action::Hold => match c.status {
            Draft | Redlining | Sign => {
                c.held_from = Some(c.status);
                c.status = OnHold;
            }
            s => return Err(ApiError::invalid_state("put on hold", s.as_str())),
        },
        Action::Release => match (c.status, c.held_from) {
            (OnHold, Some(prev)) => {
                c.status = prev;
                c.held_from = None;
            }
            (OnHold, None) => {
                c.status = Draft;
            }
            (s, _) => return Err(ApiError::invalid_state("release", s.as_str())),
        },
        Action::Void { note } => match c.status {
            Executed => return Err(ApiError::detail(400, "Cannot void an executed contract.")),
            Voided => return Err(ApiError::detail(400, "Contract is already voided.")),
            _ => {
                c.status = Voided;
                c.held_from = None;
                c.void_note = Some(note);
                out.push(fired("CONTRACT_VOIDED", Voided));
            }
        },
    }
    Ok((out, executed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(signatories: Vec<Value>) -> Contract {
        let mut c = Contract {
            id: 1,
            template_id: 1,
            contract_name: "x".into(),
            status: Status::Draft,
            held_from: None,
            created: String::new(),
            created_unix: 0,
            created_micros: 0,
            created_by_email: String::new(),
            created_by_name: String::new(),
            contract_type_id: 1,
            contract_type_name: String::new(),
            counter_party_name: String::new(),
            counterparties: vec![
                json!({"is_individual": false, "organization_name": "A", "poc_details": {"first_name": "Avery", "last_name": "Stone", "email": "a@a.example"}}),
            ],
            signatories,
            contract_data: json!({}),
            external_metadata: json!({}),
            entity_reference_id: String::new(),
            reference_id: String::new(),
            signatures: Vec::new(),
            required_signatures: 1,
            key_pointers: Vec::new(),
            sent_to: Vec::new(),
            void_note: None,
            last_event: None,
            version: 1,
        };
        c.required_signatures = required_signatures(&c);
        c
    }

    #[test]
    fn full_path_to_executed() {
        let mut c = contract(vec![
            json!({"name": "B", "email": "b@b.example", "is_counterparty_signatory": true, "sign_order": 2}),
            json!({"name": "A", "email": "a@x.example", "is_counterparty_signatory": false, "sign_order": 1}),
        ]);
        assert_eq!(c.required_signatures, 2);
        let (f, _) = apply(
            &mut c,
            Action::Send {
                to: vec![],
                cc: vec![],
            },
            "t",
        )
        .unwrap();
        assert_eq!(f[0].activity, "CONTRACT_SENT_TO_COUNTERPARTY");
        let (f, done) = apply(&mut c, Action::Sign { email: None }, "t").unwrap();
        assert_eq!(
            f.iter().map(|f| f.activity).collect::<Vec<_>>(),
            ["CONTRACT_SIGNATURE_REQUESTED", "CONTRACT_SIGNED"]
        );
        assert!(!done);
        assert_eq!(c.signatures[0].email, "a@x.example", "sign order respected");
        let (f, done) = apply(&mut c, Action::Sign { email: None }, "t").unwrap();
        assert!(done);
        assert_eq!(f.last().unwrap().activity, "CONTRACT_EXECUTED");
        assert_eq!(c.status, Status::Executed);
        let e = apply(&mut c, Action::Void { note: "n".into() }, "t").unwrap_err();
        assert_eq!(e.body["detail"], "Cannot void an executed contract.");
        assert_eq!(
            apply(
                &mut c,
                Action::Send {
                    to: vec![],
                    cc: vec![]
                },
                "t"
            )
            .unwrap_err()
            .status,
            402
        );
    }

    #[test]
    fn hold_release_void() {
        let mut c = contract(vec![]);
        apply(
            &mut c,
            Action::Send {
                to: vec![],
                cc: vec![],
            },
            "t",
        )
        .unwrap();
        apply(&mut c, Action::Hold, "t").unwrap();
        assert_eq!(c.status, Status::OnHold);
        assert_eq!(
            apply(&mut c, Action::Sign { email: None }, "t")
                .unwrap_err()
                .status,
            402
        );
        apply(&mut c, Action::Release, "t").unwrap();
        assert_eq!(c.status, Status::Redlining);
        apply(&mut c, Action::Void { note: "n".into() }, "t").unwrap();
        assert_eq!(c.status, Status::Voided);
        assert_eq!(
            apply(&mut c, Action::Void { note: "n".into() }, "t")
                .unwrap_err()
                .status,
            400
        );
    }
}
