// The server kit's webhook receiver and change feed on loopback, no sandbox (actions: 'none',
// a MemoryStore), so the figures are the kit's own cost:
//  - receiver: latency of one signed delivery (a new event each time) through
//    `serve(createWebhookReceiver(...))` over HTTP, against the same HTTP round trip to a bare
//    node:http handler that reads the body and answers 200, to a fetch handler doing the same
//    through `serve()`, and against `engine.handleWebhook` called directly; interleaved in rounds, p50 / p99 of each;
//  - feed: 100 SSE clients of one `createChangeFeed`, a burst of 1,000 puts through
//    `observeStore`: events per second, and the time from each put to its event at the last
//    client, p50 / p99 (queueing within the burst included).
import { createServer, request as httpRequest, Agent } from 'node:http';

const ROUNDS = 6;
const PER_ROUND = 300;
const FEED_CLIENTS = 100;
const FEED_PUTS = 1000;

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x) => x.toFixed(3);

export default async function ({ pkg }) {
  const { serve, createWebhookReceiver, createChangeFeed, observeStore } = await import('spotdraft-sync/server');
  const key = Buffer.alloc(64, 7).toString('base64');
  const client = new pkg.SpotDraftClient({ baseUrl: 'http://127.0.0.1:9', clientId: 'bench', clientSecret: 'bench-secret' });
  const engineOf = () => new pkg.SyncEngine({ client, store: new pkg.MemoryStore(), webhookKeys: key });
  let contract = 1_000_000;
  const delivery = () => {
    contract += 1;
    const body = JSON.stringify({
      activity: 'CONTRACT_SENT_TO_COUNTERPARTY', contract_id: contract, contract_kind: 'TEMPLATE_CONTRACT', contract_status: 'REDLINING',
      external_metadata: { id: `bench-${contract}` }, activity_data: { performed_by: { name: 'SYSTEM' }, timestamp: new Date().toISOString() },
    });
    return { body, headers: { 'content-type': 'application/json', 'x-sd-webhook-content-hash': pkg.signWebhookForTest(body, key) } };
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (url, { body, headers }) => new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume().on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`got ${res.statusCode}`))));
    });
    req.on('error', reject).end(body);
  });

  const receiver = await serve(createWebhookReceiver({ engine: engineOf(), actions: 'none' }));
  const bare = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c)).on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${bare.address().port}`;
  // The adapter's share: a fetch handler that reads the body and answers JSON, like the receiver.
  const fetchOnly = await serve(async (request) => {
    await request.arrayBuffer();
    return Response.json({ ok: true });
  });
  const fetchUrl = fetchOnly.url;
  const direct = engineOf();
  const paths = {
    'receiver over HTTP': () => post(receiver.url, delivery()),
    'bare node:http handler': () => post(bareUrl, delivery()),
    'fetch handler through serve()': () => post(fetchUrl, delivery()),
    'engine.handleWebhook direct': () => { const d = delivery(); return direct.handleWebhook(d.body, d.headers, { runActions: false }); },
  };
  const samples = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
  for (const fn of Object.values(paths)) for (let i = 0; i < 200; i++) await fn(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(paths);
    for (const name of r % 2 ? names : names.reverse()) {
      for (let i = 0; i < PER_ROUND; i++) {
        const t0 = performance.now();
        await paths[name]();
        samples[name].push(performance.now() - t0);
      }
    }
  }
  await receiver.close();
  await fetchOnly.close();
  await new Promise((resolve) => bare.close(resolve));
  agent.destroy();

  // Feed fan-out.
  const store = observeStore(new pkg.MemoryStore());
  const feed = createChangeFeed({ source: store, authorize: () => ({}) });
  const server = await serve(feed);
  const arrivals = new Map();
  let remaining = FEED_CLIENTS;
  let allReady;
  const ready = new Promise((resolve) => (allReady = resolve));
  const controllers = [];
  for (let c = 0; c < FEED_CLIENTS; c++) {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(server.url, { signal: controller.signal });
    (async () => {
      let text = '';
      let isReady = false;
      try {
        for await (const chunk of response.body) {
          text += Buffer.from(chunk).toString();
          let end;
          while ((end = text.indexOf('\n\n')) !== -1) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            if (!isReady && block.startsWith('event: ready')) {
              isReady = true;
              if (--remaining === 0) allReady();
            }
            const m = /^data: \{"contractId":(\d+)/m.exec(block);
            if (m) {
              const id = Number(m[1]);
              const seen = arrivals.get(id) ?? { count: 0 };
              seen.count += 1;
              seen.last = performance.now();
              arrivals.set(id, seen);
            }
          }
        }
      } catch (error) {
        if (error.name !== 'AbortError') throw error;
      }
    })();
  }
  await ready;
  const putAt = new Map();
  const burstStart = performance.now();
  for (let i = 1; i <= FEED_PUTS; i++) {
    putAt.set(i, performance.now());
    await store.put(`contract:${i}`, { contractId: i, externalId: `feed-${i}` });
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  const until = Date.now() + 30_000;
  while ([...arrivals.values()].filter((a) => a.count === FEED_CLIENTS).length < FEED_PUTS && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const burstMs = Math.max(...[...arrivals.values()].map((a) => a.last)) - burstStart;
  const fanout = [...putAt].map(([id, t]) => (arrivals.get(id)?.count === FEED_CLIENTS ? arrivals.get(id).last - t : Infinity));
  controllers.forEach((c) => c.abort());
  await new Promise((r) => setTimeout(r, 200));
  const subscribersAfter = store.subscriberCount;
  await server.close();

  const rows = Object.entries(samples).map(([name, xs]) => `| ${name} | ${xs.length} | ${ms(quantile(xs, 0.5))} | ${ms(quantile(xs, 0.99))} |`);
  const p50 = (name) => quantile(samples[name], 0.5);
  const adapter50 = p50('fetch handler through serve()') - p50('bare node:http handler');
  const added50 = p50('receiver over HTTP') - p50('fetch handler through serve()') - p50('engine.handleWebhook direct');
  return [
    `Receiver: ${ROUNDS} interleaved rounds × ${PER_ROUND} signed deliveries per path, each a new event (stored under two keys), one keep-alive connection.`,
    '',
    '| path | deliveries | p50 ms | p99 ms |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
    `At p50: the fetch-standard adapter (serve() − bare node:http) ${ms(adapter50)} ms; the receiver itself (receiver − serve() − direct engine) ${ms(added50)} ms.`,
    '',
    `Feed: ${FEED_CLIENTS} SSE clients, a burst of ${FEED_PUTS} puts (${FEED_CLIENTS * FEED_PUTS} events) delivered in ${(burstMs / 1000).toFixed(2)} s ` +
      `(${Math.round((FEED_CLIENTS * FEED_PUTS * 1000) / burstMs)} events/s); put → event at the last client: p50 ${ms(quantile(fanout, 0.5))} ms, p99 ${ms(quantile(fanout, 0.99))} ms; ` +
      `${fanout.filter((x) => x === Infinity).length} changes missing at some client; subscribers after the clients left: ${subscribersAfter}.`,
  ].join('\n');
}
