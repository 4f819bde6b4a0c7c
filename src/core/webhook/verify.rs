//! Webhook signature verification: HMAC-SHA512 over the raw body, hex in a header.
//!
//! SpotDraft signs each delivery with `X-SD-WEBHOOK-CONTENT-HASH` = lowercase hex of
//! HMAC-SHA512(key = base64-decode(`hmac_key`), message = the raw request body bytes). An
//! older revision of SpotDraft's docs names the header `X-SD-CONTENT-HASH`; both are read
//! (the current one wins when both are present).
//!
//! # Why a Rust crate and not WebCrypto
//! `crypto.subtle` is asynchronous (every call returns a Promise, plus an `importKey` per
//! key), is missing or restricted in some of the sandboxes this package targets (CRM UI
//! extensions, pages served over plain HTTP), and would make the pure core untestable
//! natively. RustCrypto's `hmac` + `sha2` are small, audited-in-practice, `no_std`,
//! synchronous, and give byte-identical results in Node, browsers, workers and native tests.
//! The cost is code size (SHA-512 compiled into the `.wasm`) and speed relative to Node's
//! native OpenSSL; both are measured in `benches/webhook.bench.mjs`, not assumed.
//!
//! # What this does NOT do
//! - No replay protection: SpotDraft sends no timestamp or nonce, so a captured delivery stays
//!   valid. Dedupe happens later, in [`crate::core::sync::apply`].
//! - No parsing: verify first, then [`super::parse_webhook_event`] the same bytes.
//! - No IO and no logging. Errors never contain key material or the received signature.

use crate::error::{Error, ErrorCode, ErrorDetail, Result};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;
use std::fmt;

/// The header SpotDraft signs deliveries with.
pub(crate) const SIGNATURE_HEADER: &str = "X-SD-WEBHOOK-CONTENT-HASH";
/// The header name in older SpotDraft documentation, still accepted.
pub(crate) const LEGACY_SIGNATURE_HEADER: &str = "X-SD-CONTENT-HASH";
/// Default largest body accepted (1 MiB): SpotDraft's events are a few KB, and refusing
/// early bounds the work an unauthenticated sender can cause.
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Shortest decoded key accepted. SpotDraft's `hmac_key` decodes to 64 bytes; a key under 16
/// bytes is almost certainly the wrong value (a placeholder, a hex digest, a label) and would
/// make forgeries practical, so it is refused rather than used.
pub(crate) const MIN_KEY_BYTES: usize = 16;
/// Longest key text accepted; real keys are 88 characters.
const MAX_KEY_TEXT: usize = 4096;
/// Bytes of an HMAC-SHA512 tag.
const TAG_BYTES: usize = 64;

type HmacSha512 = Hmac<Sha512>;

/// Padding optional: keys arrive with and without it.
const KEY_BASE64_CONFIG: base64::engine::GeneralPurposeConfig =
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
/// Standard base64, as SpotDraft returns `hmac_key`.
const KEY_BASE64: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, KEY_BASE64_CONFIG);
/// URL-safe base64, as some secret stores hand keys back.
const KEY_BASE64_URL_SAFE: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, KEY_BASE64_CONFIG);

/// A webhook signing key (the decoded `hmac_key`). Its bytes never appear in `Debug`, errors
/// or serialised output.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookKey {
    bytes: Vec<u8>,
}

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookKey({} bytes, redacted)", self.bytes.len())
    }
}

impl WebhookKey {
    /// Decodes SpotDraft's `hmac_key` (standard base64, as `GET /webhooks/hmac_key/` returns it).
    ///
    /// Surrounding whitespace (a trailing newline from an env file) is ignored; padding may
    /// be present or not. URL-safe base64 (`-`, `_`) is accepted too, since a key copied
    /// through some secret stores arrives that way and the two alphabets cannot be confused.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming `argument` when the text is empty, is not base64, or decodes
    /// to fewer than [`MIN_KEY_BYTES`] bytes. The message never contains the key.
    pub fn from_base64_arg(argument: &str, encoded: &str) -> Result<Self> {
        let text = encoded.trim();
        if text.is_empty() {
            return Err(Error::invalid_argument(
                argument,
                "the webhook key is empty; pass the `hmac_key` from SpotDraft's \
                 GET /api/v2.1/public/webhooks/hmac_key/ (a base64 string)",
            ));
        }
        if text.len() > MAX_KEY_TEXT {
            return Err(Error::invalid_argument(
                argument,
                "the webhook key is far longer than SpotDraft's `hmac_key` (88 base64 characters); \
                 pass the `hmac_key` value itself",
            ));
        }
        let bytes = KEY_BASE64
            .decode(text)
            .or_else(|_| KEY_BASE64_URL_SAFE.decode(text))
            .map_err(|_| {
                Error::invalid_argument(
                    argument,
                    "the webhook key is not valid base64; pass the `hmac_key` exactly as SpotDraft \
                     returns it (e.g. \"zJDC…SA==\"), not a hex digest or the webhook's title",
                )
            })?;
        Self::from_bytes_arg(argument, bytes)
    }

