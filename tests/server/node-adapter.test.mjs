// spotdraft-sync/server's node:http adapter, over real loopback HTTP: requests reach the
// handler whole (method, URL, repeated headers, body), answers stream (an SSE-style body
// arrives chunk by chunk before it ends), a throwing handler answers 500 INTERNAL without its
// message, and an Express mount sees the full URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { serve, toNodeListener } from 'spotdraft-sync/server';
import { createServer } from 'node:http';

test('a request reaches the handler whole and its answer comes back', async () => {
  const seen = [];
  const server = await serve(async (request) => {
    seen.push({ method: request.method, url: request.url, tags: request.headers.get('x-tag'), body: await request.text() });
    return Response.json({ ok: true }, { status: 201, headers: { 'x-answer': 'yes' } });
  });
  try {
    const res = await fetch(`${server.url}/api/v2.1/public/contracts/?q=1`, {
      method: 'POST',
      headers: [['x-tag', 'a'], ['x-tag', 'b'], ['content-type', 'application/json']],
      body: '{"n":1}',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-answer'), 'yes');
    assert.deepEqual(await res.json(), { ok: true });
    assert.deepEqual(seen, [{ method: 'POST', url: `${server.url}/api/v2.1/public/contracts/?q=1`, tags: 'a, b', body: '{"n":1}' }]);
  } finally {
    await server.close();
  }
});

test('an answer streams: the first chunk arrives before the handler ends the body', async () => {
  let finish;
  const server = await serve(() => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: one\n\n'));
        finish = () => { controller.enqueue(new TextEncoder().encode('data: two\n\n')); controller.close(); };
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  });
  try {
    const res = await fetch(server.url);
    const reader = res.body.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.equal(first, 'data: one\n\n');
    finish();
    let rest = '';
    for (;;) { const { done, value } = await reader.read(); if (done) break; rest += new TextDecoder().decode(value); }
    assert.equal(rest, 'data: two\n\n');
  } finally {
    await server.close();
  }
});

test('a handler that throws answers 500 INTERNAL without its message; onError sees it', async () => {
  const errors = [];
  const server = await serve(() => { throw new Error('secret-in-message'); }, { onError: (e) => errors.push(e.message) });
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.equal(JSON.parse(text).error.code, 'INTERNAL');
    assert.ok(!text.includes('secret-in-message'));
    assert.deepEqual(errors, ['secret-in-message']);
  } finally {
    await server.close();
  }
});

test('under an Express mount the handler sees the URL the client asked for', async () => {
  const app = express();
  app.use('/sd', toNodeListener((request) => Response.json({ path: new URL(request.url).pathname })));
  const server = createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${server.address().port}/sd/api/v2.1/public/templates/`);
    assert.deepEqual(await res.json(), { path: '/sd/api/v2.1/public/templates/' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('toNodeListener refuses a handler that is not a function', () => {
  assert.throws(() => toNodeListener('nope'), /handler must be a function/);
});
