//! The router: one request in, one [`Outcome`] out. CORS preflight, request ids and the
//! log line for every request; `/__sandbox/` to the control routes, `/__files/` to the file
//! route, and `/api/v2.1/public/` matched here (with SpotDraft's 302 on a wrong trailing
//! slash) before the resource handlers in [`crate::routes`].
//!
//! Order per API request: route (404) → trailing slash (302) → method (405) → injected
//! latency and faults → body (413/408) → credentials (401/403) → rate limit (429) → handler
//! (query parameters, 400) → optional reset after commit.
//!
//! The log line has the path only: never the query (signed URLs), never headers (secrets).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request};

use crate::app::{lock, App};
use crate::errors::ApiError;
use crate::faults::PreFault;
use crate::fixtures::{UserFixture, WorkspaceFixture};
use crate::http::{self, Resp};
use crate::routes::{self, contracts, templates, webhooks, Ctx, Handled, Out};

const PREFIX: &str = "/api/v2.1/public/";
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server should do with a request.
pub enum Outcome {
    /// Send this response.
    Respond(Resp),
    /// Drop the connection with a reset (fault injection).
    Reset,
}

/// Top-level dispatch of one request.
pub async fn handle(app: &Arc<App>, req: Request<Incoming>) -> Outcome {
    let started = Instant::now();
    let rid = app.request_id();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let h = if method == Method::OPTIONS {
        Handled::of(http::preflight(), None)
    } else if path == "/__sandbox" || path.starts_with("/__sandbox/") {
        routes::control::handle(app, req).await
    } else if path.starts_with("/__files/") {
        routes::files::handle(app, req)
    } else if path.starts_with("/api/") {
        api(app, req).await
    } else {
        Handled::of(http::error(&ApiError::not_found()), None)
    };
    let ms = started.elapsed().as_millis();
    let ws = h.workspace.as_deref().unwrap_or("-");
    if h.reset {
        if app.config.log_requests {
            eprintln!(
                "{method} {} RESET {ms}ms ws={ws} rid={rid}",
                loggable(&path)
            );
        }
        return Outcome::Reset;
    }
    let mut resp = h.resp;
    http::add_common_headers(&mut resp, &rid);
    if app.config.log_requests {
        // Path only: never the query (signed URLs), never headers (secrets).
        eprintln!(
            "{method} {} {} {ms}ms ws={ws} rid={rid}",
            loggable(&path),
            resp.status().as_u16()
        );
    }
    Outcome::Respond(resp)
}

/// A matched API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `contracts/` GET list, POST create.
    Contracts,
    /// `contracts/{c}/send_to_counterparties`.
    Send(String),
    /// `contracts/{c}/status`.
    Status(String),
    /// `contracts/{c}/key_pointers`.
    KeyPointers(String),
    /// `contracts/{c}/download_link`.
    DownloadLink(String),
    /// `contracts/{c}/status/void`.
    Void(String),
    /// `contracts/by_external_metadata/{id}`.
    ByExternal(String),
    /// `templates/`.
    Templates,
    /// `templates/{id}/`.
    Template(String),
    /// `templates/{id}/metadata`.
    TemplateMetadata(String),
    /// `webhooks/hmac_key/`.
    HmacKey,
    /// `webhooks/`.
    Webhooks,
    /// `webhooks/{id}`.
    Webhook(String),
    /// `contracts/webhooks/re_trigger_latest/`.
    Retrigger,
}

/// Matches the path after the prefix; returns the route and whether its canonical form ends
/// with a slash.
pub fn match_route(rest: &str) -> Option<(Route, bool)> {
    let trimmed = rest.strip_suffix('/').unwrap_or(rest);
    let segs: Vec<&str> = trimmed.split('/').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let s = |x: &str| x.to_owned();
    Some(match segs.as_slice() {
        ["contracts"] => (Route::Contracts, true),
        ["contracts", "webhooks", "re_trigger_latest"] => (Route::Retrigger, true),
        ["contracts", "by_external_metadata", id] => (Route::ByExternal(s(id)), false),
        ["contracts", c, "send_to_counterparties"] => (Route::Send(s(c)), false),
        ["contracts", c, "status"] => (Route::Status(s(c)), false),
        ["contracts", c, "key_pointers"] => (Route::KeyPointers(s(c)), false),
        ["contracts", c, "download_link"] => (Route::DownloadLink(s(c)), false),
        ["contracts", c, "status", "void"] => (Route::Void(s(c)), false),
        ["templates"] => (Route::Templates, true),
        ["templates", id] => (Route::Template(s(id)), true),
        ["templates", id, "metadata"] => (Route::TemplateMetadata(s(id)), false),
        ["webhooks"] => (Route::Webhooks, true),
        ["webhooks", "hmac_key"] => (Route::HmacKey, true),
        ["webhooks", id] => (Route::Webhook(s(id)), false),
        _ => return None,
    })
}

fn allowed(r: &Route) -> &'static str {
    match r {
        Route::Contracts => "GET, POST",
        Route::Send(_)
        | Route::DownloadLink(_)
        | Route::Void(_)
        | Route::Webhooks
        | Route::Retrigger => "POST",
        Route::Webhook(_) => "DELETE",
        _ => "GET",
    }
}

