// The built Node package over real HTTP on 127.0.0.1: configuration, transport, errors.
// Imports the package by its own name, so the `exports` map is what resolves it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { SpotDraftClient, isSpotDraftError } from 'spotdraft-sync';
import { startFakeSpotDraft } from './support/fake-spotdraft.mjs';
import { rejection } from './support/rejection.mjs';

const SECRET = 'sk-test-5f1d2c-never-print-me';
let server;

const ok = (body, headers = {}) => () => ({ status: 200, body, headers: { 'x-request-id': 'req-ok', ...headers } });

before(async () => {
  server = await startFakeSpotDraft({
    'GET /api/v2.1/public/contracts/T-1234/status': ok({ contract_status: 'EXECUTED', contract_name: 'Acme MSA', extra: true }),
    'GET /api/v2.1/public/contracts/T-401/status': () => ({ status: 401, headers: { 'x-request-id': 'req-401' }, body: { detail: 'Authentication credentials were not provided.' } }),
    'GET /api/v2.1/public/contracts/T-302/status': () => ({ status: 302, headers: { location: 'https://api.us.spotdraft.com/api/v2.1/public/contracts/T-302/status/?X-Goog-Signature=abc' } }),
    'GET /api/v2.1/public/contracts/T-500/status': () => ({ status: 500, body: 'upstream exploded' }),
    'GET /api/v2.1/public/contracts/T-200/status': () => ({ status: 200, body: { contract_status: 'SIGNED' } }),
    'GET /api/v2.1/public/contracts/T-999/status': () => ({ status: 200, delayMs: 1500, body: { contract_status: 'SIGN', contract_name: 'slow' } }),
    'GET /proxy/api/v2.1/public/contracts/H-77/status': ok({ contract_status: 'ON_HOLD', contract_name: 'Historical' }),
  });
});
after(() => server.close());

const client = (extra = {}) => new SpotDraftClient({ baseUrl: server.url, clientId: 'cid', clientSecret: SECRET, userEmail: 'owner@acme.example', ...extra });

function assertNoSecret(error) {
  const text = [error.message, String(error), JSON.stringify(error), inspect(error), JSON.stringify(error.details ?? [])].join('\n');
  assert.ok(!text.includes(SECRET), 'the client secret leaked into an error');
  assert.ok(!text.includes('X-Goog-Signature'), 'a signed URL query leaked into an error');
}

test('getContractStatus sends the documented request with credentials and parses the answer', async () => {
  const result = await client().getContractStatus('T-1234');
  assert.deepEqual(result, { contractStatus: 'EXECUTED', contractName: 'Acme MSA' });
  const sent = server.requests.at(-1);
  assert.equal(sent.method, 'GET');
  assert.equal(sent.url, '/api/v2.1/public/contracts/T-1234/status');
  assert.equal(sent.headers['client-id'], 'cid');
  assert.equal(sent.headers['client-secret'], SECRET);
  assert.equal(sent.headers['user-email'], 'owner@acme.example');
  assert.equal(sent.headers.accept, 'application/json');
});

test('a baseUrl path prefix is kept and H- ids work', async () => {
  const proxied = new SpotDraftClient({ baseUrl: `${server.url}/proxy/` });
  assert.deepEqual(await proxied.getContractStatus('H-77'), { contractStatus: 'ON_HOLD', contractName: 'Historical' });
  const sent = server.requests.at(-1);
  assert.equal(sent.headers['client-secret'], undefined, 'proxy mode sends no secret');
});

test('a custom fetch (e.g. an adapter over hubspot.fetch) is used instead of the global one', async () => {
  const calls = [];
  const adapter = async (url, init) => {
    calls.push({ url, init });
    assert.equal(init.redirect, 'manual');
    assert.ok(init.signal, 'an AbortSignal is passed');
    return fetch(url, init);
  };
  const result = await client({ fetch: adapter }).getContractStatus('T-1234');
  assert.equal(result.contractStatus, 'EXECUTED');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, `${server.url}/api/v2.1/public/contracts/T-1234/status`);
  assert.equal(calls[0].init.method, 'GET');
  assert.equal(calls[0].init.headers['client-secret'], SECRET);
});

