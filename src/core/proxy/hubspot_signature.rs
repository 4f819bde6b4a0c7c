//! HubSpot's request signature v3 (`X-HubSpot-Signature-v3`), which a backend uses to tell a
//! request that HubSpot sent (a card's `hubspot.fetch`) from a forgery.
//!
//! The signature is base64(HMAC-SHA256(key = the app's client secret, message = the method,
//! URI, body and timestamp concatenated)), the timestamp being `X-HubSpot-Request-Timestamp`
//! (milliseconds since the epoch) as sent. HubSpot's docs ("Validating requests", v3) say to refuse a timestamp
//! older than 5 minutes and to decode a fixed set of percent-escapes in the URI before
//! hashing (`%3A` `%2F` `%3F` `%40` `%21` `%24` `%27` `%28` `%29` `%2A` `%2C` `%3B`); HubSpot's
//! own signer (`@hubspot/api-client` `Signature.getSignature`, used by the dev server's
//! `dist/lib/proxy/signing.js`) hashes the URL exactly as it sends it. So the URI is accepted
//! in either spelling: as received and with those escapes decoded. Both are HMACs under the
//! same secret, so accepting the second gives a forger nothing.
//!
//! What this does not do: it does not stop a replay *within* the 5 minutes (HubSpot sends no
//! nonce; a backend that must refuse those has to remember signatures), and it does not check
//! the older v1/v2 signatures (SHA-256 without a timestamp, so replayable forever).

use crate::error::{Error, Result};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HubSpot's limit on a signature's age (`Signature.MAX_ALLOWED_TIMESTAMP`, 300000 ms).
pub(crate) const MAX_AGE_MS: f64 = 300_000.0;

/// How far in the future a timestamp may be (clock skew between HubSpot and this server).
pub(crate) const MAX_FUTURE_SKEW_MS: f64 = 30_000.0;

/// Why a request's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Refusal {
    /// No signature or no timestamp header.
    Missing,
    /// The timestamp is not an integer of milliseconds, or the signature is not base64 of
    /// 32 bytes.
    Malformed,
    /// The timestamp is more than 5 minutes old: a replay, or a request held too long.
    Expired,
    /// The timestamp is further in the future than the allowed skew.
    FromTheFuture,
    /// The HMAC does not match: a forgery, another app's secret, or a URI/body changed on
    /// the way (a proxy in front rewriting the URL is the usual cause).
    Mismatch,
}

/// The app's client secret. Its bytes never appear in `Debug`, errors or logs.
pub(crate) struct AppSecret(Vec<u8>);

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppSecret(…)")
    }
}

impl AppSecret {
    /// The secret as HubSpot shows it (the app's "client secret", used as UTF-8 bytes).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` (naming `argument`, not the value) when it is empty.
    pub(crate) fn new(argument: &str, secret: &str) -> Result<Self> {
        if secret.is_empty() {
            return Err(Error::invalid_argument(
                argument,
                "must be your HubSpot app's client secret (app settings → Auth), a non-empty string",
            ));
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    /// A fresh MAC; `None` never happens (HMAC takes a key of any length).
    fn mac(&self) -> Option<HmacSha256> {
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).ok()
    }
}

/// One request, as the signature covers it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignedRequest<'a> {
    /// The HTTP method, as sent (`GET`).
    pub method: &'a str,
    /// The full URI HubSpot called, scheme and query included.
    pub uri: &'a str,
    /// The raw body ("" when there is none).
    pub body: &'a str,
    /// `X-HubSpot-Request-Timestamp`, as sent.
    pub timestamp: Option<&'a str>,
    /// `X-HubSpot-Signature-v3`, as sent.
    pub signature: Option<&'a str>,
}

