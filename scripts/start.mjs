#!/usr/bin/env node
// `npm start`: the main job. Starts the local SpotDraft sandbox and serves the demo page in
// www/ against it, printing both URLs; runs until Ctrl-C.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from './lib/static-server.mjs';
import { startSandbox } from './lib/sandbox-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sandbox = await startSandbox(root);
const site = await startStaticServer({ root, port: Number(process.env.PORT ?? 8080) });
console.log(`\nSpotDraft sandbox:  ${sandbox.url}  (credentials: sandbox-acme / sandbox-acme-secret)`);
console.log(`Demo page:          ${site.url}/www/index.html?baseUrl=${encodeURIComponent(sandbox.url)}`);
console.log('Press Ctrl-C to stop.');
const stop = async () => {
  await site.close();
  await sandbox.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
