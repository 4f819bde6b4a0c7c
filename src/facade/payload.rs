//! Payload validation, template compilation and record mapping for JS.
//!
//! JS objects cross the boundary as JSON text (`JSON.stringify`, native and done in one
//! call) and are read with serde_json, whose nesting limit (128) turns a hostile,
//! deeply nested object into a report instead of a stack overflow. `JSON.stringify` turns
//! `NaN`/`Infinity` into `null` (then reported at their path) and throws on cycles and
//! BigInts (then `INVALID_ARGUMENT`). Lone UTF-16 surrogates survive as `\udXXX` escapes,
//! which serde_json refuses: one `WRONG_TYPE` issue at the payload root naming the column.

use super::convert::{json_arg, json_text, string_arg, to_js_value};
use super::js_error::Thrown;
use crate::core::mapping::{build_create_contract, Mapping};
use crate::core::template::{CompiledTemplate, TemplateMetadata};
use crate::core::validate::{validate_create_contract_json, ValidationReport};
use crate::error::{Error, Result};
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The optional template argument, compiled.
pub(crate) fn template_arg(value: Option<&JsValue>) -> Result<Option<CompiledTemplate>> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    Ok(Some(compile_template(&json_arg::<Value>(
        "templateMetadata",
        value,
    )?)?))
}

/// A template metadata document (`GET /templates/{id}/metadata`), compiled.
pub(crate) fn compile_template(value: &Value) -> Result<CompiledTemplate> {
    let metadata = TemplateMetadata::from_value(value)?;
    CompiledTemplate::compile(&metadata)
}

/// The report as plain JS data (`serde_wasm_bindgen`). Measured against JSON text +
/// `JSON.parse` twice: with this crate built for size, serde_json's escaping made a report
/// of a dozen issues ~1.7x slower; with the report written by the speed-built validate
/// crate, no faster (0.95-1.02x): V8's `JSON.parse` of a 13-issue report (2.4 KB, mostly
/// messages) alone takes ~10 µs, as long as decoding each string separately.
fn report_to_js(report: &ValidationReport) -> Result<JsValue> {
    to_js_value(report)
}

/// Validates a create-contract body (`POST /api/v2.1/public/contracts/`), optionally
/// against the template metadata from `GET /templates/{id}/metadata`.
///
/// Returns a report of every problem, each with a JSON path, a stable code and a message
/// saying what to do; never throws for a bad payload. Throws a `SpotDraftError`
/// (`INVALID_ARGUMENT`) only when `templateMetadata` is not a metadata document.
///
/// ```js
/// const report = validateCreateContract(payload, metadata);
/// if (!report.valid) for (const i of report.issues) console.log(i.path, i.code, i.message);
/// ```
///
/// To validate many payloads against one template, build a `CompiledTemplate` once.
#[wasm_bindgen(js_name = validateCreateContract, unchecked_return_type = "ValidationReport")]
pub fn validate_create_contract(
    #[wasm_bindgen(unchecked_param_type = "unknown")] payload: JsValue,
    #[wasm_bindgen(js_name = templateMetadata, unchecked_optional_param_type = "TemplateMetadata")]
    template_metadata: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let template = template_arg(template_metadata.as_ref())?;
    Ok(report_to_js(&validate_payload_arg(
        &payload,
        template.as_ref(),
    ))?)
}

/// As `validateCreateContract`, for a payload that is already JSON text (skips
/// `JSON.stringify`; the fastest path for a body read from a request or a store).
#[wasm_bindgen(js_name = validateCreateContractJson, unchecked_return_type = "ValidationReport")]
pub fn validate_create_contract_json_js(
    #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    #[wasm_bindgen(js_name = templateMetadata, unchecked_optional_param_type = "TemplateMetadata")]
    template_metadata: Option<JsValue>,
) -> Result<JsValue, Thrown> {
    let text = string_arg("json", &json)?;
    let template = template_arg(template_metadata.as_ref())?;
    Ok(report_to_js(&validate_create_contract_json(
        &text,
        template.as_ref(),
    ))?)
}