/// Checks a v3 signature at `now_ms` (milliseconds since the epoch). The HMAC is compared in
/// constant time (`Mac::verify_slice`).
///
/// # Errors
/// The [`Refusal`], checked in this order: missing headers, malformed values, age, HMAC.
pub(crate) fn verify(
    secret: &AppSecret,
    request: &SignedRequest<'_>,
    now_ms: f64,
) -> std::result::Result<(), Refusal> {
    let (Some(timestamp), Some(signature)) = (request.timestamp, request.signature) else {
        return Err(Refusal::Missing);
    };
    let timestamp = timestamp.trim();
    let signature = signature.trim();
    if timestamp.is_empty() || signature.is_empty() {
        return Err(Refusal::Missing);
    }
    if timestamp.len() > 16 || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Malformed);
    }
    let sent_ms = crate::core::float::parse_f64(timestamp).ok_or(Refusal::Malformed)?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .map_err(|_| Refusal::Malformed)?;
    if given.len() != 32 {
        return Err(Refusal::Malformed);
    }
    if now_ms - sent_ms > MAX_AGE_MS {
        return Err(Refusal::Expired);
    }
    if sent_ms - now_ms > MAX_FUTURE_SKEW_MS {
        return Err(Refusal::FromTheFuture);
    }
    let decoded = decode_uri(request.uri);
    let mut spellings = vec![request.uri];
    if decoded != request.uri {
        spellings.push(&decoded);
    }
    for uri in spellings {
        let Some(mut mac) = secret.mac() else {
            return Err(Refusal::Mismatch);
        };
        for part in [request.method, uri, request.body, timestamp] {
            mac.update(part.as_bytes());
        }
        if mac.verify_slice(&given).is_ok() {
            return Ok(());
        }
    }
    Err(Refusal::Mismatch)
}

