#!/usr/bin/env bash
# Validates the sandbox's flow responses against the JSON schemas in spotdraft-openapi.yaml.
# Needs python3 with PyYAML and jsonschema (pip install pyyaml jsonschema).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SPEC="${SPOTDRAFT_OPENAPI:-$ROOT/../shared/spotdraft-openapi.yaml}"
python3 -c 'import yaml, jsonschema' 2>/dev/null || python3 -m pip install --quiet pyyaml jsonschema
cargo build -q -p spotdraft-sandbox --bin spotdraft-sandbox --manifest-path "$ROOT/Cargo.toml"
python3 "$ROOT/sandbox/conformance/nullability.py" "$SPEC" --check "$ROOT/sandbox/src/model/nullability/generated.rs"
exec python3 "$ROOT/sandbox/conformance/check.py" "$ROOT/target/debug/spotdraft-sandbox" "$SPEC"
