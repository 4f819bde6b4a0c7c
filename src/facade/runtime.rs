//! Which JS runtime the package runs in, for the browser-secret rule.
//!
//! Detection reads globals only (`process.versions.node`, `Deno`, `Bun`,
//! `navigator.userAgent`); it never throws. Anything unrecognised counts as a browser, the
//! safe side: a server runtime we do not know needs `dangerouslyAllowBrowserSecret`.

use crate::core::config::Runtime;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

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
