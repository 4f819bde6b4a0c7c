// The size of the scale runs (1,000 creates, 10,000 deliveries, 5,000 records): full size by
// default; `SPOTDRAFT_TEST_SCALE` (0 < s <= 1) shrinks them. scripts/test.sh runs the shared
// suite a second time over the pure-JS build at 0.2: that pass shows the other build behaves
// the same under the same faults; the full-size figures come from the first pass.
const raw = process.env.SPOTDRAFT_TEST_SCALE;
const scale = raw === undefined ? 1 : Number(raw);
if (!(scale > 0 && scale <= 1)) throw new Error(`SPOTDRAFT_TEST_SCALE must be in (0, 1], got ${raw}`);

/** `n` at this run's scale (at least 1), and its English spelling for test titles. */
export function scaled(n) {
  const value = Math.max(1, Math.round(n * scale));
  return { value, text: value.toLocaleString('en-US') };
}
