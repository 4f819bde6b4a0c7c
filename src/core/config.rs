//! Client configuration: where requests go and how they authenticate.
//!
//! Pure validation of what a user passes to `new SpotDraftClient(options)`. It does not
//! read the environment: the facade detects the JS runtime and passes it in as [`Runtime`].

use crate::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use tsify::Tsify;

/// SpotDraft's regional API hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Region {
    /// India: `https://api.in.spotdraft.com`.
    In,
    /// United States: `https://api.us.spotdraft.com`.
    Us,
    /// European Union: `https://api.eu.spotdraft.com`.
    Eu,
    /// Middle East: `https://api.me.spotdraft.com`.
    Me,
}

impl Region {
    /// The region's API origin.
    pub(crate) fn origin(self) -> &'static str {
        match self {
            Self::In => "https://api.in.spotdraft.com",
            Self::Us => "https://api.us.spotdraft.com",
            Self::Eu => "https://api.eu.spotdraft.com",
            Self::Me => "https://api.me.spotdraft.com",
        }
    }
}

/// The JS runtime the package runs in, as the facade detects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// Node.js (also Bun and Deno, which are server runtimes).
    Server,
    /// Cloudflare Workers (workerd): server-side, secrets are fine.
    CloudflareWorkers,
    /// A page, a web worker or an unrecognised global: treated as a browser, the safe side.
    Browser,
}

impl Runtime {
    /// Whether a `clientSecret` may be used without the explicit opt-in.
    pub(crate) fn keeps_secrets(self) -> bool {
        matches!(self, Self::Server | Self::CloudflareWorkers)
    }
}

/// The plain-data part of the client options (functions such as `fetch` and `headers` are
/// handled by the facade).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClientConfigInput {
    /// SpotDraft region; exclusive with `base_url`.
    #[serde(default)]
    #[tsify(optional)]
    pub region: Option<Region>,
    /// Origin (plus optional path prefix) of a proxy or the local sandbox.
    #[serde(default)]
    #[tsify(optional)]
    pub base_url: Option<String>,
    /// SpotDraft API client id.
    #[serde(default)]
    #[tsify(optional)]
    pub client_id: Option<String>,
    /// SpotDraft API client secret. Never logged, never in an error message.
    #[serde(default)]
    #[tsify(optional)]
    pub client_secret: Option<String>,
    /// Act as this active workspace member (`user-email` header).
    #[serde(default)]
    #[tsify(optional)]
    pub user_email: Option<String>,
    /// Allow a `client_secret` in a browser or worker.
    #[serde(default)]
    #[tsify(optional)]
    pub dangerously_allow_browser_secret: bool,
    /// Per-call timeout in milliseconds (default 30 000).
    #[serde(default)]
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
    /// Retries of requests that are safe to repeat (default 2).
    #[serde(default)]
    #[tsify(optional)]
    pub max_retries: Option<f64>,
    /// Client-side rate limit in requests per second (default 10, SpotDraft's limit).
    #[serde(default)]
    #[tsify(optional)]
    pub max_requests_per_second: Option<f64>,
    /// After a create failed ambiguously, how long a "not found" from the lookup by
    /// `external_metadata.id` must hold before the create is sent again, in milliseconds
    /// (default 5 000, 0 to 600 000). Only ambiguous failures wait; a lookup that lags
    /// behind the write by longer than this can still let a duplicate through, and 0 sends
    /// the create again after one lookup.
    #[serde(default)]
    #[tsify(optional)]
    pub create_settle_ms: Option<f64>,
}

#[cfg(test)]
impl ClientConfigInput {
    /// The server-side credentials the crate's own tests use (a loopback base URL, client id,
    /// secret and user email); the caller sets the rest with `..ClientConfigInput::for_tests()`.
    pub(crate) fn for_tests() -> Self {
        Self {
            base_url: Some("http://127.0.0.1:4010".into()),
            client_id: Some("cid".into()),
            client_secret: Some("csecret".into()),
            user_email: Some("owner@acme.example".into()),
            ..Self::default()
        }
    }
}

/// How requests authenticate.
#[derive(Clone, PartialEq)]
pub(crate) enum Credentials {
    /// SpotDraft's header credentials, sent on every request.
    Secret {
        /// `client-id` header.
        client_id: String,
        /// `client-secret` header.
        client_secret: String,
    },
    /// Proxy mode: no secret here; headers come from the user's `headers()` provider or the
    /// proxy adds them itself.
    Proxy,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret { client_id, .. } => f
                .debug_struct("Secret")
                .field("client_id", client_id)
                .field("client_secret", &"[redacted]")
                .finish(),
            Self::Proxy => f.write_str("Proxy"),
        }
    }
}

