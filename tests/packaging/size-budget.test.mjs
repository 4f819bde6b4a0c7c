// Size budgets (issue #14): what each entry loads (scripts/lib/sizes.mjs: its files, each
// gzip -9 on its own, summed) may not grow past its budget. Sizes are deterministic for the
// pinned toolchain (wasm-bindgen, binaryen, Rust), so this is a check, not a timing.
//
// These budgets are ratchets at today's measurement plus about 1%, NOT the targets:
// #14 asks for at most 250 KiB gzip for the full package's .wasm + glue, which the build does
// not reach (390.2 KiB; BENCHMARKS.md, "Weight: what stands in the way of 250 KiB"). Lower a
// budget whenever a change lowers its entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRY_FILES, entrySizes, fileSize } from '../../scripts/lib/sizes.mjs';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'pkg');
const KiB = 1024;

/** gzip -9 budget per entry, in KiB. */
// Raised once, by issue #17's create intents (engine.createContract, resolveOpenIntents):
// +12.0 KiB gzip on the .wasm (BENCHMARKS.md, "Weight"), budgets reset to the new figure + ~1%.
// Raised again by issue #15's credential proxy (classifyProxyRequest, verifyHubSpotSignature with
// HMAC-SHA256, ProxyRateBudget; full package only): +7.1 KiB gzip on the .wasm, same rule.
// Raised again by issue #15's compare-and-set stores (+6.8 KiB gzip) and, with both merged, the
// client's shared rateBudget: full .wasm 451.8 KiB gzip (entry 467.6), budgets the figures + ~1%.
// Lowered by issue #14's shared request path, failure-only error paths, one sort and one float
// parser: full .wasm 395.6 KiB gzip (entry 411.5), client entry 283.3, webhooks 125.3.
// Lowered again by reading JSON text as a tree (src/core/tracked.rs: one deserialiser per
// type): entry 390.2, client 272.4, webhooks 113.9, pure-JS 564.5, its IIFE 560.7.
const BUDGETS = {
  'spotdraft-sync (web)': 394,
  'spotdraft-sync/inline': 399,
  'spotdraft-sync/js': 570,
  'spotdraft-sync/js IIFE': 566,
  'spotdraft-sync (node)': 394,
  'spotdraft-sync/webhooks (web)': 115,
  'spotdraft-sync/webhooks (node)': 115,
  'spotdraft-sync/client (web)': 275,
  'spotdraft-sync/client/inline': 279,
};

test('every entry of the package has a budget, and the budgets hold', () => {
  assert.deepEqual(Object.keys(BUDGETS).sort(), Object.keys(ENTRY_FILES).sort(), 'an entry without a budget (or a budget without an entry)');
  const over = entrySizes(pkg)
    .filter(({ entry, gzip }) => gzip > BUDGETS[entry] * KiB)
    .map(({ entry, gzip }) => `${entry}: ${(gzip / KiB).toFixed(1)} KiB gzip > budget ${BUDGETS[entry]} KiB`);
  assert.deepEqual(over, []);
});

test("the glue ships without wasm-bindgen's comments (whitespace-minified)", () => {
  // The generated glue holds every rustdoc comment (~half its gzip size); the .d.ts keeps them.
  for (const dir of ['web', 'node', 'js']) {
    const glue = fileSize(join(pkg, dir, 'spotdraft_sync.js'));
    assert.ok(glue.gzip < 10 * KiB, `pkg/${dir}/spotdraft_sync.js is ${(glue.gzip / KiB).toFixed(1)} KiB gzip: not minified?`);
  }
});
