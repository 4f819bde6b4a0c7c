#!/usr/bin/env node
// `npm start`: the main job. Against the local sandbox (started here) it runs SpotDraft's
// integration playbook end to end with the built package, prints the sync record, then serves
// the portal (www/, scripts/lib/portal/) on the reference server (scripts/lib/reference-server.mjs)
// until Ctrl-C. With SPOTDRAFT_REGION or SPOTDRAFT_BASE_URL (+ SPOTDRAFT_CLIENT_ID,
// SPOTDRAFT_CLIENT_SECRET, SPOTDRAFT_WEBHOOK_KEY, SPOTDRAFT_SERVER_TOKEN) the portal points at
// that workspace instead, without sandbox controls and without the playbook (which would create
// and send a real contract on every start). `--once` runs only the playbook (against the sandbox,
// or the workspace with SPOTDRAFT_TEMPLATE_ID) and exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpotDraftClient } from 'spotdraft-sync';
import { startSandbox } from './lib/sandbox-process.mjs';
import { clientFromEnv, runPlaybook } from './playbook.mjs';
import { settingsFromEnv, startReferenceServer } from './lib/reference-server.mjs';
import { portalApp } from './lib/portal/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const once = process.argv.includes('--once');
const real = clientFromEnv();

if (real && once) {
  console.log('Running the playbook against your SpotDraft workspace (no sandbox-only steps).');
  const record = await runPlaybook({ root, client: real, templateId: Number(process.env.SPOTDRAFT_TEMPLATE_ID) || undefined });
  console.log('\nSync record:\n' + JSON.stringify(record, null, 2));
  process.exit(0);
}
if (real) {
  const settings = settingsFromEnv();
  const server = await startReferenceServer(settings, { app: portalApp(root) });
  console.log(`Portal for your SpotDraft workspace: ${server.url}/  (sign in with SPOTDRAFT_SERVER_TOKEN; store ${settings.database})`);
  console.log('Register its webhook in SpotDraft: <your public https URL>/webhooks/spotdraft. Press Ctrl-C to stop.');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {});
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
// The portal on the reference server (README, "The portal"): proxy, webhook receiver, SQLite
// store and change feed against the same sandbox, and the page in www/ on the same origin. The
// sandbox forgets everything when it stops, so its store is a fresh file per run unless
// SPOTDRAFT_DB names one.
const database = process.env.SPOTDRAFT_DB ?? join(mkdtempSync(join(tmpdir(), 'spotdraft-portal-')), 'portal.db');
const settings = { ...settingsFromEnv(), target: null, database, port: Number(process.env.PORT ?? 8787) };
const server = await startReferenceServer(settings, { sandboxUrl: sandbox.url, app: portalApp(root) });
console.log(`\nPortal: ${server.url}/#token=${server.token}`);
console.log(`  (the link signs you in; proxy ${server.url}/api/v2.1/public/…, webhooks ${server.url}/webhooks/spotdraft, feed ${server.url}/events; store ${settings.database})`);
console.log('Press Ctrl-C to stop.');
const stop = async () => {
  await server.close();
  await sandbox.stop();
  if (!process.env.SPOTDRAFT_DB) rmSync(dirname(database), { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
