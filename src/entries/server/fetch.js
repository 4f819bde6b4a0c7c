// spotdraft-sync/server in any fetch runtime (Cloudflare Workers, Deno, Bun, Node): the
// fetch-standard handlers, `(request: Request) => Promise<Response>`, without the node:http
// adapter (./node.js), so nothing here imports a Node built-in. Copied into pkg/server/ by
// scripts/lib/server-entry.mjs; the Rust core comes from the package itself ('spotdraft-sync',
// resolved by the runtime's own conditions).
export { createServerKit } from './kit.js';
export { createWebhookReceiver } from './receiver.js';
export { observeStore, createChangeFeed } from './feed.js';
export { createProxy, hubspotSignatureAuthorizer, HUBSPOT_QUERY_PARAMETERS } from './proxy.js';
