// The built Node package: webhook verification, parsing and event application across the
// JS boundary (raw-body rules, header shapes, key rotation, error codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as sd from 'spotdraft-sync';

const KEY = 'zJDCvFUXhByUkPcQIzf+dt2W7bqm6x6Fb2o/gLhfUgXyPqvPcrZ6P9yYtoUrI4dErHzq2t+4gjZ4zH2btdpoSA==';
const OLD_KEY = Buffer.alloc(64, 7).toString('base64');
const examples = JSON.parse(
  readFileSync(new URL('../fixtures/webhooks/spec-examples.json', import.meta.url), 'utf8'),
);
const body = Buffer.from(JSON.stringify({ ...examples.CONTRACT_EXECUTED, external_metadata: { id: 10024 } }));
const sign = (bytes, key = KEY) => createHmac('sha512', Buffer.from(key, 'base64')).update(bytes).digest('hex');

const code = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, 'SpotDraftError');
    return e.code;
  }
  assert.fail('expected a SpotDraftError');
};

test('verifies Buffer, Uint8Array, ArrayBuffer and string bodies with either header shape', () => {
  const signature = sign(body);
  const plain = { 'x-sd-webhook-content-hash': signature };
  const fetchHeaders = new Headers({ 'X-SD-WEBHOOK-CONTENT-HASH': signature });
  for (const raw of [body, new Uint8Array(body), body.buffer.slice(body.byteOffset, body.byteOffset + body.length), body.toString('utf8')]) {
    for (const headers of [plain, fetchHeaders]) {
      const { event, keyIndex, header } = sd.verifyWebhook(raw, headers, KEY);
      assert.equal(event.contractId, 19589);
      assert.equal(event.activity, 'CONTRACT_EXECUTED');
      assert.equal(event.externalMetadata.id, '10024');
      assert.equal(keyIndex, 0);
      assert.equal(header, 'X-SD-WEBHOOK-CONTENT-HASH');
    }
  }
  assert.equal(sd.signWebhookForTest(body, KEY), signature);
  assert.equal(sd.verifyWebhook(body, plain, [OLD_KEY, KEY]).keyIndex, 1);
});

