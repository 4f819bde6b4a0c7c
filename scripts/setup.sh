#!/usr/bin/env bash
# Idempotent set-up for `npm start` and `npm test` on a fresh machine of this kind.
# Warm: a few seconds (each step checks before it acts).
#   - the wasm32 target for rustc
#   - wasm-bindgen-cli at exactly the version in Cargo.lock (cargo install, *without*
#     --locked: the registry lacks a dependency its lockfile pins)
#   - npm dependencies (npm ci when package-lock.json changed)
#   - with --browser: Debian's chromium + chromium-driver (apt-get) when missing, and Debian's
#     postgresql (apt-get, for tests/server/'s PostgresStore runs) when no initdb is installed
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
for arg in "$@"; do
  [ "$arg" = "--browser" ] && want_browser=1
done

step() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wb_version" ]; then
  echo "[setup] wasm-bindgen is not in Cargo.lock" >&2
  exit 1
fi
have_version=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_version" != "$wb_version" ]; then
  step "installing wasm-bindgen-cli $wb_version (about 2.5 minutes, once)"
  cargo install wasm-bindgen-cli --version "=$wb_version" --force
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.setup-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  step "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

if [ "$want_browser" = 1 ]; then
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    step "installing chromium and chromium-driver (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    step "installing postgresql (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
fi
step "ready"
