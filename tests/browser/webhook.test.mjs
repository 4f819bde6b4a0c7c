// Webhook verification in headless Chromium (the web build): the synchronous wasm HMAC and the
// WebCrypto-backed async forms agree, forgeries are refused by both, and the async forms
// fall back to the wasm HMAC where `crypto.subtle` is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useChromiumAndSite } from './chromium.mjs';

const chromium = useChromiumAndSite();

test('verifyWebhook, verifyWebhookSignature and their async (WebCrypto) forms in Chromium', async () => {
  const page = await chromium.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${chromium.site.url}/www/status.html`);
  const out = await page.evaluate(async () => {
    const sd = await import('/pkg/web/spotdraft_sync.js');
    await sd.default();
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(64))));
    const oldKey = btoa('o'.repeat(64));
    const body = new TextEncoder().encode(JSON.stringify({ activity: 'CONTRACT_SIGNED', contract_id: 42, contract_status: 'SIGNED', activity_data: { timestamp: '2026-11-28T10:00:00Z' }, pad: 'x'.repeat(10_000) }));
    const signature = sd.signWebhookForTest(body, key);
    // WebCrypto's own answer, to check the wasm HMAC against the browser's.
    const raw = await crypto.subtle.importKey('raw', Uint8Array.from(atob(key), (c) => c.charCodeAt(0)), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
    const expected = [...new Uint8Array(await crypto.subtle.sign('HMAC', raw, body))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const headers = new Headers({ 'X-SD-WEBHOOK-CONTENT-HASH': signature });
    const forged = body.slice();
    forged[20] ^= 1;
    const code = async (fn) => { try { await fn(); return 'accepted'; } catch (e) { return e.code; } };
    const result = {
      signatureMatchesWebCrypto: signature === expected,
      sync: sd.verifyWebhook(body, headers, [oldKey, key]).keyIndex,
      syncSignature: sd.verifyWebhookSignature(body, headers, key).header,
      async: (await sd.verifyWebhookAsync(body, headers, [oldKey, key])).event.contractId,
      asyncSignature: (await sd.verifyWebhookSignatureAsync(body, headers, [oldKey, key])).keyIndex,
      forgedSync: await code(() => sd.verifyWebhook(forged, headers, key)),
      forgedAsync: await code(() => sd.verifyWebhookAsync(forged, headers, key)),
    };
    const subtle = Object.getOwnPropertyDescriptor(Crypto.prototype, 'subtle');
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
    try {
      result.withoutSubtle = (await sd.verifyWebhookSignatureAsync(body, headers, [oldKey, key])).keyIndex;
      result.forgedWithoutSubtle = await code(() => sd.verifyWebhookSignatureAsync(forged, headers, key));
      result.subtleHidden = crypto.subtle === undefined;
    } finally {
      Object.defineProperty(Crypto.prototype, 'subtle', subtle);
    }
    return result;
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(out, {
    signatureMatchesWebCrypto: true,
    sync: 1,
    syncSignature: 'X-SD-WEBHOOK-CONTENT-HASH',
    async: 42,
    asyncSignature: 1,
    forgedSync: 'WEBHOOK_SIGNATURE_INVALID',
    forgedAsync: 'WEBHOOK_SIGNATURE_INVALID',
    withoutSubtle: 1,
    forgedWithoutSubtle: 'WEBHOOK_SIGNATURE_INVALID',
    subtleHidden: true,
  });
  await page.close();
});
