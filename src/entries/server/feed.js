// The change feed for portals: `observeStore(store)` tells subscribers about each record a
// store accepted, and `createChangeFeed({ source, authorize })` is a fetch-standard GET
// handler streaming them as Server-Sent Events, filtered by principal. One record is written
// under several keys (`contract:<id>`, `external:<id>`): the feed sends each version once.
//
// It does NOT persist event ids or replay missed events: a client that reconnects (with or
// without `Last-Event-ID`) gets a fresh snapshot, then the changes after it.
import { errorResponse, invalidOption, logger } from './http.js';

/**
 * `store` with the same methods (get, put, list and any others, e.g. `getVersioned` /
 * `putIfVersion`, passed through unchanged) plus `subscribe(listener) → unsubscribe`:
 * `listener({ key, record })` runs after each successful `put` (and each `putIfVersion` that
 * wrote). A throwing listener is ignored. `subscriberCount` says how many are subscribed.
 */
export function observeStore(store) {
  for (const method of ['get', 'put', 'list']) {
    if (typeof store?.[method] !== 'function') throw invalidOption(`store.${method}`, 'must be a function: pass a SyncStore (get, put, list)');
  }
  const listeners = new Set();
  const notify = (key, record) => {
    for (const listener of [...listeners]) {
      try {
        listener({ key, record });
      } catch {
        // One subscriber must not break the store's caller or the other subscribers.
      }
    }
  };
  const own = {
    async put(key, record) {
      await store.put(key, record);
      notify(key, record);
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw invalidOption('listener', 'must be a function ({ key, record }) => void');
      const entry = (change) => listener(change);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
  };
  if (typeof store.putIfVersion === 'function') {
    own.putIfVersion = async (key, record, ...rest) => {
      const wrote = await store.putIfVersion(key, record, ...rest);
      if (wrote !== false) notify(key, record);
      return wrote;
    };
  }
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'subscriberCount') return listeners.size;
      if (Object.hasOwn(own, prop)) return own[prop];
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (target, prop) => prop === 'subscriberCount' || Object.hasOwn(own, prop) || Reflect.has(target, prop),
  });
}

/**
 * A GET handler answering `text/event-stream`: first `event: record` for each record the
 * principal may see (from `source.list()`, when the source has it), then `event: ready`
 * (`data: {"records":<n>}`), then `event: record` for each change, `id:` increasing, `data:`
 * the record's JSON; a `: heartbeat` comment every `heartbeatMs`. 401 `UNAUTHORIZED` when
 * `authorize(request)` gives null; 405 for other methods.
 *
 * `canSee(principal, record)` is synchronous (default: every record); a throwing one hides
 * the record. A client that falls `maxQueuedEvents` behind is disconnected (it reconnects and
 * gets a fresh snapshot) instead of buffering without bound.
 */
export function createChangeFeed(options) {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'must be an object such as { source, authorize }');
  const { source, authorize, canSee = () => true, heartbeatMs = 15_000, maxQueuedEvents = 1_000 } = options;
  if (typeof source?.subscribe !== 'function') throw invalidOption('options.source', 'must have subscribe(listener): pass observeStore(store) or a store with change notifications');
  if (typeof authorize !== 'function') throw invalidOption('options.authorize', 'must be a function (request) => principal | null');
  if (typeof canSee !== 'function') throw invalidOption('options.canSee', 'must be a function (principal, record) => boolean');
  for (const [name, value] of [['heartbeatMs', heartbeatMs], ['maxQueuedEvents', maxQueuedEvents]]) {
    if (!Number.isSafeInteger(value) || value < 1) throw invalidOption(`options.${name}`, 'must be a whole number above 0');
  }
  const log = logger(options.log, 'feed');
  const connections = new Set();
  let lastId = 0;

  async function feed(request) {
    if (request.method !== 'GET') {
      return errorResponse(405, 'METHOD_NOT_ALLOWED', 'The change feed is read with GET (an EventSource).', { headers: { allow: 'GET' } });
    }
    let principal;
    try {
      principal = await authorize(request);
    } catch (error) {
      log({ event: 'feed.authorize_failed', error: error?.name });
      return errorResponse(500, 'INTERNAL', 'The feed failed to authorize this request; see its log.');
    }
    if (principal === null || principal === undefined) {
      log({ event: 'feed.refused', status: 401, code: 'UNAUTHORIZED' });
      return errorResponse(401, 'UNAUTHORIZED', 'Sign in to read the change feed.');
    }
    const encoder = new TextEncoder();
    const sent = new Map();
    let closed = false;
    let ready = false;
    let pending = [];
    let unsubscribe;
    let heartbeat;
    const connection = {};
    const close = (controller, reason) => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      pending = [];
      sent.clear();
      unsubscribe?.();
      connections.delete(connection);
      log({ event: 'feed.close', reason, open: connections.size });
      if (controller) {
        try {
          controller.close();
        } catch {
          // Already closed or cancelled.
        }
      }
    };
    const body = new ReadableStream(
      {
        async start(controller) {
          connections.add(connection);
          log({ event: 'feed.open', open: connections.size });
          const write = (text) => {
            if (closed) return;
            if (controller.desiredSize !== null && controller.desiredSize <= -maxQueuedEvents) {
              log({ event: 'feed.overflow', queued: maxQueuedEvents });
              close(controller, 'overflow');
              return;
            }
            controller.enqueue(encoder.encode(text));
          };
          const send = (record) => {
            if (closed || !visible(record)) return false;
            const json = JSON.stringify(record);
            const digest = hash(json);
            if (sent.get(record.contractId) === digest) return false;
            sent.set(record.contractId, digest);
            write(`event: record\nid: ${++lastId}\ndata: ${json}\n\n`);
            return true;
          };
          const visible = (record) => {
            if (!Number.isSafeInteger(record?.contractId)) return false;
            try {
              return canSee(principal, record) === true;
            } catch (error) {
              log({ event: 'feed.can_see_failed', contractId: record.contractId, error: error?.name });
              return false;
            }
          };
          try {
            unsubscribe = await source.subscribe(({ record }) => {
              if (closed) return;
              if (ready) send(record);
              else pending.push(record);
            });
            if (closed) return void unsubscribe?.();
            write(': connected\n\n');
            heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
            let records = 0;
            if (typeof source.list === 'function') {
              const latest = new Map();
              for (const record of await source.list()) {
                if (Number.isSafeInteger(record?.contractId)) latest.set(record.contractId, record);
              }
              for (const id of [...latest.keys()].sort((a, b) => a - b)) if (send(latest.get(id))) records += 1;
            }
            if (closed) return;
            write(`event: ready\ndata: ${JSON.stringify({ records })}\n\n`);
            ready = true;
            const changes = pending;
            pending = [];
            for (const record of changes) send(record);
          } catch (error) {
            log({ event: 'feed.source_failed', code: error?.code, error: error?.name });
            write(`event: error\ndata: ${JSON.stringify({ code: 'STORE_ERROR', message: 'The record store failed; reconnect for a fresh snapshot.' })}\n\n`);
            close(controller, 'source_failed');
          }
        },
        cancel() {
          close(null, 'client_left');
        },
      },
      new CountQueuingStrategy({ highWaterMark: 16 }),
    );
    request.signal?.addEventListener?.('abort', () => close(null, 'client_left'), { once: true });
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }
  Object.defineProperty(feed, 'connections', { get: () => connections.size });
  return feed;
}

/** A 53-bit hash of `text` (cyrb53): which version of a record a connection last sent. */
function hash(text) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