fn validate_payload_arg(
    payload: &JsValue,
    template: Option<&CompiledTemplate>,
) -> ValidationReport {
    match json_text("payload", payload) {
        Ok(text) => validate_create_contract_json(&text, template),
        // A cycle or a BigInt: the body cannot be sent either; say so as a report.
        Err(error) => ValidationReport::from_issues(vec![crate::core::validate::ValidationIssue {
            path: String::new(),
            code: crate::core::validate::IssueCode::WrongType,
            message: error
                .details
                .first()
                .map(|d| format!("The payload {}.", d.message))
                .unwrap_or(error.message),
            source_path: None,
            suggestion: None,
        }]),
    }
}

/// Template metadata parsed and folded once, for validating many payloads quickly.
///
/// ```js
/// const template = new CompiledTemplate(await client.getTemplateMetadata(1204));
/// const report = template.validate(payload);
/// ```
#[wasm_bindgen(js_name = CompiledTemplate)]
pub struct JsCompiledTemplate {
    inner: CompiledTemplate,
}

#[wasm_bindgen(js_class = CompiledTemplate)]
impl JsCompiledTemplate {
    /// Compiles `GET /templates/{id}/metadata`'s document. Throws a `SpotDraftError`
    /// (`INVALID_ARGUMENT`, with the path in the document) when it is not one.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TemplateMetadata")] metadata: JsValue,
    ) -> Result<JsCompiledTemplate, Thrown> {
        if metadata.is_undefined() || metadata.is_null() {
            return Err(Error::invalid_argument("templateMetadata", "is required").into());
        }
        let inner = template_arg(Some(&metadata))?.unwrap_or_default();
        Ok(Self { inner })
    }

    /// Validates a create-contract body against this template (see
    /// `validateCreateContract`).
    #[wasm_bindgen(unchecked_return_type = "ValidationReport")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] payload: JsValue,
    ) -> Result<JsValue, Thrown> {
        Ok(report_to_js(&validate_payload_arg(
            &payload,
            Some(&self.inner),
        ))?)
    }

    /// Validates a create-contract body given as JSON text against this template.
    #[wasm_bindgen(js_name = validateJson, unchecked_return_type = "ValidationReport")]
    pub fn validate_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> Result<JsValue, Thrown> {
        let text = string_arg("json", &json)?;
        Ok(report_to_js(&validate_create_contract_json(
            &text,
            Some(&self.inner),
        ))?)
    }
}

/// Builds a create-contract body from a source record (a HubSpot deal, a Salesforce
/// Opportunity …) with a declarative mapping (plain JSON, see `Mapping`).
///
/// Throws a `SpotDraftError`: `INVALID_ARGUMENT` when `mapping` is malformed (with the
/// path, e.g. `mapping.fields[3].transform[0]`); `VALIDATION_FAILED` when the record does
/// not map, with every problem in `details` (`path` in the payload, `sourcePath` in the
/// record). The result is not validated: pass it to `validateCreateContract`.
///
/// ```js
/// const payload = buildCreateContract(deal, mapping);
/// ```
#[wasm_bindgen(js_name = buildCreateContract, unchecked_return_type = "CreateContractPayload")]
pub fn build_create_contract_js(
    #[wasm_bindgen(unchecked_param_type = "unknown")] record: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Mapping")] mapping: JsValue,
) -> Result<JsValue, Thrown> {
    Ok(build(&record, &mapping)?)
}

fn build(record: &JsValue, mapping: &JsValue) -> Result<JsValue> {
    let mapping = Mapping::from_value(&json_arg::<Value>("mapping", mapping)?)?;
    let record: Value = json_arg("record", record)?;
    let payload = build_create_contract(&record, &mapping).map_err(Error::from)?;
    to_js_value(&payload)
}
