//! `createContract` and `findContractsByExternalId` on `SpotDraftClient`.

use super::args::{string_arg, to_js_value, type_name};
use super::client::{call_options, SpotDraftClient};
use super::panic_guard::promise;
use super::payload::{json_arg, template_arg};
use crate::api::contracts::by_external::FindByExternalId;
use crate::core::validate::validate_compiled;
use crate::error::{Error, Result};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CREATE_OPTIONS_TS: &'static str = r#"
/** Options of `createContract`. */
export interface CreateContractOptions extends CallOptions {
    /**
     * Template metadata (`getTemplateMetadata`) or a `CompiledTemplate` document to validate
     * `contract_data` against before sending.
     */
    templateMetadata?: TemplateMetadata;
    /** Validate locally before the network (default true); problems throw VALIDATION_FAILED. */
    validate?: boolean;
    /**
     * Look the external id up first and return an existing contract instead of creating
     * (makes a create idempotent across restarts; costs one GET).
     */
    checkExistingFirst?: boolean;
}
"#;

#[wasm_bindgen(js_class = SpotDraftClient)]
impl SpotDraftClient {
    /// Creates a contract from a v2.1 create body (`POST /api/v2.1/public/contracts/`),
    /// exactly once: never blindly retried; after an ambiguous failure the contract is looked
    /// up by `external_metadata.id` and returned if it exists (`outcome: "FOUND_EXISTING"`),
    /// otherwise created again. The body is validated first (and against `templateMetadata`
    /// when given); a body without `external_metadata.id` is refused before the network.
    #[wasm_bindgen(js_name = createContract, unchecked_return_type = "Promise<CreateResult>")]
    pub fn create_contract(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateContractOptions")] options: Option<
            Object,
        >,
    ) -> js_sys::Promise {
        let inner = self.inner();
        promise(async move {
            let body = json_arg("payload", &payload)?;
            let ctx = call_options(options.as_ref())?;
            let flag = |key: &str, default: bool| -> Result<bool> {
                let Some(options) = &options else {
                    return Ok(default);
                };
                let value =
                    Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
                if value.is_undefined() {
                    return Ok(default);
                }
                value.as_bool().ok_or_else(|| {
                    Error::invalid_argument(
                        &format!("options.{key}"),
                        format!("must be a boolean, got {}", type_name(&value)),
                    )
                })
            };
            let check_existing_first = flag("checkExistingFirst", false)?;
            if flag("validate", true)? {
                let metadata = options.as_ref().map(|o| {
                    Reflect::get(o, &JsValue::from_str("templateMetadata"))
                        .unwrap_or(JsValue::UNDEFINED)
                });
                let template = template_arg(metadata.as_ref())?;
                validate_compiled(&body, template.as_ref()).into_result()?;
            }
            let result = inner
                .create_contract(body, check_existing_first, &ctx)
                .await?;
            to_js_value(&result)
        })
    }

    /// The contracts (at most 50) whose `external_metadata.id` is `externalId`
    /// (`GET /api/v2.1/public/contracts/by_external_metadata/{id}`).
    #[wasm_bindgen(js_name = findContractsByExternalId, unchecked_return_type = "Promise<ContractSummary[]>")]
    pub fn find_contracts_by_external_id(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] external_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<Object>,
    ) -> js_sys::Promise {
        self.run("options", options, move || {
            FindByExternalId::new("externalId", &string_arg("externalId", &external_id)?)
        })
    }
}
