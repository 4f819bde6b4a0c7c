#!/usr/bin/env node
// `npm start`: the main job. Runs SpotDraft's integration playbook end to end with the built
// package — against the local sandbox (started here), or against a real workspace when
// SPOTDRAFT_REGION or SPOTDRAFT_BASE_URL (+ SPOTDRAFT_CLIENT_ID, SPOTDRAFT_CLIENT_SECRET,
// SPOTDRAFT_TEMPLATE_ID) are set — and prints the sync record. Then it serves the demo page and
// the reference server (scripts/lib/reference-server.mjs) against the sandbox until Ctrl-C
// (`--once` exits after the playbook).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpotDraftClient } from 'spotdraft-sync';
import { startStaticServer } from './lib/static-server.mjs';
import { startSandbox } from './lib/sandbox-process.mjs';
import { clientFromEnv, runPlaybook } from './playbook.mjs';
import { settingsFromEnv, startReferenceServer } from './lib/reference-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const once = process.argv.includes('--once');
const real = clientFromEnv();

if (real) {
  console.log('Running the playbook against your SpotDraft workspace (no sandbox-only steps).');
  const record = await runPlaybook({ root, client: real, templateId: Number(process.env.SPOTDRAFT_TEMPLATE_ID) || undefined });
  console.log('\nSync record:\n' + JSON.stringify(record, null, 2));
  process.exit(0);
}

const sandbox = await startSandbox(root);
let exitCode = 0;
try {
  console.log(`SpotDraft sandbox: ${sandbox.url}\n`);
  const client = new SpotDraftClient({ baseUrl: sandbox.url, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' });
  const record = await runPlaybook({ root, client, sandboxUrl: sandbox.url });
  console.log('\nSync record:\n' + JSON.stringify(record, null, 2));
} catch (error) {
  console.error(`\nThe playbook failed: ${error.code ?? error.name}: ${error.message}`);
  exitCode = 1;
}
if (once || exitCode) {
  await sandbox.stop();
  process.exit(exitCode);
}
const site = await startStaticServer({ root, port: Number(process.env.PORT ?? 8080) });
// The reference server (README, "Reference server") against the same sandbox: the proxy a page
// calls without the secret, the webhook receiver the sandbox delivers to, the SQLite store and
// the change feed.
const settings = { ...settingsFromEnv(), target: null, port: Number(process.env.SERVER_PORT ?? 8787) };
const server = await startReferenceServer(settings, { sandboxUrl: sandbox.url });
console.log(`\nDemo page: ${site.url}/www/index.html?baseUrl=${encodeURIComponent(sandbox.url)}`);
console.log(`Reference server: ${server.url} (proxy /api/v2.1/public/…, webhooks /webhooks/spotdraft, feed /events; token ${server.token}; store ${settings.database})`);
console.log('Press Ctrl-C to stop.');
const stop = async () => {
  await server.close();
  await site.close();
  await sandbox.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