test('refuses parsed bodies, forgeries and bad keys with stable codes, never echoing the key', () => {
  const headers = { 'x-sd-webhook-content-hash': sign(body) };
  assert.equal(code(() => sd.verifyWebhook(JSON.parse(body), headers, KEY)), 'WEBHOOK_RAW_BODY_REQUIRED');
  assert.equal(code(() => sd.verifyWebhook(undefined, headers, KEY)), 'WEBHOOK_RAW_BODY_REQUIRED');
  assert.equal(code(() => sd.verifyWebhook(body, {}, KEY)), 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal(code(() => sd.verifyWebhook(body, { 'x-sd-webhook-content-hash': [sign(body), sign(body)] }, KEY)), 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal(code(() => sd.verifyWebhook(body, headers, OLD_KEY)), 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal(code(() => sd.verifyWebhook(Buffer.from(body.toString().replace('EXECUTED', 'VOIDED')), headers, KEY)), 'WEBHOOK_SIGNATURE_INVALID');
  assert.equal(code(() => sd.verifyWebhook(body, headers, KEY, { maxBodyBytes: 10 })), 'WEBHOOK_PAYLOAD_INVALID');
  // NaN would become `null` in JSON and silently mean "the default": refused instead.
  for (const bad of [NaN, Infinity]) {
    try {
      sd.verifyWebhook(body, headers, KEY, { maxBodyBytes: bad });
      assert.fail('expected an error');
    } catch (e) {
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.match(e.details?.[0]?.path ?? e.message, /maxBodyBytes/);
    }
  }
  try {
    sd.verifyWebhook(body, headers, 'not-a-real-key!!secret');
    assert.fail('expected an error');
  } catch (e) {
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.ok(!e.message.includes('secret'));
  }
  const truncated = body.subarray(0, 100);
  assert.equal(code(() => sd.verifyWebhook(truncated, { 'x-sd-webhook-content-hash': sign(truncated) }, KEY)), 'WEBHOOK_PAYLOAD_INVALID');
});

test('applyEvent creates, dedupes and never regresses a record across the boundary', () => {
  const executed = sd.parseWebhookEvent(body);
  const first = sd.applyEvent(null, executed);
  assert.equal(first.record.status, 'EXECUTED');
  assert.equal(first.record.compositeId, 'T-19589');
  assert.deepEqual(first.actions.map((a) => a.kind), ['FETCH_KEY_POINTERS', 'FETCH_DOCUMENT']);
  const again = sd.applyEvent(first.record, executed);
  assert.equal(again.disposition, 'DUPLICATE');
  assert.equal(again.changed, false);
  const older = sd.parseWebhookEvent(JSON.stringify(examples.CONTRACT_SIGNED));
  const after = sd.applyEvent(again.record, older);
  assert.equal(after.record.status, 'EXECUTED');
  assert.equal(after.disposition, 'OUT_OF_ORDER');
  assert.equal(code(() => sd.applyEvent({ contractId: 'x' }, executed)), 'INVALID_ARGUMENT');
});

const rejection = async (promise) => {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.name, 'SpotDraftError');
    return e.code;
  }
  assert.fail('expected a rejected promise');
};

/** Every way a delivery can be wrong, as [body, headers, keys, options]. */
const badDeliveries = () => {
  const headers = { 'x-sd-webhook-content-hash': sign(body) };
  const truncated = body.subarray(0, 100);
  return [
    [[JSON.parse(body), headers, KEY], 'WEBHOOK_RAW_BODY_REQUIRED'],
    [[undefined, headers, KEY], 'WEBHOOK_RAW_BODY_REQUIRED'],
    [[body, {}, KEY], 'WEBHOOK_SIGNATURE_INVALID'],
    [[body, { 'x-sd-webhook-content-hash': 'zz' }, KEY], 'WEBHOOK_SIGNATURE_INVALID'],
    [[body, { 'x-sd-webhook-content-hash': [sign(body), sign(body)] }, KEY], 'WEBHOOK_SIGNATURE_INVALID'],
    [[body, headers, OLD_KEY], 'WEBHOOK_SIGNATURE_INVALID'],
    [[Buffer.from(body.toString().replace('EXECUTED', 'VOIDED')), headers, KEY], 'WEBHOOK_SIGNATURE_INVALID'],
    [[body, headers, KEY, { maxBodyBytes: 10 }], 'WEBHOOK_PAYLOAD_INVALID'],
    [[body, headers, 'not-a-real-key!!secret'], 'INVALID_ARGUMENT'],
    [[body, headers, []], 'INVALID_ARGUMENT'],
    // Signed correctly; only parsing refuses it.
    [[truncated, { 'x-sd-webhook-content-hash': sign(truncated) }, KEY], 'WEBHOOK_PAYLOAD_INVALID', { parseOnly: true }],
  ];
};

test('verifyWebhookSignature checks like verifyWebhook but does not parse the body', () => {
  const signature = sign(body);
  assert.deepEqual(sd.verifyWebhookSignature(body, { 'x-sd-webhook-content-hash': signature }, KEY), { keyIndex: 0, header: 'X-SD-WEBHOOK-CONTENT-HASH' });
  assert.deepEqual(sd.verifyWebhookSignature(body.toString(), new Headers({ 'X-SD-CONTENT-HASH': signature }), [OLD_KEY, KEY]), { keyIndex: 1, header: 'X-SD-CONTENT-HASH' });
  // A signed body that is not JSON verifies: the signature says nothing about the content.
  const notJson = Buffer.from('not json at all');
  assert.equal(sd.verifyWebhookSignature(notJson, { 'x-sd-webhook-content-hash': sign(notJson) }, KEY).keyIndex, 0);
  for (const [args, expected, { parseOnly } = {}] of badDeliveries()) {
    if (parseOnly) assert.equal(sd.verifyWebhookSignature(...args).keyIndex, 0);
    else assert.equal(code(() => sd.verifyWebhookSignature(...args)), expected);
  }
});

test('verifyWebhookAsync and verifyWebhookSignatureAsync (WebCrypto) agree with the synchronous forms', async () => {
  const signature = sign(body);
  const headers = { 'x-sd-webhook-content-hash': signature };
  assert.deepEqual(await sd.verifyWebhookAsync(body, headers, KEY), sd.verifyWebhook(body, headers, KEY));
  assert.deepEqual(await sd.verifyWebhookAsync(body.toString(), new Headers({ 'X-SD-CONTENT-HASH': signature }), [OLD_KEY, KEY]), sd.verifyWebhook(body.toString(), new Headers({ 'X-SD-CONTENT-HASH': signature }), [OLD_KEY, KEY]));
  assert.deepEqual(await sd.verifyWebhookSignatureAsync(body, headers, [OLD_KEY, KEY]), { keyIndex: 1, header: 'X-SD-WEBHOOK-CONTENT-HASH' });
  for (const [args, expected] of badDeliveries()) {
    assert.equal(await rejection(sd.verifyWebhookAsync(...args)), expected);
  }
  // The body is read when the call is made: changing the buffer afterwards changes nothing.
  const reused = Buffer.from(body);
  const pending = sd.verifyWebhookSignatureAsync(reused, headers, KEY);
  reused.fill(0);
  assert.equal((await pending).keyIndex, 0);
  // Many in flight at once, forgeries among them: each gets its own answer.
  const forged = Buffer.from(body.toString().replace('EXECUTED', 'VOIDED'));
  const outcomes = await Promise.allSettled(Array.from({ length: 64 }, (_, i) => sd.verifyWebhookSignatureAsync(i % 4 ? body : forged, headers, [OLD_KEY, KEY])));
  outcomes.forEach((o, i) => {
    if (i % 4) assert.equal(o.value.keyIndex, 1);
    else assert.equal(o.reason.code, 'WEBHOOK_SIGNATURE_INVALID');
  });
});

/** Runs `fn` with `process.getBuiltinModule` hidden, so that no native Node HMAC is found. */
async function withoutNodeCrypto(fn) {
  const original = process.getBuiltinModule;
  assert.equal(typeof original, 'function', 'Node 20.16+ has process.getBuiltinModule');
  process.getBuiltinModule = undefined;
  try {
    return await fn();
  } finally {
    process.getBuiltinModule = original;
  }
}

test('without Node crypto the synchronous forms verify with the Rust HMAC', async () => {
  const headers = { 'x-sd-webhook-content-hash': sign(body) };
  await withoutNodeCrypto(() => {
    assert.equal(sd.verifyWebhook(body, headers, [OLD_KEY, KEY]).keyIndex, 1);
    assert.equal(sd.verifyWebhookSignature(body.toString(), headers, KEY).keyIndex, 0);
    assert.equal(code(() => sd.verifyWebhook(body, headers, OLD_KEY)), 'WEBHOOK_SIGNATURE_INVALID');
    const forged = Buffer.from(body.toString().replace('EXECUTED', 'VOIDED'));
    assert.equal(code(() => sd.verifyWebhookSignature(forged, headers, [OLD_KEY, KEY])), 'WEBHOOK_SIGNATURE_INVALID');
  });
});

test('without WebCrypto (nor Node crypto) the async forms verify with the Rust HMAC', async () => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    assert.equal(globalThis.crypto, undefined);
    const headers = { 'x-sd-webhook-content-hash': sign(body) };
    assert.equal((await sd.verifyWebhookAsync(body, headers, [OLD_KEY, KEY])).keyIndex, 1);
    assert.equal(await rejection(sd.verifyWebhookAsync(body, headers, OLD_KEY)), 'WEBHOOK_SIGNATURE_INVALID');
    await withoutNodeCrypto(async () => {
      assert.equal((await sd.verifyWebhookAsync(body, headers, [OLD_KEY, KEY])).keyIndex, 1);
      assert.equal(await rejection(sd.verifyWebhookSignatureAsync(body, headers, OLD_KEY)), 'WEBHOOK_SIGNATURE_INVALID');
    });
  } finally {
    Object.defineProperty(globalThis, 'crypto', descriptor);
  }
  assert.equal(typeof globalThis.crypto.subtle.verify, 'function');
});
