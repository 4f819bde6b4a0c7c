//! The one error type of the crate and its stable, machine-readable codes.
//!
//! Pure: no JS or IO types here. The facade turns an [`Error`] into a JS `Error` whose
//! `name` is `"SpotDraftError"` (see `facade::js_error`).
//!
//! Messages never contain secrets (`client-secret`, HMAC keys) or signed URLs: every
//! constructor takes only what the caller chose to show, and nothing here formats a
//! request's headers.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// Stable machine-readable error codes, serialised as `SCREAMING_SNAKE_CASE`.
///
/// Codes are a contract with users: add new ones, never rename or remove one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ErrorCode {
    /// A function or constructor was given the wrong thing.
    InvalidArgument,
    /// A `clientSecret` was given in a browser or worker without the explicit opt-in.
    BrowserSecretRefused,
    /// A bug in this library (a panic). The instance stays usable.
    Internal,
    /// 401: the credentials are missing or wrong.
    Unauthorized,
    /// 403: the credentials or `user-email` may not do this.
    Forbidden,
    /// 404: the resource does not exist or is not visible to these credentials.
    NotFound,
    /// The template id is not accessible to the workspace of these credentials.
    TemplateInaccessible,
    /// `contract_data` keys do not match the template's fields.
    TemplateFieldMismatch,
    /// The creator entity (`entity_reference_id`) may not use this template.
    CreatorEntityMismatch,
    /// The payload failed validation (locally or at SpotDraft); see `details`.
    ValidationFailed,
    /// 402: a business rule or workflow state refused the call.
    BusinessRule,
    /// 429: over SpotDraft's rate limit.
    RateLimited,
    /// 409: conflict, duplicate or version mismatch.
    Conflict,
    /// 5xx from SpotDraft.
    ServerError,
    /// Any other non-success HTTP status.
    HttpError,
    /// The request did not reach SpotDraft or no response came back.
    Network,
    /// The call took longer than its timeout.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// SpotDraft answered with a redirect (3xx), which is never followed.
    Redirect,
    /// A create failed in a way that leaves it unknown whether the contract exists.
    AmbiguousCreate,
    /// SpotDraft's response could not be understood.
    InvalidResponse,
    /// A webhook's signature is missing, malformed or does not match.
    WebhookSignatureInvalid,
    /// A webhook body was not given as the raw bytes or raw string.
    WebhookRawBodyRequired,
    /// A webhook body could not be parsed as a SpotDraft event.
    WebhookPayloadInvalid,
    /// A sync store failed.
    StoreError,
    /// WebAssembly is missing or refused in this runtime (no `WebAssembly` global, a CSP
    /// without `'wasm-unsafe-eval'`, an embedder that forbids compiling bytes) or the `.wasm`
    /// could not be loaded. Raised by the package's JS entry points, never by the core; the
    /// message names the cause and `spotdraft-sync/js`, the build that needs no WebAssembly.
    WasmUnavailable,
}