/// A validated client configuration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientConfig {
    /// Origin plus optional path prefix, without a trailing slash.
    pub base_url: String,
    /// How requests authenticate.
    pub credentials: Credentials,
    /// `user-email` header, when set.
    pub user_email: Option<String>,
    /// Per-call timeout in milliseconds.
    pub timeout_ms: u32,
    /// Retries of requests that are safe to repeat.
    pub max_retries: u32,
    /// Client-side rate limit in requests per second.
    pub max_requests_per_second: f64,
    /// Settle window of a "not found" after an ambiguous create, ms
    /// ([`crate::core::settle`]).
    pub create_settle_ms: u32,
}

/// Default per-call timeout.
pub(crate) const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Default retries of requests that are safe to repeat.
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 2;
/// SpotDraft's documented limit: 10 requests per second per workspace.
pub(crate) const DEFAULT_REQUESTS_PER_SECOND: f64 = 10.0;
/// Default settle window: a search index that refreshes every second (a common default)
/// makes a write visible within about 1 s; 5 s covers that several times over and the
/// 300 ms and 1.5 s lags measured in issue 17, while adding at most 5 s (about 7 lookups)
/// to a create that failed ambiguously and really was not committed.
pub(crate) const DEFAULT_CREATE_SETTLE_MS: u32 = 5_000;

impl ClientConfig {
    /// Validates `input` for `runtime`; `has_header_provider` says whether the user passed an
    /// async `headers()` function.
    ///
    /// Argument names in errors are prefixed with `options.`.
    ///
    /// # Errors
    /// - `INVALID_ARGUMENT`: neither or both of `region`/`baseUrl`; a malformed `baseUrl`;
    ///   `http://` to a non-loopback host; `clientSecret` without `clientId` (or the reverse);
    ///   direct calls to a SpotDraft region without any credentials; out-of-range numbers
    ///   (`createSettleMs` outside 0–600 000 or not whole).
    /// - `BROWSER_SECRET_REFUSED`: a `clientSecret` in a browser or worker without
    ///   `dangerouslyAllowBrowserSecret: true`.
    pub(crate) fn new(
        input: ClientConfigInput,
        runtime: Runtime,
        has_header_provider: bool,
    ) -> Result<Self> {
        let base_url = match (input.region, input.base_url.as_deref()) {
            (Some(region), None) => region.origin().to_owned(),
            (None, Some(url)) => parse_base_url(url)?,
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "options.baseUrl",
                    "pass either `region` or `baseUrl`, not both",
                ))
            }
            (None, None) => {
                return Err(Error::invalid_argument(
                    "options.region",
                    "pass `region` (one of \"in\", \"us\", \"eu\", \"me\") or `baseUrl` (your \
                     proxy or the local sandbox)",
                ))
            }
        };
        let credentials = credentials(&input, runtime)?;
        if credentials == Credentials::Proxy && input.region.is_some() && !has_header_provider {
            return Err(Error::invalid_argument(
                "options.clientId",
                "calls straight to a SpotDraft region need `clientId` and `clientSecret` (on a \
                 server) or a `headers()` provider; in a browser, use `baseUrl` to point at your \
                 own proxy that adds the credentials",
            ));
        }
        let user_email = non_empty_opt("options.userEmail", input.user_email)?;
        if let Some(email) = &user_email {
            if is_header_unsafe(email) || !email.contains('@') {
                return Err(Error::invalid_argument(
                    "options.userEmail",
                    "must be the email address of an active workspace member",
                ));
            }
        }
        Ok(Self {
            base_url,
            credentials,
            user_email,
            timeout_ms: whole_number("options.timeoutMs", input.timeout_ms, 1, 600_000)?
                .unwrap_or(DEFAULT_TIMEOUT_MS),
            max_retries: whole_number("options.maxRetries", input.max_retries, 0, 10)?
                .unwrap_or(DEFAULT_MAX_RETRIES),
            max_requests_per_second: positive(
                "options.maxRequestsPerSecond",
                input.max_requests_per_second,
            )?
            .unwrap_or(DEFAULT_REQUESTS_PER_SECOND),
            create_settle_ms: whole_number(
                "options.createSettleMs",
                input.create_settle_ms,
                0,
                600_000,
            )?
            .unwrap_or(DEFAULT_CREATE_SETTLE_MS),
        })
    }

    /// The full URL of an API `path` (which starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The static authentication headers of every request (secrets included: never log them).
    pub(crate) fn auth_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::with_capacity(3);
        if let Credentials::Secret {
            client_id,
            client_secret,
        } = &self.credentials
        {
            headers.push(("client-id", client_id.clone()));
            headers.push(("client-secret", client_secret.clone()));
        }
        if let Some(email) = &self.user_email {
            headers.push(("user-email", email.clone()));
        }
        headers
    }
}

