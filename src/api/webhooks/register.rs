//! `POST /api/v2.1/public/webhooks/` → 201: subscribes a URL to contract activities.
//!
//! Everything SpotDraft documents as a rule is checked before the network, so a mistake is
//! an `INVALID_ARGUMENT` naming the option instead of a 400: a title, an `https://` URL
//! (`http://` only on a loopback host, for the local sandbox; SpotDraft itself accepts only
//! HTTPS with a public certificate), at least one known activity, and custom header names
//! that start with `X-` and avoid the reserved prefixes. Not retry-safe: a repeat registers a
//! second webhook. Custom header values may be credentials: `Debug` never shows them. No IO.

use crate::api::lenient::{
    deserialize_opt_id, deserialize_opt_text, deserialize_text, id_value, invalid_response,
    text_value,
};
use crate::api::{Endpoint, HttpRequest, HttpResponse, API_PREFIX};
use crate::core::validate::suggest::closest_name;
use crate::core::webhook::WebhookActivity;
use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use tsify::Tsify;

/// Header name prefixes SpotDraft reserves (from `PublicWebhookCreateRequest.custom_headers`).
pub(crate) const RESERVED_HEADER_PREFIXES: &[&str] = &[
    "x-google-",
    "x-goog-",
    "x-gfe-",
    "x-amz-",
    "x-ms-",
    "x-dd-",
    "x-datadog-",
    "x-b3-",
    "x-sd-",
    "x-spotdraft-",
];

/// Longest URL accepted; browsers and proxies commonly stop at 2 048.
const MAX_URL_CHARS: usize = 2048;
/// Most custom headers accepted. SpotDraft documents no limit; more is a mistake.
const MAX_CUSTOM_HEADERS: usize = 32;

/// What `registerWebhook` subscribes.
#[derive(Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RegisterWebhookInput {
    /// A title for people (`title`).
    pub title: String,
    /// The HTTPS URL SpotDraft will POST events to (`url`).
    pub url: String,
    /// The activities to deliver, at least one (`only_for_activities`).
    pub activities: Vec<WebhookActivity>,
    /// Headers sent with every delivery, e.g. `{ "X-Hook-Token": "…" }` (`custom_headers`).
    /// Names must start with `X-` and must not start with a reserved prefix (`X-SD-`,
    /// `X-SpotDraft-`, `X-Goog-`, `X-Amz-` …).
    #[serde(default)]
    #[tsify(optional, type = "Record<string, string>")]
    pub custom_headers: Option<BTreeMap<String, String>>,
    /// A description for people (`description`).
    #[serde(default)]
    #[tsify(optional)]
    pub description: Option<String>,
}

impl fmt::Debug for RegisterWebhookInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisterWebhookInput")
            .field("title", &self.title)
            .field("url", &self.url)
            .field("activities", &self.activities)
            .field(
                "custom_headers",
                &RedactedHeaders(self.custom_headers.as_ref()),
            )
            .field("description", &self.description)
            .finish()
    }
}

/// Header names only: values may be credentials.
struct RedactedHeaders<'a>(Option<&'a BTreeMap<String, String>>);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.into_iter().flat_map(|m| m.keys()))
            .finish()
    }
}

/// A webhook's state (`PublicWebhookResponseStatusEnum`). A status this library does not
/// know is kept as sent rather than refused: refusing the 201 of a registration would hide
/// the id of a webhook that exists, and a retry would register a second one.
#[derive(Debug, Clone, PartialEq, Eq, Tsify)]
#[tsify(type = "\"ACTIVE\" | \"DISABLED_BY_USER\" | \"DISABLED_BY_ERROR\" | (string & {})")]
pub(crate) enum WebhookStatus {
    /// Deliveries are sent.
    Active,
    /// Switched off by a user.
    DisabledByUser,
    /// Switched off by SpotDraft after repeated delivery failures.
    DisabledByError,
    /// Any other status, as sent.
    Unknown(String),
}

