// Reconciliation throughput against the rate-limit bound: 5,000 records reconciled by
// `SyncEngine.reconcile` against a sandbox limited to N requests per second (a token bucket,
// like SpotDraft's per-workspace limit) with a client limited to the same N. The bound is
// N polls per second; the figure is polls per second achieved, and the count of 429s.
// Run: `node benches/run.mjs reconcile` (about 50 s per rate at 100 req/s).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reconcileRun } from '../tests/node/support/sync-sandbox.mjs';

const RATES = (process.env.RECONCILE_BENCH_RATES ?? '100').split(',').map(Number);

export default async function ({ pkg, root }) {
  const template = JSON.parse(readFileSync(join(root, 'tests/fixtures/playbook-create-contract.json'), 'utf8'));
  const rows = [];
  for (const rate of RATES) {
    const run = await reconcileRun({ sd: pkg, root, template, rate });
    rows.push(
      `| ${rate} req/s | ${run.records} | ${run.result.polled} | ${run.seconds.toFixed(1)} s | ${run.throughput.toFixed(1)} /s | ` +
        `${(run.ratio * 100).toFixed(1)}% | ${run.responses.byStatus[429] ?? 0} | ${run.result.failed} | ${run.result.changed} / ${run.drifted} |`,
    );
  }
  return [
    'Reconciling 5,000 records (4,950 contracts, 50 deleted) with `concurrency: 8`; sandbox `--rate-limit N`, client `maxRequestsPerSecond: N`.',
    '',
    '| limit | records | polled | time | throughput | of bound | 429s | failed | drift repaired |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
