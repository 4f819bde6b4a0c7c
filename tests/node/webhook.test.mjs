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
      assert.equal(event.contract_id, 19589);
      assert.equal(event.activity, 'CONTRACT_EXECUTED');
      assert.equal(event.external_metadata.id, '10024');
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
  assert.equal(again.disposition, 'duplicate');
  assert.equal(again.changed, false);
  const older = sd.parseWebhookEvent(JSON.stringify(examples.CONTRACT_SIGNED));
  const after = sd.applyEvent(again.record, older);
  assert.equal(after.record.status, 'EXECUTED');
  assert.equal(after.disposition, 'outOfOrder');
  assert.equal(code(() => sd.applyEvent({ contractId: 'x' }, executed)), 'INVALID_ARGUMENT');
});