test('a Response-like object from a host fetch is read by duck typing', async () => {
  const hostFetch = async () => ({ status: 200, headers: { 'x-request-id': 'h-1' }, text: async () => '{"contract_status":"DRAFT","contract_name":"From host"}' });
  const proxied = new SpotDraftClient({ baseUrl: 'https://sd-proxy.example.com', fetch: hostFetch });
  assert.deepEqual(await proxied.getContractStatus('T-5'), { contractStatus: 'DRAFT', contractName: 'From host' });
});

test('the headers() provider adds per-request headers in proxy mode', async () => {
  let n = 0;
  const proxied = new SpotDraftClient({ baseUrl: server.url, headers: async () => ({ 'X-Session': `s-${++n}` }) });
  await proxied.getContractStatus('T-1234');
  await proxied.getContractStatus('T-1234');
  assert.equal(server.requests.at(-2).headers['x-session'], 's-1');
  assert.equal(server.requests.at(-1).headers['x-session'], 's-2');
  const broken = new SpotDraftClient({ baseUrl: server.url, headers: () => 42 });
  const error = await rejection(broken.getContractStatus('T-1234'));
  assert.equal(error.code, 'INVALID_ARGUMENT');
  assert.match(error.message, /options\.headers/);
});

test('HTTP failures become SpotDraftErrors with stable codes, status and request id', async () => {
  const c = client();
  const unauthorized = await rejection(c.getContractStatus('T-401'));
  assert.ok(isSpotDraftError(unauthorized));
  assert.ok(unauthorized instanceof Error);
  assert.equal(unauthorized.name, 'SpotDraftError');
  assert.equal(unauthorized.code, 'UNAUTHORIZED');
  assert.equal(unauthorized.status, 401);
  assert.equal(unauthorized.requestId, 'req-401');
  assert.match(unauthorized.message, /Authentication credentials were not provided/);
  assertNoSecret(unauthorized);

  const server500 = await rejection(c.getContractStatus('T-500'));
  assert.equal(server500.code, 'SERVER_ERROR');
  assert.equal(server500.status, 500);

  const badShape = await rejection(c.getContractStatus('T-200'));
  assert.equal(badShape.code, 'INVALID_RESPONSE');
  assert.match(badShape.message, /contract_status/);
});