impl WebhookStatus {
    /// The wire name.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Active => "ACTIVE",
            Self::DisabledByUser => "DISABLED_BY_USER",
            Self::DisabledByError => "DISABLED_BY_ERROR",
            Self::Unknown(other) => other,
        }
    }

    fn from_wire(name: &str) -> Self {
        match name {
            "ACTIVE" => Self::Active,
            "DISABLED_BY_USER" => Self::DisabledByUser,
            "DISABLED_BY_ERROR" => Self::DisabledByError,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl Serialize for WebhookStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebhookStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::from_wire(&String::deserialize(deserializer)?))
    }
}

/// The user who registered a webhook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookUser {
    /// SpotDraft's user id, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Designation, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub designation: Option<String>,
}

/// A registered webhook (`PublicWebhookResponse`). `Debug` shows custom header names only.
#[derive(Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Webhook {
    /// The webhook id: keep it, SpotDraft has no endpoint to list webhooks.
    pub id: u64,
    /// Title.
    pub title: String,
    /// The URL events are sent to.
    pub url: String,
    /// The activities delivered (`only_for_activities`).
    pub activities: Vec<WebhookActivity>,
    /// State.
    pub status: WebhookStatus,
    /// Description, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub description: Option<String>,
    /// Custom headers sent with each delivery.
    #[tsify(type = "Record<string, string>")]
    pub custom_headers: BTreeMap<String, String>,
    /// Who registered it, when SpotDraft sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub created_by_user: Option<WebhookUser>,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("title", &self.title)
            .field("url", &self.url)
            .field("activities", &self.activities)
            .field("status", &self.status)
            .field("description", &self.description)
            .field(
                "custom_headers",
                &RedactedHeaders(Some(&self.custom_headers)),
            )
            .field("created_by_user", &self.created_by_user)
            .finish()
    }
}

/// Registers a webhook.
#[derive(Debug, Clone)]
pub(crate) struct RegisterWebhook {
    /// What to subscribe.
    pub input: RegisterWebhookInput,
}

#[derive(Serialize)]
struct WireRequest<'a> {
    title: &'a str,
    url: &'a str,
    only_for_activities: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    custom_headers: BTreeMap<&'a str, &'a str>,
}

#[derive(Deserialize)]
struct WireUser {
    #[serde(default, deserialize_with = "deserialize_opt_id")]
    id: Option<u64>,
    #[serde(default, deserialize_with = "deserialize_text")]
    name: String,
    #[serde(default, deserialize_with = "deserialize_text")]
    email: String,
    #[serde(default, deserialize_with = "deserialize_opt_text")]
    designation: Option<String>,
}

impl RegisterWebhook {
    /// Checks the input against SpotDraft's documented rules.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the option (`webhook.url`, `webhook.activities[2]`,
    /// `webhook.customHeaders.X-SD-Token` …).
    pub(crate) fn validate(&self) -> Result<()> {
        let input = &self.input;
        if input.title.trim().is_empty() {
            return Err(Error::invalid_argument(
                "webhook.title",
                "must be a non-empty title",
            ));
        }
        check_url(&input.url)?;
        if input.activities.is_empty() {
            return Err(Error::invalid_argument(
                "webhook.activities",
                "must list at least one activity, e.g. [\"CONTRACT_EXECUTED\"]",
            ));
        }
        for (i, activity) in input.activities.iter().enumerate() {
            if let WebhookActivity::Unknown(name) = activity {
                let names = WebhookActivity::KNOWN.iter().map(WebhookActivity::as_str);
                let hint = closest_name(name, names)
                    .map(|n| format!(" Did you mean \"{n}\"?"))
                    .unwrap_or_default();
                return Err(Error::invalid_argument(
                    &format!("webhook.activities[{i}]"),
                    format!(
                        "is not one of SpotDraft's activity names (OnlyForActivitiesEnum).{hint}"
                    ),
                ));
            }
        }
        let headers = input.custom_headers.as_ref();
        if headers.is_some_and(|h| h.len() > MAX_CUSTOM_HEADERS) {
            return Err(Error::invalid_argument(
                "webhook.customHeaders",
                format!("has more than {MAX_CUSTOM_HEADERS} headers"),
            ));
        }
        for (name, value) in headers.into_iter().flatten() {
            check_header(name, value)?;
        }
        Ok(())
    }
}

