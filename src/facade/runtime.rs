//! Which JS runtime the package runs in, for the browser-secret rule.
//!
//! Detection reads globals only (`process.versions.node`, `Deno`, `Bun`,
//! `navigator.userAgent`); it never throws. Anything unrecognised counts as a browser, the
//! safe side: a server runtime we do not know needs `dangerouslyAllowBrowserSecret`.

use super::convert::get;
use crate::core::config::Runtime;
use wasm_bindgen::JsValue;

/// The runtime of the current global.
pub fn detect() -> Runtime {
    let global: JsValue = js_sys::global().into();
    if get(&get(&get(&global, "process"), "versions"), "node").is_string()
        || !get(&global, "Deno").is_undefined()
        || !get(&global, "Bun").is_undefined()
    {
        return Runtime::Server;
    }
    if get(&get(&global, "navigator"), "userAgent")
        .as_string()
        .as_deref()
        == Some("Cloudflare-Workers")
    {
        return Runtime::CloudflareWorkers;
    }
    Runtime::Browser
}
