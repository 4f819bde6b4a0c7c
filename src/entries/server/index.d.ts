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

// ---- Credential proxy (createProxy, hubspotSignatureAuthorizer) ----

/** One of the playbook's operations, as the proxy classified a request (the core's `classifyProxyRequest`). */
import type { ProxyOperation } from 'spotdraft-sync';
export type { ProxyOperation };

/** What the proxy's `log` hook receives: never a secret, a signature, a body or a URL. */
export interface ProxyLogEntry {
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
  log?(entry: { event: 'hubspot.signature.refused'; reason: 'MISSING' | 'MALFORMED' | 'EXPIRED' | 'FROM_THE_FUTURE' | 'MISMATCH' }): void;
}): ((request: Request, context?: { body: string }) => Promise<Principal | null>) & { hostQuery: readonly string[] };
