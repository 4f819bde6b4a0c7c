// The chaos runs' shared driving (tests/node/sync-engine.test.mjs, one receiver;
// tests/server/many-instances.test.mjs, four instances, through ./chaos.mjs): forgeries built from authentic
// samples, the loop that keeps the sandbox's webhook queue busy until the target number of
// deliveries, and the wait for the queue to drain.
import { createHmac } from 'node:crypto';
import { pool } from './sync-sandbox.mjs';

export const hmac = (body, key) => createHmac('sha512', Buffer.from(key, 'base64')).update(body).digest('hex');

/**
 * Forgery number `k` made from an authentic `sample` ({ body, headers }): signed with
 * `wrongKey`, a body swapped under a real signature, the legacy header with the wrong key, or
 * one byte changed under a real signature. Every one must be refused.
 */
export function forgery(k, sample, wrongKey) {
  const event = JSON.parse(sample.body);
  let body = JSON.stringify({ ...event, activity: 'CONTRACT_VOIDED', contract_status: 'VOIDED', activity_data: { ...event.activity_data, timestamp: new Date(Date.now() + 86_400_000).toISOString() } });
  const headers = { 'x-own-forgery': '1', 'content-type': 'application/json' };
  if (k % 4 === 0) headers['x-sd-webhook-content-hash'] = hmac(body, wrongKey);
  else if (k % 4 === 1) headers['x-sd-webhook-content-hash'] = sample.headers['x-sd-webhook-content-hash'];
  else if (k % 4 === 2) headers['X-SD-CONTENT-HASH'] = hmac(body, wrongKey);
  else { body = sample.body.toString().replace('"timestamp":"2', '"timestamp":"3'); headers['x-sd-webhook-content-hash'] = sample.headers['x-sd-webhook-content-hash']; }
  return { body, headers };
}

/**
 * Until `stats.deliveries` reaches `target` (or `maxMs` passed): runs `runContract` in
 * batches of 25 (`width` at once) while the estimated backlog (`fired()` events, each
 * delivered ~1.65 times) is short or deliveries went idle, and `sendForgery` in batches of 10
 * so that `ownForgeries` are spread over the run. `stats` counts `deliveries`, `fromSandbox`
 * and `ownForged`; `lastDeliveryAt()` is when the last delivery arrived; `tick()` runs each
 * round.
 */
export async function driveDeliveries({ stats, target, ownForgeries, fired, lastDeliveryAt, samplesReady, runContract, sendForgery, width = 1, maxMs, tick = () => {} }) {
  const started = performance.now();
  let forgeries = 0;
  while (stats.deliveries < target) {
    tick();
    const backlog = fired() * 1.65 - stats.fromSandbox;
    const remaining = target - ownForgeries - stats.fromSandbox;
    const idle = performance.now() - lastDeliveryAt() > 300;
    let busy = false;
    if ((backlog < 600 && backlog < remaining) || idle) {
      await pool(Array.from({ length: 25 }), width, runContract);
      busy = true;
    }
    if (forgeries < ownForgeries && samplesReady() && stats.ownForged * target < ownForgeries * stats.deliveries) {
      await pool(Array.from({ length: 10 }), 10, () => sendForgery(forgeries++));
      busy = true;
    }
    if (!busy) await new Promise((r) => setTimeout(r, 20));
    if (performance.now() - started > maxMs) break;
  }
}

/** Resolves once `count()` has not moved for 15 checks 100 ms apart. */
export async function untilQuiet(count, checks = 15) {
  let quiet = 0;
  let last = -1;
  while (quiet < checks) {
    await new Promise((r) => setTimeout(r, 100));
    quiet = count() === last ? quiet + 1 : 0;
    last = count();
  }
}
