// The reference server's change feed (`/events`, Server-Sent Events; the session cookie
// authenticates it): every record the store accepts, once per version. One EventSource for the
// page; views subscribe to the records they show and unsubscribe when they go.

const listeners = new Set();
let source = null;
let state = 'connecting';
const stateListeners = new Set();

function setState(next) {
  state = next;
  for (const listener of stateListeners) listener(state);
}

function connect() {
  if (source) return;
  source = new EventSource('/events');
  source.addEventListener('ready', () => setState('live'));
  source.addEventListener('record', (event) => {
    let record;
    try {
      record = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const listener of [...listeners]) listener(record);
  });
  // EventSource reconnects by itself; the server sends a fresh snapshot then.
  source.addEventListener('error', () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
}

/** Calls `listener(record)` for every record the feed sends; returns the unsubscribe. */
export function onRecord(listener) {
  connect();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls `listener(state)` now and on each change: 'connecting', 'live', 'reconnecting', 'closed'. */
export function onFeedState(listener) {
  connect();
  stateListeners.add(listener);
  listener(state);
  return () => stateListeners.delete(listener);
}
