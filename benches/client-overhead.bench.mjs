// Per-call overhead of the client: `getContractStatus` through spotdraft-sync vs a hand-written
// `fetch` of the same request, both against the local sandbox on loopback, interleaved in one
// run. Reports the median latency ratio (target ≤ 1.05×). The client's rate limiter is set
// far above the request rate so that it measures overhead, not spacing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '../scripts/lib/sandbox-process.mjs';
import { median } from './lib/measure.mjs';

const ROUNDS = 5;
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
    const viaClient = () => client.getContractStatus(id);
    for (let i = 0; i < 50; i++) {
      await raw();
      await rawWithTimeout();
      await viaClient();
    }
    const rows = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t = { raw: [], timeout: [], client: [] };
      const paths = [['raw', raw], ['timeout', rawWithTimeout], ['client', viaClient]];
      for (let i = 0; i < CALLS; i++) {
        // Interleave so all see the same machine state.
        for (const [name, fn] of i % 2 ? paths : [...paths].reverse()) {
          const start = performance.now();
          await fn();
          t[name].push(performance.now() - start);
        }
      }
      rows.push({ raw: median(t.raw), timeout: median(t.timeout), client: median(t.client) });
    }
    const raws = rows.map((r) => r.raw);
    const timeouts = rows.map((r) => r.timeout);
    const clients = rows.map((r) => r.client);
    const ratio = median(clients) / median(raws);
    const ratioTimeout = median(clients) / median(timeouts);
    return [
      `${ROUNDS} rounds × ${CALLS} interleaved calls of \`GET /contracts/{id}/status\` to the sandbox on loopback (rate limit off).`,
      '',
      '| path | median latency (ms), median of rounds | per round |',
      '|---|---:|---|',
      `| raw \`fetch\` + \`response.json()\` | ${median(raws).toFixed(3)} | ${raws.map((x) => x.toFixed(3)).join(', ')} |`,
      `| raw \`fetch\` with \`signal: AbortSignal.timeout(30_000)\` + \`response.json()\` | ${median(timeouts).toFixed(3)} | ${timeouts.map((x) => x.toFixed(3)).join(', ')} |`,
      `| \`client.getContractStatus(id)\` | ${median(clients).toFixed(3)} | ${clients.map((x) => x.toFixed(3)).join(', ')} |`,
      '',
      `Median latency ratio client / raw fetch: **${ratio.toFixed(3)}×** (target ≤ 1.05×); client / raw fetch with a timeout: ${ratioTimeout.toFixed(3)}×.`,
    ].join('\n');
  } finally {
    await sandbox.stop();
  }
}
