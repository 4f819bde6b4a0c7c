#!/usr/bin/env python3
"""Conformance check: drive the sandbox through the flow and validate every response (and a
webhook delivery) against the JSON schemas in SpotDraft's OpenAPI document.

Usage: check.py <sandbox-binary> <spotdraft-openapi.yaml>
Needs PyYAML and jsonschema. Prints one line per check and a closing "N passed, M failed".
"""
import copy
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import jsonschema
import yaml

sys.path.insert(0, __import__("os").path.dirname(__file__))
import nullability  # noqa: E402

BIN, SPEC_PATH = sys.argv[1], sys.argv[2]
SPEC = yaml.safe_load(open(SPEC_PATH))
P = "/api/v2.1/public"
AUTH = {"client-id": "sandbox-acme", "client-secret": "sandbox-acme-secret"}
results = []


def schema_for(path, method, code):
    op = SPEC["paths"][path][method]["responses"][str(code)]
    return op["content"]["application/json"]["schema"]


def component(name):
    return {"$ref": f"#/components/schemas/{name}"}


def check(label, instance, schema):
    root = copy.deepcopy(schema)
    root["components"] = SPEC["components"]
    errors = sorted(jsonschema.Draft7Validator(root).iter_errors(instance), key=str)
    ok = not errors
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + label + ("" if ok else f": {errors[0].message} at {list(errors[0].path)}"))


