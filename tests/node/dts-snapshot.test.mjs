// The generated TypeScript declarations are part of the API: any change to them shows up as a
// diff against the committed snapshot. Update deliberately with UPDATE_SNAPSHOTS=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The closure shims wasm-bindgen exports are named by a hash of their code (they change with any
// rebuild of unrelated code, and their order with them; some carry a `_N` suffix, which counts
// the exports before them): internal, so left out of the snapshot.
const internalShim = /^\s*readonly wasm_bindgen__convert__closures_____invoke__h[0-9a-f]+(?:_\d+)?: .*\n/gm;
const generated = readFileSync(join(root, 'pkg', 'web', 'spotdraft_sync.d.ts'), 'utf8').replace(internalShim, '');
const snapshotPath = join(root, 'tests', 'snapshots', 'spotdraft_sync.d.ts');

test('the generated .d.ts matches the committed snapshot', () => {
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(snapshotPath, generated);
  const snapshot = readFileSync(snapshotPath, 'utf8');
  assert.equal(generated, snapshot, 'the .d.ts changed: review the diff, then run with UPDATE_SNAPSHOTS=1');
});

test('the error contract is declared: code union, SpotDraftError interface, type guard', () => {
  assert.match(generated, /export type ErrorCode = "INVALID_ARGUMENT" \| /);
  assert.match(generated, /export interface SpotDraftError extends Error \{\n\s+name: "SpotDraftError";\n\s+\/\*\*[^]*?\*\/\n\s+code: ErrorCode;/);
  assert.match(generated, /export function isSpotDraftError\(value: unknown\): value is SpotDraftError;/);
  assert.match(generated, /getContractStatus\(id: string, options\?: CallOptions\): Promise<ContractStatusResult>;/);
  const interfaces = [...generated.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  const duplicates = interfaces.filter((name, i) => interfaces.indexOf(name) !== i);
  assert.deepEqual(duplicates, [], 'two Rust types generate the same TypeScript name');
});

test('spotdraft-sync/js declares the same API as the wasm builds', () => {
  // Everything up to the loader's own types: those describe the raw module's exports, whose
  // calling convention differs (the pure-JS build is compiled without multi-value returns).
  const api = (file) => {
    const text = readFileSync(join(root, 'pkg', file, 'spotdraft_sync.d.ts'), 'utf8');
    const end = text.indexOf('\nexport type InitInput');
    assert.ok(end > 0, `${file}: no InitInput type`);
    return text.slice(0, end);
  };
  assert.equal(api('js'), api('web'));
});
