// A Cloudflare Worker using the package's `workerd` entry: checks a webhook signature and
// calls SpotDraft (the sandbox) from inside the real workerd runtime.
import { SpotDraftClient, isSpotDraftError, signWebhookForTest, verifyWebhook, verifyWebhookAsync } from '../../pkg/workerd/index.js';

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const out = {};
    const body = '{"activity":"CONTRACT_EXECUTED","contract_id":7,"contract_status":"EXECUTED","activity_data":{"timestamp":"2026-11-28T10:00:00Z"}}';
    const key = btoa('k'.repeat(64));
    const signature = signWebhookForTest(body, key);
    out.verified = verifyWebhook(body, { 'x-sd-webhook-content-hash': signature }, key).event.activity;
    // The async form uses workerd's WebCrypto.
    out.verifiedAsync = (await verifyWebhookAsync(body, new Headers({ 'X-SD-WEBHOOK-CONTENT-HASH': signature }), key)).event.contractId;
    try {
      await verifyWebhookAsync(body.replace('7', '8'), { 'x-sd-webhook-content-hash': signature }, key);
    } catch (error) {
      out.forgedAsync = error.code;
    }
    // On the server side a client secret is allowed without the browser opt-in.
    const client = new SpotDraftClient({ baseUrl: env.SANDBOX_URL, clientId: 'sandbox-acme', clientSecret: 'sandbox-acme-secret' });
    try {
      await client.getContractStatus(url.searchParams.get('id') ?? 'T-999999');
    } catch (error) {
      out.errorCode = isSpotDraftError(error) ? error.code : String(error);
    }
    out.templates = (await client.listTemplates()).items.length;
    return Response.json(out);
  },
};
