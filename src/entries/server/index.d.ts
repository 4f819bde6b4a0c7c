// Types of spotdraft-sync/server (src/entries/server/).
import type { Server, IncomingMessage, ServerResponse } from 'node:http';

/** A fetch-standard handler: what every part of the server kit is. */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

/** A node:http listener running `handler`; a handler that throws answers 500 `INTERNAL`. */
export declare function toNodeListener(
  handler: FetchHandler,
  options?: { base?: string; onError?: (error: unknown) => void },
): (req: IncomingMessage, res: ServerResponse) => void;

/** Serves `handler` on `host` (default 127.0.0.1) and `port` (default 0: any free port). */
export declare function serve(
  handler: FetchHandler,
  options?: { port?: number; host?: string; onError?: (error: unknown) => void },
): Promise<{ url: string; server: Server; close(): Promise<void> }>;

/**
 * One handler for the whole kit: `/api/…` → `proxy`, `paths.webhooks` (default
 * `/webhooks/spotdraft`) → `receiver`, `paths.events` (default `/events`) → `feed`,
 * `paths.health` (default `/healthz`) → `{"ok":true}`, anything else → `fallback` or a 404
 * `NOT_FOUND` JSON answer. It checks nothing itself: each part authorises its requests.
 */
export declare function createServerKit(parts?: {
  proxy?: FetchHandler;
  receiver?: FetchHandler;
  feed?: FetchHandler;
  fallback?: FetchHandler;
  paths?: { webhooks?: string; events?: string; health?: string };
}): (request: Request) => Promise<Response>;
