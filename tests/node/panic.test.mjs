// A panic inside the wasm core surfaces as SpotDraftError INTERNAL, and the instance keeps
// working for the next call (a long-lived CRM tab must not be bricked).
//
// The shipped package cannot panic on purpose: this runs against the test build
// (`node scripts/build.mjs --test-hooks`, target/test-pkg/), the same glue and patches with
// `__spotdraftTestPanic` compiled in. Its Node build, or its pure-JS build under
// SPOTDRAFT_TEST_BUILD=js (scripts/test.sh runs both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFakeSpotDraft } from './support/fake-spotdraft.mjs';

const entry = new URL(`../../target/test-pkg/${process.env.SPOTDRAFT_TEST_BUILD === 'js' ? 'js/index.js' : 'node/index.mjs'}`, import.meta.url);
assert.ok(existsSync(fileURLToPath(entry)), `${fileURLToPath(entry)} is missing: run \`node scripts/build.mjs --test-hooks\``);
const sd = await import(entry);

test('the test build is the one with the hook, the shipped package is not', async () => {
  assert.equal(typeof sd.__spotdraftTestPanic, 'function');
  const shipped = await import('spotdraft-sync');
  assert.equal('__spotdraftTestPanic' in shipped, false);
});

const status = { 'GET /api/v2.1/public/contracts/T-1/status': () => ({ status: 200, body: { contract_status: 'SIGN', contract_name: 'n' } }) };

test('a synchronous panic throws INTERNAL and the next calls work', async () => {
  const server = await startFakeSpotDraft(status);
  try {
    const before = new sd.SpotDraftClient({ baseUrl: server.url });
    assert.throws(() => sd.__spotdraftTestPanic('sync'), (e) => sd.isSpotDraftError(e) && e.code === 'INTERNAL' && /deliberate test panic/.test(e.message));
    const after = new sd.SpotDraftClient({ baseUrl: server.url });
    assert.equal((await after.getContractStatus('T-1')).contractStatus, 'SIGN');
    // An object from before the reset refuses cleanly instead of reading freed memory.
    assert.throws(() => before.getContractStatus('T-1'), (e) => e.name === 'SpotDraftError' && e.code === 'INTERNAL' && /create a new one/.test(e.message));
    // Repeated panics do not accumulate damage.
    for (let i = 0; i < 20; i++) assert.throws(() => sd.__spotdraftTestPanic('sync'), (e) => e.code === 'INTERNAL');
    assert.equal((await new sd.SpotDraftClient({ baseUrl: server.url }).getContractStatus('T-1')).contractStatus, 'SIGN');
  } finally {
    await server.close();
  }
});

test('a panic inside an async call rejects its promise with INTERNAL and nothing escapes uncaught', async () => {
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const server = await startFakeSpotDraft(status);
  try {
    const inFlight = new sd.SpotDraftClient({ baseUrl: server.url }).getContractStatus('T-1');
    await assert.rejects(sd.__spotdraftTestPanic('async'), (e) => sd.isSpotDraftError(e) && e.code === 'INTERNAL');
    // The call that was in flight when the panic hit is settled too, never left hanging.
    await inFlight.then(
      (value) => assert.equal(value.contractStatus, 'SIGN'),
      (error) => assert.equal(error.code, 'INTERNAL'),
    );
    assert.equal((await new sd.SpotDraftClient({ baseUrl: server.url }).getContractStatus('T-1')).contractStatus, 'SIGN');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(uncaught.map(String), []);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await server.close();
  }
});
