// What a promise rejected with; fails the test when it resolves instead.
import assert from 'node:assert/strict';

export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}
