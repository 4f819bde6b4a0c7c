#!/usr/bin/env bash
# Bounded loopback load run against a release build of the sandbox.
# Usage: [MIX=read] sandbox/scripts/load.sh [requests] [connections] [extra sandbox flags...]
# Default: 10000 requests, 8 connections, 1% injected 503s (seed 7), rate limit off.
set -euo pipefail
cd "$(dirname "$0")/../.."
REQ="${1:-10000}"; CONNS="${2:-8}"; shift $(( $# > 2 ? 2 : $# )) || true
EXTRA=("$@"); [ ${#EXTRA[@]} -eq 0 ] && EXTRA=(--fault-5xx-rate 0.01 --seed 7)
cargo build -q --release -p spotdraft-sandbox --bin spotdraft-sandbox --example load
OUT="$(mktemp)"
./target/release/spotdraft-sandbox --port 0 --rate-limit 0 --quiet "${EXTRA[@]}" > "$OUT" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q listening "$OUT" && break; sleep 0.05; done
URL="$(sed -n 's/^spotdraft-sandbox listening on //p' "$OUT")"
./target/release/examples/load "$URL" "$PID" "$REQ" "$CONNS" "${MIX:-mixed}"
curl -s "$URL/__sandbox/contracts" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("contracts stored:", d["count"])' 2>/dev/null || true
