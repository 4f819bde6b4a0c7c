// The exactly-once create fault run, shared by tests/node/client-create.test.mjs and
// benches/create-lag.bench.mjs: N creates with distinct external ids, 32 at a time, through one
// client, against a sandbox with injected faults (and optionally a lookup that lags behind the
// write); then the sandbox's truth endpoint counts contracts per external id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** ≈30% of attempts fail: 8% 5xx, 6% 429, 5% reset before and 8% reset after the create is
 * committed (creates only), and ≈9% answer later than the client's 1 s timeout (0–1.1 s
 * latency). */
export const CHAOS_FAULTS = {
  seed: 4242,
  error_5xx_rate: 0.08,
  error_429_rate: 0.06,
  retry_after_secs: 0,
  reset_before_rate: 0.05,
  reset_after_commit_rate: 0.08,
  latency_ms: 0,
  latency_jitter_ms: 1100,
};

/** `GET` (no body) or `POST` a sandbox control route. */
export const controlOf = (url) => async (path, body) => {
  const response = await fetch(`${url}/__sandbox/${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
};

/**
 * Resets the sandbox at `url`, sets `faults`, runs `count` creates (ids `${prefix}-${i}`) with
 * `clientOptions` added to the run's client options, and counts the outcome.
 */
export async function createChaosRun({ SpotDraftClient, root, url, count, prefix, faults, clientOptions = {} }) {
  const playbook = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'playbook-create-contract.json'), 'utf8'));
  const control = controlOf(url);
  await control('reset', {});
  await control('faults', faults);
  const attempts = { total: 0, faulted: 0, creates: 0, ambiguousCreates: 0, lookups: 0 };
  const onResponse = (e) => {
    attempts.total++;
    if (e.errorCode || e.status >= 429) attempts.faulted++;
    if (e.operation === 'createContract') {
      attempts.creates++;
      if (e.errorCode || e.status >= 500) attempts.ambiguousCreates++;
    }
    if (e.operation === 'findContractsByExternalId') attempts.lookups++;
  };
  const client = new SpotDraftClient({ baseUrl: url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', maxRequestsPerSecond: 1000, maxRetries: 8, timeoutMs: 1000, onResponse, ...clientOptions });
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const outcomes = { CREATED: 0, FOUND_EXISTING: 0 };
  const failures = [];
  // AMBIGUOUS_CREATE says "unknown whether the contract exists: look it up before creating
  // again" — it comes when a create failed ambiguously and all of the lookup's attempts failed
  // too (about 1e-4 per lookup at these fault rates). A caller does what it says: create again
  // with `checkExistingFirst`, which looks up first. Counted, and the totals below must still
  // be exactly one contract per id.
  let resolvedAfterAmbiguity = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const body = { ...playbook, external_metadata: { ...playbook.external_metadata, id } };
      for (let call = 1; ; call++) {
        try {
          outcomes[(await client.createContract(body, { validate: false, checkExistingFirst: call > 1 })).outcome]++;
          if (call > 1) resolvedAfterAmbiguity++;
          break;
        } catch (error) {
          if (error.code === 'AMBIGUOUS_CREATE' && call < 3) continue;
          failures.push(`${id}: ${error.code} ${error.message}`);
          break;
        }
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  const seconds = (Date.now() - started) / 1000;
  await control('faults', { seed: 1 });
  const truth = await control('contracts');
  const byExternal = new Map();
  for (const c of truth.contracts) {
    const id = c.external_metadata?.id ?? c.external_metadata_id;
    byExternal.set(id, (byExternal.get(id) ?? 0) + 1);
  }
  const duplicates = [...byExternal.values()].filter((n) => n > 1).length;
  const lost = ids.filter((id) => !byExternal.has(id)).length;
  const summary =
    `${ids.length} requested, ${truth.contracts.length} contracts in the sandbox, ${duplicates} duplicated external ids, ${lost} lost; ` +
    `outcomes ${JSON.stringify(outcomes)}, ${failures.length} failed calls, ${resolvedAfterAmbiguity} resolved by a second call after AMBIGUOUS_CREATE; ${attempts.total} HTTP attempts, ${attempts.faulted} faulted ` +
    `(${((100 * attempts.faulted) / attempts.total).toFixed(1)}%), ${attempts.ambiguousCreates} ambiguous create attempts, ${attempts.lookups} lookups; ${seconds.toFixed(1)} s`;
  return { ids, contracts: truth.contracts.length, duplicates, lost, outcomes, failures, resolvedAfterAmbiguity, attempts, seconds, summary };
}
