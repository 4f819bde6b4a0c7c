// The client's two transports in Node over real HTTP on 127.0.0.1: Node's own `http` (the
// default in Node, see src/facade/js/attempt.js) and the global `fetch` (`fetch:
// globalThis.fetch`). Both must give the same results and the same errors. The last test runs
// the Node transport over TLS (a throwaway certificate made with the `openssl` CLI).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { SpotDraftClient } from 'spotdraft-sync';
import { startFakeSpotDraft } from './support/fake-spotdraft.mjs';
import { rejection } from './support/rejection.mjs';

const STATUS = '/api/v2.1/public/contracts';
const answer = JSON.stringify({ contract_status: 'EXECUTED', contract_name: 'Grüße — Acme ✓' });
let server;

before(async () => {
  server = await startFakeSpotDraft({
    [`GET ${STATUS}/T-1/status`]: () => ({ status: 200, headers: { 'x-request-id': 'req-1', 'x-other': 'not read' }, body: answer }),
    [`GET ${STATUS}/T-401/status`]: () => ({ status: 401, headers: { 'X-Request-Id': 'req-401' }, body: { detail: 'Invalid client secret.' } }),
    [`GET ${STATUS}/T-302/status`]: () => ({ status: 302, headers: { location: `${server.url}${STATUS}/T-302/status/` } }),
    [`GET ${STATUS}/T-503/status`]: () => ({ status: 503, headers: { 'retry-after': '0' }, body: 'busy' }),
    [`GET ${STATUS}/T-11/status`]: () => ({ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(answer) }),
    [`GET ${STATUS}/T-12/status`]: () => ({ status: 200, headers: { 'content-encoding': 'deflate' }, body: deflateSync(answer) }),
    [`GET ${STATUS}/T-13/status`]: () => ({ status: 200, headers: { 'content-encoding': 'deflate' }, body: deflateRawSync(answer) }),
    [`GET ${STATUS}/T-14/status`]: () => ({ status: 200, headers: { 'content-encoding': 'br' }, body: brotliCompressSync(answer) }),
    [`GET ${STATUS}/T-15/status`]: () => ({ status: 200, body: `\ufeff${answer}` }),
    [`GET ${STATUS}/T-16/status`]: () => ({ status: 200, headers: { 'content-length': String(Buffer.byteLength(answer)) }, body: answer, cutAfterBytes: 10 }),
    // Never answers (and holds no timer of its own, so the test can count the client's).
    [`GET ${STATUS}/T-17/status`]: () => new Promise(() => {}),
    'POST /api/v2.1/public/webhooks/': () => ({ status: 400, body: { title: ['Recorded by the test.'] } }),
  });
});
after(() => server.close());

