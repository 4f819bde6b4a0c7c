// Serves the routes the wasm-bindgen tests call (tests/wasm.rs), with CORS for the
// browser runner; prints its URL on the first line, then runs until killed.
import { startFakeSpotDraft } from '../node/support/fake-spotdraft.mjs';

const server = await startFakeSpotDraft({
  'GET /api/v2.1/public/contracts/T-1204/status': () => ({ status: 200, body: { contract_status: 'EXECUTED', contract_name: 'Acme Master Services Agreement' } }),
  'GET /api/v2.1/public/contracts/T-404/status': () => ({ status: 404, body: { detail: 'Not found.' } }),
});
console.log(server.url);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
