//! `createContract` and `findContractsByExternalId` on `SpotDraftClient`.

use super::client::{no_method_options, SpotDraftClient};
use super::convert::{json_arg, optional_options_arg, split_call_options, string_arg, to_js_value};
use super::fetch::JsCall;
use super::panic_guard::promise;
use super::payload::compile_template;
use crate::api::contracts::by_external::FindByExternalId;
use crate::client::CallContext;
use crate::core::validate::validate_compiled;
use crate::error::Result;
use serde::Deserialize;
use serde_json::Value;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

/// Options of `createContract` (beside the call options). Unknown keys are refused.
#[derive(Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateContractOptions {
    /// Template metadata (`getTemplateMetadata`) or a `CompiledTemplate` document to validate
    /// `contract_data` against before sending.
    #[serde(default)]
    #[tsify(optional, type = "TemplateMetadata")]
    pub template_metadata: Option<Value>,
    /// Validate locally before the network (default true); problems throw VALIDATION_FAILED.
    #[serde(default = "yes")]
    #[tsify(optional)]
    pub validate: bool,
    /// Look the external id up first and return an existing contract instead of creating
    /// (makes a create idempotent across restarts; costs one GET).
    #[serde(default)]
    #[tsify(optional)]
    pub check_existing_first: bool,
}

/// `createContract`'s arguments (the client's and the sync engine's): the body, validated
/// unless `validate: false`, `checkExistingFirst`, and the call's context.
///
/// # Errors
/// `INVALID_ARGUMENT` for a bad option; `VALIDATION_FAILED` for a body that fails validation.
pub(super) fn create_args(
    payload: &JsValue,
    options: Option<&JsValue>,
) -> Result<(Value, bool, CallContext<JsCall>)> {
    let body: Value = json_arg("payload", payload)?;
    let (ctx, rest) = split_call_options("options", options)?;
    let options: CreateContractOptions = optional_options_arg("options", rest.as_ref())?;
    if options.validate {
        let template = options
            .template_metadata
            .as_ref()
            .filter(|metadata| !metadata.is_null())
            .map(compile_template)
            .transpose()?;
        validate_compiled(&body, template.as_ref()).into_result()?;
    }
    Ok((body, options.check_existing_first, ctx))
}

fn yes() -> bool {
    true
}

impl Default for CreateContractOptions {
    fn default() -> Self {
        Self {
            template_metadata: None,
            validate: true,
            check_existing_first: false,
        }
    }
}

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
        #[wasm_bindgen(unchecked_param_type = "CreateContractPayload")] payload: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateContractOptions & CallOptions")]
        options: Option<JsValue>,
    ) -> js_sys::Promise {
        let inner = self.inner();
        promise(async move {
            let (body, check_existing_first, ctx) = create_args(&payload, options.as_ref())?;
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
        #[wasm_bindgen(js_name = externalId, unchecked_param_type = "string")] external_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        self.run(options, move |rest| {
            let find =
                FindByExternalId::new("externalId", &string_arg("externalId", &external_id)?)?;
            no_method_options(rest.as_ref(), "findContractsByExternalId")?;
            Ok(find)
        })
    }
}