/// One `/api/` request: the steps in the module docs, then the handler.
async fn api(app: &Arc<App>, req: Request<Incoming>) -> Handled {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some((route, slash)) = path.strip_prefix(PREFIX).and_then(match_route) else {
        return Handled::of(http::error(&ApiError::not_found()), None);
    };
    if path.ends_with('/') != slash {
        let mut fixed = if slash {
            format!("{path}/")
        } else {
            path.trim_end_matches('/').to_owned()
        };
        if let Some(q) = parts.uri.query() {
            fixed.push('?');
            fixed.push_str(q);
        }
        return Handled::of(http::redirect(&fixed), None);
    }
    let allow = allowed(&route);
    if !allow.split(", ").any(|m| m == parts.method.as_str()) {
        return Handled::of(
            http::error(&ApiError::method_not_allowed(parts.method.as_str(), allow)),
            None,
        );
    }

    let latency = lock(&app.faults).latency_ms();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let pre = lock(&app.faults).pre();
    match pre {
        PreFault::None => {}
        PreFault::ResetBefore => {
            return Handled {
                resp: http::empty(500),
                workspace: None,
                reset: true,
            }
        }
        PreFault::ServerError(s) => {
            return Handled::of(http::error(&ApiError::injected_5xx(s)), None)
        }
        PreFault::TooMany(s) => return Handled::of(http::error(&ApiError::throttled(s)), None),
    }

    let bytes = match http::read_body(
        &parts.headers,
        body,
        app.config.max_body_bytes,
        BODY_TIMEOUT,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return Handled::of(http::error(&e), None),
    };
    let (ws, user) = match authenticate(app, &parts.headers) {
        Ok(x) => x,
        Err(e) => return Handled::of(http::error(&e), None),
    };
    let slug = Some(ws.slug.clone());
    if let Err(e) = app.rate_limit(&ws.slug) {
        return Handled::of(http::error(&e), slug);
    }
    let query = http::query_pairs(parts.uri.query());
    let ctx = Ctx {
        app,
        ws,
        user,
        headers: &parts.headers,
        body: &bytes,
        query: &query,
    };
    let result = dispatch(&ctx, &route, &parts.method);
    match result {
        Ok((resp, mutated)) => {
            let reset =
                mutated && resp.status().is_success() && lock(&app.faults).reset_after_commit();
            Handled {
                resp,
                workspace: slug,
                reset,
            }
        }
        Err(e) => Handled::of(http::error(&e), slug),
    }
}

fn dispatch(ctx: &Ctx<'_>, route: &Route, method: &Method) -> Out {
    match route {
        Route::Contracts => contracts::contracts(ctx, method == Method::POST),
        Route::Send(c) => contracts::send(ctx, c),
        Route::Status(c) => contracts::status(ctx, c),
        Route::KeyPointers(c) => contracts::key_pointers(ctx, c),
        Route::DownloadLink(c) => contracts::download_link(ctx, c),
        Route::Void(c) => contracts::void(ctx, c),
        Route::ByExternal(id) => contracts::by_external(ctx, id),
        Route::Templates => templates::templates(ctx),
        Route::Template(id) => templates::template(ctx, id, false),
        Route::TemplateMetadata(id) => templates::template(ctx, id, true),
        Route::HmacKey => webhooks::hmac_key(ctx),
        Route::Webhooks => webhooks::create_webhook(ctx),
        Route::Webhook(id) => webhooks::delete_webhook(ctx, id),
        Route::Retrigger => contracts::retrigger(ctx),
    }
}

/// Resolves the workspace and acting user from the headers.
fn authenticate<'a>(
    app: &'a App,
    h: &HeaderMap,
) -> Result<(&'a WorkspaceFixture, &'a UserFixture), ApiError> {
    let id = http::header(h, "client-id").filter(|s| !s.is_empty());
    let secret = http::header(h, "client-secret").filter(|s| !s.is_empty());
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(ApiError::credentials_missing());
    };
    let ws = app
        .fixtures
        .by_credentials(id, secret)
        .ok_or_else(ApiError::credentials_invalid)?;
    let user = match http::header(h, "user-email").filter(|s| !s.is_empty()) {
        Some(email) => ws
            .active_user(email)
            .ok_or_else(ApiError::user_not_active)?,
        None => ws
            .active_user(&ws.default_user)
            .ok_or_else(ApiError::user_not_active)?,
    };
    Ok((ws, user))
}

/// Path for logs: printable ASCII only, capped.
fn loggable(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_slashes() {
        assert_eq!(match_route("contracts/"), Some((Route::Contracts, true)));
        assert_eq!(match_route("contracts"), Some((Route::Contracts, true)));
        assert_eq!(
            match_route("contracts/T-1/status"),
            Some((Route::Status("T-1".into()), false))
        );
        assert_eq!(
            match_route("contracts/T-1/status/void"),
            Some((Route::Void("T-1".into()), false))
        );
        assert_eq!(
            match_route("contracts/webhooks/re_trigger_latest/"),
            Some((Route::Retrigger, true))
        );
        assert_eq!(
            match_route("templates/12/metadata"),
            Some((Route::TemplateMetadata("12".into()), false))
        );
        assert_eq!(
            match_route("webhooks/hmac_key/"),
            Some((Route::HmacKey, true))
        );
        assert_eq!(
            match_route("webhooks/5"),
            Some((Route::Webhook("5".into()), false))
        );
        assert_eq!(match_route("contracts//status"), None);
        assert_eq!(match_route("nope/"), None);
    }
}