/// `https://` with a host, or `http://` on a loopback host (the local sandbox).
fn check_url(url: &str) -> Result<()> {
    let refuse = |why: &str| Error::invalid_argument("webhook.url", why.to_owned());
    if url.chars().count() > MAX_URL_CHARS {
        return Err(refuse("is longer than 2048 characters"));
    }
    let uri: http::Uri = url.parse().map_err(|_| {
        refuse("is not an absolute URL such as \"https://hooks.example.com/spotdraft\"")
    })?;
    let host = uri.host().filter(|h| !h.is_empty()).ok_or_else(|| {
        refuse("is not an absolute URL such as \"https://hooks.example.com/spotdraft\"")
    })?;
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(refuse(
            "must use https:// (SpotDraft delivers only to HTTPS URLs with a publicly trusted \
             certificate; http:// is accepted only for a loopback host such as 127.0.0.1, \
             which only the local sandbox can reach)",
        )),
        _ => Err(refuse("must be an https:// URL")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_header(name: &str, value: &str) -> Result<()> {
    let argument = format!("webhook.customHeaders.{name}");
    // SpotDraft trims names before checking them; so does this, and sends them trimmed.
    let trimmed = name.trim();
    let lower = trimmed.to_ascii_lowercase();
    let token = trimmed
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !lower.starts_with("x-") || trimmed.len() < 3 || !token {
        return Err(Error::invalid_argument(
            &argument,
            "header names must start with \"X-\" and contain only letters, digits, - and _ \
             (e.g. \"X-Hook-Token\")",
        ));
    }
    if let Some(prefix) = RESERVED_HEADER_PREFIXES
        .iter()
        .find(|p| lower.starts_with(*p))
    {
        return Err(Error::invalid_argument(
            &argument,
            format!("the prefix \"{prefix}\" is reserved by SpotDraft; choose another name such as \"X-Hook-Token\""),
        ));
    }
    // Visible ASCII and spaces only: a line break would inject a header. The value is
    // never quoted (it may be a credential).
    if !value
        .bytes()
        .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
    {
        return Err(Error::invalid_argument(
            &argument,
            "header values must be visible ASCII text without line breaks",
        ));
    }
    Ok(())
}

impl Endpoint for RegisterWebhook {
    type Output = Webhook;
    const NAME: &'static str = "registerWebhook";

    fn request(&self) -> Result<HttpRequest> {
        self.validate()?;
        let input = &self.input;
        let mut activities: Vec<&str> = Vec::with_capacity(input.activities.len());
        for activity in &input.activities {
            if !activities.contains(&activity.as_str()) {
                activities.push(activity.as_str());
            }
        }
        let wire = WireRequest {
            title: input.title.trim(),
            url: &input.url,
            only_for_activities: activities,
            description: input.description.as_deref(),
            custom_headers: crate::core::sort::map_from(
                input
                    .custom_headers
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.trim(), v.as_str())),
            ),
        };
        HttpRequest::post_json(format!("{API_PREFIX}/webhooks/"), &wire)
    }

    /// Reads the `id` first and strictly; everything else leniently.
    ///
    /// The webhook exists once SpotDraft answers 201, and SpotDraft has no endpoint to list
    /// webhooks, so refusing the whole answer over a decorative field would lose the id and
    /// invite a second registration. Decorative fields of an unexpected type are therefore
    /// dropped, not refused: a non-string `custom_headers` value or `only_for_activities`
    /// item is left out, a non-object `custom_headers` or `created_by_user` becomes empty /
    /// `None`, non-text `title`, `url` or `description` become empty / `None`, a missing
    /// `status` is `Unknown("")` and a non-string one `Unknown` holding its JSON text. It does not report
    /// what it dropped.
    fn parse(&self, response: &HttpResponse) -> Result<Self::Output> {
        // Not the serde error text: it could quote a custom header value.
        let unknown_id = |path: &str| {
            invalid_response(
                Self::NAME,
                response,
                path,
                "the webhook was probably registered, but its answer carries no usable id; \
                 check the workspace's developer settings before registering again",
            )
        };
        let body: Value = serde_json::from_str(&response.body).map_err(|_| unknown_id("."))?;
        let id = body
            .get("id")
            .and_then(id_value)
            .ok_or_else(|| unknown_id("id"))?;
        Ok(Webhook {
            id,
            title: text_value(body.get("title")).unwrap_or_default(),
            url: text_value(body.get("url")).unwrap_or_default(),
            activities: lenient_activities(body.get("only_for_activities")),
            status: match body.get("status") {
                Some(Value::String(name)) => WebhookStatus::from_wire(name),
                None | Some(Value::Null) => WebhookStatus::Unknown(String::new()),
                Some(other) => WebhookStatus::Unknown(other.to_string()),
            },
            description: text_value(body.get("description")),
            custom_headers: lenient_headers(body.get("custom_headers")),
            created_by_user: body
                .get("created_by_user")
                .cloned()
                .and_then(|user| serde_json::from_value::<WireUser>(user).ok())
                .map(|u| WebhookUser {
                    id: u.id,
                    name: u.name,
                    email: u.email,
                    designation: u.designation,
                }),
        })
    }
}

