//! The facade under wasm-bindgen-test, in Node (default) and in headless Chromium
//! (`WASM_BINDGEN_USE_BROWSER=1`): errors cross the boundary with `name` and `code`, bad
//! input is `INVALID_ARGUMENT` naming the argument, and a real fetch reaches the test server
//! whose URL `scripts/test.sh` passes at compile time as `SPOTDRAFT_TEST_BASE_URL`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use spotdraft_sync::wasm_test_support::SpotDraftClient;
use spotdraft_sync::wasm_test_support::{is_spot_draft_error, Thrown};
use spotdraft_sync::{Error, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn base_url() -> &'static str {
    option_env!("SPOTDRAFT_TEST_BASE_URL").unwrap_or("http://127.0.0.1:9")
}

#[wasm_bindgen_test]
fn error_name_code_and_details_survive_the_boundary() {
    let error = Error::invalid_argument("options.region", "use one of in, us, eu, me")
        .with_status(400)
        .with_request_id(Some("req-1".into()));
    let js: JsValue = Thrown::from(error).into();
    assert!(js.is_instance_of::<js_sys::Error>());
    assert_eq!(
        field(&js, "name").as_string().as_deref(),
        Some("SpotDraftError")
    );
    assert_eq!(
        field(&js, "code").as_string().as_deref(),
        Some(ErrorCode::InvalidArgument.as_str())
    );
    assert_eq!(field(&js, "status").as_f64(), Some(400.0));
    assert_eq!(
        field(&js, "requestId").as_string().as_deref(),
        Some("req-1")
    );
    let first = js_sys::Array::from(&field(&js, "details")).get(0);
    assert_eq!(
        field(&first, "path").as_string().as_deref(),
        Some("options.region")
    );
    assert!(is_spot_draft_error(&js));
    assert!(!is_spot_draft_error(&js_sys::Error::new("plain").into()));
}

#[wasm_bindgen_test]
fn bad_options_are_invalid_argument_and_the_next_call_works() {
    for (options, argument) in [
        (JsValue::UNDEFINED, "options"),
        (JsValue::from_f64(3.0), "options"),
        (object(&[("region", "mars".into())]), "options.region"),
        (
            object(&[("baseUrl", "http://api.example.com".into())]),
            "options.baseUrl",
        ),
        (
            object(&[("baseUrl", "https://x.example".into()), ("fetch", 1.into())]),
            "options.fetch",
        ),
    ] {
        let error: JsValue = SpotDraftClient::new(options)
            .err()
            .expect("must throw")
            .into();
        assert_eq!(
            field(&error, "code").as_string().as_deref(),
            Some("INVALID_ARGUMENT")
        );
        let message = field(&error, "message").as_string().unwrap();
        assert!(message.contains(&format!("`{argument}")), "{message}");
    }
    assert!(SpotDraftClient::new(object(&[("baseUrl", base_url().into())])).is_ok());
}

#[wasm_bindgen_test]
async fn get_contract_status_over_real_fetch() {
    let client = SpotDraftClient::new(object(&[("baseUrl", base_url().into())])).unwrap();
    let result = JsFuture::from(client.get_contract_status("T-1204".into(), None))
        .await
        .unwrap();
    assert_eq!(
        field(&result, "contractStatus").as_string().as_deref(),
        Some("EXECUTED")
    );
    let error = JsFuture::from(client.get_contract_status("../T-1".into(), None))
        .await
        .unwrap_err();
    assert_eq!(
        field(&error, "code").as_string().as_deref(),
        Some("INVALID_ARGUMENT")
    );
    let error = JsFuture::from(client.get_contract_status("T-404".into(), None))
        .await
        .unwrap_err();
    assert_eq!(
        field(&error, "code").as_string().as_deref(),
        Some("NOT_FOUND")
    );
    assert_eq!(field(&error, "status").as_f64(), Some(404.0));
}
