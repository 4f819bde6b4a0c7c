// The portal's form model (www/app/fields.js: pure functions, no DOM), over every record of the
// portal's catalogue and the template fixtures: the form is one field per value of the mapped
// body, a template field the body lacks is offered empty, and the edited fields written back
// give the body again — unchanged when nothing was edited, changed exactly where edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCreateContract, validateCreateContract } from 'spotdraft-sync';
import { buildPayload, formFields, getPath, inputText, leaves, parsePath, readInput } from '../../www/app/fields.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const json = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));
const metadata1204 = json('tests/fixtures/templates/template-1204-metadata.json');
const catalogue = json('examples/portal/catalogue.json').records;

test('paths parse into keys and indexes, and read back', () => {
  assert.deepEqual(parsePath('counter_party_details[0].poc_details.email'), ['counter_party_details', 0, 'poc_details', 'email']);
  assert.deepEqual(parsePath('contract_data.pricing_schedule[1].amount.type'), ['contract_data', 'pricing_schedule', 1, 'amount', 'type']);
  assert.equal(getPath({ a: [{ b: 'x' }] }, 'a[0].b'), 'x');
  assert.equal(getPath({ a: [] }, 'a[3].b'), undefined);
  assert.throws(() => parsePath('a[x]'));
});

test('every catalogue record: one field per value, and the fields written back give the mapped body', () => {
  for (const entry of catalogue) {
    const payload = buildCreateContract(json(entry.record), json(entry.mapping));
    const fields = formFields(payload, payload.contract_template_id === 1204 ? metadata1204 : null);
    const inBody = fields.filter((f) => f.inBody).map((f) => f.path);
    assert.deepEqual(inBody.sort(), leaves(payload).map(([path]) => path).sort(), entry.record);
    // What each input would show, read back as the form reads it.
    const values = fields.map((f) => [f.path, f.readOnly ? f.value : readInput(f.kind, inputText(f.kind, f.value), f.value === true)]);
    assert.deepEqual(buildPayload(payload, values), payload, entry.record);
  }
});

test('a template field the body lacks is offered empty; filling it adds it, clearing a value removes it', () => {
  const entry = catalogue.find((e) => e.record.endsWith('hubspot-deal-10031.json'));
  const payload = buildCreateContract(json(entry.record), json(entry.mapping));
  const fields = formFields(payload, metadata1204);
  const missing = fields.find((f) => f.path === 'contract_data.notice_period_days');
  assert.deepEqual([missing.inBody, missing.kind, missing.label, missing.required], [false, 'number', 'Notice Period (days)', true]);
  assert.equal(fields.find((f) => f.path === 'contract_data.payment_terms').kind, 'choice');
  const before = validateCreateContract(payload, metadata1204).issues.map((i) => i.code);
  assert.ok(before.includes('UNKNOWN_FIELD') && before.includes('REQUIRED'));
  const edited = buildPayload(payload, [['contract_data.notice_period', readInput('number', '', false)], ['contract_data.notice_period_days', readInput('number', '30', false)]]);
  assert.equal(edited.contract_data.notice_period_days, 30);
  assert.equal('notice_period' in edited.contract_data, false);
  const after = validateCreateContract(edited, metadata1204).issues.map((i) => i.code);
  assert.deepEqual(after.filter((c) => c === 'UNKNOWN_FIELD' || c === 'REQUIRED'), []);
  assert.equal(payload.contract_data.notice_period, 30, 'the mapped body itself is not changed');
});

test('input text becomes the value validation should judge: numbers when they are numbers, else the text', () => {
  assert.equal(readInput('number', ' 42 ', false), 42);
  assert.equal(readInput('number', '4,2', false), '4,2', 'not guessed: validation reports WRONG_TYPE');
  assert.equal(readInput('text', '   ', false), undefined);
  assert.deepEqual(readInput('list', 'US, IN,,', false), ['US', 'IN']);
  assert.equal(readInput('boolean', '', true), true);
  assert.equal(inputText('list', ['US', 'IN']), 'US, IN');
});