impl ErrorCode {
    /// The wire name of the code, as JS sees it (`"INVALID_ARGUMENT"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::BrowserSecretRefused => "BROWSER_SECRET_REFUSED",
            Self::Internal => "INTERNAL",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::TemplateInaccessible => "TEMPLATE_INACCESSIBLE",
            Self::TemplateFieldMismatch => "TEMPLATE_FIELD_MISMATCH",
            Self::CreatorEntityMismatch => "CREATOR_ENTITY_MISMATCH",
            Self::ValidationFailed => "VALIDATION_FAILED",
            Self::BusinessRule => "BUSINESS_RULE",
            Self::RateLimited => "RATE_LIMITED",
            Self::Conflict => "CONFLICT",
            Self::ServerError => "SERVER_ERROR",
            Self::HttpError => "HTTP_ERROR",
            Self::Network => "NETWORK",
            Self::Timeout => "TIMEOUT",
            Self::Aborted => "ABORTED",
            Self::Redirect => "REDIRECT",
            Self::AmbiguousCreate => "AMBIGUOUS_CREATE",
            Self::InvalidResponse => "INVALID_RESPONSE",
            Self::WebhookSignatureInvalid => "WEBHOOK_SIGNATURE_INVALID",
            Self::WebhookRawBodyRequired => "WEBHOOK_RAW_BODY_REQUIRED",
            Self::WebhookPayloadInvalid => "WEBHOOK_PAYLOAD_INVALID",
            Self::StoreError => "STORE_ERROR",
            Self::WasmUnavailable => "WASM_UNAVAILABLE",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One located problem: where (a JSON path), what (a stable detail code) and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// JSON path of the offending value, e.g. `counter_party_details[0].organization_name`.
    pub path: String,
    /// Stable code of this detail, e.g. `REQUIRED`, `UNKNOWN_FIELD`.
    pub code: String,
    /// What is wrong and what to do about it.
    pub message: String,
    /// Where the value came from in a source record (record mapping only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub source_path: Option<String>,
    /// A likely intended value, e.g. the field name closest to an unknown key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub suggestion: Option<String>,
}

impl ErrorDetail {
    /// A detail at `path` with `code` and `message`.
    pub fn new(
        path: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            code: code.into(),
            message: message.into(),
            source_path: None,
            suggestion: None,
        }
    }
}

/// Every failure of the library.
///
/// Build one with the constructors ([`Error::invalid_argument`], [`Error::new`]) and the
/// `with_*` setters; read it through the fields. Display is the message alone.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct Error {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human message: what went wrong and what to do.
    pub message: String,
    /// HTTP status, when a response came back.
    pub status: Option<u16>,
    /// SpotDraft's request id, when its response carried one.
    pub request_id: Option<String>,
    /// SpotDraft's own error code (`SD_PUBLIC_00009`…), when its body carried one.
    pub spotdraft_code: Option<String>,
    /// Located problems, each with a JSON path.
    pub details: Vec<ErrorDetail>,
}

/// Result alias of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with `code` and `message` and nothing else.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: None,
            request_id: None,
            spotdraft_code: None,
            details: Vec::new(),
        }
    }

    /// `INVALID_ARGUMENT` for argument `name` (a JS-facing name such as `options.region`),
    /// with `what_to_do` saying how to fix it. The detail's path is the argument name.
    pub fn invalid_argument(name: &str, what_to_do: impl Into<String>) -> Self {
        let what_to_do = what_to_do.into();
        let mut error = Self::new(
            ErrorCode::InvalidArgument,
            format!("Invalid argument `{name}`: {what_to_do}"),
        );
        error
            .details
            .push(ErrorDetail::new(name, "INVALID_ARGUMENT", what_to_do));
        error
    }

    /// `INTERNAL`: a bug in this library, with a short description.
    pub fn internal(what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::Internal,
            format!(
                "Internal error in spotdraft-sync: {what}. This is a bug; please report it. \
                 The library stays usable for the next call."
            ),
        )
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets SpotDraft's request id.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// Sets SpotDraft's own error code.
    pub fn with_spotdraft_code(mut self, code: Option<String>) -> Self {
        self.spotdraft_code = code;
        self
    }

    /// Appends located details.
    pub fn with_details(mut self, details: impl IntoIterator<Item = ErrorDetail>) -> Self {
        self.details.extend(details);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_wire_names() {
        for code in [
            ErrorCode::InvalidArgument,
            ErrorCode::TemplateFieldMismatch,
            ErrorCode::AmbiguousCreate,
            ErrorCode::WebhookRawBodyRequired,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn invalid_argument_names_the_argument_in_message_and_detail() {
        let error = Error::invalid_argument("options.region", "use one of in, us, eu, me");
        assert_eq!(error.code(), ErrorCode::InvalidArgument);
        assert!(error.message.contains("`options.region`"));
        assert_eq!(error.details[0].path, "options.region");
    }
}
