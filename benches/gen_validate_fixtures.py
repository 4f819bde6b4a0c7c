"""Generates the benchmark fixtures of benches/validate.bench.mjs (run from the repo root):

    python3 benches/gen_validate_fixtures.py

- tests/fixtures/templates/template-bench-40-metadata.json: template 1204's fields plus
  28 optional ones, 40 top-level fields in all (children folded), which the playbook
  payload satisfies;
- tests/fixtures/templates/template-bench-40.schema.json: a JSON Schema (draft-07) of the
  create body with that template's contract_data, as close to spotdraft-sync's rules as
  JSON Schema allows (see the "$comment" for what it cannot say).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
ROOT = os.path.join(os.path.dirname(__file__), "..")
FIX = os.path.join(ROOT, "tests", "fixtures")


def load(path):
    with open(os.path.join(FIX, path)) as f:
        return json.load(f)


def country_codes():
    text = open(os.path.join(ROOT, "src", "core", "validate", "iso.rs")).read()
    start = text.index("pub const COUNTRY_CODES")
    block = text[start:text.index("];", start)]
    return [c for c in block.split('"')[1::2] if len(c) == 2]


def currency_codes():
    text = open(os.path.join(ROOT, "src", "core", "validate", "iso.rs")).read()
    start = text.index("pub const CURRENCY_CODES")
    block = text[start:text.index("];", start)]
    return [c for c in block.split('"')[1::2] if len(c) == 3]


base = load("templates/template-1204-metadata.json")
extra = []
kinds = ["string", "int", "float", "boolean", "date", "enum", "array of options"]
for i in range(28):
    kind = kinds[i % len(kinds)]
    a = {"display_label": f"Extra Field {i + 1}", "variable": f"extra_field_{i + 1}", "type": kind, "required": False}
    if kind in ("enum", "array of options"):
        a["options"] = [{"label": f"Option {n}", "value": f"option_{n}"} for n in range(1, 6)]
    extra.append(a)
template = {"counter_party_kind": base["counter_party_kind"], "attributes": base["attributes"] + extra}

top = {a["variable"].split(".")[0] if "parent_variable" not in a else a["parent_variable"] for a in template["attributes"]}
assert len(top) == 40, len(top)

COUNTRIES = country_codes()
CURRENCIES = currency_codes()
EMAIL = "^[^@\\s<>,;()\\[\\]\"\\\\]+@[^@\\s.<>,;()\\[\\]\"\\\\]+(\\.[^@\\s.<>,;()\\[\\]\"\\\\]+)+$"
DATE = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NONBLANK = "\\S"


def scalar(a):
    t = a["type"]
    if t == "string":
        return {"type": "string"}
    if t == "int":
        return {"type": "integer"}
    if t == "float":
        return {"type": "number"}
    if t == "boolean":
        return {"type": "boolean"}
    if t == "date":
        return {"type": "string", "pattern": DATE}
    if t == "enum":
        return {"enum": [o["value"] for o in a["options"]]}
    if t == "array of options":
        return {"type": "array", "items": {"enum": [o["value"] for o in a["options"]]}}
    if t == "array of strings":
        return {"type": "array", "items": {"type": "string"}}
    if t == "array of files":
        return {"type": ["object", "array"]}
    raise ValueError(t)


def fields_schema(attributes):
    props, required, groups = {}, [], {}
    for a in attributes:
        parent = a.get("parent_variable")
        if parent:
            g = groups.setdefault(parent, {"type": "object", "properties": {}, "required": [], "additionalProperties": False, "_ptype": a.get("parent_type"), "_preq": False})
            child = a.get("child_variable") or a["variable"].split(".", 1)[1]
            s = scalar(a)
            if g["_ptype"] == "currency" and child == "type":
                s = {"enum": [c for c in (o["value"] for o in a.get("options", [])) if c in CURRENCIES] or CURRENCIES}
            g["properties"][child] = s
            if a.get("required", True):
                g["required"].append(child)
            g["_preq"] = g["_preq"] or a.get("parent_required", False)
            props[parent] = g
            continue
        if a["type"] == "repeating":
            row = fields_schema(a.get("attributes", []))
            s = {"type": "array", "items": row}
        else:
            s = scalar(a)
            if a["type"] == "string" and a.get("required", True):
                s["pattern"] = NONBLANK
        props[a["variable"]] = s
        if a.get("required", True):
            required.append(a["variable"])
    for name, g in groups.items():
        if g["_ptype"] == "duration":
            g["properties"].setdefault("days", {"type": "integer", "minimum": 0})
            if "days" not in g["required"]:
                g["required"].append("days")
        if g.pop("_preq"):
            required.append(name)
        g.pop("_ptype")
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


address = {
    "type": "object",
    "required": ["line_one", "city", "country_iso_code"],
    "additionalProperties": False,
    "properties": {
        "line_one": {"type": "string", "pattern": NONBLANK},
        "city": {"type": "string", "pattern": NONBLANK},
        "country_iso_code": {"enum": COUNTRIES},
        **{k: {"type": "string"} for k in ["line_two", "state", "country", "zipcode", "phone", "gst_number", "tax_id"]},
        "email": {"type": "string", "pattern": EMAIL},
    },
}
counterparty = {
    "type": "object",
    "required": ["is_individual", "poc_details"],
    "additionalProperties": False,
    "properties": {
        "is_individual": {"type": "boolean"},
        "organization_type": {"type": "string"},
        "organization_name": {"type": "string"},
        "party_role_identifier": {"type": "string", "minLength": 1},
        "poc_details": {
            "type": "object",
            "required": ["first_name", "email"],
            "additionalProperties": False,
            "properties": {
                "first_name": {"type": "string", "pattern": NONBLANK},
                "last_name": {"type": "string"},
                "email": {"type": "string", "pattern": EMAIL},
            },
        },
        "organization_details": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "jurisdiction": {"type": "string"},
                "jurisdiction_iso_code": {"enum": COUNTRIES},
                "address": address,
            },
        },
    },
    "if": {"properties": {"is_individual": {"const": False}}},
    "then": {
        "required": ["organization_type", "organization_name"],
        "properties": {"organization_type": {"type": "string", "pattern": NONBLANK}, "organization_name": {"type": "string", "pattern": NONBLANK}},
    },
}
if template["counter_party_kind"] == "Organisation":
    counterparty["properties"]["is_individual"] = {"const": False}
signatory = {
    "type": "object",
    "required": ["name", "email", "is_counterparty_signatory"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": NONBLANK},
        "email": {"type": "string", "pattern": EMAIL},
        "title": {"type": "string"},
        "is_counterparty_signatory": {"type": "boolean"},
        "counterparty_name": {"type": "string"},
        "sign_order": {"type": "integer", "minimum": 1},
        "note": {"type": "string"},
    },
    "if": {"properties": {"is_counterparty_signatory": {"const": True}}},
    "then": {"required": ["counterparty_name"]},
}
schema = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$comment": "Generated by benches/gen_validate_fixtures.py. JSON Schema cannot express: calendar validity of dates (only the YYYY-MM-DD pattern), counterparty_name equal to a counterparty's name, sign_order on all signatories or none, at least one counterparty signatory with sign_order, did-you-mean suggestions.",
    "type": "object",
    "required": ["contract_template_id", "contract_data", "counter_party_details", "external_metadata"],
    "additionalProperties": False,
    "properties": {
        "contract_template_id": {"type": "integer", "minimum": 1},
        "contract_name": {"type": "string", "pattern": NONBLANK},
        "entity_reference_id": {"type": "string", "pattern": NONBLANK},
        "is_embedded_contract": {"type": "boolean"},
        "contract_data": fields_schema(template["attributes"]),
        "counter_party_details": {"type": "array", "minItems": 1, "items": counterparty},
        "external_metadata": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {
                "id": {"anyOf": [{"type": "string", "pattern": NONBLANK}, {"type": "number"}]},
                "integration_name": {"type": "string", "pattern": NONBLANK},
                "record_type": {"type": "string", "pattern": NONBLANK},
                "record_data": {"type": "object"},
                "object_configuration_id": {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"},
            },
        },
        "signatories": {"type": "array", "items": signatory},
        "workflow_config": {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: {"type": "boolean"} for k in ["auto_send_to_counterparty", "api_only_contract_edits", "skip_cp_info_collection", "skip_creator_info_collection"]},
        },
        "send_to_counterparty_config": {
            "type": "object",
            "required": ["attachment_formats"],
            "additionalProperties": False,
            "properties": {
                "attachment_formats": {"type": "array", "minItems": 1, "items": {"enum": ["DOCX", "PDF", "TEMPLATE"]}},
                **{k: {"type": "array", "items": {"type": "string", "pattern": EMAIL}} for k in ["to_emails", "cc_emails", "bcc_emails"]},
                "extra_attachments": {"type": "array", "items": {"type": "object", "required": ["file_name", "mime_type", "content_base64"], "additionalProperties": False, "properties": {"file_name": {"type": "string", "pattern": NONBLANK}, "mime_type": {"type": "string", "pattern": NONBLANK}, "content_base64": {"type": "string", "pattern": "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$", "minLength": 4}}}},
                "custom_message": {"type": "string"},
                "subject": {"type": "string"},
            },
        },
    },
}

with open(os.path.join(FIX, "templates", "template-bench-40-metadata.json"), "w") as f:
    json.dump(template, f, indent=2)
    f.write("\n")
with open(os.path.join(FIX, "templates", "template-bench-40.schema.json"), "w") as f:
    json.dump(schema, f, indent=2)
    f.write("\n")
print("wrote template-bench-40-metadata.json and template-bench-40.schema.json")
