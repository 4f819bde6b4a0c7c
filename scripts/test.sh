#!/usr/bin/env bash
# Every test of the project (run by `npm test`, after scripts/setup.sh --browser):
# lints, native Rust tests (core, client, sandbox), the wasm build, wasm-bindgen tests in
# Node and headless Chromium, node --test over the built package (loopback HTTP, Chromium
# through playwright-core, the npm-pack tarball, the tarball built by each bundler users use
# and run in each host: tests/hosts/), and the sandbox's conformance check
# against SpotDraft's OpenAPI schemas.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n==== %s\n' "$*"; }
export CARGO_TERM_COLOR=never

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy (native, all targets; wasm32 lib)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p spotdraft-sync -p spotdraft-validate --lib --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p spotdraft-sync --lib --target wasm32-unknown-unknown --no-default-features --features webhooks -- -D warnings  # spotdraft-sync/webhooks
cargo clippy -p spotdraft-sync --lib --target wasm32-unknown-unknown --no-default-features --features client -- -D warnings  # spotdraft-sync/client

section "cargo test (native: core, api, client, sandbox)"
cargo test --workspace

section "build the npm package"
node scripts/build.mjs

section "the test build (target/test-pkg/: the package with the test-hooks feature, for the panic tests)"
node scripts/build.mjs --test-hooks

section "wasm-bindgen-test in Node and in headless Chromium"
server_log=$(mktemp)
node tests/support/wasm-test-server.mjs > "$server_log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$server_log" ] && break; sleep 0.1; done
export SPOTDRAFT_TEST_BASE_URL=$(head -n1 "$server_log")
# The same ABI as the shipped package (scripts/lib/wasm-abi.mjs): flags for the test build,
# and a runner that fixes the module's target_features before wasm-bindgen-test-runner.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(node --input-type=module -e "import { WASM_RUSTFLAGS } from './scripts/lib/wasm-abi.mjs'; console.log(WASM_RUSTFLAGS)")"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$PWD/scripts/wasm-test-runner.mjs"
# Bounded: a browser run that never starts must fail the job, not hold it (the runner's own
# timeout only starts once the page has loaded).
timeout 900 cargo test --target wasm32-unknown-unknown --test wasm
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver timeout 600 cargo test --target wasm32-unknown-unknown --test wasm
kill $server_pid 2>/dev/null || true

section "node --test over the built package (Node, the server kit, Chromium, workerd, npm pack, bundler x runtime matrix, examples)"
node --test --test-concurrency=1 tests/node/ tests/server/ tests/browser/ tests/workerd/ tests/packaging/ tests/hosts/ tests/examples/

section "node --test: the shared suite again over the pure-JS build (spotdraft-sync/js)"
# The same test files, with every import of spotdraft-sync resolved to spotdraft-sync/js
# (tests/support/use-js-build.mjs); build-under-test.test.mjs fails if the hook did not apply.
# The scale runs at a fifth of their size (tests/node/support/scale.mjs): 200 creates under
# faults, 2,000 chaotic deliveries, 1,000 records reconciled; the full sizes ran above.
SPOTDRAFT_TEST_SCALE=0.2 SPOTDRAFT_TEST_BUILD=js NODE_OPTIONS="--import=$PWD/tests/support/use-js-build.mjs" \
  node --test --test-concurrency=1 tests/node/build-under-test.test.mjs tests/node/client.test.mjs \
  tests/node/client-methods.test.mjs tests/node/client-create.test.mjs tests/node/payload.test.mjs \
  tests/node/webhook.test.mjs tests/node/panic.test.mjs tests/node/transport.test.mjs tests/node/sync-engine.test.mjs \
  tests/node/hubspot-fetch.test.mjs

section "sandbox conformance against spotdraft-openapi.yaml"
bash sandbox/conformance/run.sh
