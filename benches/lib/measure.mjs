// Timing helpers shared by the benches. The machine is shared and its speed drifts by tens of
// percent within a minute, so comparisons are made in interleaved rounds: every path is timed
// once per round, in alternating order, and a ratio is the median of the per-round ratios.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Calls per second of `fn` over one round of at least `minMs`. */
export function rateOf(fn, minMs) {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsed < minMs);
  return (n * 1000) / elapsed;
}

/**
 * Median rates of each of `paths` (name → fn), measured in interleaved rounds so that every
 * path sees the same machine state, plus `ratio(a, b)`: the median of the per-round rate ratios.
 */
export function measureInterleaved(paths, { rounds = 7, minMs = 300 } = {}) {
  for (const fn of Object.values(paths)) for (let i = 0; i < 500; i++) fn(); // JIT and wasm tier-up
  const perRound = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const names = Object.keys(paths);
    for (const name of r % 2 ? names : names.reverse()) perRound[name].push(rateOf(paths[name], minMs));
  }
  const rates = Object.fromEntries(Object.entries(perRound).map(([k, xs]) => [k, median(xs)]));
  const ratio = (a, b) => median(perRound[a].map((x, i) => x / perRound[b][i]));
  return { rates, ratio };
}
