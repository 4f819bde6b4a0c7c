// Exactly-once create across a restart: a Node process creating contracts through
// engine.createContract is killed (SIGKILL) while its creates are committed but their answers
// lost (the sandbox resets the connection after committing, and its lookup lags 1.5 s behind
// the write, so the client is still settling), then started again over the same file-backed
// store. Every external id must end with exactly one contract in the sandbox.
//
// That the test can fail: SPOTDRAFT_RESTART_WITHOUT_INTENTS=1 runs the same scenario with the
// child doing what an app does without create intents (skip what the store holds, else
// client.createContract + track); it ends with a duplicate per killed create.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { controlOf } from './support/create-chaos.mjs';
import { FileStore } from './support/file-store.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const mode = process.env.SPOTDRAFT_RESTART_WITHOUT_INTENTS === '1' ? 'naive' : 'intents';
let sandbox, dir;

before(async () => {
  sandbox = await startSandbox(root, ['--rate-limit', '0', '--seed', '17']);
  dir = mkdtempSync(join(tmpdir(), 'spotdraft-restart-'));
});
after(async () => {
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts the child; `lines` collects what it prints, `exited` resolves with its exit. */
function child(storePath, ids) {
  const proc = spawn(process.execPath, [join(here, 'support', 'create-restart-child.mjs'), sandbox.url, storePath, ids.join(','), mode], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = [];
  let buffered = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop();
    lines.push(...parts);
  });
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, lines, exited };
}

/** Contracts per external id in the sandbox. */
async function contractsPerId(control) {
  const counts = new Map();
  for (const c of (await control('contracts')).contracts) {
    const id = c.external_metadata?.id ?? c.external_metadata_id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

test('a process killed mid-create and started again over the same store makes exactly one contract per external id', async () => {
  const control = controlOf(sandbox.url);
  await control('reset', {});
  const ids = Array.from({ length: 6 }, (_, i) => `restart-${i}`);
  const storePath = join(dir, 'store.json');
  // Four of the six creates commit and lose their answer; the lookup lags 1.5 s behind.
  const lost = 4;
  await control('faults', { seed: 1, lookup_lag_ms: 1500, next_reset_after_commit: lost });

  const first = child(storePath, ids);
  // Kill as soon as every create is committed and the two answered ones are done: the four
  // whose answer was lost are then in the client's settle lookups, which cannot see them for
  // 1.5 s after the commit.
  const deadline = Date.now() + 20_000;
  const doneLines = () => first.lines.filter((l) => l.startsWith('done ')).length;
  let counts;
  for (;;) {
    counts = await contractsPerId(control);
    if ((ids.every((id) => counts.has(id)) && doneLines() >= ids.length - lost) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  first.proc.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL', `the first process was killed, not finished: ${first.lines.join(' | ')}`);
  assert.deepEqual([...counts.values()], ids.map(() => 1), 'every create committed once before the kill');
  assert.equal(doneLines(), ids.length - lost, `the kill came while ${lost} creates had no answer: ${first.lines.join(' | ')}`);
  if (mode === 'intents') {
    const open = new FileStore(storePath).list().filter((r) => r.createIntent?.state === 'OPEN');
    assert.equal(open.length, lost, 'the killed creates left open intents in the store');
  }

  // Started again over the same store, without faults but with the lag still on.
  await control('faults', { seed: 1, lookup_lag_ms: 1500 });
  const second = child(storePath, ids);
  const done = await second.exited;
  assert.equal(done.code, 0, second.lines.join(' | '));
  const after = await contractsPerId(control);
  const per = Object.fromEntries(ids.map((id) => [id, after.get(id) ?? 0]));
  console.log(`restart (${mode}): contracts per external id ${JSON.stringify(per)}; second run: ${second.lines.join(' | ')}`);
  assert.deepEqual(per, Object.fromEntries(ids.map((id) => [id, 1])), 'exactly one contract per external id');
  assert.equal(after.size, ids.length);
  // Every id is tracked under its external id with its one contract; no intent is left open.
  const stored = new FileStore(storePath);
  for (const id of ids) {
    const record = stored.get(`external:${id}`);
    assert.ok(record?.contractId > 0, `${id} is tracked: ${JSON.stringify(record)}`);
    assert.equal(record.createIntent, undefined);
  }
});
