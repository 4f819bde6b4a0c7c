// Per-call overhead of the client: `getContractStatus` through spotdraft-sync vs a hand-written
// `fetch` of the same request, both against the local sandbox on loopback, interleaved in one
// run. Reports the median latency ratio (target ≤ 1.05×). The client's rate limiter is set
// far above the request rate so that it measures overhead, not spacing.
//
// In Node the client sends through Node's `http` by default (src/facade/js/attempt.js), so two
// more pairs show what the client itself costs on each transport: the client with
// `fetch: globalThis.fetch` against the raw fetch, and the default client against a
// hand-written `http.request` of the same request.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../scripts/lib/sandbox-process.mjs';
import { median } from './lib/measure.mjs';

const ROUNDS = 7;
const CALLS = 400;

export default async function ({ pkg, root }) {
  const sandbox = await startSandbox(root, ['--rate-limit', '0']);
  try {
    const headers = { 'client-id': 'sandbox-acme', 'client-secret': 'sandbox-acme-secret', accept: 'application/json' };
    const playbook = JSON.parse(readFileSync(join(root, 'tests/fixtures/playbook-create-contract.json'), 'utf8'));
    const created = await fetch(`${sandbox.url}/api/v2.1/public/contracts/`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(playbook) });
    const { id } = await created.json();
    const client = new pkg.SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', maxRequestsPerSecond: 1_000_000 });
    const url = `${sandbox.url}/api/v2.1/public/contracts/${id}/status`;
    const raw = async () => {
      const response = await fetch(url, { headers, redirect: 'manual' });
      if (response.status !== 200) throw new Error(`raw fetch got ${response.status}`);
      return response.json();
    };
    // The same request with a per-call timeout, as a hand-written integration would send it
    // (the client always has one: `timeoutMs`, default 30 s).
    const rawWithTimeout = async () => {
      const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      if (response.status !== 200) throw new Error(`raw fetch got ${response.status}`);
      return response.json();
    };
    // The same request through Node's own HTTP client (keep-alive global agent, as the client's
    // default transport uses), body read whole and parsed.
    const rawHttp = () =>
      new Promise((resolve, reject) => {
        const request = http.request(url, { headers }, (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => (response.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`raw http got ${response.statusCode}`))));
        });
        request.on('error', reject);
        request.end();
      });
    const fetchClient = new pkg.SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret', maxRequestsPerSecond: 1_000_000, fetch: globalThis.fetch });
    const paths = [
      ['raw', raw],
      ['timeout', rawWithTimeout],
      ['client', () => client.getContractStatus(id)],
      ['http', rawHttp],
      ['fetchClient', () => fetchClient.getContractStatus(id)],
    ];
    for (let i = 0; i < 50; i++) for (const [, fn] of paths) await fn();
    const rounds = Object.fromEntries(paths.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const t = Object.fromEntries(paths.map(([name]) => [name, []]));
      for (let i = 0; i < CALLS; i++) {
        // Interleave so all see the same machine state.
        for (const [name, fn] of i % 2 ? paths : [...paths].reverse()) {
          const start = performance.now();
          await fn();
          t[name].push(performance.now() - start);
        }
      }
      for (const [name] of paths) rounds[name].push(median(t[name]));
    }
    const m = Object.fromEntries(paths.map(([name]) => [name, median(rounds[name])]));
    // Ratios are medians of the per-round ratios: the machine's speed drifts between rounds.
    const ratio = (a, b) => median(rounds[a].map((x, i) => x / rounds[b][i])).toFixed(3);
    const row = (label, name) => `| ${label} | ${m[name].toFixed(3)} | ${rounds[name].map((x) => x.toFixed(3)).join(', ')} |`;
    return [
      `${ROUNDS} rounds × ${CALLS} interleaved calls of \`GET /contracts/{id}/status\` to the sandbox on loopback (rate limit off); ratios are medians of per-round ratios.`,
      '',
      '| path | median latency (ms), median of rounds | per round |',
      '|---|---:|---|',
      row('raw `fetch` + `response.json()`', 'raw'),
      row('raw `fetch` with `signal: AbortSignal.timeout(30_000)` + `response.json()`', 'timeout'),
      row('`client.getContractStatus(id)` (default transport: Node `http`)', 'client'),
      row('raw `http.request` + `JSON.parse`', 'http'),
      row('`client.getContractStatus(id)` with `fetch: globalThis.fetch`', 'fetchClient'),
      '',
      `Median latency ratio client / raw fetch: **${ratio('client', 'raw')}×** (target ≤ 1.05×); client / raw fetch with a timeout: ${ratio('client', 'timeout')}×.`,
      `What the client costs over its transport: client / raw \`http.request\` ${ratio('client', 'http')}×; client with \`fetch: globalThis.fetch\` / raw fetch ${ratio('fetchClient', 'raw')}× (/ raw fetch with a timeout ${ratio('fetchClient', 'timeout')}×).`,
    ].join('\n');
  } finally {
    await sandbox.stop();
  }
}
