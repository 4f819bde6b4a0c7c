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
