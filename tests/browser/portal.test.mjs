// The portal (`npm start`'s page, www/ + scripts/lib/portal/) in real headless Chromium against
// the real sandbox and the real reference server (proxy, webhook receiver, SQLite store, change
// feed): the whole flow from the records list to the downloaded PDF, the errors people can act
// on (down to stopping the sandbox), the pure-JS build where WebAssembly is unavailable, a
// phone-sized viewport and signing in. Every page is checked with axe-core (0 serious or
// critical violations) and served with the strict CSP; each step's screenshot is saved under
// test-results/portal/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCreateContract } from 'spotdraft-sync';
import { launchChromium } from './chromium.mjs';
import { startSandbox } from '../../scripts/lib/sandbox-process.mjs';
import { settingsFromEnv, startReferenceServer } from '../../scripts/lib/reference-server.mjs';
import { portalApp } from '../../scripts/lib/portal/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const AXE_SOURCE = createRequire(import.meta.url)('axe-core').source;
const SHOTS = join(root, 'test-results', 'portal');
const CLIENT_SECRET = 'sandbox-acme-secret';
const ACME = 'hubspot-deal-10024';

let sandbox;
let server;
let browser;
let dataDir;
let sandboxStopped = false;
const serverLogs = [];
const a11yReport = [];
let shotNumber = 0;

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'portal-test-'));
  sandbox = await startSandbox(root);
  const settings = { ...settingsFromEnv({}), target: null, database: join(dataDir, 'portal.db'), port: 0 };
  server = await startReferenceServer(settings, { sandboxUrl: sandbox.url, app: portalApp(root), log: (entry) => serverLogs.push(entry) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close().catch(() => {});
  if (!sandboxStopped) await sandbox?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  writeFileSync(join(SHOTS, 'axe-report.json'), JSON.stringify(a11yReport, null, 2));
});

/** A page that records what would betray a broken CSP or a leak: console, errors, bodies. */
async function portalPage({ viewport = { width: 1280, height: 900 }, withoutWebAssembly = false, signedIn = true } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  if (withoutWebAssembly) await context.addInitScript(() => { delete globalThis.WebAssembly; });
  const page = await context.newPage();
  const seen = { console: [], errors: [], bodies: [] };
  page.on('console', (message) => seen.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => seen.errors.push(error.message));
  page.on('response', async (response) => {
    if (!response.url().startsWith(server.url)) return;
    try {
      seen.bodies.push({ url: response.url(), text: (await response.body()).toString('latin1') });
    } catch {
      // A streaming answer (the change feed) has no body to read here.
    }
  });
  let first = null;
  if (signedIn) {
    first = await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForSelector('table.records');
  }
  return { context, page, seen, first };
}

