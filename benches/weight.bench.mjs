// Speed before/after the weight changes of issue #14, side by side in one run: every row is
// timed on the baseline build (target/baseline-pkg/: today's code built the old way, without
// LTO, as `node benches/lib/build-baseline.mjs` makes it — or an earlier commit's pkg/ copied
// there) and on pkg/ (the shipped build), in
// interleaved rounds (benches/lib/measure.mjs), and reported as after/before. The issue's rule:
// no row may fall below 0.8×.
//
// Rows: validation (object in, JSON in, a payload with mistakes), webhook verify + parse of a
// 10 KB delivery, and the client's getContractStatus against the sandbox on loopback.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startSandbox } from '../scripts/lib/sandbox-process.mjs';
import { KEY_B64, tenKilobyteBody } from './lib/fixtures.mjs';
import { measureInterleaved, median } from './lib/measure.mjs';

const ROUNDS = 7;
const CALLS = 300;

export default async function weightBench({ pkg, root }) {
  const baselineEntry = join(root, 'target', 'baseline-pkg', 'node', 'index.cjs');
  if (!existsSync(baselineEntry)) return 'No baseline build: run `node benches/lib/build-baseline.mjs` first (it compiles today\'s code without LTO into target/baseline-pkg/).';
  const builds = { before: createRequire(import.meta.url)(baselineEntry), after: pkg };
  const fixture = (path) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', path), 'utf8'));
  const payload = fixture('playbook-create-contract.json');
  const metadata = fixture('templates/template-bench-40-metadata.json');
  const payloadJson = JSON.stringify(payload);
  const bad = { ...payload, contract_template_id: 'x', counter_party_details: [{}], unknown_field: 1 };
  const body = tenKilobyteBody();

  const paths = {};
  for (const [name, sd] of Object.entries(builds)) {
    const compiled = new sd.CompiledTemplate(metadata);
    if (!compiled.validate(payload).valid || compiled.validate(bad).valid) throw new Error(`${name}: validation disagrees with the fixtures`);
    const signature = sd.signWebhookForTest(body, KEY_B64);
    const headers = { 'content-type': 'application/json', 'x-sd-webhook-content-hash': signature };
    if (sd.verifyWebhook(body, headers, KEY_B64).event.contractId !== 19589) throw new Error(`${name}: verifyWebhook returned the wrong event`);
    Object.assign(paths, {
      [`validate:${name}`]: () => compiled.validate(payload),
      [`validateJson:${name}`]: () => compiled.validateJson(payloadJson),
      [`validateBad:${name}`]: () => compiled.validate(bad),
      [`folded:${name}`]: () => sd.validateCreateContract(payload, metadata),
      [`webhook:${name}`]: () => sd.verifyWebhook(body, headers, KEY_B64),
    });
  }
  const { rates, ratio } = measureInterleaved(paths, { rounds: ROUNDS, minMs: 150 });

  // The client, against the sandbox: CALLS sequential calls per build per round, interleaved.
  const sandbox = await startSandbox(root, ['--rate-limit', '0']);
  let clientRatio;
  const clientMs = { before: [], after: [] };
  try {
    const headers = { 'client-id': 'sandbox-acme', 'client-secret': 'sandbox-acme-secret', 'content-type': 'application/json' };
    const created = await fetch(`${sandbox.url}/api/v2.1/public/contracts/`, { method: 'POST', headers, body: payloadJson });
    const { id } = await created.json();
    const clients = Object.fromEntries(
      Object.entries(builds).map(([name, sd]) => [name, new sd.SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', maxRequestsPerSecond: 1_000_000 })]),
    );
    for (const client of Object.values(clients)) for (let i = 0; i < 100; i++) await client.getContractStatus(id);
    const perRound = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? ['before', 'after'] : ['after', 'before'];
      const ms = {};
      for (const name of order) {
        const start = performance.now();
        for (let i = 0; i < CALLS; i++) await clients[name].getContractStatus(id);
        ms[name] = (performance.now() - start) / CALLS;
        clientMs[name].push(ms[name]);
      }
      perRound.push(ms.before / ms.after);
    }
    clientRatio = median(perRound);
  } finally {
    await sandbox.stop();
  }

  const fmt = (rate) => Math.round(rate).toLocaleString('en-US');
  const row = (label, key) => `| ${label} | ${fmt(rates[`${key}:before`])} | ${fmt(rates[`${key}:after`])} | **${ratio(`${key}:after`, `${key}:before`).toFixed(2)}×** |`;
  return [
    `Before = \`target/baseline-pkg\` (the build compared against: \`node benches/lib/build-baseline.mjs\` makes today's code without LTO, or copy an earlier commit's pkg/ there), after = \`pkg/\`; calls per second, median of ${ROUNDS} interleaved rounds; ratio = median of per-round after/before (≥ 1 is faster).`,
    '',
    '| row | before (calls/s) | after (calls/s) | after / before |',
    '|---|---:|---:|---:|',
    row('`compiled.validate(payload)` (playbook payload, 40-field template)', 'validate'),
    row('`compiled.validateJson(json)`', 'validateJson'),
    row('`compiled.validate(bad)` (payload with mistakes)', 'validateBad'),
    row('`validateCreateContract(payload, metadata)` (template folded per call)', 'folded'),
    row('`verifyWebhook(body, headers, key)` (10 KB delivery)', 'webhook'),
    `| \`client.getContractStatus(id)\` on loopback (${CALLS} sequential calls; ms per call) | ${median(clientMs.before).toFixed(3)} ms | ${median(clientMs.after).toFixed(3)} ms | **${clientRatio.toFixed(2)}×** |`,
  ].join('\n');
}