/// The URI with the escapes HubSpot's docs list decoded (hex digits in either case).
pub(crate) fn decode_uri(uri: &str) -> String {
    const DECODED: [(&str, char); 12] = [
        ("3A", ':'),
        ("2F", '/'),
        ("3F", '?'),
        ("40", '@'),
        ("21", '!'),
        ("24", '$'),
        ("27", '\''),
        ("28", '('),
        ("29", ')'),
        ("2A", '*'),
        ("2C", ','),
        ("3B", ';'),
    ];
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find('%') {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let hex = from.get(1..3).map(str::to_ascii_uppercase);
        match hex.and_then(|h| DECODED.iter().find(|(code, _)| *code == h)) {
            Some((_, c)) => {
                out.push(*c);
                rest = from.get(3..).unwrap_or("");
            }
            None => {
                out.push('%');
                rest = from.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors produced by HubSpot's own signer: `sign.v3` of
    /// node_modules/@hubspot/ui-extensions-dev-server 2.1.2 `dist/lib/proxy/signing.js`
    /// (`@hubspot/api-client` `Signature.getSignature(method, 'v3', …)`), run in Node with
    /// these inputs; the body is the dev server's `formatForSigning(body)`.
    /// (method, uri, body, secret, timestamp, signature)
    const HUBSPOT_VECTORS: [(&str, &str, &str, &str, &str, &str); 3] = [
        (
            "GET",
            "https://sd-proxy.example.com/api/v2.1/public/contracts/T-1234/status",
            "",
            "hubspot-app-secret-1",
            "1764763200000",
            "zWhlN2KWlApxgEGESlI33aYsKbBInnTXgQzgfGsjPas=",
        ),
        (
            "POST",
            "https://sd-proxy.example.com/api/v2.1/public/contracts/",
            r#"{"contract_template_id":42,"external_metadata":{"id":"deal-122"}}"#,
            "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy",
            "1764763200123",
            "uyH19mxBKkY4w5DN7AZgsPXMDeZWjPAKyug1VBqt5Rc=",
        ),
        (
            "GET",
            "http://127.0.0.1:4000/api/v2.1/public/templates/?portalId=123456&userEmail=ana%40example.com",
            "",
            "hubspot-app-secret-1",
            "1764763201000",
            "EX/wJD0KGVIfjxFOC010jipKpBMrFuj7Inivq+HsH9M=",
        ),
    ];

    /// Also from `sign.v3`: the third vector's URI with `%40` decoded, as HubSpot's docs say
    /// the backend should hash it.
    const DECODED_SPELLING: &str = "ag6Rq05Uk2nypBMbsz5Uzw/8AOGRKUhBjNBdxYYkIdI=";

    fn check(
        v: (&str, &str, &str, &str, &str, &str),
        now_ms: f64,
    ) -> std::result::Result<(), Refusal> {
        let (method, uri, body, secret, timestamp, signature) = v;
        let secret = AppSecret::new("appSecret", secret).unwrap();
        verify(
            &secret,
            &SignedRequest {
                method,
                uri,
                body,
                timestamp: Some(timestamp),
                signature: Some(signature),
            },
            now_ms,
        )
    }

    fn at(v: (&str, &str, &str, &str, &str, &str)) -> f64 {
        v.4.parse::<f64>().unwrap() + 1_000.0
    }

    #[test]
    fn accepts_hubspots_own_signatures() {
        for v in HUBSPOT_VECTORS {
            assert_eq!(check(v, at(v)), Ok(()), "{}", v.1);
        }
        let mut decoded = HUBSPOT_VECTORS[2];
        decoded.5 = DECODED_SPELLING;
        assert_eq!(
            check(decoded, at(decoded)),
            Ok(()),
            "the documented decoded spelling"
        );
    }

    #[test]
    fn refuses_any_change_to_method_uri_body_timestamp_or_secret() {
        let v = HUBSPOT_VECTORS[1];
        let now = at(v);
        let other_body = r#"{"contract_template_id":43,"external_metadata":{"id":"deal-122"}}"#;
        for changed in [
            ("PUT", v.1, v.2, v.3, v.4, v.5),
            (
                v.0,
                "https://sd-proxy.example.com/api/v2.1/public/contracts",
                v.2,
                v.3,
                v.4,
                v.5,
            ),
            (v.0, v.1, other_body, v.3, v.4, v.5),
            (v.0, v.1, v.2, v.3, "1764763200124", v.5),
            (v.0, v.1, v.2, "another-app-secret", v.4, v.5),
            // A valid signature of another request is not this one's.
            (v.0, v.1, v.2, v.3, v.4, HUBSPOT_VECTORS[0].5),
        ] {
            assert_eq!(check(changed, now), Err(Refusal::Mismatch), "{changed:?}");
        }
    }

    #[test]
    fn refuses_old_future_missing_and_malformed() {
        let v = HUBSPOT_VECTORS[0];
        let sent = v.4.parse::<f64>().unwrap();
        assert_eq!(
            check(v, sent + MAX_AGE_MS),
            Ok(()),
            "exactly 5 minutes is still accepted"
        );
        assert_eq!(check(v, sent + MAX_AGE_MS + 1.0), Err(Refusal::Expired));
        assert_eq!(
            check(v, sent - MAX_FUTURE_SKEW_MS - 1.0),
            Err(Refusal::FromTheFuture)
        );
        assert_eq!(
            check((v.0, v.1, v.2, v.3, "", v.5), sent),
            Err(Refusal::Missing)
        );
        assert_eq!(
            check((v.0, v.1, v.2, v.3, "17647632e5", v.5), sent),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            check((v.0, v.1, v.2, v.3, "-1", v.5), sent),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            check((v.0, v.1, v.2, v.3, v.4, "not base64!"), sent),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            check((v.0, v.1, v.2, v.3, v.4, "AAAA"), sent),
            Err(Refusal::Malformed)
        );
        let secret = AppSecret::new("appSecret", "s").unwrap();
        let none = SignedRequest {
            method: "GET",
            uri: v.1,
            body: "",
            timestamp: None,
            signature: Some(v.5),
        };
        assert_eq!(verify(&secret, &none, sent), Err(Refusal::Missing));
        assert!(AppSecret::new("appSecret", "").is_err());
        assert_eq!(format!("{secret:?}"), "AppSecret(…)");
    }

    #[test]
    fn decodes_only_the_documented_escapes() {
        assert_eq!(
            decode_uri("https://x/a%3a%2F%3F%40%21%24%27%28%29%2a%2C%3B?e=a%40b"),
            "https://x/a:/?@!$'()*,;?e=a@b"
        );
        assert_eq!(decode_uri("https://x/a%20b%25%2"), "https://x/a%20b%25%2");
        assert_eq!(decode_uri("%"), "%");
    }
}
