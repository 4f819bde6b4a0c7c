// spotdraft-sync/server: the backend a browser or CRM-card user of this package needs —
// fetch-standard handlers, `(request: Request) => Promise<Response>`, that run in Node (through
// ./node.js), Cloudflare Workers and any fetch runtime. Copied into pkg/server/ by
// scripts/lib/server-entry.mjs; the Rust core comes from the package itself ('spotdraft-sync',
// resolved by the runtime's own conditions).
export { toNodeListener, serve } from './node.js';
export { createServerKit } from './kit.js';
export { createWebhookReceiver } from './receiver.js';
export { observeStore, createChangeFeed } from './feed.js';
