// The public API's calling convention, type-checked with tsc --strict against the built
// package by tests/packaging/readme-types.test.mjs: `(arguments…, options?)`, options optional
// wherever defaults exist, typed bodies, camelCase parameter names.
import {
  SpotDraftClient,
  verifyWebhook,
  verifyWebhookSignature,
  parseWebhookEvent,
  type CreateContractPayload,
  type VerifiedWebhookEvent,
} from 'spotdraft-sync';

declare const body: Uint8Array;
declare const headers: Record<string, string | string[] | undefined>;
declare const keys: string[];
declare const externalId: string;
declare const controller: AbortController;

const client = new SpotDraftClient({ baseUrl: 'https://sd-proxy.example.com' });

// Webhook options are optional: three arguments are a complete call.
const verified: VerifiedWebhookEvent = verifyWebhook(body, headers, keys);
verifyWebhookSignature(body, headers, keys);
verifyWebhookSignature(body, headers, keys, { maxBodyBytes: 1 << 20 });
parseWebhookEvent(body);

// Call options are the last argument, beside the method's own options.
export async function calls(): Promise<void> {
  const { signal } = controller;
  await client.findContractsByExternalId(externalId, { signal });
  await client.getKeyPointers('T-1', { signal, timeoutMs: 5000 });
  await client.getDownloadLink('T-1', { format: 'PDF', signal });
  await client.sendToCounterparties('T-1', { subject: 'Your MSA', maxRetries: 0 });

  const payload: CreateContractPayload = {
    contract_template_id: 1204,
    contract_data: { deal_value: 12000 },
    counter_party_details: [],
    external_metadata: { id: 'deal-1' },
  };
  const { contract } = await client.createContract(payload, { checkExistingFirst: true, signal });
  contract.id satisfies string;
}

// @ts-expect-error createContract takes a CreateContractPayload, not any object.
client.createContract({ contract_template: 1 });

export { verified };
