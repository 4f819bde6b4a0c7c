#!/usr/bin/env node
// `npm run server`: the reference server (scripts/lib/reference-server.mjs) — proxy, webhook
// receiver, SQLite store and change feed — against a real workspace when SPOTDRAFT_REGION or
// SPOTDRAFT_BASE_URL is set, else against the local sandbox it starts. Runs until Ctrl-C.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from './lib/sandbox-process.mjs';
import { settingsFromEnv, startReferenceServer } from './lib/reference-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const settings = settingsFromEnv();
const sandbox = settings.target ? null : await startSandbox(root);
const log = (entry) => console.log(JSON.stringify(entry));
const server = await startReferenceServer(settings, { sandboxUrl: sandbox?.url, log });
console.log(`Reference server: ${server.url}`);
console.log(`  proxy     ${server.url}/api/v2.1/public/…   (Authorization: Bearer <SPOTDRAFT_SERVER_TOKEN>)`);
console.log(`  webhooks  ${server.url}/webhooks/spotdraft`);
console.log(`  feed      ${server.url}/events             (Server-Sent Events)`);
console.log(`  store     ${settings.database} (SQLite)`);
if (!settings.token) console.log(`  token     generated for this run: ${server.token}`);
console.log(sandbox ? `  SpotDraft: the local sandbox at ${sandbox.url}` : '  SpotDraft: your workspace');
console.log('Press Ctrl-C to stop.');
const stop = async () => {
  await server.close();
  await sandbox?.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