/** Saves the step's screenshot: the whole page, or only what the window shows (`fullPage: false`). */
async function shot(page, name, { fullPage = true } = {}) {
  const file = `${String(++shotNumber).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: join(SHOTS, file), fullPage });
  return file;
}

/** axe-core over the page as it is now: 0 serious or critical violations. */
async function checkA11y(page, label) {
  await page.evaluate(AXE_SOURCE); // through DevTools, so the page's CSP does not apply to it
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })));
  a11yReport.push({ page: label, violations });
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(blocking, [], `${label}: ${JSON.stringify(blocking, null, 2)}`);
}

const cspProblems = (seen) => seen.console.filter((line) => /Content Security Policy|Refused to/i.test(line));

async function sandboxTruth() {
  return (await fetch(`${sandbox.url}/__sandbox/contracts`)).json();
}

/** The portal API from Node with the session cookie, as a second tab or a retrying client would call it. */
async function portalFetch(path, init = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { cookie: `sd_session=${encodeURIComponent(server.token)}`, ...(init.headers ?? {}) } });
}

async function errorCode(page) {
  await page.waitForSelector('.error-panel', { timeout: 30_000 });
  return page.getAttribute('.error-panel', 'data-code');
}

test('the whole flow: records → mapped body checked as you type → create once → send → sign → executed key data → PDF', async () => {
  const { page, seen, first } = await portalPage();
  const csp = first.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.equal(await page.evaluate(() => location.hash), '#/', 'the token left the address bar');
  assert.equal(await page.evaluate(() => document.cookie.includes('sd_session')), false, 'the session cookie is HttpOnly');
  assert.equal(await page.getAttribute('#build', 'data-build'), 'wasm');
  await page.waitForSelector('#feed-state[data-state="live"]');
  const rows = await page.$$eval('table.records tbody tr', (trs) => trs.map((tr) => tr.dataset.record));
  assert.deepEqual(rows, [ACME, '0065g00000XyZ12AAB', 'hubspot-deal-10031', 'hubspot-deal-10045', '0065g00000NdA77AAB']);
  await shot(page, 'records');
  await checkA11y(page, 'records list');

  // Northwind: the record's data breaks three of the template's rules and its mapping writes
  // `notice_period` where the template has `notice_period_days`; each shows at its field.
  await page.click('text=Northwind Platform Subscription');
  await page.waitForSelector('#validation-summary li');
  assert.match(await page.textContent('#validation-summary'), /5 problems to fix/);
  assert.equal(await page.isDisabled('#create-contract'), true, 'create is disabled while the body is invalid');
  const emailIssue = await page.textContent('#field-counter_party_details\\[0\\]\\.poc_details\\.email .issue');
  assert.match(emailIssue, /is not an email address/);
  assert.match(emailIssue, /counter_party_details\[0\]\.poc_details\.email/, 'the issue names its JSON path');
  assert.match(await page.textContent('#field-contract_data\\.billing_currency\\.type .issue'), /not one of the options.*"USD"/);
  assert.match(await page.textContent('#field-contract_data\\.notice_period .issue'), /no field "notice_period"/);
  assert.match(await page.textContent('#field-contract_data\\.notice_period_days .issue'), /contract_data\.notice_period_days/);
  await shot(page, 'record-invalid', { fullPage: false });
  await checkA11y(page, 'record page with validation issues');
  await page.selectOption('[data-path="contract_data.billing_currency.type"]', 'USD');
  assert.match(await page.textContent('#validation-summary'), /4 problems/, 'validated on change');
  await page.fill('[data-path="contract_data.pricing_schedule[0].amount.type"]', 'USD');
  await page.fill('[data-path="contract_data.notice_period"]', '');
  await page.fill('[data-path="contract_data.notice_period_days"]', '30');
  await page.focus('[data-path="counter_party_details[0].poc_details.email"]');
  await page.keyboard.press('End');
  await page.keyboard.type('.example');
  await page.waitForSelector('#create-contract:not([disabled])');
  assert.match(await page.textContent('#validation-summary'), /matches the template/);
  assert.equal(await page.getAttribute('[data-path="counter_party_details[0].poc_details.email"]', 'aria-invalid'), 'false');
  await shot(page, 'record-valid');

  // Acme: a double click creates one contract; a retry of the same create finds it.
  await page.click('text=← All records');
  await page.click('text=Acme Master Services Agreement');
  await page.waitForSelector('#create-contract:not([disabled])');
  // The create's answer is held back until the change feed has shown the page the webhook's
  // DRAFT (a quick webhook beats a slow answer): the late answer must not put the view back to
  // its own older version, which has no status yet.
  const createRoute = `**/portal/api/records/${ACME}/contract`;
  await page.route(createRoute, async (route) => {
    const response = await route.fetch();
    await page.waitForSelector('.timeline li[data-status="DRAFT"]');
    await route.fulfill({ response });
  });
  await page.dblclick('#create-contract');
  await page.waitForSelector('#create-outcome');
  await page.unroute(createRoute);
  assert.equal(await page.getAttribute('#create-outcome', 'data-outcome'), 'CREATED');
  assert.match(await page.textContent('#create-outcome'), /\(1 create request\)/);
  const record = JSON.parse(readFileSync(join(root, 'tests/fixtures/records/hubspot-deal.json'), 'utf8'));
  const mapping = JSON.parse(readFileSync(join(root, 'tests/fixtures/mappings/hubspot-deal.mapping.json'), 'utf8'));
  const retry = await portalFetch(`/portal/api/records/${ACME}/contract`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(buildCreateContract(record, mapping)),
  });
  const retried = await retry.json();
  assert.equal(retry.status, 200);
  assert.equal(retried.outcome, 'FOUND_EXISTING');
  assert.equal(retried.attempts, 0, 'the retry sent no create');
  const created = (await sandboxTruth()).contracts.filter((c) => c.external_metadata_id === ACME);
  assert.equal(created.length, 1, 'one contract for the record, after a double click and a retry');
  const compositeId = created[0].composite_id;
  assert.equal(retried.record.compositeId, compositeId);
  await page.waitForSelector('.timeline li[data-status="DRAFT"]');
  await shot(page, 'created');
  await checkA11y(page, 'contract view (draft)');

  // Send, then the sandbox controls move it on; the timeline follows the change feed live.
  await page.click('#send-to-counterparties');
  await page.waitForSelector('.timeline li.current[data-status="REDLINING"]');
  await shot(page, 'sent');
  await page.click('#sandbox-request-signature');
  await page.waitForSelector('.timeline li.current[data-status="SIGN"]');
  // Sign until the sandbox says EXECUTED (each signer once); the page learns it from the feed.
  for (let signatures = 0; ; signatures++) {
    assert.ok(signatures < 6, 'executed after at most 6 signatures');
    await page.waitForSelector('#sandbox-sign:not([disabled]):not([aria-busy])');
    await page.click('#sandbox-sign');
    await page.waitForFunction(() => !document.querySelector('#sandbox-sign[aria-busy]'));
    assert.equal(await page.$('.contract .error-panel'), null, 'the signature was taken');
    const truth = (await sandboxTruth()).contracts.find((c) => c.composite_id === compositeId);
    if (truth.status === 'EXECUTED') break;
  }
  await page.waitForSelector('.timeline li.current[data-status="EXECUTED"]');
  await page.waitForSelector('.key-data-table');
  const keyData = await page.$$eval('.key-data-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('code').textContent, tr.querySelector('td').textContent]));
  assert.ok(keyData.length >= 10, `key data read (${keyData.length} values)`);
  assert.deepEqual(keyData.find(([name]) => name === 'customer_name'), ['customer_name', 'Acme Inc.']);
  assert.deepEqual(keyData.find(([name]) => name === 'billing_currency'), ['billing_currency', `USD ${(12000).toLocaleString('en-US')}`]);
  const statuses = await page.$$eval('.timeline li', (lis) => lis.map((li) => li.dataset.status));
  assert.deepEqual(statuses, ['DRAFT', 'REDLINING', 'SIGN', 'EXECUTED']);
  await shot(page, 'executed');
  await checkA11y(page, 'contract view (executed, key data)');

  // The download mints a fresh link through the proxy and leaves nothing of it behind.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-pdf')]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.match(bytes.subarray(-32).toString('latin1'), /%%EOF\s*$/);
  writeFileSync(join(SHOTS, 'downloaded.pdf'), bytes);
  assert.match(download.suggestedFilename(), /\.pdf$/);
  await page.waitForSelector('.notice:has-text("Downloading")');
  assert.doesNotMatch(await page.content(), /__files|signature=|expires=/, 'the signed link is not in the page');
  await shot(page, 'downloaded');

  // Back on the list, the store's state; nothing secret anywhere the page or the store saw.
  await page.click('text=← All records');
  await page.waitForSelector(`tr[data-record="${ACME}"] [data-status="EXECUTED"]`);
  for (const { url, text } of seen.bodies) assert.equal(text.includes(CLIENT_SECRET), false, `${url} carried the client secret`);
  const stored = readFileSync(join(dataDir, 'portal.db')).toString('latin1');
  assert.equal(stored.includes('__files'), false, 'no signed link in the store');
  assert.equal(JSON.stringify(serverLogs).includes(CLIENT_SECRET), false);
  assert.equal(JSON.stringify(serverLogs).includes('__files'), false);
  assert.deepEqual(cspProblems(seen), []);
  assert.deepEqual(seen.errors, []);
});

test('where WebAssembly is unavailable the portal runs the pure-JS build, validation included', async () => {
  const { page, seen, context } = await portalPage({ withoutWebAssembly: true });
  assert.equal(await page.getAttribute('#build', 'data-build'), 'js');
  await page.click('text=Northwind Platform Subscription');
  await page.waitForSelector('#validation-summary li');
  assert.match(await page.textContent('#validation-summary'), /5 problems to fix/);
  await shot(page, 'pure-js-build');
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(cspProblems(seen), []);
  await context.close();
});

test('a phone-sized screen, the keyboard and signing in', async () => {
  const { page, context } = await portalPage({ viewport: { width: 390, height: 844 } });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on the list');
  await shot(page, 'phone-records');
  await checkA11y(page, 'records list, phone');
  await page.click('text=Initech EU Data Processing Addendum');
  await page.waitForSelector('#validation-summary');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling on the record page');
  await checkA11y(page, 'record page, phone');
  await context.close();

  // Keyboard only: skip link, then Tab to a record and Enter.
  const keyboard = await portalPage();
  await keyboard.page.keyboard.press('Tab');
  assert.equal(await keyboard.page.evaluate(() => document.activeElement.className), 'skip-link');
  let focused = '';
  for (let i = 0; i < 12 && !focused.startsWith('#/records/'); i++) {
    await keyboard.page.keyboard.press('Tab');
    focused = await keyboard.page.evaluate(() => document.activeElement.getAttribute('href') ?? '');
  }
  assert.equal(focused, `#/records/${ACME}`);
  await keyboard.page.keyboard.press('Enter');
  await keyboard.page.waitForSelector('#contract-heading');
  await keyboard.context.close();

  // Without the session cookie: the sign-in form; a wrong token is refused, the right one works.
  const fresh = await portalPage({ signedIn: false });
  await fresh.page.goto(`${server.url}/`);
  await fresh.page.waitForSelector('form.sign-in');
  await checkA11y(fresh.page, 'sign-in');
  await fresh.page.fill('#token', 'not-the-token');
  await fresh.page.click('form.sign-in button');
  assert.equal(await errorCode(fresh.page), 'UNAUTHORIZED');
  await shot(fresh.page, 'sign-in-refused');
  await fresh.page.fill('#token', server.token);
  await fresh.page.click('form.sign-in button');
  await fresh.page.waitForSelector('table.records');
  await fresh.context.close();
  const anonymous = await fetch(`${server.url}/portal/api/records`);
  assert.equal(anonymous.status, 401);
  const feed = await fetch(`${server.url}/events`);
  assert.equal(feed.status, 401);
  await feed.body?.cancel();
});