def call(base, method, path, body=None, headers=AUTH, expect=None):
    data = None if body is None else json.dumps(body).encode()
    h = dict(headers)
    if body is not None:
        h["content-type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if expect is not None and status != expect:
        results.append(False)
        print(f"FAIL {method} {path}: status {status}, expected {expect}: {raw[:300]!r}")
    return status, (json.loads(raw) if raw else None)


def null_at(body, path):
    """A copy of `body` with `null` at dotted `path` (`[]` = index 0), or None when a parent
    is missing from the body."""
    body = copy.deepcopy(body)
    node, concrete = body, []
    parts = path.replace("[]", ".[]").split(".")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "[]":
            if not isinstance(node, list) or not node:
                return None, None
            concrete.append("0")
            if last:
                node[0] = None
            else:
                node = node[0]
            continue
        if not isinstance(node, dict):
            return None, None
        concrete.append(part)
        if last:
            node[part] = None
        elif part in node:
            node = node[part]
        else:
            return None, None
    return body, concrete


def error_at(errors, concrete):
    node = errors
    for part in concrete:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def null_probes(base, label, path, body):
    """POSTs `body` with `null` in each typed, non-nullable field the document lists (derived by
    nullability.py) and expects a 400 with a field error at that path."""
    schema = SPEC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    fields = []
    nullability.fields(SPEC, schema, "", fields)
    tried = 0
    for field, _kind, _required in fields:
        probe, concrete = null_at(body, field)
        if probe is None:
            continue
        tried += 1
        status, b = call(base, "POST", path, probe)
        ok = status == 400 and error_at(b or {}, concrete) is not None
        results.append(ok)
        if not ok:
            print(f"FAIL {label}: null {field}: status {status}, body {json.dumps(b)[:200]}")
    print(f"ok   {label}: explicit null refused on {tried} non-nullable fields" if all(results[-tried:]) else f"FAIL {label}: null probes")


class Hook(BaseHTTPRequestHandler):
    got = []

    def do_POST(self):
        n = int(self.headers.get("content-length", 0))
        Hook.got.append(json.loads(self.rfile.read(n)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *a):
        pass


def main():
    proc = subprocess.Popen([BIN, "--port", "0", "--quiet", "--rate-limit", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        base = line.removeprefix("spotdraft-sandbox listening on ")
        hook = HTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        hook_url = f"http://127.0.0.1:{hook.server_port}/hook"

        playbook = SPEC["paths"][P + "/contracts/"]["post"]["requestBody"]["content"]["application/json"]["examples"]["CreateContractRequest"]["value"]
        check("request: spec example create body", playbook, component("ExternalCreateContractSerializerV2_1"))

        _, b = call(base, "GET", P + "/webhooks/hmac_key/", expect=200)
        check("GET webhooks/hmac_key/", b, schema_for(P + "/webhooks/hmac_key/", "get", 200))
        wh = {"title": "conformance", "url": hook_url, "only_for_activities": ["CONTRACT_CREATED", "CONTRACT_EXECUTED"], "custom_headers": {"X-CONF": "1"}}
        _, b = call(base, "POST", P + "/webhooks/", wh, expect=201)
        check("POST webhooks/ (201)", b, schema_for(P + "/webhooks/", "post", 201))

        _, b = call(base, "GET", P + "/templates/", expect=200)
        check("GET templates/", b, schema_for(P + "/templates/", "get", 200))
        _, b = call(base, "GET", P + "/templates/1204/", expect=200)
        check("GET templates/1204/", b, schema_for(P + "/templates/{template_id}/", "get", 200))
        _, b = call(base, "GET", P + "/templates/1204/metadata", expect=200)
        check("GET templates/1204/metadata", b, schema_for(P + "/templates/{template_id}/metadata", "get", 200))

        _, c = call(base, "POST", P + "/contracts/", playbook, expect=201)
        check("POST contracts/ (201)", c, schema_for(P + "/contracts/", "post", 201))
        cid = c["id"]
        _, b = call(base, "GET", P + f"/contracts/{cid}/status", expect=200)
        check("GET contracts/{id}/status", b, schema_for(P + "/contracts/{composite_id}/status", "get", 200))
        _, b = call(base, "GET", P + f"/contracts/{cid}/key_pointers", expect=200)
        check("GET key_pointers (before execution)", b, schema_for(P + "/contracts/{composite_id}/key_pointers", "get", 200))
        call(base, "POST", P + f"/contracts/{cid}/send_to_counterparties", {"attachment_formats": ["PDF"]}, expect=200)
        call(base, "POST", f"/__sandbox/contracts/{cid}/execute", headers={}, expect=200)
        _, b = call(base, "GET", P + f"/contracts/{cid}/key_pointers", expect=200)
        check("GET key_pointers (executed)", b, schema_for(P + "/contracts/{composite_id}/key_pointers", "get", 200))
        _, b = call(base, "POST", P + f"/contracts/{cid}/download_link", expect=200)
        check("POST download_link", b, schema_for(P + "/contracts/{composite_id}/download_link", "post", 200))
        _, b = call(base, "GET", P + "/contracts/by_external_metadata/hubspot-deal-10024", expect=200)
        check("GET by_external_metadata", b, schema_for(P + "/contracts/by_external_metadata/{external_metadata_id}", "get", 200))
        _, b = call(base, "GET", P + "/contracts/?filter__display_status=EXECUTED", expect=200)
        check("GET contracts/ (list)", b, schema_for(P + "/contracts/", "get", 200))
        _, b = call(base, "POST", P + f"/contracts/{cid}/status/void", {"note": "x"}, expect=400)
        check("POST status/void on executed (400)", b, schema_for(P + "/contracts/{composite_id}/status/void", "post", 400))
        _, b = call(base, "POST", P + "/contracts/webhooks/re_trigger_latest/", {"contract_ids": [c["contract_id"]]}, expect=200)
        check("POST re_trigger_latest", b, schema_for(P + "/contracts/webhooks/re_trigger_latest/", "post", 200))
        _, b = call(base, "POST", P + "/contracts/webhooks/re_trigger_latest/", {"contract_ids": [9]}, expect=404)
        check("POST re_trigger_latest unknown (404)", b, schema_for(P + "/contracts/webhooks/re_trigger_latest/", "post", 404))
        _, b = call(base, "DELETE", P + "/webhooks/99999", expect=404)
        check("DELETE webhooks/{id} unknown (404)", b, schema_for(P + "/webhooks/{webhook_id}", "delete", 404))
        null_probes(base, "POST webhooks/", P + "/webhooks/", wh)
        sigs = [{"name": "Jane Doe", "email": "jane@example.com", "title": "CEO", "is_counterparty_signatory": True,
                 "counterparty_name": playbook["counter_party_details"][0].get("organization_name", ""), "sign_order": 1, "note": "n"}]
        full = dict(playbook, signatories=playbook.get("signatories") or sigs)
        call(base, "POST", P + "/contracts/", full, expect=201)  # the probes' base body is valid
        null_probes(base, "POST contracts/", P + "/contracts/", full)
        _, b = call(base, "GET", P + "/templates/", headers={}, expect=401)
        check("401 body", b, {"type": "object", "required": ["detail"], "properties": {"detail": {"const": "Authentication credentials were not provided."}}})

        for _ in range(200):
            if len(Hook.got) >= 3:
                break
            time.sleep(0.02)
        acts = [g.get("activity") for g in Hook.got]
        results.append(len(Hook.got) >= 3)
        print(("ok   " if len(Hook.got) >= 3 else "FAIL ") + f"webhook deliveries received: {acts}")
        for g in Hook.got:
            check(f"webhook payload {g.get('activity')}", g, component("ContractActivityDomainModel"))
        hook.shutdown()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    passed = sum(1 for r in results if r)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
