// Webhook verification throughput on 10 KB bodies: spotdraft-sync's `verifyWebhook` (wasm,
// HMAC-SHA512 in Rust + event parsing) side by side with Node's native
// `crypto.createHmac('sha512')` + `timingSafeEqual` (+ `JSON.parse` for a like-for-like
// "verify and parse"), in the same run. Reports the ratio (target >= 0.8x).
//
// Run through the runner: `npm run bench` (benches/run.mjs awaits the default export with
// `{ pkg }`, the built package's Node entry, and writes the returned markdown).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { KEY_B64, tenKilobyteBody } from './lib/fixtures.mjs';
import { measureInterleaved, median, rateOf } from './lib/measure.mjs';

/** Completions per second of async `fn` kept `inFlight` at a time for `minMs`. */
async function asyncRate(fn, inFlight, minMs) {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < minMs) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (n * 1000) / (performance.now() - start);
}

const fmt = (rate) => Math.round(rate).toLocaleString('en-US');
const us = (rate) => (1e6 / rate).toFixed(1);
const mbps = (rate, bytes) => ((rate * bytes) / 1e6).toFixed(0);

export default async function webhookBench({ pkg }) {
  const { verifyWebhook, verifyWebhookSignature, verifyWebhookSignatureAsync, signWebhookForTest } = pkg;
  const body = tenKilobyteBody();
  const key = Buffer.from(KEY_B64, 'base64');
  const signature = createHmac('sha512', key).update(body).digest('hex');
  if (signWebhookForTest(body, KEY_B64) !== signature) {
    throw new Error('signWebhookForTest disagrees with node:crypto; refusing to benchmark');
  }
  const headers = { 'content-type': 'application/json', 'x-sd-webhook-content-hash': signature };
  const verified = verifyWebhook(body, headers, KEY_B64);
  if (verified.event.contractId !== 19589) throw new Error('verifyWebhook returned the wrong event');

  const nodeVerify = () => {
    const expected = createHmac('sha512', key).update(body).digest();
    const given = Buffer.from(headers['x-sd-webhook-content-hash'], 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('mismatch');
  };
  const nodeVerifyParse = () => {
    nodeVerify();
    JSON.parse(body.toString('utf8'));
  };
  const wasmVerifyParse = () => verifyWebhook(body, headers, KEY_B64);
  const wasmSign = () => signWebhookForTest(body, KEY_B64);
  const wasmVerify = () => verifyWebhookSignature(body, headers, KEY_B64);
  if (wasmVerify().keyIndex !== 0) throw new Error('verifyWebhookSignature did not match');

  const { rates, ratio } = measureInterleaved({ node: nodeVerify, nodeParse: nodeVerifyParse, verify: wasmVerify, wasm: wasmVerifyParse, sign: wasmSign });
  const { node, nodeParse, verify, wasm, sign } = rates;
  const size = body.length;

  // Throughput with deliveries in flight at once (a receiver under load): the async form
  // (WebCrypto; in Node on the libuv thread pool) vs node:crypto, which is synchronous, so
  // its rate does not depend on how many requests wait.
  const subtleKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-512' }, false, ['verify']);
  const signatureBytes = Buffer.from(signature, 'hex');
  const asyncPaths = {
    async: () => verifyWebhookSignatureAsync(body, headers, KEY_B64),
    subtle: () => crypto.subtle.verify('HMAC', subtleKey, signatureBytes, body).then((ok) => { if (!ok) throw new Error('mismatch'); }),
  };
  const concurrent = [];
  for (const inFlight of [1, 4, 16]) {
    const rounds = { async: [], subtle: [], node: [] };
    for (let r = 0; r < 5; r++) {
      rounds.node.push(rateOf(nodeVerify, 300));
      for (const [name, fn] of Object.entries(asyncPaths)) rounds[name].push(await asyncRate(fn, inFlight, 300));
    }
    concurrent.push({ inFlight, ...Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, median(v)])), ratio: median(rounds.async.map((x, i) => x / rounds.node[i])) });
  }

  return [
    '## Webhook verification (10 KB body)',
    '',
    `Body: ${size.toLocaleString('en-US')} bytes (SpotDraft's CONTRACT_EXECUTED sample with padding counterparties). Node ${process.version}, median of 7 interleaved rounds of ≥ 300 ms; ratios are medians of per-round ratios.`,
    '',
    '| Path | Calls/s | µs/call | MB/s |',
    '|---|---:|---:|---:|',
    `| node:crypto HMAC-SHA512 + timingSafeEqual | ${fmt(node)} | ${us(node)} | ${mbps(node, size)} |`,
    `| node:crypto verify + JSON.parse | ${fmt(nodeParse)} | ${us(nodeParse)} | ${mbps(nodeParse, size)} |`,
    `| spotdraft-sync \`verifyWebhookSignature\` (header lookup + HMAC-SHA512 + constant-time compare) | ${fmt(verify)} | ${us(verify)} | ${mbps(verify, size)} |`,
    `| spotdraft-sync \`verifyWebhook\` (verify + typed parse) | ${fmt(wasm)} | ${us(wasm)} | ${mbps(wasm, size)} |`,
    `| spotdraft-sync \`signWebhookForTest\` (HMAC only) | ${fmt(sign)} | ${us(sign)} | ${mbps(sign, size)} |`,
    '',
    `Verification, \`verifyWebhookSignature\` / node:crypto HMAC-SHA512 + timingSafeEqual: **${ratio('verify', 'node').toFixed(2)}×** (target ≥ 0.8×).`,
    `Verify + parse, \`verifyWebhook\` / (node:crypto verify + JSON.parse): **${ratio('wasm', 'nodeParse').toFixed(2)}×**.`,
    `HMAC only, \`signWebhookForTest\` / node:crypto: ${ratio('sign', 'node').toFixed(2)}×.`,
    '',
    'With deliveries in flight at once (5 interleaved rounds of ≥ 300 ms per row; calls/s):',
    '',
    '| in flight | node:crypto HMAC + timingSafeEqual (sync) | `crypto.subtle.verify` alone | spotdraft-sync `verifyWebhookSignatureAsync` | async / node:crypto |',
    '|---:|---:|---:|---:|---:|',
    ...concurrent.map((c) => `| ${c.inFlight} | ${fmt(c.node)} | ${fmt(c.subtle)} | ${fmt(c.async)} | **${c.ratio.toFixed(2)}×** |`),
    '',
  ].join('\n');
}
