// What the receiver and feed tests share: a store that can be held, failed and counted, a
// receiver served over loopback (with the sandbox's deliveries captured on their way in),
// signed synthetic events, and a scan of answers and logs for secrets.
import assert from 'node:assert/strict';
import * as sd from 'spotdraft-sync';
import { serve, createWebhookReceiver } from 'spotdraft-sync/server';

export const SIGNATURE_HEADER = 'x-sd-webhook-content-hash';

/**
 * A MemoryStore whose puts are counted and can be made to fail (`failPuts`) or wait for a
 * gate (`hold()` → release function).
 */
export function controlledStore() {
  const inner = new sd.MemoryStore();
  let gate = null;
  const store = {
    failPuts: false,
    puts: [],
    get: (key) => inner.get(key),
    async put(key, record) {
      if (gate) await gate.promise;
      if (store.failPuts) throw new Error('connection refused (store down)');
      await inner.put(key, record);
      store.puts.push([key, record.status]);
    },
    list: () => inner.list(),
    hold() {
      let release;
      gate = { promise: new Promise((resolve) => (release = resolve)) };
      return () => {
        gate = null;
        release();
      };
    },
  };
  return store;
}

/**
 * `createWebhookReceiver(options)` served on loopback. Requests to `/sandbox` (the URL the
 * sandbox delivers to) are captured first: `deliveries` holds their bytes, headers and answer.
 */
export async function servedReceiver(options) {
  const logs = [];
  const answers = [];
  const receiver = createWebhookReceiver({ log: (entry) => logs.push(entry), ...options });
  const deliveries = [];
  const server = await serve(async (request) => {
    let delivery;
    if (new URL(request.url).pathname === '/sandbox') {
      const body = Buffer.from(await request.clone().arrayBuffer());
      delivery = { body, headers: Object.fromEntries(request.headers), status: 0 };
      deliveries.push(delivery);
    }
    const response = await receiver(request);
    const text = await response.clone().text();
    answers.push(text);
    if (delivery) Object.assign(delivery, { status: response.status, answer: text });
    return response;
  });
  return {
    receiver,
    deliveries,
    logs,
    answers,
    url: `${server.url}/direct`,
    sandboxUrl: `${server.url}/sandbox`,
    close: () => server.close(),
  };
}

/** A signed delivery of `event` (an object) under `key`: `{ body, headers }`. */
export function signed(event, key) {
  const body = JSON.stringify(event);
  return { body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sd.signWebhookForTest(body, key) } };
}

/** A SpotDraft event for contract `contractId` moving to `status` at `at`. */
export function event(contractId, activity, status, at, externalId) {
  return {
    activity,
    contract_id: contractId,
    contract_kind: 'TEMPLATE_CONTRACT',
    contract_status: status,
    ...(externalId ? { external_metadata: { id: externalId } } : {}),
    activity_data: { performed_by: { name: 'SYSTEM' }, timestamp: new Date(at).toISOString() },
  };
}

/** Fails if any of `texts` holds any of `secrets` (or a 128-hex-digit signature). */
export function assertNoSecrets(texts, secrets) {
  const joined = texts.map((t) => (typeof t === 'string' ? t : JSON.stringify(t))).join('\n');
  for (const secret of secrets.filter(Boolean)) assert.ok(!joined.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
  assert.doesNotMatch(joined, /[0-9a-f]{128}/, 'an HMAC-SHA512 signature leaked');
}

/** Resolves once `check()` is truthy (polled every 25 ms), failing after `ms`. */
export async function eventually(check, ms = 15_000, what = 'the condition') {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
