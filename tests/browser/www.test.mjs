// The smallest page (www/status.html) in real headless Chromium: loads the web build, calls a server on another
// loopback port (CORS), shows the result; a screenshot is saved to test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useChromiumAndSite } from './chromium.mjs';
import { startFakeSpotDraft } from '../node/support/fake-spotdraft.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromium = useChromiumAndSite();
let api;

before(async () => {
  api = await startFakeSpotDraft({
    'GET /api/v2.1/public/contracts/T-1204/status': () => ({ status: 200, body: { contract_status: 'EXECUTED', contract_name: 'Acme Master Services Agreement' } }),
    'GET /api/v2.1/public/contracts/T-404/status': () => ({ status: 404, body: { detail: 'Not found.' } }),
  });
});
after(async () => {
  await api?.close();
});

test('the www page calls the package in Chromium and shows status and errors', async () => {
  const page = await chromium.browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.goto(`${chromium.site.url}/www/status.html?baseUrl=${encodeURIComponent(api.url)}`);
  await page.waitForFunction(() => document.getElementById('result').textContent.startsWith('Ready'));
  await page.fill('#contract-id', 'T-1204');
  await page.click('#get-status');
  await page.waitForFunction(() => document.getElementById('result').textContent.includes('EXECUTED'));
  const shown = JSON.parse(await page.textContent('#result'));
  assert.deepEqual(shown, { contractStatus: 'EXECUTED', contractName: 'Acme Master Services Agreement' });
  mkdirSync(join(root, 'test-results'), { recursive: true });
  await page.screenshot({ path: join(root, 'test-results', 'www.png'), fullPage: true });

  await page.fill('#contract-id', 'T-404');
  await page.click('#get-status');
  await page.waitForFunction(() => document.getElementById('result').className === 'error');
  assert.match(await page.textContent('#result'), /^NOT_FOUND \(HTTP 404\)/);

  await page.fill('#contract-id', '../T-1');
  await page.click('#get-status');
  await page.waitForFunction(() => document.getElementById('result').textContent.startsWith('INVALID_ARGUMENT'));
  assert.deepEqual(pageErrors, []);
  assert.equal(api.unmatched.length, 0);
});

test('in a browser a clientSecret is refused unless explicitly allowed; panics do not brick the page', async () => {
  const page = await chromium.browser.newPage();
  await page.goto(`${chromium.site.url}/www/status.html`);
  await page.waitForFunction(() => document.getElementById('result').textContent.startsWith('Ready'));
  const outcome = await page.evaluate(async (apiUrl) => {
    const sd = await import('/pkg/web/spotdraft_sync.js');
    const out = {};
    try {
      new sd.SpotDraftClient({ baseUrl: apiUrl, clientId: 'id', clientSecret: 'browser-secret-xyz' });
      out.refused = false;
    } catch (e) {
      out.refused = sd.isSpotDraftError(e) && e.code === 'BROWSER_SECRET_REFUSED';
      out.mentionsProxy = /proxy/.test(e.message);
      out.leaks = e.message.includes('browser-secret-xyz');
    }
    const allowed = new sd.SpotDraftClient({ baseUrl: apiUrl, clientId: 'id', clientSecret: 's', dangerouslyAllowBrowserSecret: true });
    out.allowedWorks = (await allowed.getContractStatus('T-1204')).contractStatus;
    // Panics: the test build's web build (`node scripts/build.mjs --test-hooks`), the shipped
    // one has no hook.
    out.shippedHasHook = '__spotdraftTestPanic' in sd;
    const hooked = await import('/target/test-pkg/web/index.js');
    await hooked.default();
    try { hooked.__spotdraftTestPanic('sync'); } catch (e) { out.syncPanic = e.code; }
    try { await hooked.__spotdraftTestPanic('async'); } catch (e) { out.asyncPanic = e.code; }
    out.afterPanic = (await new hooked.SpotDraftClient({ baseUrl: apiUrl }).getContractStatus('T-1204')).contractStatus;
    return out;
  }, api.url);
  assert.deepEqual(outcome, { refused: true, mentionsProxy: true, leaks: false, allowedWorks: 'EXECUTED', shippedHasHook: false, syncPanic: 'INTERNAL', asyncPanic: 'INTERNAL', afterPanic: 'EXECUTED' });
});