    /// [`WebhookKey::from_base64_arg`] with the argument named `key`.
    ///
    /// # Errors
    /// As [`WebhookKey::from_base64_arg`].
    pub fn from_base64(encoded: &str) -> Result<Self> {
        Self::from_base64_arg("key", encoded)
    }

    /// A key from raw bytes, for SpotDraft's legacy "Callback Secret" scheme, which used the
    /// secret's UTF-8 bytes directly (`WebhookKey::from_bytes(secret.as_bytes())`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when `bytes` is shorter than [`MIN_KEY_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes_arg("key", bytes.to_vec())
    }

    fn from_bytes_arg(argument: &str, bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(Error::invalid_argument(
                argument,
                format!(
                    "the webhook key decodes to {} bytes, fewer than the {MIN_KEY_BYTES} required \
                     (SpotDraft's `hmac_key` decodes to 64); check that you passed the `hmac_key` value",
                    bytes.len()
                ),
            ));
        }
        Ok(Self { bytes })
    }

    /// The key's raw bytes, for handing to a platform HMAC (WebCrypto). Keep them out of
    /// logs and errors like the key itself.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn mac(&self) -> Result<HmacSha512> {
        // HMAC takes keys of any length, so this cannot fail; map it anyway instead of panicking.
        HmacSha512::new_from_slice(&self.bytes).map_err(|_| Error::internal("HMAC key rejected"))
    }
}

/// Which header carried the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureHeader {
    /// `X-SD-WEBHOOK-CONTENT-HASH` (current).
    Current,
    /// `X-SD-CONTENT-HASH` (older documentation).
    Legacy,
}

impl SignatureHeader {
    /// The header name as SpotDraft documents it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Current => SIGNATURE_HEADER,
            Self::Legacy => LEGACY_SIGNATURE_HEADER,
        }
    }
}

/// A delivery whose signature matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedWebhook<'a> {
    /// The verified raw body, to hand to [`super::parse_webhook_event`].
    pub body: &'a [u8],
    /// Index into the `keys` slice of the key that matched (for rotation bookkeeping:
    /// once no delivery matches the old key, drop it).
    pub key_index: usize,
    /// Which header carried the signature.
    pub header: SignatureHeader,
}

