// The credential proxy (spotdraft-sync/server createProxy) on loopback: `GET …/status` through
// the proxy vs. straight to the sandbox (`--rate-limit 0`), side by side in one run.
// - latency: one request at a time, the two paths interleaved request by request, p50/p99;
// - throughput: 16 concurrent callers for a fixed number of requests, rounds alternating;
// - the core's share: classifyProxyRequest and ProxyRateBudget#reserve per call;
// - memory: RSS and heap (after a forced GC) before and after 10,000, 20,000 and 30,000 proxied
//   requests, which must stay flat.
// Both paths are the same undici `fetch` from this process; the proxy runs in this process
// too (its node:http server, the core's classification, its upstream fetch), so "added" is
// everything the proxy costs, one extra loopback hop included. The proxy's budget is set far
// above the request rate (maxRequestsPerSecond 1e6) so that it measures overhead, not spacing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startSandbox } from '../scripts/lib/sandbox-process.mjs';

const LATENCY_CALLS = 2000;
const THROUGHPUT_CALLS = 4000;
const CONCURRENCY = 16;
const ROUNDS = 3;
const MEMORY_CALLS = 10_000;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

export default async function ({ pkg, root }) {
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc');
  const { createProxy, serve } = await import('spotdraft-sync/server');
  const sandbox = await startSandbox(root, ['--rate-limit', '0']);
  const credentials = { 'client-id': 'sandbox-acme', 'client-secret': 'sandbox-acme-secret', accept: 'application/json' };
  const proxy = await serve(createProxy({
    clientId: 'sandbox-acme',
    clientSecret: 'sandbox-acme-secret',
    baseUrl: sandbox.url,
    authorize: (request) => (request.headers.get('authorization') === 'Bearer bench' ? { user: 'bench' } : null),
    maxRequestsPerSecond: 1_000_000,
  }));
  try {
    const playbook = JSON.parse(readFileSync(join(root, 'tests/fixtures/playbook-create-contract.json'), 'utf8'));
    const created = await fetch(`${sandbox.url}/api/v2.1/public/contracts/`, { method: 'POST', headers: { ...credentials, 'content-type': 'application/json' }, body: JSON.stringify(playbook) });
    const { id } = await created.json();
    const path = `/api/v2.1/public/contracts/${id}/status`;
    const paths = {
      direct: async () => {
        const response = await fetch(`${sandbox.url}${path}`, { headers: credentials, redirect: 'manual' });
        if (response.status !== 200) throw new Error(`direct got ${response.status}`);
        return response.json();
      },
      proxy: async () => {
        const response = await fetch(`${proxy.url}${path}`, { headers: { authorization: 'Bearer bench', accept: 'application/json' }, redirect: 'manual' });
        if (response.status !== 200) throw new Error(`proxy got ${response.status}`);
        return response.json();
      },
    };
    for (let i = 0; i < 300; i++) { await paths.direct(); await paths.proxy(); } // warm-up

    const latency = { direct: [], proxy: [] };
    for (let i = 0; i < LATENCY_CALLS; i++) {
      for (const name of i % 2 ? ['direct', 'proxy'] : ['proxy', 'direct']) {
        const start = performance.now();
        await paths[name]();
        latency[name].push(performance.now() - start);
      }
    }
    for (const xs of Object.values(latency)) xs.sort((a, b) => a - b);

    const throughput = { direct: [], proxy: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of r % 2 ? ['direct', 'proxy'] : ['proxy', 'direct']) {
        let left = THROUGHPUT_CALLS;
        const start = performance.now();
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (left-- > 0) await paths[name]();
        }));
        throughput[name].push(THROUGHPUT_CALLS / ((performance.now() - start) / 1000));
      }
    }
    const best = (xs) => Math.max(...xs);
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

    const memory = [];
    const sample = (after) => {
      gc();
      gc();
      const m = process.memoryUsage();
      memory.push({ after, rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 });
    };
    sample(0);
    for (const total of [MEMORY_CALLS, 2 * MEMORY_CALLS, 3 * MEMORY_CALLS]) {
      let left = MEMORY_CALLS;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) await paths.proxy();
      }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      sample(total);
    }

    // The core's part of each request: classification (one wasm call) and the budget.
    const target = path;
    for (let i = 0; i < 5000; i++) pkg.classifyProxyRequest('GET', target);
    let t = performance.now();
    for (let i = 0; i < 100_000; i++) pkg.classifyProxyRequest('GET', target);
    const classifyUs = ((performance.now() - t) * 1000) / 100_000;
    const budget = new pkg.ProxyRateBudget(1e6);
    t = performance.now();
    for (let i = 0; i < 100_000; i++) budget.reserve(performance.now());
    const reserveUs = ((performance.now() - t) * 1000) / 100_000;

    const f = (x) => x.toFixed(3);
    const rows = [
      '| path | p50 ms | p99 ms | throughput req/s (median of 3, 16 concurrent) |',
      '|---|---:|---:|---:|',
      `| straight to the sandbox | ${f(pct(latency.direct, 50))} | ${f(pct(latency.direct, 99))} | ${med(throughput.direct).toFixed(0)} |`,
      `| through the proxy | ${f(pct(latency.proxy, 50))} | ${f(pct(latency.proxy, 99))} | ${med(throughput.proxy).toFixed(0)} |`,
      `| added by the proxy | +${f(pct(latency.proxy, 50) - pct(latency.direct, 50))} | +${f(pct(latency.proxy, 99) - pct(latency.direct, 99))} | ${(med(throughput.proxy) / med(throughput.direct)).toFixed(2)}× |`,
      '',
      `Best rounds: direct ${best(throughput.direct).toFixed(0)} req/s, proxy ${best(throughput.proxy).toFixed(0)} req/s. Latency: ${LATENCY_CALLS} calls per path, one at a time, interleaved.`,
      `Of that, the core: classifyProxyRequest ${classifyUs.toFixed(2)} µs/call, ProxyRateBudget#reserve ${reserveUs.toFixed(2)} µs/call (100,000 calls each).`,
      '',
      '| proxied requests | RSS MiB | heap used MiB (after GC) |',
      '|---:|---:|---:|',
      ...memory.map((m) => `| ${m.after} | ${m.rss.toFixed(1)} | ${m.heap.toFixed(2)} |`),
    ];
    return rows.join('\n');
  } finally {
    await proxy.close();
    await sandbox.stop();
  }
}
