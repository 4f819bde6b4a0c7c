// Which build `import 'spotdraft-sync'` gives these tests: the Node build, or the pure-JS build
// when scripts/test.sh runs the shared suite with tests/support/use-js-build.mjs
// (SPOTDRAFT_TEST_BUILD=js), so a hook that stopped applying fails here instead of quietly
// testing the wasm build twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('spotdraft-sync resolves to the build under test', async () => {
  const expected = process.env.SPOTDRAFT_TEST_BUILD === 'js' ? /\/pkg\/js\/index\.js$/ : /\/pkg\/node\/index\.mjs$/;
  assert.match(import.meta.resolve('spotdraft-sync'), expected);
  const sd = await import('spotdraft-sync');
  assert.equal(typeof sd.validateCreateContract, 'function');
});