/// Verification limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Largest body accepted, in bytes (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub max_body_bytes: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// Read access to a request's headers, with ASCII case-insensitive names.
pub trait HeaderSource {
    /// Every value of header `name` (matched case-insensitively), in order.
    fn header_values(&self, name: &str) -> Vec<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for [(K, V)] {
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.iter()
            .filter(|(key, _)| key.as_ref().trim().eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderSource for Vec<(K, V)> {
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.as_slice().header_values(name)
    }
}

impl HeaderSource for http::HeaderMap {
    fn header_values(&self, name: &str) -> Vec<&str> {
        // A value that is not visible ASCII cannot be a hex signature; "\u{FFFD}" stands in
        // for it so it is reported as malformed rather than silently skipped.
        self.get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap_or("\u{FFFD}"))
            .collect()
    }
}

fn signature_error(detail_code: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    Error::new(ErrorCode::WebhookSignatureInvalid, message.clone())
        .with_details([ErrorDetail::new("headers", detail_code, message)])
}

fn payload_error(detail_code: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    Error::new(ErrorCode::WebhookPayloadInvalid, message.clone()).with_details([ErrorDetail::new(
        "rawBody",
        detail_code,
        message,
    )])
}

/// Checks the body size: not empty, not over `max_body_bytes`.
///
/// # Errors
/// `WEBHOOK_PAYLOAD_INVALID` with detail code `EMPTY_BODY` or `BODY_TOO_LARGE`.
pub(crate) fn check_body_size(raw_body: &[u8], max_body_bytes: usize) -> Result<()> {
    if raw_body.is_empty() {
        return Err(payload_error(
            "EMPTY_BODY",
            "The webhook body is empty. SpotDraft always sends a JSON body: check that your \
             framework did not consume the request stream before this call (read it once, as \
             raw bytes, and pass those bytes here).",
        ));
    }
    if raw_body.len() > max_body_bytes {
        return Err(payload_error(
            "BODY_TOO_LARGE",
            format!(
                "The webhook body is {} bytes, over the {max_body_bytes}-byte limit; SpotDraft's \
                 events are a few KB, so this is not a SpotDraft delivery. Respond 413; raise \
                 `maxBodyBytes` only if you know your events are this large.",
                raw_body.len()
            ),
        ));
    }
    Ok(())
}

/// Decodes a hex signature of exactly 64 bytes, either case.
fn decode_signature(value: &str) -> Result<Vec<u8>> {
    let text = value.trim();
    if text.is_empty() {
        return Err(signature_error(
            "MALFORMED_SIGNATURE",
            "The webhook signature header is empty. Respond 401: this is not a signed SpotDraft \
             delivery.",
        ));
    }
    if text.len() != TAG_BYTES * 2 {
        return Err(signature_error(
            "MALFORMED_SIGNATURE",
            format!(
                "The webhook signature header has {} characters; an HMAC-SHA512 hex digest has \
                 128. Respond 401. If a proxy rewrites headers, make it pass {SIGNATURE_HEADER} \
                 through unchanged.",
                text.chars().count()
            ),
        ));
    }
    let nibble = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    };
    let malformed = || {
        signature_error(
            "MALFORMED_SIGNATURE",
            "The webhook signature header is not hexadecimal; SpotDraft sends the HMAC-SHA512 \
             digest as 128 hex characters. Respond 401.",
        )
    };
    // A plain loop: the iterator-of-`Option` form cost ~3 µs per delivery at `opt-level = "z"`.
    let mut bytes = Vec::with_capacity(TAG_BYTES);
    for pair in text.as_bytes().chunks_exact(2) {
        let [high, low] = pair else {
            return Err(malformed());
        };
        match (nibble(*high), nibble(*low)) {
            (Some(high), Some(low)) => bytes.push((high << 4) | low),
            _ => return Err(malformed()),
        }
    }
    Ok(bytes)
}

/// Finds the single signature value: the current header if present, else the legacy one.
fn find_signature<H: HeaderSource + ?Sized>(headers: &H) -> Result<(&str, SignatureHeader)> {
    for header in [SignatureHeader::Current, SignatureHeader::Legacy] {
        let values = headers.header_values(header.name());
        match values.as_slice() {
            [] => continue,
            [value] => return Ok((value, header)),
            // Two values for one header cannot come from SpotDraft; picking either would let
            // whoever added the other choose which one is checked.
            _ => {
                return Err(signature_error(
                    "DUPLICATE_SIGNATURE_HEADER",
                    format!(
                        "The request carries {} `{}` headers; SpotDraft sends one. Respond 401.",
                        values.len(),
                        header.name()
                    ),
                ))
            }
        }
    }
    Err(signature_error(
        "MISSING_SIGNATURE_HEADER",
        format!(
            "The request has no `{SIGNATURE_HEADER}` header (nor the legacy `{LEGACY_SIGNATURE_HEADER}`). \
             Respond 401. If SpotDraft is the sender, check that a proxy or framework is not \
             dropping `X-` headers."
        ),
    ))
}

/// Verifies a delivery with the default limits. See [`verify_webhook_with`].
///
/// # Errors
/// As [`verify_webhook_with`].
pub fn verify_webhook<'a, H: HeaderSource + ?Sized>(
    raw_body: &'a [u8],
    headers: &H,
    keys: &[WebhookKey],
) -> Result<VerifiedWebhook<'a>> {
    verify_webhook_with(raw_body, headers, keys, &VerifyOptions::default())
}

