/// <reference types="node" />
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

/** What the server kit's handlers log through `log(entry)`: never a secret, key, signature or signed URL. */
export interface ServerLogEntry {
  /** Which part logged: `"receiver"`, `"feed"`, … */
  part: string;
  /** What happened, e.g. `"webhook.accepted"`, `"webhook.refused"`, `"feed.open"`. */
  event: string;
  [field: string]: unknown;
}

/** The `waitUntil` of a fetch runtime's per-request context (Workers' `ctx`). */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A fetch-standard handler that also takes the runtime's context (Workers' `ctx`). */
export type ContextHandler = ((request: Request, context?: WaitUntilContext) => Promise<Response>);

/** Options of {@link createWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** The engine that verifies, applies and stores each delivery. */
  engine: import('spotdraft-sync').SyncEngine;
  /**
   * Largest body read, in bytes (default and most 1 MiB, the engine's own limit). A larger
   * `Content-Length` is refused unread; an undeclared length is counted while reading and the
   * read stops at the limit. Either way: 413 `PAYLOAD_TOO_LARGE`.
   */
  maxBodyBytes?: number;
  /**
   * When the follow-up calls (key pointers, document link, status) run:
   * - `"after"` (default): answer once the record is stored, then run them in the background
   *   (passed to `context.waitUntil` when the handler gets a context, e.g. Workers' `ctx`);
   * - `"before"`: run them before answering (SpotDraft asks for fast answers);
   * - `"none"`: never; call `engine.runPendingActions(contractId)` yourself (e.g. from a queue).
   * An action that failed, or never ran because the process died, stays flagged on the record
   * (`needsAttention`) for `runPendingActions`; SpotDraft does not redeliver for it.
   */
  actions?: 'after' | 'before' | 'none';
  /** `Retry-After` of a 503 `STORE_ERROR` answer, in seconds (default 30). */
  retryAfterSeconds?: number;
  /** Log hook (default: none). Entries hold codes, contract ids and dispositions only. */
  log?: (entry: ServerLogEntry) => void;
  /**
   * Called once the record is stored, before answering. If it throws, the answer is 500
   * `INTERNAL`: SpotDraft redelivers, the engine takes the redelivery as a `DUPLICATE` and the
   * hook sees it again (at least once).
   */
  onResult?: (result: import('spotdraft-sync').HandleWebhookResult, request: Request) => unknown;
}

/**
 * A receiver of SpotDraft webhooks: POST only, the raw body bytes (never re-serialised JSON)
 * to `engine.handleWebhook` with the request's headers, and 200
 * `{"ok":true,"contractId","disposition","changed"}` only after the store committed. A
 * redelivery answers 200 again (`"disposition":"DUPLICATE"`, nothing written).
 *
 * Answers (JSON errors): 405 `METHOD_NOT_ALLOWED`; 413 `PAYLOAD_TOO_LARGE`; 401
 * `WEBHOOK_SIGNATURE_INVALID` (forged or unsigned: nothing stored); 400
 * `WEBHOOK_RAW_BODY_REQUIRED` / `WEBHOOK_PAYLOAD_INVALID` (with the engine's details); 503
 * `STORE_ERROR` with `Retry-After` (SpotDraft redelivers); 500 `INTERNAL` for anything else
 * (its message is not sent). It does not check the content type (the signature decides).
 */
export declare function createWebhookReceiver(options: WebhookReceiverOptions): ContextHandler & {
  /** Resolves once no follow-up actions this receiver started are running (for shutdown and tests). */
  idle(): Promise<void>;
};

/** A change a store accepted: the key written and the record stored under it. */
export interface StoreChange {
  key: string;
  record: import('spotdraft-sync').SyncRecord;
}

/** Anything a change feed can follow: `observeStore(store)`, or a store with its own notifications. */
export interface ChangeSource {
  /** Calls `listener` after each accepted write; returns (or resolves to) the unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): (() => void) | Promise<() => void>;
  /** Every stored record (the feed's initial snapshot); without it the feed starts empty. */
  list?(): Promise<import('spotdraft-sync').SyncRecord[]> | import('spotdraft-sync').SyncRecord[];
}

/**
 * `store` with the same methods — `get`, `put`, `list` and any others (`getVersioned`,
 * `putIfVersion`, …) passed through unchanged — plus change notifications: each listener runs
 * after each successful `put` (and each `putIfVersion` that wrote). A throwing listener is
 * ignored. It does not notify about writes made to `store` directly or by other processes.
 */
export declare function observeStore<S extends import('spotdraft-sync').SyncStore>(
  store: S,
): S & ChangeSource & { readonly subscriberCount: number };

/** Options of {@link createChangeFeed}. */
export interface ChangeFeedOptions<P = unknown> {
  /** Where changes come from. */
  source: ChangeSource;
  /** The principal of a request, or null (→ 401 `UNAUTHORIZED`). */
  authorize(request: Request): P | null | undefined | Promise<P | null | undefined>;
  /** Whether `principal` may see `record` (synchronous; default: every record). A throw hides it. */
  canSee?(principal: P, record: import('spotdraft-sync').SyncRecord): boolean;
  /** Milliseconds between `: heartbeat` comments (default 15,000). */
  heartbeatMs?: number;
  /** Events a slow client may fall behind before it is disconnected (default 1,000). */
  maxQueuedEvents?: number;
  /** Log hook (default: none). */
  log?: (entry: ServerLogEntry) => void;
}

/**
 * A GET handler streaming sync-record changes as Server-Sent Events (`text/event-stream`):
 * - `event: record` / `id: <increasing>` / `data: <SyncRecord JSON>` for each record the
 *   principal may see in `source.list()` (the snapshot, by contract id), then
 * - `event: ready` / `data: {"records":<n>}`, then
 * - `event: record` for each change after, once per version (a record written under several
 *   keys appears once), and a `: heartbeat` comment every `heartbeatMs`;
 * - `event: error` / `data: {"code":"STORE_ERROR",…}` then the end, when the source fails.
 *
 * `Last-Event-ID` is not used: ids are not kept anywhere, and a reconnecting client gets a
 * fresh snapshot. A client that leaves ends its subscription. Errors: 401 `UNAUTHORIZED`,
 * 405 `METHOD_NOT_ALLOWED`, 500 `INTERNAL` when `authorize` throws.
 */
export declare function createChangeFeed<P = unknown>(
  options: ChangeFeedOptions<P>,
): ((request: Request) => Promise<Response>) & {
  /** Open connections. */
  readonly connections: number;
};
