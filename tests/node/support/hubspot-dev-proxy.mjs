// Runs HubSpot's REAL local-development proxy: `AppProxyService` of
// @hubspot/ui-extensions-dev-server 2.1.2 (dist/lib/proxy/AppProxyService.js, which says it
// mirrors HubSpot's backend proxy), imported by file path, in a child process.
//
// A child process because importing it runs the dev server's error reporter
// (dist/lib/errorReporter.js): `Sentry.init` with HubSpot's DSN, and process-wide
// `uncaughtException`/`unhandledRejection` handlers that call `process.exit(1)`. The child
// replaces that one module (a module-resolution hook, `CHILD` below) by a stub that only logs,
// so nothing is reported to HubSpot and the test process keeps its own handlers. Everything else
// — the /proxy route, its header check, `mapToLocalUrl`, axios, the error envelopes and the
// request signatures (signing.js, with `CLIENT_SECRET`) — is HubSpot's code, unchanged.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEV_SERVER_DIR = join(root, 'node_modules', '@hubspot', 'ui-extensions-dev-server');

// The child: registers the hook, then imports AppProxyService and listens on 127.0.0.1.
const CHILD = `
import { register } from 'node:module';
const hook = ${JSON.stringify(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.endsWith('/ui-extensions-dev-server/dist/lib/errorReporter.js')) {
    return { url: 'data:text/javascript,export function reportError(e) { console.error("[dev-server reportError, stubbed]", e && e.message); }', shortCircuit: true };
  }
  return result;
}`)};
register('data:text/javascript,' + encodeURIComponent(hook));
const { AppProxyService } = await import(${JSON.stringify(pathToFileURL(join(DEV_SERVER_DIR, 'dist', 'lib', 'proxy', 'AppProxyService.js')).href)});
const quiet = () => {};
const logger = { info: quiet, debug: quiet, warn: (m) => console.error('[dev-server]', m), error: (m) => console.error('[dev-server]', m) };
const app = AppProxyService({
  localDevUrlMapping: JSON.parse(process.env.HUBSPOT_LOCAL_DEV_URL_MAPPING),
  logger,
  accountId: 123456,
  allowedUrls: Object.keys(JSON.parse(process.env.HUBSPOT_LOCAL_DEV_URL_MAPPING)),
});
const server = app.listen(0, '127.0.0.1', () => console.log('hubspot-dev-proxy listening on http://127.0.0.1:' + server.address().port));
`;

/**
 * Starts the dev server's proxy with `localDevUrlMapping` (public https origin → local URL).
 * `clientSecret` is the app's secret the dev server signs requests with (X-HubSpot-Signature-v3).
 * Resolves `{ url, stop }`; `url` is where the card side POSTs `/proxy`.
 */
export async function startHubSpotDevProxy({ localDevUrlMapping, clientSecret }) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: root,
    env: { ...process.env, HUBSPOT_LOCAL_DEV_URL_MAPPING: JSON.stringify(localDevUrlMapping), CLIENT_SECRET: clientSecret ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  child.stderr.setEncoding('utf8').on('data', (chunk) => log.push(chunk));
  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk;
      const m = buffered.match(/hubspot-dev-proxy listening on (http:\/\/\S+)/);
      if (m) {
        child.stdout.off('data', onData);
        resolve(m[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`the HubSpot dev proxy exited early with ${code}: ${log.join('')}`)));
  });
  return {
    url,
    log,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}
