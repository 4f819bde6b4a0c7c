// createServerKit routes by path to the parts it was given, answers its health check, and
// gives a JSON 404 (never a redirect) for anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServerKit, serve } from 'spotdraft-sync/server';

const part = (name) => async (request) => Response.json({ part: name, path: new URL(request.url).pathname });

test('each path reaches its part', async () => {
  const server = await serve(createServerKit({ proxy: part('proxy'), receiver: part('receiver'), feed: part('feed'), paths: { events: '/sd/events' } }));
  try {
    const get = async (path) => (await fetch(server.url + path)).json();
    assert.deepEqual(await get('/api/v2.1/public/contracts/T-1/status'), { part: 'proxy', path: '/api/v2.1/public/contracts/T-1/status' });
    assert.deepEqual(await get('/webhooks/spotdraft'), { part: 'receiver', path: '/webhooks/spotdraft' });
    assert.deepEqual(await get('/sd/events'), { part: 'feed', path: '/sd/events' });
    assert.deepEqual(await get('/healthz'), { ok: true });
    const missing = await fetch(`${server.url}/events`, { redirect: 'manual' });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, 'NOT_FOUND');
  } finally {
    await server.close();
  }
});

test('a part that is not a handler is refused when the kit is made', () => {
  assert.throws(() => createServerKit({ proxy: {} }), (e) => e.code === 'INVALID_ARGUMENT' && /parts\.proxy.*must be a fetch handler/.test(e.message));
});
