// The README's code blocks and the calling-convention file compile with tsc --strict against
// the built package's types (scripts/check-readme-types.mjs), and the check fails on drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReadmeTypes, codeBlocks } from '../../scripts/check-readme-types.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = join(root, 'README.md');
const convention = join(root, 'tests', 'packaging', 'types', 'call-convention.ts');

test('every js/ts block of the README and the convention file type-check', () => {
  const result = checkReadmeTypes(readme, [convention]);
  assert.ok(result.blocks >= 2, `expected the README's code blocks, found ${result.blocks}`);
  assert.ok(result.ok, result.output);
});

test('a README call that does not match the types fails the check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-readme-drift-'));
  try {
    const planted = join(dir, 'README.md');
    const wrong = "```js\nimport { verifyWebhook } from 'spotdraft-sync';\nverifyWebhook('{}');\n```\n";
    writeFileSync(planted, `${readFileSync(readme, 'utf8')}\n${wrong}`);
    assert.equal(codeBlocks(readFileSync(planted, 'utf8')).length, codeBlocks(readFileSync(readme, 'utf8')).length + 1);
    const result = checkReadmeTypes(planted);
    assert.equal(result.ok, false);
    assert.match(result.output, /readme-line-\d+\.ts\(2,1\): error TS2554: Expected 3-4 arguments, but got 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a misspelt option in a README block fails the check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spotdraft-readme-drift-'));
  try {
    const planted = join(dir, 'README.md');
    const wrong = "```ts\nimport { SpotDraftClient } from 'spotdraft-sync';\nnew SpotDraftClient({ baseURL: 'https://x.example' });\n```\n";
    writeFileSync(planted, wrong);
    const result = checkReadmeTypes(planted);
    assert.equal(result.ok, false);
    assert.match(result.output, /baseURL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
