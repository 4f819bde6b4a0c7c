//! Route handlers, one module per resource: what each endpoint does once the router has
//! matched it, checked faults, credentials and the rate limit.
//!
//! Handlers validate the body, call one `App`/`State` command and shape the answer. They do
//! not match paths (`crate::router`), send webhooks or sleep (`crate::delivery`).

pub mod contracts;
pub mod control;
pub mod files;
pub mod templates;
pub mod webhooks;

use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::{json, Value};

use crate::app::{lock, App};
use crate::errors::ApiError;
use crate::fixtures::{UserFixture, WorkspaceFixture};
use crate::http::{self, Resp};
use crate::model::contract::{parse_composite, Contract};
use crate::validate::FieldErrors;

/// Result of one route family: response, workspace for the log, reset request.
pub struct Handled {
    /// Response (ignored when `reset`).
    pub resp: Resp,
    /// Workspace slug, for the log line.
    pub workspace: Option<String>,
    /// Reset the connection instead of answering.
    pub reset: bool,
}

impl Handled {
    /// A plain response.
    pub fn of(resp: Resp, workspace: Option<String>) -> Self {
        Self {
            resp,
            workspace,
            reset: false,
        }
    }
}

/// An authenticated API request, as the handlers see it.
pub struct Ctx<'a> {
    /// The app.
    pub app: &'a App,
    /// The caller's workspace.
    pub ws: &'a WorkspaceFixture,
    /// The acting user (`user-email`, or the workspace default).
    pub user: &'a UserFixture,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: &'a Bytes,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
}

/// A handler's answer and whether it changed state (for the reset-after-commit fault).
pub type Out = Result<(Resp, bool), ApiError>;

impl Ctx<'_> {
    /// The acting user as (name, email).
    pub fn performer(&self) -> (&str, Option<&str>) {
        (self.user.name.as_str(), Some(self.user.email.as_str()))
    }

    /// 400 on the first query parameter, for endpoints that take none.
    ///
    /// # Errors
    /// `unknown_query_param`.
    pub fn no_query(&self) -> Result<(), ApiError> {
        match self.query.first() {
            Some((k, _)) => Err(ApiError::unknown_query_param(k)),
            None => Ok(()),
        }
    }

    /// The JSON body, `{}` when empty.
    ///
    /// # Errors
    /// 415/400 from `http::parse_json`.
    pub fn json_body(&self) -> Result<Value, ApiError> {
        Ok(http::parse_json(self.headers, self.body)?.unwrap_or_else(|| json!({})))
    }

    /// The sandbox's stand-in for SpotDraft's `contract_link`.
    pub fn link(&self, c: &Contract) -> String {
        let base = lock(&self.app.base_url).clone();
        format!(
            "{base}/__sandbox/contracts/{}?workspace={}",
            c.composite_id(),
            self.ws.slug
        )
    }

    /// The caller's contract with composite id `composite`, cloned.
    ///
    /// # Errors
    /// 404 malformed or unknown.
    pub fn contract(&self, composite: &str) -> Result<Contract, ApiError> {
        let id = parse_composite(composite)?;
        lock(&self.app.state)
            .contract(&self.ws.slug, id)
            .cloned()
            .ok_or_else(ApiError::not_found)
    }
}

/// A 400 with one DRF-style field message.
pub fn field_error(field: &str, msg: &str) -> ApiError {
    let mut e = FieldErrors::default();
    e.add(&[field.to_owned()], msg);
    ApiError::validation(e.into_map())
}

/// Parses a boolean query parameter (`true`/`false`/`1`/`0`).
///
/// # Errors
/// `invalid_query_param`.
pub fn parse_bool(name: &str, v: &str) -> Result<bool, ApiError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::invalid_query_param(
            name,
            "expected true or false",
        )),
    }
}
