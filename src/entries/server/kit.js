// createServerKit: one fetch-standard handler that routes to the server kit's parts — the
// credential proxy under SpotDraft's own path (`/api/v2.1/public/…`, so a browser
// `SpotDraftClient({ baseUrl })` works unchanged), the webhook receiver, the change feed and a
// health check. It does no checking of its own: each part authorises and validates.
import { errorResponse, invalidOption } from './http.js';

/**
 * @param {{
 *   proxy?: (request: Request) => Promise<Response>,
 *   receiver?: (request: Request) => Promise<Response>,
 *   feed?: (request: Request) => Promise<Response>,
 *   fallback?: (request: Request) => Promise<Response> | Response,
 *   paths?: { webhooks?: string, events?: string, health?: string },
 * }} parts
 */
export function createServerKit({ proxy, receiver, feed, fallback, paths = {} } = {}) {
  const webhooks = paths.webhooks ?? '/webhooks/spotdraft';
  const events = paths.events ?? '/events';
  const health = paths.health ?? '/healthz';
  for (const [name, part] of Object.entries({ proxy, receiver, feed, fallback })) {
    if (part !== undefined && typeof part !== 'function') {
      throw invalidOption(`parts.${name}`, 'must be a fetch handler (request) => Response, e.g. what createProxy, createWebhookReceiver or createChangeFeed return');
    }
  }
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (proxy && pathname.startsWith('/api/')) return proxy(request);
    if (receiver && pathname === webhooks) return receiver(request);
    if (feed && pathname === events) return feed(request);
    if (pathname === health) return Response.json({ ok: true });
    if (fallback) return fallback(request);
    return errorResponse(404, 'NOT_FOUND', `Nothing is served at ${pathname}: the proxy is under /api/v2.1/public/, webhooks go to ${webhooks}, the change feed is ${events}.`);
  };
}
