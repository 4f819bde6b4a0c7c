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

// ---- Credential proxy (createProxy, hubspotSignatureAuthorizer) ----

/** One of the playbook's operations, as the proxy classified a request (the core's `classifyProxyRequest`). */
import type { ProxyOperation } from 'spotdraft-sync';
export type { ProxyOperation };

/** What the proxy's `log` hook receives: never a secret, a signature, a body or a URL. */
export interface ProxyLogEntry {
  part: 'proxy';
  event: 'proxy.request';
  /** The operation, or null when the request was refused before it was classified. */
  kind: ProxyOperation['kind'] | null;
  method: string;
  status: number;
  ms: number;
  /** The error code of a refusal (UNAUTHORIZED, FORBIDDEN, INVALID_ARGUMENT, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, INTERNAL). */
  code?: string;
  /** A create answered from the deduplication (a host's retry). */
  replayed?: boolean;
}

export interface ProxyOptions<Principal = unknown> {
  /** SpotDraft's client-id. */
  clientId: string;
  /** SpotDraft's client-secret: added to forwarded requests, never logged or answered. */
  clientSecret: string;
  /** SpotDraft's region (`https://api.<region>.spotdraft.com`); or `baseUrl`. */
  region?: 'in' | 'us' | 'eu' | 'me';
  /** SpotDraft's origin (e.g. the sandbox); a trailing `/api` is ignored. Or `region`. */
  baseUrl?: string;
  /**
   * Who is calling: a principal (anything but null/undefined), or null → 401 UNAUTHORIZED.
   * `request`'s body is still readable; `context.body` is its text ('' for none).
   */
  authorize(request: Request, context: { body: string }): Principal | null | undefined | Promise<Principal | null | undefined>;
  /** Per-principal refusal of a record: false → 403 FORBIDDEN. Default: everything allowed. */
  allow?(principal: Principal, operation: ProxyOperation): boolean | Promise<boolean>;
  /** Narrows the forwarded operations (default: all nine); others → 403 FORBIDDEN. */
  operations?: ProxyOperation['kind'][];
  /** The `user-email` header (an active workspace member) to send for this principal, if any. */
  userEmail?(principal: Principal, operation: ProxyOperation): string | null | undefined | Promise<string | null | undefined>;
  /** Largest request body in bytes (default 1 MiB); over it → 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes?: number;
  /** Timeout of one SpotDraft request (default 30000); over it → 504 TIMEOUT. */
  timeoutMs?: number;
  /** The workspace budget shared by every caller of this proxy (default 10 requests/s); callers over it wait, they are not refused. */
  maxRequestsPerSecond?: number;
  /** How long a create's answer is replayed to a retry with the same external_metadata.id (default 120000 ms; 0: only concurrent retries). */
  dedupeWindowMs?: number;
  /**
   * Look every create's `external_metadata.id` up before sending it, and answer the contract
   * found instead (default false): catches a host's retry that reaches another proxy process or
   * comes after a restart, for one more request per create; one external id then never gets a
   * second contract through this proxy.
   */
  lookupBeforeCreate?: boolean;
  /** A path prefix the proxy is mounted under (e.g. "/sd"), stripped before classification. */
  basePath?: string;
  /** Query parameters a host adds that are accepted and not forwarded (default: the authorizer's `hostQuery`, e.g. HubSpot's). */
  hostQuery?: string[];
  /** The fetch used to call SpotDraft (default: the global fetch), called with `redirect: "manual"`. */
  fetch?: typeof fetch;
  /** Called once per request; see ProxyLogEntry. */
  log?(entry: ProxyLogEntry): void;
}

/**
 * The credential proxy: forwards the playbook's SpotDraft calls from a credential-less
 * `SpotDraftClient({ baseUrl })` with the credentials added server-side. Answers SpotDraft's
 * JSON and status, or a JSON error `{ error: { code, message, details? } }`:
 * 400 INVALID_ARGUMENT (malformed path, id, query or body; `details[0].path` names the part),
 * 401 UNAUTHORIZED, 403 FORBIDDEN (out of flow, narrowed out or refused by `allow`),
 * 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE, 500 INTERNAL (a throwing hook),
 * 502 REDIRECT / NETWORK / INVALID_RESPONSE, 504 TIMEOUT. Never a 3xx.
 * Throws a SpotDraftError (INVALID_ARGUMENT) for wrong options.
 */
export declare function createProxy<Principal = unknown>(options: ProxyOptions<Principal>): (request: Request) => Promise<Response>;

/** The query parameters HubSpot appends to a card's requests: portalId, userId, userEmail, appId. */
export declare const HUBSPOT_QUERY_PARAMETERS: readonly string[];

/** What the HubSpot authorizer knows of a verified request (from HubSpot's query parameters, null when absent). */
export interface HubSpotRequestPrincipal {
  source: 'hubspot';
  portalId: string | null;
  userId: string | null;
  userEmail: string | null;
  appId: string | null;
  /** X-HubSpot-Request-Timestamp (ms). */
  timestamp: number;
}

/**
 * A ready `authorize` for requests from a HubSpot card (`hubspot.fetch`): verifies
 * X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp (older than 5 minutes or more than
 * 30 s ahead is refused) and returns `principal(request, payload)` or the payload; null on a
 * missing, forged or expired signature. `uri(request)`: the URL HubSpot called when it differs
 * from `request.url` (e.g. behind a TLS-terminating load balancer). `log` sees
 * `{ event: 'hubspot.signature.refused', reason }`. A replay within the 5 minutes is not refused.
 */
export declare function hubspotSignatureAuthorizer<Principal = HubSpotRequestPrincipal>(options: {
  appSecret: string;
  principal?(request: Request, payload: HubSpotRequestPrincipal): Principal | null | Promise<Principal | null>;
  uri?(request: Request): string;
  log?(entry: { part: 'hubspot'; event: 'hubspot.signature.refused'; reason: 'MISSING' | 'MALFORMED' | 'EXPIRED' | 'FROM_THE_FUTURE' | 'MISMATCH' }): void;
}): ((request: Request, context?: { body: string }) => Promise<Principal | null>) & { hostQuery: readonly string[] };
