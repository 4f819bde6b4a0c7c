// A Cloudflare Worker running the server kit's receiver and change feed in workerd, with the
// package's `workerd` entry (the .wasm imported as a module) and a SyncEngine over an
// observed MemoryStore that lives as long as the isolate. Follow-up actions run after the
// answer through `ctx.waitUntil`. The handlers are imported from their own modules, without
// `nodejs_compat`: they use fetch-standard APIs only. The feed's subscriptions are per isolate:
// a deployment with several isolates needs one place for the store and the feed (a Durable
// Object), which this test does not show.
import { MemoryStore, SpotDraftClient, SyncEngine } from '../../pkg/workerd/index.js';
import { createWebhookReceiver } from '../../pkg/server/receiver.js';
import { createChangeFeed, observeStore } from '../../pkg/server/feed.js';

let kit;

function setUp(env) {
  const store = observeStore(new MemoryStore());
  const client = new SpotDraftClient({ baseUrl: env.SANDBOX_URL, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' });
  const engine = new SyncEngine({ client, store, webhookKeys: env.HMAC_KEY });
  const logs = [];
  const receiver = createWebhookReceiver({ engine, log: (e) => logs.push(e) });
  const feed = createChangeFeed({
    source: store,
    authorize: (request) => (request.headers.get('authorization') === 'Bearer portal' ? { prefix: 'wd-' } : null),
    canSee: (principal, record) => record.externalId?.startsWith(principal.prefix) ?? false,
    heartbeatMs: 200,
  });
  return { store, engine, receiver, feed, logs };
}

export default {
  async fetch(request, env, ctx) {
    kit ??= setUp(env);
    const url = new URL(request.url);
    if (url.pathname === '/webhook') return kit.receiver(request, ctx);
    if (url.pathname === '/feed') return kit.feed(request);
    if (url.pathname === '/record') return Response.json(await kit.engine.getRecord(Number(url.searchParams.get('id'))));
    if (url.pathname === '/stats') return Response.json({ subscribers: kit.store.subscriberCount, connections: kit.feed.connections, logs: kit.logs });
    return new Response('not found', { status: 404 });
  },
};
