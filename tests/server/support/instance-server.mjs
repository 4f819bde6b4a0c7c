// One instance of the many-instances run: serve()s a webhook handler over a SyncEngine with
// its own PostgresStore (one shared table), mapping STORE_ERROR → 503 (the sender retries),
// a bad or missing signature → 401, other webhook errors → 400. Sends { url } over IPC.
import * as sd from 'spotdraft-sync';
import { serve } from 'spotdraft-sync/server';
import { PostgresStore } from 'spotdraft-sync/server/postgres';

const { sandboxUrl, pgUrl, table, hmacKey, clientId, clientSecret } = JSON.parse(process.argv[2]);
const store = new PostgresStore({ connectionString: pgUrl, table });
const client = new sd.SpotDraftClient({ baseUrl: sandboxUrl, clientId, clientSecret, maxRequestsPerSecond: 1000 });
const engine = new sd.SyncEngine({ client, store, webhookKeys: hmacKey });

const STATUS = { WEBHOOK_SIGNATURE_INVALID: 401, STORE_ERROR: 503, WEBHOOK_PAYLOAD_INVALID: 400, WEBHOOK_RAW_BODY_REQUIRED: 400 };

const server = await serve(async (request) => {
  try {
    await engine.handleWebhook(await request.arrayBuffer(), request.headers);
    return new Response(null, { status: 204 });
  } catch (e) {
    const status = STATUS[e.code] ?? 500;
    const message = status === 500 ? 'The webhook could not be handled; it will be retried.' : e.message;
    return Response.json({ error: { code: status === 500 ? 'INTERNAL' : e.code, message } }, { status });
  }
});
process.send({ url: server.url });
