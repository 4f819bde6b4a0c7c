//! The send → track → sync-back methods of `SpotDraftClient`, and the template and webhook
//! methods: JS arguments in, one endpoint call, plain JS data out.
//!
//! Option objects cross the boundary as JSON text (`JSON.stringify`) and are read with
//! serde_json, which (unlike serde-wasm-bindgen) enforces `deny_unknown_fields`: a misspelt
//! option such as `toEmail` is an `INVALID_ARGUMENT` naming it, not silently ignored. No
//! domain logic lives here; every check is in the endpoint (`crate::api`).

use super::client::{no_method_options, SpotDraftClient};
use super::convert::{optional_options_arg, options_arg, string_arg, type_name};
use crate::api::contracts::download_link::{DownloadLinkOptions, GetDownloadLink};
use crate::api::contracts::key_pointers::GetKeyPointers;
use crate::api::contracts::send::{SendToCounterparties, SendToCounterpartiesOptions};
use crate::api::lenient::MAX_SAFE_INTEGER;
use crate::api::templates::get::GetTemplate;
use crate::api::templates::list::ListTemplates;
use crate::api::templates::metadata::GetTemplateMetadata;
use crate::api::webhooks::delete::DeleteWebhook;
use crate::api::webhooks::hmac_key::GetWebhookHmacKey;
use crate::api::webhooks::register::{RegisterWebhook, RegisterWebhookInput};
use crate::core::ids::CompositeId;
use crate::error::{Error, Result};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = SpotDraftClient)]
impl SpotDraftClient {
    /// Emails a contract to its counterparties
    /// (`POST /api/v2.1/public/contracts/{id}/send_to_counterparties`); it moves to REDLINING.
    ///
    /// Every option is optional; by default SpotDraft attaches a PDF and writes to the
    /// counterparty recipients configured on the contract. Bad options reject with
    /// `INVALID_ARGUMENT` before anything is sent. Never retried: a repeat would email twice.
    ///
    /// ```js
    /// await client.sendToCounterparties("T-1234", { toEmails: ["legal@acme.example"], subject: "Acme MSA" });
    /// ```
    #[wasm_bindgen(
        js_name = sendToCounterparties,
        unchecked_return_type = "Promise<SendToCounterpartiesResult>"
    )]
    pub fn send_to_counterparties(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "SendToCounterpartiesOptions & CallOptions"
        )]
        options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let id = CompositeId::parse_arg("id", &string_arg("id", &id)?)?;
            let options: SendToCounterpartiesOptions =
                optional_options_arg("options", rest.as_ref())?;
            Ok(SendToCounterparties { id, options })
        })
    }

    /// Reads a contract's metadata values
    /// (`GET /api/v2.1/public/contracts/{id}/key_pointers`), typed and indexed by field name.
    ///
    /// ```js
    /// const { byFieldName } = await client.getKeyPointers("T-1234");
    /// const fee = byFieldName.billing_amount?.value; // { kind: "CURRENCY", currency: "USD", amount: 12000 }
    /// ```
    #[wasm_bindgen(js_name = getKeyPointers, unchecked_return_type = "Promise<KeyPointers>")]
    pub fn get_key_pointers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let id = CompositeId::parse_arg("id", &string_arg("id", &id)?)?;
            no_method_options(rest.as_ref(), "getKeyPointers")?;
            Ok(GetKeyPointers { id })
        })
    }

    /// Asks for a temporary, signed link to the contract's file
    /// (`POST /api/v2.1/public/contracts/{id}/download_link`). Fetch `url` right away and do
    /// not log or store it: it is a credential until it expires, and SpotDraft documents no
    /// lifetime. `fetchedAt` is when the link was requested (this machine's clock).
    ///
    /// ```js
    /// const { url, fileName } = await client.getDownloadLink("T-1234", { format: "PDF" });
    /// const pdf = new Uint8Array(await (await fetch(url)).arrayBuffer());
    /// ```
    #[wasm_bindgen(js_name = getDownloadLink, unchecked_return_type = "Promise<DownloadLink>")]
    pub fn get_download_link(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DownloadLinkOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let id = CompositeId::parse_arg("id", &string_arg("id", &id)?)?;
            let options: DownloadLinkOptions = optional_options_arg("options", rest.as_ref())?;
            let now = String::from(js_sys::Date::new_0().to_iso_string());
            GetDownloadLink::new(id, options.format.unwrap_or_default(), now)
        })
    }

    /// Lists the workspace's published templates (`GET /api/v2.1/public/templates/`).
    #[wasm_bindgen(js_name = listTemplates, unchecked_return_type = "Promise<TemplateList>")]
    pub fn list_templates(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, |rest| {
            no_method_options(rest.as_ref(), "listTemplates")?;
            Ok(ListTemplates::default())
        })
    }

    /// Reads one template's details (`GET /api/v2.1/public/templates/{templateId}/`).
    /// Rejects with `TEMPLATE_INACCESSIBLE` when the template is not in this workspace.
    #[wasm_bindgen(js_name = getTemplate, unchecked_return_type = "Promise<Template>")]
    pub fn get_template(
        &self,
        #[wasm_bindgen(js_name = templateId, unchecked_param_type = "number | string")]
        template_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let template_id = id_arg("templateId", &template_id)?;
            no_method_options(rest.as_ref(), "getTemplate")?;
            Ok(GetTemplate { template_id })
        })
    }

    /// Reads the fields a template's `contract_data` must fill
    /// (`GET /api/v2.1/public/templates/{templateId}/metadata`). Pass the result to
    /// `validateCreateContract` or `new CompiledTemplate(...)`. Rejects with
    /// `TEMPLATE_INACCESSIBLE` when the template is not in this workspace.
    #[wasm_bindgen(
        js_name = getTemplateMetadata,
        unchecked_return_type = "Promise<TemplateMetadata>"
    )]
    pub fn get_template_metadata(
        &self,
        #[wasm_bindgen(js_name = templateId, unchecked_param_type = "number | string")]
        template_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let template_id = id_arg("templateId", &template_id)?;
            no_method_options(rest.as_ref(), "getTemplateMetadata")?;
            Ok(GetTemplateMetadata { template_id })
        })
    }

    /// Reads the workspace's webhook signing key (`GET /api/v2.1/public/webhooks/hmac_key/`).
    /// It is a secret: store it like one and pass it to `verifyWebhook`.
    #[wasm_bindgen(
        js_name = getWebhookHmacKey,
        unchecked_return_type = "Promise<WebhookHmacKey>"
    )]
    pub fn get_webhook_hmac_key(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, |rest| {
            no_method_options(rest.as_ref(), "getWebhookHmacKey")?;
            Ok(GetWebhookHmacKey)
        })
    }

    /// Subscribes a URL to contract activities (`POST /api/v2.1/public/webhooks/`). Keep the
    /// returned `id`: SpotDraft has no endpoint to list webhooks. Never retried: a repeat
    /// would register a second webhook.
    ///
    /// ```js
    /// const hook = await client.registerWebhook({
    ///   title: "CRM sync", url: "https://crm.example.com/spotdraft/webhook",
    ///   activities: ["CONTRACT_SENT_TO_COUNTERPARTY", "CONTRACT_EXECUTED"],
    ///   customHeaders: { "X-Hook-Token": process.env.HOOK_TOKEN },
    /// });
    /// ```
    #[wasm_bindgen(js_name = registerWebhook, unchecked_return_type = "Promise<Webhook>")]
    pub fn register_webhook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RegisterWebhookInput")] webhook: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let input: RegisterWebhookInput = options_arg("webhook", &webhook)?;
            no_method_options(rest.as_ref(), "registerWebhook")?;
            Ok(RegisterWebhook { input })
        })
    }

    /// Deletes a webhook (`DELETE /api/v2.1/public/webhooks/{id}`). Never retried: a repeat
    /// after a delete that went through answers `NOT_FOUND`.
    #[wasm_bindgen(js_name = deleteWebhook, unchecked_return_type = "Promise<WebhookDeleted>")]
    pub fn delete_webhook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let id = id_arg("id", &id)?;
            no_method_options(rest.as_ref(), "deleteWebhook")?;
            Ok(DeleteWebhook { id })
        })
    }
}

/// A numeric id given as a whole number or a string of digits.
fn id_arg(name: &str, value: &JsValue) -> Result<u64> {
    let refuse = || {
        Error::invalid_argument(
            name,
            format!(
                "must be a positive whole number (or a string of digits) up to 2^53 - 1, got {}",
                type_name(value)
            ),
        )
    };
    if let Some(n) = value.as_f64() {
        // `as` is exact here: n is whole and within the safe range.
        return (n.fract() == 0.0 && n >= 1.0 && n <= MAX_SAFE_INTEGER as f64)
            .then_some(n as u64)
            .ok_or_else(refuse);
    }
    let text = value.as_string().ok_or_else(refuse)?;
    crate::api::lenient::id_value(&serde_json::Value::String(text))
        .filter(|id| *id >= 1)
        .ok_or_else(refuse)
}