test('errors people can act on: inaccessible template, creator entity, rate limit, network down', async () => {
  const { page, seen } = await portalPage();

  await page.click('text=Globex Mutual NDA');
  assert.equal(await errorCode(page), 'TEMPLATE_INACCESSIBLE');
  assert.match(await page.textContent('.error-panel .advice'), /template of this workspace/);
  assert.match(await page.textContent('.error-panel .message'), /listTemplates\(\)/, 'the package\'s own advice is shown too');
  assert.equal(await page.isDisabled('#create-contract'), true);
  await shot(page, 'template-inaccessible');
  await checkA11y(page, 'template inaccessible');

  await page.click('text=← All records');
  await page.click('text=Initech EU Data Processing Addendum');
  await page.waitForSelector('#create-contract:not([disabled])');
  await page.click('#create-contract');
  assert.equal(await errorCode(page), 'CREATOR_ENTITY_MISMATCH');
  assert.match(await page.textContent('.error-panel .advice'), /ACME-EU/);
  assert.match(await page.textContent('.error-panel .meta'), /HTTP 403/);
  await shot(page, 'creator-entity');
  await checkA11y(page, 'creator entity mismatch');
  await page.fill('[data-path="entity_reference_id"]', 'ACME-EU');
  await page.click('#create-contract');
  await page.waitForSelector('#create-outcome[data-outcome="CREATED"]');
  assert.equal((await sandboxTruth()).contracts.filter((c) => c.external_metadata_id === 'hubspot-deal-10045').length, 1);

  await page.click('text=← All records');
  await page.click('text=Acme Master Services Agreement');
  // The executed view reads its key data on load: let that read finish first, or on a slow
  // machine it could take the throttled answers meant for the status check below.
  await page.waitForSelector('.key-data-table');
  await page.click('#sandbox-throttle');
  await page.waitForSelector('.notice:has-text("429")');
  await page.click('#check-status');
  assert.equal(await errorCode(page), 'RATE_LIMITED');
  assert.match(await page.textContent('.error-panel .advice'), /10 requests per second/);
  await shot(page, 'rate-limited');
  await page.click('#check-status');
  await page.waitForSelector('.notice:has-text("SpotDraft reports Executed")');

  // Network down: stop the sandbox. The proxy cannot reach SpotDraft; the page says so and
  // what to do. The records still list from the store.
  await sandbox.stop();
  sandboxStopped = true;
  await page.click('#check-status');
  assert.equal(await errorCode(page), 'NETWORK');
  assert.match(await page.textContent('.error-panel .advice'), /could not reach SpotDraft/);
  await shot(page, 'network-down');
  await checkA11y(page, 'network down');
  await page.click('text=← All records');
  await page.waitForSelector(`tr[data-record="${ACME}"] [data-status="EXECUTED"]`);
  await page.click('text=Globex Master Services Agreement');
  assert.equal(await errorCode(page), 'NETWORK', 'reading the template without SpotDraft');
  assert.deepEqual(cspProblems(seen), []);
  assert.deepEqual(seen.errors, []);
});
