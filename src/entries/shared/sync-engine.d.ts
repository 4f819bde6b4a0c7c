// The public face of `SyncEngine` (src/entries/shared/sync-engine.js): the glue's class with
// the one-argument constructor users call. Hand-written, copied beside each build's glue.
import { SyncEngine as GeneratedSyncEngine, type SyncEngineOptions } from './spotdraft_sync.js';

/**
 * Syncs SpotDraft contracts back into your system: verified webhooks update a record per
 * contract, follow-up calls fetch key pointers and note the executed file, `reconcile`
 * repairs drift within a request budget, and `fetchDocument` pulls the file on demand.
 *
 * ```js
 * const engine = new SyncEngine({ client, store: new MemoryStore(), webhookKeys: process.env.SPOTDRAFT_HMAC_KEY });
 * app.post("/spotdraft", express.raw({ type: "application/json" }), async (req, res) => {
 *   try {
 *     const { record } = await engine.handleWebhook(req.body, req.headers);
 *     res.sendStatus(204);
 *   } catch (e) {
 *     res.sendStatus(e.code === "WEBHOOK_SIGNATURE_INVALID" ? 401 : e.code === "STORE_ERROR" ? 503 : 400);
 *   }
 * });
 * ```
 */
export declare class SyncEngine extends GeneratedSyncEngine {
    /**
     * Creates an engine over `options.client`, which it shares with you (your client stays
     * usable). Throws a `SpotDraftError` `INVALID_ARGUMENT` when an option is wrong, naming it
     * (a bad webhook key is named by its index, never shown).
     */
    constructor(options: SyncEngineOptions);
}