/// Verifies that `raw_body` was signed by SpotDraft with one of `keys`.
///
/// Checks, in order: at least one key; body size; exactly one signature header; the HMAC,
/// compared in constant time (`Mac::verify_slice`) against each key until one matches. Give
/// several keys during a rotation (new and old); the result says which one matched.
///
/// The signature is matched as bytes, so upper-case hex is accepted too (SpotDraft sends
/// lower case; case carries no information, and refusing it would only break proxies that
/// normalise).
///
/// Does NOT parse the body, check freshness or dedupe (SpotDraft sends no timestamp header).
///
/// # Errors
/// - `INVALID_ARGUMENT` when `keys` is empty (a configuration mistake: respond 500, not 401);
/// - `WEBHOOK_PAYLOAD_INVALID` for an empty body or one over `max_body_bytes`;
/// - `WEBHOOK_SIGNATURE_INVALID` for a missing, duplicated, empty, non-hex or wrong-length
///   signature header, or a signature that matches none of the keys.
pub fn verify_webhook_with<'a, H: HeaderSource + ?Sized>(
    raw_body: &'a [u8],
    headers: &H,
    keys: &[WebhookKey],
    options: &VerifyOptions,
) -> Result<VerifiedWebhook<'a>> {
    let prepared = prepare_verification(raw_body, headers, keys, options)?;
    match matching_key(raw_body, keys, &prepared.signature)? {
        Some(key_index) => Ok(VerifiedWebhook {
            body: raw_body,
            key_index,
            header: prepared.header,
        }),
        None => Err(signature_mismatch(keys.len())),
    }
}

/// What remains to check of a delivery once everything but the HMAC is known good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedVerification {
    /// The decoded signature (64 bytes).
    pub signature: Vec<u8>,
    /// Which header carried it.
    pub header: SignatureHeader,
}

/// The checks of [`verify_webhook_with`] that come before the HMAC: at least one key, the
/// body size, exactly one well-formed signature header. For callers that compute the HMAC
/// elsewhere (WebCrypto) and then report with [`signature_mismatch`].
///
/// Does NOT compare any signature.
///
/// # Errors
/// As [`verify_webhook_with`], except `SIGNATURE_MISMATCH`.
pub(crate) fn prepare_verification<H: HeaderSource + ?Sized>(
    raw_body: &[u8],
    headers: &H,
    keys: &[WebhookKey],
    options: &VerifyOptions,
) -> Result<PreparedVerification> {
    if keys.is_empty() {
        return Err(Error::invalid_argument(
            "keys",
            "no webhook key given; pass SpotDraft's `hmac_key` (or, during a rotation, an array \
             of the new and the old key)",
        ));
    }
    check_body_size(raw_body, options.max_body_bytes)?;
    let (value, header) = find_signature(headers)?;
    let signature = decode_signature(value)?;
    Ok(PreparedVerification { signature, header })
}

/// Index of the first key whose HMAC-SHA512 of `raw_body` equals `signature`, compared in
/// constant time (`Mac::verify_slice`); `None` when no key matches.
///
/// # Errors
/// `INTERNAL` only if the HMAC refuses a key, which it does not for any length.
pub(crate) fn matching_key(
    raw_body: &[u8],
    keys: &[WebhookKey],
    signature: &[u8],
) -> Result<Option<usize>> {
    for (key_index, key) in keys.iter().enumerate() {
        let mut mac = key.mac()?;
        mac.update(raw_body);
        if mac.verify_slice(signature).is_ok() {
            return Ok(Some(key_index));
        }
    }
    Ok(None)
}

/// The `WEBHOOK_SIGNATURE_INVALID` error for a signature that matches none of `key_count`
/// keys.
pub(crate) fn signature_mismatch(key_count: usize) -> Error {
    signature_error(
        "SIGNATURE_MISMATCH",
        format!(
            "The webhook signature does not match the body with {} ({key_count} tried). Respond 401. \
             If SpotDraft is the sender: pass the exact raw body bytes (not JSON re-serialised \
             by a body parser), and the current `hmac_key` of this workspace and region.",
            if key_count == 1 {
                "the key"
            } else {
                "any of the keys"
            },
        ),
    )
}

