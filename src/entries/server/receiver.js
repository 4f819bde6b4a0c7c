// `createWebhookReceiver({ engine })`: SpotDraft's webhook deliveries in, records stored,
// answered so that SpotDraft's retries lead to the right final state. A fetch-standard handler:
// it reads the raw body bytes (never re-serialised JSON) up to a limit, hands them with the
// request headers to `engine.handleWebhook`, and answers 2xx only once that resolved, i.e.
// after the store's put. Verification, parsing, ordering and dedupe are the engine's (Rust);
// this only maps its outcome to HTTP and decides when the follow-up actions run.
//
// It does NOT check the content type (the signature decides), keep its own dedupe state, or
// retry failed follow-up actions: their flags stay on the record for `runPendingActions`.
import { errorResponse, invalidOption, logger, readLimitedBody } from './http.js';

const MIB = 1024 * 1024;
const ACTION_MODES = ['after', 'before', 'none'];

/** The codes the receiver answers with, by the engine's code. */
const REFUSED = {
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_RAW_BODY_REQUIRED: 400,
  WEBHOOK_PAYLOAD_INVALID: 400,
  STORE_ERROR: 503,
};

/**
 * A fetch-standard handler receiving SpotDraft webhooks into `engine` (a `SyncEngine`).
 *
 * `actions`: when the follow-up calls (key pointers, document link, status) run —
 * `'after'` (default) answers as soon as the record is stored and runs them afterwards, in
 * the background (`context.waitUntil(promise)` when the caller passes a context, as Workers'
 * `ctx`); `'before'` runs them before answering (slower answers, SpotDraft asks for fast
 * ones); `'none'` leaves them to the user (`engine.runPendingActions`). Either way, an action
 * that failed or never ran (the process died) stays flagged on the record.
 *
 * @param {{ engine: { handleWebhook: Function, runPendingActions: Function }, maxBodyBytes?: number,
 *   actions?: 'after' | 'before' | 'none', retryAfterSeconds?: number,
 *   log?: (entry: object) => void, onResult?: (result: object, request: Request) => unknown }} options
 */
export function createWebhookReceiver(options) {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'must be an object such as { engine }');
  const { engine, maxBodyBytes = MIB, actions = 'after', retryAfterSeconds = 30, onResult } = options;
  if (typeof engine?.handleWebhook !== 'function' || typeof engine?.runPendingActions !== 'function') {
    throw invalidOption('options.engine', 'must be a SyncEngine (with handleWebhook and runPendingActions)');
  }
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > MIB) {
    // The engine refuses bodies over 1 MiB itself: a larger limit would only read more.
    throw invalidOption('options.maxBodyBytes', `must be a whole number of bytes from 1 to ${MIB}`);
  }
  if (!ACTION_MODES.includes(actions)) throw invalidOption('options.actions', `must be one of ${ACTION_MODES.map((m) => `'${m}'`).join(', ')}`);
  if (!Number.isSafeInteger(retryAfterSeconds) || retryAfterSeconds < 0) throw invalidOption('options.retryAfterSeconds', 'must be a whole number of seconds');
  if (onResult !== undefined && typeof onResult !== 'function') throw invalidOption('options.onResult', 'must be a function (result, request) => void');
  const log = logger(options.log, 'receiver');
  const background = backgroundActions(engine, log);

  async function receive(request, context) {
    const started = Date.now();
    const refuse = (status, code, message, extra = {}) => {
      log({ event: 'webhook.refused', status, code, ...extra.logged, ms: Date.now() - started });
      return errorResponse(status, code, message, extra);
    };
    if (request.method !== 'POST') {
      return refuse(405, 'METHOD_NOT_ALLOWED', 'SpotDraft webhooks are POST requests.', { headers: { allow: 'POST' } });
    }
    const body = await readLimitedBody(request, maxBodyBytes);
    if (body === null) {
      return refuse(413, 'PAYLOAD_TOO_LARGE', `The body is over this receiver's limit of ${maxBodyBytes} bytes; nothing was read further.`, { headers: { connection: 'close' } });
    }
    let result;
    try {
      result = await engine.handleWebhook(body, request.headers, { runActions: actions === 'before' });
    } catch (error) {
      const code = spotDraftCode(error);
      const status = REFUSED[code];
      const logged = code ? { detail: error.details?.[0]?.code, message: code === 'WEBHOOK_SIGNATURE_INVALID' ? undefined : error.message } : { error: error?.name };
      if (status === 401) {
        return refuse(401, code, 'The delivery\'s signature does not match its body with this receiver\'s key: nothing was stored.', { logged });
      }
      if (status === 400) return refuse(400, code, error.message, { details: error.details, logged });
      if (status === 503) {
        return refuse(503, code, 'The record store is unavailable: nothing was acknowledged. SpotDraft redelivers; the engine applies each event once.', {
          headers: { 'retry-after': String(retryAfterSeconds) },
          logged,
        });
      }
      return refuse(500, 'INTERNAL', 'The receiver failed on this delivery; see its log.', { logged: { ...logged, upstreamCode: code } });
    }
    const { contractId } = result.record;
    if (onResult) {
      try {
        await onResult(result, request);
      } catch (error) {
        // Stored, but the user's hook failed: ask for a redelivery, which the engine takes
        // as a DUPLICATE and hands to the hook again.
        return refuse(500, 'INTERNAL', 'The receiver failed on this delivery; see its log.', { logged: { contractId, error: spotDraftCode(error) ?? error?.name, in: 'onResult' } });
      }
    }
    if (actions === 'after' && result.actions.length > 0) {
      const done = background.run(contractId);
      if (typeof context?.waitUntil === 'function') context.waitUntil(done);
    }
    log({ event: 'webhook.accepted', status: 200, contractId, disposition: result.disposition, changed: result.changed, actions: result.actions.map((a) => a.kind), ms: Date.now() - started });
    return Response.json({ ok: true, contractId, disposition: result.disposition, changed: result.changed });
  }
  /** Resolves once no follow-up actions started by this receiver are running. */
  receive.idle = () => background.idle();
  return receive;
}

/**
 * `engine.runPendingActions` per contract, one run at a time per contract: a request while
 * one runs makes it run once more after (the new event may have flagged more).
 */
function backgroundActions(engine, log) {
  const running = new Map();
  return {
    run(contractId) {
      const current = running.get(contractId);
      if (current) {
        current.again = true;
        return current.done;
      }
      const entry = { again: true };
      entry.done = (async () => {
        try {
          while (entry.again) {
            entry.again = false;
            const { actionResults } = await engine.runPendingActions(contractId);
            log({ event: 'webhook.actions', contractId, results: actionResults.map((a) => [a.kind, a.outcome]) });
          }
        } catch (error) {
          log({ event: 'webhook.actions_failed', contractId, code: spotDraftCode(error) ?? error?.name });
        } finally {
          running.delete(contractId);
        }
      })();
      running.set(contractId, entry);
      return entry.done;
    },
    async idle() {
      while (running.size) await Promise.all([...running.values()].map((e) => e.done));
    },
  };
}

/** The stable code of a SpotDraftError, else `undefined`. */
function spotDraftCode(error) {
  return error instanceof Error && error.name === 'SpotDraftError' && typeof error.code === 'string' ? error.code : undefined;
}
