// The package in the real workerd runtime (Cloudflare Workers), run locally through miniflare:
// the `workerd` entry imports the .wasm as a compiled module (workerd refuses to compile wasm
// from bytes at run time), signs and verifies a webhook, and calls the sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let sandbox, mf;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0']);
  mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(root, 'tests/workerd/worker.js') },
      { type: 'ESModule', path: join(root, 'pkg/workerd/index.js') },
      { type: 'ESModule', path: join(root, 'pkg/web/index.js') },
      { type: 'ESModule', path: join(root, 'pkg/web/spotdraft_sync.js') },
      { type: 'ESModule', path: join(root, 'pkg/shared/wasm-unavailable.js') },
      { type: 'ESModule', path: join(root, 'pkg/shared/sync-engine.js') },
      // The glue imports its JS snippets (src/facade/js/) from pkg/web/snippets/.
      ...readdirSync(join(root, 'pkg/web/snippets'), { recursive: true })
        .filter((f) => String(f).endsWith('.js'))
        .map((f) => ({ type: 'ESModule', path: join(root, 'pkg/web/snippets', String(f)) })),
      { type: 'CompiledWasm', path: join(root, 'pkg/web/spotdraft_sync_bg.wasm') },
    ],
    modulesRoot: root,
    compatibilityDate: '2026-07-01',
    bindings: { SANDBOX_URL: sandbox.url },
  });
});
after(async () => {
  await mf?.dispose();
  await sandbox?.stop();
});

test('the workerd entry runs in workerd: webhook verification and a client call', async () => {
  const response = await mf.dispatchFetch('http://worker.local/?id=T-999999');
  const body = await response.json();
  assert.deepEqual(body, { verified: 'CONTRACT_EXECUTED', verifiedAsync: 7, forgedAsync: 'WEBHOOK_SIGNATURE_INVALID', errorCode: 'NOT_FOUND', templates: body.templates });
  assert.ok(body.templates >= 3);
});
