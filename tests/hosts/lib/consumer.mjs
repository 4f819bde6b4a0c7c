// The consumer every matrix row builds: a small program that imports spotdraft-sync by package
// name, validates an invalid create body and calls the sandbox, in the shape its host expects
// (a page or worker script, a Worker module, a Node ESM or CommonJS program).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
const fixture = (path) => JSON.parse(readFileSync(join(fixtures, path), 'utf8'));

/** SpotDraft's example body with two mistakes: a required field missing, an email that is a name. */
export function invalidPayload() {
  const payload = fixture('playbook-create-contract.json');
  delete payload.contract_data.customer_name;
  payload.counter_party_details[0].poc_details.email = 'Avery Stone';
  return payload;
}

export const templateMetadata = () => fixture('templates/template-1204-metadata.json');

/** What `work` must return in every row (`contractName` is the sandbox's, so the call reached it). */
export const expectedResult = (contractName) => ({
  valid: false,
  issues: [
    ['contract_data.customer_name', 'REQUIRED'],
    ['counter_party_details[0].poc_details.email', 'INVALID_EMAIL'],
  ],
  issuesHaveMessages: true,
  status: { contractStatus: 'DRAFT', contractName },
  missing: { name: 'SpotDraftError', code: 'NOT_FOUND', guard: true },
});

/**
 * The work of every row, embedded in each consumer with `toString()` (so it must stay
 * self-contained): one validation against the template, one client call that succeeds and
 * one that fails. `sd` holds the package's named imports.
 */
async function work(sd, { baseUrl, contractId, fetch, payload, metadata }) {
  const report = sd.validateCreateContract(payload, metadata);
  // The sandbox stands in for the user's proxy, so the page holds the sandbox's credentials
  // (opted in; a real browser deployment sends none).
  const client = new sd.SpotDraftClient({
    baseUrl,
    clientId: 'sandbox-acme',
    clientSecret: 'sandbox-acme-secret',
    dangerouslyAllowBrowserSecret: true,
    ...(fetch ? { fetch } : {}),
  });
  const status = await client.getContractStatus(contractId);
  let missing;
  try {
    await client.getContractStatus('T-999999');
  } catch (error) {
    missing = { name: error.name, code: error.code, guard: sd.isSpotDraftError(error) };
  }
  return {
    valid: report.valid,
    issues: report.issues.map((issue) => [issue.path, issue.code]),
    issuesHaveMessages: report.issues.every((issue) => typeof issue.message === 'string' && issue.message.length > 0),
    status,
    missing,
  };
}

/**
 * The work of a `spotdraft-sync/webhooks` row (a receiver): verify a signed delivery, refuse a
 * forged one, apply the event to a new record. Self-contained, like `work`.
 */
async function webhookWork(sd, { body, key }) {
  const hash = sd.signWebhookForTest(body, key);
  const { event } = sd.verifyWebhook(body, { 'content-type': 'application/json', 'x-sd-webhook-content-hash': hash }, key);
  let forged;
  try {
    sd.verifyWebhook(body, { 'x-sd-webhook-content-hash': (hash[0] === '0' ? '1' : '0') + hash.slice(1) }, key);
  } catch (error) {
    forged = { name: error.name, code: error.code, guard: sd.isSpotDraftError(error) };
  }
  const outcome = sd.applyEvent(null, event);
  return { contractId: event.contractId, contractStatus: event.contractStatus, changed: outcome.changed, recordContractId: outcome.record.contractId, forged };
}

/** A SpotDraft delivery (its CONTRACT_EXECUTED example) and an HMAC key, for `webhookWork`. */
const webhookData = () => ({ body: JSON.stringify(fixture('webhooks/spec-examples.json').CONTRACT_EXECUTED), key: 'zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==' });

/** What `webhookWork` must return in every webhooks row. */
export const expectedWebhookResult = () => ({
  contractId: 19589,
  contractStatus: 'EXECUTED',
  changed: true,
  recordContractId: 19589,
  forged: { name: 'SpotDraftError', code: 'WEBHOOK_SIGNATURE_INVALID', guard: true },
});

/**
 * The work of a `server` row: `spotdraft-sync/server`'s webhook receiver over a SyncEngine (from
 * `spotdraft-sync`) answers a forged delivery 401, a signed one 200 once stored, and its
 * redelivery 200 `DUPLICATE`. No follow-up calls (`actions: 'none'`): nothing leaves the host.
 */
async function serverWork(sd, { body, key }) {
  const store = new sd.MemoryStore();
  const client = new sd.SpotDraftClient({ baseUrl: 'https://api.us.spotdraft.com', clientId: 'matrix', clientSecret: 'matrix-secret' });
  const engine = new sd.SyncEngine({ client, store, webhookKeys: key });
  const receiver = sd.createWebhookReceiver({ engine, actions: 'none' });
  const hash = sd.signWebhookForTest(body, key);
  const deliver = async (signature) => {
    const response = await receiver(new Request('https://receiver.example/webhooks/spotdraft', { method: 'POST', headers: { 'content-type': 'application/json', 'x-sd-webhook-content-hash': signature }, body }));
    const answer = await response.json();
    return [response.status, answer.disposition ?? answer.error.code];
  };
  const forged = await deliver((hash[0] === '0' ? '1' : '0') + hash.slice(1));
  const accepted = await deliver(hash);
  const again = await deliver(hash);
  const record = await store.get('contract:19589');
  return { forged, accepted, again, recordStatus: record.status };
}

