// Payload validation, compiled templates and record mapping through the built package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateCreateContract, validateCreateContractJson, CompiledTemplate, buildCreateContract, isSpotDraftError } from 'spotdraft-sync';

const fixture = (path) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const payload = fixture('playbook-create-contract.json');
const metadata = fixture('templates/template-1204-metadata.json');

test('the playbook payload is valid, as an object, as JSON text and against a compiled template', () => {
  assert.deepEqual(validateCreateContract(payload), { valid: true, issues: [] });
  assert.deepEqual(validateCreateContract(payload, metadata), { valid: true, issues: [] });
  assert.deepEqual(validateCreateContractJson(JSON.stringify(payload), metadata), { valid: true, issues: [] });
  const template = new CompiledTemplate(metadata);
  assert.equal(template.validate(payload).valid, true);
  assert.equal(template.validateJson(JSON.stringify(payload)).valid, true);
});

test('every problem comes back with path, code, message and suggestion', () => {
  const bad = structuredClone(payload);
  bad.contract_data.customer_nme = bad.contract_data.customer_name;
  delete bad.contract_data.customer_name;
  bad.contract_data.agreement_date = '2026-02-29';
  bad.counter_party_details[0].poc_details.email = 'Avery Stone';
  bad.signatories = [{ name: 'Avery', email: 'legal@acme.example', is_counterparty_signatory: true, counterparty_name: 'Acme Inc' }];
  const report = validateCreateContract(bad, metadata);
  assert.equal(report.valid, false);
  assert.deepEqual(report.issues.map((i) => [i.path, i.code]), [
    ['contract_data.agreement_date', 'INVALID_DATE'],
    ['contract_data.customer_nme', 'UNKNOWN_FIELD'],
    ['contract_data.customer_name', 'REQUIRED'],
    ['counter_party_details[0].poc_details.email', 'INVALID_EMAIL'],
    ['signatories[0].counterparty_name', 'COUNTERPARTY_NAME_MISMATCH'],
  ]);
  assert.equal(report.issues[1].suggestion, 'customer_name');
  assert.equal(report.issues[4].suggestion, 'Acme Inc.');
});

test('hostile input gives a report, never a crash', () => {
  const cycle = {};
  cycle.self = cycle;
  assert.equal(validateCreateContract(cycle).issues[0].code, 'WRONG_TYPE');
  let deep = {};
  for (let i = 0; i < 200; i++) deep = { a: deep };
  assert.equal(validateCreateContract(deep).issues[0].code, 'TOO_DEEP');
  const nan = validateCreateContract({ ...payload, contract_template_id: NaN });
  assert.deepEqual(nan.issues.map((i) => [i.path, i.code]), [['contract_template_id', 'REQUIRED']]);
  assert.equal(validateCreateContract({ ...payload, contract_name: '\ud800' }).valid, false);
  // JSON.parse makes `__proto__` an own key (Object.assign would set the prototype instead).
  const proto = JSON.parse(JSON.stringify(payload).replace(/^\{/, '{"__proto__": {"polluted": true},'));
  assert.deepEqual(validateCreateContract(proto).issues.map((i) => [i.path, i.code]), [['__proto__', 'UNKNOWN_FIELD']]);
  assert.equal({}.polluted, undefined);
  for (const v of [null, 1, 'x', [], () => 1]) assert.equal(validateCreateContract(v).valid, false);
  // The instance still works.
  assert.equal(validateCreateContract(payload).valid, true);
});

test('a bad template is a SpotDraftError with the path inside the document', () => {
  assert.throws(() => new CompiledTemplate({ attributes: [{ type: 'string' }] }), (e) =>
    isSpotDraftError(e) && e.code === 'INVALID_ARGUMENT' && e.details[0].path === 'templateMetadata.attributes[0]');
});

test('the HubSpot example maps to the playbook payload', () => {
  const built = buildCreateContract(fixture('records/hubspot-deal.json'), fixture('mappings/hubspot-deal.mapping.json'));
  assert.deepEqual(built, payload);
  const sf = buildCreateContract(fixture('records/salesforce-opportunity.json'), fixture('mappings/salesforce-opportunity.mapping.json'));
  assert.equal(validateCreateContract(sf, metadata).valid, true);
});

test('mapping failures are VALIDATION_FAILED with source and target paths', () => {
  const record = fixture('records/hubspot-deal.json');
  delete record.contact.properties.email;
  assert.throws(() => buildCreateContract(record, fixture('mappings/hubspot-deal.mapping.json')), (e) =>
    isSpotDraftError(e) && e.code === 'VALIDATION_FAILED'
    && e.details.length === 1
    && e.details[0].path === 'counter_party_details[0].poc_details.email'
    && e.details[0].sourcePath === 'contact.properties.email'
    && e.details[0].code === 'MISSING_SOURCE_VALUE');
  assert.throws(() => buildCreateContract({}, { fields: [{ target: 'a', sorce: 'b' }] }), (e) =>
    isSpotDraftError(e) && e.code === 'INVALID_ARGUMENT' && e.details[0].path === 'mapping.fields[0].sorce');
});

test('a mapping with an earlier spelling of a transform is refused, naming the new spelling', () => {
  const mapping = { fields: [{ target: 'contract_data.country', source: 'country', transform: [{ op: 'upper' }] }] };
  assert.throws(() => buildCreateContract({ country: 'us' }, mapping), (e) =>
    isSpotDraftError(e) && e.code === 'INVALID_ARGUMENT'
    && e.details[0].path.startsWith('mapping.fields[0].transform[0]')
    && /`upper` is now spelt `UPPER`/.test(e.message));
  mapping.fields[0].transform[0].op = 'UPPER';
  assert.equal(buildCreateContract({ country: 'us' }, mapping).contract_data.country, 'US');
});