/// The string items of `only_for_activities`; anything else is left out.
fn lenient_activities(value: Option<&Value>) -> Vec<WebhookActivity> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(WebhookActivity::from_wire)
        .collect()
}

/// The string-valued entries of `custom_headers`; other values are left out (never quoted).
fn lenient_headers(value: Option<&Value>) -> BTreeMap<String, String> {
    crate::core::sort::map_from(
        value
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::{json, Value};

    fn input(value: Value) -> RegisterWebhookInput {
        serde_json::from_value(value).unwrap()
    }

    fn valid() -> Value {
        json!({
            "title": "Contract Created webhook",
            "url": "https://yourdomain.com/webhooks/event-handler",
            "activities": ["CONTRACT_CREATED"],
            "description": "Created for contract create webhook",
            "customHeaders": {"X-ABC-ACCESS-KEY": "example-access-key", "X-CLIENT-SIGNATURE": "example-client-signature"}
        })
    }

    #[test]
    fn sends_the_spec_example_body() {
        let request = RegisterWebhook {
            input: input(valid()),
        }
        .request()
        .unwrap();
        assert_eq!(request.path, "/api/v2.1/public/webhooks/");
        assert!(!request.retry_safe);
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({
                "title": "Contract Created webhook",
                "only_for_activities": ["CONTRACT_CREATED"],
                "url": "https://yourdomain.com/webhooks/event-handler",
                "description": "Created for contract create webhook",
                "custom_headers": {"X-ABC-ACCESS-KEY": "example-access-key", "X-CLIENT-SIGNATURE": "example-client-signature"}
            })
        );
    }

    #[test]
    fn loopback_http_is_allowed_for_the_sandbox() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]:9/x",
            "https://hooks.example.com",
        ] {
            let mut v = valid();
            v["url"] = json!(url);
            RegisterWebhook { input: input(v) }.validate().unwrap();
        }
    }

    #[test]
    fn rule_breaks_are_refused_before_the_network() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("title", json!("  "), "webhook.title"),
            ("url", json!("http://hooks.example.com/x"), "webhook.url"),
            ("url", json!("ftp://hooks.example.com/x"), "webhook.url"),
            ("url", json!("/relative"), "webhook.url"),
            ("url", json!("https://"), "webhook.url"),
            (
                "url",
                json!("http://127.0.0.1.evil.example/x"),
                "webhook.url",
            ),
            ("activities", json!([]), "webhook.activities"),
            (
                "activities",
                json!(["CONTRACT_CREATED", "CONTRACT_EXECUTE"]),
                "webhook.activities[1]",
            ),
            (
                "customHeaders",
                json!({"Authorization": "x"}),
                "webhook.customHeaders.Authorization",
            ),
            (
                "customHeaders",
                json!({"X-SD-Token": "x"}),
                "webhook.customHeaders.X-SD-Token",
            ),
            (
                "customHeaders",
                json!({"x-goog-thing": "x"}),
                "webhook.customHeaders.x-goog-thing",
            ),
            (
                "customHeaders",
                json!({"X-Spotdraft-A": "x"}),
                "webhook.customHeaders.X-Spotdraft-A",
            ),
            (
                "customHeaders",
                json!({"X-Ok": "a\r\nX-Evil: 1"}),
                "webhook.customHeaders.X-Ok",
            ),
            (
                "customHeaders",
                json!({"X-": "a"}),
                "webhook.customHeaders.X-",
            ),
            (
                "customHeaders",
                json!({"X-A B": "a"}),
                "webhook.customHeaders.X-A B",
            ),
        ];
        for (key, value, path) in cases {
            let mut v = valid();
            v[key] = value;
            let error = RegisterWebhook { input: input(v) }.request().unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{path}");
            assert_eq!(error.details[0].path, path);
        }
        let mut v = valid();
        v["activities"] = json!(["CONTRACT_EXECUTE"]);
        let error = RegisterWebhook { input: input(v) }.request().unwrap_err();
        assert!(
            error.message.contains("CONTRACT_EXECUTED"),
            "{}",
            error.message
        );
        let mut v = valid();
        v["customHeaders"] = json!({"X-Ok": "super-secret\n"});
        let error = RegisterWebhook { input: input(v) }.request().unwrap_err();
        assert!(!error.message.contains("super-secret"));
    }

    #[test]
    fn unknown_input_keys_are_refused_by_the_reader() {
        let mut v = valid();
        v["only_for_activities"] = json!(["CONTRACT_CREATED"]);
        assert!(serde_json::from_value::<RegisterWebhookInput>(v).is_err());
    }

    #[test]
    fn parses_the_spec_example_and_hides_header_values_in_debug() {
        let body = json!({
            "id": 511, "title": "Contract Created webhook", "only_for_activities": ["CONTRACT_CREATED"],
            "url": "https://yourdomain.com/webhooks/event-handler",
            "created_by_user": {"id": 17258, "name": "Mike Reed", "email": "mike_reed@yahoo.com", "designation": "Senior Marketing Manager"},
            "description": "Created for contract create webhook",
            "custom_headers": {"X-ABC-ACCESS-KEY": "example-access-key", "DEF-ACCESS-KEY": "example-secondary-access-key"},
            "status": "ACTIVE"
        });
        let endpoint = RegisterWebhook {
            input: input(valid()),
        };
        let hook = endpoint
            .parse(&HttpResponse {
                status: 201,
                body: body.to_string(),
                ..HttpResponse::default()
            })
            .unwrap();
        assert_eq!(hook.id, 511);
        assert_eq!(hook.status, WebhookStatus::Active);
        assert_eq!(hook.activities, vec![WebhookActivity::ContractCreated]);
        assert_eq!(hook.created_by_user.as_ref().unwrap().id, Some(17258));
        assert_eq!(hook.custom_headers.len(), 2);
        let debug = format!("{hook:?} {:?}", endpoint.input);
        assert!(!debug.contains("example-access-key"), "{debug}");
        assert!(debug.contains("X-ABC-ACCESS-KEY"));
        let json = serde_json::to_value(&hook).unwrap();
        assert_eq!(json["status"], "ACTIVE");
        assert_eq!(json["createdByUser"]["email"], "mike_reed@yahoo.com");
    }

    #[test]
    fn lenient_on_string_ids_new_statuses_and_nulls_strict_on_the_id() {
        let endpoint = RegisterWebhook {
            input: input(valid()),
        };
        let response = |body: Value| HttpResponse {
            status: 201,
            body: body.to_string(),
            ..HttpResponse::default()
        };
        let hook = endpoint
            .parse(&response(json!({"id": "12", "title": "t", "url": "https://x.example", "status": "PAUSED",
                                    "only_for_activities": ["CONTRACT_CREATED", "CONTRACT_TELEPORTED"],
                                    "description": null, "custom_headers": null})))
            .unwrap();
        assert_eq!(hook.id, 12);
        assert_eq!(hook.status, WebhookStatus::Unknown("PAUSED".into()));
        assert_eq!(hook.activities.len(), 2);
        assert!(hook.custom_headers.is_empty());
        let error = endpoint
            .parse(&response(
                json!({"title": "t", "url": "u", "status": "ACTIVE", "custom_headers": {"X-K": 5}}),
            ))
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidResponse);
        assert!(error.message.contains("probably registered"));
        assert!(error.message.contains("`id`"), "{}", error.message);
    }

    #[test]
    fn a_decorative_field_of_the_wrong_type_does_not_lose_the_id() {
        let endpoint = RegisterWebhook {
            input: input(valid()),
        };
        let response = |body: Value| HttpResponse {
            status: 201,
            body: body.to_string(),
            ..HttpResponse::default()
        };
        let hook = endpoint
            .parse(&response(json!({
                "id": 77, "title": ["t"], "url": {"u": 1}, "status": 3,
                "only_for_activities": ["CONTRACT_CREATED", 5, null],
                "description": false,
                "custom_headers": {"X-Num": 5, "X-Ok": "v", "X-Obj": {"secret": "s3cr3t"}},
                "created_by_user": "someone"
            })))
            .unwrap();
        assert_eq!(hook.id, 77);
        assert_eq!(hook.title, "");
        assert_eq!(hook.url, "");
        assert_eq!(hook.status, WebhookStatus::Unknown("3".into()));
        assert_eq!(hook.activities, vec![WebhookActivity::ContractCreated]);
        assert_eq!(hook.description, None);
        assert_eq!(
            hook.custom_headers.into_iter().collect::<Vec<_>>(),
            vec![("X-Ok".to_owned(), "v".to_owned())]
        );
        assert_eq!(hook.created_by_user, None);
        let hook = endpoint
            .parse(&response(json!({"id": 78, "custom_headers": ["X-A"]})))
            .unwrap();
        assert_eq!(hook.id, 78);
        assert!(hook.custom_headers.is_empty());
        assert_eq!(hook.status, WebhookStatus::Unknown(String::new()));
    }

    #[test]
    fn a_missing_or_invalid_id_is_invalid_response_without_quoting_the_body() {
        let endpoint = RegisterWebhook {
            input: input(valid()),
        };
        for body in [
            json!({"id": "T-1", "custom_headers": {"X-K": "s3cr3t"}}).to_string(),
            json!({"id": -1}).to_string(),
            json!({"id": null}).to_string(),
            json!([1]).to_string(),
            "not json s3cr3t".to_owned(),
        ] {
            let error = endpoint
                .parse(&HttpResponse {
                    status: 201,
                    body: body.clone(),
                    ..HttpResponse::default()
                })
                .unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidResponse, "{body}");
            assert_eq!(error.status, Some(201));
            assert!(error.message.contains("probably registered"), "{body}");
            assert!(!error.message.contains("s3cr3t"), "{}", error.message);
        }
    }
}