/** What `serverWork` must return in every server row. */
export const expectedServerResult = () => ({
  forged: [401, 'WEBHOOK_SIGNATURE_INVALID'],
  accepted: [200, 'APPLIED'],
  again: [200, 'DUPLICATE'],
  recordStatus: 'EXECUTED',
});

/** Per kind of consumer: the names it imports, its work, and the data embedded beside it. */
const KINDS = {
  client: {
    names: ['validateCreateContract', 'SpotDraftClient', 'isSpotDraftError'],
    work,
    data: () => `const payload = ${JSON.stringify(invalidPayload())};\nconst metadata = ${JSON.stringify(templateMetadata())};\nconst data = { payload, metadata };\n`,
  },
  webhooks: {
    names: ['verifyWebhook', 'signWebhookForTest', 'applyEvent', 'isSpotDraftError'],
    work: webhookWork,
    data: () => `const data = ${JSON.stringify(webhookData())};\n`,
  },
  server: {
    names: ['MemoryStore', 'SpotDraftClient', 'SyncEngine', 'signWebhookForTest'],
    also: { 'spotdraft-sync/server': ['createWebhookReceiver'] },
    work: serverWork,
    data: () => `const data = ${JSON.stringify(webhookData())};\n`,
  },
};

/**
 * The consumer's source.
 * - `specifier`: what it imports (`spotdraft-sync`, `spotdraft-sync/inline`, …);
 * - `init`: `'none'` (ready on import), `'default'` (`await init()`, the web build finds its
 *   `.wasm` next to itself), `'wasm-url'` (`await init({ module_or_path })` with the URL a
 *   bundler's file loader gives for `spotdraft-sync/spotdraft_sync_bg.wasm`);
 * - `kind`: `'client'` (validation and client calls, every entry but webhooks),
 *   `'webhooks'` (`spotdraft-sync/webhooks`: verify, refuse a forgery, apply) or `'server'`
 *   (`spotdraft-sync/server`'s receiver over the engine of `specifier`);
 * - `shape`: `'script'` (reads `globalThis.MATRIX_CONFIG`, reports through
 *   `globalThis.MATRIX_DONE`), `'worker-module'` (Cloudflare Worker, config from `env`),
 *   `'node-esm'`, `'node-cjs'` (config from the environment, result on stdout).
 */
export function consumerSource({ specifier, init, shape, kind = 'client' }) {
  const { names, work: workOf, data, also = {} } = KINDS[kind];
  const sd = `{ ${[...names, ...Object.values(also).flat()].join(', ')} }`;
  const alsoImports = Object.entries(also).map(([from, more]) => `import { ${more.join(', ')} } from ${JSON.stringify(from)};`);
  if (alsoImports.length && shape === 'node-cjs') throw new Error(`a ${kind} consumer imports ESM-only entries: no node-cjs shape`);
  const body = `const work = ${workOf.toString()};\n${data()}`;
  if (shape === 'node-cjs') {
    return `const ${sd} = require(${JSON.stringify(specifier)});
${body}
work(${sd}, { baseUrl: process.env.SANDBOX_URL, contractId: process.env.CONTRACT_ID, ...data }).then(
  (result) => console.log(JSON.stringify({ result, resolved: require.resolve(${JSON.stringify(specifier)}) })),
  (error) => { console.error(error); process.exitCode = 1; },
);
`;
  }
  const imports = [`import { ${names.join(', ')} } from ${JSON.stringify(specifier)};`, ...alsoImports];
  if (init !== 'none') imports.push(`import init from ${JSON.stringify(specifier)};`);
  if (init === 'wasm-url') imports.push(`import wasmUrl from 'spotdraft-sync/spotdraft_sync_bg.wasm';`);
  const initCall = { none: '', default: 'await init();', 'wasm-url': 'await init({ module_or_path: wasmUrl });' }[init];
  if (initCall === undefined) throw new Error(`unknown init ${init}`);
  if (shape === 'node-esm') {
    return `${imports.join('\n')}
${body}
${initCall}
const result = await work(${sd}, { baseUrl: process.env.SANDBOX_URL, contractId: process.env.CONTRACT_ID, ...data });
console.log(JSON.stringify({ result, resolved: import.meta.resolve(${JSON.stringify(specifier)}) }));
`;
  }
  if (shape === 'worker-module') {
    return `${imports.join('\n')}
${body}
export default {
  async fetch(request, env) {
    ${initCall}
    return Response.json(await work(${sd}, { baseUrl: env.SANDBOX_URL, contractId: env.CONTRACT_ID, ...data }));
  },
};
`;
  }
  if (shape === 'script') {
    // No top-level await: an IIFE output (Vite lib, HubSpot's build) cannot have one.
    return `${imports.join('\n')}
${body}
(async () => {
  const config = globalThis.MATRIX_CONFIG;
  try {
    ${initCall}
    globalThis.MATRIX_DONE(await work(${sd}, { ...config, ...data }));
  } catch (error) {
    globalThis.MATRIX_DONE({ error: String((error && error.stack) || error) });
  }
})();
`;
  }
  throw new Error(`unknown shape ${shape}`);
}
