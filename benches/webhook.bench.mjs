// Webhook verification throughput on 10 KB bodies: spotdraft-sync's `verifyWebhook` (wasm,
// HMAC-SHA512 in Rust + event parsing) side by side with Node's native
// `crypto.createHmac('sha512')` + `timingSafeEqual` (+ `JSON.parse` for a like-for-like
// "verify and parse"), in the same run. Reports the ratio (target >= 0.8x).
//
// Run through the runner: `npm run bench` (benches/run.mjs awaits the default export with
// `{ pkg }`, the built package's Node entry, and writes the returned markdown).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const KEY_B64 =
  'zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==';

/** Median rate (calls per second) of `fn` over `rounds` rounds of at least `minMs` each. */
function measure(fn, { rounds = 5, minMs = 400 } = {}) {
  for (let i = 0; i < 500; i++) fn(); // warm-up: JIT and wasm tier-up
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    do {
      for (let i = 0; i < 100; i++) fn();
      n += 100;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    } while (elapsed < minMs);
    rates.push((n * 1000) / elapsed);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

const fmt = (rate) => Math.round(rate).toLocaleString('en-US');
const us = (rate) => (1e6 / rate).toFixed(1);
const mbps = (rate, bytes) => ((rate * bytes) / 1e6).toFixed(0);

/** SpotDraft's CONTRACT_EXECUTED sample padded with counterparties to ~10 KB. */
function tenKilobyteBody() {
  const examples = JSON.parse(
    readFileSync(new URL('../tests/fixtures/webhooks/spec-examples.json', import.meta.url), 'utf8'),
  );
  const event = structuredClone(examples.CONTRACT_EXECUTED);
  event.counterparties = [];
  let i = 0;
  while (JSON.stringify(event).length < 10 * 1024) {
    event.counterparties.push({
      type: 'Organization',
      organization_name: `Counterparty ${i} GmbH & Co. KG`,
      poc_name: `Contact Person ${i}`,
      poc_email: `contact.${i}@counterparty-${i}.example.com`,
      counterparty_id: 100000 + i,
    });
    i++;
  }
  return Buffer.from(JSON.stringify(event), 'utf8');
}

export default async function webhookBench({ pkg }) {
  const { verifyWebhook, signWebhookForTest } = pkg;
  const body = tenKilobyteBody();
  const key = Buffer.from(KEY_B64, 'base64');
  const signature = createHmac('sha512', key).update(body).digest('hex');
  if (signWebhookForTest(body, KEY_B64) !== signature) {
    throw new Error('signWebhookForTest disagrees with node:crypto; refusing to benchmark');
  }
  const headers = { 'content-type': 'application/json', 'x-sd-webhook-content-hash': signature };
  const verified = verifyWebhook(body, headers, KEY_B64);
  if (verified.event.contract_id !== 19589) throw new Error('verifyWebhook returned the wrong event');

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

  const node = measure(nodeVerify);
  const nodeParse = measure(nodeVerifyParse);
  const wasm = measure(wasmVerifyParse);
  const sign = measure(wasmSign);
  const size = body.length;

  return [
    '## Webhook verification (10 KB body)',
    '',
    `Body: ${size.toLocaleString('en-US')} bytes (SpotDraft's CONTRACT_EXECUTED sample with padding counterparties). Node ${process.version}, median of 5 rounds.`,
    '',
    '| Path | Calls/s | µs/call | MB/s |',
    '|---|---:|---:|---:|',
    `| node:crypto HMAC-SHA512 + timingSafeEqual | ${fmt(node)} | ${us(node)} | ${mbps(node, size)} |`,
    `| node:crypto verify + JSON.parse | ${fmt(nodeParse)} | ${us(nodeParse)} | ${mbps(nodeParse, size)} |`,
    `| spotdraft-sync \`verifyWebhook\` (verify + typed parse) | ${fmt(wasm)} | ${us(wasm)} | ${mbps(wasm, size)} |`,
    `| spotdraft-sync \`signWebhookForTest\` (HMAC only) | ${fmt(sign)} | ${us(sign)} | ${mbps(sign, size)} |`,
    '',
    `Ratio \`verifyWebhook\` / (node:crypto verify + JSON.parse): **${(wasm / nodeParse).toFixed(2)}×** (target ≥ 0.8×).`,
    `Ratio HMAC only (\`signWebhookForTest\` / node:crypto): **${(sign / node).toFixed(2)}×**.`,
    '',
  ].join('\n');
}
