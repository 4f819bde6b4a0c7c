// Exactly-once create when the lookup by external id lags behind the write: the fault run of
// tests/node/client-create.test.mjs (CHAOS_FAULTS, 32 creates at a time, `timeoutMs: 1000`,
// `maxRetries: 8`) with the sandbox's `lookup_lag_ms`, for a few (lag, createSettleMs) pairs.
// The figure is how many external ids ended with more than one contract.
// Run: `node benches/run.mjs create-lag` (a few minutes). Override the runs with
// CREATE_LAG_RUNS="lag:settle,…" (settle `default` = the client's default) and the count with
// CREATE_LAG_COUNT.
import { startSandbox } from '../scripts/lib/sandbox-process.mjs';
import { CHAOS_FAULTS, createChaosRun } from '../tests/node/support/create-chaos.mjs';

const RUNS = (process.env.CREATE_LAG_RUNS ?? '0:default,1500:0,1500:default,8000:default')
  .split(',')
  .map((pair) => {
    const [lag, settle] = pair.split(':');
    return { lag: Number(lag), settle: settle === 'default' ? undefined : Number(settle) };
  });
const COUNT = Number(process.env.CREATE_LAG_COUNT ?? 300);

export default async function ({ pkg, root }) {
  const sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '11']);
  const rows = [];
  try {
    for (const { lag, settle } of RUNS) {
      const run = await createChaosRun({
        SpotDraftClient: pkg.SpotDraftClient,
        root,
        url: sandbox.url,
        count: COUNT,
        prefix: `lag-${lag}-${settle ?? 'default'}`,
        faults: { ...CHAOS_FAULTS, lookup_lag_ms: lag },
        clientOptions: settle === undefined ? {} : { createSettleMs: settle },
      });
      rows.push(
        `| ${lag} ms | ${settle ?? '5000 (default)'} ms | ${run.ids.length} | ${run.contracts} | ${run.duplicates} | ${run.lost} | ` +
          `${run.failures.length} | ${run.outcomes.FOUND_EXISTING} | ${run.attempts.ambiguousCreates} | ${run.attempts.lookups} | ${run.seconds.toFixed(1)} s |`,
      );
    }
  } finally {
    await sandbox.stop();
  }
  return [
    `${COUNT} creates per run under CHAOS_FAULTS (≈30% of attempts faulted) with the sandbox's \`lookup_lag_ms\`.`,
    '',
    '| lookup lag | createSettleMs | creates | contracts | duplicated ids | lost | failed calls | found existing | ambiguous attempts | lookups | time |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