/// The lowercase hex HMAC-SHA512 signature SpotDraft would send for `body` under `key`.
///
/// For testing your own receiver: sign a fixture body and send it with the header
/// [`SIGNATURE_HEADER`]. Not needed for verification ([`verify_webhook`] compares in
/// constant time; comparing this string with `==` would not).
///
/// # Errors
/// `INTERNAL` only if the HMAC refuses the key, which it does not for any length.
pub fn sign_webhook_for_test(body: &[u8], key: &WebhookKey) -> Result<String> {
    let mut mac = key.mac()?;
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(TAG_BYTES * 2);
    for byte in tag.iter() {
        for nibble in [byte >> 4, byte & 0x0f] {
            if let Some(&c) = HEX.get(usize::from(nibble)) {
                out.push(char::from(c));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const SPEC_KEY: &str =
        "zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==";

    fn key() -> WebhookKey {
        WebhookKey::from_base64(SPEC_KEY).unwrap()
    }

    fn headers(value: &str) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/json".into()),
            ("x-sd-webhook-content-hash".into(), value.into()),
        ]
    }

    fn vectors() -> Vec<(String, String)> {
        let text = include_str!("../../../tests/fixtures/webhooks/signature-vectors.json");
        let file: Value = serde_json::from_str(text).unwrap();
        assert_eq!(file["hmac_key"], SPEC_KEY);
        file["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["body"].as_str().unwrap().to_owned(),
                    v["signature"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn matches_python_hmac_vectors_over_spec_examples() {
        let vectors = vectors();
        assert_eq!(vectors.len(), 4);
        for (body, signature) in &vectors {
            assert_eq!(
                &sign_webhook_for_test(body.as_bytes(), &key()).unwrap(),
                signature
            );
            let verified = verify_webhook(body.as_bytes(), &headers(signature), &[key()]).unwrap();
            assert_eq!(verified.key_index, 0);
            assert_eq!(verified.header, SignatureHeader::Current);
            assert_eq!(verified.body, body.as_bytes());
        }
    }

    #[test]
    fn matches_rfc_4231_hmac_sha512_test_cases() {
        // RFC 4231 §4.2 (case 1, 20-byte key) and §4.7 (case 6, 131-byte key > block size).
        // Case 2's 4-byte key ("Jefe") is below MIN_KEY_BYTES and is covered by the refusal test.
        let case1 = WebhookKey::from_bytes(&[0x0b; 20]).unwrap();
        assert_eq!(
            sign_webhook_for_test(b"Hi There", &case1).unwrap(),
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
             daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
        );
        let case6 = WebhookKey::from_bytes(&[0xaa; 131]).unwrap();
        assert_eq!(
            sign_webhook_for_test(
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                &case6
            )
            .unwrap(),
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
             6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"
        );
    }

    #[test]
    fn header_names_are_case_insensitive_and_legacy_is_accepted() {
        let (body, signature) = vectors().remove(0);
        for name in [
            "X-SD-WEBHOOK-CONTENT-HASH",
            "x-sd-webhook-content-hash",
            "X-Sd-Webhook-Content-Hash",
        ] {
            let h = vec![(name, signature.as_str())];
            assert!(
                verify_webhook(body.as_bytes(), &h, &[key()]).is_ok(),
                "{name}"
            );
        }
        let legacy = vec![("x-sd-content-hash", signature.as_str())];
        let verified = verify_webhook(body.as_bytes(), &legacy, &[key()]).unwrap();
        assert_eq!(verified.header, SignatureHeader::Legacy);
        // When both are present the current header decides, even if the legacy one is valid.
        let both = vec![
            ("x-sd-content-hash", signature.as_str()),
            ("x-sd-webhook-content-hash", "00"),
        ];
        assert!(verify_webhook(body.as_bytes(), &both, &[key()]).is_err());
    }

    #[test]
    fn upper_case_hex_and_surrounding_whitespace_are_accepted() {
        let (body, signature) = vectors().remove(1);
        let upper = format!("  {}\t", signature.to_ascii_uppercase());
        assert!(verify_webhook(body.as_bytes(), &headers(&upper), &[key()]).is_ok());
    }

    #[test]
    fn http_header_map_is_a_header_source() {
        let (body, signature) = vectors().remove(0);
        let mut map = http::HeaderMap::new();
        map.insert("X-SD-WEBHOOK-CONTENT-HASH", signature.parse().unwrap());
        assert!(verify_webhook(body.as_bytes(), &map, &[key()]).is_ok());
        map.append("x-sd-webhook-content-hash", signature.parse().unwrap());
        let error = verify_webhook(body.as_bytes(), &map, &[key()]).unwrap_err();
        assert_eq!(error.details[0].code, "DUPLICATE_SIGNATURE_HEADER");
    }

    #[test]
    fn rotation_reports_which_key_matched() {
        let (body, signature) = vectors().remove(0);
        let old = WebhookKey::from_bytes(&[7u8; 64]).unwrap();
        let verified =
            verify_webhook(body.as_bytes(), &headers(&signature), &[old.clone(), key()]).unwrap();
        assert_eq!(verified.key_index, 1);
        let error = verify_webhook(body.as_bytes(), &headers(&signature), &[old]).unwrap_err();
        assert_eq!(error.code, ErrorCode::WebhookSignatureInvalid);
        assert_eq!(error.details[0].code, "SIGNATURE_MISMATCH");
    }

    #[test]
    fn any_change_to_body_or_signature_is_refused() {
        let (body, signature) = vectors().remove(0);
        let mut tampered = body.clone().into_bytes();
        if let Some(byte) = tampered.get_mut(20) {
            *byte ^= 1;
        }
        let error = verify_webhook(&tampered, &headers(&signature), &[key()]).unwrap_err();
        assert_eq!(error.details[0].code, "SIGNATURE_MISMATCH");
        let mut wrong = signature.clone().into_bytes();
        wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
        let wrong = String::from_utf8(wrong).unwrap();
        assert!(verify_webhook(body.as_bytes(), &headers(&wrong), &[key()]).is_err());
        // Re-serialised JSON (what a body parser gives back) no longer matches.
        let reparsed = serde_json::to_vec(&serde_json::from_str::<Value>(&body).unwrap()).unwrap();
        assert_ne!(reparsed, body.as_bytes());
        assert!(verify_webhook(&reparsed, &headers(&signature), &[key()]).is_err());
    }

    #[test]
    fn malformed_missing_and_duplicate_headers_have_their_own_detail_codes() {
        let (body, signature) = vectors().remove(0);
        let check = |h: Vec<(String, String)>, code: &str| {
            let error = verify_webhook(body.as_bytes(), &h, &[key()]).unwrap_err();
            assert_eq!(error.code, ErrorCode::WebhookSignatureInvalid, "{code}");
            assert_eq!(error.details[0].code, code);
            assert!(
                !error.message.contains(&signature),
                "the signature is never echoed"
            );
        };
        check(vec![], "MISSING_SIGNATURE_HEADER");
        check(headers(""), "MALFORMED_SIGNATURE");
        check(headers(&signature[..127]), "MALFORMED_SIGNATURE");
        check(
            headers(&format!("sha512={signature}")),
            "MALFORMED_SIGNATURE",
        );
        check(
            headers(&format!("{}zz", &signature[..126])),
            "MALFORMED_SIGNATURE",
        );
        check(headers(&"é".repeat(64)), "MALFORMED_SIGNATURE");
        let mut twice = headers(&signature);
        twice.push(("X-SD-WEBHOOK-CONTENT-HASH".into(), signature.clone()));
        check(twice, "DUPLICATE_SIGNATURE_HEADER");
    }

    #[test]
    fn empty_and_oversized_bodies_are_payload_errors_checked_before_the_signature() {
        let error = verify_webhook(b"", &headers("00"), &[key()]).unwrap_err();
        assert_eq!(error.code, ErrorCode::WebhookPayloadInvalid);
        assert_eq!(error.details[0].code, "EMPTY_BODY");
        let big = vec![b' '; 2048];
        let signature = sign_webhook_for_test(&big, &key()).unwrap();
        let options = VerifyOptions {
            max_body_bytes: 1024,
        };
        let error =
            verify_webhook_with(&big, &headers(&signature), &[key()], &options).unwrap_err();
        assert_eq!(error.details[0].code, "BODY_TOO_LARGE");
        assert!(verify_webhook(&big, &headers(&signature), &[key()]).is_ok());
    }

    #[test]
    fn keys_are_validated_and_never_echoed() {
        assert_eq!(
            WebhookKey::from_base64("").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            WebhookKey::from_base64("  \n").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        let secret_looking = "not base64 at all: s3cr3t!!";
        let error = WebhookKey::from_base64_arg("keys[1]", secret_looking).unwrap_err();
        assert_eq!(error.details[0].path, "keys[1]");
        assert!(!error.message.contains("s3cr3t"));
        // "Jefe" (RFC 4231 case 2) is too short to be a real key.
        let error = WebhookKey::from_bytes(b"Jefe").unwrap_err();
        assert!(error.message.contains("4 bytes"));
        assert!(WebhookKey::from_base64("SmVmZQ==").is_err());
        assert_eq!(
            WebhookKey::from_base64(&format!("{SPEC_KEY}\n")).unwrap(),
            key()
        );
        assert_eq!(
            WebhookKey::from_base64(SPEC_KEY.trim_end_matches('=')).unwrap(),
            key()
        );
        let url_safe = SPEC_KEY.replace('+', "-").replace('/', "_");
        assert_eq!(WebhookKey::from_base64(&url_safe).unwrap(), key());
        let debug = format!("{:?}", key());
        assert_eq!(debug, "WebhookKey(64 bytes, redacted)");
        let error = verify_webhook(b"{}", &headers("00"), &[]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidArgument);
    }
}