test('redirects are never followed and name their likely cause', async () => {
  const before = server.requests.length;
  const error = await rejection(client().getContractStatus('T-302'));
  assert.equal(error.code, 'REDIRECT');
  assert.equal(error.status, 302);
  assert.match(error.message, /trailing slash/);
  assert.match(error.message, /\/api\/v2\.1\/public\/contracts\/T-302\/status\//);
  assert.equal(server.requests.length, before + 1, 'the redirect target was not requested');
  assertNoSecret(error);
});

// Timeouts, cancellation and network failures, for both transports: transport.test.mjs.

test('bad arguments throw INVALID_ARGUMENT naming the argument, and the instance keeps working', async () => {
  const constructorCases = [
    [undefined, 'options'],
    [42, 'options'],
    ['https://x', 'options'],
    [{}, 'options.region'],
    [{ region: 'mars' }, 'options.region'],
    [{ region: 'us', baseUrl: 'https://x.example' }, 'options.baseUrl'],
    [{ baseUrl: 'not a url' }, 'options.baseUrl'],
    [{ baseUrl: 'http://api.example.com' }, 'options.baseUrl'],
    [{ baseUrl: 'https://u:p@x.example' }, 'options.baseUrl'],
    [{ baseUrl: 'https://x.example', clientId: 'only-id' }, 'options.clientSecret'],
    [{ baseUrl: 'https://x.example', timeoutMs: -1 }, 'options.timeoutMs'],
    [{ baseUrl: 'https://x.example', createSettleMs: 600001 }, 'options.createSettleMs'],
    [{ baseUrl: 'https://x.example', createSettleMs: 2.5 }, 'options.createSettleMs'],
    [{ baseUrl: 'https://x.example', fetch: 'nope' }, 'options.fetch'],
    [{ baseUrl: 'https://x.example', unknownOption: 1 }, 'options'],
    [{ region: 'us' }, 'options.clientId'],
  ];
  for (const [options, argument] of constructorCases) {
    assert.throws(
      () => new SpotDraftClient(options),
      (error) => {
        assert.ok(isSpotDraftError(error), `${JSON.stringify(options)} threw a non-SpotDraftError`);
        assert.equal(error.code, 'INVALID_ARGUMENT', JSON.stringify(options));
        assert.ok(error.message.includes(`\`${argument}`), `${error.message} should name ${argument}`);
        return true;
      },
    );
  }
  const c = client();
  for (const id of ['', '../T-1', 'T-1/../../x', 'T-', 'x', undefined, 5, {}, 'T-1?x=1']) {
    const error = await rejection(c.getContractStatus(id));
    assert.equal(error.code, 'INVALID_ARGUMENT', String(id));
    assert.equal(error.details[0].path, 'id');
  }
  const badSignal = await rejection(c.getContractStatus('T-1234', { signal: 'soon' }));
  assert.equal(badSignal.code, 'INVALID_ARGUMENT');
  assert.equal(server.unmatched.length, 0, `unexpected requests: ${server.unmatched}`);
  assert.equal((await c.getContractStatus('T-1234')).contractStatus, 'EXECUTED');
});

test('the client secret never shows in the client object or any message', async () => {
  const c = client();
  assert.ok(!inspect(c, { depth: 5, showHidden: true }).includes(SECRET));
  assert.ok(!JSON.stringify(c ?? {}).includes(SECRET));
  const error = await rejection(client({ timeoutMs: 100 }).getContractStatus('T-999'));
  assertNoSecret(error);
});

test('isSpotDraftError rejects look-alikes', () => {
  assert.equal(isSpotDraftError(new Error('x')), false);
  assert.equal(isSpotDraftError({ name: 'SpotDraftError', code: 'X' }), false);
  assert.equal(isSpotDraftError(null), false);
  assert.equal(isSpotDraftError(undefined), false);
});

test('a shared rateBudget paces the calls instead of the client limiter; a failing one sends nothing', async () => {
  const booked = [];
  const budget = { reserve: async () => { booked.push(Date.now()); return booked.length === 2 ? 300 : 0; } };
  const paced = client({ rateBudget: budget });
  const started = Date.now();
  for (let i = 0; i < 3; i++) await paced.getContractStatus('T-1234');
  assert.equal(booked.length, 3, 'one booking per attempt');
  assert.ok(Date.now() - started >= 300, 'the second call waited for its slot');

  const before = server.requests.length;
  const down = client({ rateBudget: { reserve: () => Promise.reject(new Error('connection refused')) } });
  const error = await rejection(down.getContractStatus('T-1234'));
  assert.equal(error.code, 'STORE_ERROR');
  assert.match(error.message, /rateBudget\.reserve\(\) rejected: connection refused/);
  const overbooked = await rejection(client({ rateBudget: { reserve: () => 3_600_000 } }).getContractStatus('T-1234'));
  assert.equal(overbooked.code, 'RATE_LIMITED');
  const nonsense = await rejection(client({ rateBudget: { reserve: () => 'soon' } }).getContractStatus('T-1234'));
  assert.equal(nonsense.code, 'INVALID_ARGUMENT');
  assert.equal(server.requests.length, before, 'no request went out without a slot');
});

test('rateBudget is refused without reserve() and beside maxRequestsPerSecond', () => {
  assert.throws(() => client({ rateBudget: {} }), (e) => e.code === 'INVALID_ARGUMENT' && /options\.rateBudget/.test(e.message));
  assert.throws(() => client({ rateBudget: { reserve: () => 0 }, maxRequestsPerSecond: 5 }), (e) => e.code === 'INVALID_ARGUMENT' && /maxRequestsPerSecond/.test(e.message));
});