const TRANSPORTS = [
  ['node:http (the default in Node)', {}],
  ['the global fetch', { fetch: globalThis.fetch }],
];

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('in Node, a client without a fetch option sends through node:http, not the global fetch', async () => {
  const original = globalThis.fetch;
  globalThis.fetch = () => {
    throw new Error('the global fetch was called');
  };
  try {
    const client = new SpotDraftClient({ baseUrl: server.url, clientId: 'cid', clientSecret: 'secret' });
    assert.equal((await client.getContractStatus('T-1')).contractStatus, 'EXECUTED');
    const sent = server.requests.at(-1);
    assert.equal(sent.headers['client-id'], 'cid');
    assert.equal(sent.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(sent.headers.connection, 'keep-alive');
  } finally {
    globalThis.fetch = original;
  }
});

for (const [name, options] of TRANSPORTS) {
  const client = (extra = {}) => new SpotDraftClient({ baseUrl: server.url, clientId: 'cid', clientSecret: 'secret', maxRetries: 0, ...options, ...extra });

  test(`${name}: statuses, request ids and redirects`, async () => {
    const seen = [];
    const c = client({ onResponse: (event) => seen.push(event.requestId) });
    assert.deepEqual(await c.getContractStatus('T-1'), { contractStatus: 'EXECUTED', contractName: 'Grüße — Acme ✓' });
    assert.deepEqual(seen, ['req-1']);
    const unauthorized = await rejection(c.getContractStatus('T-401'));
    assert.equal(unauthorized.code, 'UNAUTHORIZED');
    assert.equal(unauthorized.requestId, 'req-401');
    const redirect = await rejection(c.getContractStatus('T-302'));
    assert.equal(redirect.code, 'REDIRECT');
    assert.match(redirect.message, /trailing slash/);
    const before = server.requests.length;
    const busy = await rejection(client({ maxRetries: 2 }).getContractStatus('T-503'));
    assert.equal(busy.code, 'SERVER_ERROR');
    assert.equal(server.requests.length - before, 3, 'a 503 with Retry-After: 0 is retried twice');
  });

  test(`${name}: gzip, deflate (zlib and raw) and br bodies are decoded, a BOM is dropped`, async () => {
    const c = client();
    for (const id of ['T-11', 'T-12', 'T-13', 'T-14', 'T-15']) {
      assert.equal((await c.getContractStatus(id)).contractName, 'Grüße — Acme ✓', id);
    }
  });

  test(`${name}: a JSON body with non-ASCII text arrives whole`, async () => {
    const title = 'Café sync ✓ Grüße';
    const error = await rejection(client().registerWebhook({ title, url: 'https://crm.example.com/h', activities: ['CONTRACT_CREATED'] }));
    assert.equal(error.code, 'VALIDATION_FAILED');
    const sent = server.requests.at(-1);
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.equal(Number(sent.headers['content-length']), Buffer.byteLength(sent.body));
    assert.equal(JSON.parse(sent.body).title, title);
  });

  test(`${name}: a connection lost mid-body and a closed port are NETWORK`, async () => {
    const cut = await rejection(client().getContractStatus('T-16'));
    assert.equal(cut.code, 'NETWORK');
    const dead = await rejection(new SpotDraftClient({ baseUrl: 'http://127.0.0.1:9', maxRetries: 0, ...options }).getContractStatus('T-1'));
    assert.equal(dead.code, 'NETWORK');
    assert.match(dead.message, /127\.0\.0\.1:9/);
  });

  test(`${name}: a timeout and an AbortSignal end the request and leave no timer`, async () => {
    const idle = timers();
    const timedOut = await rejection(client({ timeoutMs: 100 }).getContractStatus('T-17'));
    assert.equal(timedOut.code, 'TIMEOUT');
    assert.match(timedOut.message, /100 ms/);
    const controller = new AbortController();
    const pending = client().getContractStatus('T-17', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    assert.equal((await rejection(pending)).code, 'ABORTED');
    assert.equal((await rejection(client().getContractStatus('T-1', { signal: AbortSignal.abort() }))).code, 'ABORTED');
    assert.equal(timers(), idle, 'a timer of the client is still running');
  });
}

test('node:http over TLS: a certificate the process trusts is used with one kept-alive connection; an untrusted one is NETWORK', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  let connections = 0;
  const tls = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `tls-${connections}` });
    res.end(answer);
  });
  tls.on('secureConnection', () => connections++);
  await new Promise((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const baseUrl = `https://localhost:${tls.address().port}`;
  try {
    // Node reads extra CAs at start-up, so the trusting side is a child process.
    const script = `
      import { SpotDraftClient } from 'spotdraft-sync';
      const client = new SpotDraftClient({ baseUrl: ${JSON.stringify(baseUrl)}, clientId: 'cid', clientSecret: 'secret' });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await client.getContractStatus('T-1'));
      console.log(JSON.stringify(results));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile } });
    const results = JSON.parse(stdout);
    assert.equal(results.length, 3);
    for (const result of results) assert.equal(result.contractName, 'Grüße — Acme ✓');
    assert.equal(connections, 1, 'the three calls shared one TLS connection');

    const untrusted = await rejection(new SpotDraftClient({ baseUrl, clientId: 'cid', clientSecret: 'secret', maxRetries: 0 }).getContractStatus('T-1'));
    assert.equal(untrusted.code, 'NETWORK');
    assert.match(untrusted.message, /certificate/);
  } finally {
    tls.closeAllConnections();
    await new Promise((resolve) => tls.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
