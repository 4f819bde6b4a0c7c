// A small EventSource-style client for the feed tests: reads a `text/event-stream` answer and
// parses it as the HTML spec's EventSource does (fields `event`, `id`, `data` — several
// `data` lines joined by "\n" — comment lines starting with ":", an event dispatched at a
// blank line), keeping every event and comment it saw.
import assert from 'node:assert/strict';

/** Opens `url` (GET) with `headers`; resolves once the answer's head arrived. */
export async function openFeed(url, headers = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const feed = { status: response.status, headers: response.headers, events: [], comments: [], ended: false, response };
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    feed.body = await response.text();
    feed.ended = true;
    return feed;
  }
  const listeners = new Set();
  const changed = () => listeners.forEach((f) => f());
  feed.done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    let current = { data: [] };
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
          if (line === '') {
            if (current.data.length) feed.events.push({ event: current.event ?? 'message', id: current.id, data: current.data.join('\n') });
            current = { data: [] };
          } else if (line.startsWith(':')) feed.comments.push(line.slice(1).trim());
          else {
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') current.data.push(value);
            else if (field === 'event' || field === 'id') current[field] = value;
          }
          changed();
        }
      }
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    } finally {
      feed.ended = true;
      changed();
    }
  })();
  feed.close = () => controller.abort();
  /** Resolves with `check()`'s value once truthy (re-checked as lines arrive); fails after `ms`. */
  feed.until = (check, ms = 10_000, what = 'the feed') => new Promise((resolve, reject) => {
    const tryIt = () => {
      const value = check(feed);
      if (value) {
        listeners.delete(tryIt);
        clearTimeout(timer);
        resolve(value);
      } else if (feed.ended) {
        listeners.delete(tryIt);
        clearTimeout(timer);
        reject(new assert.AssertionError({ message: `the feed ended before ${what}` }));
      }
    };
    const timer = setTimeout(() => {
      listeners.delete(tryIt);
      reject(new assert.AssertionError({ message: `timed out waiting for ${what}; got ${JSON.stringify(feed.events.map((e) => e.event))}` }));
    }, ms);
    listeners.add(tryIt);
    tryIt();
  });
  /** The records of `event: record` after `event: ready` (the changes), or before it (the snapshot). */
  feed.records = (part) => {
    const ready = feed.events.findIndex((e) => e.event === 'ready');
    const slice = part === 'snapshot' ? feed.events.slice(0, ready === -1 ? undefined : ready) : ready === -1 ? [] : feed.events.slice(ready + 1);
    return slice.filter((e) => e.event === 'record').map((e) => JSON.parse(e.data));
  };
  return feed;
}
