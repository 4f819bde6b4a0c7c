// `npm start`'s main job (scripts/start.mjs --once): the whole playbook against the sandbox
// ends with an executed contract, its key data and the executed PDF on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