fn credentials(input: &ClientConfigInput, runtime: Runtime) -> Result<Credentials> {
    let client_id = non_empty_opt("options.clientId", input.client_id.clone())?;
    let client_secret = non_empty_opt("options.clientSecret", input.client_secret.clone())?;
    match (client_id, client_secret) {
        (None, None) => Ok(Credentials::Proxy),
        (Some(_), None) => Err(Error::invalid_argument(
            "options.clientSecret",
            "`clientId` was given without `clientSecret`; pass both, or neither in proxy mode",
        )),
        (None, Some(_)) => Err(Error::invalid_argument(
            "options.clientId",
            "`clientSecret` was given without `clientId`; pass both",
        )),
        (Some(client_id), Some(client_secret)) => {
            if !runtime.keeps_secrets() && !input.dangerously_allow_browser_secret {
                return Err(Error::new(
                    ErrorCode::BrowserSecretRefused,
                    "A SpotDraft clientSecret was passed in a browser or web worker, where anyone \
                     who opens the page can read it. Keep the secret on a server: point `baseUrl` \
                     at your own proxy that adds the `client-id` and `client-secret` headers, and \
                     pass a `headers()` provider for any per-user header. If this page really is \
                     private, pass `dangerouslyAllowBrowserSecret: true`.",
                ));
            }
            if is_header_unsafe(&client_id) || is_header_unsafe(&client_secret) {
                return Err(Error::invalid_argument(
                    "options.clientSecret",
                    "credentials may not contain control characters or line breaks",
                ));
            }
            Ok(Credentials::Secret {
                client_id,
                client_secret,
            })
        }
    }
}

fn non_empty_opt(name: &str, value: Option<String>) -> Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(Error::invalid_argument(
            name,
            "must not be empty; leave it out instead",
        )),
        other => Ok(other),
    }
}

fn is_header_unsafe(value: &str) -> bool {
    value.chars().any(|c| c.is_control())
}

fn whole_number(name: &str, value: Option<f64>, min: u32, max: u32) -> Result<Option<u32>> {
    let Some(value) = value else { return Ok(None) };
    if !value.is_finite()
        || value.fract() != 0.0
        || value < f64::from(min)
        || value > f64::from(max)
    {
        return Err(Error::invalid_argument(
            name,
            format!("must be a whole number from {min} to {max}"),
        ));
    }
    // In range and whole, so the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(Some(value as u32))
}

fn positive(name: &str, value: Option<f64>) -> Result<Option<f64>> {
    match value {
        Some(v) if !(v.is_finite() && v > 0.0 && v <= 1_000_000.0) => Err(Error::invalid_argument(
            name,
            "must be a number greater than 0 and at most 1000000 (a high value effectively turns the limiter off)",
        )),
        other => Ok(other),
    }
}

/// Validates a base URL and returns it without a trailing slash.
///
/// Accepts `https://host[:port][/prefix]`, and `http://` only for loopback hosts
/// (`localhost`, `127.0.0.0/8`, `[::1]`). No user info, query or fragment.
fn parse_base_url(raw: &str) -> Result<String> {
    const NAME: &str = "options.baseUrl";
    let refuse = |why: &str| {
        Error::invalid_argument(
            NAME,
            format!("{why}; expected an origin such as \"https://spotdraft-proxy.example.com\" or \"http://127.0.0.1:4010\""),
        )
    };
    if raw.is_empty()
        || raw.len() > 2048
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(refuse("not a URL"));
    }
    if raw.contains(['?', '#']) {
        return Err(refuse("a base URL may not have a query or fragment"));
    }
    let uri = http::Uri::from_str(raw).map_err(|_| refuse("not a URL"))?;
    let scheme = uri
        .scheme_str()
        .ok_or_else(|| refuse("the URL has no scheme"))?;
    let authority = uri
        .authority()
        .ok_or_else(|| refuse("the URL has no host"))?;
    if authority.as_str().contains('@') {
        return Err(refuse(
            "a base URL may not contain user info; pass credentials as options",
        ));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(refuse("the URL has no host"));
    }
    match scheme {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(refuse(
                "`http://` is refused except for loopback hosts (localhost, 127.0.0.1, [::1]); use `https://`",
            ))
        }
        _ => return Err(refuse("the scheme must be https (or http for loopback hosts)")),
    }
    let path = uri.path().trim_end_matches('/');
    if path
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(refuse(
            "the path prefix may not contain `.` or `..` segments",
        ));
    }
    Ok(format!(
        "{scheme}://{}{path}",
        authority.as_str().to_ascii_lowercase()
    ))
}

fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(base_url: &str) -> ClientConfigInput {
        ClientConfigInput {
            base_url: Some(base_url.to_owned()),
            ..ClientConfigInput::default()
        }
    }

    #[test]
    fn region_maps_to_its_host() {
        let config = ClientConfig::new(
            ClientConfigInput {
                region: Some(Region::Eu),
                client_id: Some("id".into()),
                client_secret: Some("secret".into()),
                ..ClientConfigInput::default()
            },
            Runtime::Server,
            false,
        )
        .unwrap();
        assert_eq!(
            config.url("/api/v2.1/public/contracts/"),
            "https://api.eu.spotdraft.com/api/v2.1/public/contracts/"
        );
        assert_eq!(config.timeout_ms, DEFAULT_TIMEOUT_MS);
    }

    #[test]
    fn base_url_accepts_https_and_loopback_http() {
        for (raw, want) in [
            ("https://proxy.example.com/", "https://proxy.example.com"),
            (
                "https://Proxy.Example.com/sd/",
                "https://proxy.example.com/sd",
            ),
            ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
            ("http://localhost:8080/x", "http://localhost:8080/x"),
            ("http://[::1]:9000", "http://[::1]:9000"),
        ] {
            let config = ClientConfig::new(input(raw), Runtime::Browser, false).unwrap();
            assert_eq!(config.base_url, want, "{raw}");
        }
    }

    #[test]
    fn base_url_refuses_malformed_and_insecure() {
        for raw in [
            "",
            "not a url",
            "proxy.example.com",
            "ftp://proxy.example.com",
            "http://proxy.example.com",
            "http://127.0.0.1.evil.com",
            "https://user:pw@proxy.example.com",
            "https://proxy.example.com/?q=1",
            "https://proxy.example.com/#x",
            "https://proxy.example.com/a/../b",
        ] {
            let error = ClientConfig::new(input(raw), Runtime::Server, false).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{raw}");
            assert_eq!(error.details[0].path, "options.baseUrl", "{raw}");
        }
    }

    #[test]
    fn browser_secret_is_refused_without_opt_in_and_never_echoed() {
        let mut with_secret = input("https://proxy.example.com");
        with_secret.client_id = Some("id".into());
        with_secret.client_secret = Some("s3cr3t-value".into());
        let error = ClientConfig::new(with_secret.clone(), Runtime::Browser, false).unwrap_err();
        assert_eq!(error.code, ErrorCode::BrowserSecretRefused);
        assert!(error.message.contains("proxy"));
        assert!(!error.message.contains("s3cr3t-value"));
        with_secret.dangerously_allow_browser_secret = true;
        assert!(ClientConfig::new(with_secret.clone(), Runtime::Browser, false).is_ok());
        with_secret.dangerously_allow_browser_secret = false;
        assert!(ClientConfig::new(with_secret.clone(), Runtime::Server, false).is_ok());
        assert!(ClientConfig::new(with_secret, Runtime::CloudflareWorkers, false).is_ok());
    }

    #[test]
    fn debug_output_redacts_the_secret() {
        let credentials = Credentials::Secret {
            client_id: "id".into(),
            client_secret: "s3cr3t-value".into(),
        };
        assert!(!format!("{credentials:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn region_without_credentials_or_provider_is_refused() {
        let bare = ClientConfigInput {
            region: Some(Region::Us),
            ..ClientConfigInput::default()
        };
        assert!(ClientConfig::new(bare.clone(), Runtime::Server, false).is_err());
        assert!(ClientConfig::new(bare, Runtime::Server, true).is_ok());
    }

    #[test]
    fn numbers_are_range_checked() {
        let mut bad = input("https://p.example.com");
        bad.timeout_ms = Some(f64::NAN);
        assert!(ClientConfig::new(bad.clone(), Runtime::Server, false).is_err());
        bad.timeout_ms = Some(1.5);
        assert!(ClientConfig::new(bad.clone(), Runtime::Server, false).is_err());
        bad.timeout_ms = Some(5000.0);
        assert_eq!(
            ClientConfig::new(bad, Runtime::Server, false)
                .unwrap()
                .timeout_ms,
            5000
        );
    }

    #[test]
    fn create_settle_ms_defaults_to_5_s_and_takes_0_to_10_minutes() {
        let config = |v: Option<f64>| {
            let mut input = input("https://p.example.com");
            input.create_settle_ms = v;
            ClientConfig::new(input, Runtime::Server, false)
        };
        assert_eq!(config(None).unwrap().create_settle_ms, 5_000);
        assert_eq!(config(Some(0.0)).unwrap().create_settle_ms, 0);
        assert_eq!(config(Some(600_000.0)).unwrap().create_settle_ms, 600_000);
        for bad in [-1.0, 600_001.0, 2.5, f64::INFINITY] {
            let error = config(Some(bad)).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad}");
            assert_eq!(error.details[0].path, "options.createSettleMs", "{bad}");
        }
    }
}
