// The reference server (`npm run server`, and `npm start` through scripts/start.mjs): the
// server kit of spotdraft-sync/server put together — credential proxy, webhook receiver,
// SQLite store, change feed — configured by environment variables (README, "Reference
// server"). Against the local sandbox it also registers its webhook there and reads the HMAC
// key; against a real workspace you register the webhook in SpotDraft and pass its key.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SpotDraftClient, SyncEngine } from 'spotdraft-sync';
import {
  createChangeFeed, createProxy, createServerKit, createWebhookReceiver, hubspotSignatureAuthorizer, observeStore, serve,
} from 'spotdraft-sync/server';
import { SqliteStore } from 'spotdraft-sync/server/sqlite';

/** The contract activities the sync engine acts on (register these for your webhook too). */
export const SYNC_ACTIVITIES = ['CONTRACT_CREATED', 'CONTRACT_SENT_TO_COUNTERPARTY', 'CONTRACT_SIGNATURE_REQUESTED', 'CONTRACT_SIGNED', 'CONTRACT_EXECUTED', 'CONTRACT_VOIDED'];

/** The settings the environment gives, with the defaults the README documents. */
export function settingsFromEnv(env = process.env) {
  const target = env.SPOTDRAFT_REGION ? { region: env.SPOTDRAFT_REGION } : env.SPOTDRAFT_BASE_URL ? { baseUrl: env.SPOTDRAFT_BASE_URL } : null;
  return {
    target,
    clientId: env.SPOTDRAFT_CLIENT_ID,
    clientSecret: env.SPOTDRAFT_CLIENT_SECRET,
    userEmail: env.SPOTDRAFT_USER_EMAIL || undefined,
    webhookKeys: env.SPOTDRAFT_WEBHOOK_KEY ? env.SPOTDRAFT_WEBHOOK_KEY.split(',').map((k) => k.trim()).filter(Boolean) : [],
    database: env.SPOTDRAFT_DB ?? 'spotdraft-sync.db',
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 8787),
    token: env.SPOTDRAFT_SERVER_TOKEN || undefined,
    hubspotAppSecret: env.HUBSPOT_APP_SECRET || undefined,
    publicUrl: env.SPOTDRAFT_PUBLIC_URL || undefined,
  };
}

/** `Authorization: Bearer <token>` or the `sd_session` cookie (EventSource sends no headers). */
function bearerAuthorizer(token) {
  const expected = Buffer.from(token);
  const matches = (given) => {
    const bytes = Buffer.from(given ?? '');
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };
  return (request) => {
    const header = request.headers.get('authorization') ?? '';
    const cookie = /(?:^|;\s*)sd_session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
    if (header.startsWith('Bearer ') && matches(header.slice(7))) return { id: 'portal', via: 'token' };
    if (cookie && matches(decodeURIComponent(cookie))) return { id: 'portal', via: 'cookie' };
    return null;
  };
}

/** The first authorizer that gives a principal, else null. */
const anyOf = (authorizers) => async (request) => {
  for (const authorize of authorizers) {
    const principal = await authorize(request);
    if (principal) return principal;
  }
  return null;
};

/**
 * Starts the reference server. `settings.target` null means the local sandbox at
 * `sandboxUrl` (with its sandbox credentials, webhook registration and HMAC key).
 * `app({ engine, store, client, authorize, sandboxUrl, log })` may return a handler for
 * every other path (the portal, scripts/lib/portal/); `fallback` is a plain one.
 * Resolves with `{ url, token, engine, store, close() }`.
 */
export async function startReferenceServer(settings, { sandboxUrl, log = () => {}, fallback, app } = {}) {
  const sandbox = !settings.target;
  if (sandbox && !sandboxUrl) throw new Error('startReferenceServer: no SPOTDRAFT_REGION / SPOTDRAFT_BASE_URL and no sandbox URL');
  const credentials = sandbox
    ? { baseUrl: sandboxUrl, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' }
    : { ...settings.target, clientId: settings.clientId, clientSecret: settings.clientSecret };
  const client = new SpotDraftClient({ ...credentials, ...(settings.userEmail ? { userEmail: settings.userEmail } : {}) });
  let webhookKeys = settings.webhookKeys;
  if (sandbox && webhookKeys.length === 0) webhookKeys = [(await client.getWebhookHmacKey()).hmacKey];
  if (webhookKeys.length === 0) throw new Error('Set SPOTDRAFT_WEBHOOK_KEY to the HMAC key SpotDraft shows for your webhook (GET /webhooks/hmac_key/).');
  if (!sandbox && !settings.token) throw new Error('Set SPOTDRAFT_SERVER_TOKEN: the token your pages send to the proxy and the feed (a long random string).');
  // Against the sandbox a token per run is enough; it is printed for the demo page.
  const token = settings.token ?? randomBytes(24).toString('base64url');

  const store = observeStore(new SqliteStore(settings.database));
  const engine = new SyncEngine({ client, store, webhookKeys });
  const authorizers = [bearerAuthorizer(token)];
  if (settings.hubspotAppSecret) authorizers.push(hubspotSignatureAuthorizer({ appSecret: settings.hubspotAppSecret }));
  const authorize = anyOf(authorizers);

  const appHandler = app ? await app({ engine, store, client, authorize, sandboxUrl: sandbox ? sandboxUrl : undefined, log }) : fallback;
  const handler = createServerKit({
    proxy: createProxy({ ...credentials, ...(settings.userEmail ? { userEmail: () => settings.userEmail } : {}), authorize, log }),
    receiver: createWebhookReceiver({ engine, log }),
    feed: createChangeFeed({ source: store, authorize, log }),
    fallback: appHandler,
  });
  const server = await serve(handler, { host: settings.host, port: settings.port, onError: (error) => log({ level: 'error', message: String(error?.code ?? error?.name) }) });

  // The sandbox delivers to loopback; a real workspace needs a public https URL, registered
  // once in SpotDraft (its key then goes in SPOTDRAFT_WEBHOOK_KEY).
  const webhook = sandbox
    ? await client.registerWebhook({ title: 'spotdraft-sync reference server', url: `${server.url}/webhooks/spotdraft`, activities: SYNC_ACTIVITIES })
    : undefined;
  return {
    url: server.url,
    token,
    engine,
    store,
    client,
    close: async () => {
      if (webhook) await client.deleteWebhook(webhook.id).catch(() => {});
      await server.close();
      store.close?.();
    },
  };
}
