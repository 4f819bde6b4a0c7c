// `npm start`'s main job (scripts/start.mjs): with --once the whole playbook against the
// sandbox ends with an executed contract, its key data and the executed PDF on disk; without
// it the portal is served until SIGTERM (the portal's flow itself: tests/browser/portal.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the playbook runs end to end and prints the sync record', async () => {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SPOTDRAFT_')) delete env[key];
  const { stdout } = await promisify(execFile)('node', ['scripts/start.mjs', '--once'], { cwd: root, env, timeout: 240_000 });
  const record = JSON.parse(stdout.slice(stdout.indexOf('Sync record:') + 'Sync record:'.length));
  assert.match(record.externalId, /^hubspot-deal-10024-/);
  assert.match(record.compositeId, /^T-\d+$/);
  assert.equal(record.status, 'EXECUTED');
  assert.ok(Object.keys(record.keyData).length >= 10, 'key pointers were read');
  assert.equal('url' in record.document, false, 'the signed URL is not kept');
  assert.equal(readFileSync(record.document.storedAt).subarray(0, 5).toString(), '%PDF-');
  assert.match(record.document.fileName, /\.pdf$/);
});

/** The child's stdout up to and including `marker`; rejects if it exits first. */
function outputUntil(child, marker) {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes(marker)) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`start.mjs exited with ${code}: ${out}`)));
  });
}

test('without --once it serves the portal on the reference server, prints its sign-in link, and stops cleanly', async () => {
  const env = { ...process.env, PORT: '0' };
  for (const key of Object.keys(env)) if (key.startsWith('SPOTDRAFT_')) delete env[key];
  const child = spawn('node', ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const out = await outputUntil(child, 'Press Ctrl-C');
    const match = /Portal: (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
    const link = { url: match[1], token: match[2] };
    const store = /store (\S+portal\.db)\)/.exec(out)?.[1];
    assert.ok(store && existsSync(store), 'a fresh store file for this run');
    const page = await fetch(`${link.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(await page.text(), /<script type="module" src="\/www\/app\/main.js">/);
    assert.equal((await fetch(`${link.url}/portal/api/records`)).status, 401);
    const signIn = await fetch(`${link.url}/portal/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: link.token }) });
    const cookie = signIn.headers.get('set-cookie');
    assert.match(cookie, /^sd_session=.+; Path=\/; HttpOnly; SameSite=Strict$/);
    const { records } = await (await fetch(`${link.url}/portal/api/records`, { headers: { cookie: cookie.split(';')[0] } })).json();
    assert.equal(records.length, 5);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(existsSync(store), false, 'the run\'s store is removed on stop');
  } finally {
    child.kill('SIGKILL');
  }
});

test('with SPOTDRAFT_BASE_URL it serves the portal for that workspace: no playbook, no sandbox controls', async () => {
  const { startSandbox } = await import('../../scripts/lib/sandbox-process.mjs');
  const { SpotDraftClient } = await import('spotdraft-sync');
  const workspace = await startSandbox(root);
  const credentials = { clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' };
  const { hmacKey } = await new SpotDraftClient({ baseUrl: workspace.url, ...credentials }).getWebhookHmacKey();
  const env = { ...process.env, PORT: '0', SPOTDRAFT_DB: ':memory:' };
  for (const key of Object.keys(env)) if (key.startsWith('SPOTDRAFT_') && key !== 'SPOTDRAFT_DB') delete env[key];
  Object.assign(env, {
    SPOTDRAFT_BASE_URL: workspace.url, SPOTDRAFT_CLIENT_ID: credentials.clientId, SPOTDRAFT_CLIENT_SECRET: credentials.clientSecret,
    SPOTDRAFT_WEBHOOK_KEY: hmacKey, SPOTDRAFT_SERVER_TOKEN: 'a-long-random-portal-token',
  });
  const child = spawn('node', ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const out = await outputUntil(child, 'Press Ctrl-C');
    const url = /Portal for your SpotDraft workspace: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)[1];
    assert.doesNotMatch(out, /Sync record|token=/, 'no playbook ran and no token was printed');
    const cookie = `sd_session=${env.SPOTDRAFT_SERVER_TOKEN}`;
    assert.deepEqual(await (await fetch(`${url}/portal/api/session`, { headers: { cookie } })).json(), { mode: 'workspace', sandboxControls: false });
    assert.equal((await fetch(`${url}/portal/api/sandbox/throttle`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })).status, 404);
    const { records } = await (await fetch(`${url}/portal/api/records`, { headers: { cookie } })).json();
    assert.equal(records.length, 5);
    assert.equal((await (await fetch(`${workspace.url}/__sandbox/contracts`)).json()).count, 0, 'nothing was created in the workspace');
  } finally {
    child.kill('SIGTERM');
    await workspace.stop();
  }
});
